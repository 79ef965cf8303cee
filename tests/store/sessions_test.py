"""`add`, `log`, `edit` and `remove`: recording and correcting sessions."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import sessions

pytestmark = pytest.mark.usefixtures("repo")


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [
        ("1h30m", 5400),
        ("90m", 5400),
        ("1.5h", 5400),
        ("45s", 45),
        ("1:30", 5400),
        ("2h", 7200),
        ("1:00:30", 3630),
        ("0.25h", 900),
    ],
)
def test_add_durations(ff: Any, duration: str, seconds: int) -> None:
    result = ff("add", "42", duration)
    assert result.code == 0, result.err
    [s] = sessions(ff)
    assert s["seconds"] == seconds
    assert s["end"] == "2026-11-20T17:00:00Z"  # without --start it just ended


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("-1h", "negative"),
        ("0m", "zero"),
        ("0", "not a duration"),
        ("abc", "not a duration"),
        ("1h 2x", "not a duration"),
        ("", "not a duration"),
    ],
)
def test_bad_durations_are_refused(ff: Any, duration: str, message: str) -> None:
    result = ff("add", "42", "--", duration)
    assert result.code == 1 and message in result.err
    assert sessions(ff) == []


def test_add_refusals(ff: Any) -> None:
    ff("add", "1", "2h", "--start", "09:00")
    overlap = ff("add", "2", "1h", "--start", "10:30")
    assert overlap.code == 1 and "overlap" in overlap.err
    future = ff("add", "2", "1h", "--start", "16:30")
    assert future.code == 1 and "in the future" in future.err
    too_long = ff("add", "2", "13h", "--start", "2026-11-18 06:00")
    assert too_long.code == 1 and "max_session_hours" in too_long.err
    assert ff("add", "2", "13h", "--start", "2026-11-18 06:00", "--force").code == 0
    # a long forced session is still found by later overlap checks, days after it started
    ff("add", "3", "30h", "--start", "2026-11-10 00:00", "--force")
    late = ff("add", "4", "1h", "--start", "2026-11-11 05:00")
    assert late.code == 1 and "overlap" in late.err
    bad_task = ff("add", " x", "1h")
    assert bad_task.code == 1 and "task ' x' is not allowed" in bad_task.err
    assert len(sessions(ff)) == 3


def test_add_overlapping_the_running_timer_is_refused(ff: Any) -> None:
    ff("start", "1", "--at", "15:00")
    result = ff("add", "2", "1h", "--start", "15:30")
    assert result.code == 1 and "running timer" in result.err


def test_add_by_date_takes_the_first_free_slot(ff: Any) -> None:
    ff("add", "1", "1h", "--start", "2026-11-18 09:30")
    ff("add", "2", "45m", "--date", "2026-11-18")
    ff("add", "3", "1h", "--date", "2026-11-18")
    got = [(s["task"], s["start"][11:16], s["end"][11:16]) for s in sessions(ff)]
    assert got == [("1", "09:30", "10:30"), ("2", "10:30", "11:15"), ("3", "11:15", "12:15")]
    ff("add", "5", "20m", "--date", "2026-11-18")  # fits before 09:30
    assert sessions(ff)[0]["start"] == "2026-11-18T09:00:00Z"
    full = ff("add", "4", "12h", "--date", "2026-11-18")
    assert full.code == 1 and "give the start with --start" in full.err


def test_log_filters_and_json(ff: Any) -> None:
    ff("add", "1", "1h", "--start", "2026-11-02 09:00")
    ff("add", "2", "2h", "--start", "2026-11-18 09:00", "--no-billable", "--note", "call")
    ff("add", "1", "30m", "--start", "2026-11-20 09:00")
    week = ff("log", "--json").json()  # default: the last 7 days
    assert (week["from"], week["to"]) == ("2026-11-14", "2026-11-20")
    assert [s["task"] for s in week["sessions"]] == ["2", "1"]
    assert week["total_seconds"] == 9000 and week["billable_seconds"] == 1800
    for s in week["sessions"]:
        assert set(s) >= {"id", "task", "start", "end", "seconds", "billable"}
        assert isinstance(s["seconds"], int) and isinstance(s["billable"], bool)
    assert [s["task"] for s in sessions(ff, "--task", "1")] == ["1", "1"]
    nov2 = ff("log", "--from", "2026-11-01", "--to", "2026-11-02", "--json").json()
    assert len(nov2["sessions"]) == 1
    text = ff("log", "--all")
    assert "call" in text.out and "3 sessions, 3h30m (1h30m billable)" in text.out
    assert "is not a date" in ff("log", "--from", "11/02").err


def test_edit_changes_and_moves_a_session(ff: Any) -> None:
    ff("add", "1", "1h", "--start", "2026-11-18 09:00")
    [s] = sessions(ff)
    result = ff(
        "edit",
        s["id"][:6],
        "--start",
        "2026-11-19 10:00",
        "--end",
        "11:30",
        "--task",
        "9",
        "--no-billable",
        "--note",
        "fixed",
    )
    assert result.code == 0, result.err
    [e] = sessions(ff)
    assert (e["id"], e["task"], e["start"], e["end"], e["billable"], e["note"]) == (
        s["id"],
        "9",
        "2026-11-19T10:00:00Z",
        "2026-11-19T11:30:00Z",
        False,
        "fixed",
    )
    assert sessions(ff, "--from", "2026-11-18", "--to", "2026-11-18") == []
    assert ff("edit", s["id"], "--end", "09:00").code == 1  # before its start
    assert "Nothing to change" in ff("edit", s["id"], "--task", "9").out


def test_edit_refuses_overlap_with_another_session(ff: Any) -> None:
    ff("add", "1", "1h", "--start", "09:00")
    ff("add", "2", "1h", "--start", "11:00")
    first = sessions(ff)[0]
    result = ff("edit", first["id"], "--end", "11:30")
    assert result.code == 1 and "overlap" in result.err
    assert ff("edit", first["id"], "--end", "11:00").code == 0  # touching is fine


def test_remove(ff: Any) -> None:
    ff("add", "1", "1h", "--start", "09:00")
    ff("add", "2", "1h", "--start", "11:00")
    first, second = sessions(ff)
    assert ff("remove", first["id"]).code == 0
    assert [s["id"] for s in sessions(ff)] == [second["id"]]
    missing = ff("remove", first["id"])
    assert missing.code == 1 and "no session with id" in missing.err
    assert "too short" in ff("remove", "ab").err


def test_log_takes_the_report_date_words(ff: Any) -> None:
    """NOW is Friday 2026-11-20: last week is Nov 9-15, last month October."""
    for start in ("2026-11-09 09:00", "2026-11-16 09:00", "2026-10-30 09:00"):
        assert ff("add", "205", "1h", "--start", start).code == 0

    def days(*args: str) -> list[str]:
        result = ff("log", "--json", *args)
        assert result.code == 0, result.err
        return [s["start"][:10] for s in result.json()["sessions"]]

    assert days("--from", "last-week", "--to", "last-week") == ["2026-11-09"]
    assert days("--from", "this-week") == ["2026-11-16"]
    assert days("--from", "LAST-MONTH", "--to", "last-month") == ["2026-10-30"]
    inverted = ff("log", "--from", "this-week", "--to", "last-week")
    assert inverted.code == 1
    assert inverted.err.strip() == "ffhooks: --to 2026-11-15 is before --from 2026-11-16"
    assert "this-week" in ff("log", "--from", "someday").err  # the message lists the words
