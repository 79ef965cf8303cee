"""What a change of the committed summaries takes away from the team record, as CI's check
of a ref (verify.py) judges it: a live summary lowered, edited, deleted or made a tombstone
with nothing newer of its store and month, and tombstones above their live file."""

from __future__ import annotations

from ffhooks.records import NamedTuple
from ffhooks.summary import live, parse_path, tombstones


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


def lowered(before: dict[str, str], after: dict[str, str]) -> tuple[list[Lowering], list[str]]:
    """What a change of the summaries (path -> blob id, before and after) takes away from
    the report, and the new live files whose validity the caller must check.

    For every (store, month) live before, the tree after must hold a live summary with a seq
    at least as high, and the same file unedited if the seq is the same. A file may become a
    tombstone only where a higher live seq of its store and month is in the tree after. What
    is superseded before and after counts for nothing either way: it may go, or change (a
    `git revert` of a commit that buried files brings them back whole).
    """
    dead_before, dead_after = tombstones(before), tombstones(after)
    then, now = live(before, dead_before), live(after, dead_after)
    found, check = [], []
    for key, old in then.items():
        new = now.get(key)
        if new is None or new.seq < old.seq:
            lost = "superseded by a lower seq"
            if old.path not in after:
                lost = "deleted"
            elif old.path in dead_after:
                lost = "made a tombstone"
            found.append(Lowering(old.path, f"the live summary of {key[0]} {key[2]} was {lost}"))
        elif new.seq == old.seq and after[new.path] != before[old.path]:
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
