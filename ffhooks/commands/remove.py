from __future__ import annotations

import sys

from ffhooks.commands._common import describe, local_days, warn_if_closed
from ffhooks.context import Context
from ffhooks.store import timer


def remove(ctx: Context, *, session_id: str, yes: bool = False) -> int:
    with ctx.store() as store:
        session = store.find(session_id)
        if not yes and sys.stdin.isatty() and sys.stdout.isatty():
            try:
                answer = input(f"Remove {describe(session, store)}? [y/N] ")
            except EOFError:
                answer = ""
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing removed")
                return 0
        timer.remove(store, session)
        print(f"Removed {describe(session, store)}")
        warn_if_closed(ctx, local_days([session], store))
    return 0
