"""Checksummed recovery snapshots, outside the work tree (layers 2 and 4 of the design).

    <git-common-dir>/ffhooks/snapshots/
      objects/<sha256[:2]>/<sha256>     every distinct file content, stored once
      manifests/<id:08d>.json           path, size and SHA-256 of each file, and its own SHA-256

`git clean -fdx` and `rm -rf .flowforge` cannot reach them. Objects are named by their
content, so an unchanged file costs nothing in a new snapshot; a manifest is a few hundred
bytes. Callers say which files to keep; each manifest records the store id and the work tree
they came from (linked worktrees share this folder), so a restore finds its own store's.
Manifests written before these were recorded read as None: unknown. A snapshot of a user's
store is taken in store/snapshot.py.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from ffhooks.clock import parse_iso, to_iso
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import atomic_write, locked, parse_json, sha256_hex, sync_written
from ffhooks.records import Any, NamedTuple

# "change": taken by a change to a store, before the change is written (store/snapshot.py)
REASONS = ("change", "aggregate", "manual", "daemon", "restore", "migrate-backup")


class Entry(NamedTuple):
    path: str
    size: int
    sha256: str
    # how the file looked (st_mtime_ns, st_ino) when hashed, so an unchanged file is not read
    # again; every ffhooks write replaces the file, giving it a new inode and mtime
    stamp: tuple[int, int] | None = None


class StoreChange(NamedTuple):
    """What a change to a store did, kept with the snapshot taken of it so that `ffhooks
    undo` can name it and take it back: the files as they were before it (their contents
    are objects too), the words typed after `ffhooks` to make it, and, for an undo or a
    redo, the snapshot of the change it took back or made again."""

    before: dict[str, str | None]  # path from the top: SHA-256 of its content; None: no file
    command: tuple[str, ...] | None = None  # None: made by no command (the commit hook)
    undoes: int | None = None
    redoes: int | None = None


class Manifest(NamedTuple):
    id: int
    created: datetime
    reason: str
    user: str
    files: list[Entry]
    path: Path
    store: str | None = None  # the store id; None: unknown (an older manifest, or no store.json)
    worktree: str | None = None  # the work tree's top; None: unknown (an older manifest)
    # the snapshot of the same store and work tree this one was taken after; None: the
    # first, or an older manifest
    parent: int | None = None
    change: StoreChange | None = None  # None: not taken by a change, or by an older version
    # the snapshot this one lists only its changes to (`files` is then that one's files with
    # these), and how many such lists lead down to one that lists every file
    base: int | None = None
    depth: int = 0


# How many snapshots in a row may list only their changes before one lists every file again:
# reading one then reads the others it builds on.
MAX_DEPTH = 8


def root(state_dir: Path) -> Path:
    return state_dir / "snapshots"


def object_path(state_dir: Path, digest: str) -> Path:
    return root(state_dir) / "objects" / digest[:2] / digest


def manifest_path(state_dir: Path, snapshot_id: int) -> Path:
    return root(state_dir) / "manifests" / f"{snapshot_id:08d}.json"


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _body_checksum(doc: dict[str, Any]) -> str:
    return sha256_hex(_canonical({k: v for k, v in doc.items() if k != "sha256"}))


# A manifest is written as its canonical body with its checksum added last, so that reading
# it checks the bytes themselves instead of writing the body out again (`_checksum_holds`).
_SEALED = b',"sha256":"'
_SEALED_TAIL = len(_SEALED) + 64 + 2


def _sealed(body: bytes, digest: str) -> bytes:
    return body[:-1] + _SEALED + digest.encode() + b'"}'


_KEYS = {
    "version",
    "id",
    "created",
    "reason",
    "user",
    "files",
    "sha256",
    "store",
    "worktree",
    "parent",
    "change",
    "base",
}


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _as_saved(data: bytes) -> dict[str, Any] | None:
    """The manifest in `data` if its bytes are exactly what `save` writes (its canonical
    body sealed with its own checksum, version 1, no key and no entry `save` does not
    write); None otherwise, and it is read in full. `save` builds nothing the schema refuses
    and `json.dumps` of a dict repeats no key, so such bytes are parsed plainly and not
    walked through the schema: a `stop` reads a manifest at each change, and the checked
    read costs it more than the rest of its snapshot."""
    doc = _sealed_doc(data)
    if doc is None or doc.get("version") != 1 or not doc.keys() < _KEYS:
        return None
    if "sha256" in doc or not _plain_entries(doc.get("files")):
        return None
    if "change" in doc and not _plain_change(doc["change"]):
        return None
    doc["sha256"] = data[-_SEALED_TAIL + len(_SEALED) : -2].decode()
    return doc


def _sealed_doc(data: bytes) -> dict[str, Any] | None:
    """The manifest in `data` if its bytes are a body sealed with its own checksum, as
    `save` writes them, and that checksum holds; None otherwise."""
    body, digest = data[:-_SEALED_TAIL] + b"}", data[-_SEALED_TAIL + len(_SEALED) : -2]
    if data != body[:-1] + _SEALED + digest + b'"}' or sha256_hex(body).encode() != digest:
        return None
    try:
        doc = json.loads(body, parse_constant=_no_constant)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def _checksum_holds(data: bytes, doc: dict[str, Any]) -> bool:
    """`doc`, parsed from `data`, matches its own checksum: on the bytes when they are as
    `save` writes them, else on the body written out again (manifests of older versions)."""
    digest, body = doc["sha256"], data[:-_SEALED_TAIL] + b"}"
    if data == _sealed(body, digest) and sha256_hex(body) == digest:
        return True
    return bool(digest == _body_checksum(doc))


def _ids(state_dir: Path) -> list[int]:
    try:
        names = os.listdir(root(state_dir) / "manifests")
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(int(n[:-5]) for n in names if n.endswith(".json") and n[:-5].isdigit())


def save(
    state_dir: Path,
    files: list[tuple[str, bytes]],
    *,
    reason: str,
    user: str,
    now: datetime,
    known: Sequence[Entry] = (),
    stamps: Mapping[str, tuple[int, int]] | None = None,
    loaded: Manifest | None = None,
    store: str | None = None,
    worktree: str | None = None,
    unsynced: list[Path] | None = None,
    parent: int | None = None,
    change: StoreChange | None = None,
    earlier: Sequence[bytes] = (),
    base: tuple[int, int] | None = None,
) -> Manifest | None:
    """Keep `files` (path, content) and `known` (entries whose objects are already stored) as
    a new snapshot of `store` in `worktree`; None when there is nothing to keep. `stamps` are
    the files' (mtime_ns, inode) when read; `loaded` a manifest the caller has read already.
    `parent`: the snapshot this one follows; `change`: what the change it was taken by did,
    with `earlier`, the contents its files had before that `change.before` names.
    With `unsynced`, nothing is fsynced here: the files written (the objects, then the
    manifest) are added to it, for the caller to make durable (`sync_written`) while it
    writes something else.

    A snapshot identical to the newest one of the same user, store and work tree is not
    repeated (migration backups are compared only with each other, and a store's change with
    a snapshot taken by a change). With `base` ((id, depth) of a snapshot of the same store
    and work tree, `head`), `files` and `known` are only what differs from it: the manifest
    lists them and names it (`load` reads it with the files of that one), and so does the
    manifest returned.
    """
    if not files and not known:
        return None
    with locked(root(state_dir) / ".lock", "the snapshot area"):  # prune must not race us
        entries = list(known)
        written = []
        for path, data in [*files, *(("", data) for data in earlier)]:
            digest = sha256_hex(data)
            target = object_path(state_dir, digest)
            if not target.is_file() or target.stat().st_size != len(data):
                atomic_write(target, data, fsync=False)
                written.append(target)
            if path:
                stamp = (stamps or {}).get(path)
                entries.append(Entry(path=path, size=len(data), sha256=digest, stamp=stamp))
        if unsynced is None:
            sync_written(written)  # every object is on disk before a manifest names it
        entries.sort()
        ids = _ids(state_dir)
        backup = reason == "migrate-backup"
        for previous in [] if base else reversed(ids[-20:]):
            try:
                last = loaded if loaded and loaded.id == previous else load(state_dir, previous)
            except BrokenFile:
                continue
            mine = (last.user, last.store, last.worktree) == (user, store, worktree)
            if mine and (last.reason == "migrate-backup") == backup:
                # a change is kept as one even unchanged since a snapshot of another kind: a
                # restore tells by it that each change of the store is copied from then on
                later = reason != "change" or last.reason == "change"
                if later and [e[:3] for e in last.files] == [e[:3] for e in entries]:
                    return last  # nothing changed since: that snapshot already holds it
                break
        snapshot_id = (ids[-1] if ids else 0) + 1
        doc: dict[str, Any] = {
            "version": 1,
            "id": snapshot_id,
            "created": to_iso(now),
            "reason": reason,
            "user": user,
            "files": [_entry_json(e) for e in entries],
        }
        if base is not None:
            doc["base"] = base[0]
        if store is not None:
            doc["store"] = store
        if worktree is not None:
            doc["worktree"] = worktree
        if parent is not None:
            doc["parent"] = parent
        if change is not None:
            doc["change"] = _change_json(change)
        body = _canonical(doc)  # compact: a big store's manifest has thousands of entries
        target = manifest_path(state_dir, snapshot_id)
        atomic_write(target, _sealed(body, sha256_hex(body)), fsync=unsynced is None)
        if unsynced is not None:
            unsynced += [*written, target]
    return Manifest(
        id=snapshot_id,
        created=now,
        reason=reason,
        user=user,
        files=entries,
        path=target,
        store=store,
        worktree=worktree,
        parent=parent,
        change=change,
        base=base[0] if base else None,
        depth=base[1] + 1 if base else 0,
    )


def head(state_dir: Path, user: str, store: str | None, worktree: str) -> tuple[int, int] | None:
    """(id, depth) of the newest snapshot of `user`'s store `store` in `worktree` (not a
    migration backup) whose own checksum holds, for a snapshot listing only its changes to
    it: its entries are not read, nor those of the snapshots it builds on (a snapshot found
    broken later makes the ones built on it broken too, and readers pass over them)."""
    for snapshot_id in reversed(_ids(state_dir)):
        try:
            data = _read(state_dir, snapshot_id)
            doc = _sealed_doc(data) if b'"' + (store or user).encode() + b'"' in data else None
        except FatalError:  # pruned meanwhile
            continue
        if doc is None or doc.get("reason") == "migrate-backup":
            continue
        if (doc.get("user"), doc.get("store"), doc.get("worktree")) != (user, store, worktree):
            continue
        depth, below = 0, doc.get("base")
        while below is not None:  # a list of changes: how many lead to a full snapshot
            depth += 1
            if type(below) is not int or not 0 < below < snapshot_id or depth > MAX_DEPTH:
                return None  # it cannot be built on: the caller takes a full snapshot
            try:
                data = _read(state_dir, below)
            except FatalError:
                return None
            # a full one is not parsed ("base" is no file's key, and a path in it is escaped)
            found = _sealed_doc(data) if b'"base":' in data else {}
            if found is None:
                return None
            below = found.get("base")
        return snapshot_id, depth
    return None


def _change_json(change: StoreChange) -> dict[str, Any]:
    out: dict[str, Any] = {"before": dict(sorted(change.before.items()))}
    if change.command is not None:
        out["command"] = list(change.command)
    if change.undoes is not None:
        out["undoes"] = change.undoes
    if change.redoes is not None:
        out["redoes"] = change.redoes
    return out


def _plain_change(change: Any) -> bool:
    """True if a manifest's `change` has exactly the shape `save` writes."""
    if type(change) is not dict or "before" not in change:
        return False
    if not change.keys() <= {"before", "command", "undoes", "redoes"}:
        return False
    before, command = change["before"], change.get("command", [])
    if type(before) is not dict or type(command) is not list:
        return False
    if any(type(v) is not str or not _SHA256.fullmatch(v) for v in before.values() if v):
        return False
    if any(type(w) is not str for w in command):
        return False
    return all(type(change.get(k, 0)) is int for k in ("undoes", "redoes"))


