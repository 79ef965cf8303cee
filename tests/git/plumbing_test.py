"""ffhooks/git/plumbing.py: git run without the subprocess module, and refs read from files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import git

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo, ask_git, run_git, start_git


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
    """`start_git` runs a query while Python does other things; the `ask_git` asking it
    later gets that answer, and so does every later ask (the guard and the fold both read
    what the commit changes) until `Ahead.forget` drops it when the index changes. Without
    an `Ahead` in the repository nothing is started, and git runs when asked."""
    from ffhooks.git.ahead import Ahead

    ahead = Ahead()
    here = Repo(top=repo, git_dir=repo / ".git", common_dir=repo / ".git", ahead=ahead)
    query = ["ls-files", "--others"]

    def finished() -> None:  # the started git has answered and exited
        pid = ahead._started[tuple(["git", "-C", str(repo), *query])][0]
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)

    (repo / "a.txt").write_text("a\n")
    start_git(here, query)
    start_git(here, query)  # one process for both
    assert len(ahead._started) == 1
    finished()
    git(repo, "add", "a.txt")
    assert ask_git(here, query) == "a.txt\n"  # as it was at the start
    assert ask_git(here, query) == "a.txt\n"  # asked again: the same answer
    ahead.forget()
    assert ask_git(here, query) == ""  # forgotten: git runs anew
    (repo / "b.txt").write_text("b\n")
    start_git(here, query)
    finished()
    git(repo, "add", "b.txt")
    ahead.forget()  # what staging does before it changes the index
    assert not ahead._started
    assert ask_git(here, query) == ""
    start_git(here, ["no-such-command"])
    with pytest.raises(FatalError, match="no-such-command"):
        ask_git(here, ["no-such-command"])  # its failure is told by the ask_git asking
    alone = here._replace(ahead=None)
    (repo / "c.txt").write_text("c\n")
    start_git(alone, query)  # nothing to keep it in: nothing started
    git(repo, "add", "c.txt")
    assert ask_git(alone, query) == ""
