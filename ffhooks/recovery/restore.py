"""`ffhooks recover restore`: bring a store back from a snapshot to its own place, merging.

Linked worktrees share the snapshot area, so a snapshot is a restore point only for the store
it was taken of (its id), in the work tree it was taken in. A restore first snapshots the
store as it is (that state is kept, whatever the restore does), then merges the snapshot into
it (see ffhooks/recovery/merge.py): it never deletes and never writes over live data. Naming a
snapshot of another store id brings that store back in this one's place only when this one
holds no session it lacks, or with `--merge`; the replaced id then stops billing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

from ffhooks.context import Context
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import atomic_write, locked, quarantine, write_json
from ffhooks.git.plumbing import Repo, other_worktree
from ffhooks.records import Any, NamedTuple
from ffhooks.store import snapshot as store_snapshot
from ffhooks.store import snapshot_area as snapshot


class Restore(NamedTuple):
    chosen: snapshot.Manifest | None
    skipped: list[str]  # why each newer snapshot was not used
    written: list[str]
    unchanged: list[str]  # files of the snapshot the store already holds (or holds newer)
    before: snapshot.Manifest | None  # the state just before, kept whatever this does
    left_out: list[str]  # what the snapshot holds that did not come back, and why
    brought: list[str]  # ids of the sessions brought back
    replaced: str | None  # the store id whose place the snapshot's store took
    moved: list[str]  # ids of that store's sessions now in the restored one
    retired: list[str]  # empty summaries that end the replaced store's billing


def header_of(data: bytes, rel: str) -> dict[str, Any] | None:
    """A store.json's content if it passes its checks, else None (missing or unreadable)."""
    from ffhooks.validator.checks import check_bytes

    if check_bytes(rel, data).problems:
        return None
    doc: dict[str, Any] = json.loads(data)
    return doc


def store_here(repo: Repo, user: str) -> dict[str, Any] | None:
    rel = f".flowforge/user/{user}/store.json"
    try:
        return header_of((repo.top / rel).read_bytes(), rel)
    except OSError:
        return None


def _linked_worktrees(repo: Repo) -> bool:
    try:
        return any((repo.common_dir / "worktrees").iterdir())
    except OSError:
        return False


def ours(store: str | None, home: str | None, here: str | None, repo: Repo) -> bool:
    """Whether a snapshot of store `store` taken in work tree `home` (None: unknown) is a
    restore point of the store here (id `here`; None: missing or unreadable)."""
    if other_worktree(repo.top, repo.common_dir, home):
        return False  # another worktree's store: never brought here
    if home is None and _linked_worktrees(repo) and (here is None or store != here):
        return False  # taken before places were recorded, in a clone with several
    return here is None or store is None or store == here


def _usable(
    repo: Repo, manifest: snapshot.Manifest, user: str
) -> tuple[dict[str, bytes], dict[str, str], str]:
    """The store files of a snapshot whose copies hold, and what is wrong with each copy
    that does not (by path); or why the snapshot is no restore point at all (its store.json
    does not hold: without it, nothing says which store the rest is)."""
    from ffhooks.validator.checks import check_bytes

    prefix = f".flowforge/user/{user}/"
    files: dict[str, bytes] = {}
    broken: dict[str, str] = {}
    for entry in manifest.files:
        if not entry.path.startswith(prefix):
            continue  # summaries are in git already
        try:
            data = snapshot.read_object(repo.state_dir, entry)
        except BrokenFile as exc:
            broken[entry.path] = f"{exc.path} {exc.problem}"
            continue
        result = check_bytes(entry.path, data)
        if result.problems:
            broken[entry.path] = f"its {result.problems[0]}"
            continue
        files[entry.path] = data
    header = f"{prefix}store.json"
    if header in broken:
        return {}, {}, broken[header]
    if header not in files:
        return {}, {}, "it holds no store.json (a snapshot of an empty store)"
    return files, broken, ""


def _copies_every_change(repo: Repo, manifest: snapshot.Manifest) -> bool:
    """Whether every change to the store of `manifest` since it was taken would have been
    snapshotted too: some snapshot of it up to that one was taken by a change (older
    versions of ffhooks snapshotted only at commits and on request)."""
    if manifest.reason == "change":
        return True
    if manifest.store is None:
        return False  # taken before manifests named their store: by an older ffhooks
    for snapshot_id in reversed(snapshot.all_ids(repo.state_dir)):
        if snapshot_id > manifest.id:
            continue
        try:
            other = snapshot.load_naming(repo.state_dir, snapshot_id, manifest.store)
        except (BrokenFile, FatalError):
            continue
        if other is not None and other.reason == "change":
            mine = (other.user, other.store, other.worktree)
            if mine == (manifest.user, manifest.store, manifest.worktree):
                return True
    return False


