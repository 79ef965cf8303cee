"""Fold every store of the work tree into the team summaries: `ffhooks aggregate` and the
commit hook. Every store under `.flowforge/user/` belongs to this clone, so each is folded
under its own user's name, whoever the hook itself would resolve as the user (an IDE commit
without FFHOOKS_USER must not leave anyone's time behind)."""

from __future__ import annotations

import sys
from datetime import datetime

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo
from ffhooks.layout import SUMMARIES
from ffhooks.store.identity import stores


def _fold(repo: Repo, user: str, now: datetime, *, rebuild: bool, quiet: bool) -> list[str]:
    """Fold one store, say what needs saying; returns the files it staged as it found them
    (not written now: the index had lost them), which the commit hook validates."""
    # imported here: a teammate who tracks nothing pays for a `listdir`, not for these
    from ffhooks.context import Context
    from ffhooks.fold.run import fold_and_snapshot

    ctx = Context(repo=repo, user=user, now=now)
    done = fold_and_snapshot(ctx, rebuild=rebuild, shown=rebuild and not quiet)
    lost = [p for p in done.staged if p not in done.written]
    if lost:
        print(
            f"ffhooks: staged {len(lost)} summary file(s) of {ctx.user} that the index had lost "
            f"(e.g. after `git reset`): {lost[0]}",
            file=sys.stderr,
        )
    if done.restored:
        print(
            f"ffhooks: put back {len(done.restored)} superseded summary file(s) of {ctx.user} "
            f"that an older ffhooks made tombstones and `git reset` unstaged, e.g. "
            f"{done.restored[0]}: summaries are no longer buried (`ffhooks compact` deletes "
            "them on the default branch)",
            file=sys.stderr,
        )
    if done.waiting:
        print(
            f"ffhooks: {len(done.waiting)} superseded summary file(s) of {ctx.user} are "
            f"tombstones an older ffhooks left unstaged (after `git reset`?), e.g. "
            f"{done.waiting[0]}: summaries are no longer buried; `git restore -- {SUMMARIES}` "
            "discards them",
            file=sys.stderr,
        )
    if done.unsigned:
        print(
            f"ffhooks: {ctx.user}'s summaries are unsigned and the team asks for signatures "
            "(team config `signatures`): `ffhooks init --signing` sets up your SSH key",
            file=sys.stderr,
        )
    if done.capped:
        config = ctx.config()
        print(
            f"ffhooks: {ctx.user}'s timer on {done.capped} has run past max_session_hours "
            f"({config.max_session_hours:g}h): the summaries count {config.max_session_hours:g}h "
            "of it until you stop it (`ffhooks stop --at TIME` with the real end, or --force "
            "if it really ran that long)",
            file=sys.stderr,
        )
    if quiet and done.billed:  # the commit hook: one line of what it folded
        from ffhooks.clock import format_duration

        months = ", ".join(
            f"{'+' if change >= 0 else '-'}{format_duration(abs(change))} billable in {month}"
            for month, change in done.billed
        )
        print(f"ffhooks: {ctx.user} {months}, staged")
    if not quiet:
        if done.written:
            print(f"Summaries for {ctx.user}: {len(done.written)} written and staged")
        else:
            print(f"Summaries for {ctx.user} are up to date")
    return lost


def _refuse_odd(odd: list[str]) -> str:
    return (
        f".flowforge/user/{odd[0]} is not a store ffhooks can fold (user folders are 1-64 of "
        "a-z 0-9 . _ -): rename it to the user's name in lower case"
    )


def aggregate(repo: Repo, now: datetime, *, rebuild: bool, hook: bool = False) -> int:
    """Fold every store, rebuilding every month with `rebuild`; with `hook`, as the commit
    hook does (`aggregate_hook`)."""
    if hook:
        return aggregate_hook(repo, now)
    users, odd = stores(repo)
    for user in users:
        _fold(repo, user, now, rebuild=rebuild, quiet=False)
    if odd:
        raise FatalError(_refuse_odd(odd))
    if not users:
        print("No time store in this work tree: nothing to aggregate")
    return 0


def aggregate_hook(repo: Repo, now: datetime) -> int:
    """The commit hook: never blocks the commit. A failure is queued with its reason and
    reported in one line; the time itself stays safe in the private store."""
    from ffhooks.hook.output import shown

    def fold() -> int:
        fold_every_store(repo, now)
        return 0

    return shown(fold)


def fold_every_store(repo: Repo, now: datetime) -> list[str]:
    """`aggregate_hook`, returning the files it staged as it found them."""
    from ffhooks.git.merge_config import merge_settings

    users, odd = stores(repo)
    if odd:
        print(f"ffhooks: {_refuse_odd(odd)}", file=sys.stderr)
    changed = merge_settings(repo) if users else []
    if changed:
        print(
            f"ffhooks: set up this clone's merges of summaries ({', '.join(changed)}), so "
            "that merges, cherry-picks and rebases settle them by themselves",
            file=sys.stderr,
        )
    touched = []
    for user in users:
        try:
            touched += _fold(repo, user, now, rebuild=False, quiet=True)
        except Exception as exc:
            _queue(repo, user, now, exc)
    return touched


def _queue(repo: Repo, user: str, now: datetime, exc: Exception) -> None:
    from ffhooks.queue import record

    reason = str(exc) if isinstance(exc, FatalError) else f"internal error {exc!r}"
    if not isinstance(exc, FatalError):
        from ffhooks.error_handler import log_bug

        log_bug()
    try:
        where = record(repo.state_dir, "aggregate", user, reason, now)
        queued = f"queued in {where.parent}"
    except Exception:
        queued = "could not even queue it"
    print(
        f"ffhooks: time of {user} not aggregated ({reason}); it is safe in the store, "
        f"{queued}: run `ffhooks recover`",
        file=sys.stderr,
    )
