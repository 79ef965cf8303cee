from __future__ import annotations

from ffhooks import timer
from ffhooks.commands._common import describe, hhmm, instant, limits
from ffhooks.config import task_from_branch
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.gitio import current_branch


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


def start(
    ctx: Context, *, task: str | None, billable: bool, note: str | None, at: str | None, force: bool
) -> int:
    task = task if task is not None else branch_task(ctx)
    with ctx.store(create=True) as store:
        when = instant(at, store, ctx.now)
        running, ended = timer.start(
            store, task, when, limits(ctx, force), billable=billable, note=note
        )
        if ended:
            print(f"Stopped {describe(ended, store)}")
        if running.start != when:
            print(f"Already tracking {running.task} since {hhmm(running.start, store)}")
        else:
            kind = "billable" if billable else "non-billable"
            print(f"Started {task} at {hhmm(when, store)} ({kind})")
    return 0
