from __future__ import annotations

import re
from pathlib import Path

from ffhooks import summary
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import parse_json
from ffhooks.gitio import Repo
from ffhooks.schema import first_error

KINDS = [
    (r"\.flowforge/team/config\.json", "team-config"),
    (r"\.flowforge/team/summaries/.+\.json", "summary"),
    (r"\.flowforge/user/[^/]+/store\.json", "store"),
    (r"\.flowforge/user/[^/]+/time/current\.json", "current"),
    (r"\.flowforge/user/[^/]+/time/daily/\d{4}-\d{2}-\d{2}\.json", "daily"),
]


def schema_for(rel: str) -> str | None:
    return next((name for pattern, name in KINDS if re.fullmatch(pattern, rel)), None)


def check(repo: Repo, path: Path) -> list[str]:
    """Every problem of one file, as `path::$.json.path: message`."""
    try:
        rel = path.resolve().relative_to(repo.top.resolve()).as_posix()
    except ValueError:
        rel = str(path)
    name = schema_for(rel)
    if name is None:
        return [f"{rel}::$: no ffhooks schema covers this file (misplaced or misnamed?)"]
    try:
        doc = parse_json(path.read_bytes(), rel, "")
    except FileNotFoundError:
        return [f"{rel}::$: file not found"]
    except BrokenFile as exc:
        return [f"{rel}::$: {exc.problem}"]
    problem = first_error(name, doc)
    if problem:
        return [f"{rel}::{problem}"]
    if name == "summary":
        return [f"{rel}::{p}" for p in summary.problems(doc, summary.parse_path(rel))]
    return []


def validate(repo: Repo, *, paths: list[str]) -> int:
    problems = [p for path in paths for p in check(repo, Path(path))]
    for problem in problems:
        print(problem)
    if problems:
        raise FatalError(f"{len(problems)} problem(s) in {len(paths)} file(s), listed above")
    return 0
