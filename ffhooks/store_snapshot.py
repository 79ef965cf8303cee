"""A snapshot of one user's store: the files of its folder worth keeping, with any written
with them (the summaries of a fold), kept in the snapshot area (snapshot.py) and pruned by the
team's retention. A file unchanged since the newest snapshot of the same store in the same
work tree is not read again."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from ffhooks.errors import BrokenFile, FatalError
from ffhooks.snapshot import Entry, Manifest, all_ids, load, prune, save

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.config import TeamConfig
    from ffhooks.context import Context


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
            manifest = load(state_dir, snapshot_id)
        except BrokenFile:
            continue
        mine = (manifest.user, manifest.store, manifest.worktree) == (user, store, worktree)
        if mine and manifest.reason != "migrate-backup":
            return manifest
    return None


def private_files(top: Path, user: str) -> list[tuple[str, os.DirEntry[str]]]:
    """The files of a user's private store worth keeping (not its lock or temp files), as
    (path from the repository top, directory entry). Strings, not Paths: a big store has
    thousands of files, and pathlib costs more than the snapshot itself."""
    found = []
    folders = [f".flowforge/user/{user}"]
    while folders:
        rel = folders.pop()
        try:
            entries = list(os.scandir(top / rel))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(f"{rel}/{entry.name}")
            elif entry.name.endswith(".json") and entry.is_file(follow_symlinks=False):
                found.append((f"{rel}/{entry.name}", entry))
    return sorted(found, key=lambda item: item[0])


def take(
    state_dir: Path,
    top: Path,
    user: str,
    now: datetime,
    *,
    reason: str,
    store: str | None,
    extra: Iterable[Path] = (),
) -> Manifest | None:
    """Snapshot `user`'s private store, whose id is `store` (None: unreadable or missing),
    and `extra` files of the work tree, e.g. the summaries just written. Files unchanged
    since the newest snapshot of this store in this work tree are not read again.

    The caller holds the store's lock, so the files are one consistent state.
    """
    worktree = str(top)
    previous = newest(state_dir, user, store=store, worktree=worktree)
    old = {e.path: e for e in previous.files} if previous else {}
    files: list[tuple[str, bytes]] = []
    known: list[Entry] = []
    stamps: dict[str, tuple[int, int]] = {}
    others = [(p.relative_to(top).as_posix(), p) for p in extra]
    for rel, where in [*private_files(top, user), *others]:
        try:
            st = os.stat(where)
            stamp = (st.st_mtime_ns, st.st_ino)
            entry = old.get(rel)
            if entry and entry.stamp == stamp and entry.size == st.st_size:
                known.append(entry)
                continue
            with open(where, "rb") as handle:
                files.append((rel, handle.read()))
        except FileNotFoundError:  # removed meanwhile by someone not holding the lock
            continue
        stamps[rel] = stamp
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
    )


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
