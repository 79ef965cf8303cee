"""`ffhooks config [get|set|unset] [KEY] [VALUE]`: read or change the team config,
`.flowforge/team/config.json`, by dotted key (`rates.users.alice`; jsondoc.py says how a task
id with a dot is quoted).

A change is checked before it is written: one that would leave the config with a problem it
did not have is refused, naming every problem, and the file keeps its bytes. Numbers are
kept as written, the file in its own indentation and key order; it is replaced atomically,
under a lock, so two changes at once cannot lose one.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ffhooks import jsondoc
from ffhooks.config import (
    COMPACT_DEFAULTS,
    CONFIG,
    DEFAULTS,
    DETAIL_DEFAULTS,
    SUMMARY_FORMAT,
    config_path,
    content,
    problems,
    refusal,
)
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import atomic_write, locked
from ffhooks.git.plumbing import Repo
from ffhooks.records import Any

USAGE = "ffhooks config [get [KEY] | set KEY VALUE | unset KEY]"


def config(repo: Repo, *, action: str, key: str | None, value: str | None) -> int:
    path = config_path(repo.flowforge)
    if action == "get":
        _takes(value is None, "`config get` takes a KEY only")
        return _get(path, None if key is None else jsondoc.parse_key(key))
    _takes(key is not None, f"`config {action}` needs a KEY")
    if action == "set":
        _takes(value is not None, "`config set` needs a VALUE")
        wanted = jsondoc.value_of(value or "")
    else:
        _takes(value is None, "`config unset` takes a KEY only")
        wanted = jsondoc.ABSENT
    parts = jsondoc.parse_key(key or "")
    with locked(repo.state_dir / "config.lock", CONFIG):
        data = _read(path)
        doc = _editable(data)
        before = jsondoc.lookup(doc, parts)
        if action == "unset" and before is jsondoc.ABSENT:
            raise FatalError(f"{jsondoc.key_text(parts)} is not set in {CONFIG}: nothing to unset")
        if jsondoc.shown(before) == jsondoc.shown(wanted):
            print(f"{jsondoc.key_text(parts)}: already {jsondoc.shown(before)}; nothing changed")
            return 0
        changed = jsondoc.dumps(jsondoc.put(doc, parts, wanted), jsondoc.indent_of(data))
        had = problems(data)
        left = _checked(changed, had, parts, wanted)
        atomic_write(path, changed)
    print(f"{jsondoc.key_text(parts)}: {jsondoc.shown(before)} -> {jsondoc.shown(wanted)}")
    print(f"Commit {CONFIG} for the team to see the change.")
    if parts[0] in ("rates", "currency"):
        _warn_if_closed(repo)
    if left:
        for at, message in left:
            print(f"{CONFIG}::{at}: {message}", file=sys.stderr)
        print(
            f"ffhooks: warning: {CONFIG} still has {_count(left)}, as before (above): every "
            "command refuses it until they are fixed",
            file=sys.stderr,
        )
    return 0


def _warn_if_closed(repo: Repo) -> None:
    """Closing a period records its time, not its price: reports price closed periods at the
    rates of the config they read, so a new rate shows in the amounts of months billed."""
    from ffhooks.report.closing import closed_spans

    labels = [span.label for span in closed_spans(repo)]
    if labels:
        print(
            f"ffhooks: warning: reports price closed periods too ({', '.join(labels)}) at the "
            "rates they read: what was invoiced is in each period's tag (ffhooks/closed/...)",
            file=sys.stderr,
        )


def _takes(ok: bool, what: str) -> None:
    if not ok:
        raise FatalError(f"{what}: {USAGE}")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FatalError(
            f"{CONFIG} is not in this work tree: `ffhooks init` writes it (a sparse checkout "
            "that leaves .flowforge/ out cannot change it)"
        ) from None


def _editable(data: bytes) -> dict[str, Any]:
    """The config with its numbers as written; one that is no JSON object cannot be edited
    by key, so it is refused with every problem it has."""
    try:
        doc = jsondoc.load(data, CONFIG, "")
    except BrokenFile:
        doc = None
    if not isinstance(doc, dict):
        raise refusal(CONFIG, problems(data))
    return doc


def _checked(
    changed: bytes, had: list[tuple[str, str]], parts: jsondoc.Key, wanted: Any
) -> list[tuple[str, str]]:
    """The problems the changed config still has; a change that brings a new one is refused,
    every problem named (those that were there already marked so)."""
    found = problems(changed)
    if all(problem in had for problem in found):
        return found
    key = jsondoc.key_text(parts)
    change = (
        f"unsetting {key}"
        if wanted is jsondoc.ABSENT
        else f"setting {key} to {jsondoc.shown(wanted)}"
    )
    raise FatalError(
        f"{change} would leave {CONFIG} with {_count(found)} (above): not written, the file is "
        "as it was",
        details=[
            f"{CONFIG}::{at}: {message}{' (already there)' if (at, message) in had else ''}"
            for at, message in found
        ],
    )


def _count(found: list[tuple[str, str]]) -> str:
    return f"{len(found)} problem{'' if len(found) == 1 else 's'}"


def _get(path: Path, parts: jsondoc.Key | None) -> int:
    data = _read(path)
    content(data, CONFIG)  # a broken config is refused, every problem named, as readers do
    doc = jsondoc.load(data, CONFIG, "")
    value = doc if parts is None else jsondoc.lookup(doc, parts)
    if value is jsondoc.ABSENT:
        raise FatalError(_unset(doc, parts or ()))
    if isinstance(value, str):
        print(value)
    else:
        print(jsondoc.dumps(value, jsondoc.indent_of(data)).decode(), end="")
    return 0


def _unset(doc: dict[str, Any], parts: jsondoc.Key) -> str:
    """Why `parts` has no value: its default, or what the nearest object above it holds."""
    said = f"{jsondoc.key_text(parts)} is not set in {CONFIG}"
    defaults = {
        **DEFAULTS,
        "compact": COMPACT_DEFAULTS,
        "summary_detail": DETAIL_DEFAULTS,
        "summary_format": SUMMARY_FORMAT,
    }
    default = jsondoc.lookup(defaults, parts)
    if default is not jsondoc.ABSENT:
        return f"{said}: its default, {jsondoc.shown(default)}, applies"
    above = next(
        parts[:n] for n in range(len(parts) - 1, -1, -1)
        if isinstance(jsondoc.lookup(doc, parts[:n]), dict)
    )  # fmt: skip
    holds = [jsondoc.key_text((k,)) for k in jsondoc.lookup(doc, above)]
    where = jsondoc.key_text(above) or "the config"
    return f"{said} ({where} has {', '.join(holds) or 'nothing'})"
