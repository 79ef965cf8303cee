"""What a commit carries of a store's summaries: the index against the work tree.

The aggregation writes summaries; this stages them with every file of the store that the index
lacks (`git reset HEAD~1`, a held index.lock, an interrupted hook), buries the files they
supersede, and keeps clear of pre-commit's stash of unstaged changes. The guard uses `stage`
too, without the aggregation's imports.
"""

from __future__ import annotations

import os
from collections.abc import Container, Iterable
from pathlib import Path

from ffhooks import summary
from ffhooks.errors import FatalError
from ffhooks.fsio import atomic_write
from ffhooks.gitio import Repo, remote_default, run_git
from ffhooks.layout import TOMBSTONE


def rel_path(repo: Repo, path: Path) -> str:
    return path.relative_to(repo.top).as_posix()


def bury_and_stage(
    repo: Repo,
    user_dir: Path,
    store_id: str,
    new: Iterable[Path],
    ours: dict[str, list[tuple[int, Path]]],
    pending: set[str],
) -> tuple[list[Path], list[Path]]:
    """Bury what the files just written supersede, and stage it with every file of the
    store the index lacks; returns (staged, buried)."""
    loose = untracked_own(repo, user_dir, store_id, tombstones=True)
    skip = pending | {rel_path(repo, path) for path in loose}
    superseded = {path: path.read_bytes() for path in buriable(repo, new, ours, skip)}
    bury(superseded)
    staged = sorted({*loose, *superseded})
    try:
        if staged:
            stage(repo, staged)
    except FatalError:
        # unstaged, the tombstones would be "files modified by the hook": pre-commit would
        # fail the commit, which a failed aggregation never does
        for path, data in superseded.items():
            atomic_write(path, data)
        raise
    return staged, list(superseded)


def buriable(
    repo: Repo,
    new: Iterable[Path],
    ours: dict[str, list[tuple[int, Path]]],
    skip: Container[str],
) -> list[Path]:
    """The store's files that the summaries just written supersede and that become
    tombstones now: committed, not tombstones yet, and on the remote's default branch.

    A file only this branch has stays as it is: a commit burying it would conflict when
    cherry-picked alone onto a branch without it (it is buried once it is merged). So does
    one the index lacks (staged as it is, it is the same add as on any branch that has it),
    and one in `skip`: a tombstone waiting in pre-commit's stash of unstaged changes
    (written now, the stash would no longer apply)."""
    found = [
        path
        for written in new
        for _, path in ours.get(written.parent.name, [])
        if rel_path(repo, path) not in skip and not summary.is_tombstone(path)
    ]
    ref = remote_default(repo) if found else None
    if ref is None:
        return found
    folders = sorted({f"{rel_path(repo, p.parent)}/" for p in found})
    listed = run_git(
        ["--literal-pathspecs", "ls-tree", "-r", "-z", "--name-only", ref, "--", *folders],
        repo.top,
        check=False,
    )
    published = set(listed.split("\0"))
    return [path for path in found if rel_path(repo, path) in published]


def bury(paths: Iterable[Path]) -> None:
    """Overwrite superseded summaries with the tombstone."""
    for path in paths:
        atomic_write(path, TOMBSTONE)


def untracked_own(
    repo: Repo, user_dir: Path, store_id: str, *, tombstones: bool = False
) -> list[Path]:
    """This store's summary files that the index lacks (one `git ls-files --others`):
    `git reset HEAD~1`, a held index.lock, an interrupted hook or a resolved conflict leave
    files on disk that no commit would carry, and that would stop a later checkout. With
    `tombstones`, also its committed files made tombstones but not staged."""
    listed = run_git(
        [
            "--literal-pathspecs",
            "ls-files",
            "-z",
            "-t",
            "--others",
            *(["--modified"] if tombstones else []),
            "--",
            f"{rel_path(repo, user_dir)}/",
        ],
        repo.top,
    )
    found = set()
    for entry in filter(None, listed.split("\0")):
        tag, _, rel = entry.partition(" ")
        match = summary.NAME.fullmatch(rel.rsplit("/", 1)[-1])
        if match and match["store"] == store_id:
            path = repo.top / rel
            if tag == "?" or summary.is_tombstone(path):
                found.add(path)
    return sorted(found)


def refuse_unstaged(repo: Repo, folders: list[Path], stashed: Iterable[str]) -> None:
    """Leave the commit alone if a summary in a month folder we write to has unstaged edits
    (in the work tree, or `stashed` by pre-commit): summaries are written by ffhooks only,
    so an edit is a mistake (or tampering) to resolve first. Unstaged tombstones are ours
    (after `git reset HEAD~1`), staged with the rest. Folders as pathspecs keep this one
    cheap git call however many files they hold."""
    rel = [f"{p.relative_to(repo.top)}/" for p in folders]
    edited = run_git(["diff", "--name-only", "-z", "--", *rel], repo.top).split("\0")
    edited = [p for p in edited if p and not summary.is_tombstone(repo.top / p)]
    edited += sorted(p for p in stashed if any(p.startswith(r) for r in rel))
    if edited:
        raise FatalError(
            f"{edited[0]} has unstaged edits, so ffhooks leaves it alone: commit or discard "
            "them (summaries are written by ffhooks, never by hand), then run "
            "`ffhooks recover retry`"
        )


def stashed_by_precommit(rel: list[str]) -> dict[str, str]:
    """Paths under the folders `rel` that pre-commit stashed as unstaged edits before
    running us, each with the (abbreviated) blob id it stashed, from the `index OLD..NEW`
    line of its patch. Tombstones among them wait there until it puts
    them back: written now, its stash would no longer apply."""
    home = os.environ.get("PRE_COMMIT_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pre-commit"
    )
    try:
        patches = [n for n in os.listdir(home) if n.startswith("patch")]
    except OSError:
        return {}
    found: dict[str, str] = {}
    for name in [n for n in patches if n.endswith(f"-{os.getppid()}")]:
        try:
            text = Path(home, name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        path = None
        for line in text.splitlines():
            if line.startswith("diff --git a/"):
                path = line[len("diff --git a/") :].split(" b/", 1)[0]
                if any(path.startswith(r) for r in rel):
                    found[path] = ""
                else:
                    path = None
            elif path is not None and line.startswith("index ") and ".." in line:
                found[path] = line.split()[1].split("..")[1]
                path = None
    return found


def stage(repo: Repo, paths: list[Path]) -> None:
    """Add `paths` to the index.

    A `git commit <paths>` runs hooks on a temporary index; the real index, locked as
    `index.lock`, becomes the index afterwards, so it gets the same update, or `git status`
    would show the summaries as changed after the commit.
    """
    rel = [str(p.relative_to(repo.top)) for p in paths]
    run_git(["update-index", "--add", "--", *rel], repo.top)
    index = os.environ.get("GIT_INDEX_FILE", "")
    real = repo.git_dir / "index.lock"
    if os.path.basename(index).startswith("next-index") and real.is_file():
        run_git(
            ["update-index", "--add", "--", *rel],
            repo.top,
            env={"GIT_INDEX_FILE": str(real)},
        )
