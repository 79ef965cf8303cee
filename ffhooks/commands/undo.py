"""`ffhooks undo [--list | --redo]`: take back the last change to your sessions or timer,
and say what that did, in one line; `--list` shows what undo would take back, the next
first; `--redo` makes again what undo took back last (see store/undo.py for how far back
undo reaches, and what it refuses)."""

from __future__ import annotations

from ffhooks.clock import format_duration, local_date
from ffhooks.commands._common import hhmm, local_days, warn_if_closed
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.store.sessions import Session
from ffhooks.store.store import Store
from ffhooks.store.undo import State, Step, at, changed_by_hand, history, named, revert


def undo(ctx: Context, *, listing: bool, redo: bool) -> int:
    with ctx.store() as store:
        if store.header is None:
            raise FatalError("nothing to undo: you have no time store here yet")
        touched = changed_by_hand(store)
        if touched:
            more = f" (and {len(touched) - 1} more)" if len(touched) > 1 else ""
            why = (
                f"{touched[0]}{more} changed since ffhooks last wrote it (by hand or another "
                "tool), and undo takes back only what ffhooks' commands did"
            )
            if listing:
                print(f"Nothing to undo: {why}")
                return 0
            raise FatalError(
                f"cannot {'redo' if redo else 'undo'}: {why}: `ffhooks log` shows your "
                "sessions, `ffhooks edit` and `ffhooks remove` put them right"
            )
        found = history(store)
        if listing:
            _list(store, found.undo, found.redo, found.limit)
            return 0
        steps = found.redo if redo else found.undo
        if not steps:
            if redo:
                raise FatalError(
                    "nothing to redo: `ffhooks undo --redo` makes again what `ffhooks undo` "
                    "took back, until another change is made"
                )
            raise FatalError(f"nothing to undo: {found.limit or 'no change is on record here'}")
        done = revert(store, steps[0], redo=redo)
        verb = "Redid" if redo else "Undid"
        print(
            f"{verb} {named(done.step.command)} at {at(done.step.manifest.created, store)}: "
            f"{effect(done.was, done.now, store, undoing=not redo)}"
        )
        moved = [*done.was.sessions.values(), *done.now.sessions.values()]
        warn_if_closed(ctx, local_days(_moving(moved, done.was, done.now), store))
    return 0


def _moving(sessions: list[Session], was: State, now: State) -> list[Session]:
    return [s for s in sessions if was.sessions.get(s.id) != now.sessions.get(s.id)]


def _list(store: Store, undo: list[Step], redo: list[Step], limit: str | None) -> None:
    if not undo:
        print(f"Nothing to undo: {limit or 'no change is on record here'}")
    else:
        print("`ffhooks undo` takes back, the next first:")
        for step in undo:
            what = effect(step.after, step.before, store, undoing=True)
            print(f"  {at(step.manifest.created, store)}  {named(step.command)}: {what}")
        if limit:
            print(f"Nothing further back: {limit}")
    if redo:
        print("`ffhooks undo --redo` makes again, the next first:")
        for step in redo:
            what = effect(step.before, step.after, store, undoing=False)
            print(f"  {at(step.manifest.created, store)}  {named(step.command)}: {what}")


def effect(was: State, now: State, store: Store, *, undoing: bool) -> str:
    """What going from `was` to `now` does to the sessions and the timer, in one line."""
    said: list[str] = []
    gone = {i: s for i, s in was.sessions.items() if i not in now.sessions}
    back = {i: s for i, s in now.sessions.items() if i not in was.sessions}
    edited = [(was.sessions[i], s) for i, s in now.sessions.items() if i in was.sessions]
    edited = [(old, new) for old, new in edited if old != new]
    before = was.timer.running if was.timer else None
    after = now.timer.running if now.timer else None
    if was.timer != now.timer:
        if after is not None and (before is None or before.id != after.id):
            gone.pop(after.id, None)  # the session the timer had ended as
            again = " again" if undoing else ""
            said.append(f"{after.task} is running{again} since {at(after.start, store)}")
        if before is not None and (after is None or before.id != after.id):
            ended = back.pop(before.id, None)
            if ended is not None:
                said.append(
                    f"{before.task} stopped at {at(ended.end, store)} (session {ended.id[:8]}, "
                    f"{format_duration(ended.seconds)})"
                )
            else:
                said.append(
                    f"the timer on {before.task} since {at(before.start, store)} is dropped"
                )
        if before is not None and after is not None and before.id == after.id:
            kind = "billable" if after.billable else "non-billable"
            word = "back to" if undoing else "now"
            said.append(
                f"the running timer is {word} {after.task} since {at(after.start, store)} ({kind})"
            )
        paused_was = was.timer.paused if was.timer else None
        paused_now = now.timer.paused if now.timer else None
        if paused_now is not None and paused_now != paused_was:
            said.append(f"{paused_now.task} is paused{' again' if undoing else ''}")
        elif paused_was is not None and paused_now is None and after is None:
            said.append(f"the paused timer on {paused_was.task} is dropped")
    said += _sessions("removed", list(gone.values()), store)
    said += _sessions("brought back" if undoing else "added", list(back.values()), store)
    said += _edited(edited, store, undoing)
    return "; ".join(said) or "nothing changed"


def _shown(s: Session, store: Store) -> str:
    return f"{s.task}, {local_date(s.start, store.tz)} {hhmm(s.start, store)}-{hhmm(s.end, store)}"


def _sessions(verb: str, sessions: list[Session], store: Store) -> list[str]:
    if len(sessions) > 3:
        days = sorted(local_date(s.start, store.tz) for s in sessions)
        return [f"{verb} {len(sessions)} sessions ({days[0]} to {days[-1]})"]
    ordered = sorted(sessions, key=lambda s: s.start)
    return [f"{verb} session {s.id[:8]} ({_shown(s, store)})" for s in ordered]


def _edited(edited: list[tuple[Session, Session]], store: Store, undoing: bool) -> list[str]:
    if not edited:
        return []
    tasks = {(old.task, new.task) for old, new in edited}
    renamed = all(old._replace(task=new.task) == new for old, new in edited)
    if len(edited) > 1 and renamed and len(tasks) == 1:
        [(old_task, new_task)] = tasks
        return [
            f"{len(edited)} sessions {'back ' if undoing else ''}on {new_task} (from {old_task})"
        ]
    if len(edited) > 3:
        return [f"{len(edited)} sessions {'back as they were' if undoing else 'changed again'}"]
    word = "back to" if undoing else "now"
    return [f"session {new.id[:8]} {word} {_shown(new, store)}" for _, new in edited]
