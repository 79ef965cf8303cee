from __future__ import annotations

import json
import os
from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo
from ffhooks.trust.policy import checked
from ffhooks.validator.checks import counted


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


def validate(
    repo: Repo, *, paths: list[str], everything: bool, fmt: str, quiet: bool = False
) -> int:
    """Check every file named (or, with --all, every ffhooks file); exit 1 on any problem.
    `quiet`: nothing said when all is valid (the commit hook)."""
    if not paths and not everything:
        raise FatalError("name the files to check, or use --all for every ffhooks file")
    results, warnings = checked(repo, {_relative(repo, p) for p in paths}, everything=everything)
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
                    "warnings": [str(p) for p in warnings],
                },
                indent=2,
            )
        )
        return 1 if problems else 0
    for problem in problems:
        print(problem)
    for problem in warnings:
        print(f"warning: {problem}")
    if problems:
        raise FatalError(counted(results))
    if not quiet:
        print(f"{len(results)} file(s) valid")
    return 0
