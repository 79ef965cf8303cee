"""A JSON file edited by key, as a person keeps it: dotted keys, numbers exactly as they are
written (never through a binary float, which turns `0.1` into `0.1000000000000000055`), and
the file written back in its own indentation with its keys in their order.

A key is its parts joined by dots, `rates.users.alice`; a part that holds a dot (a task
`1.2`), or is empty or starts with a double quote, is written as a JSON string:
`rates.tasks."1.2"`.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import parse_json
from ffhooks.records import Any


class Written(Decimal):
    """A number with a fraction or an exponent, and the text it was written as (`1e2` stays
    `1e2`, where Decimal would write `1E+2`)."""

    text: str

    def __new__(cls, text: str) -> Written:
        number = super().__new__(cls, text)
        number.text = text
        return number


class _Absent:
    """What a key that is not in the document holds."""

    def __repr__(self) -> str:
        return "(not set)"


ABSENT: Any = _Absent()

Key = tuple[str, ...]


def parse_key(text: str) -> Key:
    """The parts of a dotted key; a key that breaks the quoting rule is refused."""
    parts: list[str] = []
    at = 0
    while True:
        if text.startswith('"', at):
            try:
                part, at = json.JSONDecoder().raw_decode(text, at)
            except json.JSONDecodeError:
                raise FatalError(
                    f"key {text!r}: the quoted part at character {at + 1} does not end: quote a "
                    'part as a JSON string, e.g. rates.tasks."1.2"'
                ) from None
        else:
            end = text.find(".", at)
            part = text[at:] if end == -1 else text[at:end]
            at += len(part)
            if not part:
                raise FatalError(
                    f"key {text!r} has an empty part: name each, e.g. rates.users.alice "
                    '(an empty name is written "")'
                )
        parts.append(part)
        if at == len(text):
            return tuple(parts)
        if text[at] != ".":
            raise FatalError(
                f"key {text!r}: a quoted part must be followed by a dot or end the key, "
                'e.g. rates.tasks."1.2"'
            )
        at += 1
        if at == len(text):
            raise FatalError(f"key {text!r} ends with a dot: name the last part")


def key_text(key: Key) -> str:
    """A key as `parse_key` reads it back."""
    return ".".join(
        json.dumps(part, ensure_ascii=False) if not part or "." in part or part[0] == '"' else part
        for part in key
    )


def load(data: bytes, shown: str, fix: str) -> Any:
    """A JSON file's content, strictly parsed (fsio.parse_json), with every number that has a
    fraction or an exponent as it is `Written`."""
    return parse_json(data, shown, fix, parse_float=Written)


def value_of(text: str) -> Any:
    """A value typed on the command line: JSON when it is (`95.5`, `true`, `{"bob": 80}`,
    `"205"`), else the text as a string (`EUR`). Text that opens an object or a list but is
    no JSON is refused: it was meant as one."""
    try:
        return load(text.encode(errors="surrogateescape"), "VALUE", "")
    except BrokenFile as exc:
        if text.lstrip().startswith(("{", "[")):
            raise FatalError(
                f"VALUE {text!r} {exc.problem}: write it as JSON, quoted for the shell"
            ) from None
        return text


def lookup(doc: Any, key: Key) -> Any:
    """The value at `key`, or ABSENT."""
    value = doc
    for part in key:
        if not isinstance(value, dict) or part not in value:
            return ABSENT
        value = value[part]
    return value


def put(doc: dict[str, Any], key: Key, value: Any) -> dict[str, Any]:
    """A copy of `doc` with `value` at `key` (ABSENT: without `key`), objects on the way made
    as needed; every key keeps its place, a new one goes last in its object."""
    return _put(doc, key, value, ())


def _put(doc: dict[str, Any], key: Key, value: Any, above: Key) -> dict[str, Any]:
    head, *rest = key
    if not rest:
        if value is ABSENT:
            return {k: v for k, v in doc.items() if k != head}
        return {**doc, head: value}
    inner = doc.get(head, {})
    if not isinstance(inner, dict):
        at = key_text((*above, head))
        raise FatalError(
            f"{at} is {shown(inner)}, not an object: it holds no {key_text(tuple(rest))}"
        )
    return {**doc, head: _put(inner, tuple(rest), value, (*above, head))}


def shown(value: Any) -> str:
    """A value on one line, numbers as written: `95.50`, `"EUR"`, `{"bob": 80}`."""
    return repr(value) if value is ABSENT else _text(value, None, 0)


def dumps(value: Any, indent: str) -> bytes:
    """The document as a file: `indent` a level, one key or item a line, a newline at the end
    (what `json.dumps(value, indent=2)` writes, with numbers as written)."""
    return (_text(value, indent, 0) + "\n").encode("utf-8")


def indent_of(data: bytes) -> str:
    """A file's indentation: that of its first indented line; two spaces if it has none."""
    found = re.search(rb"\n([ \t]+)\S", data)
    return found.group(1).decode() if found else "  "


def _text(value: Any, indent: str | None, level: int) -> str:
    if isinstance(value, Written):
        return value.text
    if isinstance(value, dict):
        items = [
            f"{json.dumps(k, ensure_ascii=False)}: {_text(v, indent, level + 1)}"
            for k, v in value.items()
        ]
        return _joined(items, "{", "}", indent, level)
    if isinstance(value, list):
        return _joined([_text(v, indent, level + 1) for v in value], "[", "]", indent, level)
    return json.dumps(value, ensure_ascii=False)


def _joined(items: list[str], start: str, end: str, indent: str | None, level: int) -> str:
    if not items:
        return start + end
    if indent is None:
        return start + ", ".join(items) + end
    inner = "\n" + indent * (level + 1)
    return start + inner + ("," + inner).join(items) + "\n" + indent * level + end
