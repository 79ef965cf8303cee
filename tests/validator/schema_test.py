"""The built-in validator and jsonschema agree on every schema and a corpus of files."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from ffhooks.validator import messages as schema_messages
from ffhooks.validator import schema

SESSION = {
    "id": "0123456789ab",
    "task": "205",
    "start": "2026-11-20T09:00:00Z",
    "end": "2026-11-20T10:00:00Z",
    "billable": True,
}
GOOD: dict[str, Any] = {
    "daily": {"version": 1, "date": "2026-11-20", "sessions": [SESSION]},
    "store": {
        "version": 1,
        "store": "0123456789abcdef",
        "user": "alice",
        "timezone": "UTC",
        "seq": 0,
        "created": "2026-11-20T09:00:00Z",
        "dirty": ["2026-11"],
        "longest_seconds": 3600,
        "summaries": {"2026-11": 3},
    },
    "current": {
        "version": 1,
        "running": {
            "id": "0123456789ab",
            "task": "1",
            "start": "2026-11-20T09:00:00Z",
            "billable": False,
        },
        "paused": None,
    },
    "team-config": {"version": 1, "max_session_hours": 10, "branch_task_pattern": "\\d+"},
}


GOOD["summary"] = {
    "version": 1,
    "user": "alice",
    "store": "0123456789abcdef",
    "month": "2026-11",
    "timezone": "UTC",
    "seq": 3,
    "detail": {"per_task": True, "period": "day"},
    "totals": {
        "2026-11-20": {"205": {"billable_seconds": 60, "non_billable_seconds": 0, "sessions": 1}}
    },
    "sha256": "0" * 64,
}
GOOD["erased"] = {
    "version": 1,
    "salt": "a" * 64,
    "people": [
        {
            "pseudonym": "former-1",
            "name_sha256": "b" * 64,
            "erased": "2026-12-04",
            "summaries": {
                ".flowforge/team/summaries/former-1/2026-11/0123456789abcdef-3.json": "c" * 64
            },
        }
    ],
}
GOOD["queue-entry"] = {
    "version": 1,
    "operation": "aggregate",
    "user": "alice",
    "reason": "disk full",
    "created": "2026-11-20T09:00:00Z",
    "last": "2026-11-20T09:00:00Z",
    "attempts": 1,
}
GOOD["snapshot-manifest"] = {
    "version": 1,
    "id": 4,
    "created": "2026-11-20T09:00:00Z",
    "reason": "aggregate",
    "user": "alice",
    "files": [{"path": ".flowforge/user/alice/store.json", "size": 212, "sha256": "0" * 64}],
    "sha256": "0" * 64,
}
GOOD["journal"] = {"version": 1, "files": {"store.json": {}, "time/daily/2026-11-20.json": {}}}
GOOD["report"] = {
    "from": "2026-11-01",
    "to": None,
    "group_by": ["user", "week"],
    "rows": [
        {
            "user": "alice",
            "week": "2026-W47",
            "billable_seconds": 60,
            "non_billable_seconds": 0,
            "sessions": 1,
            "amount": "1.50",
            "amount_cents": 150,
        }
    ],
    "totals": {
        "billable_seconds": 60,
        "non_billable_seconds": 0,
        "sessions": 1,
        "amount": "1.50",
        "amount_cents": 150,
    },
    "notes": [],
    "currency": "EUR",
}
GOOD["health"] = {
    "version": 1,
    "pid": 4242,
    "started": "2026-11-20T09:00:00Z",
    "updated": "2026-11-20T09:05:00Z",
    "interval": 300,
    "rounds": 2,
    "last_snapshot": {"id": 4, "created": "2026-11-20T09:00:00Z"},
    "last_success": "2026-11-20T09:05:00Z",
    "last_error": {"at": "2026-11-20T09:00:00Z", "message": "snapshot: disk full", "round": 1},
    "queue_length": 0,
    "stopped": None,
}
GOOD["migrate-ledger"] = {
    "version": 1,
    "source": ".task-times.json",
    "size": 5120,
    "migrated": "2026-11-20T09:00:00Z",
    "users": ["alice", "bob"],
    "stores": {"alice": "0123456789abcdef"},
    "sessions": 2,
    "keys": f"{'0' * 64}-0123456789abcdef.keys",
    "byteorder": "little",
}
GOOD["migrate-run"] = {
    "version": 1,
    "id": "20261120T090000Z-0a1b2c",
    "number": 1,
    "at": "2026-11-20T09:00:00Z",
    "head": "0" * 40,
    "timezone": "UTC",
    "sources": [{"shown": ".task-times.json", "sha256": "0" * 64, "kind": "legacy"}],
    "files": [
        {
            "path": ".flowforge/team/summaries/alice/2026-11/0123456789abcdef-2.json",
            "blob": "1" * 40,
            "previous": ".flowforge/team/summaries/alice/2026-11/0123456789abcdef-1.json",
            "previous_blob": "2" * 40,
            "source": "0" * 64,
        }
    ],
    "before": {"alice\t69\t2026-11": [3600, 0, 1]},
    "rolled_back": [],
}
GOOD["migrate-checkpoint"] = {
    "version": 1,
    "run": "0" * 64,
    "now": 1795165200,
    "source": 0,
    "position": {"offset": 812, "at": "sessions", "task": "69", "index": 2, "tasks": ["69"]},
    "gen": 3,
    "keys": [6],
    "byteorder": "little",
    "tally": {
        "users": ["alice"],
        "tasks": ["69"],
        "rows": [[0, 0, 5400, 0, 2]],
        "expect": [[0, 0, 5400, 0]],
        "labels": [".task-times.json"],
        "dups": [[0, 0, 1, '.task-times.json::$["69"].sessions[1]']],
        "problems": [['.task-times.json::$["69"].sessions[0]', "has no user; skipped"]],
        "warnings": [],
        "more": [0, 0],
        "orphans": [['.task-times.json::$["69"].current_session', "alice", "69", None, None]],
        "orphan_keys": ["alice\x00x"],
        "facts": [
            {
                "sessions": 2,
                "duplicates": 1,
                "skipped": 1,
                "orphans": 1,
                "empty": 0,
                "votes": [2, 0],
                "unit": None,
            }
        ],
        "deferred": [[0, ["69", 3], 0, 0, 1795165200, True, 1.5, True]],
        "notes": [],
        "read": 7,
    },
}


def test_every_schema_has_a_good_example() -> None:
    assert sorted(GOOD) == schema.names()


def test_every_pattern_has_a_meaning_for_messages() -> None:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name in schema.names():
        walk(schema.load(name))
    assert found - set(schema_messages.PATTERN_MEANS) == set()


def mutations(name: str) -> list[tuple[str, Any]]:
    """(label, document) pairs, each one change away from a good document."""
    out: list[tuple[str, Any]] = []
    base = GOOD[name]
    for key in base:
        doc = copy.deepcopy(base)
        del doc[key]
        out.append((f"without {key}", doc))
        value: Any
        for label, value in [
            ("null", None),
            ("string", "x"),
            ("list", []),
            ("float", 1.5),
            ("negative", -1),
            ("bool", True),
            ("object", {}),
        ]:
            doc = copy.deepcopy(base)
            doc[key] = value
            out.append((f"{key} as {label}", doc))
    doc = copy.deepcopy(base)
    doc["unknown"] = 1
    out.append(("unknown key", doc))
    if name == "summary":
        for value in [-1, 1.5, "1", None, True]:
            doc = copy.deepcopy(base)
            doc["totals"]["2026-11-20"]["205"]["billable_seconds"] = value
            out.append((f"cell billable_seconds={value!r}", doc))
        for key in ["2026-11-20x", "20261120", " 205"]:
            doc = copy.deepcopy(base)
            doc["totals"][key] = {}
            out.append((f"period key {key!r}", doc))
        doc = copy.deepcopy(base)
        doc["totals"]["2026-11-20"]["bad\ntask"] = doc["totals"]["2026-11-20"]["205"]
        out.append(("task with newline", doc))
        out += format_2_mutations(base)
    if name == "daily":
        for key in SESSION:
            for value in [
                None,
                "",
                "2026-13-01T00:00:00Z",
                "2026-11-20T09:00:00+01:00",
                7,
                "a" * 101,
                " 205",
                "x\ny",
            ]:
                doc = copy.deepcopy(base)
                doc["sessions"][0][key] = value
                out.append((f"session {key}={value!r}", doc))
        doc = copy.deepcopy(base)
        doc["sessions"][0]["extra"] = 1
        out.append(("session unknown key", doc))
    return out


def format_2_mutations(base: dict[str, Any]) -> list[tuple[str, Any]]:
    """A version 2 summary (cells as arrays) and its cells broken, in totals and tags, and
    each version with the other's cells: one form per file."""
    out = []
    v2 = {**copy.deepcopy(base), "version": 2, "totals": {"2026-11-20": {"205": [60, 0, 1]}}}
    out.append(("format 2", v2))
    split = {"2026-11-20": {"205": {"-": [60, 0, 1]}}}
    out.append(
        ("format 2 with tags", {**v2, "detail": {**v2["detail"], "tags": True}, "tags": split})
    )
    out.append(
        (
            "format 2 tag cell object",
            {**v2, "tags": {"2026-11-20": {"205": {"-": base["totals"]["2026-11-20"]["205"]}}}},
        )
    )
    out.append(("format 1 tag cell array", {**base, "tags": split}))
    out.append(("format 2 object cell", {**base, "version": 2}))
    out.append(("format 1 array cell", {**v2, "version": 1}))
    for cell in (
        [60, 0],
        [60, 0, 1, 0],
        [-1, 0, 1],
        [1.5, 0, 1],
        [True, 0, 1],
        [2682001, 0, 1],
        [],
    ):
        out.append((f"format 2 cell {cell}", {**v2, "totals": {"2026-11-20": {"205": cell}}}))
    for version in (0, 3, "2", None):
        out.append((f"version {version!r}", {**v2, "version": version}))
    return out


