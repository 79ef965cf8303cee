"""Layer 4: what `ffhooks recover` and the daemon do with the queue, snapshots and summaries.

Restoring a store from a snapshot is ffhooks/restore.py.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from ffhooks import queue, snapshot
from ffhooks.config import TeamConfig
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.records import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.aggregate import Outcome
    from ffhooks.progress import Progress

# Operations whose retry writes into the work tree: only `recover retry` (a person at the
# keyboard) runs them; the daemon must not race pre-commit's stash of unstaged changes.
WORKTREE_OPERATIONS = {"aggregate"}


def _snapshot_held(
    ctx: Context, config: TeamConfig, reason: str, extra: Iterable[Path], store: str | None
) -> snapshot.Manifest | None:
    """Snapshot the caller's store of id `store` (whose lock the caller holds), then prune by
    the team's retention."""
    state = ctx.repo.state_dir
    top, user = ctx.repo.top, ctx.user
    try:
        made = snapshot.take(state, top, user, ctx.now, reason=reason, extra=extra, store=store)
        if len(snapshot.all_ids(state)) > config.keep_last + config.keep_daily_days:
            snapshot.prune(
                state,
                keep_last=config.keep_last,
                keep_daily_days=config.keep_daily_days,
                now=ctx.now,
            )
    except OSError as exc:
        raise FatalError(f"cannot write the snapshot ({exc.strerror}: {exc.filename})") from None
    return made


def take_snapshot(ctx: Context, reason: str) -> snapshot.Manifest | None:
    """Snapshot the caller's store under its lock; None if there is no store."""
    config = ctx.config()
    with ctx.store() as store:
        if store.header is None:
            return None
        return _snapshot_held(ctx, config, reason, (), store.header["store"])


def _bar_if(shown: bool, label: str) -> AbstractContextManager[Progress | None]:
    if not shown:
        return nullcontext(None)
    from ffhooks import progress

    return progress.bar(label)


def fold_and_snapshot(ctx: Context, *, rebuild: bool = False, shown: bool = False) -> Outcome:
    """Aggregate the caller's store; if that wrote summaries, snapshot the store with them,
    under the same lock. A failed snapshot must not fail the aggregation (on the commit path
    nothing may): it is queued and told. `shown`: a progress bar, on a terminal."""
    from ffhooks.aggregate import aggregate

    config = ctx.config()
    with ctx.store() as store, _bar_if(shown, f"summarising {ctx.user}") as drawn:
        done = aggregate(store, ctx.repo, config, rebuild=rebuild, progress=drawn)
        if done.written:
            try:
                written = [ctx.repo.top / p for p in done.written]
                _snapshot_held(ctx, config, "aggregate", written, (store.header or {}).get("store"))
            except FatalError as exc:
                queue.record(ctx.repo.state_dir, "snapshot", ctx.user, str(exc), ctx.now)
                print(
                    f"ffhooks: no snapshot taken ({exc}); queued: run `ffhooks recover`",
                    file=sys.stderr,
                )
    return done


def retry(ctx: Context, entry: dict[str, Any]) -> None:
    """Run a queued operation again for its user; raises FatalError if it still fails."""
    who = Context(ctx.repo, entry["user"], ctx.now)
    if entry["operation"] == "aggregate":
        fold_and_snapshot(who)
    else:
        take_snapshot(who, "manual")


def summary_health(top: Path) -> list[str]:
    """Problems of the summaries in the work tree (schema, checksum, name)."""
    from ffhooks import summary
    from ffhooks.validation import check, every_file

    return [
        str(p) for r in check(top, every_file(top, [], summary.SUMMARIES), []) for p in r.problems
    ]
