from __future__ import annotations

from ffhooks.git.plumbing import Repo, staged_changes
from ffhooks.hook.guard import refuse


def guard(repo: Repo) -> int:
    """Refuse a commit that would publish private time files or take billed time out of the
    team record (hook/guard.py)."""
    refuse(repo, staged_changes(repo))
    return 0
