from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ffhooks.clock import parse_date, parse_duration
from ffhooks.commands._common import (
    describe,
    instant,
    limits,
    local_days,
    split_tags,
    warn_if_closed,
)
from ffhooks.context import Context
from ffhooks.errors import FatalError
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
    tags: Sequence[str] = (),
) -> int:
    words = [task, duration, *tags]
    named, kept = split_tags(words)
    if len(named) != 2:
        raise FatalError(
            f"give a task and a duration, then tags with +, e.g. `ffhooks add 12 1h30m "
            f"+meeting` (got {' '.join(words)!r})"
        )
    task, duration = named
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
            tags=kept,
        )
        timer.add(store, session, limits(ctx, force))
        print(f"Added {describe(session, store)}")
        warn_if_closed(ctx, local_days([session], store))
    return 0
