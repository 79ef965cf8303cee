"""Editing a JSON document by key: the quoting rule of keys, values typed on the command
line, numbers kept as written, and the file's own form written back."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from ffhooks import jsondoc
from ffhooks.errors import FatalError


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("rates", ("rates",)),
        ("rates.users.alice", ("rates", "users", "alice")),
        ('rates.tasks."1.2"', ("rates", "tasks", "1.2")),
        ('rates.tasks."say \\"hi\\""', ("rates", "tasks", 'say "hi"')),
        ('rates.tasks.say "hi"', ("rates", "tasks", 'say "hi"')),  # a quote inside is plain
        ('"".x', ("", "x")),
    ],
)
def test_keys_read_and_written_back(text: str, parts: tuple[str, ...]) -> None:
    assert jsondoc.parse_key(text) == parts
    assert jsondoc.parse_key(jsondoc.key_text(parts)) == parts


def test_key_text_quotes_only_what_needs_it() -> None:
    assert jsondoc.key_text(("rates", "tasks", "205")) == "rates.tasks.205"
    assert jsondoc.key_text(("rates", "tasks", "1.2")) == 'rates.tasks."1.2"'
    assert jsondoc.key_text(("", '"q')) == '""."\\"q"'


@pytest.mark.parametrize("text", ["", ".", "a..b", "a.", '"a', '"a"b', '"a".'])
def test_a_key_that_breaks_the_rule_is_refused(text: str) -> None:
    with pytest.raises(FatalError):
        jsondoc.parse_key(text)


def test_values_typed_on_the_command_line() -> None:
    assert jsondoc.value_of("95") == 95
    assert jsondoc.value_of("true") is True
    assert jsondoc.value_of('"205"') == "205"
    assert jsondoc.value_of("EUR") == "EUR"
    assert jsondoc.value_of("NaN") == "NaN"  # not JSON: text
    assert jsondoc.value_of("") == ""
    written = jsondoc.value_of('{"bob": 80.50, "alice": 1e2}')
    assert jsondoc.shown(written) == '{"bob": 80.50, "alice": 1e2}'
    assert written["bob"] == Decimal("80.5") and not isinstance(written["bob"], float)
    with pytest.raises(FatalError, match="is not valid JSON"):
        jsondoc.value_of('{"bob": 80')
    with pytest.raises(FatalError, match="duplicate key"):
        jsondoc.value_of('{"bob": 1, "bob": 2}')


def test_numbers_are_never_binary_floats() -> None:
    doc = jsondoc.load(b'{"a": 0.1, "b": 0.1000000000000000055, "c": 95.10, "d": -0.0}', "x", "")
    assert jsondoc.dumps(doc, "  ") == (
        b'{\n  "a": 0.1,\n  "b": 0.1000000000000000055,\n  "c": 95.10,\n  "d": -0.0\n}\n'
    )


def test_lookup_and_put() -> None:
    doc: dict[str, Any] = {
        "version": 1,
        "rates": {"default": 100, "users": {"bob": 80}},
        "currency": "EUR",
    }
    assert jsondoc.lookup(doc, ("rates", "users", "bob")) == 80
    assert jsondoc.lookup(doc, ("rates", "users", "carol")) is jsondoc.ABSENT
    assert jsondoc.lookup(doc, ("currency", "code")) is jsondoc.ABSENT
    changed = jsondoc.put(doc, ("rates", "default"), 90)
    assert list(changed) == list(doc) and list(changed["rates"]) == ["default", "users"]
    assert changed["rates"]["default"] == 90 and doc["rates"]["default"] == 100  # a copy
    made = jsondoc.put(doc, ("report", "title"), "X")
    assert list(made) == ["version", "rates", "currency", "report"] and made["report"] == {
        "title": "X"
    }
    assert jsondoc.put(doc, ("rates", "users", "bob"), jsondoc.ABSENT)["rates"]["users"] == {}
    with pytest.raises(FatalError, match='currency is "EUR", not an object: it holds no code'):
        jsondoc.put(doc, ("currency", "code"), "x")


def test_dumps_writes_what_json_writes() -> None:
    doc: dict[str, Any] = {"a": [1, {"b": []}, "é"], "c": {}, "d": None, "e": False, "f": "\\d+"}
    assert jsondoc.dumps(doc, "  ").decode() == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    assert (
        jsondoc.dumps(doc, "\t").decode() == json.dumps(doc, indent="\t", ensure_ascii=False) + "\n"
    )
    assert jsondoc.shown(doc) == json.dumps(doc, ensure_ascii=False)


def test_indent_of() -> None:
    assert jsondoc.indent_of(b'{\n    "a": {\n        "b": 1\n    }\n}\n') == "    "
    assert jsondoc.indent_of(b'{\n\t"a": 1\n}') == "\t"
    assert jsondoc.indent_of(b'{"a": 1}') == "  "
