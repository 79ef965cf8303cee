from __future__ import annotations

from ffhooks.commands._common import hhmm, instant, limits, tagged
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.store import timer


def restart(ctx: Context, *, at: str | None, force: bool) -> int:
    """Start the task of the session that ended last again, billable and tagged as it was."""
    with ctx.store() as store:
        running = store.timer().running
        if running is not None:
            raise FatalError(
                f"a timer is already running on {running.task}: `ffhooks stop` it first"
            )
        last = timer.last_stopped(store)
        when = instant(at, store, ctx.now)
        timer.start(
            store,
            last.task,
            when,
            limits(ctx, force),
            billable=last.billable,
            note=None,
            tags=last.tags,
        )
        kind = "billable" if last.billable else "non-billable"
        print(f"Started {tagged(last.task, last.tags)} again at {hhmm(when, store)} ({kind})")
    return 0
