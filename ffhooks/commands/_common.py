"""Small pieces the command modules share: limits, instants from options, display."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import date, datetime

from ffhooks.clock import format_duration, local_date, parse_instant, wall_time
from ffhooks.config import task_from_branch
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.git.plumbing import current_branch
from ffhooks.store.rules import Limits, check_tags
from ffhooks.store.sessions import Session
from ffhooks.store.store import Store


def branch_task(ctx: Context) -> str:
    branch = current_branch(ctx.repo)
    if branch is None:
        raise FatalError("no TASK given and HEAD is detached: name it, e.g. `ffhooks start 205`")
    pattern = ctx.config().branch_task_pattern
    task = task_from_branch(branch, pattern)
    if task is None:
        raise FatalError(
            f"no TASK given and branch {branch!r} names none (branch_task_pattern {pattern!r}): "
            "name it, e.g. `ffhooks start 205`"
        )
    return task


def split_tags(words: Iterable[str]) -> tuple[list[str], tuple[str, ...]]:
    """The words of a command line without its `+tag`s, and those tags as a session keeps
    them (as Watson reads `watson start project +tag`)."""
    plain = [w for w in words if not w.startswith("+")]
    return plain, check_tags(w[1:] for w in words if w.startswith("+"))


def tagged(task: str, tags: Iterable[str]) -> str:
    """A task as the timer commands show it: `12 [api, review]` when it has tags."""
    shown = ", ".join(tags)
    return f"{task} [{shown}]" if shown else task


def limits(ctx: Context, force: bool) -> Limits:
    return Limits(ctx.config().max_session_seconds, force)


def instant(text: str | None, store: Store, default: datetime) -> datetime:
    """An option's time, read in the store's zone (`yesterday`, `5m ago` from now); a time
    of day alone is on `default`'s day."""
    if text is None:
        return default
    return parse_instant(text, store.now, store.tz, local_date(default, store.tz))


def hhmm(dt: datetime, store: Store) -> str:
    return wall_time(dt, store.tz)


def ago(dt: datetime, store: Store) -> str:
    """`1h12m ago at 09:03`, with the day when it is not today (`on 2026-11-19 at 16:00`)."""
    day = local_date(dt, store.tz)
    on = "" if day == local_date(store.now, store.tz) else f"on {day} "
    seconds = max(0, int((store.now - dt).total_seconds()))
    return f"{format_duration(seconds)} ago {on}at {hhmm(dt, store)}"


def describe(s: Session, store: Store) -> str:
    local = s.start.astimezone(store.tz)
    kind = "billable" if s.billable else "non-billable"
    return (
        f"{tagged(s.task, s.tags)} {local:%Y-%m-%d} {hhmm(s.start, store)}-{hhmm(s.end, store)} "
        f"({format_duration(s.seconds)}, {kind}, id {s.id})"
    )


def warn_if_closed(ctx: Context, periods: Iterable[tuple[date, date]]) -> None:
    """Say so when a change touches a closed period (from --, to, as local days): its
    report will show it as an adjustment, not as a silent edit of what was billed."""
    from ffhooks.report.closing import closed_spans

    spans = closed_spans(ctx.repo)  # no git process: the refs are read directly
    hit = {s.tag for s in spans for lo, hi in periods if s.first <= hi and s.last >= lo}
    for tag in sorted(hit):
        print(
            f"ffhooks: warning: this changes time in a closed period (tag {tag}): "
            "reports will show it as an adjustment (time added: to bill in the next invoice; "
            "time taken out of a day: `ffhooks verify` fails until the period is closed again)",
            file=sys.stderr,
        )


def local_days(sessions: Iterable[Session], store: Store) -> list[tuple[date, date]]:
    return [
        (s.start.astimezone(store.tz).date(), s.end.astimezone(store.tz).date()) for s in sessions
    ]


def warnings(ctx: Context, *, tracking: bool = True) -> list[str]:
    """What a person must hear at every timer command: failures of a commit's hook waiting
    in the queue (a commit from an IDE, or under prek, shows nothing of what the hook said),
    and, for someone `tracking` time here, commits that do not run the hook at all."""
    from ffhooks.hook import wiring as hook_wiring
    from ffhooks.queue import reminder

    found = []
    waiting = reminder(ctx.repo.state_dir)
    if waiting:
        found.append(waiting)
    wiring = hook_wiring.check(ctx.repo) if tracking else None
    if wiring is not None and not wiring.runs:
        found.append(hook_wiring.warning(wiring))
    return found


def remind(ctx: Context) -> None:
    for warning in warnings(ctx):
        print(f"warning: {warning}", file=sys.stderr)
