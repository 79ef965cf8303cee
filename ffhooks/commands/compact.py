"""`ffhooks compact` and `ffhooks resolve`: bounded history (see ffhooks/fold/compact.py)."""

from __future__ import annotations

import json
from datetime import datetime

from ffhooks import progress
from ffhooks.errors import FatalError
from ffhooks.fold import compact as c
from ffhooks.git.plumbing import Repo
from ffhooks.layout import SUMMARIES


def compact(
    repo: Repo,
    now: datetime,
    *,
    tombstones: bool,
    older_than: int | None,
    dry_run: bool,
    as_json: bool,
) -> int:
    """Delete every superseded summary (and old tombstones) in one commit of their own, on
    the default branch only."""
    if tombstones:
        raise FatalError(
            "summaries are no longer made tombstones (a commit only adds them): `ffhooks "
            "compact` alone deletes the superseded ones; drop --tombstones from the job"
        )
    if older_than is not None:
        raise FatalError(
            "--older-than is gone: a superseded summary is never touched by a branch, so "
            "`ffhooks compact` deletes every one at once (team config compact."
            "delete_after_days is no longer read)"
        )
    if not c.has_commits(repo):
        raise FatalError("this branch has no commit yet: nothing to compact")
    c.on_default_branch(repo)
    if not dry_run:
        c.ready_to_commit(repo)
    paths = c.superseded(repo)
    result: dict[str, object] = {"dry_run": dry_run, "commit": None}
    if paths and not dry_run:
        with progress.bar("compacting", "files") as drawn:
            c.delete(repo, paths, drawn)
        message = f"ffhooks compact: {len(paths)} superseded summaries deleted"
        result["commit"] = c.commit(repo, paths, message)
    result |= {"count": len(paths), "paths": paths}
    if as_json:
        print(json.dumps(result, indent=2))
    elif not paths:
        print("Nothing to compact: no superseded summary")
    else:
        done = f"committed {str(result['commit'])[:12]}" if result["commit"] else "dry run"
        print(f"{len(paths)} superseded summaries deleted ({done})")
    return 0


def resolve(repo: Repo) -> int:
    found = c.resolve(repo)
    if not found.resolved and not found.left:
        print(f"No conflicted summary under {SUMMARIES}")
        return 0
    if found.resolved:
        print(
            f"Settled {len(found.resolved)} conflict(s) over summaries; go on with `git commit` "
            "(or `git cherry-pick --continue`, `git rebase --continue`)"
        )
    if found.left:
        more = f" (and {len(found.left) - 1} more)" if len(found.left) > 1 else ""
        raise FatalError(
            f"{found.left[0]}{more} conflicts in another way, which ffhooks does not settle: "
            'see README, "What ffhooks guarantees"'
        )
    return 0


def merge_summary(base: str, ours: str, theirs: str) -> int:
    """git's merge driver for summaries: exit 0 merged into OURS, 1 a conflict for git."""
    from pathlib import Path

    try:
        return 0 if c.merge_file(Path(base), Path(ours), Path(theirs)) else 1
    except OSError as exc:
        raise FatalError(
            f"{exc.filename}: {exc.strerror}; `ffhooks merge-summary` is the merge driver git "
            "runs with the three versions of a summary as files"
        ) from None
