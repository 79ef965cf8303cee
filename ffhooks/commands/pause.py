from __future__ import annotations

from ffhooks.commands._common import describe, instant, limits
from ffhooks.context import Context
from ffhooks.store import timer


def pause(ctx: Context, *, reason: str | None, at: str | None, force: bool) -> int:
    with ctx.store() as store:
        ended = timer.pause(store, instant(at, store, ctx.now), limits(ctx, force), reason)
        print(f"Paused: {describe(ended, store)}" if ended else "Paused")
        print("`ffhooks resume` continues it")
    return 0
