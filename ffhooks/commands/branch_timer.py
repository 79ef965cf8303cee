from __future__ import annotations

import sys

from ffhooks.commands._common import branch_task, limits
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.store import timer


def branch_timer(ctx: Context, *, checkout_type: str) -> int:
    """post-checkout: a running timer follows the branch to the task it names.

    Only a branch switch counts (not a file checkout), only a running timer moves, and a
    problem is one line on stderr, never a failed checkout.
    """
    if checkout_type != "1":
        return 0
    try:
        with ctx.store() as store:
            running = store.timer().running if store.exists else None
            if running is None:
                return 0
            task = branch_task(ctx)
            if task == running.task:
                return 0
            timer.start(
                store, task, ctx.now, limits(ctx, False), billable=running.billable, note=None
            )
            print(f"ffhooks: timer switched from {running.task} to {task}", file=sys.stderr)
    except FatalError as exc:
        print(f"ffhooks: timer left as it was: {exc}", file=sys.stderr)
    return 0
