from __future__ import annotations

from ffhooks.commands._common import hhmm
from ffhooks.context import Context
from ffhooks.store import timer


def cancel(ctx: Context) -> int:
    """Drop the running or paused timer: nothing is recorded."""
    with ctx.store() as store:
        old = timer.cancel(store)
        if old.running:
            print(f"Cancelled {old.running.task} (running since {hhmm(old.running.start, store)})")
        elif old.paused:
            print(f"Cancelled the paused timer on {old.paused.task}")
    return 0