def _unreadable(repo: Repo, manifest: snapshot.Manifest, broken: dict[str, str]) -> list[str]:
    """What a snapshot's broken copies keep from coming back, each with the newest older
    snapshot of the same store that holds a good copy of that file. That one is not merged
    by itself: a session removed since would come back with it."""
    found = []
    for rel, why in sorted(broken.items()):
        older = None
        before = manifest.id
        while older is None:
            candidate = store_snapshot.newest(
                repo.state_dir,
                manifest.user,
                store=manifest.store,
                worktree=manifest.worktree,
                before=before,
            )
            if candidate is None:
                break
            before = candidate.id
            entry = next((e for e in candidate.files if e.path == rel), None)
            if entry is None or candidate.reason == "restore":
                continue
            try:
                snapshot.read_object(repo.state_dir, entry)
                older = candidate
            except BrokenFile:
                continue
        line = f"{rel}: its copy in snapshot {manifest.id} is broken ({why})"
        if older is None:
            line += "; no older snapshot holds a good copy"
        else:
            line += (
                f"; snapshot {older.id} ({older.created:%Y-%m-%d %H:%M} UTC) holds an older "
                f"copy: `ffhooks recover restore {older.id}` merges it in (a session removed "
                "since would come back with it)"
            )
        found.append(line)
    return found


