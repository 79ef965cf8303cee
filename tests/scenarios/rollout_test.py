"""A team adopts ffhooks: a teammate without it commits, a clone whose commits bypass the
hook is told so with the fix, `init` sets up each clone, summaries stay out of diffs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, commit, git, on_terminal, tree_total

import ffhooks

ROOT = Path(__file__).resolve().parents[2]


def without_ffhooks(tmp_path: Path, framework: str) -> dict[str, str]:
    """The environment of someone who has git and pre-commit (or prek), but no ffhooks."""
    folder = tmp_path / "their-bin"
    folder.mkdir(exist_ok=True)
    found = shutil.which(framework)
    assert found is not None
    (folder / framework).symlink_to(found)
    path = os.pathsep.join([str(folder), "/usr/bin", "/bin"])
    assert shutil.which("ffhooks", path=path) is None and shutil.which("git", path=path)
    return {**os.environ, "PATH": path}


def billed(repo: Path) -> int:
    """The billable seconds HEAD's summaries hold (none at all: 0)."""
    return tree_total(repo) if git(repo, "ls-tree", "-r", "HEAD", "--", SUMMARIES) else 0


def on_terminal_commit(repo: Path, env: dict[str, str], *args: str) -> Any:
    return on_terminal(("git", "commit", "-q", *args), repo, env)


@pytest.mark.parametrize("framework", ["pre-commit", "prek"])
def test_a_teammate_without_ffhooks_commits_with_one_line_of_notice(
    ff: Any, repo: Path, tmp_path: Path, framework: str
) -> None:
    assert ff("init").code == 0
    if framework == "prek":
        subprocess.run(("prek", "install", "-f"), cwd=repo, check=True, capture_output=True)
    env = without_ffhooks(tmp_path, framework)
    (repo / "code.txt").write_text("x\n")
    git(repo, "add", "-A")
    shown = on_terminal_commit(repo, env, "-m", "bob's first commit")
    assert shown.returncode == 0, shown.stdout
    if framework == "pre-commit":  # prek redraws its rows over what a hook writes
        [notice] = [line for line in shown.stdout.splitlines() if "not installed" in line]
        assert notice.startswith("ffhooks is not installed here, so this commit carries no")
        assert "pipx install git+" in notice
    assert git(repo, "log", "--format=%s") == "bob's first commit\n"
    # and from an IDE, without a terminal
    (repo / "code.txt").write_text("y\n")
    git(repo, "add", "-A")
    ide = subprocess.run(
        ("git", "commit", "-q", "-m", "again"), cwd=repo, env=env, capture_output=True, text=True
    )
    assert ide.returncode == 0, ide.stdout + ide.stderr


def test_time_committed_without_ffhooks_is_folded_by_the_next_commit(
    ff: Any, hooked: Path, tmp_path: Path
) -> None:
    """Alice's IDE lacks ffhooks on its PATH: the commit goes ahead, her time waits in her
    store, `status` counts it, and her next commit from a shell folds it."""
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "setup").returncode == 0
    assert ff("add", "12", "40m").code == 0
    (hooked / "code.txt").write_text("x\n")
    git(hooked, "add", "code.txt")
    env = without_ffhooks(tmp_path, "pre-commit")
    ide = subprocess.run(("git", "commit", "-q", "-m", "ide"), cwd=hooked, env=env, text=True)
    assert ide.returncode == 0
    assert billed(hooked) == 0
    assert ff("status", "--json").json()["uncommitted_seconds"] == 40 * 60
    assert "not yet in any commit: 40m" in ff("status").out
    assert commit(hooked, "--allow-empty", "-m", "shell").returncode == 0
    assert billed(hooked) == 40 * 60
    assert ff("status", "--json").json()["uncommitted_seconds"] == 0
    assert "not yet in any commit" not in ff("status").out


