"""`ffhooks prune`: remove the caller's private detail older than the team's retention, once
the committed summaries (and closed periods) hold it (recovery/retention.py)."""

from __future__ import annotations

import json

from ffhooks.context import Context
from ffhooks.recovery.retention import prune as prune_store


def prune(ctx: Context, *, dry_run: bool, as_json: bool) -> int:
    config = ctx.config()
    with ctx.store() as store:
        done = prune_store(ctx.repo, store, config, dry_run=dry_run)
    if done is None:
        text = (
            "the team config sets no retention, so nothing is removed: "
            "`ffhooks config set retention '{\"days\": 365}'` keeps a year"
        )
        print(json.dumps({"retention": None, "note": text}) if as_json else text.capitalize())
        return 0
    if as_json:
        print(json.dumps({"dry_run": dry_run, **done._asdict()}, indent=2))
        return 0
    verb = "Would remove" if dry_run else "Removed"
    if done.months or done.files:
        months = ", ".join(done.months) or "months pruned before"
        print(f"{verb} the private detail of {months}: {len(done.files)} daily file(s)")
    else:
        print("No private detail is old enough to remove, or all of it is still needed")
    if done.snapshots:
        print(f"{verb} {len(done.snapshots)} snapshot(s) older than the retention")
    for month, why in done.kept:
        print(f"  kept {month}: {why}")
    return 0
