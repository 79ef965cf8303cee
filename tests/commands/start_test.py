"""`ffhooks start --at`: the times people type (`5m ago`, `yesterday 17:00`, `monday 9:30`),
and one line saying what is wrong with a time there is not (the clock at NOW, a Friday)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("repo")


@pytest.mark.parametrize(
    ("at", "start"),
    [
        ("5m ago", "2026-11-20T16:55:00Z"),
        ("1h30m ago", "2026-11-20T15:30:00Z"),
        ("now", "2026-11-20T17:00:00Z"),
        ("16:45", "2026-11-20T16:45:00Z"),
        ("yesterday 17:00", "2026-11-19T17:00:00Z"),
        ("Thursday 08:15", "2026-11-19T08:15:00Z"),
        ("today 9:30", "2026-11-20T09:30:00Z"),
        ("2026-11-20 9:30", "2026-11-20T09:30:00Z"),
        ("2026-11-20T10:30:00+01:00", "2026-11-20T09:30:00Z"),
    ],
)
def test_start_at_takes_times_as_people_type_them(ff: Any, at: str, start: str) -> None:
    result = ff("start", "205", "--at", at)
    assert result.code == 0, result.err
    assert ff("status", "--json").json()["running"]["start"] == start


@pytest.mark.parametrize(
    ("at", "says"),
    [
        ("monday", "ffhooks: 'monday' is a day, not a time: add the time, e.g. 'monday 17:00'\n"),
        ("24:00", "ffhooks: 24:00: hours go from 00 to 23, not 24\n"),
        ("2026-11-31 9:00", "ffhooks: 2026-11-31: November has 30 days\n"),
        ("5 minutes ago", "ffhooks: '5 minutes' is not a duration: use forms like 1h30m"),
    ],
)
def test_start_at_refuses_a_time_there_is_not_saying_why(ff: Any, at: str, says: str) -> None:
    result = ff("start", "205", "--at", at)
    assert result.code == 1 and result.err.startswith(says.rstrip("\n")), result.err
    assert len(result.err.splitlines()) == 1
    assert ff("status", "--json").json()["running"] is None
