"""`ffhooks validate`: a corpus of broken files, each with its own message; what ffhooks
writes always passes; --all, --format json and a team's own schemas."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import store_dir

from ffhooks import summary
from ffhooks.validator import schema

SUMMARY = ".flowforge/team/summaries/alice/2026-11/0123456789abcdef-3.json"
DAILY = ".flowforge/user/alice/time/daily/2026-11-20.json"
CURRENT = ".flowforge/user/alice/time/current.json"
STORE = ".flowforge/user/alice/store.json"
CONFIG = ".flowforge/team/config.json"
JOURNAL = ".flowforge/user/alice/journal.json"
SESSION = {
    "id": "0123456789ab",
    "task": "205",
    "start": "2026-11-20T09:00:00Z",
    "end": "2026-11-20T10:00:00Z",
    "billable": True,
}


CELL = {"billable_seconds": 60, "non_billable_seconds": 0, "sessions": 1}


def good_summary(**changes: Any) -> dict[str, Any]:
    doc = summary.build(
        user="alice",
        store="0123456789abcdef",
        month="2026-11",
        timezone="UTC",
        seq=3,
        detail={"per_task": True, "period": "day"},
        periods={
            "2026-11-20": {
                "205": {"billable_seconds": 60, "non_billable_seconds": 0, "sessions": 1}
            }
        },
    )
    doc.update(changes)
    doc["sha256"] = summary.checksum(doc)
    return doc


def tampered(path: tuple[str, ...], value: Any, *, reseal: bool = False) -> bytes:
    doc = good_summary()
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    if reseal:
        doc["sha256"] = summary.checksum(doc)
    return json.dumps(doc).encode()


def format_2(cell: Any, *, version: int = 2, reseal: bool = True) -> bytes:
    """A summary as a version 2 file holds it, its one cell `cell`, sealed unless not."""
    doc = summary.written_form({**good_summary(), "version": version})
    doc["sha256"] = summary.checksum(doc)
    doc["totals"]["2026-11-20"]["205"] = cell
    if reseal:
        doc["sha256"] = summary.checksum(doc)
    return json.dumps(doc, indent=2).encode()


def daily(*sessions: dict[str, Any], day: str = "2026-11-20") -> bytes:
    return json.dumps({"version": 1, "date": day, "sessions": list(sessions)}).encode()


def session(**changes: Any) -> dict[str, Any]:
    return {**SESSION, **changes}


GOOD_STORE = {
    "version": 1,
    "store": "0123456789abcdef",
    "user": "alice",
    "timezone": "UTC",
    "seq": 0,
    "created": "2026-11-20T09:00:00Z",
    "dirty": [],
    "longest_seconds": 0,
}
RUNNING = {"id": "0123456789ab", "task": "1", "start": "2026-11-20T09:00:00Z", "billable": True}
GOOD_SUMMARY = json.dumps(good_summary()).encode()

# (label, path, content, the message expected after `path::`)
CORPUS: list[tuple[str, str, bytes, str]] = [
    ("empty", SUMMARY, b"", "$: is empty"),
    ("blank", CONFIG, b" \n\t\n", "$: is empty"),
    ("truncated", SUMMARY, GOOD_SUMMARY[:-9], "$: is not valid JSON (line 1 column"),
    (
        "byte-order mark",
        SUMMARY,
        b"\xef\xbb\xbf" + GOOD_SUMMARY,
        "$: starts with a byte-order mark",
    ),
    ("invalid UTF-8", CONFIG, b'{"currency": "\xff\xfe"}', "$: is not UTF-8 (byte 14)"),
    ("NaN", CONFIG, b'{"max_session_hours": NaN}', "$: is not valid JSON (NaN is not valid JSON)"),
    ("Infinity", CONFIG, b'{"max_session_hours": -Infinity}', "$: is not valid JSON (-Infinity"),
    (
        "duplicate key",
        CONFIG,
        b'{"version": 1, "version": 1}',
        "$: is not valid JSON (duplicate key 'version')",
    ),
    ("10,000-deep", CONFIG, b"[" * 10_000 + b"]" * 10_000, "$: is nested too deeply"),
    ("array, not object", SUMMARY, b"[]", "$: expected object, got []"),
    ("unknown key", SUMMARY, tampered(("note",), "x", reseal=True), "$: unknown property 'note'"),
    (
        "negative seconds",
        SUMMARY,
        tampered(("totals", "2026-11-20", "205", "billable_seconds"), -5, reseal=True),
        "$.totals['2026-11-20']['205'].billable_seconds: -5 is less than the minimum 0",
    ),
    (
        "fractional seconds",
        SUMMARY,
        tampered(("totals", "2026-11-20", "205", "non_billable_seconds"), 1.5, reseal=True),
        "$.totals['2026-11-20']['205'].non_billable_seconds: expected integer, got 1.5",
    ),
    (
        "seconds as text",
        SUMMARY,
        tampered(("totals", "2026-11-20", "205", "sessions"), "1", reseal=True),
        "$.totals['2026-11-20']['205'].sessions: expected integer, got \"1\"",
    ),
    (
        "tampered checksum",
        SUMMARY,
        tampered(("totals", "2026-11-20", "205", "billable_seconds"), 6000),
        "$.sha256: does not match the content (edited by hand?)",
    ),
    ("seq against name", SUMMARY, tampered(("seq",), 4, reseal=True), "$.seq: 4 disagrees"),
    ("user against name", SUMMARY, tampered(("user",), "bob", reseal=True), "$.user: 'bob'"),
    (
        "bad month",
        SUMMARY,
        tampered(("month",), "2026-13", reseal=True),
        '$.month: "2026-13" is not a month like 2026-11',
    ),
    (
        "day outside the month",
        SUMMARY,
        tampered(("totals", "2026-12-01"), {}, reseal=True),
        "$.totals['2026-12-01']: outside the month 2026-11",
    ),
    (
        "misnamed summary",
        ".flowforge/team/summaries/alice/2026-11/latest.json",
        GOOD_SUMMARY,
        "$: not named <user>/<YYYY-MM>/<store>-<seq>.json",
    ),
    (
        "no checksum",
        SUMMARY,
        tampered(("version",), 2),
        "$.totals['2026-11-20']['205']: expected array",
    ),
    (
        "version from a newer ffhooks",
        SUMMARY,
        tampered(("version",), 3, reseal=True),
        "$.version: 3: a format this ffhooks does not read (only 1 and 2); a newer ffhooks may "
        "have written it: upgrade (`pip install -U ffhooks`, or the hook's `rev:`)",
    ),
    (
        "version as text",
        SUMMARY,
        tampered(("version",), "2", reseal=True),
        "$.version: must be one of 1, 2",
    ),
    (
        "format 2 cell as an object",
        SUMMARY,
        format_2(CELL),
        "$.totals['2026-11-20']['205']: expected array, got {\"billable_seconds\": 60, "
        "\"non_billable_s (the file's version decides the form of every cell: version 1 an "
        "object of billable_seconds, non_billable_seconds and sessions, version 2 an array of "
        "the three)",
    ),
    (
        "format 1 cell as an array",
        SUMMARY,
        format_2([60, 0, 1], version=1),
        "$.totals['2026-11-20']['205']: expected object, got [60, 0, 1] (the file's version",
    ),
    (
        "format 2 cell of two",
        SUMMARY,
        format_2([60, 0]),
        "$.totals['2026-11-20']['205']: needs at least 3 items",
    ),
    (
        "format 2 cell of four",
        SUMMARY,
        format_2([60, 0, 1, 0]),
        "$.totals['2026-11-20']['205']: has more than 3 items",
    ),
    (
        "format 2 negative figure",
        SUMMARY,
        format_2([-60, 0, 1]),
        "$.totals['2026-11-20']['205'][0]: -60 is less than the minimum 0",
    ),
    (
        "format 2 figure edited",
        SUMMARY,
        format_2([61, 0, 1], reseal=False),
        "$.sha256: does not match the content (edited by hand?)",
    ),
    (
        "format 2 figure of text",
        SUMMARY,
        format_2(["60", 0, 1]),
        "$.totals['2026-11-20']['205'][0]: expected integer, got \"60\"",
    ),
    ("impossible date", DAILY, daily(day="2026-02-30"), '$.date: "2026-02-30" is not a valid date'),
    (
        "end before start",
        DAILY,
        daily(session(end="2026-11-20T08:00:00Z")),
        "$.sessions[0]: session 0123456789ab ends at or before its start",
    ),
    (
        "garbage time",
        DAILY,
        daily(session(start="2026-11-20 09:00")),
        '$.sessions[0].start: "2026-11-20 09:00" is not a UTC time like',
    ),
    (
        "impossible time",
        DAILY,
        daily(session(start="2026-11-20T25:00:00Z")),
        '$.sessions[0].start: "2026-11-20T25:00:00Z" is not a valid date-time',
    ),
    (
        "session unknown key",
        DAILY,
        daily(session(cost=3)),
        "$.sessions[0]: unknown property 'cost'",
    ),
    (
        "billable as text",
        DAILY,
        daily(session(billable="yes")),
        '$.sessions[0].billable: expected boolean, got "yes"',
    ),
    (
        "date against name",
        DAILY,
        daily(day="2026-11-21"),
        "$.date: 2026-11-21 disagrees with the file name",
    ),
    (
        "filed on the wrong day",
        DAILY,
        daily(session(start="2026-11-02T09:00:00Z", end="2026-11-02T10:00:00Z")),
        "$.sessions[0]: session 0123456789ab starts on 2026-11-02, too far from this file's day",
    ),
    (
        "running and paused",
        CURRENT,
        json.dumps(
            {
                "version": 1,
                "running": RUNNING,
                "paused": {"task": "1", "billable": True, "since": "2026-11-20T08:00:00Z"},
            }
        ).encode(),
        "$: has both a running and a paused timer",
    ),
    (
        "running without start",
        CURRENT,
        json.dumps(
            {
                "version": 1,
                "running": {k: v for k, v in RUNNING.items() if k != "start"},
                "paused": None,
            }
        ).encode(),
        "$.running: missing required property 'start'",
    ),
    ("negative seq", STORE, json.dumps({**GOOD_STORE, "seq": -1}).encode(), "$.seq: -1 is less"),
    (
        "unknown time zone",
        STORE,
        json.dumps({**GOOD_STORE, "timezone": "Mars/Olympus"}).encode(),
        "$.timezone: 'Mars/Olympus' is not a known IANA time zone",
    ),
    (
        "store of someone else",
        STORE,
        json.dumps({**GOOD_STORE, "user": "bob"}).encode(),
        "$.user: 'bob' disagrees with the folder 'alice'",
    ),
    (
        "hours as text",
        CONFIG,
        b'{"max_session_hours": "12"}',
        '$.max_session_hours: expected number, got "12"',
    ),
    (
        "config key misspelt, or of a newer ffhooks",
        CONFIG,
        b'{"max_sesion_hours": 12}',
        "$: unknown property 'max_sesion_hours' (misspelt? if not, a newer ffhooks may have "
        "written it: upgrade (`pip install -U ffhooks`, or the hook's `rev:`))",
    ),
    ("summary format 3", CONFIG, b'{"summary_format": 3}', "$.summary_format: must be one of 1, 2"),
    ("currency", CONFIG, b'{"currency": "euro"}', '$.currency: "euro" is not an ISO 4217'),
    (
        "journal escaping the store",
        JOURNAL,
        b'{"version": 1, "files": {"../../team/config.json": {}}}',
        "$.files['../../team/config.json']: property name \"../../team/config.json\" is not a "
        "file of the store",
    ),
    (
        "uncovered file",
        ".flowforge/team/notes.json",
        b"{}",
        "$: no ffhooks schema covers a file under .flowforge/",
    ),
    (
        "legacy file",
        ".flowforge/billing/time-tracking.json",
        b"{}",
        "$: is a FlowForge legacy file: `ffhooks migrate`",
    ),
    (
        "tag split not adding up",
        SUMMARY,
        json.dumps(
            good_summary(
                detail={"per_task": True, "period": "day", "tags": True},
                tags={"2026-11-20": {"205": {"api": {**CELL, "billable_seconds": 59}}}},
            )
        ).encode(),
        "$.tags['2026-11-20']['205']: does not add up to $.totals['2026-11-20']['205']",
    ),
    (
        "tag split the team did not ask for",
        SUMMARY,
        json.dumps(good_summary(tags={"2026-11-20": {"205": {"api": CELL}}})).encode(),
        "$.tags: present, though detail.tags is not true",
    ),
    (
        "tag set with a space",
        SUMMARY,
        json.dumps(
            good_summary(
                detail={"per_task": True, "period": "day", "tags": True},
                tags={"2026-11-20": {"205": {"a b": CELL}}},
            )
        ).encode(),
        "$.tags['2026-11-20']['205']['a b']: property name \"a b\" is not a tag set",
    ),
    (
        "tag with a comma",
        DAILY,
        daily(session(tags=["a,b"])),
        '$.sessions[0].tags[0]: "a,b" is not a tag (1-40 characters',
    ),
]


def test_corpus_is_big_and_distinct() -> None:
    assert len(CORPUS) >= 30
    assert len({label for label, *_ in CORPUS}) == len(CORPUS)
    assert len({(path, content) for _, path, content, _ in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize(("label", "rel", "content", "message"), CORPUS, ids=[c[0] for c in CORPUS])
def test_broken_file(
    repo: Path, ff: Any, label: str, rel: str, content: bytes, message: str
) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    result = ff("validate", rel)
    assert result.code == 1
    assert f"{rel}::{message}" in result.out, result.out
    assert "Traceback" not in result.out + result.err
    assert path.read_bytes() == content  # validate never touches what it checks


def test_every_file_is_checked_before_exiting(repo: Path, ff: Any) -> None:
    for rel in (SUMMARY, CONFIG):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / SUMMARY).write_bytes(b"")
    (repo / CONFIG).write_bytes(b'{"currency": 1, "max_session_hours": "x"}')
    result = ff("validate", SUMMARY, CONFIG, "--format", "json")
    assert result.code == 1
    report = result.json()
    assert (report["ok"], report["files_checked"], report["problems"]) == (False, 2, 3)
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path[CONFIG]["schema"] == "team-config"
    assert {p["at"] for p in by_path[CONFIG]["problems"]} == {"$.currency", "$.max_session_hours"}
    assert by_path[SUMMARY]["problems"] == [{"at": "$", "message": "is empty"}]


def test_huge_file_is_an_error_not_a_crash(repo: Path, ff: Any) -> None:
    path = repo / SUMMARY
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"x": "' + b"a" * (33 * 1024 * 1024) + b'"}')
    result = ff("validate", SUMMARY)
    assert result.code == 1 and "bytes, more than the 33,554,432" in result.out


def test_overlaps_across_daily_files(repo: Path, ff: Any) -> None:
    folder = store_dir(repo) / "time" / "daily"
    folder.mkdir(parents=True)
    (folder / "2026-11-20.json").write_bytes(
        daily(session(start="2026-11-20T23:00:00Z", end="2026-11-21T01:00:00Z"))
    )
    (folder / "2026-11-21.json").write_bytes(
        daily(
            session(id="abcdefabcdef", start="2026-11-21T00:30:00Z", end="2026-11-21T02:00:00Z"),
            day="2026-11-21",
        )
    )
    result = ff("validate", "--all")
    assert result.code == 1
    assert (
        ".flowforge/user/alice/time/daily/2026-11-21.json::$.sessions[0]: session abcdefabcdef "
        "overlaps session 0123456789ab (.flowforge/user/alice/time/daily/2026-11-20.json)"
    ) in result.out


def test_everything_ffhooks_writes_passes(
    repo: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ff("init").code == 0
    assert (
        ff("add", "205", "2h", "--start", "2026-11-19T22:00:00Z", "--note", "across midnight").code
        == 0
    )
    assert ff("add", "7", "30m", "--date", "2026-10-02", "--no-billable").code == 0
    assert ff("start", "9", "--at", "16:00").code == 0
    assert ff("pause", "--reason", "lunch", "--at", "16:20").code == 0
    assert ff("aggregate").code == 0
    monkeypatch.setenv("FFHOOKS_USER", "bob")
    assert ff("add", "205", "1h", "--start", "2026-11-20T08:00:00Z").code == 0
    assert ff("start", "8", "--at", "16:30").code == 0
    assert ff("aggregate").code == 0
    result = ff("validate", "--all", "--format", "json")
    assert result.code == 0, result.out
    checked = {f["schema"] for f in result.json()["files"]}
    assert checked == {"team-config", "summary", "store", "current", "daily"}
    # and the reference implementation agrees, file by file
    for f in result.json()["files"]:
        jsonschema.Draft202012Validator(
            schema.load(f["schema"]), format_checker=jsonschema.FormatChecker()
        ).validate(json.loads((repo / f["path"]).read_text()))
    report = ff("report", "--format", "json", "--by", "user,task,day,week,month")
    jsonschema.Draft202012Validator(
        schema.load("report"), format_checker=jsonschema.FormatChecker()
    ).validate(report.json())


def test_all_with_nothing_to_check(repo: Path, ff: Any) -> None:
    assert ff("validate").code == 1
    result = ff("validate", "--all")
    assert (result.code, result.out) == (0, "0 file(s) valid\n")


def test_paths_outside_the_repository_are_refused(repo: Path, ff: Any, tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}")
    result = ff("validate", str(tmp_path / "x.json"))
    assert result.code == 1 and "is outside this repository" in result.err


def test_team_globs_use_the_teams_schema(repo: Path, ff: Any) -> None:
    (repo / "schemas").mkdir()
    (repo / "schemas" / "client.json").write_text(
        json.dumps(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}, "since": {"format": "date"}},
            }
        )
    )
    (repo / "clients" / "eu").mkdir(parents=True)
    (repo / "clients" / "eu" / "acme.json").write_text('{"name": "ACME", "since": "2026-02-30"}')
    (repo / "clients" / "good.json").write_text('{"name": "Good"}')
    (repo / "clients" / "dup.json").write_text('{"name": "A", "name": "B"}')
    (repo / ".flowforge" / "team").mkdir(parents=True)
    (repo / CONFIG).write_text(
        json.dumps({"validate": [{"files": "clients/**/*.json", "schema": "schemas/client.json"}]})
    )
    result = ff("validate", "--all")
    assert result.code == 1
    assert result.out.splitlines()[:2] == [
        "clients/dup.json::$: is not valid JSON (duplicate key 'name')",
        "clients/eu/acme.json::$.since: '2026-02-30' is not a 'date'",
    ]
    assert "clients/good.json" not in result.out
    (repo / "schemas" / "client.json").write_text("{")
    result = ff("validate", "clients/good.json")
    assert (
        "clients/good.json::$: its schema schemas/client.json (from the team config" in result.out
    )


def test_glob_regex() -> None:
    import re

    from ffhooks.config import Rule
    from ffhooks.validator.checks import glob_regex, hook_files_pattern

    assert re.fullmatch(glob_regex("a/**/*.json"), "a/b/c/d.json")
    assert re.fullmatch(glob_regex("a/**/*.json"), "a/d.json")
    assert not re.fullmatch(glob_regex("a/*.json"), "a/b/d.json")
    assert not re.fullmatch(glob_regex("a/?.json"), "a/bb.json")
    pattern = hook_files_pattern([Rule("clients/*.json", "s.json")])
    assert re.search(pattern, ".flowforge/team/config.json")
    assert re.search(pattern, "clients/a.json")
    assert not re.search(pattern, "other/a.json")


def test_every_error_agrees_with_jsonschema_on_which_paths_fail() -> None:
    doc = copy.deepcopy(json.loads(daily(session(), session(id="x", billable=1))))
    doc["extra"] = 1
    ours = {at for at, _ in schema.every_error("daily", doc)}
    theirs = {
        e.json_path for e in jsonschema.Draft202012Validator(schema.load("daily")).iter_errors(doc)
    }
    assert ours == {"$.sessions[1].id", "$.sessions[1].billable", "$"}
    assert {"$.sessions[1].id", "$.sessions[1].billable", "$"} == theirs


def test_hook_path_never_loads_jsonschema(repo: Path, ff: Any) -> None:
    """jsonschema costs ~100 ms to import: the commit hooks use the built-in validator."""
    import subprocess
    import sys

    assert ff("init").code == 0
    assert ff("add", "205", "1h").code == 0
    program = (
        "import sys; from ffhooks.main import main\n"
        "assert main(['guard']) == 0 and main(['aggregate', '--hook']) == 0\n"
        "assert main(['validate', '.flowforge/team/config.json']) == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jsonschema', 'git')))"
    )
    out = subprocess.run(
        (sys.executable, "-c", program), cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == "[]"
    assert list((repo / ".flowforge/team/summaries/alice").rglob("*.json"))
