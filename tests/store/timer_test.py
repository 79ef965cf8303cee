from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import git, sessions

pytestmark = pytest.mark.usefixtures("repo")


def test_start_stop_records_one_session(ff: Any) -> None:
    assert ff("start", "205", "--at", "09:00", "--note", "login form").code == 0
    status = ff("status", "--json").json()
    assert status["user"] == "alice"
    assert status["running"] == {
        "task": "205",
        "start": "2026-11-20T09:00:00Z",
        "seconds": 8 * 3600,
        "billable": True,
    }
    assert status["paused"] is None
    result = ff("stop", "--note", "done")
    assert result.code == 0, result.err
    [s] = sessions(ff)
    assert (s["task"], s["start"], s["end"], s["seconds"], s["billable"]) == (
        "205",
        "2026-11-20T09:00:00Z",
        "2026-11-20T17:00:00Z",
        8 * 3600,
        True,
    )
    assert s["note"] == "login form; done"
    assert ff("status", "--json").json()["running"] is None


def test_starting_another_task_stops_the_first_at_the_same_instant(ff: Any) -> None:
    ff("start", "205", "--at", "09:00")
    result = ff("start", "206", "--at", "11:15", "--no-billable")
    assert result.code == 0, result.err
    assert "Stopped 205" in result.out
    running = ff("status", "--json").json()["running"]
    assert running["task"] == "206" and running["billable"] is False
    assert running["start"] == "2026-11-20T11:15:00Z"
    [s] = sessions(ff)
    assert s["end"] == running["start"]


def test_starting_the_running_task_again_changes_nothing(ff: Any) -> None:
    ff("start", "205", "--at", "09:00")
    result = ff("start", "205")
    assert result.code == 0 and "Already tracking 205" in result.out
    assert sessions(ff) == []


