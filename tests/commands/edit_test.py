"""`ffhooks edit`: a time of day alone is on the session's day; a day named, or a time `ago`,
is seen from now (the clock at NOW, Friday 2026-11-20 17:00 UTC)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import sessions

pytestmark = pytest.mark.usefixtures("repo")


def span(ff: Any) -> tuple[str, str]:
    [s] = sessions(ff)
    return s["start"], s["end"]


def test_a_time_alone_stays_on_the_sessions_day(ff: Any) -> None:
    assert ff("add", "205", "1h", "--start", "monday 9:00").code == 0
    session = sessions(ff)[0]["id"]
    assert ff("edit", session, "--end", "11:00").code == 0
    assert span(ff) == ("2026-11-16T09:00:00Z", "2026-11-16T11:00:00Z")
    # a new start's day is the day of a time of day alone after it
    assert ff("edit", session, "--start", "tuesday 9:00", "--end", "10:30").code == 0
    assert span(ff) == ("2026-11-17T09:00:00Z", "2026-11-17T10:30:00Z")


def test_days_and_ago_are_seen_from_now(ff: Any) -> None:
    assert ff("add", "205", "1h", "--start", "monday 9:00").code == 0
    session = sessions(ff)[0]["id"]
    assert ff("edit", session, "--start", "today 9:00", "--end", "today 10:00").code == 0
    assert span(ff) == ("2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z")
    assert ff("edit", session, "--start", "3h ago", "--end", "1h ago").code == 0
    assert span(ff) == ("2026-11-20T14:00:00Z", "2026-11-20T16:00:00Z")


def test_edit_current_moves_the_running_start(ff: Any) -> None:
    assert ff("start", "205", "--at", "16:00").code == 0
    result = ff("edit", "current", "--start", "90m ago")
    assert result.code == 0 and result.out == "Running: 205 since 15:30 (billable)\n"


def test_edit_adds_and_takes_away_tags(ff: Any) -> None:
    assert ff("add", "205", "1h", "+api", "--start", "2026-11-20 09:00").code == 0
    sid = sessions(ff)[0]["id"]
    done = ff("edit", sid[:6], "+review", "+docs", "--untag", "api")
    assert done.code == 0 and done.out.splitlines()[1].startswith("Now:  205 [docs, review] ")
    assert sessions(ff)[0]["tags"] == ["docs", "review"]
    typo = ff("edit", sid[:6], "--untag", "revew")
    assert typo.code == 1 and "no such tag (its tags: docs, review)" in typo.err
    assert ff("edit", sid[:6], "review").code == 1  # a tag to add starts with +
    assert ff("start", "206", "--at", "16:00").code == 0
    assert (
        ff("edit", "current", "+call").out.strip() == "Running: 206 [call] since 16:00 (billable)"
    )
    assert ff("status", "--json").json()["running"]["tags"] == ["call"]
