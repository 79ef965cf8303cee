"""`ffhooks add`: the days and times people type (`--date monday`, `--start 'yesterday
17:00'`), and `--date today` before any slot from 09:00 has passed, which ends the session
now rather than refusing it (the clock at NOW, a Friday, unless a test moves it)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import sessions, set_now

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


def test_add_today_before_a_slot_has_passed_ends_now(
    ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 07:30, 2h from 09:00 would end in the future: the session ends now instead; later
    in the day, the first free slot from 09:00 is taken as before."""
    set_now(monkeypatch, "2026-11-20T07:30:00Z")
    result = ff("add", "12", "2h", "--date", "today")
    assert result.code == 0, result.err
    assert "Added 12 2026-11-20 05:30-07:30 (2h00m" in result.out
    set_now(monkeypatch, "2026-11-20T10:00:00Z")  # 09:00-11:00 has not passed: ends now
    assert ff("add", "13", "1h", "--date", "today").code == 0
    set_now(monkeypatch, "2026-11-20T17:00:00Z")
    assert ff("add", "14", "1h", "--date", "today").code == 0  # from 10:00, free and past
    assert spans(ff) == [
        ("12", "2026-11-20T05:30:00Z", "2026-11-20T07:30:00Z"),
        ("13", "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z"),
        ("14", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z"),
    ]


def test_ending_now_is_refused_where_it_overlaps(ff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The overlap refusal stays: with another session or the running timer in the last two
    hours, nothing is added."""
    set_now(monkeypatch, "2026-11-20T07:30:00Z")
    assert ff("add", "11", "30m", "--start", "06:00").code == 0
    result = ff("add", "12", "2h", "--date", "today")
    assert result.code == 1 and "05:30:00 to 2026-11-20 07:30:00 would overlap" in result.err
    assert ff("start", "13", "--at", "07:00").code == 0
    result = ff("add", "12", "1h", "--date", "today")
    assert result.code == 1 and "running timer" in result.err
    assert [task for task, _, _ in spans(ff)] == ["11"]


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


def test_add_takes_tags_after_the_duration(ff: Any) -> None:
    added = ff("add", "13", "30m", "+meeting", "+client", "--start", "2026-11-20 10:00")
    assert added.out.startswith("Added 13 [client, meeting] 2026-11-20 10:00-10:30"), added.err
    assert sessions(ff)[0]["tags"] == ["client", "meeting"]
    refused = ff("add", "13", "+meeting", "30m", "1h", "--start", "2026-11-20 11:00")
    assert refused.code == 1 and "give a task and a duration, then tags with +" in refused.err
    assert ff("add", "13", "30m", "+a b", "--start", "2026-11-20 11:00").code == 1
    assert len(sessions(ff)) == 1
