"""Fold a private store into the committed summaries of its user (the commit-hook path).

Aggregation only adds: a file for each month that changed, with a higher seq. It never edits or
deletes a summary, so a commit of it merges, rebases, squashes, cherry-picks and reverts
without a conflict and without a merge driver (git pairs a deleted or rewritten summary with a
similar added one as a rename, and rename pairs conflict). The files it supersedes stay until
`ffhooks compact` deletes them on the default branch (see fold/compact.py).

Only months that changed are rebuilt (see `wanted_months`), so time recorded anywhere reaches
the next commit. Work is proportional to what changed: one `stat` per month ever summarised,
reading only the months rebuilt, and one `git status` of the user's folder to make sure the
newest summary of every month is in the index, whatever git did to the index since the last
commit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from ffhooks import summary
from ffhooks.clock import format_duration, months_of
from ffhooks.config import TeamConfig
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fold.staging import (
    index_lacks,
    refuse_unstaged,
    rel_path,
    stage_added,
    stashed_by_precommit,
)
from ffhooks.fsio import atomic_write
from ffhooks.git.plumbing import Repo
from ffhooks.layout import TOMBSTONE_BLOB
from ffhooks.records import Any, NamedTuple
from ffhooks.store.sessions import Running
from ffhooks.store.store import Store

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.trust.signing import SigningKey


class FoldOutcome(NamedTuple):
    written: list[str]
    staged: list[str]  # written now, or written before but missing from the index
    restored: list[str]  # tombstones an older ffhooks left unstaged, put back as the index has them
    waiting: list[str]  # such tombstones pre-commit stashed as unstaged: they stay unstaged
    capped: str | None  # the task of a running timer counted only up to max_session_hours
    unsigned: bool = False  # the team warns about unsigned summaries and git has no key
    billed: tuple[tuple[str, int], ...] = ()  # (month, change of its billable seconds) written


class TimerSpan(NamedTuple):
    """What a running timer adds to the summaries: from its start to now, at most
    max_session_hours (a forgotten timer is not billed for the weekend)."""

    running: Running
    end: datetime
    capped: bool


def running_span(store: Store, max_seconds: int) -> TimerSpan | None:
    running = store.timer().running
    if running is None or store.now <= running.start:
        return None
    cap = running.start + timedelta(seconds=max_seconds)
    return TimerSpan(running, min(store.now, cap), store.now > cap)


def _ours(folder: Path, store_id: str) -> list[tuple[int, Path]]:
    """This store's summary files in one month folder, lowest seq first."""
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in names:
        match = summary.NAME.fullmatch(name)
        if match and match["store"] == store_id:
            found.append((int(match["seq"]), folder / name))
    return sorted(found)


def store_months(user_dir: Path, store_id: str) -> dict[str, list[tuple[int, Path]]]:
    """This store's summary files in each month folder of a user, lowest seq first."""
    try:
        months = os.listdir(user_dir)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    found = {month: _ours(user_dir / month, store_id) for month in months}
    return {month: files for month, files in found.items() if files}


def trusted(path: Path) -> dict[str, Any] | None:
    """The content of a summary we wrote, or None if it cannot be trusted (it is replaced)."""
    try:
        doc = summary.loads(path.read_bytes(), str(path), "")
    except (OSError, BrokenFile):
        return None
    return doc if isinstance(doc, dict) and not summary.problems(doc, None) else None


def says_the_same(
    drafted: dict[str, Any], newest: Path | None, key: SigningKey | None
) -> tuple[bool, dict[str, Any] | None]:
    """Whether the newest summary of a store's month (`newest`, None: there is none) already
    says what `drafted` says, signed as `key` would sign it (a new key, or signing turned on,
    writes the month again): then nothing is written. Also its content, None where there is
    none or it cannot be trusted (the month is then written anew). The fold and `migrate`
    decide by this."""
    latest = trusted(newest) if newest is not None else None
    same = latest is not None and summary.same_content(drafted, latest)
    if not same or key is None:  # only teams that sign import the signing
        return same, latest
    from ffhooks.trust.policy import signed_alike

    return signed_alike(latest or {}, key), latest


def write_summary(repo: Repo, path: Path, content: bytes, *, fsync: bool = True) -> None:
    """Write one summary (only added: what it supersedes stays), or say what stops it."""
    try:
        atomic_write(path, content, fsync=fsync)
    except OSError as exc:
        raise FatalError(
            f"cannot write {path.relative_to(repo.top)} ({exc.strerror}): make sure "
            f"{path.parent.parent.relative_to(repo.top)} is a writable folder, then try again"
        ) from None


