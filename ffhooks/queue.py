"""The failure queue: one JSON file per failed operation, under the clone's machine state.

`ffhooks recover` lists and retries them; nothing here ever blocks a commit.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ffhooks.clock import to_iso
from ffhooks.errors import FatalError
from ffhooks.fsio import write_json
from ffhooks.records import Any
from ffhooks.validator.schema import read_json


def queued(state_dir: Path, operation: str, user: str, exc: Exception, now: datetime) -> str:
    """Queue `exc`, the failure of `operation` for `user` (a bug's traceback logged too):
    says why it failed and where it went, for one line of the command's."""
    reason = str(exc) if isinstance(exc, FatalError) else f"internal error {exc!r}"
    if not isinstance(exc, FatalError):
        log_bug(state_dir)
    try:
        where = f"queued in {record(state_dir, operation, user, reason, now).parent}"
    except Exception:
        where = "could not even queue it"
    return f"({reason}); it is safe in the store, {where}: run `ffhooks recover`"


def log_bug(state_dir: Path | None) -> str:
    """Write the traceback of an unexpected error to the clone's log (outside a clone, the
    user's cache); say where it went."""
    import sys
    import traceback

    from ffhooks import __version__

    folder = Path.home() / ".cache" / "ffhooks" if state_dir is None else state_dir
    path = folder / "ffhooks.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > 1_000_000:
            path.replace(path.with_suffix(".log.1"))
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"ffhooks {__version__} {sys.argv}\n{traceback.format_exc()}\n")
    except OSError:
        return "(and the log could not be written)"
    return f"(details in {path})"


def queue_dir(state_dir: Path) -> Path:
    return state_dir / "queue"


def record(state_dir: Path, operation: str, user: str, reason: str, now: datetime) -> Path:
    """Queue a failure; the same operation failing again bumps its attempts instead."""
    folder = queue_dir(state_dir)
    for path, entry in entries(state_dir):
        if entry["operation"] == operation and entry["user"] == user:
            write_json(
                path,
                {**entry, "reason": reason, "last": to_iso(now), "attempts": entry["attempts"] + 1},
            )
            return path
    path = folder / f"{now:%Y%m%dT%H%M%SZ}-{operation}-{user}-{os.getpid()}.json"
    write_json(
        path,
        {
            "version": 1,
            "operation": operation,
            "user": user,
            "reason": reason,
            "created": to_iso(now),
            "last": to_iso(now),
            "attempts": 1,
        },
    )
    return path


def entries(state_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    folder = queue_dir(state_dir)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json")):
        found.append(
            (path, read_json(path, str(path), "move it out of the queue folder", "queue-entry"))
        )
    return found


def done(path: Path) -> None:
    path.unlink(missing_ok=True)


def reminder(state_dir: Path) -> str | None:
    """What to tell a person at a timer command while failures wait in the queue: a commit
    from an IDE, or under prek, shows nothing of what its hook said. One `listdir`."""
    try:
        waiting = sum(1 for n in os.listdir(queue_dir(state_dir)) if n.endswith(".json"))
    except OSError:
        return None
    if not waiting:
        return None
    return (
        f"{waiting} failure(s) of ffhooks wait in this clone's queue (a commit's hook could "
        "not fold the time, or keep its snapshot; the time is safe in your store): run "
        "`ffhooks recover`"
    )
