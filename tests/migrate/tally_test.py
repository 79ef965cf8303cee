"""`ffhooks.migrate.tally`: a migration's running totals, from counted sessions."""

from __future__ import annotations

import json
from array import array
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ffhooks import summary
from ffhooks.migrate import tally as legacy_tally
from ffhooks.migrate.cells import periods
from ffhooks.migrate.sources import Source, file_sha256
from ffhooks.migrate.tally import Tally

NOW = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())
TWELVE_HOURS = 12 * 3600


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc).timestamp())


def source(path: Path, text: str = "{}") -> Source:
    path.write_text(text)
    stat = path.stat()
    return Source(path, path.name, file_sha256(path), stat.st_size, stat.st_mtime_ns, "legacy")


def tally(tmp_path: Path, zone: str = "UTC", files: int = 1) -> Tally:
    sources = [source(tmp_path / f"s{n}.json", f'{{"n": {n}}}') for n in range(files)]
    return Tally(sources, ZoneInfo(zone), NOW, TWELVE_HOURS)


def test_a_session_is_split_at_midnight_where_it_is_counted(tmp_path: Path) -> None:
    """In Berlin the night of 2025-03-30 has a DST change: the session's seconds fall on the
    two local days as summary.totals puts them, and it counts once, on the day it starts."""
    t = tally(tmp_path, "Europe/Berlin")
    u, task = t.intern_user("ann"), t.intern_task("69")
    assert (u, task) == (0, 0)
    start, end = utc(2025, 3, 29, 22, 30), utc(2025, 3, 30, 1, 30)  # 23:30 to 03:30 local
    t.count(0, ("69", 0), 0, 0, start, end, True)
    assert t.rows == {(0, 0): [10800, 0, 1]}
    assert t.expect == {(0, 0): [10800, 0]}
    assert t.keys[0] == array("Q", [0, start, end])
    found = periods(t.cells, t.tasks, list(t.cells), per_task=True, by_day=True)
    assert found == {
        "2025-03-29": {"69": {"billable_seconds": 1800, "non_billable_seconds": 0, "sessions": 1}},
        "2025-03-30": {"69": {"billable_seconds": 9000, "non_billable_seconds": 0, "sessions": 0}},
    }
    as_totals = summary.totals(
        [
            summary.Interval(
                "69",
                datetime.fromtimestamp(start, timezone.utc),
                datetime.fromtimestamp(end, timezone.utc),
                True,
            )
        ],
        "2025-03",
        ZoneInfo("Europe/Berlin"),
        per_task=True,
        by_day=True,
    )
    assert found == as_totals


def test_local_days_start_at_local_midnight(tmp_path: Path) -> None:
    t = tally(tmp_path, "Europe/Berlin")
    march_30 = date(2025, 3, 30).toordinal()
    assert t.day_start(march_30) == utc(2025, 3, 29, 23)
    assert t.day_start(march_30 + 1) == utc(2025, 3, 30, 22)  # a day of 23 hours
    assert t.day_of(utc(2025, 3, 29, 23)) == march_30
    assert t.day_of(utc(2025, 3, 29, 22, 59, 59)) == march_30 - 1


def test_the_utc_shortcut_gives_the_zone_s_days(tmp_path: Path) -> None:
    """UTC days are worked out by arithmetic; Etc/GMT (the same days) goes through the zone."""
    fast, slow = tally(tmp_path, "UTC"), tally(tmp_path, "Etc/GMT")
    assert fast.utc and not slow.utc
    for instant in (utc(2000, 1, 1), utc(2024, 2, 29, 23, 59, 59), utc(2025, 12, 31, 12)):
        assert fast.day_of(instant) == slow.day_of(instant), instant
        day = fast.day_of(instant)
        assert fast.day_start(day) == slow.day_start(day) <= instant < fast.day_start(day + 1)


