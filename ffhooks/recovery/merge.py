"""Merging a snapshot of a store into the store as it is now (what a restore writes).

Live data wins. Daily files are merged session by session: a session id the store holds keeps
the store's version; a snapshot session that overlaps one the store recorded (or its running
timer) is left out and named, and so is one whose id is taken. A timer comes back only if the
store has none and it neither overlaps a recorded session nor has a recorded session's id: a
snapshot taken while a timer ran must not bring it back after it was stopped. A file the store
lacks, or holds broken, comes back as the snapshot has it (minus what is left out).

Pure: contents in, contents out; the caller reads, quarantines and writes.
"""

from __future__ import annotations

import json
from bisect import bisect_left, insort
from datetime import datetime, timedelta

from ffhooks.clock import parse_iso
from ffhooks.fsio import dump_json
from ffhooks.records import Any, NamedTuple


class Plan(NamedTuple):
    writes: dict[str, bytes]  # path from the work tree's top -> new content
    broken: list[str]  # files of the store that fail their checks and are written over
    kept: list[str]  # files of the snapshot not written: the store holds them (or newer)
    left_out: list[str]  # what the snapshot holds that does not come back, and why
    brought: list[str]  # ids of the sessions brought back
    lacking: list[str]  # ids of sessions the store holds and the snapshot lacks


class _Busy:
    """Recorded spans (sessions, the running timer), searchable for an overlap."""

    def __init__(self) -> None:
        self.spans: list[tuple[datetime, datetime, str]] = []
        self.longest = timedelta(0)

    def add(self, start: datetime, end: datetime, ident: str) -> None:
        insort(self.spans, (start, end, ident))
        self.longest = max(self.longest, end - start)

    def overlap(self, start: datetime, end: datetime) -> str | None:
        i = bisect_left(self.spans, (start - self.longest,))
        for s, e, ident in self.spans[i:]:
            if s >= end:
                break
            if e > start:
                return ident
        return None


def _when(start: datetime, end: datetime | None) -> str:
    shown = f"{start:%Y-%m-%d %H:%M}"
    return f"{shown}-{end:%H:%M} UTC" if end else f"since {shown} UTC"


def _blocked(ident: str, start: datetime, end: datetime, taken: set[str], busy: _Busy) -> str:
    if ident in taken:
        return f"the store already has a session with id {ident}"
    other = busy.overlap(start, end)
    return f"it overlaps session {other} recorded since" if other else ""


def plan(
    prefix: str,
    snap: dict[str, bytes],
    here: dict[str, bytes],
    now: datetime,
    *,
    replace_header: bool = False,
) -> Plan:
    """Merge `snap` (a snapshot's files of one store, already checked) into `here` (the store's
    files now) under `prefix` (`.flowforge/user/<user>/`). `replace_header`: the snapshot's
    store.json replaces the store's (another store id comes back in its place)."""
    from ffhooks.validator.checks import check_bytes

    ok = {rel: json.loads(b) for rel, b in here.items() if not check_bytes(rel, b).problems}
    daily, current = f"{prefix}time/daily/", f"{prefix}time/current.json"
    header = f"{prefix}store.json"
    recorded = {
        s["id"]: s for rel, doc in ok.items() if rel.startswith(daily) for s in doc["sessions"]
    }
    timer = ok.get(current)
    live = timer["running"] if timer else None
    busy = _Busy()
    for s in recorded.values():
        busy.add(parse_iso(s["start"]), parse_iso(s["end"]), s["id"])
    if live:
        busy.add(parse_iso(live["start"]), max(now, parse_iso(live["start"])), live["id"])
    taken = set(recorded) | ({live["id"]} if live else set())
    writes: dict[str, bytes] = {}
    kept: list[str] = []
    left_out: list[str] = []
    brought: list[str] = []
    in_snapshot: set[str] = set()
    for rel in sorted(r for r in snap if r.startswith(daily)):
        doc = json.loads(snap[rel])
        back = []
        for s in doc["sessions"]:
            in_snapshot.add(s["id"])
            if s["id"] in recorded:
                continue  # the store's own version of it wins
            start, end = parse_iso(s["start"]), parse_iso(s["end"])
            why = _blocked(s["id"], start, end, taken, busy)
            if why:
                left_out.append(f"session {s['id']} ({s['task']}, {_when(start, end)}): {why}")
                continue
            back.append(s)
            taken.add(s["id"])
            busy.add(start, end, s["id"])
            brought.append(s["id"])
        if rel in ok:
            if back:
                merged = sorted([*ok[rel]["sessions"], *back], key=lambda s: s["start"])
                writes[rel] = dump_json({**ok[rel], "sessions": merged})
            else:
                kept.append(rel)
        elif len(back) == len(doc["sessions"]):
            writes[rel] = snap[rel]
        elif back:
            writes[rel] = dump_json({**doc, "sessions": back})
    if current in snap:
        doc = json.loads(snap[current])
        left_out += _timer(doc, snap[current], timer, current, now, taken, busy, writes)
        if current not in writes:
            kept.append(current)
    for rel in sorted(snap):
        if rel.startswith(daily) or rel in (current, f"{prefix}journal.json"):
            continue  # a journal would replay old contents over the merge
        if rel not in ok or (rel == header and replace_header):
            writes[rel] = snap[rel]
        else:
            kept.append(rel)
    kept = [rel for rel in kept if rel not in writes]
    return Plan(
        writes=writes,
        broken=sorted(rel for rel in writes if rel in here and rel not in ok),
        kept=sorted(kept),
        left_out=left_out,
        brought=brought,
        lacking=sorted(ident for ident in recorded if ident not in in_snapshot),
    )


def _timer(
    doc: dict[str, Any],
    data: bytes,
    timer: dict[str, Any] | None,
    rel: str,
    now: datetime,
    taken: set[str],
    busy: _Busy,
    writes: dict[str, bytes],
) -> list[str]:
    """Bring back the snapshot's timer if the store has none (a missing or broken
    current.json) and it counts no time twice; name a running timer that stays away."""
    running = doc["running"]
    live = timer["running"] if timer else None
    if running is None or (live is not None and live["id"] == running["id"]):
        if timer is None:
            writes[rel] = data
        return []
    start = parse_iso(running["start"])
    if running["id"] in taken:
        why = f"it was stopped since and recorded as session {running['id']}"
    elif timer is not None:  # the store's own timer (running, paused or none) is live data
        why = "the store's timer is newer" if live else "it was stopped or discarded since"
    else:
        why = _blocked(running["id"], start, max(now, start), taken, busy)
    if not why:
        writes[rel] = data
        return []
    if timer is None and doc["paused"]:
        writes[rel] = dump_json({**doc, "running": None})
    return [f"the timer running {_when(start, None)} ({running['task']}): {why}"]
