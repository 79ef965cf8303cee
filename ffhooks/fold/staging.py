"""What a commit carries of a store's summaries: the index against the work tree.

The aggregation writes summaries; this stages them with every file of the store that the index
lacks (`git reset HEAD~1`, a held index.lock, an interrupted hook), puts back what an older
ffhooks left unstaged (tombstones, after `git reset HEAD~1`), and keeps clear of pre-commit's
stash of unstaged changes: nothing ffhooks changes stays unstaged.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Container, Iterable, Sequence
from pathlib import Path

from ffhooks import caller, summary
from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo, ask_git, run_git, staged_changes
from ffhooks.layout import HEAD_QUERY, TOMBSTONE_BLOB, TOMBSTONE_MAX, UNSTAGED_QUERY
from ffhooks.records import NamedTuple


def rel_path(repo: Repo, path: Path) -> str:
    return path.relative_to(repo.top).as_posix()


def stage_added(
    repo: Repo,
    new: list[Path],
    lacking: list[Path],
    restored: list[str],
) -> list[Path]:
    """Stage the files just written with every file of the store the index lacked
    (`lacking`, from `index_lacks`), after putting `restored` (tombstones an older ffhooks
    left unstaged) back as the index has them; returns what was staged."""
    if restored:
        run_git(["--literal-pathspecs", "checkout", "--", *restored], repo.top)
    staged = sorted({*lacking, *new})
    if staged:
        stage(repo, staged)
    return staged


class Unstaged(NamedTuple):
    """What the index lacks under a user's summaries folder (`index_lacks`)."""

    untracked: list[str]  # files on disk the index lacks
    # files that differ from the index (deleted ones too): under the folders asked about,
    # and tombstones anywhere in the user's folder
    modified: list[str]

    def lacking(self, repo: Repo, store_id: str) -> list[Path]:
        """This store's files that no commit would carry: untracked (`git reset HEAD~1`, a
        held index.lock, an interrupted hook); a later checkout would stop at them."""
        return sorted(repo.top / rel for rel in self.untracked if _own(rel, store_id))

    def leftover_tombstones(self, repo: Repo, store_id: str, skip: Container[str]) -> list[str]:
        """This store's files that are tombstones in the work tree but not in the index: an
        older ffhooks buried them and a `git reset` unstaged that. Summaries are no longer
        buried, so they go back to what the index holds (except those in `skip`, waiting in
        pre-commit's stash). A tombstone of the index that a formatter rewrote is left."""
        found = [
            rel
            for rel in self.modified
            if rel not in skip and _own(rel, store_id) and summary.is_tombstone(repo.top / rel)
        ]
        if not found:
            return []
        from ffhooks.git.objects import index_blobs

        index = index_blobs(repo.top, found)
        return [rel for rel in found if rel in index and index[rel] != TOMBSTONE_BLOB]

    def edited(self, repo: Repo, folders: list[str]) -> list[str]:
        """Files in `folders` (with a trailing slash) with unstaged edits, leftover
        tombstones aside."""
        return [
            p
            for p in self.modified
            if any(p.startswith(f) for f in folders) and not summary.is_tombstone(repo.top / p)
        ]


def _own(rel: str, store_id: str) -> bool:
    match = summary.NAME.fullmatch(rel.rsplit("/", 1)[-1])
    return match is not None and match["store"] == store_id


def index_lacks(repo: Repo, user_dir: Path, folders: Sequence[str] = ()) -> Unstaged:
    """What the index lacks under a user's summaries folder: files it does not track (on
    disk, whether or not an ignore rule matches them), and files whose work tree differs
    from it, under `folders` (month folders with a trailing slash, those the caller writes
    to) and tombstones anywhere in the folder (a change staged as it is is not one).

    Told without reading the index where it can be (`_by_content`): the index of the folder
    is what HEAD holds of it with the commit's staged changes applied, and a file is
    unchanged when its bytes are the blob the index names. Where that cannot tell (no HEAD
    yet, a conflict, a file whose bytes are not the index's blob: an edit, or a line-ending
    conversion that git would not count as one), `git status` of the folder decides."""
    rel = f"{rel_path(repo, user_dir)}/"
    found = _by_content(repo, user_dir, rel, folders)
    return found if found is not None else _by_status(repo, rel)


def _by_status(repo: Repo, rel: str) -> Unstaged:
    """`index_lacks` from one `git status` of the folder `rel`: untracked files (`??`, and
    `!!` where an ignore rule matches them), and files whose second status letter says the
    work tree differs from the index."""
    listed = ask_git(repo, [*UNSTAGED_QUERY, rel])
    untracked: list[str] = []
    modified: list[str] = []
    for entry in filter(None, listed.split("\0")):
        status, path = entry[:2], entry[3:]
        if status in ("??", "!!"):
            untracked.append(path)
        elif status[1] != " ":
            modified.append(path)
    return Unstaged(untracked, modified)


