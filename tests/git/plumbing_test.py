"""ffhooks/git/plumbing.py: git run without the subprocess module, and refs read from files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import git

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import forget_started, run_git, start_git


def test_large_output_and_errors_at_once(repo: Path) -> None:
    names = [f"f{n:05d}" for n in range(20000)]
    for name in names:
        (repo / name).touch()
    git(repo, "add", "-A")
    listed = run_git(["ls-files", "-z"], repo).split("\0")
    assert listed[:-1] == names
    # stdout and stderr both far past a pipe's buffer: nothing blocks
    shell = "yes out | head -c 3000000; yes err | head -c 3000000 >&2"
    out = run_git(["-c", f"alias.both=!{shell}", "both"], repo)
    assert len(out) == 3000000


def test_a_missing_git_is_one_line_and_leaks_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(repo / "nowhere"))
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        with pytest.raises(FatalError, match="git is not installed"):
            run_git(["status"], repo)
    assert len(os.listdir("/proc/self/fd")) == before


def test_a_failing_git_names_its_error(repo: Path) -> None:
    with pytest.raises(FatalError, match=r"^git rev-parse .* failed: fatal: "):
        run_git(["rev-parse", "--verify", "nothing-here^{commit}"], repo)
    assert run_git(["rev-parse", "--verify", "-q", "nothing"], repo, check=False) == ""


def test_a_query_started_ahead_answers_as_of_its_start(repo: Path) -> None:
    """`start_git` runs a query while Python does other things; the `run_git` asking it
    later gets that answer, once; `forget_started` drops it when the index changes."""
    from ffhooks.git import ahead

    def finished(args: list[str]) -> None:  # the started git has answered and exited
        key = ("git", "-C", str(repo), *args)
        pid = ahead._started[key][0]
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)

    (repo / "a.txt").write_text("a\n")
    start_git(["ls-files", "--others"], repo)
    start_git(["ls-files", "--others"], repo)  # one process for both
    finished(["ls-files", "--others"])
    git(repo, "add", "a.txt")
    assert run_git(["ls-files", "--others"], repo) == "a.txt\n"  # as it was at the start
    assert run_git(["ls-files", "--others"], repo) == ""  # asked again: git runs anew
    (repo / "b.txt").write_text("b\n")
    start_git(["ls-files", "--others"], repo)
    finished(["ls-files", "--others"])
    git(repo, "add", "b.txt")
    forget_started()  # what staging does before it changes the index
    assert run_git(["ls-files", "--others"], repo) == ""
    start_git(["no-such-command"], repo)
    with pytest.raises(FatalError, match="no-such-command"):
        run_git(["no-such-command"], repo)  # its failure is told by the run_git asking
