from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from ffhooks.main import main

NOW = "2026-11-20T17:00:00Z"  # a Friday


class Result(NamedTuple):
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ("git", *args), cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's git config or home; one that picks no folder runs in an
    empty non-repository folder, so anything needing a repository fails loudly."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test\n\temail = tester@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("TZ", "UTC")
    # each hook in its own process, as tests kill, trace and time it (the hook server's own
    # tests turn it on: tests/server/server_test.py)
    monkeypatch.setenv("FFHOOKS_HOOK_SERVER", os.environ.get("FFHOOKS_TEST_HOOK_SERVER", "off"))
    # `ffhooks` and `pre-commit` run as subprocesses must be this interpreter's console
    # scripts, found even when its virtualenv is not activated.
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable), prepend=os.pathsep)
    for name in ("FFHOOKS_USER", "FFHOOKS_NOW", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("not-a-repo"))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh git repository as the current folder, user alice, the clock at NOW."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    monkeypatch.chdir(path)
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    monkeypatch.setenv("FFHOOKS_NOW", NOW)
    yield path


@pytest.fixture
def ff(capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `ffhooks ARGS...` in this process; returns exit code and output."""

    def run(*argv: str) -> Result:
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def sessions(ff: Any, *extra: str) -> list[dict[str, Any]]:
    result = ff("log", "--all", "--json", *extra)
    assert result.code == 0, result.err
    found: list[dict[str, Any]] = result.json()["sessions"]
    return found


def store_dir(repo: Path, user: str = "alice") -> Path:
    return repo / ".flowforge" / "user" / user


def set_now(monkeypatch: pytest.MonkeyPatch, instant: str) -> None:
    monkeypatch.setenv("FFHOOKS_NOW", instant)


SUMMARIES = ".flowforge/team/summaries"


def commit(repo: Path, *args: str, terminal: bool = False) -> subprocess.CompletedProcess[str]:
    """`git commit -q ARGS`: as an IDE runs it (no terminal), or with `terminal`, as a
    developer types it (what the terminal shows, in `stdout`)."""
    return run_in(repo, ("git", "commit", "-q", *args), terminal=terminal)


def run_in(
    cwd: Path, argv: tuple[str, ...], env: dict[str, str] | None = None, *, terminal: bool = False
) -> subprocess.CompletedProcess[str]:
    """`argv` in `cwd`: with `terminal`, typed at a terminal (what it shows is in `stdout`);
    else with no controlling terminal, as an IDE or a script runs it."""
    if terminal:
        return on_terminal(argv, cwd, env)
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, check=False, start_new_session=True
    )


def on_terminal(
    argv: tuple[str, ...], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `argv` on a pseudo-terminal of its own, as a person at a terminal does; `stdout`
    is what the terminal shows at the end (a terminal emulator, pyte, renders every cursor
    movement and erasure), `stderr` is empty."""
    import fcntl
    import struct
    import termios

    import pyte

    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 256, 160, 0, 0))
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=follower,
            stdout=follower,
            stderr=follower,
            start_new_session=True,
            # the terminal becomes the controlling one: /dev/tty is it
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
    finally:
        os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:  # EIO: every process holding the terminal has ended
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    code = proc.wait(timeout=120)
    screen = pyte.Screen(160, 256)
    pyte.ByteStream(screen).feed(drawn)
    shown = "\n".join(line.rstrip() for line in screen.display).strip("\n")
    return subprocess.CompletedProcess(argv, code, shown + "\n", "")


def tree_total(repo: Path, ref: str = "HEAD") -> int:
    out = subprocess.run(
        ("ffhooks", "report", "--format", "json", "--ref", ref),
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    total: int = json.loads(out)["totals"]["billable_seconds"]
    return total


def clean_team_folder(repo: Path) -> bool:
    return git(repo, "status", "--porcelain", "--", ".flowforge") == ""


@pytest.fixture
def initialised(repo: Path, ff: Any) -> Path:
    """A repository after `ffhooks init --no-hook`: a commit here runs no hook (time is
    folded by `ffhooks aggregate`)."""
    assert ff("init", "--no-hook").code == 0
    return repo


@pytest.fixture
def hooked(repo: Path, ff: Any) -> Path:
    """A repository set up as the README says: `ffhooks init` (which installs the hook)."""
    return install_hooks(repo, ff, "pre-commit")


@pytest.fixture(params=["pre-commit", "prek"])
def hooked_by(repo: Path, ff: Any, request: pytest.FixtureRequest) -> Path:
    """`hooked`, under pre-commit and under prek (its drop-in in Rust), in turn."""
    return install_hooks(repo, ff, request.param)


def install_hooks(repo: Path, ff: Any, framework: str) -> Path:
    assert shutil.which(framework) and shutil.which("ffhooks")
    assert ff("init").code == 0  # which installs pre-commit's hook
    if framework != "pre-commit":
        subprocess.run((framework, "install", "-f"), cwd=repo, check=True, capture_output=True)
    return repo


def stderr_on_a_terminal(cwd: Path, *argv: str) -> str:
    """What `ffhooks ARGV` writes to stderr when that is a terminal (a pseudo-terminal)."""
    import os

    leader, follower = os.openpty()
    proc = subprocess.run(("ffhooks", *argv), cwd=cwd, stderr=follower, stdout=subprocess.PIPE)
    os.close(follower)
    drawn = os.read(leader, 1 << 20).decode()
    os.close(leader)
    assert proc.returncode == 0, drawn
    return drawn


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The server turned on, its sockets in a folder of this test's (a socket's path must be
    short, so not under pytest's tmp_path); every server started here is stopped after."""
    run = Path(tempfile.mkdtemp(prefix="ffrun", dir="/tmp"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    monkeypatch.setenv("FFHOOKS_HOOK_SERVER", "on")
    folder = run / f"ffhooks-{os.getuid()}"
    yield folder
    for pid in servers(folder):
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(run)


def servers(folder: Path) -> list[int]:
    """The processes serving hooks from sockets in `folder`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"ffhooks.server.server" in cmdline and str(folder).encode() in cmdline:
            found.append(int(entry.name))
    return found


def wait_for(check: Any, what: str, seconds: float = 15.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds:g} s for {what}")


def one_server(folder: Path) -> int:
    """The pid of the one server, once it listens."""
    [pid] = wait_for(lambda: servers(folder), "the server")
    wait_for(lambda: list(folder.glob("*.sock")), "its socket")
    return pid