@pytest.mark.parametrize(
    ("fmt", "bad"), [("date-time", "2026-13-01T00:00:00Z"), ("date", "2026-02-30")]
)
def test_reference_really_checks_formats(fmt: str, bad: str) -> None:
    # jsonschema silently skips "date-time" unless rfc3339-validator is installed; the
    # comparison below would then pass while checking less than it claims.
    with pytest.raises(jsonschema.exceptions.FormatError):
        jsonschema.FormatChecker().check(bad, fmt)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_validators_agree(name: str) -> None:
    reference = jsonschema.Draft202012Validator(
        schema.load(name), format_checker=jsonschema.FormatChecker()
    )
    assert schema.first_error(name, GOOD[name]) is None
    reference.validate(GOOD[name])
    disagreements = []
    for label, doc in mutations(name):
        ours = schema.first_error(name, doc)
        theirs = next(iter(reference.iter_errors(doc)), None)
        if (ours is None) != (theirs is None):
            disagreements.append((label, ours, theirs and theirs.message))
    assert disagreements == []


@pytest.mark.parametrize("name", schema.names())
def test_schemas_are_valid_and_documented(name: str) -> None:
    doc = schema.load(name)
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$id"].endswith(f"/{name}.schema.json") and doc["title"]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for prop in node.get("properties", {}).values():
                assert prop.get("description"), f"{name}: a property has no description"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)


