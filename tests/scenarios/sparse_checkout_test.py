"""A sparse checkout that leaves `.flowforge/` out of the work tree still folds under the
team's config (read from the index), and refuses to fold under defaults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, commit, git

from ffhooks import summary

CONFIG = ".flowforge/team/config.json"


@pytest.fixture
def sparse(ff: Any, repo: Path, tmp_path: Path) -> Path:
    """The team's repository (monthly totals, no tasks), and alice's sparse clone of it
    holding `src/` and the top's files only."""
    assert ff("init").code == 0
    config = json.loads((repo / CONFIG).read_text())
    config["summary_detail"] = {"per_task": False, "period": "month"}
    (repo / CONFIG).write_text(json.dumps(config))
    (repo / "src").mkdir()
    (repo / "src/a.txt").write_text("a\n")
    git(repo, "add", "-A")
    assert commit(repo, "-m", "team").returncode == 0
    clone = tmp_path / "sparse"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    git(clone, "sparse-checkout", "set", "src")
    assert not (clone / ".flowforge").exists()
    return clone


def test_the_hook_folds_under_the_team_config_of_the_index(
    ff: Any, sparse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sparse)
    said = ff("init")
    assert said.code == 0, said.err
    assert f"{CONFIG}: unchanged (in the index, not in this checkout)" in said.out
    assert not (sparse / CONFIG).exists()
    assert ff("add", "12", "1h").code == 0
    (sparse / "src/a.txt").write_text("b\n")
    git(sparse, "add", "src/a.txt")
    assert commit(sparse, "-m", "work").returncode == 0
    [path] = git(sparse, "ls-tree", "-r", "--name-only", "HEAD", "--", SUMMARIES).split()
    folded = summary.loads(git(sparse, "show", f"HEAD:{path}").encode(), path, "")
    assert folded["detail"] == {"per_task": False, "period": "month"}
    assert folded["totals"] == {
        "2026-11": {"*": {"billable_seconds": 3600, "non_billable_seconds": 0, "sessions": 1}}
    }
    assert git(sparse, "status", "--porcelain") == ""


def test_a_broken_config_stops_the_fold_not_the_commit(
    ff: Any, repo: Path, sparse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone committed a broken config past the hooks; the sparse clone pulls it."""
    monkeypatch.chdir(sparse)
    assert ff("init").code == 0
    assert ff("add", "12", "1h").code == 0
    (repo / CONFIG).write_text("{ broken")
    git(repo, "commit", "-qam", "broken", "--no-verify")
    git(sparse, "pull", "-q")
    refused = ff("aggregate")
    assert refused.code == 1 and f"{CONFIG} in the index" in refused.err
    assert not git(sparse, "ls-files", SUMMARIES)  # nothing folded under the defaults
    done = commit(sparse, "--allow-empty", "-m", "goes through")
    assert done.returncode == 0, done.stderr
    assert not git(sparse, "ls-files", SUMMARIES)
    queued = ff("recover", "status", "--json").json()["conditions"]
    assert any(c["kind"] == "queued" and CONFIG in c["what"] for c in queued)
