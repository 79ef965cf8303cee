from __future__ import annotations

from ffhooks.commands._common import describe, instant, limits, remind
from ffhooks.context import Context
from ffhooks.store import timer


def stop(ctx: Context, *, note: str | None, at: str | None, force: bool) -> int:
    with ctx.store() as store:
        old, ended = timer.stop(store, instant(at, store, ctx.now), limits(ctx, force), note)
        if ended:
            print(f"Stopped {describe(ended, store)}")
        elif old.paused:
            print(f"Dropped the paused timer on {old.paused.task}")
        else:
            print("Stopped: the timer had run for 0 seconds, nothing recorded")
    remind(ctx)
    return 0
