"""Every report format names the ref and commit it read, and says when the branch is behind
its upstream as last fetched: a manager who forgot to pull sees it before the client does.
Real clones of a real remote, committed through the real hooks."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git


@pytest.fixture
def clones(hooked: Path, ff: Any, tmp_path: Path) -> tuple[Path, Path]:
    """alice's clone (the fixture's repository, hooked) pushed to a bare remote, and the
    manager's clone of it."""
    repo = hooked
    assert ff("add", "12", "1h", "--start", "2026-11-09 09:00").code == 0
    (repo / "a.txt").write_text("a")
    git(repo, "add", "a.txt")
    assert commit(repo, "-m", "work").returncode == 0
    git(tmp_path, "init", "-q", "--bare", "remote.git")
    git(repo, "remote", "add", "origin", str(tmp_path / "remote.git"))
    git(repo, "push", "-q", "-u", "origin", "HEAD:main")
    git(tmp_path, "clone", "-q", "-b", "main", "remote.git", "manager")
    return repo, tmp_path / "manager"


def source(ff: Any, *args: str) -> dict[str, Any]:
    result = ff("report", "--format", "json", *args)
    assert result.code == 0, result.err
    found: dict[str, Any] = result.json()["source"]
    return found


def test_a_clone_behind_its_upstream_says_so_in_every_format(
    clones: tuple[Path, Path], ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    alice, manager = clones
    monkeypatch.chdir(manager)
    head = git(manager, "rev-parse", "HEAD").strip()
    assert source(ff) == {
        "ref": None,
        "commit": head,
        "branch": "main",
        "uncommitted": 0,
        "upstream": "origin/main",
        "ahead": 0,
        "behind": 0,
        "fetched": source(ff)["fetched"],
    }
    assert source(ff)["fetched"]  # the clone's time: it heard from the remote then
    table = ff("report").out
    assert f"Read from the work tree of main (commit {head[:12]})" in table
    assert "main is up to date with origin/main as last fetched" in table
    assert "WARNING" not in table
    # alice commits more time and pushes; the manager fetches but forgets to pull
    monkeypatch.chdir(alice)
    assert ff("add", "12", "2h", "--start", "2026-11-10 09:00").code == 0
    (alice / "a.txt").write_text("b")
    assert commit(alice, "-am", "more").returncode == 0
    git(alice, "push", "-q")
    monkeypatch.chdir(manager)
    git(manager, "fetch", "-q")
    found = source(ff)
    assert (found["commit"], found["behind"], found["ahead"]) == (head, 1, 0)
    warning = "WARNING: main is 1 commit(s) behind origin/main as last fetched"
    assert warning in ff("report").out
    assert f"_{warning}" in ff("report", "--format", "markdown").out
    lines = list(csv.reader(io.StringIO(ff("report", "--format", "csv").out)))
    assert [line[0] for line in lines if line[0].startswith(("Read", "WARN"))] == [
        f"Read from the work tree of main (commit {head[:12]})",
        lines[-1][0],
    ]
    assert lines[-1][0].startswith(warning)
    page = tmp_path / "r.html"
    assert ff("report", "--format", "html", "-o", str(page)).code == 0
    assert f'<p class="stale">{warning}' in page.read_text()
    assert f'<p class="source">Read from the work tree of main (commit {head[:12]})' in (
        page.read_text()
    )
    # the remote-tracking branch itself: its commit, as last fetched
    newest = git(manager, "rev-parse", "origin/main").strip()
    assert source(ff, "--ref", "origin/main")["commit"] == newest
    assert "as this clone last fetched it" in ff("report", "--ref", "origin/main").out
    git(manager, "pull", "-q")
    assert (source(ff)["commit"], source(ff)["behind"]) == (newest, 0)


def test_commits_not_pushed_and_summaries_not_committed_are_named(
    clones: tuple[Path, Path], ff: Any
) -> None:
    alice, _ = clones
    assert ff("add", "12", "2h", "--start", "2026-11-10 09:00").code == 0
    (alice / "a.txt").write_text("b")
    assert commit(alice, "-am", "more").returncode == 0
    assert ff("aggregate").code == 0  # time recorded since: folded, not committed yet
    ff("add", "12", "1h", "--start", "2026-11-11 09:00")
    assert ff("aggregate").code == 0
    found = source(ff)
    assert (found["ahead"], found["behind"], found["uncommitted"]) == (1, 0, 1)
    table = ff("report").out
    assert "1 summary file(s) not committed yet" in table
    assert "main has 1 commit(s) not pushed to origin/main" in table


def test_a_ref_names_its_commit_and_a_detached_read_has_no_upstream(
    clones: tuple[Path, Path], ff: Any
) -> None:
    alice, _ = clones
    (alice / "a.txt").write_text("b")
    assert commit(alice, "-am", "more").returncode == 0
    first = git(alice, "rev-parse", "HEAD~1").strip()
    found = source(ff, "--ref", "HEAD~1")
    assert found == {
        "ref": "HEAD~1",
        "commit": first,
        "branch": None,
        "uncommitted": 0,
        "upstream": None,
        "ahead": 0,
        "behind": 0,
        "fetched": None,
    }
    assert f"Read from HEAD~1 (commit {first[:12]})" in ff("report", "--ref", "HEAD~1").out
    # a branch given by name has its upstream checked, as the work tree's
    assert source(ff, "--ref", "main")["upstream"] == "origin/main"