def test_a_local_hook_of_an_older_init_is_made_tolerant(
    ff: Any, repo: Path, tmp_path: Path
) -> None:
    """0.3 wrote `entry: ffhooks hook`: `init` run again rewrites that entry, and nothing else."""
    old = (
        "# our hooks\nrepos:\n- repo: local\n  hooks:\n  - id: ffhooks\n    name: ffhooks\n"
        "    entry: ffhooks hook\n    language: system\n    pass_filenames: false\n"
        "    always_run: true\n    stages: [pre-commit]\n"
    )
    (repo / ".pre-commit-config.yaml").write_text(old)
    said = ff("init")
    assert said.code == 0
    assert "let anyone commit without ffhooks installed" in said.out
    text = (repo / ".pre-commit-config.yaml").read_text()
    assert text.startswith("# our hooks\n") and "exec ffhooks hook;" in text
    assert text.replace(text.splitlines()[6], "    entry: ffhooks hook") == old
    git(repo, "add", "-A")
    done = subprocess.run(
        ("git", "commit", "-q", "-m", "x"),
        cwd=repo,
        env=without_ffhooks(tmp_path, "pre-commit"),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "updated" not in ff("init").out  # once


def wired(ff: Any) -> tuple[bool, str]:
    """What status, start, stop and recover status say of the hook."""
    status = ff("status", "--json").json()
    warned = [w for w in status["warnings"] if "does not run the ffhooks hook" in w]
    recover = ff("recover", "status", "--json")
    kinds = [c["kind"] for c in recover.json()["conditions"]]
    assert (recover.code == 1) == bool(warned) == ("hook-not-run" in kinds)
    return not warned, warned[0] if warned else ""


def test_a_clone_that_never_installed_the_hook_is_told_the_fix(ff: Any, initialised: Path) -> None:
    assert not (initialised / ".git/hooks/pre-commit").exists()  # init --no-hook
    assert ff("add", "12", "40m").code == 0
    runs, warning = wired(ff)
    assert not runs and "no pre-commit hook is installed" in warning
    assert warning.endswith("`ffhooks init` fixes it")
    assert "does not run the ffhooks hook" in ff("start", "14").err
    assert "does not run the ffhooks hook" in ff("stop").err
    git(initialised, "add", "-A")
    assert commit(initialised, "-m", "bypassed").returncode == 0
    assert billed(initialised) == 0  # the danger: time stays home
    fixed = ff("init")
    assert fixed.code == 0 and "git hook: installed with `pre-commit install" in fixed.out
    assert fixed.out.splitlines()[-1].startswith("A `git commit` here runs the ffhooks hook")
    assert wired(ff) == (True, "")
    assert commit(initialised, "--allow-empty", "-m", "folds").returncode == 0
    assert billed(initialised) == 40 * 60


def test_default_install_hook_types_without_pre_commit(ff: Any, repo: Path) -> None:
    """A config that lints commit messages installs only commit-msg by default: `pre-commit
    install` then leaves commits without the ffhooks hook."""
    (repo / ".pre-commit-config.yaml").write_text(
        "default_install_hook_types: [commit-msg]\nrepos:\n- repo: local\n  hooks:\n"
        "  - id: message\n    name: message\n    entry: 'true'\n    language: system\n"
        "    stages: [commit-msg]\n"
    )
    assert ff("init").code == 0
    for hook in (repo / ".git/hooks").iterdir():
        hook.unlink()
    subprocess.run(("pre-commit", "install"), cwd=repo, check=True, capture_output=True)
    assert sorted(p.name for p in (repo / ".git/hooks").iterdir()) == ["commit-msg"]
    assert ff("add", "12", "1h").code == 0
    runs, warning = wired(ff)
    assert not runs and "`ffhooks init` fixes it" in warning
    fixed = ff("init")
    assert "--hook-type pre-commit --hook-type commit-msg" in fixed.out
    assert {"pre-commit", "commit-msg"} <= {p.name for p in (repo / ".git/hooks").iterdir()}
    assert wired(ff) == (True, "")
    git(repo, "add", "-A")
    assert commit(repo, "-m", "setup").returncode == 0
    assert billed(repo) == 3600


HUSKY_WRAPPER = '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n'
HUSKY_RUNNER = '#!/usr/bin/env sh\nn=$(basename "$0")\nsh -e ".husky/$n" "$@"\n'


def test_core_hooks_path_of_another_hook_manager(ff: Any, repo: Path) -> None:
    """husky sets `core.hooksPath` to `.husky/_`, whose generated wrappers run the scripts
    people edit in `.husky/`: git no longer runs pre-commit's hook at all."""
    assert ff("init").code == 0
    git(repo, "add", "-A")
    assert commit(repo, "-m", "setup").returncode == 0
    husky = repo / ".husky"
    (husky / "_").mkdir(parents=True)
    for name, text in (("_/pre-commit", HUSKY_WRAPPER), ("_/h", HUSKY_RUNNER)):
        (husky / name).write_text(text)
        (husky / name).chmod(0o755)
    (husky / "pre-commit").write_text("echo linting\n")
    git(repo, "config", "core.hooksPath", ".husky/_")
    assert ff("add", "12", "30m").code == 0
    runs, warning = wired(ff)
    assert not runs and "core.hooksPath is .husky/_" in warning
    git(repo, "add", "-A")
    assert commit(repo, "-m", "lint only").returncode == 0
    assert billed(repo) == 0
    again = ff("init")  # pre-commit refuses to install beside core.hooksPath
    assert again.code == 1 and "does NOT run the ffhooks hook" in again.out
    fix = warning.split("`")[-2]
    assert fix.startswith("echo ") and fix.endswith(">> .husky/pre-commit")
    subprocess.run(fix, shell=True, cwd=repo, check=True)
    assert wired(ff) == (True, "")
    assert commit(repo, "--allow-empty", "-m", "folds").returncode == 0
    assert billed(repo) == 30 * 60


def test_a_hook_that_is_not_executable(ff: Any, hooked: Path) -> None:
    assert ff("add", "12", "30m").code == 0
    (hooked / ".git/hooks/pre-commit").chmod(0o644)
    runs, warning = wired(ff)
    assert not runs and "`chmod +x .git/hooks/pre-commit` fixes it" in warning


def test_status_counts_what_no_commit_holds(ff: Any, hooked: Path, monkeypatch: Any) -> None:
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "setup").returncode == 0
    assert ff("status", "--json").json()["uncommitted_seconds"] == 0
    assert ff("add", "12", "40m", "--start", "09:00").code == 0
    assert commit(hooked, "--allow-empty", "--no-verify", "-m", "skipped").returncode == 0
    assert ff("status", "--json").json()["uncommitted_seconds"] == 40 * 60
    assert commit(hooked, "--allow-empty", "-m", "folded").returncode == 0
    assert ff("status", "--json").json()["uncommitted_seconds"] == 0
    # a running timer counts as a commit now would fold it
    assert ff("start", "14", "--at", "16:00").code == 0
    assert ff("status", "--json").json()["uncommitted_seconds"] == 3600
    # a fold staged but not committed is not in any commit either
    assert ff("stop").code == 0 and ff("aggregate").code == 0
    assert ff("status", "--json").json()["uncommitted_seconds"] == 3600


