"""Sessions from other tools' files: JSON lines, Watson `frames`, `timew export` JSON.

Each reader yields `(where, session)` or `(where, problem)` so that every bad entry can be
reported before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ffhooks.clock import OUT_OF_RANGE, UTC, in_range, parse_iso
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import parse_json
from ffhooks.records import Any
from ffhooks.store.rules import MAX_TAGS, TAG, tags_problem
from ffhooks.store.sessions import Session, new_session_id

FORMATS = ("jsonl", "watson", "timewarrior")
Entry = tuple[str, "Session | str"]
_JSONL_KEYS = {
    *("id", "task", "start", "end", "seconds", "billable", "note", "reason", "user", "tags")
}
_SEPARATORS = re.compile(r"[\s,+]+")


def _out_of_range(start: datetime, end: datetime) -> str | None:
    for when in (start, end):
        if not in_range(when):
            return f"bad time ({when.date().isoformat()} {OUT_OF_RANGE})"
    return None


def _session(raw: dict[str, Any], user: str) -> Session | str:
    unknown = set(raw) - _JSONL_KEYS
    if unknown:
        return f"unknown field {sorted(unknown)[0]!r}"
    for key in ("task", "start", "end"):
        if not isinstance(raw.get(key), str):
            return f"{key!r} must be a string"
    owner = raw.get("user")
    if owner is not None and (not isinstance(owner, str) or owner.strip().lower() != user):
        return (
            f"'user' is {owner!r}, not {user!r}: each person imports only their own time "
            "(import it as that user with --user, or remove the line)"
        )
    try:
        start, end = parse_iso(raw["start"]), parse_iso(raw["end"])
    except ValueError as exc:
        return f"bad time ({exc})"
    if problem := _out_of_range(start, end):
        return problem
    if start.microsecond or end.microsecond:
        return "times must be whole seconds"
    billable = raw.get("billable", True)
    if not isinstance(billable, bool):
        return "'billable' must be true or false"
    seconds = raw.get("seconds")
    if seconds is not None and seconds != int((end - start).total_seconds()):
        return f"'seconds' ({seconds}) disagrees with start and end"
    sid = raw.get("id")
    if not (
        isinstance(sid, str) and 8 <= len(sid) <= 32 and all(c in "0123456789abcdef" for c in sid)
    ):
        sid = new_session_id()
    for key in ("note", "reason"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            return f"{key!r} must be a string"
    tags = raw.get("tags", [])
    if not isinstance(tags, list):
        return "'tags' must be a list of strings"
    if problem := tags_problem(tuple(tags)):
        return problem
    return Session(
        id=sid,
        task=raw["task"],
        start=start,
        end=end,
        billable=billable,
        note=raw.get("note"),
        reason=raw.get("reason"),
        tags=tuple(sorted(set(tags))),
    )


def _foreign_tags(given: Any, note: str | None = None) -> tuple[tuple[str, ...], str | None]:
    """Another tool's tags as session tags, and the note: spaces, commas and + inside a tag
    become - (Watson's `+"code review"` is `code-review`); a tag that still cannot be one
    (control characters, too long, past the tenth) is kept in the note, never dropped."""
    if not isinstance(given, list):
        return (), note
    kept: set[str] = set()
    left: list[str] = []
    for raw in given:
        tag = _SEPARATORS.sub("-", str(raw).strip()).lstrip("-")
        if TAG.fullmatch(tag) and (tag in kept or len(kept) < MAX_TAGS):
            kept.add(tag)
        else:
            left.append(str(raw))
    if left:
        note = "; ".join(n for n in (note, "tags: " + ", ".join(left)) if n)
    return tuple(sorted(kept)), note


def read_jsonl(path: Path, user: str) -> Iterator[Entry]:
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                raw = parse_json(line, where, "")
            except BrokenFile as exc:
                yield where, exc.problem
                continue
            yield where, _session(raw, user) if isinstance(raw, dict) else "not a JSON object"


def _load_list(path: Path, what: str) -> list[Any]:
    data = parse_json(path.read_bytes(), str(path), f"is it really a {what} file?")
    if not isinstance(data, list):
        raise FatalError(f"{path}: expected a JSON list as in a {what} file")
    return data


def read_watson(path: Path) -> Iterator[Entry]:
    """Watson's `frames`: [start, stop, project, id, tags, updated_at] with Unix times; the
    project is the task, and the tags stay tags."""
    for index, frame in enumerate(_load_list(path, "Watson frames")):
        where = f"{path}[{index}]"
        try:
            start_ts, stop_ts, project, fid, tags = frame[:5]
            start = datetime.fromtimestamp(int(start_ts), UTC)
            end = datetime.fromtimestamp(int(stop_ts), UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            yield where, "not a Watson frame [start, stop, project, id, tags, ...]"
            continue
        if problem := _out_of_range(start, end):
            yield where, problem
            continue
        if not isinstance(project, str):
            yield where, "project must be a string"
            continue
        sid = fid if isinstance(fid, str) and 8 <= len(fid) <= 32 else new_session_id()
        sid = sid.lower() if all(c in "0123456789abcdefABCDEF" for c in sid) else new_session_id()
        kept, note = _foreign_tags(tags)
        yield (
            where,
            Session(
                id=sid, task=project, start=start, end=end, billable=True, note=note, tags=kept
            ),
        )


def read_timewarrior(path: Path) -> Iterator[Entry]:
    """`timew export`: objects with start, end (20261121T143000Z), tags, annotation. The
    first tag names the task (`timew start 12 api`); the others are the session's tags."""
    for index, item in enumerate(_load_list(path, "timew export")):
        where = f"{path}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("start"), str):
            yield where, "not a Timewarrior interval"
            continue
        if "end" not in item:
            yield where, "still open (no end): stop it in Timewarrior and export again"
            continue
        try:
            start, end = (
                datetime.strptime(item[k], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                for k in ("start", "end")
            )
        except (TypeError, ValueError):
            yield where, "bad start or end (expected 20261121T143000Z)"
            continue
        if problem := _out_of_range(start, end):
            yield where, problem
            continue
        tags = item.get("tags") or []
        if not tags or not isinstance(tags[0], str):
            yield where, "has no tag to use as the task"
            continue
        note = item.get("annotation") if isinstance(item.get("annotation"), str) else None
        kept, note = _foreign_tags(tags[1:], note)  # the first tag is the task
        yield (
            where,
            Session(
                id=new_session_id(),
                task=tags[0],
                start=start,
                end=end,
                billable=True,
                note=note,
                tags=kept,
            ),
        )


def guess_format(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith(b"["):
        rest = head[1:].lstrip()
        return "watson" if rest.startswith(b"[") else "timewarrior"
    return "jsonl"


def read(path: Path, fmt: str | None, user: str) -> Iterator[Entry]:
    """The entries of `path`, read as `user`'s time (an entry naming someone else is refused)."""
    try:
        kind = fmt or guess_format(path)
    except OSError as exc:
        raise FatalError(f"{path}: cannot read it ({exc.strerror})") from None
    if kind == "jsonl":
        return read_jsonl(path, user)
    return {"watson": read_watson, "timewarrior": read_timewarrior}[kind](path)
