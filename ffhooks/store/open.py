"""Opening a user's store: under its lock, a journal a crash left replayed first, then its
header read and checked, or a new store created. A lost store (no store.json here while this
clone has snapshots of one of the user's) is never replaced silently, nor read as "no time":
every command that opens it says so and names the fix (`MissingStore`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ffhooks.clock import detect_timezone, to_iso, zone
from ffhooks.errors import FatalError
from ffhooks.fsio import atomic_write, locked
from ffhooks.store.store import Store, new_writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.store.snapshot_area import Manifest


class MissingStore(FatalError):
    """No store of the user in this work tree, while this clone has snapshots of one:
    `git clean -fdx`, `rm -rf .flowforge` or `git stash -a` took it."""

    def __init__(self, user: str, newest: Manifest, *, creating: bool = False) -> None:
        self.user = user
        self.newest = newest
        self.what = (
            f"{user}'s time store is missing from this work tree, but this clone has "
            f"snapshots of it (the newest: {newest.id}, {newest.created:%Y-%m-%d %H:%M} UTC)"
        )
        self.fix = "ffhooks recover restore"
        also = "; pass --new-store to start a new, empty one instead" if creating else ""
        super().__init__(
            f"{self.what}: `{self.fix}` brings it back (or `git stash pop`, if `git stash -a` "
            f"took it){also}"
        )


def missing(
    top: Path, state_dir: Path, user: str, *, creating: bool = False
) -> MissingStore | None:
    """The refusal to give when `user` has no store.json in the work tree `top` while this
    clone has a snapshot of a store of theirs taken here (None otherwise)."""
    if (top / ".flowforge" / "user" / user / "store.json").exists():
        return None
    from ffhooks.store.snapshot import newest_of_user

    found = newest_of_user(state_dir, top, user)
    if found is None:
        return None
    # a folder still holding sessions (its store.json was quarantined) cannot start anew:
    # a new store id would bill them twice, so --new-store is not offered
    daily = top / ".flowforge" / "user" / user / "time" / "daily"
    held = daily.is_dir() and any(daily.iterdir())
    return MissingStore(user, found, creating=creating and not held)


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
    missing_ok: bool = False,
    command: tuple[str, ...] | None = None,
) -> Iterator[Store]:
    """Open a user's store under its lock; `create` makes one if there is none yet, unless
    this clone has snapshots of a store of the user (a lost store is restored, never
    replaced silently) and `new_store` does not say to, or the user is a `stranger` (a name
    nobody here has, given with --user: the refusal to raise instead). Without `create`, a
    lost store raises `MissingStore` unless `missing_ok` (the caller handles "no store").
    `command`: the words typed after `ffhooks`, recorded with each change for `undo`."""
    root = top / ".flowforge" / "user" / user
    store = Store(root, top, state_dir, user, now)
    store.keeps_copies = True
    store.command = command
    # before the lock creates anything (`git stash pop` must work, a typo leaves no trace)
    if not (new_store if create else missing_ok):
        lost = missing(top, state_dir, user, creating=create)
        if lost is not None and (root / ".lock").exists():
            # another process may be creating the store now, and its first change is copied
            # before store.json is written: ask again once it lets go
            with locked(root / ".lock", f"the time store of {user}"):
                lost = missing(top, state_dir, user, creating=create)
        if lost is not None:
            raise lost
    if not root.is_dir() and not create:
        yield store  # no store yet: nothing to lock, nothing recorded
        return
    if create and stranger is not None and not (root / "store.json").exists():
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
    store.set_header()
