"""A snapshot of one user's store: the files of its folder worth keeping, with any written with them
(the summaries of a fold), kept in the snapshot area (store/snapshot_area.py) and pruned by the
team's retention. A file unchanged since the newest snapshot of the same store in the same work
tree is not read again.

Every change to a store is snapshotted before it is written (`take_change`, from the store's
own write, under its lock), so the newest snapshot of a store holds everything it recorded:
a file the store lost since the previous snapshot (deleted, or quarantined as broken) is
carried over from it, as ffhooks itself never deletes a file of a store.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import sha256_hex
from ffhooks.layout import PRIVATE
from ffhooks.store.snapshot_area import (
    MAX_DEPTH,
    Entry,
    Manifest,
    StoreChange,
    all_ids,
    head,
    load_naming,
    prune,
    save,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.config import TeamConfig
    from ffhooks.context import Context
    from ffhooks.store.store import Store

# A store change prunes only once this many snapshots beyond the team's retention have
# gathered: pruning reads every manifest, which a `stop` must not pay for each time.
PRUNE_SLACK = 50


def newest(
    state_dir: Path,
    user: str,
    *,
    store: str | None,
    worktree: str | None,
    before: int | None = None,
) -> Manifest | None:
    """The newest readable snapshot of `user`'s store `store` in `worktree` (not a migration
    backup)."""
    for snapshot_id in reversed(all_ids(state_dir)):
        if before is not None and snapshot_id >= before:
            continue
        try:
            manifest = load_naming(state_dir, snapshot_id, store or user)
        except (BrokenFile, FatalError):  # broken, or pruned meanwhile by another store
            continue
        if manifest is None:
            continue
        mine = (manifest.user, manifest.store, manifest.worktree) == (user, store, worktree)
        if mine and manifest.reason != "migrate-backup":
            return manifest
    return None


# What a user's store is made of (below `.flowforge/user/<user>/`); anything else there
# is not ffhooks' and is not copied: a stray export or a large file would be copied into
# every snapshot, at every change.
OWN_FILES = re.compile(
    r"store\.json|time/current\.json|time/daily/[0-9]{4}-[0-9]{2}-[0-9]{2}\.json"
)
# what ffhooks keeps there besides: its lock, its folder's ignore rule, a write's journal
# and temp files
_HOUSEKEEPING = re.compile(r"\.lock|\.gitignore|journal\.json|(.*/)?\..+\.[0-9]+\.tmp")


def _store_files(top: Path, user: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file below a user's store folder, as (path from the folder, entry)."""
    root = f"{PRIVATE}/{user}"
    folders = [""]
    while folders:
        rel = folders.pop()
        try:
            entries = list(os.scandir(top / root / rel))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            path = f"{rel}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                folders.append(f"{path}/")
            else:
                yield path, entry


def private_files(top: Path, user: str) -> list[tuple[str, os.DirEntry[str]]]:
    """The files of a user's private store worth keeping (OWN_FILES), as (path from the
    repository top, directory entry). Strings, not Paths: a big store has thousands of
    files, and pathlib costs more than the snapshot itself. An interrupted write's journal
    is not kept: the next command finishes it."""
    found = [
        (f"{PRIVATE}/{user}/{rel}", entry)
        for rel, entry in _store_files(top, user)
        if OWN_FILES.fullmatch(rel) and entry.is_file(follow_symlinks=False)
    ]
    return sorted(found, key=lambda item: item[0])


def strays(top: Path, user: str) -> list[str]:
    """Files in a user's store folder that are not ffhooks' (never copied into snapshots),
    as paths from the repository top."""
    return sorted(
        f"{PRIVATE}/{user}/{rel}"
        for rel, _ in _store_files(top, user)
        if not OWN_FILES.fullmatch(rel) and not _HOUSEKEEPING.fullmatch(rel)
    )


