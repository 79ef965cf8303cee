"""Local retention: a developer's private detail (sessions with their real times, and the
snapshots holding them) removed once the team's record no longer needs it.

A month of the caller's store may go when all of these hold:
- it ended more than `retention.days` ago (the team config's `retention`);
- HEAD holds the store's summary of it, and that summary says exactly what the store's
  sessions make of the month today (nothing recorded since is lost: not yet committed
  detail is never removed);
- with `retention.after` "closed" (the default), closed periods cover every day of it;
- no running timer and no pending fold touch it.
Such a month is recorded in the store's header as pruned first (nothing folds it or changes
its sessions again: its committed summary is the record), then its daily files go, each one
whose every session lies in pruned months (a session across the month's end keeps its file).
Snapshots older than the same number of days go too, but for the newest of each store and
migration backups (`store/snapshot_area.prune`).
"""

from __future__ import annotations

from datetime import date, timedelta

from ffhooks import summary
from ffhooks.clock import local_date, month_days, months_of
from ffhooks.config import TeamConfig
from ffhooks.git.objects import read_objects, tree_blobs
from ffhooks.git.plumbing import Repo, run_git
from ffhooks.records import Any, NamedTuple
from ffhooks.store.store import Store

Doc = dict[str, Any]


class Pruned(NamedTuple):
    """What a prune removed (or, dry, would remove), and why older months stay."""

    months: list[str]
    files: list[str]  # daily files, from the store's folder
    snapshots: list[int]
    kept: list[tuple[str, str]]  # (month, why it stays) of months old enough to go


def prune(repo: Repo, store: Store, config: TeamConfig, *, dry_run: bool) -> Pruned | None:
    """Prune the caller's store (held under its lock) as the team's retention says; None
    where the team config sets no retention."""
    if not config.retention or store.header is None:
        return None
    days = int(config.retention["days"])
    horizon = local_date(store.now, store.tz) - timedelta(days=days)
    by_file = _months_by_file(store)
    wanted = set().union(*by_file.values()) - store.pruned
    old = sorted(m for m in wanted if month_days(m)[1] < horizon)
    kept: list[tuple[str, str]] = []
    busy = set(store.header.get("dirty", ())) | set(store.header.get("timer_months", ()))
    ready = []
    committed = _committed(repo, store, old)
    closed = _closed_days(repo) if config.retention.get("after", "closed") == "closed" else None
    for month in old:
        why = _why_kept(store, config, month, busy, committed.get(month), closed)
        if why:
            kept.append((month, why))
        else:
            ready.append(month)
    gone = store.pruned | set(ready)
    files = sorted(path for path, months in by_file.items() if months and months <= gone)
    snapshots: list[int] = []
    if not dry_run:
        if ready or files:
            store.prune(ready, [store.daily_dir / name for name in files])
        snapshots = _snapshots(store, config, days)
    shown = [f"time/daily/{n}" for n in files]
    return Pruned(months=ready, files=shown, snapshots=snapshots, kept=kept)


def _months_by_file(store: Store) -> dict[str, set[str]]:
    """Per daily file (by name), the months its sessions touch (each instant in its zone);
    an empty file's own month, so that it goes with it."""
    out: dict[str, set[str]] = {}
    for day in store.filed_days():
        months: set[str] = set()
        for s in store.day(day):
            months |= months_of(s.start, s.end, store.zones)
        out[f"{day.isoformat()}.json"] = months or {day.isoformat()[:7]}
    return out


def _committed(repo: Repo, store: Store, months: list[str]) -> dict[str, Doc]:
    """The store's newest summary of each of `months` as HEAD holds it."""
    head = run_git(["rev-parse", "--verify", "--quiet", "HEAD"], repo.top, check=False).strip()
    if not months or not head:
        return {}
    folder = f"{summary.SUMMARIES}/{store.user}"
    ours = (store.header or {}).get("store")
    blobs = tree_blobs(repo.top, head, [f"{folder}/{m}/" for m in months])
    newest: dict[str, tuple[int, str]] = {}
    for path, blob in blobs.items():
        where = summary.parse_path(path)
        if where and where.store == ours and where.seq > newest.get(where.month, (0, ""))[0]:
            newest[where.month] = (where.seq, blob)
    read = sorted(newest)
    data = read_objects(repo.top, [newest[m][1] for m in read])
    return {m: summary.loads(d, m, "") for m, d in zip(read, data, strict=True)}


def _closed_days(repo: Repo) -> set[date]:
    """Every day a closed period covers."""
    from ffhooks.report.closing import closed_spans

    return {day for span in closed_spans(repo) for day in _days(span.first, span.last)}


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _why_kept(
    store: Store,
    config: TeamConfig,
    month: str,
    busy: set[str],
    committed: Doc | None,
    closed: set[date] | None,
) -> str | None:
    """Why a month old enough to go stays (None: it may go)."""
    from ffhooks.fold.aggregate import draft

    if month in busy:
        return "time recorded in it is not folded yet: commit first"
    drafted = draft(store, month, None, config)
    if committed is None and drafted["totals"]:
        return "no committed summary holds it yet: commit first"
    if committed is not None and not summary.same_content(drafted, committed):
        return "its committed summary differs from your sessions: commit first"
    if closed is not None and not closed.issuperset(_days(*month_days(month))):
        return f"not closed (retention.after is closed): `ffhooks close {month}` first"
    return None


def _snapshots(store: Store, config: TeamConfig, days: int) -> list[int]:
    """Drop the snapshots older than the retention (the newest of each store and
    migration backups stay), and then what no snapshot names."""
    from ffhooks.store.snapshot_area import prune as prune_snapshots

    return prune_snapshots(
        store.state_dir,
        keep_last=config.keep_last,
        keep_daily_days=config.keep_daily_days,
        now=store.now,
        max_age_days=days,
    )
