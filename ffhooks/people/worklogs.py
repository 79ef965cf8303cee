"""The rows an export writes: the caller's own sessions (the private store: real start and
end times) or the team's time per user, day and task (the cells a report counts), each with
a stable id, so that a tool importing the same export twice can match the second to the
first instead of adding it again."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from ffhooks.clock import local_date, to_iso
from ffhooks.errors import FatalError
from ffhooks.records import NamedTuple
from ffhooks.report.report import Cell, merged
from ffhooks.store.sessions import Session
from ffhooks.store.store import Store


class Worklog(NamedTuple):
    """One row of an export: a session (`start` and `end` its real instants), or one user's
    time on one task in one period of the team record (`start` None: the summaries hold no
    times of day, and an export invents none; `period` a day, or a month where summaries
    hold whole months only)."""

    id: str
    user: str
    task: str
    period: str
    start: datetime | None
    end: datetime | None
    billable_seconds: int
    non_billable_seconds: int
    sessions: int
    note: str | None = None

    @property
    def seconds(self) -> int:
        return self.billable_seconds + self.non_billable_seconds


def stable_id(project: str, user: str, store: str, when: str, task: str) -> str:
    """The id of a row: the same project, person, store, start (a session's instant, or a
    day of the team record) and task give the same id in every export, from any clone."""
    key = "\0".join(("ffhooks-export-1", project, user, store, when, task))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def project_identity(top: Path, configured: str | None) -> str:
    """What names the project in every id: the team config's `project` where it sets one,
    else the repository's first commit (the same in every clone)."""
    if configured:
        return configured
    from ffhooks.git.plumbing import run_git

    try:
        roots = run_git(["rev-list", "--max-parents=0", "HEAD"], top).split()
    except FatalError:
        roots = []
    if not roots:
        raise FatalError(
            "the repository has no commit yet, and the team config names no project: ids need "
            "one or the other (commit first, or `ffhooks config set project NAME`)"
        )
    return sorted(roots)[0]


def own(store: Store, project: str, sessions: Iterable[Session]) -> list[Worklog]:
    """The rows of the caller's own sessions, one each, with their real times and notes."""
    store_id = store.header["store"] if store.header else ""
    return [
        Worklog(
            id=stable_id(project, store.user, store_id, to_iso(s.start), s.task),
            user=store.user,
            task=s.task,
            period=local_date(s.start, store.tz).isoformat(),
            start=s.start.astimezone(store.tz),
            end=s.end.astimezone(store.tz),
            billable_seconds=s.seconds if s.billable else 0,
            non_billable_seconds=0 if s.billable else s.seconds,
            sessions=1,
            note=s.note,
        )
        for s in sessions
    ]


TEAM_STORE = "team"  # the store part of a team row's id: a report adds up a person's stores


def team(cells: Iterable[Cell], project: str) -> list[Worklog]:
    """The rows of the team record: per user, task and day (or month), what the report
    counts, closed periods as they were closed. No row for a cell with no time."""
    rows = []
    for u in merged(cells):
        c = u.cell()
        if c.billable_seconds + c.non_billable_seconds == 0:
            continue
        rows.append(
            Worklog(
                id=stable_id(project, c.user, TEAM_STORE, c.period, c.task),
                user=c.user,
                task=c.task,
                period=c.period,
                start=None,
                end=None,
                billable_seconds=c.billable_seconds,
                non_billable_seconds=c.non_billable_seconds,
                sessions=c.sessions,
            )
        )
    return sorted(rows, key=lambda r: (r.period, r.user, r.task))
