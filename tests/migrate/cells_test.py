"""`ffhooks.migrate.cells`: a migration's totals packed into ints, and read back."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from ffhooks import summary
from ffhooks.migrate.cells import (
    MAX_USERS,
    by_store,
    packed,
    periods,
    session_key,
    unpacked,
)
from ffhooks.migrate.sources import Source, file_sha256
from ffhooks.migrate.tally import Tally

NOW = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())
LAST_SECOND = (1 << 34) - 1  # 2514-05-30T01:53:03Z


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc).timestamp())


def filled(tmp_path: Path) -> Tally:
    """Two sources; ann and bob on two tasks; a session across the end of January."""
    sources = []
    for n in range(2):
        path = tmp_path / f"s{n}.json"
        path.write_text(f'{{"n": {n}}}')
        stat = path.stat()
        sources.append(
            Source(path, path.name, file_sha256(path), stat.st_size, stat.st_mtime_ns, "legacy")
        )
    t = Tally(sources, ZoneInfo("UTC"), NOW, 12 * 3600)
    for name in ("ann", "bob"):
        t.intern_user(name)
    for task in ("69", "70"):
        t.intern_task(task)
    t.count(0, 1, 0, 0, utc(2025, 1, 30, 9), utc(2025, 1, 30, 10), True)
    t.count(0, 2, 0, 1, utc(2025, 1, 30, 11), utc(2025, 1, 30, 11, 30), False)
    t.count(0, 3, 0, 0, utc(2025, 1, 31, 23, 30), utc(2025, 2, 1, 0, 45), True)
    t.count(1, 1, 1, 1, utc(2025, 2, 3, 9), utc(2025, 2, 3, 9, 10), True)
    return t


def test_session_keys_of_different_sessions_differ() -> None:
    """Users, starts and ends at their extremes never run into one another."""
    users = (0, 1, MAX_USERS - 1)
    instants = (0, 1, 946684800, LAST_SECOND)
    keys = [session_key(*k) for k in itertools.product(users, instants, instants)]
    assert len(set(keys)) == len(keys) == 48


def test_cells_survive_packing(tmp_path: Path) -> None:
    cells = dict(filled(tmp_path).cells)
    # the largest values a cell may hold, in every field
    top = (1 << 48) - 1
    cells[(1 << 64) - 1] = top | top << 48 | ((1 << 32) - 1) << 96 | ((1 << 64) - 1) << 128
    flat = packed(cells)
    assert len(flat) == 5 * len(cells)
    assert unpacked(flat) == cells
    assert unpacked(packed({})) == {}


def test_cells_by_store_and_month(tmp_path: Path) -> None:
    t = filled(tmp_path)
    grouped = by_store(t.cells)
    assert sorted(grouped) == [(0, 0), (1, 1)]
    assert {month: len(keys) for month, keys in grouped[(0, 0)].items()} == {
        "2025-01": 3,  # 30th on two tasks, 31st
        "2025-02": 1,  # what went past midnight on the 31st
    }
    assert {month: len(keys) for month, keys in grouped[(1, 1)].items()} == {"2025-02": 1}
    assert sorted(k for keys in grouped.values() for m in keys.values() for k in m) == sorted(
        t.cells
    )


def test_periods_are_what_summary_totals_gives(tmp_path: Path) -> None:
    t = filled(tmp_path)
    january = by_store(t.cells)[(0, 0)]["2025-01"]
    intervals = [
        summary.Interval(task, _dt(start), _dt(end), billable)
        for task, start, end, billable in (
            ("69", utc(2025, 1, 30, 9), utc(2025, 1, 30, 10), True),
            ("70", utc(2025, 1, 30, 11), utc(2025, 1, 30, 11, 30), False),
            ("69", utc(2025, 1, 31, 23, 30), utc(2025, 2, 1, 0, 45), True),
        )
    ]
    for per_task, by_day in itertools.product((True, False), repeat=2):
        assert periods(t.cells, t.tasks, january, per_task, by_day) == summary.totals(
            intervals, "2025-01", ZoneInfo("UTC"), per_task=per_task, by_day=by_day
        ), (per_task, by_day)
    month = periods(t.cells, t.tasks, january, per_task=False, by_day=False)
    assert month == {
        "2025-01": {"*": {"billable_seconds": 5400, "non_billable_seconds": 1800, "sessions": 3}}
    }
    february = periods(t.cells, t.tasks, by_store(t.cells)[(0, 0)]["2025-02"], True, True)
    # the rest of the session of the 31st: its seconds, but it started in January
    assert february == {
        "2025-02-01": {"69": {"billable_seconds": 2700, "non_billable_seconds": 0, "sessions": 0}}
    }


def _dt(instant: int) -> datetime:
    return datetime.fromtimestamp(instant, timezone.utc)
