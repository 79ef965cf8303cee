"""Undo, redo and rename through real commits with the hook: whatever is taken back or made
again after a commit folded it, the next commit's summaries hold what the store holds, to
the second, and a running timer brought back by undo is counted once, never beside the
session it had ended as."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git, sessions, set_now, tree_total


def at(monkeypatch: pytest.MonkeyPatch, clock: str) -> None:
    set_now(monkeypatch, f"2026-11-20T{clock}:00Z")


def committed(repo: Path, message: str) -> str:
    """Commit (with the hook, as at a terminal) and return what the hook said."""
    result = commit(repo, "--allow-empty", "-m", message, terminal=True)
    assert result.returncode == 0, result.stdout
    return result.stdout


def recorded(ff: Any) -> int:
    """The billable seconds of the store's sessions, and of a running timer until now."""
    status = ff("status", "--json").json()
    running = status["running"]["seconds"] if status["running"] else 0
    return sum(s["seconds"] for s in sessions(ff) if s["billable"]) + running


@pytest.mark.slow
def test_undo_redo_and_rename_after_commits_count_every_second_once(
    hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = hooked
    (repo / "a.txt").write_text("a\n")
    git(repo, "add", "-A")
    at(monkeypatch, "15:48")
    assert ff("start", "205").code == 0
    at(monkeypatch, "16:00")
    committed(repo, "base")  # the running timer's 12 minutes are billed
    assert tree_total(repo) == 12 * 60
    at(monkeypatch, "17:02")
    assert ff("stop").code == 0
    committed(repo, "stopped")
    assert tree_total(repo) == recorded(ff) == 74 * 60

    # a mistaken stop, taken back after a commit billed it: the timer runs on, counted once
    at(monkeypatch, "17:30")
    assert ff("undo").out == 'Undid "stop" at 17:02: 205 is running again since 15:48\n'
    committed(repo, "running again")
    assert tree_total(repo) == recorded(ff) == 102 * 60
    assert ff("stop").code == 0

    # an add taken back and made again, each after a commit
    assert ff("add", "12", "2h", "--start", "10:00").code == 0
    committed(repo, "added")
    assert tree_total(repo) == recorded(ff) == 102 * 60 + 7200
    assert ff("undo").code == 0
    said = committed(repo, "undone")
    assert "alice -2h00m billable in 2026-11, staged" in said
    assert tree_total(repo) == recorded(ff) == 102 * 60
    assert ff("undo", "--redo").code == 0
    committed(repo, "redone")
    assert tree_total(repo) == recorded(ff) == 102 * 60 + 7200

    # a rename changes no total: the hook says the month was written again
    assert ff("rename", "205", "PROJ-205").code == 0
    said = committed(repo, "renamed")
    assert "alice 2026-11 written again (billable unchanged), staged" in said
    rows = ff("report", "--format", "json", "--ref", "HEAD").json()["rows"]
    assert {r["task"]: r["billable_seconds"] for r in rows} == {"PROJ-205": 102 * 60, "12": 7200}
    assert ff("verify").code == 0
    assert git(repo, "status", "--porcelain", "--", ".flowforge") == ""
