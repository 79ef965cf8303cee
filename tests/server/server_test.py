"""The hook server (server/client.py, server/server.py): the first commit runs the hook in its
own process and starts a server; later commits are run by a forked copy of it, with the
committing process's environment, folder and streams; whatever goes wrong with the server
(stuck, killed, out of date, a copy killed mid-fold), the commit still folds each second
once."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    SUMMARIES,
    commit,
    git,
    on_terminal,
    one_server,
    servers,
    tree_total,
    wait_for,
)

from ffhooks.server import client as hook_client

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parents[2]
FOLDED = "ffhooks: alice +1h00m billable in 2026-11, staged"


@pytest.fixture
def plain(initialised: Path) -> Path:
    """A repository whose commit hook is the plain git hook (`ffhooks hook`)."""
    git(initialised, "config", "core.hooksPath", str(PROJECT / "hooks"))
    return initialised


def copies(server: int) -> list[int]:
    """The copies the server has forked that are still running."""
    children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
    return [int(pid) for pid in children if _state(int(pid)) not in ("Z", "")]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


def summaries(repo: Path) -> list[str]:
    return git(repo, "ls-tree", "-r", "--name-only", "HEAD", SUMMARIES).split()


def billed(ff: Any) -> int:
    report = ff("report", "--format", "json")
    assert report.code == 0, report.err
    seconds: int = report.json()["totals"]["billable_seconds"]
    return seconds


def store_lock(repo: Path) -> int:
    """Hold alice's store lock, as a running `ffhooks` command does."""
    fd = os.open(repo / ".flowforge/user/alice/.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def locked_commit(repo: Path, server: int) -> tuple[subprocess.Popen[str], int, int]:
    """A commit started while alice's store is locked (the caller releases the lock): its
    hook waits for the lock in a copy of the server. (The commit, the copy, the lock.)"""
    held = store_lock(repo)
    proc = subprocess.Popen(
        ("git", "commit", "-q", "--allow-empty", "-m", "work"),
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        [copy] = wait_for(lambda: copies(server), "a copy of the server running the hook")
    except BaseException:
        os.close(held)
        proc.kill()
        raise
    return proc, copy, held


def test_the_first_commit_starts_a_server_that_runs_the_next(
    served: Path, plain: Path, ff: Any
) -> None:
    repo = plain
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    first = commit(repo, "--allow-empty", "-m", "one")
    assert first.returncode == 0 and FOLDED in first.stderr, first.stderr  # git: hooks' 1 is 2
    server = one_server(served)
    assert ff("add", "205", "1h", "--start", "11:00").code == 0
    proc, copy, held = locked_commit(repo, server)
    try:
        assert Path(f"/proc/{copy}/cwd").resolve() == repo.resolve()
    finally:
        os.close(held)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert (out + err).strip() == FOLDED, (out, err)
    assert servers(served) == [server]
    assert billed(ff) == 2 * 3600 and len(summaries(repo)) == 2


def test_a_served_commit_of_paths_stages_in_both_indexes(
    served: Path, plain: Path, ff: Any
) -> None:
    """`git commit <paths>` runs the hook on a temporary index (GIT_INDEX_FILE): the copy
    must use the committing process's environment, and leave the real index agreeing."""
    repo = plain
    (repo / "notes.txt").write_text("a\n")
    git(repo, "add", "notes.txt")
    assert commit(repo, "-m", "setup").returncode == 0  # starts the server
    one_server(served)
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    (repo / "notes.txt").write_text("b\n")
    done = commit(repo, "-m", "paths", "notes.txt")
    assert done.returncode == 0, done.stderr
    assert len(summaries(repo)) == 1
    assert git(repo, "status", "--porcelain", SUMMARIES) == ""
    assert billed(ff) == 3600


def test_commits_in_two_worktrees_at_once_are_served_apart(
    served: Path, plain: Path, tmp_path: Path
) -> None:
    """Two copies at once, each with its own work tree, store and index: every hour lands
    in its own branch, once."""
    main = plain
    git(main, "add", "-A")  # .gitignore and the team config, for the worktree too
    assert commit(main, "-m", "base").returncode == 0
    one_server(served)
    other = tmp_path / "other"
    git(main, "worktree", "add", "-q", str(other), "-b", "other")
    env = {**os.environ, "FFHOOKS_USER": "alice"}
    for n in range(5):
        for tree, hours in ((main, "1h"), (other, "2h")):
            added = subprocess.run(
                ("ffhooks", "add", "205", hours, "--start", f"2026-11-{10 + n}T09:00:00Z"),
                cwd=tree,
                env=env,
                capture_output=True,
                text=True,
            )
            assert added.returncode == 0, added.stderr
        commits = [
            subprocess.Popen(
                ("git", "commit", "-q", "--allow-empty", "-m", f"round {n}"),
                cwd=tree,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for tree in (main, other)
        ]
        for proc in commits:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
    assert tree_total(main) == 5 * 3600
    assert tree_total(other) == 5 * 7200
    assert git(main, "status", "--porcelain") == git(other, "status", "--porcelain") == ""


def test_a_served_commit_on_a_terminal_draws_pre_commits_row(
    served: Path, hooked: Path, ff: Any
) -> None:
    repo = hooked
    assert commit(repo, "--allow-empty", "-m", "setup").returncode == 0
    one_server(served)
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    shown = on_terminal(("git", "commit", "-q", "--allow-empty", "-m", "work"), repo)
    assert shown.returncode == 0, shown.stdout
    rows = [line for line in shown.stdout.splitlines() if "ffhooks" in line]
    assert len(rows) == 1 and rows[0].startswith(f"{FOLDED}..."), shown.stdout
    assert rows[0].endswith(".Passed")
    assert billed(ff) == 3600


def test_the_server_holds_nothing_open_of_the_commit_that_started_it(
    served: Path, plain: Path
) -> None:
    """A tool that runs `git commit` and waits for a pipe to close (a CI step reading the
    output of everything it started) must not wait for the server."""
    import select

    read, write = os.pipe()
    done = subprocess.run(
        ("git", "commit", "-q", "--allow-empty", "-m", "setup"),
        cwd=plain,
        capture_output=True,
        text=True,
        pass_fds=(write,),
        timeout=60,
    )
    os.close(write)
    assert done.returncode == 0, done.stderr
    one_server(served)
    ready, _, _ = select.select([read], [], [], 10)
    assert ready and os.read(read, 1) == b"", "the server kept the pipe open"
    os.close(read)


def test_a_stuck_server_leaves_the_hook_to_its_own_process(
    served: Path, plain: Path, ff: Any
) -> None:
    """A stopped server costs one commit WAIT_SECONDS: that commit removes its socket, so
    the next ones run the hook at once, and the server stops when it goes on."""
    repo = plain
    assert commit(repo, "--allow-empty", "-m", "setup").returncode == 0
    server = one_server(served)
    os.kill(server, signal.SIGSTOP)
    try:
        waited = []
        for start in ("09:00", "11:00"):
            assert ff("add", "205", "1h", "--start", start).code == 0
            began = time.monotonic()
            done = subprocess.run(
                ("git", "commit", "-q", "--allow-empty", "-m", start),
                cwd=repo,
                capture_output=True,  # pipes: the server must not be left holding them open
                text=True,
                timeout=60,
            )
            waited.append(time.monotonic() - began)
            assert done.returncode == 0 and FOLDED in done.stderr, done.stderr
    finally:
        os.kill(server, signal.SIGCONT)
    assert hook_client.WAIT_SECONDS <= waited[0] < hook_client.WAIT_SECONDS + 30
    assert waited[1] < hook_client.WAIT_SECONDS, waited
    # the copy forked once the server went on never ran (it found the hook gone), and the
    # server, its socket gone, stops
    wait_for(lambda: _state(server) in ("Z", ""), "the stuck server to stop")
    assert billed(ff) == 2 * 3600 and len(summaries(repo)) == 2


def test_a_copy_killed_mid_fold_leaves_the_fold_to_the_hook(
    served: Path, plain: Path, ff: Any
) -> None:
    repo = plain
    assert commit(repo, "--allow-empty", "-m", "setup").returncode == 0
    server = one_server(served)
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    proc, copy, held = locked_commit(repo, server)
    try:
        os.kill(copy, signal.SIGKILL)
        time.sleep(0.3)  # the hook now runs the fold itself, and waits for the lock
    finally:
        os.close(held)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and (out + err).strip() == FOLDED, (out, err)
    assert billed(ff) == 3600 and len(summaries(repo)) == 1


def test_a_server_stops_when_its_socket_goes(served: Path, plain: Path) -> None:
    assert commit(plain, "--allow-empty", "-m", "setup").returncode == 0
    server = one_server(served)
    for sock in served.glob("*.sock"):
        sock.unlink()
    wait_for(lambda: _state(server) in ("Z", ""), "the server to stop")


def test_an_upgrade_replaces_the_server(
    served: Path, plain: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server notices ffhooks' files changing (an upgrade), stops, and the next commit
    starts one of the new code. (A copy of the package, so the real one is not touched.)"""
    copy = tmp_path / "site"
    shutil.copytree(PROJECT / "ffhooks", copy / "ffhooks")
    shutil.copytree(PROJECT / "schemas", copy / "schemas")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "pre-commit").write_text(f"#!/bin/sh\nexec {sys.executable} -m ffhooks hook\n")
    (hooks / "pre-commit").chmod(0o755)
    git(plain, "config", "core.hooksPath", str(hooks))
    monkeypatch.setenv("PYTHONPATH", str(copy))
    assert commit(plain, "--allow-empty", "-m", "setup").returncode == 0
    old = one_server(served)
    assert f"{copy}".encode() in Path(f"/proc/{old}/cmdline").read_bytes()
    version = copy / "ffhooks" / "__init__.py"
    version.write_text(version.read_text().replace('"0.', '"9.'))
    wait_for(lambda: _state(old) in ("Z", ""), "the old server to stop")
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    done = commit(plain, "--allow-empty", "-m", "work")
    assert done.returncode == 0 and FOLDED in done.stderr, done.stderr
    new = one_server(served)
    assert new != old and billed(ff) == 3600


def test_off_and_unsafe_folders_mean_no_server(
    served: Path, plain: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FFHOOKS_HOOK_SERVER", "off")
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    assert commit(plain, "--allow-empty", "-m", "off").returncode == 0
    monkeypatch.setenv("FFHOOKS_HOOK_SERVER", "on")
    served.mkdir(mode=0o755)  # others may enter: not used, not made private either
    served.chmod(0o755)
    assert ff("add", "205", "1h", "--start", "11:00").code == 0
    done = commit(plain, "--allow-empty", "-m", "unsafe")
    assert done.returncode == 0 and FOLDED in done.stderr, done.stderr
    time.sleep(0.5)
    assert servers(served) == [] and list(served.iterdir()) == []
    assert billed(ff) == 2 * 3600


def test_only_a_folder_of_ones_own_that_nobody_else_enters_holds_sockets(tmp_path: Path) -> None:
    import socket

    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    assert hook_client.private(str(mine))
    mine.chmod(0o750)
    assert not hook_client.private(str(mine))
    mine.chmod(0o700)
    (tmp_path / "link").symlink_to(mine)
    assert not hook_client.private(str(tmp_path / "link"))
    with socket.socket(socket.AF_UNIX) as sock:  # not a folder, whatever its mode
        sock.bind(str(mine / "s"))
        (mine / "s").chmod(0o700)
        assert not hook_client.private(str(mine / "s"))


def test_a_team_that_signs_is_not_served(tmp_path: Path) -> None:
    from ffhooks.server.server import _signs

    team = tmp_path / ".flowforge" / "team"
    assert not _signs(str(tmp_path))  # no config: the defaults
    team.mkdir(parents=True)
    for text, signs in (
        ('{"signatures": "off"}', False),
        ("{}", False),
        ('{"signatures": "warn"}', True),
        ('{"signatures": "required"}', True),
        ("{ broken", True),  # the hook's own process says what is wrong
    ):
        (team / "config.json").write_text(text)
        assert _signs(str(tmp_path)) is signs, text


def test_the_served_hook_imports_nothing_of_the_hook(served: Path, plain: Path) -> None:
    """The process that asks the server imports no pathlib, json or datetime: what it
    would otherwise import is the cost the server saves."""
    assert commit(plain, "--allow-empty", "-m", "setup").returncode == 0
    one_server(served)
    script = shutil.which("ffhooks")
    assert script is not None
    traced = subprocess.run(
        (sys.executable, "-X", "importtime", script, "hook"),
        cwd=plain,
        capture_output=True,
        text=True,
    )
    assert traced.returncode == 0, traced.stderr
    imported = {
        line.rsplit("|", 1)[1].strip() for line in traced.stderr.splitlines() if "|" in line
    }
    assert "ffhooks.server.client" in imported
    assert not imported & {"pathlib", "json", "datetime", "ffhooks.commands.hook"}, imported


def test_off_by_default_and_on_per_clone_or_per_user(
    served: Path, plain: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No server unless the user turned it on: `ffhooks server on` (this clone) or `--global`
    (every clone of theirs); `FFHOOKS_HOOK_SERVER=off` wins over both."""
    monkeypatch.delenv("FFHOOKS_HOOK_SERVER")
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    assert commit(plain, "--allow-empty", "-m", "default").returncode == 0
    time.sleep(0.5)
    assert servers(served) == [] and not served.exists()
    status = ffhooks(plain, "server", "status")
    assert "hook server: off (the default;" in status and "not running" in status
    assert ff("server", "on").code == 0
    assert git(plain, "config", "ffhooks.hookServer").strip() == "true"
    assert "hook server: on (git config ffhooks.hookServer)" in ffhooks(plain, "server", "status")
    assert ff("add", "205", "1h", "--start", "11:00").code == 0
    assert commit(plain, "--allow-empty", "-m", "on").returncode == 0
    pid = one_server(served)
    assert f"running, pid {pid}" in ffhooks(plain, "server", "status")
    assert f"(pid {pid})" in ffhooks(plain, "server", "stop")
    wait_for(lambda: servers(served) == [], "the server to stop")
    assert ff("server", "off").code == 0
    assert ff("server", "on", "--global").code == 0  # every clone of this user's
    assert git(plain, "config", "--global", "ffhooks.hookServer").strip() == "true"
    monkeypatch.setenv("FFHOOKS_HOOK_SERVER", "off")
    assert ff("add", "205", "1h", "--start", "13:00").code == 0
    assert commit(plain, "--allow-empty", "-m", "env off").returncode == 0
    time.sleep(0.5)
    assert servers(served) == []
    assert billed(ff) == 3 * 3600


def ffhooks(repo: Path, *args: str) -> str:
    """What the console script prints (the installation a commit's hook runs: this test's
    process has other import paths, so another server would be its own)."""
    done = subprocess.run(("ffhooks", *args), cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_commit_path_never_imports_the_server_when_it_is_off(plain: Path) -> None:
    """The opt-in wing costs nothing to those who leave it off: `ffhooks hook` (as git runs
    it, the console script) imports no module of `ffhooks.server`."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    env.pop("FFHOOKS_HOOK_SERVER", None)
    script = "import sys; sys.argv = ['ffhooks', 'hook']; from ffhooks.main import cli; cli()"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=plain, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert "ffhooks.hook.server_switch" in imported  # this installation's code asked
    assert [name for name in imported if name.startswith("ffhooks.server")] == []
