from __future__ import annotations

from ffhooks.errors import FatalError
from ffhooks.gitio import Repo, run_git, user_dir_ignored


def guard(repo: Repo) -> int:
    """Refuse a commit that would publish private time files."""
    staged = run_git(
        [
            "diff",
            "--cached",
            "--name-only",
            "--no-renames",
            "--diff-filter=AM",
            "--",
            ".flowforge/user/",
        ],
        repo.top,
    ).split()
    if staged:
        more = f" and {len(staged) - 1} more" if len(staged) > 1 else ""
        raise FatalError(
            f"private time files are staged ({staged[0]}{more}): unstage them with "
            "`git rm -r --cached .flowforge/user/`"
        )
    if not user_dir_ignored(repo):
        raise FatalError(
            ".flowforge/user/ is not git-ignored, so private time could be committed: run "
            "`ffhooks init` (it adds the line to .gitignore)"
        )
    return 0
