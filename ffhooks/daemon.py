"""Layer 2: one background daemon per clone, taking snapshots and retrying queued failures.

    <git-common-dir>/ffhooks/
      daemon.lock       held (flock) while a daemon runs; holds its pid
      health.json       rewritten atomically after every round (schema: health)
      daemon.log        one line per event, rotated to daemon.log.1 past LOG_LIMIT bytes

Each round snapshots the user's private store (an unchanged store adds no snapshot) and
retries the queued operations that do not write into the work tree. The daemon never writes
into the team folder: a write there could collide with pre-commit's stash of unstaged
changes. Nothing a round does can stop the daemon: a failure is written to the health file
and the log, and the next round tries again. It prints nothing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ffhooks.clock import to_iso
from ffhooks.errors import FatalError
from ffhooks.fsio import held, write_json
from ffhooks.gitio import Repo
from ffhooks.records import Any, NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:  # `ffhooks health` needs none of the store machinery
    from ffhooks.context import Context

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


class Stop:
    """Asked from a signal handler; wakes the daemon's sleep at once."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal: str | None = None

    def __call__(self, signal: str) -> None:
        self.signal = self.signal or signal
        self.event.set()


class Round(NamedTuple):
    snapshot: dict[str, Any] | None  # {"id", "created"} of the snapshot holding the store
    retried: list[str]  # "snapshot for alice", ...
    errors: list[str]  # one line per failed step
    queue_length: int


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


def _why(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    if isinstance(exc, FatalError):
        return str(exc)
    return f"internal error {exc.__class__.__name__}: {exc}"


def queue_length(state_dir: Path) -> int:
    """Files waiting in the queue, readable or not (a broken one waits too)."""
    from ffhooks.queue import queue_dir

    try:
        return sum(1 for n in os.listdir(queue_dir(state_dir)) if n.endswith(".json"))
    except (FileNotFoundError, NotADirectoryError):
        return 0


def run_round(ctx: Context) -> Round:
    """Snapshot the store if it changed, then retry what the queue holds and the daemon may
    run. Every step is tried whatever failed before it; nothing raises."""
    from ffhooks import queue
    from ffhooks.recovery import WORKTREE_OPERATIONS, retry, take_snapshot

    state = ctx.repo.state_dir
    errors: list[str] = []
    taken = None
    # A round must never end the daemon: anything a step raises (a broken store file, a full
    # disk, a bug) is reported and the next round tries again.
    try:
        manifest = take_snapshot(ctx, "daemon")
        if manifest is not None:
            taken = {"id": manifest.id, "created": to_iso(manifest.created)}
    except Exception as exc:
        errors.append(f"snapshot: {_why(exc)}")
    retried: list[str] = []
    try:
        waiting = queue.entries(state)
    except Exception as exc:
        errors.append(f"queue: {_why(exc)}")
        waiting = []
    for path, entry in waiting:
        if entry["operation"] in WORKTREE_OPERATIONS:
            continue  # only `ffhooks recover retry` may write into the work tree
        what = f"{entry['operation']} for {entry['user']}"
        try:
            retry(ctx, entry)
            queue.done(path)
        except Exception as exc:
            why = _why(exc)
            errors.append(f"retry {what}: {why}")
            try:
                queue.record(state, entry["operation"], entry["user"], why, ctx.now)
            except Exception as again:
                errors.append(f"queue: {_why(again)}")
            continue
        retried.append(what)
    return Round(taken, retried, errors, queue_length(state))


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


def _after_round(
    state_dir: Path, health: dict[str, Any], done: Round, now: datetime, before: list[str]
) -> None:
    """Fold a round into the health record, log what happened, write the health file."""
    previous = health["last_snapshot"]
    health["rounds"] += 1
    health["updated"] = to_iso(now)
    health["queue_length"] = done.queue_length
    if done.snapshot is not None:
        health["last_snapshot"] = done.snapshot
        if previous is None or previous["id"] != done.snapshot["id"]:
            log(state_dir, now, f"snapshot {done.snapshot['id']} holds the store")
    for what in done.retried:
        log(state_dir, now, f"retried {what}: done")
    if done.errors:
        message = "; ".join(done.errors)
        health["last_error"] = {"at": to_iso(now), "message": message, "round": health["rounds"]}
        if done.errors != before:  # the same failure every round is logged once
            log(state_dir, now, f"round {health['rounds']} failed: {message}")
    else:
        health["last_success"] = to_iso(now)
        if before:
            log(state_dir, now, f"round {health['rounds']} succeeded again")
    write_health(state_dir, health, now)


def write_health(state_dir: Path, health: dict[str, Any], now: datetime) -> None:
    try:
        write_json(health_path(state_dir), health)
    except OSError as exc:
        log(state_dir, now, f"cannot write {health_path(state_dir)}: {_why(exc)}")


def serve(
    repo: Repo,
    user: str,
    clock: Callable[[], datetime],
    stop: Stop,
    *,
    interval: float,
    once: bool,
) -> Round:
    """Run rounds until `stop` is asked (or one, with `once`); the last round's outcome.

    Each round gets a fresh Context (so a fresh "now" from `clock`). A stop asked during a
    round lets it finish: rounds are short and a half-taken snapshot is worth finishing.
    """
    from ffhooks.context import Context

    state = repo.state_dir
    pid = os.getpid()
    with single_instance(state, pid):
        started = clock()
        health = new_health(pid, started, interval)
        log(state, started, f"started: pid {pid}, user {user}, every {interval:g}s")
        last = Round(None, [], [], 0)
        while True:
            now = clock()
            done = run_round(Context(repo, user, now))
            _after_round(state, health, done, clock(), last.errors)
            last = done
            if once or stop.event.wait(interval):
                break
        if stop.signal is not None:
            now = clock()
            health["stopped"] = {"at": to_iso(now), "signal": stop.signal}
            write_health(state, health, now)
            log(state, now, f"stopped by {stop.signal}")
    return last


class Verdict(NamedTuple):
    running: bool
    problems: list[str]  # empty: healthy


def judge(health: dict[str, Any], now: datetime, held: bool | None) -> Verdict:
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
    return Verdict(running, problems)
