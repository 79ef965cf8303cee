"""Tracking time: one timer per user (start, pause, resume, stop, cancel, restart) and the
sessions it records, added, edited, removed or imported after the fact.

Functions here change a `Store` and return what they did; they never print. Every change is
checked against `store/rules.py` first: no overlaps, nothing in the future.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from ffhooks.clock import day_start, format_duration, local_date
from ffhooks.errors import FatalError
from ffhooks.store.rules import (
    Limits,
    check_session,
    check_start,
    check_task,
    overlap,
    overlaps_running,
    session_problem,
    when,
)
from ffhooks.store.sessions import Paused, Running, Session, Timer, new_session_id
from ffhooks.store.store import Store


def _end_running(
    store: Store, running: Running, at: datetime, limits: Limits, **kw: str | None
) -> Session | None:
    """The session a running timer becomes when it ends at `at` (None if it lasted 0 s)."""
    if at < running.start:
        raise FatalError(
            f"{when(at, store)} is before the running timer started ({when(running.start, store)})"
        )
    if at == running.start:
        return None
    session = running.until(at, **kw)
    check_session(store, session, limits, ignore=running.id)
    return session


def start(
    store: Store,
    task: str,
    at: datetime,
    limits: Limits,
    *,
    billable: bool,
    note: str | None,
    tags: tuple[str, ...] = (),
) -> tuple[Running, Session | None]:
    """Start `task` at `at`, ending whatever runs at that same instant. The task already
    running goes on, unless other tags, a note or billable-or-not make it another session."""
    check_task(task)
    current = store.timer()
    ended = None
    if current.running:
        r = current.running
        if (r.task, r.billable, note) == (task, billable, None) and tags in ((), r.tags):
            return r, None
        ended = _end_running(store, r, at, limits)
    check_start(store, at)
    running = Running(
        id=new_session_id(), task=task, start=at, billable=billable, note=note, tags=tags
    )
    store.apply(added=[ended] if ended else [], timer=Timer(running=running))
    return running, ended


def pause(store: Store, at: datetime, limits: Limits, reason: str | None) -> Session | None:
    running = store.timer().running
    if running is None:
        raise FatalError("no timer is running: nothing to pause")
    ended = _end_running(store, running, at, limits, reason=reason)
    paused = Paused(
        task=running.task,
        billable=running.billable,
        since=at,
        note=running.note,
        tags=running.tags,
    )
    store.apply(added=[ended] if ended else [], timer=Timer(paused=paused))
    return ended


def resume(store: Store, at: datetime) -> Running:
    current = store.timer()
    if current.running:
        raise FatalError(f"a timer is already running on {current.running.task}")
    if current.paused is None:
        raise FatalError("nothing is paused: start a task with `ffhooks start TASK`")
    check_start(store, at)
    running = Running(
        id=new_session_id(),
        task=current.paused.task,
        start=at,
        billable=current.paused.billable,
        note=current.paused.note,
        tags=current.paused.tags,
    )
    store.apply(timer=Timer(running=running))
    return running


def stop(
    store: Store, at: datetime, limits: Limits, note: str | None
) -> tuple[Timer, Session | None]:
    """End the running timer (or drop a paused one); returns the old timer and the session."""
    current = store.timer()
    if current.running is None and current.paused is None:
        raise FatalError("no timer is running or paused: nothing to stop")
    ended = _end_running(store, current.running, at, limits, note=note) if current.running else None
    store.apply(added=[ended] if ended else [], timer=Timer())
    return current, ended


def cancel(store: Store) -> Timer:
    """Drop the running (or paused) timer: nothing is recorded. What a commit already folded
    of it is withdrawn at the next one (the months it touched are rebuilt)."""
    current = store.timer()
    if current.running is None and current.paused is None:
        raise FatalError("no timer is running or paused: nothing to cancel")
    store.apply(timer=Timer())
    return current


def change_running(store: Store, changed: Running) -> Running:
    """The running timer as it should have been (an earlier or later start, another task,
    billable or not, a note); its id stays."""
    current = store.timer().running
    if current is None:
        raise FatalError("no timer is running: `ffhooks edit ID` corrects a recorded session")
    check_task(changed.task)
    if changed.start != current.start:
        check_start(store, changed.start)
    store.apply(timer=Timer(running=changed))
    return changed


def last_stopped(store: Store) -> Session:
    """The session that ended last (what `restart` starts again). Sessions are filed by
    the day they start, so the newest days are read until none could end later."""
    longest = timedelta(seconds=(store.header or {}).get("longest_seconds", 0))
    best: Session | None = None
    for day in reversed(store.filed_days()):
        if best is not None and day_start(day + timedelta(days=1), store.tz) + longest < best.end:
            break
        for s in store.day(day):
            if best is None or s.end > best.end:
                best = s
    if best is None:
        raise FatalError("no session recorded yet: start one with `ffhooks start TASK`")
    return best


def add(store: Store, session: Session, limits: Limits) -> Session:
    check_session(store, session, limits)
    store.apply(added=[session])
    return session


def first_free_slot(store: Store, day: date, seconds: int) -> datetime:
    """The earliest start from 09:00 on `day` where `seconds` fit without overlap or future.
    Today, when no such slot has passed yet (early in the morning), the start that ends now,
    as `add` without a day: `add` refuses it if it overlaps."""
    tz = store.tz
    begin = datetime.combine(day, time(9), tzinfo=tz).astimezone(store.now.tzinfo)
    end_of_day = day_start(day + timedelta(days=1), tz)
    cursor = begin
    for other in store.sessions_between(begin, end_of_day):
        if other.start >= cursor + timedelta(seconds=seconds):
            break
        cursor = max(cursor, other.end)
    running = store.timer().running
    if running and cursor < store.now and cursor + timedelta(seconds=seconds) > running.start:
        cursor = max(cursor, store.now)
    slot_end = cursor + timedelta(seconds=seconds)
    if slot_end > store.now and day == local_date(store.now, tz):
        return store.now - timedelta(seconds=seconds)
    if slot_end > end_of_day or slot_end > store.now:
        raise FatalError(
            f"no free {format_duration(seconds)} left on {day} after 09:00 that is already past: "
            "give the start with --start"
        )
    return cursor


def edit(store: Store, old: Session, new: Session, limits: Limits) -> Session:
    check_session(store, new, limits, ignore=old.id)
    store.apply(added=[new], removed=[old])
    return new


def remove(store: Store, session: Session) -> None:
    store.apply(removed=[session])


def rename(
    store: Store, task: str, new: str, first: date | None, last: date | None
) -> tuple[list[Session], Timer | None]:
    """Every session on `task` that starts on a day of [first, last] (None: unbounded), and
    the running or paused timer on it unless it started (was paused) outside those days, on
    `new` instead, in one change; returns those sessions and that timer as they were (None:
    the timer was not renamed). Times, ids and the rest stay: the months they touch are
    summarised again at the next commit."""
    check_task(new)
    if new == task:
        raise FatalError(f"the task is called {task!r} already: nothing to rename")
    sessions = [s for s in store.started_between(first, last) if s.task == task]
    current = store.timer()
    running, paused = current.running, current.paused

    def inside(instant: datetime) -> bool:
        day = local_date(instant, store.tz)
        return (first is None or first <= day) and (last is None or day <= last)

    renamed = None
    if running is not None and running.task == task and inside(running.start):
        renamed = Timer(running=running._replace(task=new))
    elif paused is not None and paused.task == task and inside(paused.since):
        renamed = Timer(paused=paused._replace(task=new))
    if not sessions and renamed is None:
        within = "" if first is None and last is None else " in those days"
        raise FatalError(
            f"no session or timer on task {task!r}{within}: `ffhooks log --all` lists your "
            "sessions and their tasks"
        )
    store.apply(added=[s._replace(task=new) for s in sessions], removed=sessions, timer=renamed)
    return sessions, current if renamed is not None else None


def running_seconds(running: Running, now: datetime) -> int:
    return max(0, int((now - running.start).total_seconds()))


def import_sessions(
    store: Store,
    entries: list[tuple[str, Session]],
    limits: Limits,
    *,
    write: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int, list[tuple[str, str]]]:
    """Add sessions in bulk, skipping ones already present; all or nothing.

    Returns (added, skipped, problems); nothing is written when there are problems or
    `write` is false.
    """
    if not entries:
        return 0, 0, []
    lo = min(s.start for _, s in entries)
    hi = max(s.end for _, s in entries)
    existing = store.sessions_between(lo, hi)
    present = {(s.start, s.end, s.task) for s in existing}
    ids = {s.id for s in existing}
    problems: list[tuple[str, str]] = []
    fresh: list[tuple[str, Session]] = []
    skipped = 0
    for n, (where, s) in enumerate(entries):
        if progress is not None and n % 200 == 0:
            progress(n, len(entries))
        if (s.start, s.end, s.task) in present:
            skipped += 1
            continue
        if s.id in ids:
            s = s._replace(id=new_session_id())
        problem = session_problem(store, s, limits)
        if problem:
            problems.append((where, problem))
            continue
        present.add((s.start, s.end, s.task))
        ids.add(s.id)
        fresh.append((where, s))
    running = store.timer().running
    timeline = sorted([*fresh, *(("", s) for s in existing)], key=lambda e: e[1].start)
    latest: Session | None = None
    for where, s in timeline:
        if latest is not None and s.start < latest.end and where:
            problems.append((where, overlap(store, s, latest)))
        problem = overlaps_running(store, s, running) if where else None
        if problem:
            problems.append((where, problem))
        if latest is None or s.end > latest.end:
            latest = s
    if problems or not write:
        return 0, skipped, problems
    store.apply(added=[s for _, s in fresh])
    return len(fresh), skipped, []
