from __future__ import annotations

from ffhooks import timer
from ffhooks.commands._common import describe, local_days, warn_if_closed
from ffhooks.context import Context


def remove(ctx: Context, *, session_id: str) -> int:
    with ctx.store() as store:
        session = store.find(session_id)
        timer.remove(store, session)
        print(f"Removed {describe(session, store)}")
        warn_if_closed(ctx, local_days([session], store))
    return 0
