"""`ffhooks collect`: an organisation's dataset from many repositories' committed summaries
(the work is in ffhooks/org/)."""

from __future__ import annotations

from pathlib import Path


def collect(
    *, repos: list[str], ref: str | None, output: str, include_unverified: bool, prune: bool
) -> int:
    from ffhooks.org import collect as col
    from ffhooks.org.sources import sources

    named = sources(repos, ref)
    col.collect(Path(output), named, include_unverified=include_unverified, prune=prune)
    return 0
