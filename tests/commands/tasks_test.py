"""`ffhooks tasks`: the tasks the committed summaries know, in numeric order, with the team's
titles, their first and last day of use and their totals as a report counts them; tasks the
config titles but nobody used yet are listed as never used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git, set_now


@pytest.fixture
def used(hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Time on tasks 16, 7 and 7 again, committed through the real hooks."""
    set_now(monkeypatch, "2026-12-02T12:00:00Z")
    for task, spent, start in (
        ("16", "1h", "2026-11-03 09:00"),
        ("7", "30m", "2026-11-05 09:00"),
        ("7", "2h", "2026-11-20 09:00"),
    ):
        assert ff("add", task, spent, "--start", start).code == 0
    assert ff("config", "set", "tasks.7.title", "Checkout redesign").code == 0
    assert ff("config", "set", "tasks.99.title", "Not started").code == 0
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "time").returncode == 0
    return hooked


@pytest.mark.usefixtures("used")
def test_tasks_lists_titles_first_and_last_use_and_totals(ff: Any) -> None:
    result = ff("tasks")
    assert result.code == 0, result.err
    lines = [line.split() for line in result.out.splitlines()]
    assert lines[0] == ["task", "title", "first", "last", "billable", "non-billable", "sessions"]
    assert lines[1] == [
        *["7", "Checkout", "redesign", "2026-11-05", "2026-11-20"],
        *["2:30:00", "0:00:00", "2"],
    ]
    assert lines[2] == ["16", "2026-11-03", "2026-11-03", "1:00:00", "0:00:00", "1"]
    assert lines[3] == ["99", "Not", "started", "never", "0:00:00", "0:00:00", "0"]
    doc = ff("tasks", "--format", "json").json()
    assert [t["task"] for t in doc["tasks"]] == ["7", "16", "99"]
    assert doc["tasks"][0] == {
        "task": "7",
        "title": "Checkout redesign",
        "first": "2026-11-05",
        "last": "2026-11-20",
        "billable_seconds": 9000,
        "non_billable_seconds": 0,
        "sessions": 2,
    }
    assert doc["tasks"][2]["first"] is None
    # a range: what was used in it
    doc = ff("tasks", "--from", "2026-11-10", "--format", "json").json()
    assert [(t["task"], t["billable_seconds"]) for t in doc["tasks"]] == [("7", 7200), ("99", 0)]


@pytest.mark.usefixtures("used")
def test_tasks_reads_a_ref_and_refuses_a_bad_one(ff: Any) -> None:
    assert [t["task"] for t in ff("tasks", "--ref", "HEAD", "--format", "json").json()["tasks"]]
    bad = ff("tasks", "--ref", "no-such-branch")
    assert bad.code != 0 and "no-such-branch" in bad.err and "Traceback" not in bad.err
