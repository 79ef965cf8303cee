from __future__ import annotations

import json

from ffhooks.clock import format_duration, to_iso
from ffhooks.commands._common import ago, tagged, warnings
from ffhooks.context import Context
from ffhooks.fold.uncommitted import uncommitted_seconds
from ffhooks.records import Any
from ffhooks.store.open import MissingStore
from ffhooks.store.timer import running_seconds


def status(ctx: Context, *, as_json: bool) -> int:
    try:
        return _status(ctx, as_json)
    except MissingStore as lost:
        return _lost(ctx, lost, as_json)


def _lost(ctx: Context, lost: MissingStore, as_json: bool) -> int:
    """A store `git clean` or `rm -rf` took is no "no timer running": say so, and how it
    comes back."""
    result: dict[str, Any] = {
        "user": ctx.user,
        "running": None,
        "paused": None,
        "uncommitted_seconds": None,
        "missing_store": {"what": lost.what, "fix": lost.fix, "snapshot": lost.newest.id},
        "warnings": warnings(ctx),
    }
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        print(lost)
        for warning in result["warnings"]:
            print(f"warning: {warning}")
    return 1


def _status(ctx: Context, as_json: bool) -> int:
    config = ctx.config()
    with ctx.store() as store:
        current = store.timer() if store.exists else None
        result: dict[str, Any] = {
            "user": ctx.user,
            "running": None,
            "paused": None,
            "uncommitted_seconds": uncommitted_seconds(store, ctx.repo, config),
            "warnings": [],
        }
        lines = []
        if current and current.running:
            r = current.running
            seconds = running_seconds(r, ctx.now)
            result["running"] = {
                "task": r.task,
                "start": to_iso(r.start),
                "seconds": seconds,
                "billable": r.billable,
                **({"tags": list(r.tags)} if r.tags else {}),
            }
            kind = "billable" if r.billable else "non-billable"
            shown = tagged(r.task, r.tags)
            lines.append(f"{ctx.user}: tracking {shown}, started {ago(r.start, store)} ({kind})")
            if seconds > config.max_session_seconds:
                result["warnings"].append(
                    f"the timer on {r.task} has run {format_duration(seconds)}, past the team's "
                    f"max_session_hours ({config.max_session_hours:g}h), so the summaries "
                    f"count only {config.max_session_hours:g}h of it: if you forgot it, "
                    "`ffhooks stop --at TIME` records when you really stopped (--force if it "
                    "really ran that long)"
                )
        elif current and current.paused:
            p = current.paused
            result["paused"] = {
                "task": p.task,
                "since": to_iso(p.since),
                "billable": p.billable,
                **({"tags": list(p.tags)} if p.tags else {}),
            }
            shown = tagged(p.task, p.tags)
            lines.append(f"{ctx.user}: {shown} paused {ago(p.since, store)} (`ffhooks resume`)")
        else:
            lines.append(f"{ctx.user}: no timer running")
    if result["uncommitted_seconds"]:
        lines.append(
            f"not yet in any commit: {format_duration(result['uncommitted_seconds'])} "
            "(your next commit folds it)"
        )
    result["warnings"] += warnings(ctx, tracking=store.exists)
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        print("\n".join(lines))
        for warning in result["warnings"]:
            print(f"warning: {warning}")
    return 0
