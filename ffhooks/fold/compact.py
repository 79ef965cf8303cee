"""Bounded history: superseded summaries leave the tree in pure-delete commits on the default
branch, and what git cannot merge of old histories' summaries is settled.

A developer's commit only adds summaries (fold/aggregate.py). `ffhooks compact`, normally one CI job
on the default branch, deletes every summary a higher seq of its store and month supersedes,
and the tombstones older versions wrote, in a commit that deletes and adds nothing else: no
rename can be paired inside it, and since branches never touch old files, a deletion on the
default branch never meets a change elsewhere. Run off the default branch, two lines would
delete the same files (rename/delete, modify/delete when merged), so it refuses there.
`resolve` and `merge_file`, git's merge driver for summaries, settle the conflicts histories
written with tombstones (before add-only) can still meet; nothing written now needs them.
"""

from __future__ import annotations

from pathlib import Path

from ffhooks import summary
from ffhooks.errors import FatalError
from ffhooks.git.objects import index_blobs, read_objects, tree_blobs
from ffhooks.git.plumbing import Repo, run_git
from ffhooks.layout import TOMBSTONE, TOMBSTONE_BLOB, TOMBSTONE_MAX
from ffhooks.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.progress import Progress

_FROM_STDIN = ("--pathspec-from-file=-", "--pathspec-file-nul")
_OTHER_HEADS = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "REBASE_HEAD")
_BUSY = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply")


def superseded(repo: Repo) -> list[str]:
    """Summaries of the index that a higher seq of their store and month supersedes, and
    tombstones (older versions wrote them), except a tombstone above its store's live file
    (`ffhooks verify` names it: billed time was buried, and its file must come back)."""
    from ffhooks.trust.changes import buried_above_live

    blobs = index_blobs(repo.top, [summary.SUMMARIES])
    dead = buried(repo, blobs)
    counted = {w.path for w in summary.live(blobs, dead).values()}
    kept = counted | set(buried_above_live(blobs, dead))
    return sorted(p for p in blobs if summary.parse_path(p) and p not in kept)


def default_branch(repo: Repo) -> str | None:
    """The default branch's name: the remote's (`origin/HEAD`, else `origin/main` or
    `origin/master`), else `init.defaultBranch`, else a local main or master."""
    from ffhooks.git.plumbing import remote_default

    ref = remote_default(repo)
    if ref is not None:
        return ref.removeprefix("refs/remotes/origin/")
    named = run_git(["config", "--get", "init.defaultBranch"], repo.top, check=False).strip()
    if named:
        return named
    for name in ("main", "master"):
        if run_git(
            ["rev-parse", "--verify", "--quiet", f"refs/heads/{name}"], repo.top, check=False
        ):
            return name
    return None


def on_default_branch(repo: Repo) -> None:
    """Refuse unless HEAD is the default branch: compaction run on two lines of history
    deletes the same files twice, which conflicts when they meet (bench/merge_matrix.py)."""
    from ffhooks.git.plumbing import current_branch

    branch, default = current_branch(repo), default_branch(repo)
    if default is None or branch != default:
        where = f"on branch {branch}" if branch else "on a detached HEAD"
        target = default or "main"
        raise FatalError(
            f"compaction runs only on the default branch ({target}), and this is {where}: "
            f"`git switch {target}` first (a compaction made elsewhere conflicts with the "
            "default branch's own when they meet; it is never cherry-picked either)"
        )


def buried(repo: Repo, blobs: dict[str, str]) -> set[str]:
    """The tombstones among `blobs` (path -> blob id): by blob id, and among the other files
    no reader counts, the small ones whose content is a tombstone (a JSON formatter, a clean
    filter or a line-ending conversion wrote it in other bytes, and it was committed so)."""
    dead = summary.tombstones(blobs)
    counted = {w.path for w in summary.live(blobs, dead).values()}
    others = {p: b for p, b in blobs.items() if summary.parse_path(p) and p not in dead | counted}
    small = _small(repo, sorted(set(others.values())))
    data = dict(zip(small, read_objects(repo.top, small), strict=True))
    return dead | {p for p, b in others.items() if b in data and summary.is_tombstone_data(data[b])}


def _small(repo: Repo, blobs: list[str]) -> list[str]:
    """Those of `blobs` no bigger than a tombstone can be, asked in one `git cat-file`."""
    if not blobs:
        return []
    out = run_git(["cat-file", "--batch-check"], repo.top, stdin="".join(f"{b}\n" for b in blobs))
    sizes = (line.split() for line in out.splitlines())
    return [f[0] for f in sizes if len(f) == 3 and int(f[2]) <= TOMBSTONE_MAX]


def has_commits(repo: Repo) -> bool:
    return run_git(["rev-parse", "--verify", "--quiet", "HEAD"], repo.top, check=False) != ""


def ready_to_commit(repo: Repo, what: str = "compaction") -> None:
    """Refuse unless a commit of `what`'s own can be made here: no operation in progress,
    nothing staged, and no summary with unstaged edits."""
    for name in _BUSY:
        if (repo.git_dir / name).exists():
            raise FatalError(
                f"a git operation is in progress ({name} exists): finish or abort it first"
            )
    staged = run_git(["diff", "--cached", "--name-only", "-z"], repo.top).split("\0")
    if staged[0]:
        raise FatalError(
            f"{staged[0]} is staged: {what} makes a commit of its own, holding nothing "
            "else; commit or unstage (`git restore --staged`) what is staged first"
        )
    edited = run_git(["diff", "--name-only", "-z", "--", summary.SUMMARIES], repo.top)
    if edited:
        raise FatalError(
            f"{edited.split(chr(0))[0]} has unstaged edits: summaries are written by ffhooks "
            f"only; `git restore -- {summary.SUMMARIES}` discards them"
        )


