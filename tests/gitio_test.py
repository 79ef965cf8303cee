"""ffhooks/gitio.py: git run without the subprocess module, and refs read from files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import git

from ffhooks.errors import FatalError
from ffhooks.gitio import run_git


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
