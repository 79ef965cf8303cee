"""Layer 4: what `ffhooks recover` and the daemon do with the queue, snapshots and summaries.

Restoring never deletes: it first snapshots the store as it is (so a restore can be undone),
then writes back the files of the chosen snapshot; files the snapshot does not hold stay.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

from ffhooks import queue, snapshot
from ffhooks.config import TeamConfig
from ffhooks.context import Context
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import atomic_write, locked
from ffhooks.gitio import Repo
from ffhooks.records import Any, NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.aggregate import Outcome

# Operations whose retry writes into the work tree: only `recover retry` (a person at the
# keyboard) runs them; the daemon must not race pre-commit's stash of unstaged changes.
WORKTREE_OPERATIONS = {"aggregate"}


def _snapshot_held(
    ctx: Context, config: TeamConfig, reason: str, extra: Iterable[Path]
) -> snapshot.Manifest | None:
    """Snapshot the caller's store (whose lock the caller holds), then prune by the team's
    retention."""
    state = ctx.repo.state_dir
    try:
        made = snapshot.take(state, ctx.repo.top, ctx.user, ctx.now, reason=reason, extra=extra)
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
        return _snapshot_held(ctx, config, reason, ()) if store.exists else None


def fold_and_snapshot(ctx: Context, *, rebuild: bool = False) -> Outcome:
    """Aggregate the caller's store; if that wrote summaries, snapshot the store with them,
    under the same lock. A failed snapshot must not fail the aggregation (on the commit path
    nothing may): it is queued and told."""
    from ffhooks.aggregate import aggregate

    config = ctx.config()
    with ctx.store() as store:
        done = aggregate(store, ctx.repo, config, rebuild=rebuild)
        if done.written:
            try:
                _snapshot_held(ctx, config, "aggregate", [ctx.repo.top / p for p in done.written])
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


class Restore(NamedTuple):
    chosen: snapshot.Manifest | None
    skipped: list[str]  # why each newer snapshot was not used
    written: list[str]
    unchanged: list[str]
    before: snapshot.Manifest | None  # the state just before, kept so this can be undone


def _usable(repo: Repo, manifest: snapshot.Manifest, user: str) -> tuple[dict[str, bytes], str]:
    """The store files of a snapshot, or why it is not a restore point."""
    from ffhooks.validation import check_bytes

    prefix = f".flowforge/user/{user}/"
    files: dict[str, bytes] = {}
    for entry in manifest.files:
        if not entry.path.startswith(prefix):
            continue  # summaries are in git already
        try:
            data = snapshot.read_object(repo.state_dir, entry)
        except BrokenFile as exc:
            return {}, f"{exc.path} {exc.problem}"
        result = check_bytes(entry.path, data)
        if result.problems:
            return {}, f"its {result.problems[0]}"
        files[entry.path] = data
    if f"{prefix}store.json" not in files:
        return {}, "it holds no store.json (a snapshot of an empty store)"
    return files, ""


def restore(
    repo: Repo, user: str, now: datetime, *, snapshot_id: int | None, dry_run: bool
) -> Restore:
    root = repo.top / ".flowforge" / "user" / user
    state = repo.state_dir
    # a dry run over a wiped store must not even create its folder for the lock
    guard = (
        nullcontext()
        if dry_run and not root.is_dir()
        else locked(root / ".lock", f"the time store of {user}")
    )
    with guard:
        ids = snapshot.all_ids(state)
        last_before = ids[-1] if ids else 0
        before = None
        if not dry_run:
            before = snapshot.take(state, repo.top, user, now, reason="restore")
        if snapshot_id is not None:
            candidates = [snapshot_id]
        else:
            candidates = [i for i in reversed(ids) if i <= last_before]
        skipped = []
        for candidate in candidates:
            try:
                manifest = snapshot.load(state, candidate)
            except BrokenFile as exc:
                skipped.append(f"snapshot {candidate}: {exc.problem}")
                continue
            if manifest.user != user or manifest.reason == "migrate-backup":
                if snapshot_id is not None:
                    raise FatalError(f"snapshot {candidate} is not of {user}'s store")
                continue
            files, why = _usable(repo, manifest, user)
            if why:
                skipped.append(f"snapshot {candidate}: {why}")
                continue
            written, unchanged = [], []
            for rel, data in sorted(files.items()):
                path = repo.top / rel
                if path.is_file() and path.read_bytes() == data:
                    unchanged.append(rel)
                    continue
                written.append(rel)
                if not dry_run:
                    atomic_write(path, data)
            return Restore(manifest, skipped, written, unchanged, before)
    if snapshot_id is not None:
        raise FatalError(f"snapshot {snapshot_id} cannot be used: {skipped[0].split(': ', 1)[1]}")
    return Restore(None, skipped, [], [], before)


def after_restore(ctx: Context) -> None:
    """Every month of the restored store is rebuilt at the next commit, so the summaries
    agree with it exactly whatever happened between the snapshot and now."""
    from ffhooks.store import months_of

    with ctx.store() as store:
        months: set[str] = set()
        for s in store.all_sessions():
            months |= months_of(s.start, s.end, store.tz)
        if store.header is not None:
            store.set_header(dirty=sorted(months | set(store.header.get("dirty", ()))))


def summary_health(top: Path) -> list[str]:
    """Problems of the summaries in the work tree (schema, checksum, name)."""
    from ffhooks import summary
    from ffhooks.validation import check, every_file

    return [
        str(p) for r in check(top, every_file(top, [], summary.SUMMARIES), []) for p in r.problems
    ]
