"""`ffhooks rename TASK NEW [--from DATE] [--to DATE]`: the sessions on TASK (those that
start on those days), and the timer on it, are on NEW from now on. NEW is checked as `add`
checks a task; a NEW that sessions already have merges the two, and says so. The next
commit writes the months it touches again, under the new name."""

from __future__ import annotations

from ffhooks.clock import local_date, months_of, ordered, range_bound
from ffhooks.commands._common import local_days, warn_if_closed
from ffhooks.context import Context
from ffhooks.store import timer


def rename(ctx: Context, *, task: str, new: str, start: str | None, end: str | None) -> int:
    with ctx.store() as store:
        first = range_bound(start, ctx.now, store.tz, end=False)
        last = range_bound(end, ctx.now, store.tz, end=True)
        ordered(first, last)
        had = sum(1 for s in store.started_between(first, last) if s.task == new)
        sessions, was = timer.rename(store, task, new, first, last)
        days = sorted(local_date(s.start, store.tz) for s in sessions)
        what = [f"{len(sessions)} session{'' if len(sessions) == 1 else 's'}"]
        if days:
            what[0] += f" ({days[0]}" + (f" to {days[-1]})" if days[-1] != days[0] else ")")
        if was is not None:
            what.append("the running timer" if was.running else "the paused timer")
        print(f"Renamed {task} to {new}: {' and '.join(what)}")
        if had:
            within = "" if first is None and last is None else " in those days"
            print(f"{new} had {had} session{'' if had == 1 else 's'}{within} already: merged")
        summarised = (store.header or {}).get("summaries", {})
        months = sorted(
            {m for s in sessions for m in months_of(s.start, s.end, store.zones)}
            & summarised.keys()
        )
        if months:
            print(f"The next commit writes the summaries of {', '.join(months)} again")
        warn_if_closed(ctx, local_days(sessions, store))
    return 0
