from __future__ import annotations

from ffhooks import timer
from ffhooks.commands._common import describe, instant, limits, local_days, warn_if_closed
from ffhooks.context import Context


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
