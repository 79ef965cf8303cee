"""Committed team summaries: one store's complete billing state for one month.

    .flowforge/team/summaries/<user>/<YYYY-MM>/<store>-<seq>.json

A change adds a file with a higher seq, and a reader keeps the highest seq per (store, month),
its "live" file. A commit only adds: the files it supersedes stay until `ffhooks compact`
deletes them in a pure-delete commit on the default branch (see fold/compact.py). ffhooks 0.2 to
0.4 overwrote them with TOMBSTONE instead, the same bytes for every one; history keeps those,
and readers still know a tombstone by its blob id (from `ls-tree`) or its size, without
reading it, and never count one.

What git checks out, and what a formatter or a clean filter leaves, may differ from what was
written in whitespace and key order (`core.autocrlf`, `* text=auto eol=crlf`, prettier): a
reader that holds the bytes judges them by content (`is_tombstone_data`, `same_data`), never
by equality with what ffhooks would write.

Two formats (`version`) are read, side by side in one repository: version 1 writes each cell
(one task's figures in one period) as an object, `{"billable_seconds": ..,
"non_billable_seconds": .., "sessions": ..}`; version 2, as an array of those three figures
in that order, a third of the bytes. The team config's `summary_format` says which a fold
writes. In memory a summary always holds objects: `loads` (or `expanded`) is the one door
from the bytes, and `canonical` and `dumps` give each version its own form back, so the
checksum and the signature cover what the file says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Container, Iterable
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from ffhooks.clock import ZoneHistory, as_history, day_start, month_days
from ffhooks.errors import NEWER, BrokenFile
from ffhooks.fsio import parse_json, sha256_hex
from ffhooks.layout import SUMMARIES, TOMBSTONE, TOMBSTONE_BLOB, TOMBSTONE_MAX
from ffhooks.records import Any, NamedTuple

NAME = re.compile(r"(?P<store>[0-9a-f]{16})-(?P<seq>[1-9][0-9]{0,17})\.json")
PATH = re.compile(
    r"\.flowforge/team/summaries/(?P<user>[a-z0-9][a-z0-9._-]{0,63})/"
    r"(?P<month>[0-9]{4}-(?:0[1-9]|1[0-2]))/(?P<store>[0-9a-f]{16})-(?P<seq>[1-9][0-9]{0,17})\.json"
)
TOTAL_KEYS = ("billable_seconds", "non_billable_seconds", "sessions")
FORMATS = (1, 2)  # the versions this ffhooks reads and writes; 2: cells as arrays
_CELL_KEYS = set(TOTAL_KEYS)
_PERIOD = re.compile(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?")
_TASK = re.compile(r"[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,98}[^\s\x00-\x1f\x7f])?")
# The most one store can record in a period: a day is at most 25 h long (the day a
# daylight-saving change sets the clock back); a month, its days of 24 h and one such hour.
DAY_MAX = 25 * 3600
MONTH_MAX = 31 * 24 * 3600 + 3600  # the schema's maximum for any one figure
_HEAD = {"version", "user", "store", "month", "timezone", "seq", "detail", "totals", "sha256"}
_OPTIONAL = {"capped", "writer", "signature", "signed_by", "project", "tags"}
# The key of a session's tags in a summary's `tags` split and in a report by tag: its tags
# joined by + (no tag holds one), or UNTAGGED (no tag starts with -).
UNTAGGED = "-"
_TAG_SET = re.compile(
    r"-|[^\s,+\x00-\x1f\x7f-][^\s,+\x00-\x1f\x7f]{0,39}(?:\+[^\s,+\x00-\x1f\x7f-][^\s,+\x00-\x1f\x7f]{0,39})*"
)


class Interval(NamedTuple):
    task: str
    start: datetime
    end: datetime
    billable: bool
    tags: tuple[str, ...] = ()


def tag_set(tags: Iterable[str]) -> str:
    """The key of a session's tags (sorted) as summaries and reports group them."""
    return "+".join(tags) or UNTAGGED


class SummaryPath(NamedTuple):
    user: str
    month: str
    store: str
    seq: int

    @property
    def path(self) -> str:
        return f"{SUMMARIES}/{self.user}/{self.month}/{self.store}-{self.seq}.json"


