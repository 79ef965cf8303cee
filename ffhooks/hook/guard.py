"""The commit hook's guard: refuse a commit that would publish private time files or take
billed time out of the team record. A developer's commit only adds summaries; a commit that
only deletes them (compaction's) deletes superseded ones only."""

from __future__ import annotations

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo, user_dir_ignored
from ffhooks.layout import PRIVATE, SUMMARIES, TOMBSTONE_BLOB


def refuse(repo: Repo, changes: list[tuple[str, str, str]]) -> None:
    private = [p for _, s, p in changes if s in "AM" and p.startswith(f"{PRIVATE}/")]
    if private:
        more = f" and {len(private) - 1} more" if len(private) > 1 else ""
        raise FatalError(
            f"private time files are staged ({private[0]}{more}): unstage them with "
            "`git rm -r --cached .flowforge/user/`"
        )
    summaries = [(blob, s, p) for blob, s, p in changes if p.startswith(f"{SUMMARIES}/")]
    if not _plainly_adding(summaries):
        _refuse_changes(repo, summaries)
    if not user_dir_ignored(repo):
        raise FatalError(
            ".flowforge/user/ is not git-ignored, so private time could be committed: run "
            "`ffhooks init` (it adds the line to .gitignore)"
        )


def compaction(repo: Repo, changes: list[tuple[str, str, str]]) -> bool:
    """Whether the commit only deletes summaries (compaction's, the guard let it through;
    not a merge or a pick concluded): the fold adds nothing to it, so that no rename can be
    paired inside it; the time is folded at the next commit."""
    summaries = [s for _, s, p in changes if p.startswith(f"{SUMMARIES}/")]
    return bool(summaries) and all(s == "D" for s in summaries) and not _in_progress(repo)


def _in_progress(repo: Repo) -> bool:
    return any((repo.git_dir / name).exists() for name in _IN_PROGRESS)


_IN_PROGRESS = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply")


def _plainly_adding(summaries: list[tuple[str, str, str]]) -> bool:
    """Whether the staged summary changes (new blob, status, path) only add summaries: what
    every aggregation does, accepted without reading the trees."""
    return all(status == "A" and blob != TOMBSTONE_BLOB for blob, status, _ in summaries)


def _refuse_changes(repo: Repo, summaries: list[tuple[str, str, str]]) -> None:
    """A developer's commit only adds summaries. A commit that deletes and adds or edits
    nothing else under the summaries (compaction's) may delete superseded files and
    tombstones, never a live summary. A merge, a cherry-pick, a revert or a rebase being
    concluded carries what its other side did (a compaction on main, tombstones of an old
    history): it may take no billed time out of the record."""
    if _in_progress(repo):
        _refuse_losses(repo, [p for _, _, p in summaries])
        return
    if all(status == "D" for _, status, _ in summaries):
        _refuse_live_deleted(repo, [p for _, _, p in summaries])
        return
    touched = _reformats_aside(
        repo, [(blob, s, p) for blob, s, p in summaries if s != "A" or blob == TOMBSTONE_BLOB]
    )
    if not touched:
        return
    _, status, path = touched[0]
    more = f" (and {len(touched) - 1} more)" if len(touched) > 1 else ""
    what = "deletes" if status == "D" else "makes a tombstone of" if status == "A" else "edits"
    fix = (
        f"`git rm --cached -- {path}`"
        if status == "A"
        else f"`git restore --staged --worktree --source=HEAD -- {path}`"
    )
    raise FatalError(
        f"this commit {what} {path}{more}: a commit only adds summaries (superseded ones are "
        f"deleted by `ffhooks compact` on the default branch, in a commit of their own); {fix}"
    )


def _reformats_aside(repo: Repo, touched: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """`touched` without the files a formatter, a clean filter or a line-ending conversion
    rewrote in other bytes of the same content (read and compared with HEAD's)."""
    edits = [p for _, s, p in touched if s == "M"]
    if not edits:
        return touched
    from ffhooks import summary
    from ffhooks.git.objects import read_objects, tree_blobs

    before = tree_blobs(repo.top, "HEAD", edits)
    pairs = [(before[p], blob, p) for blob, s, p in touched if s == "M" and p in before]
    data = read_objects(repo.top, [b for old, new, _ in pairs for b in (old, new)])
    read = zip(pairs, data[::2], data[1::2], strict=True)
    same = {p for (_, _, p), a, b in read if summary.same_data(a, b)}
    return [t for t in touched if t[2] not in same]


def _refuse_live_deleted(repo: Repo, deleted: list[str]) -> None:
    """A pure-delete commit may delete only files a higher seq of their store and month
    supersedes in the tree it makes, and tombstones."""
    from ffhooks import summary
    from ffhooks.git.objects import index_blobs, tree_blobs

    folders = sorted({p.rsplit("/", 1)[0] + "/" for p in deleted})
    before = tree_blobs(repo.top, "HEAD", folders)
    after = index_blobs(repo.top, folders)
    counted = summary.live(after, summary.tombstones(after))
    dead_before = summary.tombstones(before)
    wheres = [(summary.parse_path(p), p) for p in deleted]
    for where, path in sorted(wheres, key=lambda w: -w[0].seq if w[0] else 0):  # newest first
        if where is None or path in dead_before:
            continue
        best = counted.get((where.user, where.store, where.month))
        if best is None or best.seq <= where.seq:
            raise FatalError(
                f"this commit deletes {path}, the live summary of {where.user} {where.month}: "
                "only superseded summaries may be deleted (`ffhooks compact` on the default "
                f"branch); `git restore --staged --worktree --source=HEAD -- {path}`"
            )


def _refuse_losses(repo: Repo, touched: list[str]) -> None:
    """What a merge, a pick, a revert or a rebase concludes may delete or change superseded
    files; anything else loses billed time."""
    from ffhooks.git.objects import index_blobs, tree_blobs
    from ffhooks.trust.verify import losses

    folders = sorted({p.rsplit("/", 1)[0] + "/" for p in touched})
    before = tree_blobs(repo.top, "HEAD", folders)
    found = losses(repo.top, before, index_blobs(repo.top, folders))
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        target = found[0].path if len(found) == 1 else SUMMARIES
        raise FatalError(
            f"this commit would take billed time out of the team record: {found[0]}{more}; "
            "committed summaries are never deleted or edited: bring them back with "
            f"`git restore --staged --worktree --source=HEAD -- {target}`"
        )
