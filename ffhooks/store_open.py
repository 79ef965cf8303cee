"""Opening a user's store: under its lock, a journal a crash left replayed first, then its
header read and checked, or a new store created; a lost store is never replaced silently."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ffhooks.clock import detect_timezone, to_iso, zone
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import atomic_write, locked, write_json
from ffhooks.store import Store, new_writer


@contextmanager
def open_store(
    top: Path,
    state_dir: Path,
    user: str,
    now: datetime,
    *,
    create: bool = False,
    timezone: str | None = None,
    new_store: bool = False,
    stranger: str | None = None,
) -> Iterator[Store]:
    """Open a user's store under its lock; `create` makes one if there is none yet, unless
    this clone has snapshots of a store of the user (a lost store is restored, never
    replaced silently) and `new_store` does not say to, or the user is a `stranger` (a name
    nobody here has, given with --user: the refusal to raise instead)."""
    root = top / ".flowforge" / "user" / user
    store = Store(root, top, state_dir, user, now)
    if not root.is_dir() and not create:
        yield store  # no store yet: nothing to lock, nothing recorded
        return
    if create and not (root / "store.json").exists():
        # before the lock creates anything (`git stash pop` must work, a typo leaves no trace)
        if not new_store:
            _refuse_replacing(store)  # the more telling refusal, for a lost store of the name
        if stranger is not None:
            raise FatalError(stranger)
    with locked(root / ".lock", f"the time store of {user}"):
        _ignore_itself(root)
        store.replay_journal()
        _load_header(store)
        if store.header is None and create:
            _create(store, timezone)
        yield store


SELF_IGNORE = b"# ffhooks: a private time store, never committed (even without `ffhooks init`)\n*\n"


def _ignore_itself(root: Path) -> None:
    """A store's folder ignores itself, so `git add -A` never takes it, even in a
    repository where `ffhooks init` never wrote the `.gitignore` line."""
    path = root / ".gitignore"
    if not path.exists():
        atomic_write(path, SELF_IGNORE)


def _refuse_replacing(store: Store) -> None:
    """No store here, but this clone kept snapshots of one of this user: `git clean -fdx`,
    `rm -rf .flowforge` or `git stash -a` took it. A new store id now, and a restore later,
    would bill the same sessions under two ids."""
    from ffhooks import snapshot
    from ffhooks.gitio import other_worktree

    state = store.state_dir
    for snapshot_id in reversed(snapshot.all_ids(state)):
        try:
            manifest = snapshot.load(state, snapshot_id)
        except BrokenFile:
            continue
        # a store of another linked worktree is that worktree's, not this one's lost store
        elsewhere = other_worktree(store.top, store.state_dir.parent, manifest.worktree)
        if manifest.user == store.user and manifest.reason != "migrate-backup" and not elsewhere:
            raise FatalError(
                f"{store.user} has no time store in this work tree, but this clone has "
                f"snapshots of one (the newest: {snapshot_id}, "
                f"{manifest.created:%Y-%m-%d %H:%M} UTC): `ffhooks recover restore` brings "
                "it back (or `git stash pop`, if `git stash -a` took it); pass --new-store to "
                "start a new, empty one instead"
            )


def _load_header(store: Store) -> None:
    """Read store.json and check it is this user's (None if there is none yet)."""
    try:
        store.header = store.read(store.header_path, "store")
    except FileNotFoundError:
        store.header = None
        if store.daily_dir.is_dir() and any(store.daily_dir.iterdir()):
            raise FatalError(
                f"{store.shown(store.header_path)} is missing but the store holds sessions: "
                "restore it (`ffhooks recover restore`); a new store id would bill those "
                "sessions twice"
            ) from None
        return
    if store.header["user"] != store.user:
        raise FatalError(
            f"{store.shown(store.header_path)} belongs to user {store.header['user']!r}, not "
            f"{store.user!r}: the folder was copied or renamed; move it back"
        )


def _create(store: Store, timezone: str | None) -> None:
    """A new store: a new store id and writer, in `timezone` (by default this machine's)."""
    name = timezone or detect_timezone()
    zone(name)
    store.header = {
        "version": 1,
        "store": os.urandom(8).hex(),
        "user": store.user,
        "timezone": name,
        "seq": 0,
        "created": to_iso(store.now),
        "home": str(store.top),
        "writer": new_writer(),
        "dirty": [],
        "longest_seconds": 0,
        "summaries": {},
    }
    write_json(store.header_path, store.header)
