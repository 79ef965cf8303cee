"""What each entry of a source means: a session to count, a timer left running, or a problem.

`ffhooks.migrate.jsonstream` yields the entries; the functions here judge them (a user, a task, an
instant or a duration that cannot be read is skipped with a reason) and hand each session
to the `Tally`. A legacy file's `duration` may be hours (v1) or seconds (2.0.x): sessions
that have only a duration wait until the whole file is read, then `settle` places them in the
unit the file's other sessions agree with. Timers that never ended are listed, never billed.
"""

from __future__ import annotations

from datetime import datetime

from ffhooks.clock import UTC, to_iso
from ffhooks.migrate.jsonscan import DUP
from ffhooks.migrate.tally import Tally
from ffhooks.migrate.values import epoch, hours, number
from ffhooks.records import Any

TOLERANCE = 60  # seconds a stored duration may differ from its start and end
LONGEST_BY_DURATION = 86400  # a session placed by its duration alone is at most a day


# what the shapes hold


def legacy_session(tally: Tally, i: int, loc: tuple[str, int], raw: Any) -> None:
    """One entry of a task's `sessions` in a legacy file."""
    if type(raw) is not dict:
        return tally.skip(i, loc, "is not a session object")
    if DUP in raw:
        return tally.skip(i, loc, f"has the key {raw[DUP]!r} twice")
    get = raw.get
    take(
        tally,
        i,
        loc,
        get("user"),
        loc[0],
        get("start"),
        get("end"),
        get("duration"),
        get("billable"),
        True,
    )
    return None


def line(tally: Tally, i: int, lineno: int, raw: Any) -> None:
    """One line of a JSON-lines file."""
    if type(raw) is not dict:
        return tally.skip(i, lineno, "is not a JSON object")
    if DUP in raw:
        return tally.skip(i, lineno, f"has the key {raw[DUP]!r} twice")
    if raw.get("task") is None:
        return tally.skip(i, lineno, "has no task")
    get = raw.get
    take(
        tally,
        i,
        lineno,
        get("user"),
        get("task"),
        get("start"),
        get("end"),
        get("seconds"),
        get("billable"),
        False,
    )
    return None


def field(tally: Tally, i: int, loc: tuple[str, str], raw: Any) -> None:
    """A task's field other than a list of sessions: a running timer, or nothing to bill."""
    task, name = loc
    if name == "current_session":
        if raw is None:
            return
        if type(raw) is not dict:
            tally.warn(i, loc, "is not an object: ignored (it cannot be billed anyway)")
            return
        try:
            start = epoch(raw.get("start"))
        except (ValueError, OverflowError, OSError):
            start = None
        open_timer(tally, i, loc, raw.get("user"), task, start)
    elif name == "sessions" and raw not in (None, {}):
        tally.skip(i, loc, "is not a list of sessions")


def other(tally: Tally, i: int, key: str, raw: Any) -> None:
    """A top-level key that is not a task."""
    if key == "sessions" and raw not in ({}, [], None):
        tally.skip(
            i,
            key,
            f"holds {len(raw) if isinstance(raw, (dict, list)) else 1} entries outside any "
            "task, which ffhooks does not know how to migrate",
        )


# one session


def take(
    tally: Tally,
    i: int,
    loc: Any,
    raw_user: Any,
    raw_task: Any,
    raw_start: Any,
    raw_end: Any,
    raw_duration: Any,
    raw_billable: Any,
    legacy: bool,
) -> None:
    """One session as written: counted, deferred (a legacy duration without an end), listed
    as a running timer, or skipped."""
    u = tally.user_of.get(raw_user) if type(raw_user) is str else None
    if u is None:
        u = tally.intern_user(raw_user)
    if type(u) is str:
        return tally.skip(i, loc, u)
    t = tally.task_of.get(raw_task) if type(raw_task) is str else None
    if t is None:
        t = tally.intern_task(raw_task)
    if type(t) is str:
        return tally.skip(i, loc, t)
    assert type(u) is int and type(t) is int
    billable = True if raw_billable is None else raw_billable
    if type(billable) is not bool:
        return tally.skip(i, loc, f"'billable' is {raw_billable!r}, not true or false")
    try:
        start = None if raw_start is None or raw_start == "" else epoch(raw_start)
    except (ValueError, OverflowError, OSError):
        return tally.skip(i, loc, f"start {raw_start!r} is not an ISO-8601 instant")
    try:
        end = None if raw_end is None or raw_end == "" else epoch(raw_end)
    except (ValueError, OverflowError, OSError):
        return tally.skip(i, loc, f"end {raw_end!r} is not an ISO-8601 instant")
    duration = None if raw_duration is None else number(raw_duration)
    name = "duration" if legacy else "seconds"
    if end is None:
        if start is None:
            return tally.skip(i, loc, "has neither start nor end")
        if duration is None:
            if raw_duration is not None:
                return tally.skip(i, loc, f"has no end and {name} {raw_duration!r} is no number")
            return open_timer(tally, i, loc, raw_user, raw_task, start)
        return _by_duration(tally, i, loc, u, t, start, True, duration, billable, legacy)
    if start is None:
        if duration is None:
            return tally.skip(i, loc, "has no start")
        return _by_duration(tally, i, loc, u, t, end, False, duration, billable, legacy)
    if end < start:
        return tally.skip(i, loc, f"ends ({raw_end}) before it starts ({raw_start})")
    if duration is not None:
        _check_duration(tally, i, loc, end - start, duration, legacy)
    elif raw_duration is not None:
        tally.warn(i, loc, f"{name} {raw_duration!r} is no number: start and end used")
    tally.count(i, loc, u, t, start, end, billable)