def test_messages_name_the_json_path() -> None:
    doc = copy.deepcopy(GOOD["daily"])
    doc["sessions"][0]["billable"] = "yes"
    assert schema.first_error("daily", doc) == '$.sessions[0].billable: expected boolean, got "yes"'


def test_quick_summary_check_never_lets_a_broken_file_through() -> None:
    from ffhooks.summary import plainly_valid

    for label, doc in mutations("summary"):
        if plainly_valid(doc):
            shell = {**doc, "totals": {}}
            assert (schema.first_error("summary", doc) is None) == (
                schema.first_error("summary", shell) is None
            ), label


def test_quick_summary_check_of_a_tag_split_never_lets_a_broken_one_through() -> None:
    """The digest's quick check skips the schema walk of `tags` as of `totals`."""
    from ffhooks.summary import plainly_valid

    cell = {"billable_seconds": 60, "non_billable_seconds": 0, "sessions": 1}
    doc = {**GOOD["summary"], "detail": {"per_task": True, "period": "day", "tags": True}}
    for split, valid in [
        ({"2026-11-20": {"205": {"api+review": cell, "-": cell}}}, True),
        ({"2026-11-20": {"205": {"api review": cell}}}, False),
        ({"2026-11-20": {"205": {"+api": cell}}}, False),
        ({"2026-11-20": {"205": {"api": {**cell, "sessions": -1}}}}, False),
        ({"2026-11-20": {"205": {"api": {**cell, "more": 1}}}}, False),
        ({"2026-11-20": {"205": []}}, False),
        ({"2026-11": {" 205": {"api": cell}}}, False),
    ]:
        tagged = {**doc, "tags": split}
        assert plainly_valid(tagged) == valid, split
        assert (schema.first_error("summary", tagged) is None) == valid, split


