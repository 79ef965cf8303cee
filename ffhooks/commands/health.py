from __future__ import annotations

import json
import os

from ffhooks.clock import now_from_env
from ffhooks.git.plumbing import Repo
from ffhooks.records import Any
from ffhooks.recovery.daemon_state import health_path, judge, lock_held
from ffhooks.validator.schema import read_json


def health(repo: Repo, *, as_json: bool) -> int:
    """What the daemon last did; exit 1 when one that ran is not running or not doing its
    job. The daemon is optional: one that never ran here is no problem in itself."""
    path = health_path(repo.state_dir)
    fix = "delete it: a running daemon writes it again after its next round"
    try:
        doc: dict[str, Any] = read_json(path, str(path), fix, "health")
    except FileNotFoundError:
        return never_ran(repo, as_json=as_json)
    verdict = judge(doc, now_from_env(os.environ), lock_held(repo.state_dir))
    if as_json:
        print(json.dumps({**doc, "running": verdict.running, "problems": verdict.problems}))
        return 1 if verdict.problems else 0
    state = "running" if verdict.running else "not running"
    snap = doc["last_snapshot"]
    error = doc["last_error"]
    n = doc["queue_length"]
    lines = [
        f"daemon: {state} (pid {doc['pid']}, started {doc['started']}, every {doc['interval']:g}s)",
        f"last round: {doc['updated']} (round {doc['rounds']})",
        f"last success: {doc['last_success'] or 'none yet'}",
        "last snapshot: " + (f"{snap['id']} at {snap['created']}" if snap else "none (no store)"),
        "queue: " + (f"{n} waiting" if n else "empty"),
        "last error: " + (f"{error['at']}: {error['message']}" if error else "none"),
    ]
    if doc["stopped"]:
        lines.append(f"stopped: {doc['stopped']['at']} on {doc['stopped']['signal']}")
    lines += [f"problem: {p}" for p in verdict.problems]
    print("\n".join(lines))
    return 1 if verdict.problems else 0


def never_ran(repo: Repo, *, as_json: bool) -> int:
    """No health file: no daemon ever ran in this clone. Only failures waiting in the queue,
    which a daemon would have retried, are a problem then."""
    from ffhooks.queue import reminder

    waiting = reminder(repo.state_dir)
    problems = [waiting] if waiting else []
    if as_json:
        print(json.dumps({"running": False, "problems": problems}))
    else:
        lines = [
            "daemon: never ran in this clone (it is optional: `ffhooks daemon` takes "
            "snapshots and retries failures in the background)"
        ]
        print("\n".join(lines + [f"problem: {p}" for p in problems]))
    return 1 if problems else 0
