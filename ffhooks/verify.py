"""Layer 3: what CI checks in the committed team record at any commit."""

from __future__ import annotations

from pathlib import Path

from ffhooks import summary
from ffhooks.gitio import list_tree, read_blobs
from ffhooks.records import NamedTuple
from ffhooks.validation import check_bytes


class Finding(NamedTuple):
    path: str
    problem: str

    def __str__(self) -> str:
        return (
            f"{self.path}::{self.problem}"
            if self.problem.startswith("$")
            else (f"{self.path}: {self.problem}")
        )


def verify_commit(top: Path, commit: str) -> tuple[int, list[Finding]]:
    """(files checked, problems) of the `.flowforge/` tree of a commit."""
    paths = list_tree(top, commit, ".flowforge")
    found = [
        Finding(p, "private time file committed: `git rm --cached` it (it stays on disk)")
        for p in paths
        if p.startswith(".flowforge/user/")
    ]
    team = [p for p in paths if not p.startswith(".flowforge/user/") and p.endswith(".json")]
    for path, data in read_blobs(top, commit, team):
        found += [Finding(path, f"{p.at}: {p.message}") for p in check_bytes(path, data).problems]
    found += diverged(team)
    return len(paths), found


def diverged(paths: list[str]) -> list[Finding]:
    """A store writes each seq once; the same (store, seq) twice means two clones share a
    store id (a copied `.flowforge/user/` folder), and their time would be miscounted."""
    seen: dict[tuple[str, int], str] = {}
    found = []
    for path in sorted(paths):
        where = summary.parse_path(path)
        if where is None:
            continue
        first = seen.setdefault((where.store, where.seq), path)
        if first != path:
            found.append(
                Finding(
                    path,
                    f"store {where.store} wrote seq {where.seq} twice (also {first}): two "
                    "clones share one store id; give one of them a new store "
                    "(move its .flowforge/user/<user>/ aside, `ffhooks import` its sessions)",
                )
            )
    return found