def delete(repo: Repo, paths: list[str], progress: Progress | None = None) -> None:
    _pathspec(repo, ["rm", "-q", *_FROM_STDIN], paths)


def commit(repo: Repo, paths: list[str], message: str) -> str:
    """Commit what compaction staged (hooks skipped: the change is ffhooks' own, checked
    here); if git refuses, put the paths back as HEAD has them and say why."""
    from ffhooks.trust.verify import losses

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
    _pathspec(repo, ["checkout", "HEAD", *_FROM_STDIN], paths)


def _pathspec(repo: Repo, command: list[str], paths: list[str]) -> None:
    run_git(["--literal-pathspecs", *command], repo.top, stdin="\0".join(paths) + "\0")


class Conflicts(NamedTuple):
    resolved: list[str]
    left: list[str]


def resolve(repo: Repo) -> Conflicts:
    """Settle the conflicts summaries can meet.

    In histories written before add-only, summaries were added, buried, or deleted by a `git
    revert` (which runs no hook) or by old tombstones going, so two sides disagree over a
    path as content against nothing
    (a revert on one side, often with git's rename detection pairing the deleted file with
    another summary), as a tombstone against nothing (compaction, or a picked commit that
    buries a file this branch never had), or as a tombstone against content (the file
    itself, added again; or another summary paired with the buried file). Content is kept,
    and a tombstone only where the tree holds a newer live summary of its store and month:
    a summary is never lost, and time is counted from each store's newest file whatever
    else is kept. Two different contents at one path are left, named.

    Each side is read from its commit (HEAD, and the one being merged, picked, reverted or
    replayed), not from the conflict's stages: after a rename/rename git stages a blend of
    two summaries there. Only a squash merge, which records no such commit, uses stage 3.
    """
    listing = run_git(
        ["--literal-pathspecs", "ls-files", "-s", "-z", "--", summary.SUMMARIES], repo.top
    )
    stages: dict[str, dict[str, str]] = {}
    for entry in filter(None, listing.split("\0")):
        meta, _, path = entry.partition("\t")
        _, blob, stage = meta.split()
        stages.setdefault(path, {})[stage] = blob
    conflicted = sorted(path for path, found in stages.items() if "0" not in found)
    if not conflicted:
        return Conflicts([], [])
    other = next((n for n in _OTHER_HEADS if (repo.git_dir / n).is_file()), None)
    ours = tree_blobs(repo.top, "HEAD", conflicted)
    theirs = (
        tree_blobs(repo.top, other, conflicted)
        if other
        else {p: stages[p]["3"] for p in conflicted if "3" in stages[p]}
    )
    # both sides' files read: a tombstone or a summary in other bytes (a formatter, a clean
    # filter, line endings) is still one, and the same
    read = sorted({b for side in (ours, theirs) for b in side.values()})
    data = dict(zip(read, read_objects(repo.top, read), strict=True))
    dead = {TOMBSTONE_BLOB} | {b for b in read if summary.is_tombstone_data(data[b])}
    kept = {p: found["0"] for p, found in stages.items() if "0" in found}
    kept |= {p: b for side in (ours, theirs) for p, b in side.items() if b not in dead}
    counted = summary.live(kept, summary.tombstones(kept))
    keep: dict[str, list[str]] = {"HEAD": [], "other": [], "": []}
    left = []
    for path in conflicted:
        mine, yours = ours.get(path), theirs.get(path)
        where = summary.parse_path(path)
        contents = {blob for blob in (mine, yours) if blob is not None and blob not in dead}
        if mine in contents and yours in contents and summary.same_data(data[mine], data[yours]):
            contents = {mine}
        if where is None or len(contents) > 1:
            left.append(path)
            continue
        best = counted.get((where.user, where.store, where.month))
        if not contents:  # nothing, or a tombstone against nothing
            side = "HEAD" if mine in dead and yours in dead else ""
        elif (mine in dead or yours in dead) and best is not None and best.seq > where.seq:
            side = "HEAD" if mine in dead else "other"
        else:
            side = "HEAD" if mine in contents else "other"
        keep[side].append(path)
    if keep["HEAD"]:
        _pathspec(repo, ["checkout", "HEAD", *_FROM_STDIN], keep["HEAD"])
    if keep["other"] and other:
        _pathspec(repo, ["checkout", other, *_FROM_STDIN], keep["other"])
    elif keep["other"]:
        _pathspec(repo, ["checkout", "--theirs", *_FROM_STDIN], keep["other"])
        _pathspec(repo, ["add", *_FROM_STDIN], keep["other"])
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
    if summary.same_data(a, b):  # a file or a tombstone in other bytes is still the same
        return True
    if not (summary.is_tombstone_data(a) or summary.is_tombstone_data(b)):
        return False
    other = b if summary.is_tombstone_data(a) else a
    if not o or summary.same_data(o, other):
        ours.write_bytes(TOMBSTONE)
    elif not summary.is_tombstone_data(o):
        ours.write_bytes(other)
    else:
        return False
    return True
