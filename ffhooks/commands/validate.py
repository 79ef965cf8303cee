from __future__ import annotations

import json
import os
from pathlib import Path

from ffhooks.config import CONFIG, TeamConfig, load_config
from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo
from ffhooks.validator.checks import FileResult, Problem, check, every_file


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
    rels = {_relative(repo, p) for p in paths}
    config: TeamConfig | None
    try:
        config = load_config(repo.flowforge)
        rules = list(config.validate)
    except FatalError:  # the team's own globs are unknown: report the config itself
        config, rules = None, []
        rels.add(CONFIG)
    if everything:
        rels.update(every_file(repo.top, rules))
    results = check(repo.top, sorted(rels), rules)
    warnings: list[Problem] = []
    if config is not None:
        results, warnings = _trust(repo, config, results)
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
        bad = sum(1 for r in results if r.problems)
        raise FatalError(f"{len(problems)} problem(s) in {bad} of {len(results)} file(s)")
    if not quiet:
        print(f"{len(results)} file(s) valid")
    return 0


def _trust(
    repo: Repo, config: TeamConfig, results: list[FileResult]
) -> tuple[list[FileResult], list[Problem]]:
    """The valid live summaries among `results` as the team's trust sees them: one of another
    project is a problem; one that names none, a warning; the signature check's findings are
    problems when the team requires signatures, else warnings."""
    from ffhooks.fsio import parse_json
    from ffhooks.trust.policy import (
        cache_file,
        of_projects,
        unverified,
        worktree_live,
        worktree_signers,
    )

    named = [r.path for r in results if r.schema == "summary" and not r.problems]
    if not named:
        return results, []
    live = worktree_live(repo.top, named)
    docs = [(p, parse_json((repo.top / p).read_bytes(), p, "")) for p in live]
    foreign, unmarked = of_projects(config, docs)
    refused = [Problem(u.path, "$.project", u.problem) for u in foreign]
    warnings = [Problem(u.path, "$.project", u.problem) for u in unmarked]
    signatures = [
        Problem(u.path, "$.signature", u.problem)
        for u in unverified(config, worktree_signers(repo.top), docs, cache_file(repo.state_dir))
    ]
    if config.signatures == "required":
        refused += signatures
    else:
        warnings += signatures
    extra: dict[str, list[Problem]] = {}
    for problem in refused:
        extra.setdefault(problem.path, []).append(problem)
    return [r._replace(problems=r.problems + extra.get(r.path, [])) for r in results], warnings