def newest_own(user_dir: Path, header: dict[str, Any]) -> list[Path]:
    """The newest summary of every month the store ever summarised: what must be committed."""
    return [
        user_dir / month / f"{header['store']}-{seq}.json"
        for month, seq in sorted(header.get("summaries", {}).items())
    ]


def wanted_months(store: Store, user_dir: Path, span: TimerSpan | None, rebuild: bool) -> set[str]:
    """Months the store marked dirty, months a running timer was folded into at the last
    aggregation (it may have ended earlier since, or been restored away) and touches now,
    and months whose newest summary is missing from this work tree (a branch switch, `git
    reset --hard`, a revert)."""
    header = store.header or {}
    months = set(header.get("dirty", ())) | set(header.get("timer_months", ()))
    for path in newest_own(user_dir, header):
        if rebuild or not path.is_file():
            months.add(path.parent.name)
    zones = store.zones
    if span:
        months |= months_of(span.running.start, span.end, zones)
    if rebuild:
        for s in store.all_sessions():
            months |= months_of(s.start, s.end, zones)
    return months


def aggregate(
    store: Store,
    repo: Repo,
    config: TeamConfig,
    *,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> FoldOutcome:
    """Write new summaries for the months that changed and stage them, with every summary of
    the store that the index lacks; return what was done. Nothing committed is edited or
    deleted. The store's copy outside the work tree (store/snapshot.py) holds the new
    summaries with the new header, made before either is written."""
    if store.header is None:
        return FoldOutcome(written=[], staged=[], restored=[], waiting=[], capped=None)
    store.header = header = store.owned()  # its writer id goes into each summary
    user_dir = repo.top / summary.SUMMARIES / store.user
    ours = store_months(user_dir, header["store"])
    _refuse_to_fold(store, repo, ours, adopt=rebuild)
    span = running_span(store, config.max_session_seconds)
    months = sorted(wanted_months(store, user_dir, span, rebuild) - store.pruned)
    key = None
    if months and config.signatures != "off":  # only teams that sign import the signing
        from ffhooks.trust.policy import signing_key

        key = signing_key(repo, config)
    known = dict(header.get("summaries", {}))
    new: dict[Path, dict[str, Any]] = {}
    billed: list[tuple[str, int]] = []
    seq = max([header["seq"], *(s for files in ours.values() for s, _ in files)])
    for done, month in enumerate(months):
        if progress is not None:
            progress(done, len(months))
        drafted = draft(store, month, span, config)
        _refuse_overfull(store, drafted)
        existing = ours.get(month)
        same, latest = says_the_same(drafted, existing[-1][1] if existing else None, key)
        if existing and same:
            known[month] = existing[-1][0]
            continue
        if not existing and not drafted["totals"] and month not in known:
            continue  # nothing recorded, nothing ever said: nothing to say
        seq += 1
        doc = summary.seal({**drafted, "seq": seq}, key.signer() if key else None)
        new[user_dir / month / f"{header['store']}-{seq}.json"] = doc
        known[month] = seq
        billed.append((month, billable(doc) - (billable(latest) if latest else 0)))
    stashed = stashed_by_precommit([f"{rel_path(repo, user_dir)}/"])
    pending = {path for path, blob in stashed.items() if blob and TOMBSTONE_BLOB.startswith(blob)}
    folders = sorted({f"{rel_path(repo, path.parent)}/" for path in new})
    listing = index_lacks(repo, user_dir, folders)  # before writing: what the index lacked
    if new:
        refuse_unstaged(listing.edited(repo, folders), folders, stashed.keys() - pending)
    timer = months_of(span.running.start, span.end, store.zones) if span else set()
    changes = {
        "seq": max([header["seq"], *known.values()]),
        "summaries": dict(sorted(known.items())),
        "dirty": [],
        "timer_months": sorted(timer),
    }
    data = {path: summary.dumps(doc) for path, doc in new.items()}
    # The header first: every seq it names is then one this store wrote (a file that failed
    # to be written is missing, so its month is rebuilt next time), and any other seq of
    # this store in the tree comes from somewhere else.
    if any(header.get(k, ()) != v for k, v in changes.items()):
        store.set_header(copies={rel_path(repo, p): b for p, b in data.items()}, **changes)
    for path, content in data.items():
        write_summary(repo, path, content)
    lacking = listing.lacking(repo, header["store"])
    restored = listing.leftover_tombstones(repo, header["store"], pending)
    staged = stage_added(repo, list(new), lacking, restored)
    return FoldOutcome(
        written=[rel_path(repo, p) for p in new],
        staged=[rel_path(repo, p) for p in staged],
        restored=restored,
        waiting=sorted(pending),
        capped=span.running.task if span and span.capped else None,
        unsigned=bool(new) and config.signatures == "warn" and key is None,
        billed=tuple(billed),
    )


def billable(doc: dict[str, Any]) -> int:
    return sum(c["billable_seconds"] for tasks in doc["totals"].values() for c in tasks.values())


def draft(store: Store, month: str, span: TimerSpan | None, config: TeamConfig) -> dict[str, Any]:
    """The summary the store's sessions (and running timer) make of a month, seq aside."""
    header = store.header or {}
    tz = store.zones  # each instant in the zone in effect then
    lo, hi = summary.month_bounds(month, tz)
    intervals = [
        summary.Interval(task=s.task, start=s.start, end=s.end, billable=s.billable, tags=s.tags)
        for s in store.sessions_between(lo, hi)
    ]
    capped = False
    if span and span.running.start < hi and span.end > lo:
        r = span.running
        intervals.append(
            summary.Interval(
                task=r.task, start=r.start, end=span.end, billable=r.billable, tags=r.tags
            )
        )
        capped = span.capped
    grain = {"per_task": config.per_task, "by_day": config.period == "day"}
    return summary.build(
        user=store.user,
        store=header["store"],
        month=month,
        timezone=summary.month_zone(month, tz),
        seq=1,
        # `tags` only where on: summaries without stay as ffhooks 0.7 writes and reads them
        detail={**config.detail, "tags": True} if config.tags else config.detail,
        periods=summary.totals(intervals, month, tz, **grain),
        capped=capped,
        writer=header.get("writer"),
        project=config.project,
        version=config.summary_format,
        # only where the team asks: tags may say more about someone's work than a task id
        tags=summary.tag_split(intervals, month, tz, **grain) if config.tags else None,
    )


def _refuse_overfull(store: Store, drafted: dict[str, Any]) -> None:
    """Refuse to publish a period holding more time than it lasts: every reader would refuse
    the file, and the whole team's report with it."""
    for period, tasks in drafted["totals"].items():
        seconds, limit = summary.overfull(period, tasks)
        if seconds > limit:
            day = period if len(period) == 10 else f"{period}-01"
            raise FatalError(
                f"{store.user}'s time on {period} adds up to {format_duration(seconds)}, "
                "more than it lasts: sessions overlap, or a time zone change lived a day "
                f"twice; `ffhooks log --from {day}` shows them, `ffhooks edit` or `ffhooks "
                "remove` puts them right (or `ffhooks timezone NAME --recut`)"
            )


def _refuse_to_fold(
    store: Store, repo: Repo, ours: dict[str, list[tuple[int, Path]]], *, adopt: bool
) -> None:
    """Refuse what would publish wrong totals: a store copied from another work tree, a
    store missing a file that was quarantined, or a tree holding summaries of this store
    id that this store never wrote (two places write one id: the higher seq would silently
    replace the other's time). `adopt` (a rebuild) lets this store's state win over them."""
    header = store.header or {}
    store.check_home()
    for mark in header.get("quarantined", ()):
        raise FatalError(
            f"{store.shown(store.root / mark['file'])} was broken and moved to "
            f"{mark['moved_to']}; folding without it would drop its time: `ffhooks recover "
            f"restore` brings it back from a snapshot, or `ffhooks recover forget "
            f"{mark['file']}` accepts the loss"
        )
    if adopt:
        return
    known = header.get("summaries", {})
    for month, files in sorted(ours.items()):
        seq, path = files[-1]
        if seq > known.get(month, 0):
            raise FatalError(
                f"{rel_path(repo, path)} is a summary of this store (id {header['store']}) that "
                "it never wrote: another clone writes with the same store id (a copied "
                "folder?). In the copy, `ffhooks store fork`; then here `ffhooks recover "
                "rebuild` writes this store's state over it"
            )
