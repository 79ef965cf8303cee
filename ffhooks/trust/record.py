"""The committed team record as a report or a check reads it: the live summaries of a commit
(or of the work tree) in the months asked, by blob id, each checked once per blob id
(validator/digest.py), their contents streamed when they must be read again.

Nothing here holds every summary at once: a listing is paths and blob ids, a digest a few
hundred bytes, and contents come one blob at a time from one `git cat-file --batch`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ffhooks import summary
from ffhooks.git.objects import hash_files, index_blobs, resolve_commit, stream_objects, tree_blobs
from ffhooks.git.plumbing import run_git
from ffhooks.records import Any, NamedTuple
from ffhooks.validator import digest
from ffhooks.validator.digest import Digest, DigestCache


class Listing(NamedTuple):
    """The live summaries of a commit (`commit`), or of the work tree (None), by path in
    path order: their blob ids."""

    top: Path
    commit: str | None
    blobs: dict[str, str]
    # the work tree's files to read from the disk: what the index does not hold as it is
    on_disk: frozenset[str] = frozenset()


def listing(top: Path, ref: str | None, within: Callable[[str], bool] | None) -> Listing:
    """The live summaries of the commit `ref` names (else of the work tree) in the months
    `within` keeps (every month with None)."""
    if ref is None:
        return _worktree(top, _worktree_live(top, within))
    commit = resolve_commit(top, ref)
    blobs = tree_blobs(top, commit, [summary.SUMMARIES])
    kept = {p: b for p, b in blobs.items() if within is None or within(month_of(p))}
    return Listing(top=top, commit=commit, blobs=_live(kept))


def folders_at(top: Path, commit: str, folders: list[str]) -> dict[str, str]:
    """The live summaries (path -> blob id) of a commit in these `<user>/<month>` folders
    only: a listing of those folders (a thousand to a git process), not of the whole record."""
    found: dict[str, str] = {}
    for start in range(0, len(folders), 1000):
        named = [f"{summary.SUMMARIES}/{f}" for f in folders[start : start + 1000]]
        found.update(tree_blobs(top, commit, named))
    return _live(found)


def _live(kept: dict[str, str]) -> dict[str, str]:
    """Those of `kept` (path -> blob id) that are live, in path order."""
    live = sorted(w.path for w in summary.live(kept, summary.tombstones(kept)).values())
    return {p: kept[p] for p in live}


def _worktree(top: Path, paths: list[str]) -> Listing:
    """The work tree's summaries `paths` by blob id: the index's for a file git finds
    unchanged since it was staged (`git diff-files`, which knows a racy timestamp), read
    from the object store like a commit's; for any other, the id of its bytes on disk
    (`git hash-object`), read from the disk. Whatever a line-ending conversion or a clean
    filter makes of a file, its blob id always names the bytes read."""
    if not paths:
        return Listing(top=top, commit=None, blobs={})
    staged = index_blobs(top, [summary.SUMMARIES])
    listed = run_git(
        ["--literal-pathspecs", "diff-files", "--name-only", "-z", "--", summary.SUMMARIES], top
    )
    changed = set(listed.split("\0"))
    blobs = {p: staged[p] for p in paths if p in staged and p not in changed}
    disk = [p for p in paths if p not in blobs]
    blobs.update(zip(disk, hash_files(top, disk), strict=True))
    return Listing(
        top=top, commit=None, blobs={p: blobs[p] for p in paths}, on_disk=frozenset(disk)
    )


def _worktree_live(top: Path, within: Callable[[str], bool] | None) -> list[str]:
    """The live summaries of a work tree in the months `within` keeps (folders of other
    months are not even listed): the newest file of each store and month, or should that be
    a tombstone (never after a commit ffhooks checked), the next one. Only what a summary's
    path can be is listed, `<user>/<month>/<file>.json`: strings, not Paths (thousands)."""
    base = f"{top}/{summary.SUMMARIES}"
    found = []
    for user in _entries(base, folders=True):
        for month in _entries(f"{base}/{user}", folders=True):
            if within is None or within(month):
                folder = f"{summary.SUMMARIES}/{user}/{month}"
                names = _entries(f"{top}/{folder}", folders=False)
                found += [f"{folder}/{n}" for n in names if n.endswith(".json")]
    buried: set[str] = set()
    while True:
        live = sorted(w.path for w in summary.live(found, buried).values())
        newly = {p for p in live if summary.is_tombstone(top / p)}
        if not newly:
            return live
        buried |= newly


def _entries(folder: str, *, folders: bool) -> list[str]:
    """The names of a folder's subfolders (else of its files); none where it is missing."""
    try:
        with os.scandir(folder) as listing:
            return [e.name for e in listing if e.is_dir() == folders]
    except (FileNotFoundError, NotADirectoryError):
        return []


def month_of(path: str) -> str:
    """The month folder a summary path names (`.../<user>/<month>/<file>`)."""
    parts = path.rsplit("/", 3)
    return parts[-2] if len(parts) == 4 else ""


def contents(record: Listing, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """Each path's bytes, one at a time: from the object store in one `git cat-file
    --batch`, or from the work tree."""
    wanted = list(paths)
    stored = stream_objects(
        record.top, [record.blobs[p] for p in wanted if p not in record.on_disk]
    )
    for path in wanted:
        yield path, (record.top / path).read_bytes() if path in record.on_disk else next(stored)


def documents(
    record: Listing, paths: Iterable[str], *, digested: bool = True
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each path's summary parsed. With `digested` (the paths' digests were found: each blob
    was checked), a blob read from the object store, the bytes its digest was made of, is
    only parsed; a file read from the disk, which may have changed since, is checked again,
    as every file is without `digested` (FatalError naming what is wrong)."""
    for path, data in contents(record, paths):
        if digested and path not in record.on_disk:
            yield path, summary.loads(data, path, digest.FIX)
        else:
            yield path, digest.checked(path, data)


def digests(record: Listing, cache: DigestCache) -> dict[str, Digest]:
    """Path -> digest of every summary listed, in listing order: from the cache where it has
    the blob, else read and checked (FatalError naming the first broken one). What was
    found is saved to the cache, even when a later file is refused."""
    found: dict[str, Digest | None] = {}
    for path, blob in record.blobs.items():
        found[path] = digest.read(cache, path, blob, None)
    todo = [p for p, d in found.items() if d is None]
    try:
        for path, data in contents(record, todo):
            found[path] = digest.read(cache, path, record.blobs[path], data)
    finally:
        cache.save()
    return {p: d for p, d in found.items() if d is not None}


def crowded(record: Listing, found: dict[str, Digest]) -> list[tuple[str, str]]:
    """summary.crowded over the summaries where one person has several stores in a month
    and a time zone (only those can record more than a day holds together): read again,
    the rest never."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for path, d in found.items():
        groups.setdefault((d.user, d.month, d.timezone), []).append(path)
    several = [p for paths in groups.values() if len(paths) > 1 for p in paths]
    if not several:
        return []
    return summary.crowded(documents(record, several))


def known_user_folders(top: Path, ref: str | None) -> set[str]:
    """Whose summary folders the work tree (or the commit `ref` names) has, in any month:
    listed, not read."""
    if ref is None:
        try:
            return {e.name for e in os.scandir(top / summary.SUMMARIES) if e.is_dir()}
        except (FileNotFoundError, NotADirectoryError):
            return set()
    listed = run_git(
        ["ls-tree", "--name-only", "-z", resolve_commit(top, ref), "--", f"{summary.SUMMARIES}/"],
        top,
    )
    return {p.rsplit("/", 1)[-1] for p in listed.split("\0") if p}
