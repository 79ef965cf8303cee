from __future__ import annotations

from ffhooks.errors import FatalError
from ffhooks.gitio import Repo, index_blobs, run_git, tree_blobs, user_dir_ignored
from ffhooks.layout import PRIVATE, SUMMARIES


def guard(repo: Repo) -> int:
    """Refuse a commit that would publish private time files or take billed time out of the
    team record (a summary deleted or edited)."""
    out = run_git(
        ["diff", "--cached", "--name-status", "-z", "--no-renames", "--", ".flowforge/"],
        repo.top,
    ).split("\0")
    changes = list(zip(out[::2], out[1::2], strict=False))
    private = [p for s, p in changes if s in "AM" and p.startswith(f"{PRIVATE}/")]
    if private:
        more = f" and {len(private) - 1} more" if len(private) > 1 else ""
        raise FatalError(
            f"private time files are staged ({private[0]}{more}): unstage them with "
            "`git rm -r --cached .flowforge/user/`"
        )
    touched = [p for s, p in changes if s in "DM" and p.startswith(f"{SUMMARIES}/")]
    if touched:
        _refuse_losses(repo, touched)
    if not user_dir_ignored(repo):
        raise FatalError(
            ".flowforge/user/ is not git-ignored, so private time could be committed: run "
            "`ffhooks init` (it adds the line to .gitignore)"
        )
    return 0


def _refuse_losses(repo: Repo, touched: list[str]) -> None:
    """A deleted or edited summary is allowed only where a newer one of the same store and
    month is staged (a superseded file removed or shrunk); anything else loses billed time."""
    from ffhooks.verify import losses

    folders = sorted({p.rsplit("/", 1)[0] + "/" for p in touched})
    found = losses(repo.top, tree_blobs(repo.top, "HEAD", folders), index_blobs(repo.top, folders))
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        target = found[0].path if len(found) == 1 else SUMMARIES
        raise FatalError(
            f"this commit would take billed time out of the team record: {found[0]}{more}; "
            "committed summaries are never deleted or edited: bring them back with "
            f"`git restore --staged --worktree --source=HEAD -- {target}`"
        )
