"""`ffhooks aggregate`: fold every store of the work tree into the team summaries. Every store
under `.flowforge/user/` belongs to this clone, so each is folded under its own user's name.
With `--hook`, as the commit hook folds (`hook/pipeline.py`): never failing, failures queued."""

from __future__ import annotations

import sys
from datetime import datetime

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo
from ffhooks.store.identity import stores


def aggregate(repo: Repo, now: datetime, *, rebuild: bool, hook: bool = False) -> int:
    """Fold every store, rebuilding every month with `rebuild`; with `hook`, as the commit
    hook does."""
    if hook:
        from ffhooks.hook.output import shown

        return shown(lambda: _as_the_hook(repo, now))
    from ffhooks.hook.pipeline import odd_store

    users, odd = stores(repo)
    for user in users:
        _fold(repo, user, now, rebuild=rebuild)
    if odd:
        raise FatalError(odd_store(odd))
    if not users:
        print("No time store in this work tree: nothing to aggregate")
    return 0


def _fold(repo: Repo, user: str, now: datetime, *, rebuild: bool) -> None:
    from ffhooks.context import Context
    from ffhooks.fold import notices
    from ffhooks.fold.run import fold_store

    ctx = Context(repo=repo, user=user, now=now)
    config = ctx.config()
    done = fold_store(ctx._replace(team=config), rebuild=rebuild, shown=rebuild)
    for line in notices.warnings(user, done, config):
        print(f"ffhooks: {line}", file=sys.stderr)
    if done.written:
        print(f"Summaries for {user}: {len(done.written)} written and staged")
    else:
        print(f"Summaries for {user} are up to date")


def _as_the_hook(repo: Repo, now: datetime) -> int:
    from ffhooks.hook.pipeline import Committing, Said, fold_every_store

    said = Said()
    fold_every_store(Committing(repo), *stores(repo), now, said)
    for line in said.err:
        print(f"ffhooks: {line}", file=sys.stderr)
    for line in said.out:
        print(line)
    return 0
