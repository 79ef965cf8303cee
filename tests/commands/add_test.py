"""`ffhooks add`: the days and times people type (`--date monday`, `--start 'yesterday
17:00'`) (the clock at NOW, a Friday)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import sessions

pytestmark = pytest.mark.usefixtures("repo")


def spans(ff: Any) -> list[tuple[str, str, str]]:
    return [(s["task"], s["start"], s["end"]) for s in sessions(ff)]


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (("--date", "monday"), "2026-11-16T09:00:00Z"),
        (("--date", "Fri"), "2026-11-20T09:00:00Z"),  # today is a Friday
        (("--date", "saturday"), "2026-11-14T09:00:00Z"),  # never a day to come
        (("--date", "yesterday"), "2026-11-19T09:00:00Z"),
        (("--start", "yesterday 17:00"), "2026-11-19T17:00:00Z"),
        (("--start", "monday 9:30"), "2026-11-16T09:30:00Z"),
        (("--start", "2h ago"), "2026-11-20T15:00:00Z"),
        (("--start", "1h30m ago"), "2026-11-20T15:30:00Z"),
    ],
)
def test_add_takes_days_and_times_as_people_type_them(
    ff: Any, args: tuple[str, ...], start: str
) -> None:
    result = ff("add", "12", "1h", *args)
    assert result.code == 0, result.err
    [(_, begin, _)] = spans(ff)
    assert begin == start


def test_a_day_that_is_not_today_is_still_refused_when_full(ff: Any) -> None:
    """Yesterday has no future to end in: 20h from 09:00 is past its end, refused as ever."""
    result = ff("add", "12", "20h", "--date", "yesterday", "--force")
    assert result.code == 1 and "no free 20h00m left on 2026-11-19 after 09:00" in result.err
    assert sessions(ff) == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--date", "2026-11-31"), "ffhooks: 2026-11-31: November has 30 days\n"),
        (("--date", "2026-02-29"), "ffhooks: 2026-02-29: 2026 is not a leap year\n"),
        (("--start", "2026-11-31 09:00"), "ffhooks: 2026-11-31: November has 30 days\n"),
        (("--start", "09:75"), "ffhooks: 09:75: minutes go from 00 to 59, not 75\n"),
        (("--date", "last week"), "'last week' is the days 2026-11-09 to 2026-11-15: give one"),
        (("--start", "yesterday"), "'yesterday' is a day, not a time: add the time, e.g."),
    ],
)
def test_add_refuses_a_day_or_time_there_is_not_saying_why(
    ff: Any, args: tuple[str, ...], says: str
) -> None:
    result = ff("add", "12", "1h", *args)
    assert result.code == 1 and says in result.err and len(result.err.splitlines()) == 1
    assert sessions(ff) == []
