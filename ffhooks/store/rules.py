"""The rules a session keeps to be billed: a task name ffhooks can report, an end after its
start and not in the future, max_session_hours (unless forced), and no overlap with another
session or the running timer: one person cannot bill two things at once.

A broken rule is a sentence the user can act on, which the `check_` functions raise.
`store/timer.py` checks every change it makes against these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from ffhooks.clock import format_duration
from ffhooks.errors import FatalError
from ffhooks.records import NamedTuple
from ffhooks.store.sessions import Running, Session
from ffhooks.store.store import Store


class Limits(NamedTuple):
    max_seconds: int
    force: bool = False


def when(dt: datetime, store: Store) -> str:
    return dt.astimezone(store.tz).strftime("%Y-%m-%d %H:%M:%S")


def task_problem(task: str) -> str | None:
    if (
        not task
        or len(task) > 100
        or task != task.strip()
        or any(ord(c) < 32 or ord(c) == 127 for c in task)
    ):
        return (
            f"task {task!r} is not allowed: use 1-100 characters with no control characters "
            "and no surrounding spaces, e.g. 205 or PROJ-12"
        )
    if task == "*":
        return (
            "task '*' is not allowed: reports use * for time with no per-task split; "
            "name the task, e.g. 205 or PROJ-12"
        )
    return None


def check_task(task: str) -> str:
    problem = task_problem(task)
    if problem:
        raise FatalError(problem)
    return task


# A tag: 1-40 characters, no spaces, commas, + (it joins a session's tags in reports) or
# control characters, not starting with - (reports file untagged time under -).
TAG = re.compile(r"[^\s,+\x00-\x1f\x7f-][^\s,+\x00-\x1f\x7f]{0,39}")
MAX_TAGS = 10


def tags_problem(tags: tuple[str, ...]) -> str | None:
    """Why a session cannot carry `tags`: a tag that reports could not tell apart or show on
    one line, or too many; None if it can."""
    for tag in tags:
        if not isinstance(tag, str) or not TAG.fullmatch(tag):
            shown = repr(f"+{tag}")
            return (
                f"tag {shown} is not allowed: use 1-40 characters with no spaces, commas, + or "
                "control characters, not starting with -, e.g. +api or +code-review"
            )
    if len(tags) > MAX_TAGS:
        return f"{len(tags)} tags on one session: give at most {MAX_TAGS}"
    return None


def check_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """A session's tags as it stores them, sorted and each once; refused as `tags_problem`
    says."""
    kept = tuple(sorted(set(tags)))
    problem = tags_problem(kept)
    if problem:
        raise FatalError(problem)
    return kept


def session_problem(store: Store, s: Session, limits: Limits) -> str | None:
    """Why a session cannot be billed as it stands, overlaps aside; None if it can."""
    if task_problem(s.task):
        return task_problem(s.task)
    if s.end <= s.start:
        return (
            f"the session would end ({when(s.end, store)}) at or before it starts "
            f"({when(s.start, store)}): check the times"
        )
    if s.end > store.now:
        return (
            f"the session would end in the future ({when(s.end, store)}): time can only be "
            "recorded once it has passed"
        )
    if s.seconds > limits.max_seconds and not limits.force:
        return (
            f"the session would last {format_duration(s.seconds)}, more than the team's "
            f"max_session_hours ({limits.max_seconds / 3600:g}h): check the times, or pass "
            "--force if it really was that long"
        )
    return None


def overlap(store: Store, s: Session, other: Session) -> str:
    return (
        f"the session {when(s.start, store)} to {when(s.end, store)} would overlap session "
        f"{other.id} on {other.task} ({when(other.start, store)} to {when(other.end, store)}): "
        "one person cannot bill two things at once"
    )


def overlaps_running(store: Store, s: Session, running: Running | None) -> str | None:
    if running and running.id != s.id and s.start < store.now and s.end > running.start:
        return (
            f"the session would overlap the running timer on {running.task} (since "
            f"{when(running.start, store)}): stop it first or choose other times"
        )
    return None


def check_session(store: Store, s: Session, limits: Limits, *, ignore: str | None = None) -> None:
    """Refuse a session that cannot be billed as it stands, saying why."""
    problem = session_problem(store, s, limits)
    if problem:
        raise FatalError(problem)
    for other in store.sessions_between(s.start, s.end):
        if other.id != ignore:
            raise FatalError(f"{overlap(store, s, other)}; edit or remove that one first")
    problem = overlaps_running(store, s, store.timer().running)
    if problem:
        raise FatalError(problem)


def check_start(store: Store, at: datetime) -> None:
    if at > store.now:
        raise FatalError(
            f"{when(at, store)} is in the future: a timer can only start from now or earlier"
        )
    for other in store.sessions_between(at, store.now):
        raise FatalError(
            f"a timer from {when(at, store)} would overlap session {other.id} on {other.task} "
            f"(until {when(other.end, store)}): start it later"
        )