def _by_content(repo: Repo, user_dir: Path, rel: str, folders: Sequence[str]) -> Unstaged | None:
    """`index_lacks` from HEAD's tree of the folder `rel`, the staged changes and the files
    on disk, or None where only git can tell."""
    index = _index_of(repo, rel)
    if index is None:
        return None
    on_disk = _files_under(user_dir, rel)
    if on_disk is None:
        return None
    modified = []
    for path, blob in index.items():
        asked = any(path.startswith(f) for f in folders)
        if path not in on_disk:
            if asked:
                modified.append(path)  # deleted from the work tree
        elif (asked or on_disk[path] <= TOMBSTONE_MAX) and _blob_id(repo.top / path) != blob:
            if asked:
                return None  # an edit, or bytes git would convert: git tells
            modified.append(path)
    untracked = sorted(p for p in on_disk if p not in index)
    return Unstaged(untracked, sorted(modified))


def _files_under(user_dir: Path, rel: str) -> dict[str, int] | None:
    """Path from the top (`rel` is the folder's) -> size of every file under `user_dir`;
    None where git's own rules must judge (a link, a device) or a folder cannot be read, or
    a file went while it was read."""
    found: dict[str, int] = {}
    top = f"{user_dir}{os.sep}"
    unreadable: list[OSError] = []
    for folder, _, names in os.walk(user_dir, onerror=unreadable.append):
        for name in names:
            path = os.path.join(folder, name)
            try:
                st = os.lstat(path)
            except OSError:
                return None
            if not stat.S_ISREG(st.st_mode):
                return None
            found[rel + path[len(top) :].replace(os.sep, "/")] = st.st_size
    missing = [e for e in unreadable if not isinstance(e, FileNotFoundError)]
    return None if missing else found


def _index_of(repo: Repo, rel: str) -> dict[str, str] | None:
    """Path -> blob id of the index's files under the folder `rel`: HEAD's (one `git
    ls-tree`, which reads no index) with the commit's staged changes applied; None where
    that is not the index (no HEAD yet, a conflict, anything but plain files)."""
    try:
        listed = ask_git(repo, [*HEAD_QUERY, rel])
        staged = staged_changes(repo)
    except FatalError:
        return None  # no commit yet (or git failed): `git status` says why
    index = {}
    for entry in filter(None, listed.split("\0")):
        meta, _, path = entry.partition("\t")
        mode, _, blob = meta.split()
        if mode not in ("100644", "100755"):
            return None
        index[path] = blob
    for blob, status, path in staged:
        if not path.startswith(rel):
            continue
        if status == "D":
            index.pop(path, None)
        elif status in ("A", "M"):
            index[path] = blob
        else:
            return None
    return index


def _blob_id(path: Path) -> str | None:
    """The blob id git gives a file's bytes (`git hash-object --no-filters`); None if it
    cannot be read. Equal to the index's, the file holds exactly the index's bytes."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        from _sha1 import sha1  # type: ignore[import-not-found]  # CPython's own (`hashlib`: OpenSSL)
    except ImportError:
        from hashlib import sha1
    return sha1(b"blob %d\0%s" % (len(data), data)).hexdigest()


def untracked_own(repo: Repo, user_dir: Path, store_id: str) -> list[Path]:
    """This store's summary files on disk that the index lacks."""
    listing = index_lacks(repo, user_dir)
    untracked = set(listing.untracked)
    return [p for p in listing.lacking(repo, store_id) if rel_path(repo, p) in untracked]


def refuse_unstaged(edited: list[str], folders: list[str], stashed: Iterable[str]) -> None:
    """Leave the commit alone if a summary in a month folder we write to (`folders`, with a
    trailing slash) has unstaged edits (`edited`, in the work tree, or `stashed` by the hook
    framework): summaries are written by ffhooks only, so an edit is a mistake (or
    tampering) to resolve first. Unstaged tombstones are an older ffhooks' (after `git
    reset HEAD~1`), put back as the index has them."""
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
    it stashed, from the `index OLD..NEW` line of its patch. Tombstones an older ffhooks
    left among them wait there until it puts them back: touched now, its stash would no
    longer apply."""
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
    pid = caller.parent_pid()
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


def stage(repo: Repo, paths: list[Path]) -> None:
    """Add `paths` to the index.

    A `git commit <paths>` runs hooks on a temporary index; the real index, locked as
    `index.lock`, becomes the index afterwards, so it gets the same update, or `git status`
    would show the summaries as changed after the commit.
    """
    rel = [str(p.relative_to(repo.top)) for p in paths]
    if repo.ahead is not None:
        repo.ahead.forget()  # what git was asked ahead about the index is out of date now
    adding = ["update-index", "--add", "--", *rel]
    try:
        run_git(adding, repo.top)
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
