"""Layer 2: one background daemon per clone, taking snapshots and retrying queued failures.

Each round snapshots the user's private store (an unchanged store adds no snapshot), applies
the team's retention where the team config sets one (recovery/retention.py), and retries the
queued operations that do not write into the work tree. The daemon never writes
into the team folder: a write there could collide with pre-commit's stash of unstaged
changes. Nothing a round does can stop the daemon: a failure is written to the health file
and the log, and the next round tries again. It prints nothing. The lock it holds while it
runs, its health file and its log are `recovery/daemon_state.py`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ffhooks.clock import to_iso
from ffhooks.git.plumbing import Repo
from ffhooks.records import Any, NamedTuple
from ffhooks.recovery.daemon_state import log, new_health, single_instance, why, write_health

TYPE_CHECKING = False
if TYPE_CHECKING:  # imported when the rounds begin: the store machinery
    from ffhooks.context import Context


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
    from ffhooks.recovery.recovery import WORKTREE_OPERATIONS, retry, take_snapshot

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
        errors.append(f"snapshot: {why(exc)}")
    try:
        _prune(ctx)
    except Exception as exc:
        errors.append(f"prune: {why(exc)}")
    retried: list[str] = []
    try:
        waiting = queue.entries(state)
    except Exception as exc:
        errors.append(f"queue: {why(exc)}")
        waiting = []
    for path, entry in waiting:
        if entry["operation"] in WORKTREE_OPERATIONS:
            continue  # only `ffhooks recover retry` may write into the work tree
        what = f"{entry['operation']} for {entry['user']}"
        try:
            retry(ctx, entry)
            queue.done(path)
        except Exception as exc:
            reason = why(exc)
            errors.append(f"retry {what}: {reason}")
            try:
                queue.record(state, entry["operation"], entry["user"], reason, ctx.now)
            except Exception as again:
                errors.append(f"queue: {why(again)}")
            continue
        retried.append(what)
    return Round(snapshot=taken, retried=retried, errors=errors, queue_length=queue_length(state))


def _prune(ctx: Context) -> None:
    """The team's retention applied to the store, where the team config sets one; what
    went is written to the log."""
    config = ctx.config()
    if not config.retention:
        return
    from ffhooks.recovery.retention import prune

    with ctx.store() as store:
        done = prune(ctx.repo, store, config, dry_run=False)
    if done is not None and (done.months or done.files or done.snapshots):
        months = ", ".join(done.months) or "months pruned before"
        log(
            ctx.repo.state_dir,
            ctx.now,
            f"retention: removed the private detail of {months} ({len(done.files)} daily "
            f"file(s)) and {len(done.snapshots)} snapshot(s)",
        )


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
        last = Round(snapshot=None, retried=[], errors=[], queue_length=0)
        while True:
            now = clock()
            done = run_round(Context(repo=repo, user=user, now=now))
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
