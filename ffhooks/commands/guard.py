from __future__ import annotations

from ffhooks.errors import FatalError
from ffhooks.gitio import Repo, run_git, user_dir_ignored
from ffhooks.layout import PRIVATE, STAGED_QUERY, SUMMARIES, TOMBSTONE_BLOB


def guard(repo: Repo) -> int:
    """Refuse a commit that would publish private time files or take billed time out of the
    team record (a summary deleted or edited, or buried with no newer one)."""
    refuse(repo, staged_changes(repo))
    return 0


def staged_changes(repo: Repo) -> list[tuple[str, str, str]]:
    """(new blob id, status letter, path) of everything the commit would change: one `git
    diff --cached` that the commit hook also takes the files to validate from."""
    out = run_git(STAGED_QUERY, repo.top)
    fields = out.split("\0")
    # entries `:old_mode new_mode old_blob new_blob status`, then the path
    return [
        (meta.split()[3], meta.split()[4], path)
        for meta, path in zip(fields[::2], fields[1::2], strict=False)
        if meta
    ]


def refuse(repo: Repo, changes: list[tuple[str, str, str]]) -> None:
    private = [p for _, s, p in changes if s in "AM" and p.startswith(f"{PRIVATE}/")]
    if private:
        more = f" and {len(private) - 1} more" if len(private) > 1 else ""
        raise FatalError(
            f"private time files are staged ({private[0]}{more}): unstage them with "
            "`git rm -r --cached .flowforge/user/`"
        )
    summaries = [(blob, s, p) for blob, s, p in changes if p.startswith(f"{SUMMARIES}/")]
    if not _plainly_superseding(summaries):
        _refuse_losses(repo, [p for _, _, p in summaries])
    if not user_dir_ignored(repo):
        raise FatalError(
            ".flowforge/user/ is not git-ignored, so private time could be committed: run "
            "`ffhooks init` (it adds the line to .gitignore)"
        )


def _plainly_superseding(summaries: list[tuple[str, str, str]]) -> bool:
    """Whether the staged summary changes (new blob, status, path) only add files, and bury
    files under a higher seq of the same store and month added with them: what every
    aggregation does, accepted without reading the trees."""
    added: dict[tuple[str, str], int] = {}
    buried: list[tuple[tuple[str, str], int]] = []
    for blob, status, path in summaries:
        folder, _, name = path.rpartition("/")
        store, _, seq = name.removesuffix(".json").rpartition("-")
        if not seq.isdigit():
            return False
        key = (folder, store)
        if status in "AM" and blob == TOMBSTONE_BLOB:
            buried.append((key, int(seq)))
        elif status == "A":
            added[key] = max(added.get(key, 0), int(seq))
        else:
            return False
    return all(seq < added.get(key, 0) for key, seq in buried)


def _refuse_losses(repo: Repo, touched: list[str]) -> None:
    """A deleted or edited summary is allowed only where a newer one of the same store and
    month is staged (a superseded file removed or made a tombstone); anything else loses
    billed time."""
    from ffhooks.gitobjects import index_blobs, tree_blobs
    from ffhooks.verify import losses

    folders = sorted({p.rsplit("/", 1)[0] + "/" for p in touched})
    before = tree_blobs(repo.top, "HEAD", folders)
    found = losses(repo.top, before, index_blobs(repo.top, folders))
    if found and _stage_successors(repo, folders, before, index_blobs(repo.top, folders)):
        found = losses(repo.top, before, index_blobs(repo.top, folders))
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        target = found[0].path if len(found) == 1 else SUMMARIES
        raise FatalError(
            f"this commit would take billed time out of the team record: {found[0]}{more}; "
            "committed summaries are never deleted or edited: bring them back with "
            f"`git restore --staged --worktree --source=HEAD -- {target}`"
        )


def _stage_successors(
    repo: Repo, folders: list[str], before: dict[str, str], after: dict[str, str]
) -> bool:
    """Stage the untracked summaries that supersede staged tombstones (`git commit -a` after
    `git reset HEAD~1`, or after a hook failed, stages the tombstones, not the new files), as
    the aggregation would after this hook; True if there were any."""
    from ffhooks import summary
    from ffhooks.gitobjects import read_objects
    from ffhooks.staging import stage
    from ffhooks.summary_changes import dead_after

    dead = dead_after(before, after, lambda ids: read_objects(repo.top, ids))
    counted = summary.live(after, dead)
    orphans: dict[tuple[str, str, str], int] = {}
    for path in dead:
        where = summary.parse_path(path)
        if where is None:
            continue
        key = (where.user, where.store, where.month)
        if key not in counted or counted[key].seq < where.seq:
            orphans[key] = max(orphans.get(key, 0), where.seq)
    if not orphans:
        return False
    listed = run_git(
        ["--literal-pathspecs", "ls-files", "-z", "--others", "--", *folders], repo.top
    )
    found = []
    for path in filter(None, listed.split("\0")):
        where = summary.parse_path(path)
        highest = orphans.get((where.user, where.store, where.month), 0) if where else 0
        newer = where is not None and where.seq > highest > 0
        if newer and not summary.is_tombstone(repo.top / path):
            found.append(repo.top / path)
    if found:
        stage(repo, found)
    return bool(found)
