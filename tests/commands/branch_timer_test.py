"""The opt-in post-checkout hook and the plain git hooks in hooks/."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import git

ROOT = Path(__file__).resolve().parents[2]


def running_task(ff: Any) -> str | None:
    running = ff("status", "--json").json()["running"]
    return running["task"] if running else None


def test_timer_follows_a_branch_switch(ff: Any, repo: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "base")
    git(repo, "branch", "feature/205-login")
    git(repo, "branch", "feature/docs")
    ff("start", "101", "--at", "16:00")
    git(repo, "checkout", "-q", "feature/205-login")
    assert ff("branch-timer", "--checkout-type", "1").code == 0
    assert running_task(ff) == "205"
    assert ff("log", "--json").json()["sessions"][0]["task"] == "101"
    git(repo, "checkout", "-q", "feature/docs")
    result = ff("branch-timer", "--checkout-type", "1")  # no task in the name: left alone
    assert result.code == 0 and "timer left as it was" in result.err
    assert running_task(ff) == "205"
    assert ff("branch-timer", "--checkout-type", "0").code == 0  # a file checkout
    ff("stop")
    git(repo, "checkout", "-q", "feature/205-login")
    assert ff("branch-timer").code == 0 and running_task(ff) is None  # nothing runs: no start


@pytest.mark.slow
def test_plain_git_hooks_through_core_hookspath(ff: Any, repo: Path) -> None:
    ff("init")
    git(repo, "config", "core.hooksPath", str(ROOT / "hooks"))
    ff("add", "205", "1h", "--start", "09:00")
    ff("start", "205", "--at", "16:00")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    report = subprocess.run(
        ("ffhooks", "report", "--format", "json", "--ref", "HEAD"),
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(report.stdout)["totals"]["billable_seconds"] == 3600 + 3600
    git(repo, "checkout", "-q", "-b", "feature/317-export")
    assert running_task(ff) == "317"
    (repo / ".flowforge/team/config.json").write_text("{broken")
    git(repo, "add", "-A")
    result = subprocess.run(
        ("git", "commit", "-q", "-m", "bad"), cwd=repo, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "config.json::$: is not valid JSON" in result.stdout + result.stderr