def test_init_sets_up_a_second_clone(ff: Any, repo: Path, tmp_path: Path) -> None:
    """The lead's `init` is committed once; each developer's `init` in their own clone does
    the clone's part and says so."""
    assert ff("init").code == 0
    git(repo, "add", "-A")
    assert commit(repo, "-m", "ffhooks").returncode == 0
    clone = tmp_path / "bobs"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    git(clone, "config", "user.email", "bob@example.com")
    env = {k: v for k, v in os.environ.items() if k != "FFHOOKS_USER"}
    done = subprocess.run(("ffhooks", "init"), cwd=clone, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "user name: bob (set git config ffhooks.user)" in lines
    assert "git hook: installed with `pre-commit install --hook-type pre-commit`" in lines
    assert not any(line.startswith("Next: commit") for line in lines)  # the lead did
    assert lines[-1].startswith("A `git commit` here runs the ffhooks hook")
    assert git(clone, "config", "ffhooks.user") == "bob\n"
    assert git(clone, "config", "merge.directoryRenames") == "false\n"
    subprocess.run(("ffhooks", "add", "12", "1h"), cwd=clone, env=env, check=True)
    assert commit(clone, "--allow-empty", "-m", "work").returncode == 0
    assert git(clone, "ls-files", f"{SUMMARIES}/bob")  # as bob, with no --user anywhere


def test_summaries_are_generated_files_without_diffs(ff: Any, hooked: Path) -> None:
    assert ff("add", "12", "40m").code == 0
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "setup").returncode == 0
    [path] = git(hooked, "ls-files", SUMMARIES).split()
    attributes = git(hooked, "check-attr", "linguist-generated", "diff", "--", path)
    assert f"{path}: linguist-generated: true" in attributes
    assert f"{path}: diff: unset" in attributes
    shown = git(hooked, "show", "--format=", "HEAD", "--", path)
    assert "Binary files" in shown and "billable_seconds" not in shown
    # pre-commit's stash of unstaged changes and a rebase carry summaries whole
    assert ff("add", "14", "20m", "--start", "10:00").code == 0
    (hooked / "code.txt").write_text("staged\n")
    git(hooked, "add", "code.txt")
    (hooked / "code.txt").write_text("staged\nunstaged\n")
    assert commit(hooked, "-m", "partly staged").returncode == 0
    assert (hooked / "code.txt").read_text() == "staged\nunstaged\n"
    assert billed(hooked) == 60 * 60
    git(hooked, "checkout", "-q", "--", "code.txt")
    git(hooked, "checkout", "-q", "-b", "side", "HEAD~1")
    (hooked / "other.txt").write_text("x\n")
    git(hooked, "add", "other.txt")
    assert commit(hooked, "-m", "side").returncode == 0
    git(hooked, "rebase", "-q", "--apply", "main")
    assert billed(hooked) == 60 * 60
    assert git(hooked, "status", "--porcelain", "--", ".flowforge") == ""


