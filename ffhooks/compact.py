"""Bounded history: superseded summaries become tombstones, and old tombstones go.

`--tombstones` buries every superseded summary of the tree in one commit: safe on any branch,
since two branches burying the same file make the same change. `--delete` is for one CI job on
the main branch: it deletes the tombstones that were already tombstones on the branch's
first-parent history `delete_after_days` ago. Only a branch that forked before such a file
became a tombstone, and buries it itself after the deletion, then conflicts (modify/delete);
`ffhooks resolve` settles that, and the same conflict from a cherry-pick of a commit that
buried a file the target never had.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from ffhooks import summary
from ffhooks.errors import FatalError
from ffhooks.fsio import atomic_write
from ffhooks.gitio import Repo, index_blobs, run_git, tree_blobs
from ffhooks.layout import TOMBSTONE, TOMBSTONE_BLOB
from ffhooks.records import NamedTuple

_FROM_STDIN = ("--pathspec-from-file=-", "--pathspec-file-nul")
_BUSY = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply")


def superseded(repo: Repo) -> list[str]:
    """Summaries of the index that a higher seq of their store and month supersedes and that
    are not tombstones yet."""
    blobs = index_blobs(repo.top, [summary.SUMMARIES])
    dead = summary.tombstones(blobs)
    counted = {w.path for w in summary.live(blobs, dead).values()}
    return sorted(p for p in blobs if summary.parse_path(p) and p not in dead | counted)


class Aged(NamedTuple):
    paths: list[str]
    cutoff: datetime
    base: str | None  # the newest first-parent commit at least that old


def old_tombstones(repo: Repo, now: datetime, days: int) -> Aged:
    """Tombstones of HEAD that were already tombstones on its first-parent history `days`
    days before `now` (committer dates)."""
    shallow = run_git(["rev-parse", "--is-shallow-repository"], repo.top).strip()
    if shallow == "true":
        raise FatalError(
            "this clone is shallow, so it cannot tell how long a file has been a tombstone: "
            "fetch the whole history (`git fetch --unshallow`; in GitHub Actions, "
            "actions/checkout with `fetch-depth: 0`)"
        )
    cutoff = now - timedelta(days=days)
    base = run_git(
        ["rev-list", "-1", "--first-parent", f"--before={int(cutoff.timestamp())}", "HEAD"],
        repo.top,
    ).strip()
    if not base:
        return Aged([], cutoff, None)
    then = summary.tombstones(tree_blobs(repo.top, base, [summary.SUMMARIES]))
    now_dead = summary.tombstones(tree_blobs(repo.top, "HEAD", [summary.SUMMARIES]))
    return Aged(sorted(then & now_dead), cutoff, base)


def ready_to_commit(repo: Repo) -> None:
    """Refuse unless a commit of compaction's own can be made here: no operation in
    progress, nothing staged, and no summary with unstaged edits."""
    for name in _BUSY:
        if (repo.git_dir / name).exists():
            raise FatalError(
                f"a git operation is in progress ({name} exists): finish or abort it first"
            )
    if run_git(["rev-parse", "--verify", "--quiet", "HEAD"], repo.top, check=False) == "":
        raise FatalError("this branch has no commit yet: nothing to compact")
    staged = run_git(["diff", "--cached", "--name-only", "-z"], repo.top).split("\0")
    if staged[0]:
        raise FatalError(
            f"{staged[0]} is staged: compaction makes a commit of its own, holding nothing "
            "else; commit or unstage (`git restore --staged`) what is staged first"
        )
    edited = run_git(["diff", "--name-only", "-z", "--", summary.SUMMARIES], repo.top)
    if edited:
        raise FatalError(
            f"{edited.split(chr(0))[0]} has unstaged edits: summaries are written by ffhooks "
            f"only; `git restore -- {summary.SUMMARIES}` discards them"
        )


def bury_all(repo: Repo, paths: list[str]) -> None:
    for rel in paths:
        atomic_write(repo.top / rel, TOMBSTONE)
    _pathspec(repo, ["update-index", "-z", "--stdin"], paths)


def delete(repo: Repo, paths: list[str]) -> None:
    _pathspec(repo, ["rm", "-q", *_FROM_STDIN], paths)


def commit(repo: Repo, paths: list[str], message: str) -> str:
    """Commit what compaction staged (hooks skipped: the change is ffhooks' own, checked
    here); if git refuses, put the paths back as HEAD has them and say why."""
    from ffhooks.verify import losses

    folders = sorted({p.rsplit("/", 1)[0] + "/" for p in paths})
    found = losses(repo.top, tree_blobs(repo.top, "HEAD", folders), index_blobs(repo.top, folders))
    if found:
        _undo(repo, paths)
        raise FatalError(f"compaction would lower the record ({found[0]}): this is a bug")
    try:
        run_git(["commit", "-q", "--no-verify", "-m", message], repo.top)
    except FatalError as exc:
        _undo(repo, paths)
        raise FatalError(f"{exc}; nothing was changed") from None
    return run_git(["rev-parse", "HEAD"], repo.top).strip()


def _undo(repo: Repo, paths: list[str]) -> None:
    _pathspec(repo, ["checkout", "HEAD", "--pathspec-from-file=-", "--pathspec-file-nul"], paths)


def _pathspec(repo: Repo, command: list[str], paths: list[str]) -> None:
    run_git(["--literal-pathspecs", *command], repo.top, stdin="\0".join(paths) + "\0")


class Conflicts(NamedTuple):
    resolved: list[str]
    left: list[str]


def resolve(repo: Repo) -> Conflicts:
    """Settle the conflicts tombstones can cause.

    Two sides disagree over a summary only as a tombstone against what the other side has
    there: nothing (a branch deleted old tombstones, or a picked commit buries a file this
    branch never had), the file itself (a commit that added it picked again after it was
    buried), or another summary that git's rename detection paired with the buried file.
    The tombstone stays only where the tree holds a newer live summary of its store and
    month; else the other side is kept. Any other conflicted summary is left, named."""
    listing = run_git(
        ["--literal-pathspecs", "ls-files", "-s", "-z", "--", summary.SUMMARIES], repo.top
    )
    stages: dict[str, dict[str, str]] = {}
    for entry in filter(None, listing.split("\0")):
        meta, _, path = entry.partition("\t")
        _, blob, stage = meta.split()
        stages.setdefault(path, {})[stage] = blob
    settled = {path: sides["0"] for path, sides in stages.items() if "0" in sides}
    counted = summary.live(settled, summary.tombstones(settled))
    keep: dict[str, list[str]] = {"--ours": [], "--theirs": [], "": []}
    left = []
    for path, sides in sorted(stages.items()):
        ours, theirs = sides.get("2"), sides.get("3")
        where = summary.parse_path(path)
        if "0" in sides:
            continue
        if where is None or TOMBSTONE_BLOB not in (ours, theirs) or ours == theirs:
            left.append(path)
            continue
        buried, other = ("--ours", theirs) if ours == TOMBSTONE_BLOB else ("--theirs", ours)
        best = counted.get((where.user, where.store, where.month))
        if other is None:
            keep[""].append(path)
        elif best is not None and best.seq > where.seq:
            keep[buried].append(path)
        else:
            keep["--theirs" if buried == "--ours" else "--ours"].append(path)
    for side in ("--ours", "--theirs"):
        if keep[side]:
            _pathspec(repo, ["checkout", side, *_FROM_STDIN], keep[side])
            _pathspec(repo, ["add", *_FROM_STDIN], keep[side])
    if keep[""]:
        _pathspec(repo, ["rm", "-q", "-f", "--ignore-unmatch", *_FROM_STDIN], keep[""])
    return Conflicts(sorted(p for paths in keep.values() for p in paths), left)


def merge_file(base: Path, ours: Path, theirs: Path) -> bool:
    """The merge driver for summaries (git gives it the three versions as files and takes
    the result from `ours`); False leaves the conflict to git.

    Summaries are only ever added or buried, so two sides disagree over a path as a
    tombstone against content: the file itself, added on both sides (a squash merge, or a
    commit picked again, after one side buried it): the tombstone, which a newer live file
    of that side justifies; or another summary that git's rename detection paired with the
    buried file (the base differs from both): that summary, untouched.
    """
    o, a, b = (path.read_bytes() for path in (base, ours, theirs))
    if a == b or TOMBSTONE not in (a, b):
        return a == b
    other = b if a == TOMBSTONE else a
    if o in (b"", other):
        ours.write_bytes(TOMBSTONE)
    elif o != TOMBSTONE:
        ours.write_bytes(other)
    else:
        return False
    return True