def _check_duration(
    tally: Tally, i: int, loc: Any, actual: int, stored: float, legacy: bool
) -> None:
    as_seconds = abs(stored - actual) <= TOLERANCE
    if not legacy:
        if not as_seconds:
            tally.warn(i, loc, f"seconds {stored:g} disagree with start and end ({actual} s)")
        return
    as_hours = abs(stored * 3600 - actual) <= TOLERANCE
    votes = tally.facts[i]["votes"]
    if as_hours and not as_seconds:
        votes[0] += 1
    elif as_seconds and not as_hours:
        votes[1] += 1
    elif not as_hours:
        tally.warn(
            i,
            loc,
            f"duration {stored:g} disagrees with start and end ({actual} s, "
            f"{hours(actual)}) by more than {TOLERANCE} s as hours or as seconds: start "
            "and end used",
        )


def _by_duration(
    tally: Tally,
    i: int,
    loc: Any,
    u: int,
    t: int,
    anchor: int,
    forward: bool,
    duration: float,
    billable: bool,
    legacy: bool,
) -> None:
    if legacy:  # the unit is known once the whole file has been read
        tally.deferred.append([i, loc, u, t, anchor, forward, duration, billable])
        return
    _place(tally, i, loc, u, t, anchor, forward, round(duration), billable, f"{duration:g} s")


def _place(
    tally: Tally,
    i: int,
    loc: Any,
    u: int,
    t: int,
    anchor: int,
    forward: bool,
    seconds: int,
    billable: bool,
    shown: str,
) -> None:
    if seconds > LONGEST_BY_DURATION:
        return tally.skip(
            i,
            loc,
            f"has no end and its duration ({shown}) is longer than a day: give it an end",
        )
    start, end = (anchor, anchor + seconds) if forward else (anchor - seconds, anchor)
    tally.count(i, loc, u, t, start, end, billable)


def settle(tally: Tally, i: int) -> None:
    """Place the sessions of source `i` that have a duration but no end.

    The unit is the one the file's own sessions with start, end and duration agree with
    (hours or seconds, whichever more of them match); when none tell, a whole number
    above 24 is seconds and anything else hours.
    """
    facts = tally.facts[i]
    in_hours, in_seconds = facts["votes"]
    unit = "hours" if in_hours > in_seconds else "seconds" if in_seconds > in_hours else None
    if in_hours or in_seconds:
        facts["unit"] = (
            f"{unit or 'undecided'} ({in_hours} sessions agree as hours, {in_seconds} as seconds)"
        )
    mine = [d for d in tally.deferred if d[0] == i]
    tally.deferred = [d for d in tally.deferred if d[0] != i]
    for _, loc, u, t, anchor, forward, duration, billable in mine:
        loc = tuple(loc) if isinstance(loc, list) else loc
        as_hours = unit == "hours" or (
            unit is None and (duration != int(duration) or duration <= 24)
        )
        if as_hours:
            secs, shown = round(duration * 3600), f"{duration:g} h"
        else:
            secs, shown = round(duration), f"{duration:g} s"
        _place(tally, i, loc, u, t, anchor, forward, secs, billable, shown)
    if mine and facts["unit"] is None:
        facts["unit"] = "by value (no session with start, end and duration to tell)"


def open_timer(
    tally: Tally, i: int, loc: Any, raw_user: Any, raw_task: Any, start: int | None
) -> None:
    """A timer that never ended: listed with its age, never billed."""
    user = raw_user if isinstance(raw_user, str) else repr(raw_user)
    key = f"{user.strip().lower()}\0{start if start is not None else tally.where(i, loc)}"
    if key in tally.orphan_keys:
        return
    tally.orphan_keys.add(key)
    tally.facts[i]["orphans"] += 1
    task = loc[0] if isinstance(loc, tuple) else str(raw_task)
    tally.orphans.append(
        [
            tally.where(i, loc),
            user,
            task,
            to_iso(datetime.fromtimestamp(start, UTC)) if start is not None else None,
            tally.now - start if start is not None else None,
        ]
    )
