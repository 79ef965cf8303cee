"""`ffhooks hook`: the whole commit hook in one process (one interpreter start and one set of
imports per commit): refuse what must not be committed, fold every store into the team
summaries, then validate the staged `.flowforge` JSON and the team's own globs."""

from __future__ import annotations

import os
import sys

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo, forget_started, start_git
from ffhooks.layout import OWN_JSON, STAGED_QUERY, SUMMARIES, UNSTAGED_QUERY

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.config import Rule


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

    from ffhooks.commands.guard import compaction, refuse, staged_changes

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


def validate_staged(repo: Repo, names: set[str]) -> int:
    """`ffhooks validate` of the staged files (`names`) that a schema covers: ffhooks' own,
    and the team's globs (`validate` in the team config); silent when all are valid."""
    import re

    rules = _team_rules(repo)
    if rules:
        from ffhooks.validator.checks import hook_files_pattern

        pattern = re.compile(hook_files_pattern(rules))
    else:
        pattern = re.compile(OWN_JSON)
    paths = sorted(p for p in names if pattern.fullmatch(p))
    if not paths:
        return 0
    from ffhooks.commands.validate import validate

    return validate(
        repo, paths=[str(repo.top / p) for p in paths], everything=False, fmt="text", quiet=True
    )


def _team_rules(repo: Repo) -> tuple[Rule, ...]:
    """The team config's `validate` rules. A config without any is only parsed here, not
    schema-checked (most commits stage no file of ffhooks', and need no checker)."""
    import json

    from ffhooks.config import config_path, load_config

    try:
        raw = json.loads(config_path(repo.flowforge).read_bytes())
    except (OSError, ValueError):
        raw = None
    if not isinstance(raw, dict) or "validate" not in raw:
        return ()  # validate reports a broken config when it is staged
    try:
        return load_config(repo.flowforge).validate
    except FatalError:
        return ()
