"""`ffhooks hook`: the whole commit hook in one process (one interpreter start and one set of
imports per commit): refuse what must not be committed, fold every store into the team
summaries, then validate the staged `.flowforge` JSON and the team's own globs."""

from __future__ import annotations

import sys
from datetime import datetime

from ffhooks.errors import FatalError
from ffhooks.gitio import Repo


def hook(repo: Repo, now: datetime) -> int:
    from ffhooks.commands.aggregate import fold_every_store
    from ffhooks.commands.guard import refuse, staged_changes

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
        names.update(fold_every_store(repo, now))
    try:
        validate_staged(repo, names)  # every problem is named, the guard's and the files'
    except FatalError as exc:
        refusals.append(exc)
    for refusal in refusals[:-1]:
        print(f"ffhooks: {refusal}", file=sys.stderr)
    if refusals:
        raise refusals[-1]
    return 0


def validate_staged(repo: Repo, names: set[str]) -> int:
    """`ffhooks validate` of the staged files (`names`) that a schema covers: ffhooks' own,
    and the team's globs (`validate` in the team config); silent when all are valid."""
    import re

    from ffhooks.commands.validate import validate
    from ffhooks.config import load_config
    from ffhooks.validation import hook_files_pattern

    try:
        rules = load_config(repo.flowforge).validate
    except FatalError:
        rules = ()  # validate reports the config itself
    pattern = re.compile(hook_files_pattern(rules))
    paths = sorted(p for p in names if pattern.fullmatch(p))
    if not paths:
        return 0
    return validate(
        repo, paths=[str(repo.top / p) for p in paths], everything=False, fmt="text", quiet=True
    )
