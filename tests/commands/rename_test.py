"""`ffhooks rename TASK NEW [--from DATE] [--to DATE]`: every session on TASK (that starts on
those days) and the timer on it go to NEW in one change; NEW is checked as `add` checks a
task; renaming into a task that exists merges them, and says so; the next fold writes the
months again under the new name; a closed period is warned about. The clock is at NOW
(Friday 2026-11-20 17:00 UTC)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import commit, sessions, set_now

pytestmark = pytest.mark.usefixtures("repo")


def ok(result: Any) -> str:
    assert result.code == 0, result.err
    out: str = result.out
    return out


def tasks(ff: Any) -> list[tuple[str, str]]:
    return [(s["start"][:10], s["task"]) for s in sessions(ff)]


def test_rename_moves_every_session_and_the_running_timer(ff: Any) -> None:
    ok(ff("add", "205", "1h", "--start", "monday 9:00"))
    ok(ff("add", "205", "1h", "--start", "wednesday 9:00"))
    ok(ff("add", "206", "1h", "--start", "thursday 9:00"))
    ok(ff("start", "205", "--at", "16:00"))
    assert ok(ff("rename", "205", "PROJ-205")) == (
        "Renamed 205 to PROJ-205: 2 sessions (2026-11-16 to 2026-11-18) and the running timer\n"
    )
    assert tasks(ff) == [
        ("2026-11-16", "PROJ-205"),
        ("2026-11-18", "PROJ-205"),
        ("2026-11-19", "206"),
    ]
    running = ff("status", "--json").json()["running"]
    assert (running["task"], running["start"]) == ("PROJ-205", "2026-11-20T16:00:00Z")


def test_from_and_to_rename_the_sessions_of_those_days_only(ff: Any) -> None:
    for day in ("monday", "tuesday", "wednesday"):
        ok(ff("add", "205", "1h", "--start", f"{day} 9:00"))
    ok(ff("start", "205", "--at", "16:00"))
    ok(ff("pause", "--at", "16:30"))  # paused today: outside the days renamed
    assert ok(ff("rename", "205", "207", "--from", "tuesday", "--to", "tuesday")) == (
        "Renamed 205 to 207: 1 session (2026-11-17)\n"
    )
    assert tasks(ff) == [
        ("2026-11-16", "205"),
        ("2026-11-17", "207"),
        ("2026-11-18", "205"),
        ("2026-11-20", "205"),
    ]
    assert ff("status", "--json").json()["paused"]["task"] == "205"


def test_renaming_into_an_existing_task_merges_them(ff: Any) -> None:
    ok(ff("add", "205", "1h", "--start", "monday 9:00"))
    ok(ff("add", "207", "1h", "--start", "tuesday 9:00"))
    assert ok(ff("rename", "205", "207")) == (
        "Renamed 205 to 207: 1 session (2026-11-16)\n207 had 1 session already: merged\n"
    )
    assert {task for _, task in tasks(ff)} == {"207"}


def test_refusals_are_one_line_and_change_nothing(repo: Path, ff: Any) -> None:
    ok(ff("add", "205", "1h", "--start", "monday 9:00"))
    before = sessions(ff)
    bad_name = ff("add", " 205", "1h")
    for argv, why in [
        (("rename", "205", " 205"), bad_name.err),  # the rule `add` keeps to
        (("rename", "205", "*"), "task '*' is not allowed"),
        (("rename", "205", "205"), "is called '205' already"),
        (("rename", "999", "207"), "no session or timer on task '999'"),
        (("rename", "205", "207", "--from", "tuesday"), "in those days"),
        (("rename", "205", "207", "--from", "friday", "--to", "monday"), "before"),
    ]:
        result = ff(*argv)
        assert result.code == 1 and result.out == "", argv
        assert result.err.count("\n") == 1 and why.strip() in result.err, (argv, result.err)
    assert sessions(ff) == before
    assert ff("rename", "205").code == 2


def test_undo_takes_a_rename_back(ff: Any) -> None:
    ok(ff("add", "205", "1h", "--start", "monday 9:00"))
    ok(ff("add", "205", "1h", "--start", "tuesday 9:00"))
    ok(ff("start", "205", "--at", "16:00"))
    ok(ff("rename", "205", "207"))
    assert ok(ff("undo")) == (
        'Undid "rename 205 207" at 17:00: the running timer is back to 205 since 16:00 '
        "(billable); 2 sessions back on 205 (from 207)\n"
    )
    assert {task for _, task in tasks(ff)} == {"205"}


def test_a_rename_in_a_closed_period_warns(
    repo: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ff("init", "--no-hook").code == 0
    ok(ff("add", "205", "1h", "--start", "2026-11-03T09:00:00Z"))
    ok(ff("aggregate"))
    assert commit(repo, "-m", "time").returncode == 0
    set_now(monkeypatch, "2026-12-02T12:00:00Z")
    ok(ff("close", "2026-11", "-m", "invoice"))
    ok(ff("add", "205", "1h", "--start", "2026-12-01T09:00:00Z"))
    december = ff("rename", "205", "207", "--from", "2026-12-01")
    assert december.code == 0 and "closed period" not in december.err
    november = ff("rename", "205", "207")
    assert november.code == 0 and "closed period (tag ffhooks/closed/2026-11)" in november.err
    assert november.out.endswith("The next commit writes the summaries of 2026-11 again\n")
