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
from typing import Any

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


def _errors(schema: dict[str, Any], value: Any, at: str, root: dict[str, Any]) -> str | None:
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        found = _errors(target, value, at, root)
        if found:
            return found
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is_type(value, k) for k in kinds):
            return f"{at}: expected {' or '.join(kinds)}, got {json.dumps(value)[:40]}"
    if "const" in schema and not _same(value, schema["const"]):
        return f"{at}: must be {json.dumps(schema['const'])}"
    if "enum" in schema and not any(_same(value, v) for v in schema["enum"]):
        return f"{at}: must be one of {', '.join(json.dumps(v) for v in schema['enum'])}"
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return f"{at}: must not be shorter than {schema['minLength']} characters"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"{at}: must not be longer than {schema['maxLength']} characters"
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return f"{at}: {json.dumps(value)[:60]} does not match {schema['pattern']}"
        if "format" in schema and not _format_ok(schema["format"], value):
            return f"{at}: {json.dumps(value)[:60]} is not a valid {schema['format']}"
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{at}: {value} is less than the minimum {schema['minimum']}"
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return f"{at}: {value} must be greater than {schema['exclusiveMinimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{at}: {value} is more than the maximum {schema['maximum']}"
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return f"{at}: needs at least {schema['minItems']} items"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return f"{at}: has more than {schema['maxItems']} items"
        if "items" in schema:
            for i, item in enumerate(value):
                found = _errors(schema["items"], item, _path(at, i), root)
                if found:
                    return found
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                return f"{at}: missing required property {key!r}"
        props = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        extra = schema.get("additionalProperties", True)
        names_schema = schema.get("propertyNames")
        for key, item in value.items():
            if names_schema is not None:
                found = _errors(names_schema, key, f"{_path(at, key)} (name)", root)
                if found:
                    return found
            matched = False
            if key in props:
                matched = True
                found = _errors(props[key], item, _path(at, key), root)
                if found:
                    return found
            for pattern, sub in patterns.items():
                if re.search(pattern, key):
                    matched = True
                    found = _errors(sub, item, _path(at, key), root)
                    if found:
                        return found
            if not matched:
                if extra is False:
                    return f"{at}: unknown property {key!r}"
                if isinstance(extra, dict):
                    found = _errors(extra, item, _path(at, key), root)
                    if found:
                        return found
    for sub in schema.get("allOf", ()):
        found = _errors(sub, value, at, root)
        if found:
            return found
    if "anyOf" in schema:
        problems = [_errors(sub, value, at, root) for sub in schema["anyOf"]]
        if all(problems):
            return problems[0]
    if "oneOf" in schema:
        problems = [_errors(sub, value, at, root) for sub in schema["oneOf"]]
        if problems.count(None) != 1:
            return (
                next(p for p in problems if p)
                if None not in problems
                else (f"{at}: matches more than one allowed shape")
            )
    return None


def first_error(name: str, value: Any) -> str | None:
    """The first way `value` breaks schema `name`, as `$.json.path: message`, or None."""
    schema = load(name)
    try:
        return _errors(schema, value, "$", schema)
    except RecursionError:
        return "$: nested too deeply"