_ENTRY_KEYS = ({"path", "size", "sha256"}, {"path", "size", "sha256", "mtime_ns", "inode"})
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _plain_entries(files: Any) -> bool:
    """True if every entry has exactly the shape ffhooks writes (the schema's rules hold)."""
    if type(files) is not list:
        return False
    for f in files:
        if type(f) is not dict or f.keys() not in _ENTRY_KEYS:
            return False
        path, size = f["path"], f["size"]
        if type(path) is not str or not 0 < len(path) <= 4096 or type(size) is not int:
            return False
        if size < 0 or type(f["sha256"]) is not str or not _SHA256.fullmatch(f["sha256"]):
            return False
        if "inode" in f and (type(f["inode"]) is not int or f["inode"] < 0):
            return False
        if "mtime_ns" in f and type(f["mtime_ns"]) is not int:
            return False
    return True


def _entry_json(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {"path": entry.path, "size": entry.size, "sha256": entry.sha256}
    if entry.stamp:
        out["mtime_ns"], out["inode"] = entry.stamp
    return out


_TOO_DEEP = f"$.base: more than {MAX_DEPTH} snapshots in a row list only their changes"


def load(state_dir: Path, snapshot_id: int, loaded: dict[int, Manifest] | None = None) -> Manifest:
    """A manifest whose own checksum holds (BrokenFile otherwise), with the files of the
    snapshots it builds on. `loaded`: the manifests a pass over many has read (by id), which
    the ones built on them are read with instead of reading them again; this one joins it."""
    return _parsed(_read(state_dir, snapshot_id), state_dir, snapshot_id, loaded=loaded)


def load_naming(state_dir: Path, snapshot_id: int, name: str) -> Manifest | None:
    """`load`, if the manifest's bytes hold the plain ASCII `name` (a user or store id) as
    a JSON string; None without parsing it otherwise. Finding one store's snapshots among
    a hundred others' then costs a read each, not a parse each."""
    data = _read(state_dir, snapshot_id)
    if b'"' + name.encode() + b'"' not in data:
        return None
    return _parsed(data, state_dir, snapshot_id)


def _read(state_dir: Path, snapshot_id: int) -> bytes:
    try:
        return manifest_path(state_dir, snapshot_id).read_bytes()
    except FileNotFoundError:
        raise FatalError(
            f"there is no snapshot {snapshot_id} (see `ffhooks snapshot list`)"
        ) from None


def _parsed(
    data: bytes,
    state_dir: Path,
    snapshot_id: int,
    depth: int = 0,
    loaded: dict[int, Manifest] | None = None,
) -> Manifest:
    path = manifest_path(state_dir, snapshot_id)
    shown = str(path)
    fix = "this snapshot cannot be trusted; restore from another one"
    problem = None
    saved = _as_saved(data)
    if saved is not None:
        doc = saved
    else:
        from ffhooks.validator.schema import first_error

        doc = parse_json(data, shown, fix)
        # the full schema walk of thousands of entries costs more than the rest of a
        # commit's snapshot: check the entries' plain shape fast, the rest (or an odd entry)
        # in full
        plain = isinstance(doc, dict) and _plain_entries(doc.get("files"))
        problem = first_error("snapshot-manifest", {**doc, "files": []} if plain else doc)
        if problem is None and not _checksum_holds(data, doc):
            problem = "$.sha256: does not match the manifest's content"
    if problem is None and doc["id"] != snapshot_id:
        problem = f"$.id: {doc['id']} disagrees with the file name"
    if problem is None and "base" in doc:
        below = doc["base"]
        if type(below) is not int or not 0 < below < snapshot_id:
            problem = f"$.base: {below!r} is not an earlier snapshot"
    if problem is None and depth > MAX_DEPTH + 1:  # no chain `save` builds is this deep
        problem = _TOO_DEEP
    if problem:
        raise BrokenFile(shown, problem, fix)
    files = [
        Entry(
            path=f["path"],
            size=f["size"],
            sha256=f["sha256"],
            stamp=(f["mtime_ns"], f["inode"]) if "inode" in f else None,
        )
        for f in doc["files"]
    ]
    base = None
    if "base" in doc:
        try:
            base = (loaded or {}).get(doc["base"]) or _parsed(
                _read(state_dir, doc["base"]), state_dir, doc["base"], depth + 1, loaded
            )
        except (BrokenFile, FatalError):
            raise BrokenFile(
                shown,
                f"$.base: snapshot {doc['base']}, which it lists its changes to, is "
                "missing or broken",
                fix,
            ) from None
        if base.depth >= MAX_DEPTH:  # as when read on its own, not from `loaded`
            raise BrokenFile(shown, _TOO_DEEP, fix)
        files = sorted({**{e.path: e for e in base.files}, **{e.path: e for e in files}}.values())
    change = doc.get("change")
    manifest = Manifest(
        id=doc["id"],
        created=parse_iso(doc["created"]),
        reason=doc["reason"],
        user=doc["user"],
        files=files,
        path=path,
        store=doc.get("store"),
        worktree=doc.get("worktree"),
        parent=doc.get("parent"),
        change=None
        if change is None
        else StoreChange(
            before=change["before"],
            command=tuple(change["command"]) if "command" in change else None,
            undoes=change.get("undoes"),
            redoes=change.get("redoes"),
        ),
        base=base.id if base else None,
        depth=base.depth + 1 if base else 0,
    )
    if loaded is not None:
        loaded[snapshot_id] = manifest
    return manifest


def all_ids(state_dir: Path) -> list[int]:
    return _ids(state_dir)


def read_object(state_dir: Path, entry: Entry) -> bytes:
    """The bytes of one file of a snapshot, checked against its size and SHA-256."""
    path = object_path(state_dir, entry.sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BrokenFile(str(path), f"is missing (content of {entry.path})", "") from None
    if len(data) != entry.size or sha256_hex(data) != entry.sha256:
        raise BrokenFile(str(path), f"does not match its checksum (content of {entry.path})", "")
    return data


def problems(state_dir: Path, snapshot_id: int) -> list[str]:
    """Everything wrong with one snapshot: its manifest, then each object it names."""
    try:
        manifest = load(state_dir, snapshot_id)
    except BrokenFile as exc:
        return [f"{exc.path}: {exc.problem}"]
    found = []
    for entry in manifest.files:
        try:
            read_object(state_dir, entry)
        except BrokenFile as exc:
            found.append(f"snapshot {snapshot_id}: {exc.path} {exc.problem}")
    return found


def prune(
    state_dir: Path,
    *,
    keep_last: int,
    keep_daily_days: int,
    now: datetime,
    max_age_days: int | None = None,
) -> list[int]:
    """Drop snapshots beyond the retention rule, then objects no manifest names any more.

    Kept: the newest `keep_last`, the newest of each day of the last `keep_daily_days` days,
    every migration backup, and the newest of each store in each work tree (also its newest
    taken by a change, and its newest state before a restore): every change to a store is
    snapshotted, so that one holds all the store recorded, however many other snapshots came
    after it, and a restore tells such a store from one older versions copied only at
    commits. A manifest that cannot be read is kept (it is evidence). With `max_age_days`
    (the team's retention of private detail), the newest `keep_last` stay only if younger.
    """
    with locked(root(state_dir) / ".lock", "the snapshot area"):
        ids = _ids(state_dir)
        keep = set(ids[-keep_last:]) if keep_last > 0 else set()
        oldest = None if max_age_days is None else now - timedelta(days=max_age_days)
        manifests: dict[int, Manifest] = {}
        for snapshot_id in ids:
            try:
                manifests[snapshot_id] = load(state_dir, snapshot_id, manifests)
            except (BrokenFile, FatalError):
                keep.add(snapshot_id)
        newest_of_day: dict[date, int] = {}
        newest_of_store: dict[tuple[str, str | None, str | None, str], int] = {}
        horizon = (now - timedelta(days=keep_daily_days)).date()
        for snapshot_id, m in manifests.items():
            if oldest is not None and m.created < oldest:
                keep.discard(snapshot_id)
            if m.reason == "migrate-backup":
                keep.add(snapshot_id)
            day = m.created.date()
            if day > horizon:
                newest_of_day[day] = max(newest_of_day.get(day, 0), snapshot_id)
            kind = m.reason if m.reason in ("change", "restore") else ""
            place = (m.user, m.store, m.worktree, kind)
            newest_of_store[place] = max(newest_of_store.get(place, 0), snapshot_id)
        keep |= set(newest_of_day.values()) | set(newest_of_store.values())
        for snapshot_id in list(keep):  # what a kept snapshot lists its changes to stays too
            base = manifests[snapshot_id].base if snapshot_id in manifests else None
            while base is not None:
                keep.add(base)
                base = manifests[base].base if base in manifests else None
        dropped = [i for i in ids if i not in keep]
        _drop(state_dir, dropped, [m for i, m in manifests.items() if i in keep])
    return dropped


def forget(state_dir: Path, user: str) -> list[int]:
    """Delete every snapshot of `user`'s stores, and the objects no other snapshot names
    (`ffhooks erase`). A manifest that cannot be read is kept, and keeps what it may name:
    every object is kept then (it is evidence, and may be someone else's)."""
    with locked(root(state_dir) / ".lock", "the snapshot area"):
        kept: list[Manifest] = []
        theirs: list[Manifest] = []
        unreadable = False
        loaded: dict[int, Manifest] = {}
        for snapshot_id in _ids(state_dir):
            try:
                m = load(state_dir, snapshot_id, loaded)
            except (BrokenFile, FatalError):
                unreadable = True
                continue
            (theirs if m.user == user else kept).append(m)
        if unreadable:
            for m in theirs:
                manifest_path(state_dir, m.id).unlink()
            return [m.id for m in theirs]
        _drop(state_dir, [m.id for m in theirs], kept)
    return [m.id for m in theirs]


def _drop(state_dir: Path, dropped: list[int], kept: list[Manifest]) -> None:
    """Delete the manifests `dropped`, then every object none of `kept` names."""
    for snapshot_id in dropped:
        manifest_path(state_dir, snapshot_id).unlink()
    used = {e.sha256 for m in kept for e in m.files}
    # what a kept change's files held before it: `ffhooks undo` puts that back
    used |= {
        digest
        for m in kept
        if m.change is not None
        for digest in m.change.before.values()
        if digest
    }
    objects = root(state_dir) / "objects"
    for folder in objects.glob("??") if objects.is_dir() else ():
        for obj in folder.iterdir():
            if obj.name not in used and len(obj.name) == 64:
                obj.unlink()