@cache  # a year of a team's history is ~40,000 paths, each asked about several times
def parse_path(path: str) -> SummaryPath | None:
    match = PATH.fullmatch(path)
    if match is None:
        return None
    user, month, store, seq = match.groups()
    return SummaryPath(user=user, month=month, store=store, seq=int(seq))


def month_bounds(month: str, tz: ZoneInfo | ZoneHistory) -> tuple[datetime, datetime]:
    """The instants at which `month` begins and ends. With a zone history a month can have
    gaps (a change can move local time back into it), so these bound every instant it holds;
    which ones it holds, `totals` decides instant by instant."""
    first, last = month_days(month)
    following = last + timedelta(days=1)
    if not isinstance(tz, ZoneHistory):
        return day_start(first, tz), day_start(following, tz)
    found = []
    for since, until, piece_zone in tz.periods():
        lo, hi = day_start(first, piece_zone), day_start(following, piece_zone)
        if since is not None:
            lo = max(lo, since)
        if until is not None:
            hi = min(hi, until)
        if lo < hi:
            found.append((lo, hi))
    if not found:  # changes skipped the whole month: it holds no instant
        lo = day_start(first, tz.current)
        return lo, lo
    return min(lo for lo, _ in found), max(hi for _, hi in found)


def month_zone(month: str, tz: ZoneInfo | ZoneHistory) -> str:
    """The zone a summary of `month` names: the one in effect at the month's end (the current
    one for a month not over yet)."""
    history = as_history(tz)
    lo, hi = month_bounds(month, history)
    return history.at(hi - timedelta(seconds=1) if hi > lo else hi).key


def totals(
    intervals: Iterable[Interval],
    month: str,
    tz: ZoneInfo | ZoneHistory,
    *,
    per_task: bool,
    by_day: bool,
) -> dict[str, dict[str, dict[str, int]]]:
    """Per period (day or month) per task: billable and non-billable seconds and sessions.

    Every second falls on the day (and month) that holds it in the zone in effect at that
    second: an interval across midnight or a zone change puts its seconds on both days, split
    at the boundary (they add up exactly because every boundary falls on a whole second), and
    counts as one session, on the day (and in the month) it starts.
    """
    history = as_history(tz)
    lo, hi = month_bounds(month, history)
    year, mon = int(month[:4]), int(month[5:])
    out: dict[str, dict[str, dict[str, int]]] = {}
    for iv in intervals:
        clipped_start, clipped_end = max(iv.start, lo), min(iv.end, hi)
        if clipped_end <= clipped_start:
            continue
        for start, end, piece_zone in history.pieces(clipped_start, clipped_end):
            day = start.astimezone(piece_zone).date()
            while True:
                cut = min(end, day_start(day + timedelta(days=1), piece_zone))
                if cut > start and day.month == mon and day.year == year:
                    period = day.isoformat() if by_day else month
                    task = iv.task if per_task else "*"
                    cell = out.setdefault(period, {}).setdefault(task, dict.fromkeys(TOTAL_KEYS, 0))
                    seconds = int((cut - start).total_seconds())
                    cell["billable_seconds" if iv.billable else "non_billable_seconds"] += seconds
                    if start == iv.start:  # a session counts once, where it starts
                        cell["sessions"] += 1
                if cut >= end:
                    break
                start, day = cut, day + timedelta(days=1)
    return {p: dict(sorted(out[p].items())) for p in sorted(out)}


def tag_split(
    intervals: Iterable[Interval],
    month: str,
    tz: ZoneInfo | ZoneHistory,
    *,
    per_task: bool,
    by_day: bool,
) -> dict[str, dict[str, dict[str, dict[str, int]]]]:
    """`totals` split by tag set: per period per task per `tag_set`, the totals of the
    sessions carrying exactly those tags. Each session is in one tag set, so the figures of
    a period's task add up to its `totals` exactly (`tag_problems` checks a summary's)."""
    groups: dict[str, list[Interval]] = {}
    for iv in intervals:
        groups.setdefault(tag_set(iv.tags), []).append(iv)
    out: dict[str, dict[str, dict[str, dict[str, int]]]] = {}
    for key, members in sorted(groups.items()):
        split = totals(members, month, tz, per_task=per_task, by_day=by_day)
        for period, tasks in split.items():
            for task, cell in tasks.items():
                out.setdefault(period, {}).setdefault(task, {})[key] = cell
    return {p: dict(sorted(out[p].items())) for p in sorted(out)}


