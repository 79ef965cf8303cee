"""What a commit carries of a store's summaries: the index against the work tree.

The aggregation writes summaries; this stages them with every file of the store that the index
lacks (`git reset HEAD~1`, a held index.lock, an interrupted hook), buries the files they
supersede, and keeps clear of pre-commit's stash of unstaged changes. The guard uses `stage`
too, without the aggregation's imports.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Container, Iterable
from pathlib import Path

from ffhooks import hook_client, summary
from ffhooks.errors import FatalError
from ffhooks.fsio import atomic_write
from ffhooks.gitio import Repo, forget_started, ref_commit, remote_default, run_git, start_git
from ffhooks.layout import TOMBSTONE, TOMBSTONE_BLOB, UNSTAGED_QUERY
from ffhooks.records import NamedTuple


def rel_path(repo: Repo, path: Path) -> str:
    return path.relative_to(repo.top).as_posix()


def bury_and_stage(
    repo: Repo,
    new: list[Path],
    ours: dict[str, list[tuple[int, Path]]],
    pending: set[str],
    lacking: list[Path],
    meanwhile: Callable[[], None] | None = None,
) -> tuple[list[Path], list[Path]]:
    """Bury what the files just written supersede, and stage it with them and every file
    of the store the index lacked (`lacking`, from `index_lacks`), doing `meanwhile` while
    git stages; returns (staged, buried)."""
    loose = sorted({*lacking, *new})
    skip = pending | {rel_path(repo, path) for path in loose}
    superseded = {path: path.read_bytes() for path in buriable(repo, new, ours, skip)}
    bury(superseded)
    staged = sorted({*loose, *superseded})
    try:
        if staged:
            stage(repo, staged, meanwhile)
        elif meanwhile is not None:
            meanwhile()
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
    published = _published(repo, ref, folders)
    return [path for path in found if rel_path(repo, path) in published]


def _published(repo: Repo, ref: str, folders: list[str]) -> set[str]:
    """The files under `folders` at `ref` (the remote's default branch). A commit's tree
    never changes, so what was listed is kept (in the clone's state, keyed by the commit
    the ref names) until the ref moves: most commits bury without running git for it."""
    import json

    commit = ref_commit(repo, ref)
    cache = repo.state_dir / "published.json"
    try:
        known = json.loads(cache.read_bytes())
        listed = known["folders"] if known["commit"] == commit and commit else {}
    except (OSError, ValueError, KeyError, TypeError):
        listed = {}
    if not isinstance(listed, dict):
        listed = {}
    missing = [f for f in folders if not isinstance(listed.get(f), list)]
    if missing:
        tree = commit or ref  # the commit itself where known: a fetch meanwhile moves the ref
        out = run_git(
            ["--literal-pathspecs", "ls-tree", "-r", "-z", "--name-only", tree, "--", *missing],
            repo.top,
            check=False,
        )
        names = [n for n in out.split("\0") if n]
        for folder in missing:
            listed[folder] = [n for n in names if n.startswith(folder)]
        if commit:
            with contextlib.suppress(OSError):  # a cache: unwritten, it only costs time
                atomic_write(cache, json.dumps({"commit": commit, "folders": listed}).encode())
    return {name for f in folders for name in listed[f]}


def bury(paths: Iterable[Path]) -> None:
    """Overwrite superseded summaries with the tombstone."""
    for path in paths:
        atomic_write(path, TOMBSTONE)


class Unstaged(NamedTuple):
    """What the index lacks under a user's summaries folder, from one `git ls-files`."""

    untracked: list[str]  # files on disk the index lacks
    modified: list[str]  # files that differ from the index (deleted ones too)

    def lacking(self, repo: Repo, store_id: str) -> list[Path]:
        """This store's files that no commit would carry as they are: untracked, or made
        tombstones but not staged (`git reset HEAD~1`, a held index.lock, an interrupted
        hook or a resolved conflict leave them, and they would stop a later checkout). A
        tombstone of the index that a formatter rewrote is no burial: it is left as it is."""
        found, buried = set(), []
        for rel, untracked in [
            *((r, True) for r in self.untracked),
            *((r, False) for r in self.modified),
        ]:
            match = summary.NAME.fullmatch(rel.rsplit("/", 1)[-1])
            if match and match["store"] == store_id:
                path = repo.top / rel
                if untracked:
                    found.add(path)
                elif summary.is_tombstone(path):
                    buried.append(rel)
        if buried:
            from ffhooks.gitobjects import index_blobs

            index = index_blobs(repo.top, buried)
            found.update(repo.top / rel for rel in buried if index.get(rel) != TOMBSTONE_BLOB)
        return sorted(found)

    def edited(self, repo: Repo, folders: list[str]) -> list[str]:
        """Files in `folders` (with a trailing slash) with unstaged edits, burials aside."""
        return [
            p
            for p in self.modified
            if any(p.startswith(f) for f in folders) and not summary.is_tombstone(repo.top / p)
        ]


def index_lacks(repo: Repo, user_dir: Path) -> Unstaged:
    """One `git ls-files` of what the index lacks under a user's summaries folder."""
    listed = run_git([*UNSTAGED_QUERY, f"{rel_path(repo, user_dir)}/"], repo.top)
    untracked: list[str] = []
    modified: list[str] = []
    for entry in filter(None, listed.split("\0")):
        tag, _, rel = entry.partition(" ")
        (untracked if tag == "?" else modified).append(rel)
    return Unstaged(untracked, modified)


def untracked_own(repo: Repo, user_dir: Path, store_id: str) -> list[Path]:
    """This store's summary files on disk that the index lacks."""
    listing = index_lacks(repo, user_dir)
    untracked = set(listing.untracked)
    return [p for p in listing.lacking(repo, store_id) if rel_path(repo, p) in untracked]


def refuse_unstaged(edited: list[str], folders: list[str], stashed: Iterable[str]) -> None:
    """Leave the commit alone if a summary in a month folder we write to (`folders`, with a
    trailing slash) has unstaged edits (`edited`, in the work tree, or `stashed` by the hook
    framework): summaries are written by ffhooks only, so an edit is a mistake (or
    tampering) to resolve first. Unstaged tombstones are ours (after `git reset HEAD~1`),
    staged with the rest."""
    edited = edited + sorted(p for p in stashed if any(p.startswith(r) for r in folders))
    if edited:
        raise FatalError(
            f"{edited[0]} has unstaged edits, so ffhooks leaves it alone: commit or discard "
            "them (summaries are written by ffhooks, never by hand), then run "
            "`ffhooks recover retry`"
        )


def stashed_by_precommit(rel: list[str]) -> dict[str, str]:
    """Paths under the folders `rel` that the hook framework running us (pre-commit, or
    prek) stashed as unstaged edits before running us, each with the (abbreviated) blob id
    it stashed, from the `index OLD..NEW` line of its patch. Tombstones among them wait
    there until it puts them back: written now, its stash would no longer apply."""
    found: dict[str, str] = {}
    for patch in _framework_patches():
        try:
            text = patch.read_text(encoding="utf-8", errors="replace")
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


def _framework_patches() -> list[Path]:
    """The patches our parent process (the framework) saved this run: pre-commit's
    `$PRE_COMMIT_HOME/patch<time>-<pid>`, prek's `$PREK_HOME/patches/<time>-<pid>.patch`.
    Both frameworks keep old patches; one of another run whose process had the same id is
    older than our parent (its start, where /proc tells it)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    pid = hook_client.parent_pid()
    pre_commit = os.environ.get("PRE_COMMIT_HOME") or os.path.join(cache, "pre-commit")
    prek = os.environ.get("PREK_HOME") or os.path.join(cache, "prek")
    places = [
        (pre_commit, "patch", f"-{pid}"),
        (os.path.join(prek, "patches"), "", f"-{pid}.patch"),
    ]
    started = _started(pid)
    found = []
    for folder, prefix, suffix in places:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.startswith(prefix) and name.endswith(suffix):
                path = Path(folder, name)
                try:
                    if path.stat().st_mtime >= started:
                        found.append(path)
                except OSError:
                    continue
    return found


def _started(pid: int) -> float:
    """When process `pid` started (seconds since the epoch, to a second), from /proc on
    Linux; 0 where that cannot be told."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat", encoding="ascii") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith("btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK") - 1
    except (OSError, ValueError, IndexError, StopIteration):
        return 0.0


