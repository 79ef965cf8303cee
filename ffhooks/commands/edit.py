from __future__ import annotations

from ffhooks.commands._common import (
    describe,
    hhmm,
    instant,
    limits,
    local_days,
    warn_if_closed,
)
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.store import timer
from ffhooks.store.store import Store


def edit(
    ctx: Context,
    *,
    session_id: str,
    start: str | None,
    end: str | None,
    task: str | None,
    billable: bool | None,
    note: str | None,
    force: bool,
) -> int:
    with ctx.store() as store:
        if session_id == "current":
            return _edit_running(ctx, store, start, end, task, billable, note)
        old = store.find(session_id)
        begin = instant(start, store, old.start)
        new = old._replace(
            start=begin,
            # a clock-only --end is on the day the (new) start is
            end=instant(end, store, old.end if start is None else begin),
            task=old.task if task is None else task,
            billable=old.billable if billable is None else billable,
            note=old.note if note is None else (note or None),
        )
        if new == old:
            print("Nothing to change")
            return 0
        timer.edit(store, old, new, limits(ctx, force))
        print(f"Was:  {describe(old, store)}")
        print(f"Now:  {describe(new, store)}")
        warn_if_closed(ctx, local_days([old, new], store))
    return 0


def _edit_running(
    ctx: Context,
    store: Store,
    start: str | None,
    end: str | None,
    task: str | None,
    billable: bool | None,
    note: str | None,
) -> int:
    """`edit current`: the running timer as it should have been."""
    running = store.timer().running
    if running is None:
        raise FatalError("no timer is running: `ffhooks edit ID` corrects a recorded session")
    if end is not None:
        raise FatalError("a running timer has no end yet: `ffhooks stop --at TIME` ends it")
    changed = running._replace(
        start=instant(start, store, running.start),
        task=running.task if task is None else task,
        billable=running.billable if billable is None else billable,
        note=running.note if note is None else (note or None),
    )
    if changed == running:
        print("Nothing to change")
        return 0
    timer.change_running(store, changed)
    kind = "billable" if changed.billable else "non-billable"
    print(f"Running: {changed.task} since {hhmm(changed.start, store)} ({kind})")
    earliest = min(changed.start, running.start).astimezone(store.tz).date()
    warn_if_closed(ctx, [(earliest, ctx.now.astimezone(store.tz).date())])
    return 0
