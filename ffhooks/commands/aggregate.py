from __future__ import annotations

import os
import sys
from collections.abc import Callable

from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.gitio import Repo


def has_any_store(repo: Repo) -> bool:
    """Cheap check before anything else: a teammate who tracks nothing pays for one stat."""
    folder = repo.flowforge / "user"
    try:
        return any(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return False


def aggregate(ctx: Context, *, rebuild: bool, quiet: bool) -> int:
    from ffhooks.recovery import fold_and_snapshot

    written = fold_and_snapshot(ctx, rebuild=rebuild)
    if quiet:
        return 0
    if written:
        print(f"Summaries for {ctx.user}: {len(written)} written and staged")
    else:
        print("Summaries are up to date")
    return 0


def aggregate_hook(repo: Repo, make_context: Callable[[], Context]) -> int:
    """The commit hook: never blocks the commit. A failure is queued with its reason and
    reported in one line; the time itself stays safe in the private store."""
    if not has_any_store(repo):
        return 0
    from ffhooks.clock import now_from_env

    user = "unknown"
    try:
        ctx = make_context()
        user = ctx.user
        return aggregate(ctx, rebuild=False, quiet=True)
    except Exception as exc:
        from ffhooks.queue import record

        reason = str(exc) if isinstance(exc, FatalError) else f"internal error {exc!r}"
        if not isinstance(exc, FatalError):
            from ffhooks.main import log_bug

            log_bug()
        try:
            where = record(repo.state_dir, "aggregate", user, reason, now_from_env(os.environ))
            queued = f"queued in {where.parent}"
        except Exception:
            queued = "could not even queue it"
        print(
            f"ffhooks: time not aggregated ({reason}); your time is safe, {queued}: run "
            "`ffhooks recover`",
            file=sys.stderr,
        )
        return 0