def stage(repo: Repo, paths: list[Path], meanwhile: Callable[[], None] | None = None) -> None:
    """Add `paths` to the index, doing `meanwhile` (the commit hook's snapshot) while git
    works on the other core (`bench/commit_overhead.py`).

    A `git commit <paths>` runs hooks on a temporary index; the real index, locked as
    `index.lock`, becomes the index afterwards, so it gets the same update, or `git status`
    would show the summaries as changed after the commit.
    """
    rel = [str(p.relative_to(repo.top)) for p in paths]
    forget_started()  # what git was asked ahead about the index is out of date now
    adding = ["update-index", "--add", "--", *rel]
    start_git(adding, repo.top)
    try:
        if meanwhile is not None:
            meanwhile()
    finally:
        try:
            run_git(adding, repo.top)  # its answer: a failure is raised here
        except FatalError as exc:
            if "would be replaced by" in str(exc):  # core.safecrlf: a retry fails the same
                raise FatalError(
                    f"{exc}: git's core.safecrlf refuses ffhooks' LF files; run `ffhooks "
                    "init` (it keeps ffhooks' files LF in .gitattributes), then `ffhooks "
                    "recover retry`"
                ) from None
            raise
    index = os.environ.get("GIT_INDEX_FILE", "")
    real = repo.git_dir / "index.lock"
    if os.path.basename(index).startswith("next-index") and real.is_file():
        run_git(
            adding,
            repo.top,
            env={"GIT_INDEX_FILE": str(real)},
        )
