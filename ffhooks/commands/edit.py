from __future__ import annotations

from collections.abc import Sequence

from ffhooks.commands._common import (
    describe,
    hhmm,
    instant,
    limits,
    local_days,
    split_tags,
    tagged,
    warn_if_closed,
)
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.records import NamedTuple
from ffhooks.store import timer
from ffhooks.store.rules import check_tags
from ffhooks.store.sessions import Running, Session
from ffhooks.store.store import Store


def edit(
    ctx: Context,
    *,
    session_id: str,
    start: str | None,
    end: str | None,
    task: str | None,
    billable: bool | None,
    note: str | None,
    force: bool,
    tags: Sequence[str] = (),
    untag: Sequence[str] = (),
) -> int:
    named, added = split_tags(tags)
    if named:
        raise FatalError(
            f"{named[0]!r}: tags to add start with +, e.g. `ffhooks edit ID +api`; "
            "--task changes the task"
        )
    with ctx.store() as store:
        if session_id == "current":
            changes = Changes(
                start=start,
                task=task,
                billable=billable,
                note=note,
                added=added,
                untag=tuple(untag),
            )
            return _edit_running(ctx, store, end, changes)
        old = store.find(session_id)
        begin = instant(start, store, old.start)
        new = old._replace(
            start=begin,
            # a clock-only --end is on the day the (new) start is
            end=instant(end, store, old.end if start is None else begin),
            task=old.task if task is None else task,
            billable=old.billable if billable is None else billable,
            note=old.note if note is None else (note or None),
            tags=retagged(old, added, untag),
        )
        if new == old:
            print("Nothing to change")
            return 0
        timer.edit(store, old, new, limits(ctx, force))
        print(f"Was:  {describe(old, store)}")
        print(f"Now:  {describe(new, store)}")
        warn_if_closed(ctx, local_days([old, new], store))
    return 0


class Changes(NamedTuple):
    """What `edit current` changes of the running timer (None: keeps)."""

    start: str | None
    task: str | None
    billable: bool | None
    note: str | None
    added: tuple[str, ...]  # tags
    untag: tuple[str, ...]


def retagged(
    has: Session | Running, added: tuple[str, ...], untag: Sequence[str]
) -> tuple[str, ...]:
    """The tags of a session (or the running timer) with `added` and without `untag`: a tag
    to take away that it does not carry is a typo, refused."""
    tags = has.tags
    for tag in untag:
        if tag.lstrip("+") not in tags:
            shown = ", ".join(tags) or "none"
            raise FatalError(f"--untag {tag}: the session has no such tag (its tags: {shown})")
    gone = {t.lstrip("+") for t in untag}
    return check_tags([*(t for t in tags if t not in gone), *added])


def _edit_running(ctx: Context, store: Store, end: str | None, changes: Changes) -> int:
    """`edit current`: the running timer as it should have been."""
    start, task, billable, note = changes[:4]
    running = store.timer().running
    if running is None:
        raise FatalError("no timer is running: `ffhooks edit ID` corrects a recorded session")
    if end is not None:
        raise FatalError("a running timer has no end yet: `ffhooks stop --at TIME` ends it")
    changed = running._replace(
        start=instant(start, store, running.start),
        task=running.task if task is None else task,
        billable=running.billable if billable is None else billable,
        note=running.note if note is None else (note or None),
        tags=retagged(running, changes.added, changes.untag),
    )
    if changed == running:
        print("Nothing to change")
        return 0
    timer.change_running(store, changed)
    kind = "billable" if changed.billable else "non-billable"
    print(
        f"Running: {tagged(changed.task, changed.tags)} since {hhmm(changed.start, store)} ({kind})"
    )
    earliest = min(changed.start, running.start).astimezone(store.tz).date()
    warn_if_closed(ctx, [(earliest, ctx.now.astimezone(store.tz).date())])
    return 0
