"""What a clone's daemon leaves in <git-common-dir>/ffhooks/, and what `ffhooks health`
reads from it:

    daemon.lock       held (flock) while a daemon runs; holds its pid
    health.json       rewritten atomically after every round (schema: health)
    daemon.log        one line per event, rotated to daemon.log.1 past LOG_LIMIT bytes

The daemon's loop is `recovery/daemon.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ffhooks.clock import to_iso
from ffhooks.errors import FatalError
from ffhooks.fsio import held, write_json
from ffhooks.records import Any, NamedTuple

LOG_LIMIT = 1_000_000  # bytes of daemon.log before it is rotated to daemon.log.1
STALE_INTERVALS = 3  # a health file not updated for this many intervals: not running
# Instants are whole seconds and a round takes a moment: this much more before "not running".
STALE_SLACK = 5.0


def health_path(state_dir: Path) -> Path:
    return state_dir / "health.json"


def log_path(state_dir: Path) -> Path:
    return state_dir / "daemon.log"


def lock_path(state_dir: Path) -> Path:
    return state_dir / "daemon.lock"


class AlreadyRunning(FatalError):
    def __init__(self, path: Path, pid: int | None) -> None:
        who = f"pid {pid}" if pid else "pid unknown"
        super().__init__(
            f"a daemon already runs for this clone ({who}, lock {path}): "
            "stop it first (kill -TERM), or check it with `ffhooks health`"
        )
        self.pid = pid


def log(state_dir: Path, now: datetime, message: str, *, limit: int = LOG_LIMIT) -> None:
    """Append one line; past `limit` bytes the log first moves to daemon.log.1 (replacing
    the older one), so the two never hold much more than twice `limit`. A log that cannot be
    written is not worth stopping the daemon for."""
    path = log_path(state_dir)
    line = f"{to_iso(now)} {' '.join(message.split())}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if path.stat().st_size > limit:
                path.replace(path.with_name(path.name + ".1"))
        except FileNotFoundError:
            pass
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line)
    except OSError:
        pass


def _pid_in(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@contextmanager
def single_instance(state_dir: Path, pid: int) -> Iterator[None]:
    """Hold the clone's daemon lock, or raise AlreadyRunning naming the running pid.

    `flock` is released by the kernel however the process ends, so a crashed daemon never
    leaves a stale lock behind; the file itself stays (removing a lock file races).
    `ffhooks health` holds the lock for an instant to see whether a daemon runs: a start at
    that very instant waits it out (half a second) rather than refusing.
    """
    path = lock_path(state_dir)
    try:
        with held(path, 0.5) as fd:
            if fd is not None:  # filelock (no fcntl) keeps no pid
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{pid}\n".encode(), 0)
            yield
    except TimeoutError as exc:
        if exc.args != (path,):
            raise
        raise AlreadyRunning(path, _pid_in(path)) from None


def lock_held(state_dir: Path) -> bool | None:
    """Whether a daemon holds the clone's lock right now; None where that cannot be told."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fd = os.open(lock_path(state_dir), os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def why(exc: Exception) -> str:
    """A failure in one line, for the log and the health file."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    if isinstance(exc, FatalError):
        return str(exc)
    return f"internal error {exc.__class__.__name__}: {exc}"


def new_health(pid: int, started: datetime, interval: float) -> dict[str, Any]:
    return {
        "version": 1,
        "pid": pid,
        "started": to_iso(started),
        "updated": to_iso(started),
        "interval": interval,
        "rounds": 0,
        "last_snapshot": None,
        "last_success": None,
        "last_error": None,
        "queue_length": 0,
        "stopped": None,
    }


def write_health(state_dir: Path, health: dict[str, Any], now: datetime) -> None:
    try:
        write_json(health_path(state_dir), health)
    except OSError as exc:
        log(state_dir, now, f"cannot write {health_path(state_dir)}: {why(exc)}")


class HealthVerdict(NamedTuple):
    running: bool
    problems: list[str]  # empty: healthy


def judge(health: dict[str, Any], now: datetime, held: bool | None) -> HealthVerdict:
    """Whether the daemon runs and does its job, from its health file and whether its lock
    is `held` (None: unknown)."""
    from ffhooks.clock import parse_iso

    problems = []
    running = True
    stopped = health["stopped"]
    age = (now - parse_iso(health["updated"])).total_seconds()
    if stopped is not None:
        running = False
        problems.append(
            f"the daemon is not running: it stopped at {stopped['at']} on {stopped['signal']}"
        )
    elif held is False:
        running = False
        problems.append(
            "the daemon is not running: no process holds its lock (it was killed, or ran "
            f"with --once); its last round was at {health['updated']}"
        )
    elif age > STALE_INTERVALS * health["interval"] + STALE_SLACK:
        running = False
        problems.append(
            f"the daemon is not running: its last round was at {health['updated']}, "
            f"{age:.0f}s ago, and it runs every {health['interval']:g}s"
        )
    error = health["last_error"]
    if error is not None and error["round"] >= health["rounds"]:
        problems.append(f"its last round failed at {error['at']}: {error['message']}")
    n = health["queue_length"]
    if n:
        waits = "operations wait" if n > 1 else "operation waits"
        problems.append(f"{n} failed {waits} in the queue: run `ffhooks recover`")
    return HealthVerdict(running, problems)
