from __future__ import annotations

from ffhooks.commands._common import (
    branch_task,
    describe,
    hhmm,
    instant,
    limits,
    remind,
    split_tags,
    tagged,
)
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.store import timer


def start(
    ctx: Context,
    *,
    words: list[str],
    billable: bool,
    note: str | None,
    at: str | None,
    force: bool,
) -> int:
    named, tags = split_tags(words)
    if len(named) > 1:
        raise FatalError(
            f"one task at a time, not {len(named)} ({', '.join(named)}): tags start with +, "
            "e.g. `ffhooks start 12 +api`"
        )
    task = named[0] if named else branch_task(ctx)
    with ctx.store(create=True) as store:
        when = instant(at, store, ctx.now)
        current = store.timer().running
        unchanged = (
            current
            and (current.task, current.billable, note) == (task, billable, None)
            and tags in ((), current.tags)
        )
        if at is not None and current is not None and unchanged and when != current.start:
            # --at on the task already running: its start was wrong
            timer.change_running(store, current._replace(start=when))
            was, shown = hhmm(current.start, store), tagged(task, current.tags)
            print(f"Moved the start of {shown} to {hhmm(when, store)} (was {was})")
            return 0
        running, ended = timer.start(
            store, task, when, limits(ctx, force), billable=billable, note=note, tags=tags
        )
        if ended:
            print(f"Stopped {describe(ended, store)}")
        if running.start != when:
            since = hhmm(running.start, store)
            print(f"Already tracking {tagged(running.task, running.tags)} since {since}")
        else:
            kind = "billable" if billable else "non-billable"
            print(f"Started {tagged(task, tags)} at {hhmm(when, store)} ({kind})")
    remind(ctx)
    return 0
