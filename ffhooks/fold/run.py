"""The fold as commands run it (the commit hook, `ffhooks aggregate`, `ffhooks recover`): a
store aggregated (fold/aggregate.py) and, if that wrote summaries, snapshotted with them under the
same lock."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.fold.aggregate import FoldOutcome, aggregate
from ffhooks.store.snapshot import take_held

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.context import Context
    from ffhooks.progress import Progress


def _bar_if(shown: bool, label: str) -> AbstractContextManager[Progress | None]:
    if not shown:
        return nullcontext(None)
    from ffhooks import progress

    return progress.bar(label)


def fold_and_snapshot(ctx: Context, *, rebuild: bool = False, shown: bool = False) -> FoldOutcome:
    """Aggregate the caller's store; if that wrote summaries, snapshot the store with them,
    under the same lock, while git stages them. A failed snapshot must not fail the
    aggregation (on the commit path nothing may): it is queued and told. `shown`: a
    progress bar, on a terminal."""
    config = ctx.config()
    with ctx.store() as store, _bar_if(shown, f"summarising {ctx.user}") as drawn:

        def snapshot(written: list[Path]) -> None:
            try:
                take_held(ctx, config, "aggregate", written, (store.header or {}).get("store"))
            except FatalError as exc:
                from ffhooks.queue import record  # only when it failed

                record(ctx.repo.state_dir, "snapshot", ctx.user, str(exc), ctx.now)
                print(
                    f"ffhooks: no snapshot taken ({exc}); queued: run `ffhooks recover`",
                    file=sys.stderr,
                )

        return aggregate(
            store, ctx.repo, config, rebuild=rebuild, progress=drawn, meanwhile=snapshot
        )
