"""`ffhooks start --at`: the times people type (`5m ago`, `yesterday 17:00`, `monday 9:30`),
and one line saying what is wrong with a time there is not (the clock at NOW, a Friday)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import git, sessions

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


def test_start_takes_tags_as_watson_does_and_the_session_keeps_them(ff: Any) -> None:
    assert ff("start", "12", "+review", "+api", "+api", "--at", "16:00").out.startswith(
        "Started 12 [api, review] at 16:00"
    )
    running = ff("status", "--json").json()["running"]
    assert running["tags"] == ["api", "review"]
    assert ff("status").out.startswith("alice: tracking 12 [api, review], started 1h00m ago")
    # the same task with no tags goes on; other tags make another session
    assert ff("start", "12").out.startswith("Already tracking 12 [api, review] since 16:00")
    assert "Stopped 12 [api, review]" in ff("start", "12", "+docs", "--at", "16:30").out
    assert ff("stop").code == 0
    assert [s.get("tags") for s in sessions(ff)] == [["api", "review"], ["docs"]]


def test_pause_resume_and_restart_keep_the_tags(ff: Any) -> None:
    assert ff("start", "12", "+api", "--at", "16:00").code == 0
    assert ff("pause", "--at", "16:10").code == 0
    assert ff("status", "--json").json()["paused"]["tags"] == ["api"]
    assert ff("resume", "--at", "16:20").out.startswith("Resumed 12 [api] at 16:20")
    assert ff("stop", "--at", "16:30").code == 0
    assert ff("restart", "--at", "16:40").out.startswith("Started 12 [api] again at 16:40")


@pytest.mark.parametrize(
    ("words", "says"),
    [
        (("12", "+code,review"), "ffhooks: tag '+code,review' is not allowed: use 1-40 char"),
        (("12", "+"), "ffhooks: tag '+' is not allowed"),
        (("12", "+-x"), "ffhooks: tag '+-x' is not allowed"),
        (("12", "+a\x1b[2Jb"), "ffhooks: tag '+a\\x1b[2Jb' is not allowed"),
        (("12", "+" + "x" * 41), "ffhooks: tag '+xxxx"),
        (("12", "13", "+api"), "ffhooks: one task at a time, not 2 (12, 13): tags start with +"),
        (("12", *(f"+t{n}" for n in range(11))), "ffhooks: 11 tags on one session: give at most"),
    ],
)
def test_start_refuses_a_tag_reports_could_not_show_in_one_line(
    ff: Any, words: tuple[str, ...], says: str
) -> None:
    result = ff("start", *words)
    assert result.code == 1 and result.err.startswith(says), result.err
    assert len(result.err.splitlines()) == 1
    assert ff("status", "--json").json()["running"] is None


def test_tags_alone_tag_the_task_the_branch_names(ff: Any, repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature/205-login")
    assert ff("start", "+api", "--at", "16:00").out.startswith("Started 205 [api] at 16:00")