def test_pause_and_resume_make_two_sessions(ff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ff("start", "205", "--at", "09:00")
    assert ff("pause", "--at", "10:00", "--reason", "lunch").code == 0
    status = ff("status", "--json").json()
    assert status["running"] is None and status["paused"]["task"] == "205"
    assert ff("resume", "--at", "11:00").code == 0
    assert ff("stop", "--at", "12:30").code == 0
    got = [(s["start"][11:16], s["end"][11:16], s.get("reason")) for s in sessions(ff)]
    assert got == [("09:00", "10:00", "lunch"), ("11:00", "12:30", None)]


def test_resume_without_pause_and_stop_without_timer_are_refused(ff: Any) -> None:
    assert "nothing is paused" in ff("resume").err
    assert "nothing to stop" in ff("stop").err
    assert "nothing to pause" in ff("pause").err
    ff("start", "1")
    result = ff("resume")
    assert result.code == 1 and "already running" in result.err


def test_stop_drops_a_paused_timer(ff: Any) -> None:
    ff("start", "205", "--at", "09:00")
    ff("pause", "--at", "10:00")
    result = ff("stop")
    assert result.code == 0 and "Dropped the paused timer" in result.out
    assert ff("status", "--json").json()["paused"] is None
    assert len(sessions(ff)) == 1


@pytest.mark.parametrize(
    ("branch", "task"),
    [("feature/205-login", "205"), ("205", "205"), ("fix/gh-17-crash-42", "17"), ("a/b/9x", "9")],
)
def test_task_from_branch_name(ff: Any, repo: Path, branch: str, task: str) -> None:
    git(repo, "checkout", "-q", "-b", branch)
    assert ff("start").code == 0
    assert ff("status", "--json").json()["running"]["task"] == task


def test_branch_pattern_comes_from_team_config(ff: Any, repo: Path) -> None:
    ff("init")
    (repo / ".flowforge/team/config.json").write_text(
        '{"version": 1, "branch_task_pattern": "([A-Z]+-\\\\d+)"}'
    )
    git(repo, "checkout", "-q", "-b", "feature/PROJ-12-ui")
    assert ff("start").code == 0, ff("status").err
    assert ff("status", "--json").json()["running"]["task"] == "PROJ-12"


def test_no_task_in_branch_is_a_clear_error(ff: Any, repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature/login")
    result = ff("start")
    assert result.code == 1
    assert "branch 'feature/login' names none" in result.err


def test_detached_head_needs_a_task(ff: Any, repo: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "x")
    git(repo, "checkout", "-q", "--detach")
    result = ff("start")
    assert result.code == 1 and "detached" in result.err


def test_start_in_the_future_is_refused(ff: Any) -> None:
    result = ff("start", "5", "--at", "18:00")
    assert result.code == 1 and "in the future" in result.err


def test_timer_cannot_start_inside_a_recorded_session(ff: Any) -> None:
    ff("add", "7", "2h", "--start", "10:00")
    result = ff("start", "8", "--at", "11:00")
    assert result.code == 1 and "overlap" in result.err
    assert ff("status", "--json").json()["running"] is None


def test_stop_past_max_session_hours_needs_force(ff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ff("start", "205", "--at", "2026-11-19 08:00")
    status = ff("status")
    assert "warning:" in status.out and "max_session_hours" in status.out
    assert ff("status", "--json").json()["warnings"]
    result = ff("stop")
    assert result.code == 1 and "max_session_hours" in result.err and "--force" in result.err
    assert ff("stop", "--at", "2026-11-19 17:00").code == 0
    assert sessions(ff)[0]["seconds"] == 9 * 3600


def test_stop_before_the_start_is_refused(ff: Any) -> None:
    ff("start", "205", "--at", "10:00")
    result = ff("stop", "--at", "09:00")
    assert result.code == 1 and "before the running timer started" in result.err


def test_time_formats(ff: Any) -> None:
    ff("add", "1", "10m", "--start", "2026-11-18T09:00:00+01:00")
    ff("add", "2", "10m", "--start", "2026-11-18 09:00")
    ff("add", "3", "10m", "--start", "2026-11-18T12:00:00Z")
    starts = [s["start"] for s in sessions(ff)]
    assert starts == ["2026-11-18T08:00:00Z", "2026-11-18T09:00:00Z", "2026-11-18T12:00:00Z"]
    bad = ff("add", "4", "10m", "--start", "half past nine")
    assert bad.code == 1 and "is not a time" in bad.err


def test_days_are_cut_in_the_store_timezone(ff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ff("timezone", "Pacific/Auckland").code == 0
    # 20:00 UTC on the 18th is 09:00 on the 19th in Auckland
    ff("add", "1", "1h", "--start", "2026-11-18T20:00:00Z")
    assert [s["id"] for s in sessions(ff, "--from", "2026-11-19", "--to", "2026-11-19")]
    assert sessions(ff, "--from", "2026-11-18", "--to", "2026-11-18") == []
    assert ff("timezone").out.strip() == "Pacific/Auckland"
    assert "unknown time zone" in ff("timezone", "Mars/Base").err


def test_changing_timezone_keeps_every_session(ff: Any) -> None:
    for day in range(10, 20):
        ff("add", "1", "1h", "--start", f"2026-11-{day}T23:30:00Z")
    ff("timezone", "Asia/Tokyo")
    assert len(sessions(ff)) == 10
    one = sessions(ff, "--from", "2026-11-15", "--to", "2026-11-15")
    assert [s["start"] for s in one] == ["2026-11-14T23:30:00Z"]  # 08:30 on the 15th in Tokyo
    ff("timezone", "America/Los_Angeles")
    assert ff("add", "2", "30m", "--start", "2026-11-15T00:40:00Z").code == 0
    result = ff("add", "2", "30m", "--start", "2026-11-15T00:00:00Z")
    assert result.code == 1 and "overlap" in result.err


def test_status_text_without_store(ff: Any) -> None:
    result = ff("status")
    assert result.code == 0 and "no timer running" in result.out


def running(ff: Any) -> dict[str, Any] | None:
    found: dict[str, Any] | None = ff("status", "--json").json()["running"]
    return found


def test_cancel_drops_the_timer_and_what_a_commit_folded_of_it(ff: Any, repo: Path) -> None:
    assert ff("init").code == 0
    assert ff("start", "205", "--at", "09:00").code == 0
    assert ff("aggregate").code == 0  # a commit folds the running timer: 8h so far
    folded = ff("report", "--format", "json").json()["totals"]["billable_seconds"]
    assert folded == 8 * 3600
    done = ff("cancel")
    assert done.code == 0 and done.out.strip() == "Cancelled 205 (running since 09:00)"
    assert running(ff) is None and sessions(ff) == []
    assert ff("aggregate").code == 0  # withdrawn at the next fold
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 0
    assert ff("start", "206", "--at", "10:00").code == 0 and ff("pause").code == 0
    assert ff("cancel").out.strip() == "Cancelled the paused timer on 206"
    assert ff("status", "--json").json()["paused"] is None
    nothing = ff("cancel")
    assert nothing.code == 1 and "nothing to cancel" in nothing.err


def test_restart_starts_the_last_task_again(ff: Any) -> None:
    none = ff("restart")
    assert none.code == 1 and "no session recorded yet" in none.err
    assert ff("add", "205", "1h", "--start", "2026-11-19 09:00").code == 0
    assert ff("add", "ops", "30m", "--start", "2026-11-20 08:00", "--no-billable").code == 0
    assert ff("add", "206", "1h", "--start", "2026-11-18 09:00").code == 0  # added last, older
    done = ff("restart", "--at", "10:00")
    assert done.code == 0 and done.out.strip() == "Started ops again at 10:00 (non-billable)"
    assert running(ff) == {
        "task": "ops",
        "start": "2026-11-20T10:00:00Z",
        "seconds": 7 * 3600,
        "billable": False,
    }
    again = ff("restart")
    assert again.code == 1 and "already running on ops" in again.err


def test_start_at_on_the_running_task_moves_its_start(ff: Any) -> None:
    assert ff("add", "205", "1h", "--start", "08:00").code == 0
    assert ff("start", "206", "--at", "10:00").code == 0
    moved = ff("start", "206", "--at", "09:30")
    assert moved.code == 0 and moved.out.strip() == "Moved the start of 206 to 09:30 (was 10:00)"
    assert running(ff)["start"] == "2026-11-20T09:30:00Z"  # type: ignore[index]
    assert "Already tracking 206" in ff("start", "206").out  # no --at: left alone
    overlap = ff("start", "206", "--at", "08:30")
    assert overlap.code == 1 and "would overlap session" in overlap.err
    future = ff("start", "206", "--at", "18:00")
    assert future.code == 1 and "in the future" in future.err
    assert running(ff)["start"] == "2026-11-20T09:30:00Z"  # type: ignore[index]


def test_edit_current_corrects_the_running_timer(ff: Any) -> None:
    nothing = ff("edit", "current", "--start", "09:00")
    assert nothing.code == 1 and "no timer is running" in nothing.err
    assert ff("start", "205", "--at", "10:00").code == 0
    done = ff("edit", "current", "--start", "09:30", "--task", "207", "--no-billable")
    assert done.code == 0 and done.out.strip() == "Running: 207 since 09:30 (non-billable)"
    assert running(ff) == {
        "task": "207",
        "start": "2026-11-20T09:30:00Z",
        "seconds": 7 * 3600 + 1800,
        "billable": False,
    }
    ended = ff("edit", "current", "--end", "12:00")
    assert ended.code == 1 and "stop --at" in ended.err
    assert ff("edit", "current").out.strip() == "Nothing to change"
    assert ff("stop").code == 0
    [s] = sessions(ff)
    assert (s["task"], s["start"], s["billable"]) == ("207", "2026-11-20T09:30:00Z", False)


def test_remove_with_yes_says_what_it_removed(ff: Any) -> None:
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    [s] = sessions(ff)
    done = ff("remove", s["id"], "--yes")
    assert done.code == 0 and done.out.startswith("Removed 205 2026-11-20 09:00-10:00")
    assert sessions(ff) == []


def test_remove_asks_on_a_terminal(ff: Any, repo: Path) -> None:
    import os
    import subprocess

    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    [s] = sessions(ff)

    def remove(answer: bytes) -> str:
        leader, follower = os.openpty()
        proc = subprocess.Popen(
            ("ffhooks", "remove", s["id"]), stdin=follower, stdout=follower, stderr=follower
        )
        os.close(follower)
        os.write(leader, answer)
        proc.wait(timeout=30)
        out = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            out += chunk
        os.close(leader)
        assert proc.returncode == 0
        return out.decode()

    assert "Nothing removed" in remove(b"n\n") and len(sessions(ff)) == 1
    said = remove(b"y\n")
    assert "Remove 205 2026-11-20 09:00-10:00" in said and "Removed 205" in said
    assert sessions(ff) == []
