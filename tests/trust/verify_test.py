"""`verify` in CI never passes blind: a shallow clone, a `--since` this clone lacks or a base
with no shared history fail with exit 2 naming the fetch; a push is checked against the
commit the branch held before it (all zeros: a new branch, against the default branch); and
docs/github-actions-verify.yml, run as written, fails a push that deletes billed time."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SUMMARIES, git

WORKFLOW = Path(__file__).resolve().parents[2] / "docs" / "github-actions-verify.yml"
ZEROS = "0" * 40


def remote_with_history(repo: Path, ff: Any, tmp_path: Path) -> Path:
    """A bare remote whose `main` holds two months of summaries over three commits, with
    the branches `adds` (more billed time) and `deletes` (every summary deleted) off it."""
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "set up", "--no-verify")
    for day in ("2026-10-20", "2026-11-19"):
        assert ff("add", "205", "1h", "--start", f"{day} 09:00").code == 0
        assert ff("aggregate").code == 0
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", day, "--no-verify")
    git(repo, "checkout", "-qb", "adds")
    assert ff("add", "205", "1h", "--start", "2026-11-20 09:00").code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "more time", "--no-verify")
    git(repo, "checkout", "-qb", "deletes", "main")
    git(repo, "rm", "-rq", SUMMARIES)
    git(repo, "commit", "-qm", "no more time", "--no-verify")
    git(repo, "checkout", "-q", "main")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(remote))
    return remote


def one_line(result: Any, *words: str) -> None:
    assert result.code == 2, result
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    for word in words:
        assert word in result.err


def test_a_shallow_clone_fails_naming_the_fetch_and_then_finds_the_loss(
    initialised: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As GitHub Actions checks out a pull request by default: one commit, the base branch
    fetched one commit deep; there, the merge base cannot be found."""
    remote = remote_with_history(initialised, ff, tmp_path)
    runner = tmp_path / "runner"
    git(tmp_path, "clone", "-q", "--depth", "1", "-b", "deletes", f"file://{remote}", str(runner))
    git(runner, "fetch", "-q", "--depth=1", "origin", "main:refs/remotes/origin/main")
    monkeypatch.chdir(runner)
    fix = "`git fetch --unshallow --tags origin`"
    one_line(ff("verify", "--since", "origin/main"), "shallow", fix, "fetch-depth: 0")
    as_json = ff("verify", "--since", "origin/main", "--format", "json")
    one_line(as_json, "shallow")
    assert as_json.json()["ok"] is False and as_json.json()["exit_code"] == 2
    assert "fetch-depth: 0" in as_json.json()["error"]
    assert ff("verify").code == 0  # the tree itself is fine; closed periods may be missing:
    assert "warning: ffhooks/closed/: this clone is shallow" in ff("verify").out
    git(runner, *fix.strip("`").split()[1:])  # the fetch the message names
    found = ff("verify", "--since", "origin/main")
    assert found.code == 1 and found.out.count("since origin/main") == 2
    assert "shallow" not in ff("verify").out