def test_the_version_is_tagged_and_said() -> None:
    [version] = re.findall(r'(?m)^version = "(.+)"$', (ROOT / "pyproject.toml").read_text())
    assert ffhooks.__version__ == version
    said = subprocess.run(
        (sys.executable, "-m", "ffhooks", "--version"), capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert said[0] == f"ffhooks {version}"
    assert said[1].startswith(f"from {Path(ffhooks.__file__).parent} (Python ")
    pins = {
        pin
        for path in [
            ROOT / "README.md",
            *(ROOT / "docs").rglob("*.md"),
            *(ROOT / "docs").rglob("*.yml"),
        ]
        for pin in re.findall(r"(?:ffhooks\.git@|rev:? `?)(v\d+\.\d+\.\d+)", path.read_text())
    }
    assert pins == {f"v{version}"}  # the docs install what this is
    tags = subprocess.run(
        ("git", "tag", "--list", "v*"), cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if not tags:
        pytest.skip("this checkout has no tags")
    assert f"v{version}" in tags
    kind = git(ROOT, "cat-file", "-t", f"v{version}").strip()
    assert kind == "tag"  # annotated


def test_status_json_says_uncommitted_for_a_manager_without_a_store(ff: Any, hooked: Path) -> None:
    result = ff("status", "--json")
    assert result.code == 0
    assert result.json()["uncommitted_seconds"] == 0
    assert not [w for w in result.json()["warnings"] if "hook" in w]
    assert json.loads(ff("recover", "status", "--json").out)["ok"] is True


@pytest.mark.slow
def test_a_person_installs_a_tag_from_the_git_url(tmp_path: Path) -> None:
    """The README's install, `pipx install 'git+URL@vX.Y.Z'`, as pip in a virtualenv of its
    own does it (what pipx runs), from this repository's URL: the tag builds and runs."""
    version = ffhooks.__version__
    if not git(ROOT, "tag", "--list", f"v{version}").strip():
        pytest.skip("this checkout has no tags")
    venv = tmp_path / "venv"
    subprocess.run((sys.executable, "-m", "venv", str(venv)), check=True)
    url = f"git+{ROOT.as_uri()}@v{version}"
    subprocess.run(
        (str(venv / "bin/python"), "-m", "pip", "install", "-q", url),
        check=True,
        capture_output=True,
    )
    said = subprocess.run(
        (str(venv / "bin/ffhooks"), "--version"), capture_output=True, text=True, check=True
    )
    assert said.stdout.splitlines()[0] == f"ffhooks {version}"
    assert str(venv) in said.stdout


def test_init_without_the_hook_says_so_and_succeeds(ff: Any, repo: Path) -> None:
    """For scripts and CI: the repository's files and the clone's settings, no git hook."""
    said = ff("init", "--no-hook")
    assert said.code == 0
    assert "git hook: not installed (--no-hook)" in said.out
    assert said.out.splitlines()[-1].startswith("A `git commit` here does NOT run the ffhooks")
    assert not (repo / ".git/hooks/pre-commit").exists()
    assert git(repo, "config", "merge.directoryRenames") == "false\n"
