from __future__ import annotations

from datetime import timedelta

from ffhooks.clock import parse_date, parse_duration
from ffhooks.commands._common import describe, instant, limits, local_days, warn_if_closed
from ffhooks.context import Context
from ffhooks.store import rules, timer
from ffhooks.store.sessions import Session, new_session_id


def add(
    ctx: Context,
    *,
    task: str,
    duration: str,
    start: str | None,
    day: str | None,
    billable: bool,
    note: str | None,
    force: bool,
) -> int:
    seconds = parse_duration(duration)
    length = timedelta(seconds=seconds)
    with ctx.store(create=True) as store:
        if start is not None:
            begin = instant(start, store, ctx.now)
        elif day is not None:
            begin = timer.first_free_slot(store, parse_date(day, ctx.now, store.tz), seconds)
        else:
            begin = ctx.now - length  # it just ended
        session = Session(
            id=new_session_id(),
            task=rules.check_task(task),
            start=begin,
            end=begin + length,
            billable=billable,
            note=note,
        )
        timer.add(store, session, limits(ctx, force))
        print(f"Added {describe(session, store)}")
        warn_if_closed(ctx, local_days([session], store))
    return 0
