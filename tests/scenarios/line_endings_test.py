"""Line endings (issue 24, item 4): a clone with `core.autocrlf=true`, or a repository that
commits `* text=auto eol=crlf`, checks ffhooks' files out with CRLF. `init` marks them to stay
as written (`text eol=lf -filter`, below any line that would override it), and every reader
takes what git checks out anyway: a repository set up before, or whose own line overrides
ffhooks', must still validate, verify, merge and report to the second."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, git

from ffhooks.commands.init import AS_WRITTEN, ATTRIBUTES
from ffhooks.summary import TOMBSTONE

NOW = "2026-11-20T17:00:00Z"


def run(cwd: Path, now: str, *args: str, user: str = "alice") -> str:
    """A command as a developer runs it at `now`; it must succeed and show no traceback."""
    env = {**os.environ, "FFHOOKS_NOW": now, "FFHOOKS_USER": user}
    env |= {"GIT_AUTHOR_DATE": now, "GIT_COMMITTER_DATE": now}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    said = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "Traceback" not in said, f"{' '.join(args)}\n{said}"
    return said


def work(clone: Path, now: str, task: str, length: str, start: str, user: str = "alice") -> None:
    """Record a session and commit a change through the hooks: the commit folds it."""
    run(clone, now, "ffhooks", "add", task, length, "--start", start, user=user)
    note = clone / f"{user}-{start[:13]}.txt"
    note.write_text("a change\n")
    run(clone, now, "git", "add", note.name)
    run(clone, now, "git", "commit", "-q", "-m", f"work {start}")


def billed(clone: Path, ref: str | None = None) -> int:
    where = ("--ref", ref) if ref else ()
    out = run(clone, NOW, "ffhooks", "report", "--format", "json", *where)
    return int(json.loads(out)["totals"]["billable_seconds"])


def healthy(clone: Path) -> None:
    """What a developer and CI ask: all of it passes, with nothing to fix."""
    run(clone, NOW, "ffhooks", "validate", "--all")
    run(clone, NOW, "ffhooks", "verify")
    conditions = json.loads(run(clone, NOW, "ffhooks", "recover", "--json"))["conditions"]
    assert conditions == []


def crlf_files(clone: Path) -> list[str]:
    return sorted(p.name for p in (clone / SUMMARIES).rglob("*.json") if b"\r\n" in p.read_bytes())


def team(tmp_path: Path, ff: Any, repo: Path, extra_attributes: str = "") -> Path:
    """The lead's repository set up by `init` (plus the team's own `.gitattributes` lines),
    two folds of alice (one file buried) pushed to a bare remote; returns the remote."""
    assert ff("init").code == 0
    if extra_attributes:
        with (repo / ".gitattributes").open("a") as f:
            f.write(extra_attributes)
    run(repo, "2026-11-02T17:00:00Z", "git", "add", "-A")
    run(repo, "2026-11-02T17:00:00Z", "git", "commit", "-q", "-m", "ffhooks")
    work(repo, "2026-11-02T17:00:00Z", "205", "1h", "2026-11-02T09:00:00Z")
    work(repo, "2026-11-03T17:00:00Z", "205", "1h", "2026-11-03T09:00:00Z")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "HEAD:main")
    return remote


def old_attributes(repo: Path) -> None:
    """The `.gitattributes` that `init` wrote before it marked its files as written."""
    kept = [line for line in (repo / ".gitattributes").read_text().splitlines()[:2]]
    assert kept[1] == ATTRIBUTES
    (repo / ".gitattributes").write_text("\n".join(kept) + "\n")


# -- what init writes ------------------------------------------------------------------------


def test_init_marks_its_files_as_written_once_and_below_what_would_override_it(
    ff: Any, repo: Path
) -> None:
    (repo / ".gitattributes").write_bytes(b"*.png binary\r\n")
    assert ff("init").code == 0
    text = (repo / ".gitattributes").read_bytes()
    assert text.startswith(b"*.png binary\r\n")  # the team's lines as they were
    lines = text.decode().splitlines()
    assert lines.count(ATTRIBUTES) == 1 and lines[-1] == AS_WRITTEN
    path = f"{SUMMARIES}/alice/2026-11/0123456789abcdef-1.json"
    said = git(repo, "check-attr", "text", "eol", "filter", "--", path)
    assert said.splitlines() == [f"{path}: text: set", f"{path}: eol: lf", f"{path}: filter: unset"]
    assert "unchanged" in ff("init").out.split(".gitattributes: ")[1].splitlines()[0]
    assert (repo / ".gitattributes").read_bytes() == text

    # a line the team adds later would win over ffhooks' line: init moves it below
    with (repo / ".gitattributes").open("a") as f:
        f.write("* text=auto eol=crlf\n*.json filter=fmt\n")
    assert "eol: crlf" in git(repo, "check-attr", "eol", "--", path)
    assert ff("init").code == 0
    lines = (repo / ".gitattributes").read_text().splitlines()
    assert lines.count(AS_WRITTEN) == 1 and lines[-1] == AS_WRITTEN
    assert lines[-4:-2] == ["* text=auto eol=crlf", "*.json filter=fmt"]
    said = git(repo, "check-attr", "text", "eol", "filter", "--", path)
    assert said.splitlines() == [f"{path}: text: set", f"{path}: eol: lf", f"{path}: filter: unset"]


def test_init_again_adds_the_line_to_a_repository_set_up_before(ff: Any, repo: Path) -> None:
    assert ff("init").code == 0
    old_attributes(repo)
    result = ff("init")
    assert result.code == 0 and ".gitattributes: added" in result.out
    lines = (repo / ".gitattributes").read_text().splitlines()
    assert lines[:2] == ["# ffhooks: billing summaries are generated", ATTRIBUTES]
    assert lines[-1] == AS_WRITTEN and len(lines) == 4


# -- readers take what git checks out ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("setting", ["core.autocrlf", "eol=crlf committed"])
def test_a_clone_that_checks_out_crlf_validates_verifies_and_recovers(
    setting: str, tmp_path: Path, ff: Any, repo: Path
) -> None:
    """Set up before `init` marked its files (or with a team line that overrides it), a
    clone checks out the summaries and the tombstone with CRLF: nothing is reported broken."""
    extra = "* text=auto eol=crlf\n" if setting != "core.autocrlf" else ""
    remote = team(tmp_path, ff, repo, extra)
    old_attributes(repo)
    if extra:
        (repo / ".gitattributes").write_text((repo / ".gitattributes").read_text() + extra)
    run(repo, NOW, "git", "commit", "-q", "-am", "the attributes of a repository set up before")
    git(repo, "push", "-q", "origin", "HEAD:main")
    config = ("--config", "core.autocrlf=true") if setting == "core.autocrlf" else ()
    git(tmp_path, "clone", "-q", *config, str(remote), "clone")
    clone = tmp_path / "clone"
    assert len(crlf_files(clone)) == 2  # the tombstone too
    healthy(clone)
    assert billed(clone) == billed(clone, "HEAD") == 2 * 3600


@pytest.mark.slow
def test_a_merge_commits_in_a_clone_that_checks_out_crlf(
    tmp_path: Path, ff: Any, repo: Path
) -> None:
    """bob works in a clone of a repository whose own line (`* text=auto eol=crlf`, after
    ffhooks') checks everything out with CRLF, the pre-commit config too: `init` still
    installs the hook, his commits fold, and a merge of main, which added alice's newer file
    meanwhile, commits through the hook (its validation reads the files as checked out)."""
    remote = team(tmp_path, ff, repo, "* text=auto eol=crlf\n")
    git(tmp_path, "clone", "-q", str(remote), "clone")
    clone = tmp_path / "clone"
    assert b"\r\n" in (clone / ".pre-commit-config.yaml").read_bytes()
    said = run(clone, NOW, "ffhooks", "init", user="bob")
    assert "A `git commit` here runs the ffhooks hook" in said
    run(clone, NOW, "git", "checkout", "--", ".gitattributes")  # bob commits none of it
    work(clone, "2026-11-04T17:00:00Z", "205", "2h", "2026-11-04T09:00:00Z", user="bob")
    assert billed(clone, "HEAD") == 2 * 3600 + 2 * 3600

    work(repo, "2026-11-05T17:00:00Z", "205", "1h", "2026-11-05T09:00:00Z")
    git(repo, "push", "-q", "origin", "HEAD:main")
    run(clone, NOW, "git", "fetch", "-q")
    run(clone, NOW, "git", "merge", "-q", "--no-ff", "--no-commit", "origin/main")
    alices = [p.read_bytes() for p in (clone / SUMMARIES / "alice").rglob("*.json")]
    assert len(alices) == 3 and all(b"\r\n" in data for data in alices)  # checked out CRLF
    assert not any(data.replace(b"\r\n", b"\n") == TOMBSTONE for data in alices)
    run(clone, NOW, "git", "commit", "-q", "-m", "merge main", user="bob")
    assert git(clone, "status", "--porcelain", "--", SUMMARIES) == ""
    healthy(clone)
    assert billed(clone, "HEAD") == billed(clone) == 5 * 3600


def test_a_safecrlf_refusal_names_the_fix_that_works(ff: Any, repo: Path) -> None:
    """`core.safecrlf=true` with `core.autocrlf=true` refuses to stage LF files: in a
    repository set up before `init` kept ffhooks' files LF, the fold is queued with the fix
    (`ffhooks init`, then a retry), not a retry that fails the same."""
    assert ff("init").code == 0
    old_attributes(repo)
    run(repo, NOW, "git", "add", "-A")
    run(repo, NOW, "git", "commit", "-q", "-m", "ffhooks")
    git(repo, "config", "core.autocrlf", "true")
    git(repo, "config", "core.safecrlf", "true")
    assert ff("add", "12", "1h", "--start", "09:00").code == 0
    run(repo, NOW, "git", "commit", "-q", "--allow-empty", "-m", "work")
    [queued] = [
        c for c in ff("recover", "status", "--json").json()["conditions"] if c["kind"] == "queued"
    ]
    assert "core.safecrlf" in queued["what"]
    assert queued["fix"] == "ffhooks init, then ffhooks recover retry"
    assert ff("recover", "retry").code == 1  # as it said: not before init
    assert ff("init").code == 0
    assert ff("recover", "retry").code == 0
    assert git(repo, "diff", "--cached", "--name-only", "--", SUMMARIES)
