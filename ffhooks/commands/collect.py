"""`ffhooks collect`: an organisation's dataset from many repositories' committed summaries
(the work is in ffhooks/org/)."""

from __future__ import annotations

from pathlib import Path


def collect(
    *,
    repos: list[str],
    ref: str | None,
    output: str,
    include_unverified: bool,
    prune: bool,
    jobs: int | None,
) -> int:
    import os

    from ffhooks.errors import FatalError
    from ffhooks.org import collect as col
    from ffhooks.org.sources import sources

    if jobs is not None and jobs < 1:
        raise FatalError(f"--jobs {jobs}: give 1 or more (1: one repository at a time)")
    named = sources(repos, ref)
    jobs = min(jobs or os.cpu_count() or 1, len(named))
    col.collect(Path(output), named, include_unverified=include_unverified, prune=prune, jobs=jobs)
    return 0
