"""`ffhooks timezone [NAME] [--recut]`: show or change the zone in which days are cut.

A change applies from now on: time already recorded keeps the days and months it was cut
into, so no month already summarised changes its total. `--recut` cuts all of it in the new
zone instead (the months' boundaries move, so committed totals change), after saying which
months change.
"""

from __future__ import annotations

from datetime import date, datetime

from ffhooks.clock import ZoneHistory, months_of, parse_iso, to_iso, zone, zone_history
from ffhooks.commands._common import warn_if_closed
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.records import Any
from ffhooks.store.store import Store


def timezone(ctx: Context, *, name: str | None, recut: bool = False) -> int:
    if recut and name is None:
        raise FatalError("--recut needs the zone to cut in: `ffhooks timezone NAME --recut`")
    with ctx.store(create=name is not None, timezone=name) as store:
        if name is None:
            if store.header is None:
                print(f"{store.tz.key} (no store yet)")
            else:
                print(store.header["timezone"])
            return 0
        zone(name)
        if store.header is None:
            raise FatalError("internal: the store must be created before it is written")
        before = zone_history(store.header)
        if recut:
            warn_if_closed(ctx, [(day, day) for day in _recut(store, before, name)])
        elif before.current.key == name:
            print(f"Days are cut in {name}")
        elif _nothing_recorded(store):
            store.set_header(timezone=name)
            print(f"Days are cut in {name}")
        else:
            _change_from(store, before, name, ctx.now)
    return 0


def _nothing_recorded(store: Store) -> bool:
    header = store.header or {}
    timer = store.timer()
    return not (
        store.filed_days()
        or timer.running
        or timer.paused
        or header.get("summaries")
        or header["dirty"]
        or header.get("zones")
    )


def _change_from(store: Store, before: ZoneHistory, name: str, now: datetime) -> None:
    """From `now` on, days are cut in `name`; every earlier instant keeps its zone."""
    header = store.header or {}
    entries: list[dict[str, Any]] = list(header.get("zones", ())) or [
        {"since": min(header["created"], to_iso(now)), "timezone": header["timezone"]}
    ]
    if len(entries) > 1:
        last = parse_iso(entries[-1]["since"])
        if now < last:
            raise FatalError(
                f"the time zone last changed at {entries[-1]['since']}, after now "
                f"({to_iso(now)}): check the clock (or FFHOOKS_NOW), or use --recut"
            )
        if now == last:  # a second change at the same instant replaces the first
            entries.pop()
    if entries[-1]["timezone"] != name:
        entries.append({"since": to_iso(now), "timezone": name})
    after = zone_history({**header, "timezone": name, "zones": entries})
    # what changes: the months holding `now` (their zone is named by the zone at their end),
    # and those holding time recorded for later than now
    months = months_of(now, now, before) | months_of(now, now, after)
    for s in store.all_sessions():
        if s.end > now:
            start = max(s.start, now)
            months |= months_of(start, s.end, before) | months_of(start, s.end, after)
    dirty = sorted(set(header["dirty"]) | months)
    if len(entries) == 1:  # back to the zone of all earlier time: no history left to keep
        _drop_history(store)
        store.set_header(timezone=name, dirty=dirty)
    else:
        store.set_header(timezone=name, zones=entries, dirty=dirty)
    print(f"Days are cut in {name} from now on ({to_iso(now)}).")
    print(
        f"Time before then keeps its days in {_names(before)}, so months already summarised "
        f"keep their totals; `ffhooks timezone {name} --recut` re-cuts all of it in {name}."
    )


def _recut(store: Store, before: ZoneHistory, name: str) -> list[date]:
    """All recorded time cut in `name`, as if it had always been the zone; returns the
    days whose totals change."""
    from ffhooks import summary

    header = store.header or {}
    after = ZoneHistory((zone(name),))
    touched: set[str] = set()
    for s in store.all_sessions():
        touched |= months_of(s.start, s.end, before) | months_of(s.start, s.end, after)
    changed, changed_days = [], set()
    for month in sorted(touched):
        bounds = summary.month_bounds(month, before) + summary.month_bounds(month, after)
        intervals = [
            summary.Interval(task=s.task, start=s.start, end=s.end, billable=s.billable)
            for s in store.sessions_between(min(bounds), max(bounds))
        ]
        old, new = (
            summary.totals(intervals, month, tz, per_task=True, by_day=True)
            for tz in (before, after)
        )
        days = {d for d in old.keys() | new.keys() if old.get(d) != new.get(d)}
        if days:
            changed.append(month)
            changed_days |= {date.fromisoformat(d) for d in days}
    _drop_history(store)
    store.set_header(timezone=name, dirty=sorted(set(header["dirty"]) | touched))
    if changed:
        print(
            f"Re-cut all recorded time in {name}: the days of {', '.join(changed)} change; "
            "every month is summarised again at the next commit."
        )
    else:
        print(f"Re-cut all recorded time in {name}: no month's days change.")
    return sorted(changed_days)


def _drop_history(store: Store) -> None:
    if store.header is not None and "zones" in store.header:
        store.header = {k: v for k, v in store.header.items() if k != "zones"}


def _names(history: ZoneHistory) -> str:
    names = list(dict.fromkeys(tz.key for tz in history.zones))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
