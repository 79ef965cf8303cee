"""The JSON Schemas in `schemas/`, and a small validator for the subset they use.

jsonschema costs about 100 ms to import, more than the whole `ffhooks stop` command may take,
so reads on the hot path are checked here instead. The test suite checks that this validator
and jsonschema agree on every schema and on a corpus of good and broken files.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path

from ffhooks.records import Any

_HERE = Path(__file__).resolve().parent
# Installed wheels carry the schemas inside the package; a source checkout has them beside it.
SCHEMA_DIR = next(
    (p for p in (_HERE / "schemas", _HERE.parent / "schemas") if p.is_dir()), _HERE / "schemas"
)

_DATE_TIME = r"(\d{4}-\d\d-\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)"
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
}


def names() -> list[str]:
    return sorted(p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json"))


@cache
def load(name: str) -> dict[str, Any]:
    with open(SCHEMA_DIR / f"{name}.schema.json", encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def _is_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


def _same(a: Any, b: Any) -> bool:
    """JSON equality: true is not 1."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _format_ok(kind: str, value: str) -> bool:
    try:
        if kind == "date":
            return len(value) == 10 and bool(date.fromisoformat(value))
        if kind == "date-time":
            match = re.fullmatch(_DATE_TIME, value)
            if not match:
                return False
            datetime.fromisoformat(f"{match[1]}T{match[2]}:{match[3]}:{min(int(match[4]), 59):02d}")
            return True
    except ValueError:
        return False
    return True


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return (
        f"{parent}.{key}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else f"{parent}[{key!r}]"
    )


def _errors(schema: dict[str, Any], value: Any, root: dict[str, Any]) -> list[Any] | None:
    """None, or [message, key, ..., key] with the keys from the innermost outwards.

    The path is built only for a value that fails: building it for every value walked cost
    more than the checks themselves.
    """
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        found = _errors(target, value, root)
        if found:
            return found
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is_type(value, k) for k in kinds):
            return [f"expected {' or '.join(kinds)}, got {json.dumps(value)[:40]}"]
    if "const" in schema and not _same(value, schema["const"]):
        return [f"must be {json.dumps(schema['const'])}"]
    if "enum" in schema and not any(_same(value, v) for v in schema["enum"]):
        return [f"must be one of {', '.join(json.dumps(v) for v in schema['enum'])}"]
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return [f"must not be shorter than {schema['minLength']} characters"]
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return [f"must not be longer than {schema['maxLength']} characters"]
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return [f"{json.dumps(value)[:60]} does not match {schema['pattern']}"]
        if "format" in schema and not _format_ok(schema["format"], value):
            return [f"{json.dumps(value)[:60]} is not a valid {schema['format']}"]
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            return [f"{value} is less than the minimum {schema['minimum']}"]
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return [f"{value} must be greater than {schema['exclusiveMinimum']}"]
        if "maximum" in schema and value > schema["maximum"]:
            return [f"{value} is more than the maximum {schema['maximum']}"]
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return [f"needs at least {schema['minItems']} items"]
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return [f"has more than {schema['maxItems']} items"]
        if "items" in schema:
            for i, item in enumerate(value):
                found = _errors(schema["items"], item, root)
                if found:
                    return [*found, i]
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                return [f"missing required property {key!r}"]
        props = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        extra = schema.get("additionalProperties", True)
        names_schema = schema.get("propertyNames")
        for key, item in value.items():
            if names_schema is not None:
                found = _errors(names_schema, key, root)
                if found:
                    return [f"property name {found[0]}", key]
            matched = False
            if key in props:
                matched = True
                found = _errors(props[key], item, root)
                if found:
                    return [*found, key]
            for pattern, sub in patterns.items():
                if re.search(pattern, key):
                    matched = True
                    found = _errors(sub, item, root)
                    if found:
                        return [*found, key]
            if not matched:
                if extra is False:
                    return [f"unknown property {key!r}"]
                if isinstance(extra, dict):
                    found = _errors(extra, item, root)
                    if found:
                        return [*found, key]
    for sub in schema.get("allOf", ()):
        found = _errors(sub, value, root)
        if found:
            return found
    for word in ("anyOf", "oneOf"):
        if word in schema:
            problems = [_errors(sub, value, root) for sub in schema[word]]
            fits = problems.count(None)
            if fits == 0:  # explain with the shape of the right type, if there is one
                return min(problems, key=lambda p: bool(p and p[0].startswith("expected")))
            if word == "oneOf" and fits > 1:
                return ["matches more than one allowed shape"]
    return None


def first_error(name: str, value: Any) -> str | None:
    """The first way `value` breaks schema `name`, as `$.json.path: message`, or None."""
    schema = load(name)
    try:
        found = _errors(schema, value, schema)
    except RecursionError:
        return "$: nested too deeply"
    if found is None:
        return None
    at = "$"
    for key in reversed(found[1:]):
        at = _path(at, key)
    return f"{at}: {found[0]}"
