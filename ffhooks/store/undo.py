"""`ffhooks undo`: the changes made to a store in this work tree, read back from its
snapshots, and taking the newest back (or making the one taken back last again).

Every change is snapshotted before it is written (store/snapshot.take_change), and that
snapshot records the snapshot it follows (`parent`), what each file it writes held before
(`change.before`) and the words typed to make it. Following `parent` from the newest
snapshot gives the store's history in this work tree, change by change; a change's sessions
and timer before and after it are read from the snapshot objects.

Undo reaches back UNDO_DEPTH changes to sessions or the timer, and never past:

- a change of the store's settings or identity (its time zone, a file moved to the
  quarantine or its loss accepted, its creation), which undo does not take back;
- a change made outside ffhooks' commands (by hand, another tool, a restore): the files a
  snapshot shows differ from those its successor found;
- a snapshot that was pruned (`snapshots.keep_last`), or one an older ffhooks took.

A change is taken back session by session (`Store.apply`, one transaction, snapshotted like
any other change): the sessions it added go, those it removed or edited come back as they
were, the timer is as it was. Nothing else moves, and undo refuses where the store no longer
holds what the change left, or where what comes back would overlap what is there now.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from ffhooks.clock import local_date, wall_time
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import sha256_hex
from ffhooks.records import Any, NamedTuple
from ffhooks.store.sessions import Session, Timer
from ffhooks.store.snapshot import newest, private_files
from ffhooks.store.snapshot_area import Entry, Manifest, load, object_path
from ffhooks.store.store import Store

UNDO_DEPTH = 20  # changes undo reaches back at most
WINDOW = 100  # snapshots read back at most (folds and undos are among them)

# What in store.json is the store's own bookkeeping, which every change and fold moves on:
# a change of anything else (the time zone, the quarantine, the id) is not undone.
BOOKKEEPING = {"seq", "dirty", "longest_seconds", "summaries", "timer_months", "home", "writer"}


class State(NamedTuple):
    """What the files a change wrote held, on one side of it."""

    sessions: dict[str, Session]  # the sessions of its daily files, by id
    timer: Timer | None  # None: the change did not write the timer


class Step(NamedTuple):
    """One change to the sessions or the timer, as its snapshot records it."""

    manifest: Manifest
    before: State
    after: State

    @property
    def command(self) -> tuple[str, ...] | None:
        return self.manifest.change.command if self.manifest.change else None


class History(NamedTuple):
    undo: list[Step]  # what undo takes back, the next first
    redo: list[Step]  # what `undo --redo` makes again, the next first
    limit: str | None  # why undo reaches no further back (None: nothing was changed before)


def at(instant: datetime, store: Store) -> str:
    """`17:02` today, `2026-11-19 17:02` another day (in the store's zone)."""
    day = local_date(instant, store.tz)
    clock = wall_time(instant, store.tz)
    return clock if day == local_date(store.now, store.tz) else f"{day} {clock}"


def named(command: tuple[str, ...] | None) -> str:
    """A change as the user typed it: `"add 12 2h"`."""
    if command is None:
        return "a change by the commit hook"
    import shlex

    return f'"{shlex.join(command)}"'


def _kind(path: str, prefix: str) -> str | None:
    """ "timer", "day" or "header" for a file of the store (None: no file of it)."""
    if not path.startswith(prefix):
        return None
    rel = path[len(prefix) :]
    if rel == "time/current.json":
        return "timer"
    if rel.startswith("time/daily/"):
        return "day"
    return "header" if rel == "store.json" else None


def _read(store: Store, digest: str | None, path: str) -> Any:
    """A file's content from the snapshot objects (None: there was no file)."""
    if digest is None:
        return None
    where = object_path(store.state_dir, digest)
    try:
        data = where.read_bytes()
    except FileNotFoundError:
        raise BrokenFile(str(where), f"is missing (a copy of {path})", "") from None
    if sha256_hex(data) != digest:
        raise BrokenFile(str(where), f"does not match its checksum (a copy of {path})", "")
    return json.loads(data)


def _sides(store: Store, m: Manifest) -> tuple[State, State] | None:
    """What the sessions and timer files change `m` wrote held before and after it; None
    if it wrote none of them."""
    if m.change is None:
        return None
    prefix = f".flowforge/user/{store.user}/"
    after = {e.path: e.sha256 for e in m.files}
    sides: list[State] = []
    for digests in (m.change.before, {p: after.get(p) for p in m.change.before}):
        sessions: dict[str, Session] = {}
        timer = None
        wrote = False
        for path, digest in digests.items():
            kind = _kind(path, prefix)
            if kind == "timer":
                raw = _read(store, digest, path)
                timer = Timer.from_json(raw) if raw else Timer()
                wrote = True
            elif kind == "day":
                raw = _read(store, digest, path)
                for s in raw["sessions"] if raw else ():
                    sessions[s["id"]] = Session.from_json(s)
                wrote = True
        if not wrote:
            return None
        sides.append(State(sessions, timer))
    return sides[0], sides[1]


def _time_files(m: Manifest, prefix: str) -> dict[str, str]:
    return {e.path: e.sha256 for e in m.files if _kind(e.path, prefix) in ("timer", "day")}


def _outside(m: Manifest, parent: Manifest, prefix: str) -> bool:
    """Whether the sessions and timer files changed between `parent` and `m` otherwise
    than by a change of ffhooks (what `m` found is not what `parent` holds)."""
    found = _time_files(m, prefix)
    if m.change is not None:
        for path, digest in m.change.before.items():
            if _kind(path, prefix) in ("timer", "day"):
                if digest is None:
                    found.pop(path, None)
                else:
                    found[path] = digest
    return found != _time_files(parent, prefix)


def _settings(store: Store, m: Manifest) -> str | None:
    """Why change `m` is one undo does not take back (it changed the store's settings or
    identity), None if it did not."""
    if m.change is None:
        return None
    path = f".flowforge/user/{store.user}/store.json"
    if path not in m.change.before:
        return None
    after = next((e.sha256 for e in m.files if e.path == path), None)
    old, new = _read(store, m.change.before[path], path), _read(store, after, path)
    when = f"{named(m.change.command)} at {at(m.created, store)}"
    if old is None:
        return f"your store was created at {at(m.created, store)}, by {named(m.change.command)}"
    new = new or {}
    if {k: v for k, v in old.items() if k not in BOOKKEEPING} == {
        k: v for k, v in new.items() if k not in BOOKKEEPING
    }:
        return None
    if (old.get("timezone"), old.get("zones")) != (new.get("timezone"), new.get("zones")):
        return (
            f"{when} changed the time zone, which undo does not take back (`ffhooks "
            f"timezone {old['timezone']}` sets it back)"
        )
    if old.get("quarantined") != new.get("quarantined"):
        return f"a broken file was moved to the quarantine, or its loss accepted ({when})"
    return f"{when} changed the store's settings, which undo does not take back"


def changed_by_hand(store: Store) -> list[str]:
    """The sessions and timer files of the store that differ from its newest snapshot:
    written since by something other than ffhooks (by hand, another tool)."""
    m = _newest(store)
    if m is None:
        return []
    prefix = f".flowforge/user/{store.user}/"
    kept = {e.path: e for e in m.files if _kind(e.path, prefix) in ("timer", "day")}
    found = []
    for rel, entry in private_files(store.top, store.user):
        if _kind(rel, prefix) not in ("timer", "day"):
            continue
        known = kept.pop(rel, None)
        if known is None:
            found.append(rel)
            continue
        st = entry.stat()
        if known.stamp == (st.st_mtime_ns, st.st_ino) and known.size == st.st_size:
            continue
        with open(store.top / rel, "rb") as handle:
            if sha256_hex(handle.read()) != known.sha256:
                found.append(rel)
    # a day the snapshot holds empty and the store no longer has says the same: no sessions
    # (retention deletes the daily files it empties: recovery/retention.py)
    gone = [rel for rel, e in kept.items() if not _no_sessions(store, rel, e, prefix)]
    return sorted([*found, *gone])


def _no_sessions(store: Store, rel: str, entry: Entry, prefix: str) -> bool:
    """Whether a snapshot's copy of `rel` is a daily file that holds no session."""
    if _kind(rel, prefix) != "day" or entry.size > 256:
        return False
    return not (_read(store, entry.sha256, rel) or {}).get("sessions")


def _newest(store: Store) -> Manifest | None:
    header = store.header or {}
    return newest(store.state_dir, store.user, store=header.get("store"), worktree=str(store.top))


def history(store: Store) -> History:
    """What undo and redo can reach from the store's newest snapshot in this work tree."""
    if store.header is None:
        return History(undo=[], redo=[], limit=None)
    prefix = f".flowforge/user/{store.user}/"
    chain: list[Step] = []  # newest first
    limit: str | None = None
    m = _newest(store)
    for _ in range(WINDOW):
        if m is None:
            break
        try:
            why = _settings(store, m)
            sides = _sides(store, m) if why is None else None
        except BrokenFile as exc:  # a copy it names is missing or altered
            why = f"snapshot {m.id} cannot be read ({exc.path} {exc.problem})"
        if why is not None:
            limit = why
            break
        if sides is not None and sides[0] != sides[1]:
            chain.append(Step(m, *sides))
        if m.parent is None:
            limit = (
                f"changes before {at(m.created, store)} are not on record here (made by an "
                "older ffhooks, or in another work tree)"
            )
            break
        try:
            parent = load(store.state_dir, m.parent)
        except (BrokenFile, FatalError):
            limit = (
                f"the snapshots from before {at(m.created, store)} were pruned (team config "
                "`snapshots.keep_last`) or cannot be read"
            )
            break
        if _outside(m, parent, prefix):
            limit = (
                f"the store's files were changed outside ffhooks' commands (by hand, "
                f"another tool, or a restore) between {at(parent.created, store)} and "
                f"{at(m.created, store)}"
            )
            break
        m = parent
    else:
        limit = f"undo reads back {WINDOW} snapshots at most"
    undo: list[Step] = []
    redo: list[Step] = []
    for step in reversed(chain):
        change = step.manifest.change
        assert change is not None
        if change.undoes is not None:
            if not undo or undo[-1].manifest.id != change.undoes:
                undo, redo = [], []  # it took back a change older than what was read
            else:
                redo.append(undo.pop())
        elif change.redoes is not None:
            if not redo or redo[-1].manifest.id != change.redoes:
                undo, redo = [], []
            else:
                undo.append(redo.pop())
        else:
            undo.append(step)
            redo = []
    if len(undo) > UNDO_DEPTH:
        limit = f"undo reaches back {UNDO_DEPTH} changes at most"
    return History(undo=undo[::-1][:UNDO_DEPTH], redo=redo[::-1], limit=limit)


class Reverted(NamedTuple):
    step: Step
    was: State  # what the store held of the change's files before this
    now: State  # and what it holds after


def revert(store: Store, step: Step, *, redo: bool = False) -> Reverted:
    """Take `step` back (with `redo`, make it again): the sessions it added go, those it
    removed or edited come back as they were, and the timer is as it was, in one change of
    the store. Refuses where the store no longer holds what the step left, or where what
    comes back would overlap what is there now."""
    was, now = (step.before, step.after) if redo else (step.after, step.before)
    what = f"{named(step.command)} at {at(step.manifest.created, store)}"
    ids = {i for i in was.sessions.keys() | now.sessions.keys()}
    moving = {i for i in ids if was.sessions.get(i) != now.sessions.get(i)}
    going: list[Session] = []
    for i in sorted(moving):
        old = was.sessions.get(i)
        here = _held(store, old or now.sessions[i], i)
        if here != old:
            shown = f"session {i[:8]}"
            raise FatalError(
                f"cannot {'redo' if redo else 'undo'} {what}: {shown} is no longer as it left "
                "it (changed since by hand or another tool): `ffhooks log` shows it, `ffhooks "
                "edit` or `ffhooks remove` puts it right"
            )
        if here is not None:
            going.append(here)
    coming = [now.sessions[i] for i in sorted(moving) if i in now.sessions]
    timer = None
    if was.timer is not None and now.timer is not None and was.timer != now.timer:
        if store.timer() != was.timer:
            raise FatalError(
                f"cannot {'redo' if redo else 'undo'} {what}: the timer is no longer as it "
                "left it (`ffhooks status` shows it)"
            )
        timer = now.timer
    _refuse_overlaps(store, coming, moving, timer, what, redo)
    store.undoes, store.redoes = (None, step.manifest.id) if redo else (step.manifest.id, None)
    try:
        store.apply(added=coming, removed=going, timer=timer)
    finally:
        store.undoes = store.redoes = None
    return Reverted(step=step, was=was, now=now)


def _held(store: Store, near: Session, session_id: str) -> Session | None:
    """The store's session of id `session_id` (None: none), looked for where `near` is."""
    return next(
        (s for s in store.sessions_between(near.start, near.end) if s.id == session_id), None
    )


def _refuse_overlaps(
    store: Store,
    coming: Iterable[Session],
    moving: set[str],
    timer: Timer | None,
    what: str,
    redo: bool,
) -> None:
    """Refuse what would bring back a session, or a timer, over time recorded since."""
    verb = "redo" if redo else "undo"
    running = (timer if timer is not None else store.timer()).running
    spans = []
    for s in coming:
        if running and running.id != s.id and s.end > running.start:
            raise FatalError(
                f"cannot {verb} {what}: session {s.id[:8]} would come back over the running "
                f"timer on {running.task}: stop it first"
            )
        spans.append((f"session {s.id[:8]} would come back", s.start, s.end))
    if timer is not None and timer.running is not None:
        r = timer.running
        again = f"the timer on {r.task} would run again since {at(r.start, store)}"
        spans.append((again, r.start, store.now))
    for said, start, end in spans:
        for other in store.sessions_between(start, end):
            if other.id not in moving:
                raise FatalError(
                    f"cannot {verb} {what}: {said} over session {other.id[:8]} on "
                    f"{other.task}, recorded since: `ffhooks edit` or `ffhooks remove` that "
                    "one first"
                )