def take(
    state_dir: Path,
    top: Path,
    user: str,
    now: datetime,
    *,
    reason: str,
    store: str | None,
    extra: Iterable[Path] = (),
    pending: Mapping[str, bytes] | None = None,
    unsynced: list[Path] | None = None,
    change: StoreChange | None = None,
    read: Iterable[str] | None = None,
) -> Manifest | None:
    """Snapshot `user`'s private store, whose id is `store` (None: unreadable or missing),
    and `extra` files of the work tree, e.g. the summaries just written; `pending`: the
    contents files of the store are about to get (path from the top: bytes). Files
    unchanged since the newest snapshot of this store in this work tree are not read again,
    and files of the store that snapshot holds and the folder lacks are kept from it.
    `unsynced`: see `snapshot.save`. With `pending`, the snapshot records what the store's
    files it names held before (`change`, with its command and what it undoes or redoes).
    `read`: the store's files the caller read (paths from the top): the snapshot then lists
    only these and `pending`, as changes to the newest one (`save`'s `base`), and looks at
    nothing else of the store: a commit's copy costs what the fold read and wrote, not the
    store's history (a file changed by hand that the fold did not read is copied at the
    store's next change).

    The caller holds the store's lock, so the files are one consistent state.
    """
    worktree = str(top)
    base = head(state_dir, user, store, worktree) if read is not None else None
    if base is not None and base[1] >= MAX_DEPTH:
        base = None  # as many in a row as may be: this one lists every file
    previous = None if base else newest(state_dir, user, store=store, worktree=worktree)
    old = {e.path: e for e in previous.files} if previous else {}
    pending = pending or {}
    files: list[tuple[str, bytes]] = list(pending.items())
    known: list[Entry] = []
    stamps: dict[str, tuple[int, int]] = {}
    others = [(p.relative_to(top).as_posix(), p) for p in extra]
    looked_at = [(rel, top / rel) for rel in read or ()] if base else private_files(top, user)
    seen = set(pending)
    for rel, where in [*looked_at, *others]:
        if rel in seen:
            continue
        try:
            st = os.stat(where)
            stamp = (st.st_mtime_ns, st.st_ino)
            entry = old.get(rel)
            if entry and entry.stamp == stamp and entry.size == st.st_size:
                known.append(entry)
            else:
                with open(where, "rb") as handle:
                    files.append((rel, handle.read()))
                stamps[rel] = stamp
        except FileNotFoundError:  # removed meanwhile by someone not holding the lock
            continue
        seen.add(rel)
    prefix = f"{PRIVATE}/{user}/"
    kept = (rel for rel in old if rel.startswith(prefix) and rel != f"{prefix}journal.json")
    known += [old[rel] for rel in kept if rel not in seen]
    earlier: list[bytes] = []
    if pending:
        before = _before(top, [rel for rel in pending if rel.startswith(prefix)], old, earlier)
        change = (change or StoreChange(before={}))._replace(before=before)
    return save(
        state_dir,
        files,
        reason=reason,
        user=user,
        now=now,
        known=known,
        stamps=stamps,
        loaded=previous,
        store=store,
        worktree=worktree,
        unsynced=unsynced,
        parent=base[0] if base else previous.id if previous else None,
        change=change if pending else None,
        earlier=earlier,
        base=base,
    )


def _before(
    top: Path, paths: list[str], old: Mapping[str, Entry], earlier: list[bytes]
) -> dict[str, str | None]:
    """What the files at `paths` hold now, before a change writes them: the SHA-256 of each
    (None: no file), their contents added to `earlier` unless the newest snapshot holds the
    file as it is (the same mtime and inode)."""
    found: dict[str, str | None] = {}
    for rel in paths:
        try:
            with open(top / rel, "rb") as handle:
                st = os.fstat(handle.fileno())
                entry = old.get(rel)
                if (
                    entry
                    and entry.stamp == (st.st_mtime_ns, st.st_ino)
                    and entry.size == st.st_size
                ):
                    found[rel] = entry.sha256
                    continue
                data = handle.read()
        except FileNotFoundError:
            found[rel] = None
            continue
        found[rel] = sha256_hex(data)
        earlier.append(data)
    return found


def take_held(
    ctx: Context, config: TeamConfig, reason: str, extra: Iterable[Path], store: str | None
) -> Manifest | None:
    """Snapshot the caller's store of id `store` (whose lock the caller holds), then prune by
    the team's retention."""
    state = ctx.repo.state_dir
    top, user = ctx.repo.top, ctx.user
    try:
        made = take(state, top, user, ctx.now, reason=reason, extra=extra, store=store)
        if len(all_ids(state)) > config.keep_last + config.keep_daily_days:
            prune(
                state,
                keep_last=config.keep_last,
                keep_daily_days=config.keep_daily_days,
                now=ctx.now,
            )
    except OSError as exc:
        raise FatalError(f"cannot write the snapshot ({exc.strerror}: {exc.filename})") from None
    return made


