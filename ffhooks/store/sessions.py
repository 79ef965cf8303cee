"""What a store records, as its files hold them: sessions and the running or paused timer.

    time/daily/<day>.json    completed sessions (`Session`), filed by the day they start
    time/current.json        the running or paused timer (`Timer`)

A session is named by its random id, or by any prefix of it of 4 characters or more, as git
names commits (`find_session`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from ffhooks.clock import parse_iso, to_iso
from ffhooks.errors import FatalError
from ffhooks.records import Any, NamedTuple


class Session(NamedTuple):
    id: str
    task: str
    start: datetime
    end: datetime
    billable: bool = True
    note: str | None = None
    reason: str | None = None
    tags: tuple[str, ...] = ()  # sorted, unique (store/rules.py `check_tags`)

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "task": self.task,
            "start": to_iso(self.start),
            "end": to_iso(self.end),
            "billable": self.billable,
        }
        if self.note:
            out["note"] = self.note
        if self.reason:
            out["reason"] = self.reason
        if self.tags:
            out["tags"] = list(self.tags)
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Session:
        return cls(
            raw["id"],
            raw["task"],
            parse_iso(raw["start"]),
            parse_iso(raw["end"]),
            raw["billable"],
            raw.get("note"),
            raw.get("reason"),
            tuple(raw.get("tags", ())),
        )


class Running(NamedTuple):
    id: str
    task: str
    start: datetime
    billable: bool
    note: str | None = None
    tags: tuple[str, ...] = ()

    def until(self, end: datetime, note: str | None = None, reason: str | None = None) -> Session:
        joined = "; ".join(n for n in (self.note, note) if n) or None
        return Session(
            id=self.id,
            task=self.task,
            start=self.start,
            end=end,
            billable=self.billable,
            note=joined,
            reason=reason,
            tags=self.tags,
        )


class Paused(NamedTuple):
    task: str
    billable: bool
    since: datetime
    note: str | None = None
    tags: tuple[str, ...] = ()


class Timer(NamedTuple):
    running: Running | None = None
    paused: Paused | None = None

    def to_json(self) -> dict[str, Any]:
        running = paused = None
        if self.running:
            r = self.running
            running = {"id": r.id, "task": r.task, "start": to_iso(r.start), "billable": r.billable}
            if r.note:
                running["note"] = r.note
            if r.tags:
                running["tags"] = list(r.tags)
        if self.paused:
            p = self.paused
            paused = {"task": p.task, "billable": p.billable, "since": to_iso(p.since)}
            if p.note:
                paused["note"] = p.note
            if p.tags:
                paused["tags"] = list(p.tags)
        return {"version": 1, "running": running, "paused": paused}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Timer:
        r, p = raw["running"], raw["paused"]
        return cls(
            Running(
                id=r["id"],
                task=r["task"],
                start=parse_iso(r["start"]),
                billable=r["billable"],
                note=r.get("note"),
                tags=tuple(r.get("tags", ())),
            )
            if r
            else None,
            Paused(
                task=p["task"],
                billable=p["billable"],
                since=parse_iso(p["since"]),
                note=p.get("note"),
                tags=tuple(p.get("tags", ())),
            )
            if p
            else None,
        )


def new_session_id() -> str:
    return os.urandom(6).hex()


def day_files(folder: Path) -> dict[date, str]:
    """The daily files in `folder`, by the day each is named for."""
    found: dict[date, str] = {}
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        names = []
    for name in names:
        if name.endswith(".json") and not name.startswith("."):
            try:
                found[date.fromisoformat(name[:-5])] = name
            except ValueError:
                continue
    return found


def find_session(sessions: Iterable[Session], prefix: str) -> Session:
    """The session whose id starts with `prefix` (at least 4 characters, like git)."""
    key = prefix.strip().lower()
    if len(key) < 4:
        raise FatalError(f"session id {prefix!r} is too short: give at least 4 characters")
    matches = [s for s in sessions if s.id.startswith(key)]
    if not matches:
        raise FatalError(f"no session with id {prefix!r}: `ffhooks log` lists the ids")
    if len(matches) > 1:
        raise FatalError(f"session id {prefix!r} is ambiguous: give more characters")
    return matches[0]
