from __future__ import annotations

from ffhooks.commands._common import hhmm, instant, tagged
from ffhooks.context import Context
from ffhooks.store import timer


def resume(ctx: Context, *, at: str | None) -> int:
    with ctx.store() as store:
        running = timer.resume(store, instant(at, store, ctx.now))
        print(f"Resumed {tagged(running.task, running.tags)} at {hhmm(running.start, store)}")
    return 0
