"""`ffhooks compact` and `ffhooks resolve`: bounded history (see ffhooks/compact.py)."""

from __future__ import annotations

import json
from datetime import datetime

from ffhooks import compact as c
from ffhooks import progress
from ffhooks.config import load_config
from ffhooks.errors import FatalError
from ffhooks.gitio import Repo
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
    if older_than is not None and not 1 <= older_than <= 36500:
        raise FatalError(f"--older-than {older_than}: give a number of days from 1 to 36500")
    if not c.has_commits(repo):
        raise FatalError("this branch has no commit yet: nothing to compact")
    if not dry_run:
        c.ready_to_commit(repo)
    result: dict[str, object] = {"dry_run": dry_run, "commit": None}
    if tombstones:
        paths = c.superseded(repo)
        what, none = "superseded summaries made tombstones", "superseded summary left"
        message = f"ffhooks compact: {len(paths)} superseded summaries made tombstones"
        apply = c.bury_all
    else:
        days = older_than or load_config(repo.flowforge).delete_after_days
        aged = c.old_tombstones(repo, now, days)
        paths = aged.paths
        what = f"tombstones older than {days} days deleted"
        none = f"tombstone older than {days} days"
        message = (
            f"ffhooks compact: {len(paths)} tombstones deleted (tombstones on this branch "
            f"since before {aged.cutoff:%Y-%m-%d}, commit {(aged.base or '')[:12]})"
        )
        apply = c.delete
        result |= {"days": days, "since_commit": aged.base}
    if paths and not dry_run:
        with progress.bar("compacting", "files") as drawn:
            apply(repo, paths, drawn)
        result["commit"] = c.commit(repo, paths, message)
    result |= {"count": len(paths), "paths": paths}
    if as_json:
        print(json.dumps(result, indent=2))
    elif not paths:
        print(f"Nothing to compact: no {none}")
    else:
        done = f"committed {str(result['commit'])[:12]}" if result["commit"] else "dry run"
        print(f"{len(paths)} {what} ({done})")
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
