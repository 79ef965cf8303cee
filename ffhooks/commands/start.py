from __future__ import annotations

from ffhooks.commands._common import branch_task, describe, hhmm, instant, limits, remind
from ffhooks.context import Context
from ffhooks.store import timer


def start(
    ctx: Context, *, task: str | None, billable: bool, note: str | None, at: str | None, force: bool
) -> int:
    task = task if task is not None else branch_task(ctx)
    with ctx.store(create=True) as store:
        when = instant(at, store, ctx.now)
        current = store.timer().running
        unchanged = current and (current.task, current.billable, note) == (task, billable, None)
        if at is not None and current is not None and unchanged and when != current.start:
            # --at on the task already running: its start was wrong
            timer.change_running(store, current._replace(start=when))
            was = hhmm(current.start, store)
            print(f"Moved the start of {task} to {hhmm(when, store)} (was {was})")
            return 0
        running, ended = timer.start(
            store, task, when, limits(ctx, force), billable=billable, note=note
        )
        if ended:
            print(f"Stopped {describe(ended, store)}")
        if running.start != when:
            print(f"Already tracking {running.task} since {hhmm(running.start, store)}")
        else:
            kind = "billable" if billable else "non-billable"
            print(f"Started {task} at {hhmm(when, store)} ({kind})")
    remind(ctx)
    return 0
