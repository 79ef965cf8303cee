"""What commits, trees and the index hold, asked of git: a commit named, the blob ids of a
folder's files, and their contents read in one `git cat-file --batch`. For the commands that
read history (verify, report, close, compact); the commit hook asks only when a commit takes
a summary away."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import git_failed, run_git


def resolve_commit(top: Path, ref: str) -> str:
    commit = run_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top, check=False)
    if ref.startswith("-") or len(commit.split()) != 1:  # a range names two: not one commit
        raise FatalError(f"{ref!r} is not a commit in this repository: check the name, or fetch")
    return commit.strip()


def read_blobs(top: Path, commit: str, paths: list[str]) -> list[tuple[str, bytes]]:
    """The content of `paths` in a commit, in one `git cat-file --batch`."""
    return list(zip(paths, read_objects(top, [f"{commit}:{p}" for p in paths]), strict=True))


def read_objects(top: Path, names: Sequence[str]) -> list[bytes]:
    """The content of objects named as git names them, in one `git cat-file --batch`."""
    return list(stream_objects(top, names))


def stream_objects(top: Path, names: Iterable[str]) -> Generator[bytes, None, None]:
    """The content of objects named as git names them, one at a time as one `git cat-file
    --batch` gives them: a history of thousands of summaries is never all in memory. The
    names are written from a thread, so that neither side waits on a full pipe."""
    import subprocess
    import threading

    args = ["cat-file", "--batch"]
    try:
        proc = subprocess.Popen(
            ["git", *args],
            cwd=top,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError:
        raise FatalError("git is not installed or not on PATH") from None
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    asked: list[str] = []

    def feed() -> None:
        try:
            for name in names:
                asked.append(name)
                proc.stdin.write(f"{name}\n".encode())  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]
        except (BrokenPipeError, ValueError):  # git stopped (its error is read below)
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        count = 0
        while True:
            header = proc.stdout.readline()
            if not header:
                break
            fields = header.split()
            if len(fields) != 3:
                name = asked[count] if count < len(asked) else header.decode(errors="replace")
                raise FatalError(f"{name} cannot be read from git ({header.strip()!r})")
            yield proc.stdout.read(int(fields[2]))
            proc.stdout.read(1)  # the newline after each object
            count += 1
    finally:
        proc.stdout.close()
        writer.join()
        err = proc.stderr.read()
        proc.stderr.close()
        code = proc.wait()
    if code != 0:
        raise git_failed(args, code, err)


def hash_files(top: Path, paths: Sequence[str]) -> list[str]:
    """The blob id git gives each file's bytes as they are on disk (`git hash-object
    --no-filters`: no line-ending conversion or clean filter), with git's collision-detecting
    SHA-1, in one process. Paths are relative to `top` and hold no newline."""
    if not paths:
        return []
    listed = "".join(f"{p}\n" for p in paths)
    out = run_git(["hash-object", "--no-filters", "--stdin-paths"], top, stdin=listed)
    ids = out.split()
    if len(ids) != len(paths):
        raise FatalError(f"git hash-object gave {len(ids)} ids for {len(paths)} files")
    return ids


def tree_blobs(top: Path, treeish: str, folders: Sequence[str]) -> dict[str, str]:
    """Path -> blob id of every file under `folders` in a commit (or tree)."""
    return _blobs(top, ["ls-tree", "-r", "-z", treeish], folders, 2)


def index_blobs(top: Path, folders: Sequence[str]) -> dict[str, str]:
    """Path -> blob id of every file under `folders` in the index (what a commit would hold)."""
    return _blobs(top, ["ls-files", "-s", "-z"], folders, 1)


def _blobs(top: Path, command: list[str], folders: Sequence[str], field: int) -> dict[str, str]:
    """Entries `<meta fields>\t<path>` of a listing: path -> the blob id at `field`."""
    out = run_git(["--literal-pathspecs", *command, "--", *folders], top)
    found = {}
    for entry in out.split("\0"):
        meta, _, path = entry.partition("\t")
        if path:
            found[path] = meta.split()[field]
    return found
