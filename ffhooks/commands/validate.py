from __future__ import annotations

import json
import os
from pathlib import Path

from ffhooks.config import CONFIG, load_config
from ffhooks.errors import FatalError
from ffhooks.gitio import Repo
from ffhooks.validation import check, every_file


def _relative(repo: Repo, path: str) -> str:
    """A path as given (from the current folder) relative to the repository top."""
    absolute = Path(os.path.normpath(Path(path).absolute()))  # `..` lexically, as `cd` does
    try:
        return absolute.relative_to(repo.top).as_posix()
    except ValueError:
        try:
            return absolute.resolve().relative_to(repo.top.resolve()).as_posix()
        except ValueError:
            raise FatalError(f"{path} is outside this repository ({repo.top})") from None


def validate(repo: Repo, *, paths: list[str], everything: bool, fmt: str) -> int:
    """Check every file named (or, with --all, every ffhooks file); exit 1 on any problem."""
    if not paths and not everything:
        raise FatalError("name the files to check, or use --all for every ffhooks file")
    rels = {_relative(repo, p) for p in paths}
    try:
        rules = list(load_config(repo.flowforge).validate)
    except FatalError:  # the team's own globs are unknown: report the config itself
        rules = []
        rels.add(CONFIG)
    if everything:
        rels.update(every_file(repo.top, rules))
    results = check(repo.top, sorted(rels), rules)
    problems = [p for r in results for p in r.problems]
    if fmt == "json":
        print(
            json.dumps(
                {
                    "ok": not problems,
                    "files_checked": len(results),
                    "problems": len(problems),
                    "files": [
                        {
                            "path": r.path,
                            "schema": r.schema,
                            "ok": not r.problems,
                            "problems": [{"at": p.at, "message": p.message} for p in r.problems],
                        }
                        for r in results
                    ],
                },
                indent=2,
            )
        )
        return 1 if problems else 0
    for problem in problems:
        print(problem)
    if problems:
        bad = sum(1 for r in results if r.problems)
        raise FatalError(f"{len(problems)} problem(s) in {bad} of {len(results)} file(s)")
    print(f"{len(results)} file(s) valid")
    return 0