def test_the_fast_daily_check_accepts_only_what_the_schema_accepts() -> None:
    """Days are checked fast at every commit (schema._plain_daily); the full walk explains.
    The fast check may refuse more, never accept more."""
    from ffhooks.validator import schema

    good: dict[str, Any] = {
        "version": 1,
        "date": "2026-11-20",
        "sessions": [
            {
                "id": "0123abcd",
                "task": "205",
                "start": "2026-11-20T09:00:00Z",
                "end": "2026-11-20T10:00:00Z",
                "billable": True,
                "note": "n",
            }
        ],
    }
    assert schema._plain_daily(good) and schema.first_error("daily", good) is None
    tagged = {**good, "sessions": [{**good["sessions"][0], "tags": ["api", "code-review"]}]}
    assert schema._plain_daily(tagged) and schema.first_error("daily", tagged) is None
    bad_sessions: list[dict[str, Any]] = [
        {"id": "0123ABCD"},
        {"id": "0123abc"},
        {"task": " 205"},
        {"task": "a\nb"},
        {"task": 205},
        {"start": "2026-13-20T09:00:00Z"},
        {"start": "2026-11-20T09:00:00"},
        {"end": "2026-11-20T10:00:00Z\n"},
        {"billable": 1},
        {"note": "x" * 2001},
        {"reason": None},
        {"extra": 1},
        {"tags": "api"},
        {"tags": ["a b"]},
        {"tags": ["-x"]},
        {"tags": [1]},
        {"tags": [f"t{n}" for n in range(11)]},
    ]
    variants: list[Any] = [
        {**good, "sessions": [{**good["sessions"][0], **change}]} for change in bad_sessions
    ]
    variants += [
        {**good, "version": True},
        {**good, "date": "2026-02-30"},
        {**good, "sessions": {}},
        {k: v for k, v in good.items() if k != "date"},
        {**good, "more": 1},
        [good],
    ]
    for doc in variants:
        assert not schema._plain_daily(doc), doc
        assert schema.first_error("daily", doc) is not None, doc  # the full walk names it
    assert not schema._plain_daily({**good, "version": 1.0})  # stricter: the walk decides
    assert schema.first_error("daily", {**good, "version": 1.0}) is None


def test_a_keyword_or_format_it_does_not_implement_is_refused_when_loaded() -> None:
    for every in schema.names():
        schema.load(every)  # ffhooks' own schemas use only what is implemented
    with pytest.raises(ValueError, match="keyword 'uniqueItems' is not implemented"):
        schema.understood({"properties": {"a": {"uniqueItems": True}}}, "test")
    with pytest.raises(ValueError, match="format 'email' is not implemented"):
        schema.understood({"items": {"format": "email"}}, "test")


@pytest.mark.parametrize(
    ("keywords", "good", "bad"),
    [
        ({"type": "string", "maxLength": 3}, "abc", "abcd"),
        ({"type": "string", "minLength": 2}, "ab", "a"),
        ({"type": "number", "maximum": 10}, 10, 10.5),
        ({"type": "number", "exclusiveMinimum": 0}, 0.1, 0),
        ({"type": "array", "minItems": 1, "maxItems": 2}, [1], [1, 2, 3]),
        ({"type": "array", "minItems": 1}, [1], []),
        ({"allOf": [{"type": "integer"}, {"minimum": 3}]}, 4, 2),
        ({"oneOf": [{"type": "integer"}, {"type": "string"}]}, "x", None),
        ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, 1.5, 1),  # both fit: refused
        ({"anyOf": [{"const": 1}, {"const": "one"}]}, "one", 2),
        ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"ab": 1}, {"Ab": 1}),
        ({"type": "string", "format": "date"}, "2026-11-20", "2026-11-31"),
    ],
)
def test_each_keyword_decides_as_jsonschema_does(
    keywords: dict[str, Any], good: Any, bad: Any
) -> None:
    whole = {"$schema": "https://json-schema.org/draft/2020-12/schema", **keywords}
    schema.understood(whole, "test")
    reference = jsonschema.Draft202012Validator(
        whole, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert reference.is_valid(good) and schema._errors(whole, good, whole, True) is None
    assert not reference.is_valid(bad) and schema._errors(whole, bad, whole, True)