def tag_problems(doc: dict[str, Any]) -> list[str]:
    """Where a summary's `tags` split does not add up to its `totals`, figure by figure, or
    is there without `detail.tags` (or missing with it): a report by tag would bill other
    time than a report by task."""
    split, wanted = (
        doc.get("tags"),
        isinstance(doc.get("detail"), dict) and doc["detail"].get("tags"),
    )
    if split is None:
        return ["$.tags: missing, though detail.tags is true"] if wanted else []
    if not isinstance(split, dict) or not isinstance(doc.get("totals"), dict):
        return []  # the schema's to say
    if not wanted:
        return ["$.tags: present, though detail.tags is not true"]
    found = []
    for period in sorted(set(split) | set(doc["totals"])):
        tasks, parts = doc["totals"].get(period, {}), split.get(period, {})
        for task in sorted(set(tasks) | set(parts)):
            sums = dict.fromkeys(TOTAL_KEYS, 0)
            for cell in parts.get(task, {}).values():
                for k in TOTAL_KEYS:
                    sums[k] += cell.get(k, 0)
            if sums != {k: tasks.get(task, {}).get(k, 0) for k in TOTAL_KEYS}:
                found.append(
                    f"$.tags[{period!r}][{task!r}]: does not add up to $.totals[{period!r}]"
                    f"[{task!r}] (edited by hand?): restore the file from git history"
                )
    return found


