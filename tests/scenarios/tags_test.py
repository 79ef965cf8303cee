"""Tagged sessions through real git and the real pre-commit hook: their tags stay in the
private store until the team config asks for them (summary_detail.tags); then the commit
carries, per day and task, the split by tag set, which adds up to the totals, survives
compaction and `ffhooks verify`, and gives a report by tag in a fresh clone that bills what
the report by task bills."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, commit, git, set_now

from ffhooks import summary

TAGS_ON = ("config", "set", "summary_detail.tags", "true")


def committed(repo: Path) -> dict[str, Any]:
    """alice's live summary of 2026-11 at HEAD, as committed."""
    names = git(repo, "ls-tree", "-r", "--name-only", "HEAD", "--", f"{SUMMARIES}/alice/2026-11")
    newest = max(names.split(), key=lambda p: int(p.rsplit("-", 1)[1].removesuffix(".json")))
    found: dict[str, Any] = summary.loads(git(repo, "show", f"HEAD:{newest}").encode(), newest, "")
    return found


def work(repo: Path, name: str) -> None:
    (repo / name).write_text(name)
    git(repo, "add", name)
    done = commit(repo, "-m", name)
    assert done.returncode == 0, done.stdout + done.stderr


def test_tags_reach_the_commit_only_when_the_team_asks_and_report_from_a_clone(
    hooked: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = hooked
    git(repo, "add", "-A")
    assert commit(repo, "-m", "set up").returncode == 0
    assert ff("add", "205", "1h", "+api", "+review", "--start", "2026-11-18 09:00").code == 0
    assert ff("add", "205", "30m", "--start", "2026-11-18 11:00").code == 0
    assert ff("start", "206", "+meeting", "--at", "2026-11-19 09:00").code == 0
    set_now(monkeypatch, "2026-11-19T10:00:00Z")
    assert ff("stop").code == 0
    work(repo, "a")
    first = committed(repo)
    assert "tags" not in first and "tags" not in first["detail"]
    assert first["totals"]["2026-11-18"]["205"]["billable_seconds"] == 5400
    blob = git(repo, "show", "HEAD", "--", SUMMARIES)
    assert "review" not in blob and "meeting" not in blob  # private by default
    refused = ff("report", "--by", "tag")
    assert refused.code == 1 and "ffhooks config set summary_detail.tags true" in refused.err

    # the team turns it on; alice writes her months again
    assert ff(*TAGS_ON).code == 0
    assert ff("aggregate", "--all").code == 0
    git(repo, "add", "-A")
    work(repo, "b")
    split = committed(repo)
    assert split["detail"]["tags"] is True
    assert split["totals"] == first["totals"]
    assert split["tags"]["2026-11-18"]["205"] == {
        "-": {"billable_seconds": 1800, "non_billable_seconds": 0, "sessions": 1},
        "api+review": {"billable_seconds": 3600, "non_billable_seconds": 0, "sessions": 1},
    }
    assert list(split["tags"]["2026-11-19"]["206"]) == ["meeting"]
    # a later session reaches the next commit with its tags, and compaction keeps the newest
    set_now(monkeypatch, "2026-11-20T17:00:00Z")
    assert ff("add", "205", "15m", "+api", "--start", "2026-11-20 09:00").code == 0
    work(repo, "c")
    assert committed(repo)["tags"]["2026-11-20"]["205"]["api"]["billable_seconds"] == 900
    assert ff("compact").code == 0
    assert ff("verify").code == 0, ff("verify").out

    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(remote))
    clone = tmp_path / "manager"
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    monkeypatch.chdir(clone)
    monkeypatch.setenv("FFHOOKS_USER", "manager")
    by_tag = ff("report", "--by", "tag", "--format", "json")
    assert by_tag.code == 0, by_tag.err
    rows = {r["tag"]: r["billable_seconds"] for r in by_tag.json()["rows"]}
    assert rows == {"(no tags)": 1800, "api": 900, "api+review": 3600, "meeting": 3600}
    by_task = ff("report", "--format", "json").json()
    assert by_tag.json()["totals"] == by_task["totals"]
    assert sum(rows.values()) == by_task["totals"]["billable_seconds"] == 9900
    weekly = ff("report", "--by", "user,tag,week", "--ref", "origin/main", "--format", "json")
    assert weekly.code == 0, weekly.err
    assert weekly.json()["totals"] == by_task["totals"]
