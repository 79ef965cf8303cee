"""Layer 4: what `ffhooks recover` and the daemon do with the queue, snapshots and summaries.

A store folded and snapshotted under one lock is ffhooks/fold/run.py; a store restored from a
snapshot, ffhooks/recovery/restore.py.
"""

from __future__ import annotations

from pathlib import Path

from ffhooks.context import Context
from ffhooks.layout import SUMMARIES
from ffhooks.records import Any
from ffhooks.store.snapshot import take_held

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.git.plumbing import Repo
    from ffhooks.store.snapshot_area import Manifest

# Operations whose retry writes into the work tree: only `recover retry` (a person at the
# keyboard) runs them; the daemon must not race pre-commit's stash of unstaged changes.
WORKTREE_OPERATIONS = {"aggregate"}


def take_snapshot(ctx: Context, reason: str) -> Manifest | None:
    """Snapshot the caller's store under its lock; None if there is no store."""
    config = ctx.config()
    with ctx.store() as store:
        if store.header is None:
            return None
        return take_held(ctx, config, reason, (), store.header["store"])


def retry(ctx: Context, entry: dict[str, Any]) -> None:
    """Run a queued operation again for its user; raises FatalError if it still fails."""
    who = Context(repo=ctx.repo, user=entry["user"], now=ctx.now)
    if entry["operation"] == "aggregate":
        from ffhooks.fold.run import fold_store

        fold_store(who)
    else:
        take_snapshot(who, "manual")


def summary_health(top: Path) -> list[str]:
    """Problems of the summaries in the work tree (schema, checksum, name)."""
    from ffhooks.validator.checks import check, every_file

    return [str(p) for r in check(top, every_file(top, [], SUMMARIES), []) for p in r.problems]


def headers(repo: Repo) -> list[tuple[str, dict[str, Any]]]:
    """(user, store.json) of every store in this work tree that has its header."""
    from ffhooks.fold.staging import rel_path
    from ffhooks.store.identity import stores
    from ffhooks.validator.schema import read_json

    found = []
    for user in stores(repo)[0]:
        path = repo.flowforge / "user" / user / "store.json"
        fix = "run `ffhooks recover` for the fix"
        try:
            found.append((user, read_json(path, rel_path(repo, path), fix, "store")))
        except FileNotFoundError:
            continue
    return found


def unstaged(repo: Repo) -> list[tuple[str, bool]]:
    """Every store's summaries that no commit would carry: (path, still on disk). On disk
    but untracked, the next aggregation stages them; the newest of a month missing from the
    work tree is written anew."""
    from ffhooks.fold.aggregate import newest_own
    from ffhooks.fold.staging import rel_path, untracked_own

    found = []
    for user, header in headers(repo):
        user_dir = repo.top / SUMMARIES / user
        found += [(rel_path(repo, p), True) for p in untracked_own(repo, user_dir, header["store"])]
        found += [
            (rel_path(repo, p), False) for p in newest_own(user_dir, header) if not p.is_file()
        ]
    return found