def canonical(doc: dict[str, Any]) -> bytes:
    """What the checksum and the signature cover: every key but those two, in the file's
    own form (version 2: cells as arrays), given the summary as `loads` gives it or as the
    file holds it. An auditor recomputes it from the file alone: its JSON without `sha256`
    and `signature`, keys sorted, no whitespace, UTF-8."""
    body = {k: v for k, v in written_form(doc).items() if k not in ("sha256", "signature")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def loads(data: bytes, shown: str, fix: str) -> Any:
    """A summary's bytes as readers take them: parsed (BrokenFile naming `shown` and `fix`
    if they are not JSON), its cells as objects whatever its version (`expanded`)."""
    return expanded(parse_json(data, shown, fix))


def expanded(doc: Any) -> Any:
    """A version 2 summary with its cells as objects, as every reader takes them; anything
    else as it is. A cell that is not an array of three stays as it is, for the schema (or
    the checksum) to refuse."""
    if type(doc) is not dict or doc.get("version") != 2:
        return doc
    return _recelled(doc, _as_object)


def written_form(doc: dict[str, Any]) -> dict[str, Any]:
    """A summary in its file's form: version 2 with its cells as arrays, else as it is."""
    if doc.get("version") != 2:
        return doc
    return _recelled(doc, _as_array)


def _as_object(cell: Any) -> Any:
    return (
        dict(zip(TOTAL_KEYS, cell, strict=True)) if type(cell) is list and len(cell) == 3 else cell
    )


def _as_array(cell: Any) -> Any:
    return (
        [cell[k] for k in TOTAL_KEYS] if type(cell) is dict and cell.keys() == _CELL_KEYS else cell
    )


def _recelled(doc: dict[str, Any], cell: Callable[[Any], Any]) -> dict[str, Any]:
    """`doc` with `cell` applied to every cell of its totals and its tags split (a copy:
    the given document is left as it is)."""

    def periods(value: Any, depth: int) -> Any:
        if depth == 0:
            return cell(value)
        if type(value) is not dict:
            return value
        return {k: periods(v, depth - 1) for k, v in value.items()}

    out = dict(doc)
    for key, depth in (("totals", 2), ("tags", 3)):
        if key in out:
            out[key] = periods(out[key], depth)
    return out


def dumps(doc: dict[str, Any]) -> bytes:
    """The bytes a summary is written in: each key on a line of its own and each period of
    `totals` on one line (a day's tasks and figures), compact within the line. A diff shows
    which days changed; a month of days is a tenth of the lines and, in version 2 (cells as
    arrays), a fifth of the bytes of indented JSON. Readers take any formatting: the checksum
    and the signature cover the content (`canonical`), not these bytes."""

    def line(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def by_period(key: str, periods: dict[str, Any]) -> str:
        days = [f"    {line(p)}: {line(tasks)}" for p, tasks in periods.items()]
        return f"  {line(key)}: {{" + ("\n" + ",\n".join(days) + "\n  }" if days else "}")

    lines = [
        by_period(k, v)
        if k in ("totals", "tags") and isinstance(v, dict)
        else f"  {line(k)}: {line(v)}"
        for k, v in written_form(doc).items()
    ]
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8")


def checksum(doc: dict[str, Any]) -> str:
    return sha256_hex(canonical(doc))


def build(
    *,
    user: str,
    store: str,
    month: str,
    timezone: str,
    seq: int,
    detail: dict[str, Any],
    periods: dict[str, dict[str, dict[str, int]]],
    capped: bool = False,
    writer: str | None = None,
    project: str | None = None,
    tags: dict[str, dict[str, dict[str, dict[str, int]]]] | None = None,
    version: int = 1,
) -> dict[str, Any]:
    """A summary as readers hold it (cells as objects); `version` (the team config's
    `summary_format`) decides only the form `dumps` writes and `canonical` covers."""
    doc: dict[str, Any] = {
        "version": version,
        "user": user,
        "store": store,
        "month": month,
        "timezone": timezone,
        "seq": seq,
        "detail": detail,
        "totals": periods,
    }
    if tags is not None:
        doc["tags"] = tags
    if capped:
        doc["capped"] = True
    if writer is not None:
        doc["writer"] = writer
    if project is not None:
        doc["project"] = project
    doc["sha256"] = checksum(doc)
    return doc


def seal(
    doc: dict[str, Any],
    sign: Callable[[bytes], str] | None = None,
    signed_by: str | None = None,
) -> dict[str, Any]:
    """`doc` with its checksum and, given a signer (signing.sign with a key), its signature;
    `signed_by` names a signer who is not the summary's user (a migration)."""
    if signed_by is not None:
        doc["signed_by"] = signed_by
    doc["sha256"] = checksum(doc)
    if sign is not None:
        doc["signature"] = sign(canonical(doc))
    return doc


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal but for seq, checksum, signature and format: writing `a` over `b` would change
    no total (a team that switches `summary_format` rewrites a month at its next change)."""
    strip = ("version", "seq", "sha256", "signature", "signed_by")
    return {k: v for k, v in a.items() if k not in strip} == {
        k: v for k, v in b.items() if k not in strip
    }


def plainly_valid(doc: Any) -> bool:
    """A quick structural check of `totals`, the bulk of a summary (a report reads hundreds),
    as the file holds it (before `expanded`): every cell in its version's one form.

    True means the schema's rules on totals hold; the full validator still checks the rest
    of the file, and explains when this says False.
    """
    if type(doc) is not dict or doc.keys() - _OPTIONAL != _HEAD or type(doc["totals"]) is not dict:
        return False
    plain = _PLAIN_CELL.get(doc["version"]) if type(doc["version"]) is int else None
    if plain is None:
        return False
    for period, tasks in doc["totals"].items():
        if not _PERIOD.fullmatch(period) or type(tasks) is not dict:
            return False
        for task, cell in tasks.items():
            if not _TASK.fullmatch(task) or not plain(cell):
                return False
    return _plainly_split(doc.get("tags", {}), plain)


def _plain_figures(figures: Iterable[Any]) -> bool:
    return all(type(v) is int and 0 <= v <= MONTH_MAX for v in figures)


def _plain_object(cell: Any) -> bool:
    return type(cell) is dict and cell.keys() == _CELL_KEYS and _plain_figures(cell.values())


def _plain_array(cell: Any) -> bool:
    return type(cell) is list and len(cell) == 3 and _plain_figures(cell)


_PLAIN_CELL = {1: _plain_object, 2: _plain_array}  # per version, the one form of its cells


def _plainly_split(split: Any, plain: Callable[[Any], bool]) -> bool:
    """`plainly_valid` of a `tags` split: as totals, one level deeper (tag sets)."""
    if type(split) is not dict:
        return False
    for period, tasks in split.items():
        if not _PERIOD.fullmatch(period) or type(tasks) is not dict:
            return False
        for task, sets in tasks.items():
            if not _TASK.fullmatch(task) or type(sets) is not dict:
                return False
            if not all(_TAG_SET.fullmatch(k) and plain(c) for k, c in sets.items()):
                return False
    return True


def too_new(doc: Any) -> tuple[str, str] | None:
    """Why a summary cannot be read when a newer ffhooks wrote it (a version this one does
    not know), as (JSON path, message); None otherwise."""
    version = doc.get("version") if type(doc) is dict else None
    if type(version) is not int or version <= max(FORMATS):
        return None
    known = " and ".join(map(str, FORMATS))
    return "$.version", f"{version}: a format this ffhooks does not read (only {known}); {NEWER}"


def problems(doc: Any, where: SummaryPath | None) -> list[str]:
    """What is wrong with a summary beyond its schema: checksum, and name against content
    (`doc` as `loads` gives it)."""
    found = []
    if doc.get("sha256") != checksum(doc):
        found.append("$.sha256: does not match the content (edited by hand?)")
    if where is not None:
        for key in ("user", "month", "store", "seq"):
            if doc.get(key) != getattr(where, key):
                found.append(f"$.{key}: {doc.get(key)!r} disagrees with the file name")
    for period in doc.get("totals", {}):
        if not period.startswith(doc.get("month", "")):
            found.append(f"$.totals[{period!r}]: outside the month {doc.get('month')}")
        elif _PERIOD.fullmatch(period) and not _on_the_calendar(period):  # else the schema's
            found.append(f"$.totals[{period!r}]: no such day (restore the file from git history)")
    return found + tag_problems(doc) + impossible(doc, where)


def impossible(doc: dict[str, Any], where: SummaryPath | None = None) -> list[str]:
    """Figures no store can record, whatever the checksum says (anyone can recompute it):
    a day (or a month, for month-level summaries) holding more time than it lasts, and
    figures that are not whole numbers. The bound is per store: one store records one
    person's time in one place, without overlaps."""
    found = []
    fix = (
        f"restore the file from git history (`git log -p -- {where.path if where else 'FILE'}` "
        "shows who wrote it), "
        "or its writer runs `ffhooks recover rebuild`"
    )
    for period, tasks in doc.get("totals", {}).items():
        if not isinstance(tasks, dict):
            continue
        figures = [v for cell in tasks.values() if isinstance(cell, dict) for v in cell.values()]
        if any(type(v) is not int for v in figures):
            found.append(f"$.totals[{period!r}]: a figure is not a whole number; {fix}")
            continue
        seconds, limit = overfull(period, tasks)
        if seconds > limit:
            found.append(
                f"$.totals[{period!r}]: {seconds:,} seconds recorded, more than "
                f"{'a day' if len(period) == 10 else 'the month'} holds ({limit:,}); {fix}"
            )
    return found


def crowded(docs: Iterable[tuple[str, dict[str, Any]]]) -> list[tuple[str, str]]:
    """(path, problem) where one person's stores that cut days in one time zone record more
    in a period together than it lasts: two clones counting the same hours. Stores in other
    zones cut other days, so only those of one zone are added up."""
    groups: dict[tuple[str, str, str], list[tuple[str, int, int]]] = {}
    for path, doc in docs:
        for period, tasks in doc["totals"].items():
            seconds, limit = overfull(period, tasks)
            groups.setdefault((doc["user"], doc["timezone"], period), []).append(
                (path, seconds, limit)
            )
    found = []
    for (user, zone, period), parts in sorted(groups.items()):
        seconds = sum(part[1] for part in parts)
        if len(parts) > 1 and seconds > parts[0][2]:
            paths = sorted(part[0] for part in parts)
            found.append(
                (
                    paths[-1],
                    f"{user}'s {len(paths)} stores record {seconds:,} seconds on {period} "
                    f"together ({', '.join(paths)}, all in {zone}), more than it lasts "
                    f"({parts[0][2]:,}): the same hours counted in two clones; `ffhooks audit "
                    f"--user {user}` shows who wrote each, and its writer removes the sessions "
                    "counted twice (`ffhooks log`, `ffhooks remove`)",
                )
            )
    return found


def overfull(period: str, tasks: dict[str, dict[str, int]]) -> tuple[int, int]:
    """(seconds recorded, the most the period can hold) of one period's totals."""
    limit = DAY_MAX if len(period) == 10 else _month_length(period)
    seconds = sum(
        cell.get("billable_seconds", 0) + cell.get("non_billable_seconds", 0)
        for cell in tasks.values()
    )
    return seconds, limit


def _on_the_calendar(period: str) -> bool:
    try:
        date.fromisoformat(period if len(period) == 10 else f"{period}-01")
    except ValueError:
        return False
    return True


def _month_length(month: str) -> int:
    """The longest a month can be: its days of 24 h and a daylight-saving hour."""
    try:
        first, last = month_days(month)
    except ValueError:
        return MONTH_MAX
    return ((last - first).days + 1) * 24 * 3600 + 3600


def live(
    paths: Iterable[str], buried: Container[str] = ()
) -> dict[tuple[str, str, str], SummaryPath]:
    """Per (user, store, month) the summary a reader counts: the one with the highest seq,
    tombstones (`buried`) aside.

    A year of a team's history is tens of thousands of paths, nearly all of them superseded:
    each path is split, and only the newest of each folder and store is parsed in full. A
    newest one that is not a summary's name (never written by ffhooks) sends the whole
    question to the parser."""
    paths = list(paths)
    inside = f"{SUMMARIES}/"
    newest: dict[tuple[str, str], tuple[int, str]] = {}
    for path in paths:
        if path in buried or not path.startswith(inside):
            continue
        folder, _, name = path.rpartition("/")
        store, _, seq = name.removesuffix(".json").rpartition("-")
        if seq.isascii() and seq.isdigit() and name.endswith(".json"):
            number, key = int(seq), (folder, store)
            if key not in newest or number > newest[key][0]:
                newest[key] = (number, path)
    best = {}
    for _, path in newest.values():
        where = parse_path(path)
        if where is None:
            return _parsed_live(paths, buried)
        best[(where.user, where.store, where.month)] = where
    return best


def _parsed_live(
    paths: list[str], buried: Container[str]
) -> dict[tuple[str, str, str], SummaryPath]:
    best: dict[tuple[str, str, str], SummaryPath] = {}
    for path in paths:
        where = None if path in buried else parse_path(path)
        if where is None:
            continue
        key = (where.user, where.store, where.month)
        if key not in best or where.seq > best[key].seq:
            best[key] = where
    return best


def tombstones(blobs: dict[str, str]) -> set[str]:
    """The paths under the summaries folder among `blobs` (path -> blob id) that are
    tombstones, by blob id alone (a year of a team's history is tens of thousands)."""
    inside = f"{SUMMARIES}/"
    return {p for p, blob in blobs.items() if blob == TOMBSTONE_BLOB and p.startswith(inside)}


def is_tombstone_data(data: bytes) -> bool:
    """Whether `data` is a tombstone, as written or formatted in any other way (a checkout
    with CRLF line endings, a JSON formatter, a clean filter)."""
    return data == TOMBSTONE or (
        len(data) <= TOMBSTONE_MAX and _content(data) == b"".join(TOMBSTONE.split())
    )


def is_tombstone(path: Path) -> bool:
    """Whether a file on disk is a tombstone: one `stat`, and a read only at a tombstone's
    size."""
    try:
        return path.stat().st_size <= TOMBSTONE_MAX and is_tombstone_data(path.read_bytes())
    except OSError:
        return False


def same_data(a: bytes, b: bytes) -> bool:
    """Whether two versions of one summary file say the same: equal bytes, two tombstones, or
    the same JSON (a formatter, a clean filter or a line-ending conversion changed only
    whitespace, key order or escapes). Anything unreadable is judged by its bytes."""
    if a == b:
        return True
    if is_tombstone_data(a) or is_tombstone_data(b):
        return is_tombstone_data(a) and is_tombstone_data(b)
    content = _content(a)
    return content is not None and content == _content(b)


def _content(data: bytes) -> bytes | None:
    """A JSON document in one form for any formatting of it (types kept: `1` is not `1.0`
    nor `true`), None if it is not strictly JSON."""
    try:
        doc = parse_json(data, "", "")
    except BrokenFile:
        return None
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
