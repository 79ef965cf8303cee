from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest


def left_behind(mark: str) -> list[int]:
    """The processes whose environment holds `mark`: what the demo started, and its own."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone, or not a process
            continue
        if mark.encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="no /proc")
def test_demo_runs_a_team_week_end_to_end(tmp_path: Path) -> None:
    """As a newcomer runs it at a terminal: what it prints, the team it leaves, and nothing
    else: no line written on the terminal by a hook, no process still running."""
    import fcntl
    import termios

    folder = tmp_path / "demo"
    mark = f"FFHOOKS_DEMO_TEST={folder}"
    run = Path(tempfile.mkdtemp(prefix="ffrun", dir="/tmp"))  # a hook server's socket: short
    env = {**os.environ, "XDG_RUNTIME_DIR": str(run), "TERM": "xterm"}
    env["FFHOOKS_DEMO_TEST"] = str(folder)
    env.pop("FFHOOKS_HOOK_SERVER")  # as the demo chooses, not as the tests do
    leader, follower = os.openpty()
    written: list[bytes] = []

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # EIO: no process holds the terminal any more
                return
            if not chunk:
                return
            written.append(chunk)

    reader = threading.Thread(target=read_terminal)
    reader.start()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ffhooks", "demo", str(folder)],
            stdin=follower,  # the terminal it is run from; what it prints is piped
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            env=env,
            start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(follower)
        reader.join(timeout=10)
        survivors = left_behind(mark)
    finally:
        for pid in left_behind(mark):
            os.kill(pid, signal.SIGKILL)
        os.close(leader)
        shutil.rmtree(run)
    assert proc.returncode == 0, proc.stderr
    assert survivors == []  # the first commit would have left a hook server running
    assert b"".join(written) == b""  # every hook's line went to the demo, not the terminal
    out = proc.stdout
    assert proc.stderr == "" and "\x1b" not in out
    # one commit as the terminal showed it: the commit hook's line in pre-commit's row
    assert "\n    ffhooks: ana +6h45m billable in 2026-11, staged....." in out
    assert out.count("billable in 2026-11, staged") == 1 and "....Passed\n" in out
    # ana 6h45m billable a day, ben 7h15m, cleo 7h: five days, read from a fresh clone
    assert "TOTAL         105:00:00       2:30:00        35" in out
    # and then what to do in a repository of one's own
    steps = out[out.index("TOTAL") :]
    assert "\nNext steps, in a repository of your own:\n" in steps
    assert steps.count("    ffhooks init ") == 2  # the lead, then each developer
    assert steps.rstrip().endswith("the README and docs/ of ffhooks' source say the rest.")
    assert (folder / "report.html").read_text().startswith("<!DOCTYPE html>")
    log = subprocess.run(
        ["git", "log", "--oneline", "--merges", "main"],
        cwd=folder / "manager",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Merge feature/42-export" in log
    again = subprocess.run(
        [sys.executable, "-m", "ffhooks", "demo", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 1 and "not empty" in again.stderr
