"""This clone's git settings for merging what the fold writes: set by `ffhooks init` and
checked by every commit hook that folds (a fresh clone has none of them)."""

from __future__ import annotations

from ffhooks.git.plumbing import Repo, run_git

MERGE_DRIVER = "ffhooks merge-summary %O %A %B || git merge-file -L ours -L base -L theirs %A %O %B"
NO_DIRECTORY_RENAMES = r"(?im)^\s*directoryRenames\s*=\s*(false|no|off|0)\s*$"
_ATTRIBUTES = "/.flowforge/team/summaries/** merge=ffhooks"


def merge_settings(repo: Repo) -> list[str]:
    """Set up this clone's merges, rebases and cherry-picks for summaries; returns what was
    changed now (usually nothing: one small read of the config and attributes files).

    - `merge.directoryRenames=false`: when one side of a cherry-pick (or rebase) lacks a
      user's month folder entirely, git pairs its files with similar summaries elsewhere
      and calls the folder renamed; with its default `conflict` every summary the other
      side adds there stops the operation ("CONFLICT (file location)"), and `true` would
      move them into another user's folder.
    - The `ffhooks` merge driver for summaries (in `info/attributes`, so nothing needs
      committing): a tombstone against the file itself settles as the tombstone, against
      another file git paired with it as that file (see `ffhooks merge-summary`); without
      ffhooks on PATH, git's own merge.
    """
    import re

    try:
        text = (repo.common_dir / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    changed = []
    if not re.search(NO_DIRECTORY_RENAMES, text):
        run_git(["config", "merge.directoryRenames", "false"], repo.top)
        changed.append("merge.directoryRenames false")
    if "ffhooks merge-summary" not in text:
        run_git(["config", "merge.ffhooks.name", "ffhooks summaries"], repo.top)
        run_git(["config", "merge.ffhooks.driver", MERGE_DRIVER], repo.top)
        changed.append("merge.ffhooks.driver")
    attributes = repo.common_dir / "info" / "attributes"
    try:
        lines = attributes.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    if _ATTRIBUTES not in lines:
        attributes.parent.mkdir(exist_ok=True)
        attributes.write_text("\n".join([*lines, _ATTRIBUTES, ""]), encoding="utf-8")
        changed.append("info/attributes")
    return changed
