"""What commits, trees and the index hold, asked of git: a commit named, the blob ids of a
folder's files, and their contents read in one `git cat-file --batch`. For the commands that
read history (verify, report, close, compact); the commit hook asks only when a commit takes
a summary away."""

from __future__ import annotations

from collections.abc import Sequence
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
    if not names:
        return []
    import subprocess

    batch = "".join(f"{name}\n" for name in names).encode()
    args = ["cat-file", "--batch"]
    try:
        proc = subprocess.run(["git", *args], cwd=top, input=batch, capture_output=True)
    except FileNotFoundError:
        raise FatalError("git is not installed or not on PATH") from None
    if proc.returncode != 0:
        raise git_failed(args, proc.returncode, proc.stderr)
    out = proc.stdout
    blobs = []
    pos = 0
    for name in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3:
            raise FatalError(f"{name} cannot be read from git ({out[pos:end]!r})")
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        pos = end + 1 + size + 1
    return blobs


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
