"""`ffhooks hook`: the whole commit hook in one process (one interpreter start and one set of
imports per commit): refuse what must not be committed, fold every store into the team
summaries, then validate the staged `.flowforge` JSON and the team's own globs."""

from __future__ import annotations

import os
import sys

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo, forget_started, start_git
from ffhooks.layout import STAGED_QUERY, SUMMARIES, UNSTAGED_QUERY


def hook(repo: Repo) -> int:
    from ffhooks.hook.output import shown

    try:
        return shown(lambda: _hook(repo))
    finally:
        forget_started()


def _hook(repo: Repo) -> int:
    from ffhooks.store.identity import stores

    # git answers what the guard and the first fold will ask while Python imports the rest
    start_git(STAGED_QUERY, repo.top)
    users, odd = stores(repo)
    if users:
        start_git([*UNSTAGED_QUERY, f"{SUMMARIES}/{users[0]}/"], repo.top)
        import ffhooks.fold.run  # noqa: F401  (the fold's imports, on this core meanwhile)

    from ffhooks.hook.guard import compaction, refuse, staged_changes

    changes = staged_changes(repo)
    names = {path for _, status, path in changes if status != "D"}
    refusals = []
    try:
        refuse(repo, changes)
    except FatalError as exc:
        refusals.append(exc)  # nothing is folded into a commit that will not happen
    else:
        # never fails (failures are queued); what it writes itself is valid by construction,
        # what it stages as found (the index had lost it) is checked like the user's
        if compaction(repo, changes):
            print(
                "ffhooks: this commit only deletes superseded summaries (compaction): "
                "nothing is folded into it; your time goes into your next commit",
                file=sys.stderr,
            )
        elif users or odd:  # the fold's modules (clock, zones, dates) only for a store
            from ffhooks.clock import now_from_env
            from ffhooks.commands.aggregate import fold_every_store

            names.update(fold_every_store(repo, now_from_env(os.environ)))
    try:
        validate_staged(repo, names)  # every problem is named, the guard's and the files'
    except FatalError as exc:
        refusals.append(exc)
    for refusal in refusals[:-1]:
        print(f"ffhooks: {refusal}", file=sys.stderr)
    if refusals:
        raise refusals[-1]
    return 0


def validate_staged(repo: Repo, names: set[str]) -> None:
    """Check the staged files (`names`) that a schema covers, ffhooks' own and the team's
    globs: silent when all are valid, else each problem and one refusal."""
    from ffhooks.hook.validate import to_check

    paths = to_check(repo, names)
    if not paths:
        return
    from ffhooks.trust.policy import checked
    from ffhooks.validator.checks import counted

    results, warnings = checked(repo, set(paths))
    for problem in (p for r in results for p in r.problems):
        print(problem)
    for problem in warnings:
        print(f"warning: {problem}")
    if any(r.problems for r in results):
        raise FatalError(counted(results))