def test_a_since_this_clone_lacks_or_shares_no_history_with_fails(
    initialised: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = remote_with_history(initialised, ff, tmp_path)
    runner = tmp_path / "runner"
    git(tmp_path, "clone", "-q", f"file://{remote}", str(runner))
    monkeypatch.chdir(runner)
    one_line(ff("verify", "--since", "origin/gone"), "`git fetch origin gone`")
    one_line(ff("verify", "--since", "1" * 40), f"`git fetch origin {'1' * 40}`")
    git(runner, "checkout", "-q", "--orphan", "elsewhere")
    git(runner, "commit", "-qm", "unrelated", "--no-verify")
    one_line(ff("verify", "--since", "origin/main"), "share no history")


def test_all_zeros_is_a_new_branch_checked_against_the_default_branch(
    initialised: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = remote_with_history(initialised, ff, tmp_path)
    runner = tmp_path / "runner"
    git(tmp_path, "clone", "-q", "-b", "deletes", f"file://{remote}", str(runner))
    monkeypatch.chdir(runner)
    found = ff("verify", "--since", ZEROS)
    assert found.code == 1
    assert "since origin/main (the default branch: a new branch)" in found.out
    git(runner, "checkout", "-q", "adds")
    assert ff("verify", "--since", ZEROS).code == 0
    git(runner, "remote", "remove", "origin")  # no default branch to compare with
    one_line(ff("verify", "--since", ZEROS), "new branch", "`git remote set-head origin --auto`")


def steps(event: str) -> list[str]:
    """The `run` scripts of the workflow's steps that run on `event`."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    [job] = workflow["jobs"].values()
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # what verify needs
    runs = []
    for step in job["steps"]:
        condition = step.get("if", f"github.event_name == '{event}'")
        taken = re.fullmatch(r"github\.event_name (==|!=) '(\w+)'", condition)
        assert taken, condition
        if (taken[2] == event) == (taken[1] == "==") and "pip install" not in step.get("run", "x"):
            runs += [step["run"]] if "run" in step else []
    return runs


def run_workflow(runner: Path, event: str, context: dict[str, str]) -> int:
    """Run the workflow's scripts for `event` as Actions does (bash, -e), the `${{ }}`
    expressions filled from `context`; the exit code of the first that fails, else 0."""
    for script in steps(event):
        filled = re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: context[m[1]], script)
        done = subprocess.run(
            ("bash", "-e", "-c", filled), cwd=runner, capture_output=True, text=True
        )
        assert "Traceback" not in done.stderr
        if done.returncode:
            return done.returncode
    return 0


@pytest.mark.slow
@pytest.mark.parametrize("depth", ["full", "shallow"])
def test_the_workflow_fails_a_push_that_deletes_billed_time(
    initialised: Path, ff: Any, tmp_path: Path, depth: str
) -> None:
    """Each push as the runner checks it out (the pushed commit; with the workflow's
    `fetch-depth: 0`, or one commit deep as Actions does by default)."""
    remote = remote_with_history(initialised, ff, tmp_path)
    main = git(remote, "rev-parse", "main").strip()
    exits = {}
    for branch, before in [("adds", main), ("deletes", main), ("adds", ZEROS), ("deletes", ZEROS)]:
        runner = tmp_path / f"runner-{branch}-{before[:4]}"
        shallow = ["--depth", "1", "--no-single-branch"] if depth == "shallow" else []
        git(tmp_path, "clone", "-q", *shallow, "-b", branch, f"file://{remote}", str(runner))
        context = {"github.event.before": before}
        exits[branch, before == ZEROS] = run_workflow(runner, "push", context)
    if depth == "full":
        assert exits == {
            ("adds", False): 0,
            ("deletes", False): 1,
            ("adds", True): 0,
            ("deletes", True): 1,
        }
        # a force push: the old tip is on no branch of the remote, so the checkout lacks it
        git(initialised, "commit", "-q", "--allow-empty", "-m", "pushed over", "--no-verify")
        gone = git(initialised, "rev-parse", "HEAD").strip()
        assert run_workflow(runner, "push", {"github.event.before": gone}) == 2
    else:  # never passed blind: the tip before the push is compared as it is (no history
        # needed); a new branch needs its merge base with the default branch
        assert exits == {
            ("adds", False): 0,
            ("deletes", False): 1,
            ("adds", True): 2,
            ("deletes", True): 2,
        }


@pytest.mark.slow
def test_the_workflow_fails_a_pull_request_that_deletes_billed_time(
    initialised: Path, ff: Any, tmp_path: Path
) -> None:
    remote = remote_with_history(initialised, ff, tmp_path)
    for branch, code in [("adds", 0), ("deletes", 1)]:
        runner = tmp_path / f"runner-{branch}"
        git(tmp_path, "clone", "-q", "-b", branch, f"file://{remote}", str(runner))
        head = git(runner, "rev-parse", "HEAD").strip()
        context = {"github.base_ref": "main", "github.event.pull_request.head.sha": head}
        assert run_workflow(runner, "pull_request", context) == code
