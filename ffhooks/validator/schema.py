"""The JSON Schemas in `schemas/`, and a small validator for the subset they use.

jsonschema takes longer to import than the whole `ffhooks stop` may (`bench/cli_latency.py`),
so reads on the hot path are checked here instead. The test suite checks that this validator
and jsonschema agree on every schema and on a corpus of good and broken files.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path

from ffhooks.errors import BrokenFile
from ffhooks.fsio import parse_json
from ffhooks.records import Any

_HERE = Path(__file__).resolve().parent.parent  # the package
# Installed wheels carry the schemas inside the package; a source checkout has them beside it.
SCHEMA_DIR = next(
    (p for p in (_HERE / "schemas", _HERE.parent / "schemas") if p.is_dir()), _HERE / "schemas"
)

# ASCII digits only ([0-9], not \d, which takes any Unicode digit): as JSON Schema means them
DATE_TIME = (
    r"([0-9]{4}-[0-9][0-9]-[0-9][0-9])[Tt]([0-9][0-9]):([0-9][0-9]):([0-9][0-9])(\.[0-9]+)?"
    r"([Zz]|[+-][0-9][0-9]:[0-9][0-9])"
)
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
    understood(schema, name)
    return schema


# What `_errors` checks, and what it may pass over (annotations): a schema using anything
# else would be checked less than it says, so it is refused when loaded.
CHECKED = {
    "$ref", "type", "const", "enum", "minLength", "maxLength", "pattern", "format", "minimum",
    "exclusiveMinimum", "maximum", "minItems", "maxItems", "items", "required", "properties",
    "patternProperties", "additionalProperties", "propertyNames", "allOf", "anyOf", "oneOf",
    "if", "then", "else",
}  # fmt: skip
ANNOTATIONS = {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"}
FORMATS = {"date", "date-time"}


def understood(schema: Any, where: str) -> None:
    """Raise ValueError for a keyword or format this validator does not implement."""
    if not isinstance(schema, dict):
        return
    unknown = schema.keys() - CHECKED - ANNOTATIONS
    if unknown:
        raise ValueError(f"schema {where}: keyword {sorted(unknown)[0]!r} is not implemented")
    if "format" in schema and schema["format"] not in FORMATS:
        raise ValueError(f"schema {where}: format {schema['format']!r} is not implemented")
    for key in ("properties", "patternProperties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            understood(sub, f"{where}/{key}/{name}")
    for key in ("items", "additionalProperties", "propertyNames", "if", "then", "else"):
        understood(schema.get(key), f"{where}/{key}")
    for key in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(schema.get(key, ())):
            understood(sub, f"{where}/{key}/{i}")


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
            match = re.fullmatch(DATE_TIME, value)
            if not match:
                return False
            datetime.fromisoformat(f"{match[1]}T{match[2]}:{match[3]}:{min(int(match[4]), 59):02d}")
            return True
    except ValueError:
        return False
    return True


Found = list[list[Any]]  # each [message, key, ..., key], the keys innermost first


def _add(found: Found | None, sub: Found, key: str | int) -> Found:
    for error in sub:
        error.append(key)
    return sub if found is None else found + sub


def _errors(schema: dict[str, Any], value: Any, root: dict[str, Any], every: bool) -> Found | None:
    """None, or how `value` breaks `schema`: the first way, or with `every` all of them.

    Paths are built only for a value that fails: building one for every value walked cost
    more than the checks themselves. A value of the wrong type or shape gets one message;
    containers report each bad member.
    """
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        referenced = _errors(target, value, root, every)
        if referenced:
            return referenced
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is_type(value, k) for k in kinds):
            return [[f"expected {' or '.join(kinds)}, got {json.dumps(value)[:40]}"]]
    if "const" in schema and not _same(value, schema["const"]):
        return [[f"must be {json.dumps(schema['const'])}"]]
    if "enum" in schema and not any(_same(value, v) for v in schema["enum"]):
        return [[f"must be one of {', '.join(json.dumps(v) for v in schema['enum'])}"]]
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return [[f"must not be shorter than {schema['minLength']} characters"]]
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return [[f"must not be longer than {schema['maxLength']} characters"]]
        if "pattern" in schema and not re.search(schema["pattern"], value):
            from ffhooks.validator.messages import PATTERN_MEANS  # only for a value that fails

            wanted = PATTERN_MEANS.get(schema["pattern"]) or f"matching {schema['pattern']}"
            return [[f"{json.dumps(value)[:60]} is not {wanted}"]]
        if "format" in schema and not _format_ok(schema["format"], value):
            return [[f"{json.dumps(value)[:60]} is not a valid {schema['format']}"]]
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            return [[f"{value} is less than the minimum {schema['minimum']}"]]
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return [[f"{value} must be greater than {schema['exclusiveMinimum']}"]]
        if "maximum" in schema and value > schema["maximum"]:
            return [[f"{value} is more than the maximum {schema['maximum']}"]]
    found: Found | None = None
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return [[f"needs at least {schema['minItems']} items"]]
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return [[f"has more than {schema['maxItems']} items"]]
        if "items" in schema:
            for i, item in enumerate(value):
                sub = _errors(schema["items"], item, root, every)
                if sub:
                    found = _add(found, sub, i)
                    if not every:
                        return found
    if isinstance(value, dict):
        missing = [key for key in schema.get("required", ()) if key not in value]
        if missing:
            found = [[f"missing required property {key!r}"] for key in missing[: 1 + every * 99]]
            if not every:
                return found
        props = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        extra = schema.get("additionalProperties", True)
        names_schema = schema.get("propertyNames")
        for key, item in value.items():
            sub = None
            if names_schema is not None:
                named = _errors(names_schema, key, root, False)
                if named:
                    sub = [[f"property name {named[0][0]}"]]
            matched = key in props
            if matched and not sub:
                sub = _errors(props[key], item, root, every)
            for pattern, pattern_schema in patterns.items():
                if not sub and re.search(pattern, key):
                    matched = True
                    sub = _errors(pattern_schema, item, root, every)
            if not sub and not matched:
                if extra is False:  # reported at the object that has it
                    unknown = [[f"unknown property {key!r}"]]
                    found = unknown if found is None else found + unknown
                elif isinstance(extra, dict):
                    sub = _errors(extra, item, root, every)
            if sub:
                found = _add(found, sub, key)
            if found and not every:
                return found
    for part in [*schema.get("allOf", ()), *_chosen(schema, value, root)]:
        sub = _errors(part, value, root, every)
        if sub:
            found = sub if found is None else found + sub
            if not every:
                return found
    for word in ("anyOf", "oneOf"):
        if word in schema:
            tried = [_errors(part, value, root, False) for part in schema[word]]
            fits = tried.count(None)
            if fits == 0:  # explain with the shape of the right type, if there is one
                best = min(tried, key=lambda p: bool(p and p[0][0].startswith("expected")))
                return best if found is None else found + (best or [])
            if word == "oneOf" and fits > 1:
                return [["matches more than one allowed shape"]]
    return found


def _chosen(schema: dict[str, Any], value: Any, root: dict[str, Any]) -> list[dict[str, Any]]:
    """The branch of an `if` that `value` must also match: `then` where it matches the `if`,
    else `else` (a summary's version decides the form of its cells)."""
    if "if" not in schema:
        return []
    branch = schema.get("then" if _errors(schema["if"], value, root, False) is None else "else")
    return [] if branch is None else [branch]


def every_error(name: str, value: Any) -> list[tuple[str, str]]:
    """Every way `value` breaks schema `name`, each as (JSON path, message)."""
    schema = load(name)
    try:
        found = _errors(schema, value, schema, True)
    except RecursionError:
        return [("$", "nested too deeply")]
    if not found:
        return []
    from ffhooks.validator.messages import where

    return [where(error) for error in found]


def read_json(path: Path, shown: str, fix: str, schema: str) -> Any:
    """Read and parse `path` (FileNotFoundError if absent), checked against `schema`; a file
    broken either way is refused naming `shown` and `fix`."""
    value = parse_json(path.read_bytes(), shown, fix)
    problem = first_error(schema, value)
    if problem is not None:
        raise BrokenFile(shown, problem, fix)
    return value


def first_error(name: str, value: Any) -> str | None:
    """The first way `value` breaks schema `name`, as `$.json.path: message`, or None."""
    plain = _PLAIN.get(name)
    if plain is not None and plain(value):
        return None
    schema = load(name)
    try:
        found = _errors(schema, value, schema, False)
    except RecursionError:
        return "$: nested too deeply"
    if found is None:
        return None
    from ffhooks.validator.messages import where

    return "{}: {}".format(*where(found[0]))


# The common case told fast (a month of days is read to rebuild its summary at each commit:
# `bench/commit_overhead.py`): what passes here passes the schema; the rest gets the full walk.
_SESSION_KEYS = {"id", "task", "start", "end", "billable"}
_SESSION_MORE = {"note", "reason", "tags"}
_ID = re.compile(r"[0-9a-f]{8,32}").fullmatch
_TASK = re.compile(r"[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,98}[^\s\x00-\x1f\x7f])?").fullmatch
_TAG = re.compile(r"[^\s,+\x00-\x1f\x7f-][^\s,+\x00-\x1f\x7f]{0,39}").fullmatch
_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z").fullmatch


def _plain_instant(value: Any) -> bool:  # as ffhooks writes it; a leap second: the full walk
    if type(value) is not str or not _INSTANT(value):
        return False
    try:
        datetime.fromisoformat(value[:-1])
    except ValueError:
        return False
    return True


def _plain_session(s: Any) -> bool:
    if type(s) is not dict or not _SESSION_KEYS <= s.keys() <= _SESSION_KEYS | _SESSION_MORE:
        return False
    tags = s.get("tags", [])
    if (
        type(tags) is not list
        or len(tags) > 10
        or not all(type(t) is str and _TAG(t) for t in tags)
    ):
        return False
    if type(s["billable"]) is not bool or type(s["id"]) is not str or not _ID(s["id"]):
        return False
    if type(s["task"]) is not str or not _TASK(s["task"]):
        return False
    if not _plain_instant(s["start"]) or not _plain_instant(s["end"]):
        return False
    texts = ("note", "reason")
    return all(type(s.get(k, "")) is str and len(s.get(k, "")) <= 2000 for k in texts)


def _plain_daily(doc: Any) -> bool:
    return (
        type(doc) is dict
        and doc.keys() == {"version", "date", "sessions"}
        and type(doc["version"]) is int
        and doc["version"] == 1
        and type(doc["date"]) is str
        and _format_ok("date", doc["date"])
        and type(doc["sessions"]) is list
        and all(_plain_session(s) for s in doc["sessions"])
    )


_PLAIN = {"daily": _plain_daily}