def test_a_session_seen_again_is_counted_once_where_first_seen(tmp_path: Path) -> None:
    t = tally(tmp_path, files=2)
    t.intern_user("ann")
    t.intern_task("69")
    t.intern_task("70")
    start, end = utc(2025, 5, 5, 9), utc(2025, 5, 5, 10)
    t.count(0, ("69", 0), 0, 0, start, end, True)
    t.count(1, 4, 0, 1, start, end, False)  # the same user, start and end: another task or not
    t.count(1, 9, 0, 1, start, end, False)
    assert t.rows == {(0, 0): [3600, 0, 1]}
    assert t.dups == {(1, 0): [2, "s1.json:4"]}
    assert [f["duplicates"] for f in t.facts] == [0, 2]
    assert [f["sessions"] for f in t.facts] == [1, 0]
    assert len(t.keys[1]) == 0


def test_a_session_longer_than_the_team_allows_is_counted_with_a_warning(
    tmp_path: Path,
) -> None:
    t = tally(tmp_path)
    t.intern_user("ann")
    t.intern_task("69")
    t.count(0, 3, 0, 0, utc(2025, 5, 5, 8), utc(2025, 5, 5, 21), False)
    assert t.warnings == [
        [
            "s0.json:3",
            "lasts 13.00 h, longer than max_session_hours (12.00 h): migrated as recorded",
        ]
    ]
    assert t.rows == {(0, 0): [0, 13 * 3600, 1]}


def test_problems_beyond_those_kept_are_only_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(legacy_tally, "KEPT", 2)
    t = tally(tmp_path)
    for line in (1, 2, 3):
        t.skip(0, line, "is odd")
        t.warn(0, line, "looks odd")
    assert t.problems == [["s0.json:1", "is odd; skipped"], ["s0.json:2", "is odd; skipped"]]
    assert [w[0] for w in t.warnings] == ["s0.json:1", "s0.json:2"]
    assert t.more == [1, 1]
    assert t.facts[0]["skipped"] == 3


def test_users_and_tasks_are_interned_once(tmp_path: Path) -> None:
    t = tally(tmp_path)
    assert [t.intern_user(raw) for raw in ("Ann", "ann ", "bob")] == [0, 0, 1]
    assert t.users == ["ann", "bob"]
    assert t.intern_user("") == "has no user"
    assert t.intern_user(7) == "user 7 is not a string"
    assert str(t.intern_user("../x")).startswith("user '../x' is not a valid ffhooks user name")
    assert t.user_of["ann "] == 0 and "../x" in t.user_of  # a name is judged once
    assert [t.intern_task(raw) for raw in ("69", 70, "70", "69")] == [0, 1, 1, 0]
    assert t.tasks == ["69", "70"]
    assert t.intern_task("*") == "task '*' cannot be an ffhooks task name"
    assert t.intern_task(" 69") == "task ' 69' cannot be an ffhooks task name"
    assert t.intern_task(["69"]) == "task ['69'] is not a string"


def test_where_names_the_entry(tmp_path: Path) -> None:
    t = tally(tmp_path)
    assert t.where(0, 12) == "s0.json:12"
    assert t.where(0, "sessions") == 's0.json::$["sessions"]'
    assert t.where(0, ("Größe", 2)) == 's0.json::$["Größe"].sessions[2]'
    assert t.where(0, ("7", "current_session")) == 's0.json::$["7"].current_session'


def test_the_tally_survives_a_round_trip_through_json(tmp_path: Path) -> None:
    t = tally(tmp_path, files=2)
    t.intern_user("ann")
    t.intern_task("69")
    t.count(0, ("69", 0), 0, 0, utc(2025, 5, 5, 9), utc(2025, 5, 5, 10), True)
    t.count(1, 2, 0, 0, utc(2025, 5, 5, 9), utc(2025, 5, 5, 10), True)
    t.skip(1, 3, "is odd")
    t.deferred.append([0, ("69", 1), 0, 0, utc(2025, 5, 6, 9), True, 1.5, True])
    t.read = 5
    saved = json.loads(json.dumps(t.to_json()))
    again = tally(tmp_path, files=2)
    again.restore(saved)
    assert again.to_json() == saved
    assert (again.rows, again.expect, again.dups) == (t.rows, t.expect, t.dups)
    assert again.intern_user("Ann") == 0 and again.intern_task("69") == 0
    assert again.intern_task("70") == 1
