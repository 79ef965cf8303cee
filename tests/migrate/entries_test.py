"""`ffhooks.migrate.entries`: what each entry of a source means to the tally."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from ffhooks.migrate import entries
from ffhooks.migrate.jsonscan import DUP
from ffhooks.migrate.sources import Source, file_sha256
from ffhooks.migrate.tally import Tally

NOW = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc).timestamp())


def tally(tmp_path: Path, kind: str = "legacy") -> Tally:
    path = tmp_path / ("time.json" if kind == "legacy" else "export.jsonl")
    path.write_text("{}\n")
    stat = path.stat()
    src = Source(path, path.name, file_sha256(path), stat.st_size, stat.st_mtime_ns, kind)
    return Tally([src], ZoneInfo("UTC"), NOW, 12 * 3600)


def rows(t: Tally) -> dict[tuple[str, str], list[int]]:
    return {(t.users[u], t.tasks[k]): v for (u, k), v in t.rows.items()}


def session(start: str | None, end: str | None, duration: object = None) -> dict[str, object]:
    found: dict[str, object] = {"user": "ann"}
    for key, value in (("start", start), ("end", end), ("duration", duration)):
        if value is not None:
            found[key] = value
    return found


def test_durations_wait_for_the_file_to_say_its_unit(tmp_path: Path) -> None:
    """Sessions with start, end and duration vote; those with a duration alone are placed
    once the file is read, in the unit most votes agree with (here seconds, so 2 is 2 s)."""
    t = tally(tmp_path)
    entries.legacy_session(t, 0, ("5", 0), session("2025-03-03T09:00:00Z", None, 2))
    assert t.rows == {} and len(t.deferred) == 1
    voters = [
        session("2025-03-04T09:00:00Z", "2025-03-04T10:00:00Z", 3600),  # seconds
        session("2025-03-05T09:00:00Z", "2025-03-05T10:00:00Z", "3590"),  # seconds, a string
        session("2025-03-06T09:00:00Z", "2025-03-06T10:00:00Z", 1),  # hours
    ]
    for n, raw in enumerate(voters, start=1):
        entries.legacy_session(t, 0, ("5", n), raw)
    entries.settle(t, 0)
    assert t.facts[0]["unit"] == "seconds (1 sessions agree as hours, 2 as seconds)"
    assert t.deferred == []
    assert rows(t) == {("ann", "5"): [3 * 3600 + 2, 0, 4]}
    assert t.warnings == []


def test_an_even_vote_leaves_each_duration_read_by_its_value(tmp_path: Path) -> None:
    t = tally(tmp_path)
    for n, raw in enumerate(
        [
            session("2025-03-04T09:00:00Z", "2025-03-04T10:00:00Z", 1),  # hours
            session("2025-03-05T09:00:00Z", "2025-03-05T10:00:00Z", 3600),  # seconds
            session(None, "2025-03-06T12:00:00Z", 0.5),  # a fraction: hours, ending then
            session("2025-03-07T09:00:00Z", None, 90),  # a whole number above 24: seconds
        ]
    ):
        entries.legacy_session(t, 0, ("5", n), raw)
    entries.settle(t, 0)
    assert t.facts[0]["unit"] == "undecided (1 sessions agree as hours, 1 as seconds)"
    assert sorted(zip(t.keys[0][1::3], t.keys[0][2::3], strict=True)) == [
        (utc(2025, 3, 4, 9), utc(2025, 3, 4, 10)),
        (utc(2025, 3, 5, 9), utc(2025, 3, 5, 10)),
        (utc(2025, 3, 6, 11, 30), utc(2025, 3, 6, 12)),  # 0.5 h, before its end
        (utc(2025, 3, 7, 9), utc(2025, 3, 7, 9, 1, 30)),  # 90 s
    ]


def test_json_lines_read_seconds_at_once_and_check_them(tmp_path: Path) -> None:
    t = tally(tmp_path, "jsonl")

    def line(n: int, **fields: object) -> None:
        entries.line(t, 0, n, {"user": "bob", "task": 205, **fields})

    line(1, start="2025-06-02T09:00:00Z", seconds=90.4)
    line(2, end="2025-06-02T12:00:00Z", seconds="1800")
    line(3, start="2025-06-03T09:00:00Z", end="2025-06-03T10:00:00Z", seconds=100)
    line(4, start="2025-06-04T09:00:00Z", end="2025-06-04T10:00:00Z", seconds="soon")
    line(5, start="2025-06-05T09:00:00Z", seconds=90_000)
    line(6, start="2025-06-06T09:00:00Z", seconds="soon")
    line(7, start="2025-06-07T09:00:00Z", billable=0)
    entries.line(t, 0, 8, {"user": "bob", "start": "2025-06-08T09:00:00Z"})
    entries.line(t, 0, 9, {"user": "bob", "task": "205", DUP: "task"})
    assert t.deferred == []  # JSON lines say seconds: nothing waits
    assert rows(t) == {("bob", "205"): [90 + 1800 + 3600 + 3600, 0, 4]}
    assert (t.keys[0][4], t.keys[0][5]) == (utc(2025, 6, 2, 11, 30), utc(2025, 6, 2, 12))
    assert t.warnings == [
        ["export.jsonl:3", "seconds 100 disagree with start and end (3600 s)"],
        ["export.jsonl:4", "seconds 'soon' is no number: start and end used"],
    ]
    assert t.problems == [
        [
            "export.jsonl:5",
            "has no end and its duration (90000 s) is longer than a day: give it an end; skipped",
        ],
        ["export.jsonl:6", "has no end and seconds 'soon' is no number; skipped"],
        ["export.jsonl:7", "'billable' is 0, not true or false; skipped"],
        ["export.jsonl:8", "has no task; skipped"],
        ["export.jsonl:9", "has the key 'task' twice; skipped"],
    ]


def test_a_duration_that_fits_neither_unit_is_a_warning(tmp_path: Path) -> None:
    t = tally(tmp_path)
    raw = session("2025-03-04T09:00:00Z", "2025-03-04T10:00:00Z", 7)
    entries.legacy_session(t, 0, ("5", 0), raw)
    assert t.warnings == [
        [
            'time.json::$["5"].sessions[0]',
            "duration 7 disagrees with start and end (3600 s, 1.00 h) by more than 60 s as "
            "hours or as seconds: start and end used",
        ]
    ]
    assert t.facts[0]["votes"] == [0, 0] and rows(t) == {("ann", "5"): [3600, 0, 1]}


def test_a_running_timer_is_listed_once_and_never_billed(tmp_path: Path) -> None:
    """The same timer often sits both in `current_session` and, without an end, in
    `sessions`: it is one orphan, keyed by user and start."""
    t = tally(tmp_path)
    start = "2025-12-30T09:00:00Z"
    entries.field(t, 0, ("70", "current_session"), {"user": "Ann", "start": start})
    entries.legacy_session(t, 0, ("70", 3), {"user": "ann ", "start": start})
    entries.field(t, 0, ("71", "current_session"), {"user": "ann", "start": "now-ish"})
    entries.field(t, 0, ("71", "status"), "active")
    assert t.orphans == [
        ['time.json::$["70"].current_session', "Ann", "70", start, 39 * 3600],
        ['time.json::$["71"].current_session', "ann", "71", None, None],
    ]
    assert t.facts[0]["orphans"] == 2
    assert t.rows == {} and t.problems == []


def test_what_is_outside_any_task(tmp_path: Path) -> None:
    t = tally(tmp_path)
    entries.other(t, 0, "sessions", [1, 2, 3])
    entries.other(t, 0, "sessions", {})
    entries.other(t, 0, "metadata", {"users": 3})
    assert t.problems == [
        [
            'time.json::$["sessions"]',
            "holds 3 entries outside any task, which ffhooks does not know how to migrate; skipped",
        ]
    ]
