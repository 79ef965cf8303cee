"""How much of a person's tracked time no commit holds yet: what `ffhooks status` shows, so a
clone whose commits never fold (no hook, `--no-verify`, an IDE without ffhooks) is seen to
keep time at home.

Work follows what changed, not history: only months the store changed since its last fold,
months a running timer touches, and months whose newest fold is not in HEAD's tree are
compared, each against the newest of the store's summaries that HEAD holds.
"""

from __future__ import annotations

from ffhooks.clock import months_of
from ffhooks.config import TeamConfig
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fold.aggregate import draft, running_span
from ffhooks.git.objects import read_objects, tree_blobs
from ffhooks.git.plumbing import Repo
from ffhooks.layout import SUMMARIES
from ffhooks.records import Any
from ffhooks.store.store import Store
from ffhooks.summary import live, loads, tombstones


def _seconds(doc: dict[str, Any]) -> int:
    return sum(
        cell["billable_seconds"] + cell["non_billable_seconds"]
        for tasks in doc["totals"].values()
        for cell in tasks.values()
    )


def _committed(blob: bytes | None) -> int:
    """A committed summary's seconds; one that cannot be read counts for nothing (a reader
    would not count it either: `ffhooks verify` names it)."""
    try:
        return _seconds(loads(blob, "", "")) if blob is not None else 0
    except (ValueError, TypeError, KeyError, AttributeError, BrokenFile):
        return 0


def uncommitted_seconds(store: Store, repo: Repo, config: TeamConfig) -> int:
    """Tracked seconds (recorded, and the running timer as a commit now would count it) that
    the summaries committed at HEAD do not hold. Time withdrawn since (a cancel, a removal)
    does not make up for time added elsewhere: each month counts only what it lacks."""
    header = store.header
    if header is None:
        return 0
    span = running_span(store, config.max_session_seconds)
    months = set(header.get("dirty", ())) | set(header.get("timer_months", ()))
    if span:
        months |= months_of(span.running.start, span.end, store.zones)
    try:
        blobs = tree_blobs(repo.top, "HEAD", [f"{SUMMARIES}/{store.user}/"])
    except FatalError:
        blobs = {}  # no commit yet: nothing is committed
    committed: dict[str, tuple[int, str]] = {}  # month -> (seq, blob) of the newest at HEAD
    for (_, store_id, month), where in live(blobs, tombstones(blobs)).items():
        if store_id == header["store"]:
            committed[month] = (where.seq, blobs[where.path])
    for month, seq in header.get("summaries", {}).items():
        if committed.get(month, (0, ""))[0] < seq:
            months.add(month)
    if not months:
        return 0
    asked = sorted(m for m in months if m in committed)
    docs = dict(zip(asked, read_objects(repo.top, [committed[m][1] for m in asked]), strict=True))
    missing = 0
    for month in sorted(months):
        now = _seconds(draft(store, month, span, config))
        before = _committed(docs.get(month))
        missing += max(0, now - before)
    return missing
