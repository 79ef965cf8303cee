"""Which staged files the commit hook checks: those a schema covers, ffhooks' own and the
team's globs (`validate` in the team config)."""

from __future__ import annotations

from ffhooks.errors import FatalError
from ffhooks.layout import OWN_JSON

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.config import Rule
    from ffhooks.hook.pipeline import Committing


def to_check(commit: Committing, names: set[str]) -> list[str]:
    """The paths among `names` (staged, from the repository top) that a schema covers."""
    import re

    rules = _team_rules(commit)
    if rules:
        from ffhooks.validator.checks import hook_files_pattern

        pattern = re.compile(hook_files_pattern(rules))
    else:
        pattern = re.compile(OWN_JSON)
    return sorted(p for p in names if pattern.fullmatch(p))


def _team_rules(commit: Committing) -> tuple[Rule, ...]:
    """The team config's `validate` rules. Unless the fold has read the config already, a
    config without any is only parsed here, not schema-checked (most commits stage no file
    of ffhooks', and need no checker)."""
    if not commit.config_read():
        import json

        from ffhooks.config import config_path

        try:
            raw = json.loads(config_path(commit.repo.flowforge).read_bytes())
        except (OSError, ValueError):
            raw = None
        if not isinstance(raw, dict) or "validate" not in raw:
            return ()  # the check reports a broken config when it is staged
    try:
        return commit.config().validate
    except FatalError:
        return ()