def restore(
    repo: Repo,
    user: str,
    now: datetime,
    *,
    snapshot_id: int | None,
    dry_run: bool,
    merge: bool = False,
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
        if not dry_run and root.is_dir():
            from ffhooks.store.store import Store

            # an interrupted write finishes first, or it would replay over the merge
            Store(root, repo.top, state, user, now).replay_journal()
        header = store_here(repo, user)
        here = header["store"] if header else None
        ids = snapshot.all_ids(state)
        last_before = ids[-1] if ids else 0
        before = None
        if not dry_run:
            before = store_snapshot.take(state, repo.top, user, now, reason="restore", store=here)
        if snapshot_id is not None:
            candidates = [snapshot_id]
        else:
            candidates = [i for i in reversed(ids) if i <= last_before]
        skipped: list[str] = []
        others: dict[str, int] = {}
        for candidate in candidates:
            try:
                manifest = snapshot.load(state, candidate)
            except BrokenFile as exc:
                skipped.append(f"snapshot {candidate}: {exc.problem}")
                continue
            # the state before an earlier restore is an undo point, used only when named: a
            # restore killed after taking it would otherwise make the damage the newest
            undo = manifest.reason == "restore" and snapshot_id is None
            if manifest.user != user or manifest.reason == "migrate-backup" or undo:
                if snapshot_id is not None:
                    raise FatalError(f"snapshot {candidate} is not of {user}'s store")
                continue
            files, broken, why = _usable(repo, manifest, user)
            if why:
                skipped.append(f"snapshot {candidate}: {why}")
                continue
            theirs = json.loads(files[f".flowforge/user/{user}/store.json"])
            home = manifest.worktree or theirs.get("home")
            if snapshot_id is None and not ours(theirs["store"], home, here, repo):
                if here and theirs["store"] != here and home in (None, str(repo.top)):
                    others.setdefault(theirs["store"], candidate)
                continue
            if other_worktree(repo.top, repo.common_dir, home):
                raise FatalError(
                    f"snapshot {candidate} is of {user}'s store in the work tree {home}: a "
                    "store comes back only to its own place (run the restore there)"
                )
            unreadable = _unreadable(repo, manifest, broken)
            if snapshot_id is None and not _copies_every_change(repo, manifest):
                unreadable.append(
                    f"whatever was recorded after {manifest.created:%Y-%m-%d %H:%M} UTC: "
                    f"snapshot {candidate}, the newest, was taken by an ffhooks that copied "
                    "the store only at commits and on request"
                )
            args = (repo, user, now, manifest, files, header, before, skipped)
            return _apply(*args, dry_run=dry_run, merge=merge, unreadable=unreadable)
    if snapshot_id is not None:
        raise FatalError(f"snapshot {snapshot_id} cannot be used: {skipped[0].split(': ', 1)[1]}")
    skipped += [
        f"snapshot {i}: of store {sid}, not this store {here} "
        f"(`ffhooks recover restore {i}` brings that store back in this one's place)"
        for sid, i in others.items()
    ]
    return Restore(
        chosen=None,
        skipped=skipped,
        written=[],
        unchanged=[],
        before=before,
        left_out=[],
        brought=[],
        replaced=None,
        moved=[],
        retired=[],
    )


def _apply(
    repo: Repo,
    user: str,
    now: datetime,
    manifest: snapshot.Manifest,
    files: dict[str, bytes],
    header: dict[str, Any] | None,
    before: snapshot.Manifest | None,
    skipped: list[str],
    *,
    dry_run: bool,
    merge: bool,
    unreadable: list[str],
) -> Restore:
    """Merge the chosen snapshot into the store (the caller holds its lock); `unreadable`:
    what its broken copies keep from coming back."""
    from ffhooks.recovery import merge as merging

    prefix = f".flowforge/user/{user}/"
    here = {
        rel: (repo.top / rel).read_bytes()
        for rel, _ in store_snapshot.private_files(repo.top, user)
        if rel != f"{prefix}journal.json"
    }
    theirs = json.loads(files[f"{prefix}store.json"])["store"]
    replaced = header["store"] if header and header["store"] != theirs else None
    plan = merging.plan(prefix, files, here, now, replace_header=replaced is not None)
    if replaced and plan.lacking and not merge:
        shown = ", ".join(plan.lacking[:3]) + (", ..." if len(plan.lacking) > 3 else "")
        raise FatalError(
            f"this store (id {replaced}) holds {len(plan.lacking)} session(s) snapshot "
            f"{manifest.id} (store {theirs}) lacks: {shown}; `ffhooks recover restore "
            f"{manifest.id} --merge` moves them into the restored store"
        )
    retired: list[str] = []
    if not dry_run:
        if replaced and header:
            retired = _retire(repo, user, now, header)  # first: a failure changes nothing
        for rel in plan.broken:  # a bad file is moved aside, never written over
            quarantine(repo.top / rel, repo.top, repo.state_dir, now)
        # store.json last: until it is written, the store is the one it was
        for rel in sorted(plan.writes, key=lambda r: r == f"{prefix}store.json"):
            atomic_write(repo.top / rel, plan.writes[rel])
    return Restore(
        chosen=manifest,
        skipped=skipped,
        written=sorted(plan.writes),
        unchanged=plan.kept,
        before=before,
        left_out=[*unreadable, *plan.left_out],
        brought=plan.brought,
        replaced=replaced,
        moved=plan.lacking if replaced else [],
        retired=retired,
    )


def _retire(repo: Repo, user: str, now: datetime, header: dict[str, Any]) -> list[str]:
    """End the billing of a store whose place another takes: every month it ever summarised
    gets an empty summary with its next seq, written and staged by the aggregation itself
    (run on a copy of its header with no sessions, kept under the clone's machine state)."""
    from ffhooks import summary
    from ffhooks.config import load_config
    from ffhooks.fold.aggregate import aggregate, store_months
    from ffhooks.store.store import Store

    old = header["store"]
    months = set(header.get("summaries", {}))
    months |= set(store_months(repo.top / summary.SUMMARIES / user, old))
    kept = {k: v for k, v in header.items() if k != "quarantined"}
    kept |= {"dirty": sorted(months), "timer_months": []}
    root = repo.state_dir / "retired" / old
    write_json(root / "store.json", kept)
    store = Store(root, repo.top, repo.state_dir, user, now)
    store.header = kept
    return aggregate(store, repo, load_config(repo.flowforge), rebuild=True).written


def after_restore(ctx: Context, restored: Iterable[str]) -> None:
    """Every month of the restored store is rebuilt at the next commit, so the summaries
    agree with it exactly whatever happened between the snapshot and now. Files brought back
    are no longer missing (their quarantine marks go), and summaries this store wrote after
    its store.json was snapshotted are its own (a restored header lags behind them)."""
    from ffhooks.clock import months_of

    prefix = f".flowforge/user/{ctx.user}/"
    back = {rel[len(prefix) :] for rel in restored if rel.startswith(prefix)}
    with ctx.store() as store:
        if store.header is None:
            return
        repo = ctx.repo
        home = store.header.get("home")
        if home not in (None, str(repo.top)) and not other_worktree(
            repo.top, repo.common_dir, home
        ):
            store.rehome()  # snapshotted before this work tree moved here
        header = store.header
        months: set[str] = set(header.get("dirty", ()))
        longest = header["longest_seconds"]
        for s in store.all_sessions():
            months |= months_of(s.start, s.end, store.zones)
            longest = max(longest, s.seconds)
        changes: dict[str, Any] = {"dirty": sorted(months), "longest_seconds": longest}
        if "quarantined" in header:
            changes["quarantined"] = [m for m in header["quarantined"] if m["file"] not in back]
        changes |= _own_summaries(ctx.repo.top, store.user, header)
        store.set_header(**changes)


def _own_summaries(top: Path, user: str, header: dict[str, Any]) -> dict[str, Any]:
    """The header's record of summaries, with newer ones its writer wrote in the tree."""
    from ffhooks import summary
    from ffhooks.fold.aggregate import store_months, trusted

    known = dict(header.get("summaries", {}))
    writer = header.get("writer")
    for month, files in store_months(top / summary.SUMMARIES / user, header["store"]).items():
        seq, path = files[-1]
        doc = trusted(path) if writer and seq > known.get(month, 0) else None
        if doc is not None and doc.get("writer") == writer:
            known[month] = seq
    if known == header.get("summaries", {}):
        return {}
    return {"summaries": dict(sorted(known.items())), "seq": max([header["seq"], *known.values()])}
