from __future__ import annotations

import json
from datetime import date, timedelta

from ffhooks.clock import format_duration, local_date, ordered, range_bound
from ffhooks.commands._common import hhmm, tagged
from ffhooks.context import Context
from ffhooks.store.sessions import Session
from ffhooks.store.store import Store


def select(
    store: Store, first: date | None, last: date | None, tasks: list[str], tags: list[str]
) -> list[Session]:
    """Sessions whose start falls on [first, last] (store days; None: unbounded), on one of
    `tasks` and carrying one of `tags` (where given)."""
    if not store.exists:
        return []
    return [
        s
        for s in store.started_between(first, last)
        if (not tasks or s.task in tasks) and (not tags or set(tags) & set(s.tags))
    ]


def log(
    ctx: Context,
    *,
    start: str | None,
    end: str | None,
    tasks: list[str],
    tags: list[str],
    everything: bool,
    as_json: bool,
) -> int:
    with ctx.store() as store:
        tz = store.tz
        last = range_bound(end, ctx.now, tz, end=True)
        first = range_bound(start, ctx.now, tz, end=False)
        ordered(first, last)
        if not everything:
            last = last or local_date(ctx.now, tz)
            first = first or last - timedelta(days=6)
        wanted = [t.strip().lstrip("+") for value in tags for t in value.split(",") if t.strip()]
        sessions = select(store, first, last, tasks, wanted)
        total = sum(s.seconds for s in sessions)
        billable = sum(s.seconds for s in sessions if s.billable)
        if as_json:
            out = {
                "user": ctx.user,
                "from": first.isoformat() if first else None,
                "to": last.isoformat() if last else None,
                "sessions": [{**s.to_json(), "seconds": s.seconds} for s in sessions],
                "total_seconds": total,
                "billable_seconds": billable,
            }
            print(json.dumps(out, indent=2, ensure_ascii=False))
            return 0
        if sessions:
            print(f"{'ID':<12}  {'DAY':<10}  START  END    {'TIME':>9}  B  TASK  NOTE")
        for s in sessions:  # to the second, as the report counts: the lines add up to the total
            print(
                f"{s.id:<12}  {local_date(s.start, tz)}  {hhmm(s.start, store)}  "
                f"{hhmm(s.end, store)}  {format_duration(s.seconds, exact=True):>9}  "
                f"{'$' if s.billable else '-'}  {tagged(s.task, s.tags)}  {s.note or ''}".rstrip()
            )
        span = "all time" if first is None else f"{first} to {last}"
        print(
            f"{len(sessions)} sessions, {format_duration(total, exact=True)} "
            f"({format_duration(billable, exact=True)} billable), {span}"
        )
    return 0
