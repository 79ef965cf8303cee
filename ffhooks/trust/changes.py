"""What a change of the committed summaries takes away from the team record, as CI's check
of a ref (trust/verify.py) judges it: a live summary lowered, edited, deleted or made a tombstone
with nothing newer of its store and month, and tombstones above their live file."""

from __future__ import annotations

import json
from collections.abc import Callable

from ffhooks.records import Any, NamedTuple
from ffhooks.summary import SummaryPath, is_tombstone_data, live, parse_path, same_data, tombstones
from ffhooks.trust.erased import PSEUDONYM

Read = Callable[[list[str]], list[bytes]]  # blob ids -> their contents


def buried_above_live(blobs: dict[str, str], dead: set[str]) -> list[str]:
    """Tombstones (`dead`, of `blobs`) with a higher seq than their (store, month)'s live
    file, or with none: the time of a live summary that was buried instead of superseded.
    Tombstone paths are split, not parsed: only their folder, store and seq matter."""
    newest = {(w.path.rpartition("/")[0], w.store): w.seq for w in live(blobs, dead).values()}
    found = []
    for path in dead:
        folder, _, name = path.rpartition("/")
        store, _, seq = name.removesuffix(".json").rpartition("-")
        if seq.isascii() and seq.isdigit() and newest.get((folder, store), 0) < int(seq):
            found.append(path)
    return sorted(found)


class Lowering(NamedTuple):
    path: str
    problem: str


def lowered(
    before: dict[str, str], after: dict[str, str], read: Read | None = None
) -> tuple[list[Lowering], list[str]]:
    """What a change of the summaries (path -> blob id, before and after) takes away from
    the report, and the new live files whose validity the caller must check.

    For every (store, month) live before, the tree after must hold a live summary with a seq
    at least as high, and the same file unedited if the seq is the same. A file may become a
    tombstone only where a higher live seq of its store and month is in the tree after. What
    is superseded before and after counts for nothing either way: it may go, or change (a
    `git revert` of a commit that buried files brings them back whole).

    Blob ids alone cannot tell a file that a formatter, a clean filter or a line-ending
    conversion rewrote from one edited: given `read`, files whose blob id changed are judged
    by content (the same JSON is no edit; a tombstone in other whitespace is a tombstone);
    without it, any change is an edit.
    """
    dead_before, dead_after = tombstones(before), tombstones(after)
    then, now = live(before, dead_before), live(after, dead_after)
    data: dict[str, bytes] = {}
    if read is not None:
        now = _rewritten_tombstones(before, after, dead_after, now, read, data)
    found, check = [], []
    erased = _under_pseudonyms(now)
    for key, old in then.items():
        new = now.get(key)
        renamed = new is None and (key[1], key[2]) in erased and not PSEUDONYM.fullmatch(key[0])
        if renamed:  # `ffhooks erase` moved the store's month under a pseudonym
            new = erased[(key[1], key[2])]
        if new is None or new.seq < old.seq:
            lost = "superseded by a lower seq"
            if old.path not in after:
                lost = "deleted"
            elif old.path in dead_after:
                lost = "made a tombstone"
            found.append(Lowering(old.path, f"the live summary of {key[0]} {key[2]} was {lost}"))
        elif new.seq == old.seq and not _same(
            before[old.path], after[new.path], read, data, renamed=renamed
        ):
            found.append(Lowering(old.path, "a committed summary was edited"))
        elif new.path not in before:
            check.append(new.path)
    was_live = {w.path for w in then.values()}
    for path in sorted(dead_after - dead_before - was_live):
        where = parse_path(path)
        best = now.get((where.user, where.store, where.month)) if where else None
        if where is not None and (best is None or best.seq < where.seq):
            found.append(
                Lowering(path, "made a tombstone with no newer live summary of its store and month")
            )
    return found, check


def dead_after(before: dict[str, str], after: dict[str, str], read: Read) -> set[str]:
    """The tombstones of `after` (path -> blob id): by blob id, and by content among the
    files whose blob id is not what it was `before` (a formatter, a clean filter or a
    line-ending conversion made other bytes of them)."""
    dead = tombstones(after)
    changed = {p: b for p, b in after.items() if b != before.get(p) and p not in dead}
    unread = sorted(set(changed.values()))
    data = dict(zip(unread, read(unread), strict=True))
    return dead | {p for p, b in changed.items() if is_tombstone_data(data[b])}


def _rewritten_tombstones(
    before: dict[str, str],
    after: dict[str, str],
    dead: set[str],
    now: dict[tuple[str, str, str], SummaryPath],
    read: Read,
    data: dict[str, bytes],
) -> dict[tuple[str, str, str], SummaryPath]:
    """The live files after, once those that changed are read (into `data`, by blob id) and
    those that are tombstones in other bytes than ffhooks writes are added to `dead`."""
    while True:
        changed = {
            w.path: after[w.path] for w in now.values() if after[w.path] != before.get(w.path)
        }
        unread = sorted({blob for blob in changed.values() if blob not in data})
        data.update(zip(unread, read(unread), strict=True))
        newly = {path for path, blob in changed.items() if is_tombstone_data(data[blob])}
        if not newly:
            return now
        dead |= newly
        now = live(after, dead)


Live = dict[tuple[str, str, str], SummaryPath]  # (user, store, month) -> its live summary


def _under_pseudonyms(now: Live) -> dict[tuple[str, str], SummaryPath]:
    """(store, month) -> the live summary of a store's month under a pseudonym (`former-N`):
    where a name was erased, the store's months it held before."""
    return {(k[1], k[2]): w for k, w in now.items() if PSEUDONYM.fullmatch(k[0])}


def _same(
    old: str, new: str, read: Read | None, data: dict[str, bytes], *, renamed: bool = False
) -> bool:
    """Whether two blobs of one summary file say the same (by content, given `read`); with
    `renamed`, but for the name (and the checksum and signature that cover it)."""
    if old == new and not renamed:
        return True
    if read is None:
        return False
    unread = [blob for blob in (old, new) if blob not in data]
    data.update(zip(unread, read(unread), strict=True))
    if not renamed:
        return same_data(data[old], data[new])
    return _but_name(data[old]) == _but_name(data[new])


def _but_name(data: bytes) -> Any:
    """A summary's content without what names its person (None if it is no JSON object)."""
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    return {k: v for k, v in doc.items() if k not in ("user", "sha256", "signature", "signed_by")}
