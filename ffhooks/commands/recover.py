from __future__ import annotations

import json

from ffhooks import queue
from ffhooks.aggregate import aggregate
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.records import Any


def recover(ctx: Context, *, action: str, as_json: bool) -> int:
    """The failure queue: `status` lists it (exit 1 if anything waits), `retry` re-runs it."""
    entries = queue.entries(ctx.repo.state_dir)
    result: dict[str, Any] = {"queue": [], "retried": [], "still_failing": []}
    for path, entry in entries:
        result["queue"].append({**entry, "file": str(path)})
        if action != "retry":
            continue
        try:
            with Context(ctx.repo, entry["user"], ctx.now).store() as store:
                aggregate(store, ctx.repo, ctx.config())
        except FatalError as exc:
            queue.record(ctx.repo.state_dir, entry["operation"], entry["user"], str(exc), ctx.now)
            result["still_failing"].append({"user": entry["user"], "reason": str(exc)})
            continue
        queue.done(path)
        result["retried"].append({"operation": entry["operation"], "user": entry["user"]})
    if as_json:
        print(json.dumps(result, indent=2))
    elif not entries:
        print("Nothing waits in the queue")
    else:
        for item in result["queue"]:
            print(
                f"{item['operation']} for {item['user']}: {item['reason']} "
                f"(failed {item['attempts']}x, last {item['last']})"
            )
        for done in result["retried"]:
            print(f"retried {done['operation']} for {done['user']}: done, summaries staged")
        if action != "retry":
            print("`ffhooks recover retry` runs them again")
    waiting = len(entries) - len(result["retried"])
    return 1 if waiting else 0
