"""The fold as commands run it (the commit hook, `ffhooks aggregate`, `ffhooks recover`): a
store aggregated (fold/aggregate.py) under its lock, with a progress bar where asked."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from ffhooks.fold.aggregate import FoldOutcome, aggregate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.context import Context
    from ffhooks.progress import Progress


def _bar_if(shown: bool, label: str) -> AbstractContextManager[Progress | None]:
    if not shown:
        return nullcontext(None)
    from ffhooks import progress

    return progress.bar(label)


def fold_store(ctx: Context, *, rebuild: bool = False, shown: bool = False) -> FoldOutcome:
    """Aggregate the caller's store under its lock (its copy outside the work tree is made
    with the new summaries, store/store.py `set_header`). `shown`: a progress bar, on a
    terminal."""
    with ctx.store() as store, _bar_if(shown, f"summarising {ctx.user}") as drawn:
        return aggregate(store, ctx.repo, ctx.config(), rebuild=rebuild, progress=drawn)