def take_change(store: Store, pending: Mapping[str, bytes], reason: str) -> Callable[[], None]:
    """Copy a change of `store` (its files' new contents, by path from the top) outside
    the work tree before the store is written, under the store's lock; returns what the
    caller calls once the store is written. The copy is written first; a thread makes it
    durable while the store writes its own files (their fsyncs overlap: a `stop` waits for
    one round of them, not two). A copy that cannot be made does not stop the change (the
    time is safe in the store meanwhile): it is queued and told."""
    state = store.state_dir
    header = store.header or {}
    unsynced: list[Path] = []
    try:
        take(
            state,
            store.top,
            store.user,
            store.now,
            reason=reason,
            store=header.get("store"),
            pending=pending,
            unsynced=unsynced,
            change=StoreChange(
                before={}, command=store.command, undoes=store.undoes, redoes=store.redoes
            ),
            # a commit's copy: what the fold read and wrote, not the store's history again
            read=store.files_read() if reason == "aggregate" else None,
        )
        count = len(all_ids(state))
        if count > 1 + PRUNE_SLACK:
            from ffhooks.config import load_config

            config = load_config(store.top / ".flowforge")
            if count > config.keep_last + config.keep_daily_days + PRUNE_SLACK:
                keep = {"keep_last": config.keep_last, "keep_daily_days": config.keep_daily_days}
                prune(state, now=store.now, **keep)
    except (OSError, FatalError) as exc:
        _not_copied(store, exc, written=False)
        return _nothing
    return _synced(store, unsynced) if unsynced else _nothing


def _nothing() -> None:
    return None


def _synced(store: Store, paths: list[Path]) -> Callable[[], None]:
    """Make `paths` durable in a thread; the result waits for it (and tells a failure).
    `_thread`, not `threading`: importing that costs a timer command a millisecond."""
    import _thread

    from ffhooks.fsio import sync_written

    done = _thread.allocate_lock()
    done.acquire()
    failed: list[OSError] = []

    def sync() -> None:
        try:
            sync_written(paths)
        except OSError as exc:
            failed.append(exc)
        finally:
            done.release()

    _thread.start_new_thread(sync, ())

    def wait() -> None:
        done.acquire()
        if failed:
            _not_copied(store, failed[0], written=True)

    return wait


def _not_copied(store: Store, exc: OSError | FatalError, *, written: bool) -> None:
    """Queue and tell a copy that failed; only if even that fails is the change refused
    (when it is not `written` yet)."""
    from ffhooks.queue import record

    state = store.state_dir
    why = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) else str(exc)
    try:
        record(state, "snapshot", store.user, f"a change was not copied ({why})", store.now)
    except OSError:
        if not written:
            raise FatalError(
                f"cannot copy this change outside the work tree ({why}), nor queue that: "
                f"nothing was recorded; make {state} writable and run it again"
            ) from None
    print(
        f"ffhooks: warning: this change was not copied outside the work tree ({why}): "
        "a wipe of the store now would lose it; `ffhooks recover retry` copies the store "
        "once that is fixed",
        file=sys.stderr,
    )


def newest_of_user(state_dir: Path, top: Path, user: str) -> Manifest | None:
    """The newest readable snapshot of a store of `user` that holds its store.json and was
    taken in the work tree `top` (or before places were recorded; not in a linked worktree
    or the clone this one was copied from), not a migration backup: a store this clone can
    bring back here."""
    from ffhooks.git.plumbing import other_worktree

    header = f"{PRIVATE}/{user}/store.json"
    for snapshot_id in reversed(all_ids(state_dir)):
        try:
            manifest = load_naming(state_dir, snapshot_id, user)
        except (BrokenFile, FatalError):
            continue
        if manifest is None or manifest.user != user or manifest.reason == "migrate-backup":
            continue
        if other_worktree(top, state_dir.parent, manifest.worktree):
            continue
        if any(e.path == header for e in manifest.files):
            return manifest
    return None
