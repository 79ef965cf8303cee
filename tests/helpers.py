"""What more than one test module uses, beside the fixtures of conftest.py."""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

TIMED_RUNS = 3  # uninterrupted runs of each command: how long it takes; when it locks

CONFIG = ".flowforge/team/config.json"
SIGNERS = ".flowforge/team/allowed_signers"


def keygen(folder: Path, name: str) -> Path:
    """A new Ed25519 key of `name` (no passphrase) in `folder`: its private key's path."""
    key = folder / f"{name}_ed25519"
    subprocess.run(
        ("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key), "-C", name), check=True
    )
    return key


def set_config(repo: Path, **settings: Any) -> None:
    path = repo / CONFIG
    path.write_text(json.dumps({**json.loads(path.read_text()), **settings}))


def iso(instant: datetime) -> str:
    return f"{instant:%Y-%m-%dT%H:%M:%SZ}"


def _holds_a_lock(pid: int) -> bool:
    """Whether a process has a store's (or the snapshot area's) `.lock` open (Linux)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").endswith("/.lock"):
                return True
        except OSError:
            continue
    return False


class Killer:
    """Runs `ffhooks ARGV` as a real process. Each command is first measured: TIMED_RUNS
    runs for how long it takes, TIMED_RUNS more watched for when it opens its lock. Then
    each run is SIGKILLed after a random delay drawn within that work; a kill landed if the
    process had not exited yet."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.durations: dict[str, list[float]] = {}
        self.locked_at: dict[str, list[float]] = {}  # when it had opened a `.lock`
        self.watched: Counter[str] = Counter()
        self.attempts: Counter[str] = Counter()
        self.landed: Counter[str] = Counter()

    def delay(self, name: str) -> float:
        """From about when the command opens its store's lock (before that it only starts
        Python and imports: most of a short command's run) to the end of its usual run."""
        took = min(self.durations[name])  # a slow measured run would draw many misses
        locks = self.locked_at[name]
        work = statistics.median(locks) if locks else 0.5 * took  # no /proc: half way
        return self.rng.uniform(min(0.9 * work, 0.8 * took), 1.2 * took)

    def run(self, name: str, argv: list[str], cwd: Path) -> bool:
        """True if the process was killed before it exited."""
        durations = self.durations.setdefault(name, [])
        locked_at = self.locked_at.setdefault(name, [])
        measuring = len(durations) < TIMED_RUNS
        watching = not measuring and self.watched[name] < TIMED_RUNS and os.path.isdir("/proc")
        started = time.monotonic()
        # a session of its own: the kill hits ffhooks alone, as a crash of ffhooks would,
        # and any git it started (each git command one atomic step) is waited for below
        proc = subprocess.Popen(
            ["ffhooks", *argv],
            cwd=cwd,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if measuring or watching:
            seen = None
            while watching and proc.poll() is None and seen is None:
                if _holds_a_lock(proc.pid):
                    seen = time.monotonic() - started
                time.sleep(0.001)
            assert proc.wait() == 0, f"ffhooks {' '.join(argv)} failed uninterrupted"
            if measuring:
                durations.append(time.monotonic() - started)
            if seen is not None:
                locked_at.append(seen)
            self.watched[name] += watching
            return False
        try:
            proc.wait(timeout=self.delay(name))
            # it ended first: the machine runs it faster now than when it was measured, and
            # later delays are drawn within how long it takes now (a busy machine that
            # quietens would otherwise draw most kills too late)
            durations.append(time.monotonic() - started)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.002)
        landed = proc.returncode == -signal.SIGKILL
        assert landed or proc.returncode == 0, f"ffhooks {' '.join(argv)}: {proc.returncode}"
        self.attempts[name] += 1
        self.landed[name] += landed
        return landed


def track(ff: Any, repo: Path, user: str, *entries: tuple[str, str, str]) -> None:
    """Add each (task, duration, start) as `user` (a new user is fine), aggregate, and
    commit the team folder (the team config too, as `ffhooks init` asks)."""
    from conftest import commit, git

    for task, duration, start in entries:
        result = ff("add", task, duration, "--start", start, "--user", user, "--new-user")
        assert result.code == 0, result.err
    assert ff("aggregate").code == 0
    git(repo, "add", ".flowforge/team")
    assert commit(repo, "-m", "time").returncode == 0


def read_summary(path: Path) -> dict[str, Any]:
    """A summary file's content as ffhooks' readers hold it, in either format (its cells as
    objects): what a test edits."""
    from ffhooks import summary

    return summary.loads(path.read_bytes(), str(path), "")


def summary_json(doc: dict[str, Any], indent: int | None = None) -> str:
    """A summary (cells as objects) as JSON text in its own format's form (format 2: cells
    as arrays): what a test writes back, edited."""
    from ffhooks import summary

    return json.dumps(summary.written_form(doc), indent=indent)
