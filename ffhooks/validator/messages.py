"""How a value that breaks a schema is told (validator/schema.py decides whether it does): where, as
a JSON path like `$.sessions[0].start`, and what a pattern means, in words a person can act on
rather than the regex. Imported only when something fails."""

from __future__ import annotations

import re

from ffhooks.errors import NEWER
from ffhooks.records import Any

# The files a newer ffhooks adds keys to: the team config and the summaries
VERSIONED = ("team-config", "summary")
CELL_FORMS = (
    "the file's version decides the form of every cell: version 1 an object of "
    "billable_seconds, non_billable_seconds and sessions, version 2 an array of the three"
)

# What the schemas' patterns mean.
PATTERN_MEANS = {
    r"^[0-9]+\.[0-9]{2}$": "an amount as a decimal string with cents, like 843.33",
    r"^-?[0-9]+\.[0-9]{2}$": "an amount as a decimal string with cents, like 843.33 or -48.69",
    r"^[0-9a-f]{8,32}$": "a session id (8 to 32 lowercase hex digits)",
    r"^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,98}[^\s\x00-\x1f\x7f])?$": (
        "a task name (1-100 characters, no control characters, no surrounding spaces)"
    ),
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$": (
        "a UTC time like 2026-11-20T09:00:00Z"
    ),
    r"^[0-9a-f]{64}$": "a SHA-256 (64 lowercase hex digits)",
    r"^[0-9a-f]{16}$": "a store id (16 lowercase hex digits)",
    r"^former-[1-9][0-9]{0,8}$": "a pseudonym like former-1",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "a day like 2026-11-30",
    r"^[0-9a-f]{8}$": "a writer id (8 lowercase hex digits)",
    r"^[0-9]{4}-(0[1-9]|1[0-2])$": "a month like 2026-11",
    r"^[A-Z]{3}$": "an ISO 4217 currency code like EUR",
    r"^[0-9]{4}-W[0-9]{2}$": "an ISO week like 2026-W47",
    r"^(store\.json|time/current\.json|time/daily/[0-9]{4}-[0-9]{2}-[0-9]{2}\.json)$": (
        "a file of the store (store.json, time/current.json or time/daily/<day>.json)"
    ),
    r"^[a-z0-9][a-z0-9._-]{0,63}$": (
        "a user name (lowercase letters, digits, '.', '_', '-'; at most 64)"
    ),
    r"^(?![/\\])(?!(?:[\s\S]*[/\\])?\.\.(?:[/\\]|$))": (
        "a path inside the repository (relative to its top, with no .. part)"
    ),
    r"^U1NIU0lH[A-Za-z0-9+/]+={0,2}$": "an SSH signature (the base64 of ssh-keygen -Y sign)",
    r'^https?://[^\s"<>]+$': "a web address starting with http:// or https://",
    r"^[^\x00-\x1f\x7f]*$": "text without control characters (no line breaks, no tabs)",
    r"^[0-9a-f]{40}([0-9a-f]{24})?$": "a commit id (40 or 64 lowercase hex digits)",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$": "a UTC time like 2026-12-03 14:02",
    r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$": "a migration run id like 20261120T090000Z-0a1b2c",
    (
        r"^\.flowforge/team/summaries/[a-z0-9][a-z0-9._-]{0,63}/[0-9]{4}-(0[1-9]|1[0-2])/"
        r"[0-9a-f]{16}-[1-9][0-9]{0,17}\.json$"
    ): "a summary's path (.flowforge/team/summaries/<user>/<month>/<store>-<seq>.json)",
    r"^[^\s,+\x00-\x1f\x7f-][^\s,+\x00-\x1f\x7f]{0,39}$": (
        "a tag (1-40 characters, no spaces, commas, + or control characters, not starting with -)"
    ),
    r"^(-|[^\s,+\x00-\x1f\x7f-][^\s,+\x00-\x1f\x7f]{0,39}"
    r"(\+[^\s,+\x00-\x1f\x7f-][^\s,+\x00-\x1f\x7f]{0,39})*)$": (
        "a tag set (tags joined by +, or - for none)"
    ),
    r"^[0-9a-f]{64}-[0-9a-f]{16}\.keys$": (
        "a ledger keys file name (<SHA-256>-<16 lowercase hex digits>.keys)"
    ),
}


def explained(kind: str | None, at: str, message: str) -> str:
    """A schema's `message` for a file of `kind`, with what a person needs to act on it: a
    key of the team config or a summary that this ffhooks does not know is misspelt, or
    comes from a newer one; a summary cell in the other version's form is told the two forms."""
    if kind not in VERSIONED:
        return message
    if at == "$" and message.startswith("unknown property"):
        return f"{message} (misspelt? if not, {NEWER})"
    cell = kind == "summary" and at.startswith(("$.totals[", "$.tags["))
    if cell and message.startswith(("expected array", "expected object")):
        return f"{message} ({CELL_FORMS})"
    return message


def where(error: list[Any]) -> tuple[str, str]:
    """(JSON path, message) of one error as validator/schema.py finds it: [message, key, ..., key],
    the keys innermost first."""
    at = "$"
    for key in reversed(error[1:]):
        at = _path(at, key)
    return at, error[0]


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return (
        f"{parent}.{key}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else f"{parent}[{key!r}]"
    )
