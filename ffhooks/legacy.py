"""Legacy FlowForge time files and JSON-lines exports, carried into committed team summaries.

Sources:

- `.task-times.json` (v1) and `.flowforge/billing/time-tracking.json` (2.0.x): one JSON object
  whose task-number keys hold `status`, `current_session` and `sessions`
  (`start`, `end`, `duration`, `user`, ...). Other top-level keys (`sessions`, `metadata`)
  are not tasks.
- JSON lines: one session per line in the `ffhooks log --json` shape plus `user`.

Every source is streamed: a legacy file is decoded one entry (a task's field, or one session)
at a time, never loaded whole (`ffhooks.jsonstream`), and time is added up here per (source,
user, task, day) at once, so memory holds the day totals and one small key per distinct
session (to count it once).

A source's sessions become, per user, one frozen store whose id is derived from the source's
content and the user: running again on the same content writes nothing. A session (user,
start, end) seen before, in this run or in an earlier migration recorded in this clone's
ledger, is counted once. Long runs leave a checkpoint in the clone's machine state and resume
from it (ledgers and checkpoints: `ffhooks.migrate_state`). Timers that never ended are
listed, never billed. Nothing here prints.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from array import array
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ffhooks import summary
from ffhooks.aggregate import signed_alike, signing_key, store_months, trusted
from ffhooks.clock import UTC, day_start, to_iso, zone
from ffhooks.config import TeamConfig
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import atomic_write, locked
from ffhooks.gitio import Repo
from ffhooks.jsonstream import CHUNK, DUP, FIX_SOURCE, LegacyReader, LinesReader
from ffhooks.migrate_state import (
    CHECKPOINT_VERSION,
    Checkpoint,
    load_ledgers,
    save_ledgers,
    state_folder,
    store_id,
)
from ffhooks.records import Any, NamedTuple
from ffhooks.staging import bury, stage

DEFAULT_SOURCES = (".task-times.json", ".flowforge/billing/time-tracking.json")
EARLIEST = 946684800  # 2000-01-01T00:00:00Z: anything before is a broken clock
TOLERANCE = 60  # seconds a stored duration may differ from its start and end
LONGEST_BY_DURATION = 86400  # a session placed by its duration alone is at most a day
KEPT = 100_000  # problems and warnings kept in full; beyond, only counted
PROGRESS_SECONDS = 0.2

_TASK = re.compile(r"[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,98}[^\s\x00-\x1f\x7f])?")  # schema
_INSTANT = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,]\d+)?)?\s*(Z|z|[+-]\d\d:?\d\d)?"
)
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"})
_ORDINAL_1970 = 719163
# A day's total of one user on one task from one source is one dict entry of two ints:
# key = source << 56 | user << 40 | day ordinal << 20 | task, and the value packs
# billable seconds (bits 0-47), non-billable seconds (48-95), sessions starting that day
# (96-127, for day-level summaries; from 128, for month-level ones). About 120 bytes
# a cell where tuples and lists took 280: a million sessions fit well under 500 MB.
_M20, _M32, _M48 = (1 << 20) - 1, (1 << 32) - 1, (1 << 48) - 1
_NB, _SESSION, _FIRST = 48, 1 << 96, 1 << 128
MAX_SOURCES, MAX_USERS, MAX_TASKS = 1 << 8, 1 << 16, 1 << 20


class Source(NamedTuple):
    path: Path
    shown: str  # relative to the repository's top when inside it, else absolute
    sha256: str
    size: int
    mtime_ns: int
    kind: str  # "legacy" or "jsonl"


class Note(NamedTuple):
    where: str
    message: str


class Orphan(NamedTuple):
    where: str
    user: str
    task: str
    start: str | None
    age_seconds: int | None


class Duplicates(NamedTuple):
    source: str  # where they were seen again
    first: str  # where they are counted
    sessions: int
    example: str


class Row(NamedTuple):
    user: str
    task: str
    billable_seconds: int
    non_billable_seconds: int
    sessions: int


class SourceFacts(NamedTuple):
    shown: str
    kind: str
    sha256: str
    sessions: int  # counted here (first seen in this source)
    duplicates: int
    skipped: int
    orphans: int
    empty: int  # zero-length sessions: nothing to carry
    unit: str | None  # how a legacy file's `duration` is read when there is no end


class Store(NamedTuple):
    user: str
    store: str
    source: str
    billable_seconds: int
    non_billable_seconds: int


class Outcome(NamedTuple):
    timezone: str
    sources: list[SourceFacts]
    rows: list[Row]
    stores: list[Store]
    orphans: list[Orphan]
    duplicates: list[Duplicates]
    problems: list[Note]
    more_problems: int  # skipped entries beyond the KEPT listed
    warnings: list[Note]
    more_warnings: int
    notes: list[str]
    written: list[str]
    unchanged: int
    resumed: int  # entries already read by an interrupted run, 0 when none


Progress = Callable[[int, int, int], None]  # (bytes done, bytes in all, entries read)


# -- sources ---------------------------------------------------------------------------------


def _shown(path: Path, top: Path) -> str:
    try:
        return path.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _kind(path: Path, shown: str) -> str:
    """Legacy JSON object or JSON lines, from the first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    text = head.lstrip()
    if not text:
        raise BrokenFile(shown, "is empty", FIX_SOURCE)
    if text.startswith(b"\xef\xbb\xbf"):
        raise BrokenFile(shown, "starts with a byte-order mark", "remove it and run again")
    if not text.startswith(b"{"):
        raise BrokenFile(
            shown,
            "is neither a legacy FlowForge time file (a JSON object of tasks) nor JSON lines "
            "(one session object per line)",
            "check the path given to --source",
        )
    if path.suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    lines = text.split(b"\n", 2)
    if lines[0].strip() == b"{":
        return "legacy"
    for line in lines[:2]:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return "jsonl" if {"start", "end", "task", "user"} & value.keys() else "legacy"
    return "legacy"


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def find_sources(repo: Repo, given: list[str]) -> tuple[list[Source], list[str]]:
    """The sources to migrate, in a fixed order (smallest first, then by content), and notes.

    Without `given`, the legacy files of the repository. A missing or unreadable file is a
    FatalError naming it; two paths with the same content are migrated once.
    """
    if given:
        paths = [Path(p) for p in given]
    else:
        paths = [repo.top / p for p in DEFAULT_SOURCES if (repo.top / p).is_file()]
        if not paths:
            raise FatalError(
                f"no legacy time file in this repository ({', '.join(DEFAULT_SOURCES)}): name "
                "one with --source PATH"
            )
    found: dict[str, Source] = {}
    notes = []
    for path in paths:
        shown = _shown(path, repo.top)
        try:
            stat = path.stat()
            if not path.is_file():
                raise IsADirectoryError(21, "not a file")
            kind = _kind(path, shown)
            digest = _hash(path)
        except FileNotFoundError:
            raise FatalError(f"{shown}: no such file: check the path given to --source") from None
        except OSError as exc:
            raise FatalError(
                f"{shown}: cannot read it ({exc.strerror}): check the path and its permissions"
            ) from None
        if digest in found:
            if found[digest].shown != shown:
                notes.append(f"{shown} has the same content as {found[digest].shown}: read once")
            continue
        found[digest] = Source(path, shown, digest, stat.st_size, stat.st_mtime_ns, kind)
    return sorted(found.values(), key=lambda s: (s.size, s.sha256)), notes


def backup(repo: Repo, sources: list[Source], *, user: str, now: datetime) -> Any:
    """Each source's bytes, with their SHA-256, in a snapshot (reason `migrate-backup`)."""
    from ffhooks import snapshot

    files = []
    for src in sources:
        data = src.path.read_bytes()
        if hashlib.sha256(data).hexdigest() != src.sha256:
            raise FatalError(f"{src.shown} changed while being migrated: run the migration again")
        files.append((src.shown, data))
    return snapshot.save(repo.state_dir, files, reason="migrate-backup", user=user, now=now)


def _epoch(text: Any) -> int:
    """Whole UTC seconds of an ISO-8601 instant (`Z`, offsets and fractions accepted;
    fractions are cut, as ffhooks stores whole seconds; no offset means UTC)."""
    if type(text) is not str or len(text) < 16:
        raise ValueError(text)
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        dt = _slow_instant(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if dt.microsecond:
        dt = dt.replace(microsecond=0)
    return int(dt.timestamp())


def _slow_instant(text: str) -> datetime:
    """What `fromisoformat` of older Pythons refuses: `Z`, any number of fraction digits."""
    match = _INSTANT.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, offset = match.groups()
    dt = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    if offset and offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        minutes = sign * (int(digits[:2]) * 60 + int(digits[2:]))
        return dt.replace(tzinfo=UTC) - timedelta(minutes=minutes)
    return dt.replace(tzinfo=UTC)


def _number(value: Any) -> float | None:
    if type(value) in (int, float):
        number = float(value)
    elif type(value) is str:
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:.2f} h"


# -- adding up -------------------------------------------------------------------------------


def _fresh_facts() -> dict[str, Any]:
    return {
        "sessions": 0,
        "duplicates": 0,
        "skipped": 0,
        "orphans": 0,
        "empty": 0,
        "votes": [0, 0],  # durations agreeing with start and end as hours, as seconds
        "unit": None,
    }


class Tally:
    """Everything a run has learnt so far; saved whole at each checkpoint."""

    def __init__(self, sources: list[Source], tz: ZoneInfo, now: int, longest: int) -> None:
        self.sources = sources
        self.tz = tz
        self.utc = tz.key in _UTC_NAMES
        self.now = now
        self.longest = longest
        self.users: list[str] = []
        self.user_ix: dict[str, int] = {}
        self.user_of: dict[str, int | str] = {}  # as written in the source -> index or why not
        self.tasks: list[str] = []
        self.task_of: dict[str, int | str] = {}
        self.cells: dict[int, int] = {}  # packed, see _M20
        self.rows: dict[tuple[int, int], list[int]] = {}  # (user, task) -> [b, nb, n]
        self.expect: dict[tuple[int, int], list[int]] = {}  # (source, user) -> [b, nb]
        self.seen: dict[int, int] = {}  # session key -> label (a source, or an earlier run)
        self.labels = [s.shown for s in sources]
        self.keys = [array("Q") for _ in sources]  # (user, start, end) counted per source
        self.dups: dict[tuple[int, int], list[Any]] = {}  # (source, label) -> [n, example]
        self.problems: list[list[str]] = []
        self.warnings: list[list[str]] = []
        self.more = [0, 0]  # problems, warnings beyond KEPT
        self.orphans: list[list[Any]] = []
        self.orphan_keys: set[str] = set()
        self.facts = [_fresh_facts() for _ in sources]
        self.deferred: list[list[Any]] = []
        self.notes: list[str] = []
        self.read = 0  # events consumed
        self._day_starts: dict[int, int] = {}

    # where and what

    def where(self, i: int, loc: Any) -> str:
        shown = self.sources[i].shown
        if type(loc) is int:
            return f"{shown}:{loc}"
        if type(loc) is str:
            return f"{shown}::$[{json.dumps(loc, ensure_ascii=False)}]"
        key, tail = loc
        part = f"sessions[{tail}]" if type(tail) is int else tail
        return f"{shown}::$[{json.dumps(key, ensure_ascii=False)}].{part}"

    def skip(self, i: int, loc: Any, problem: str) -> None:
        self.facts[i]["skipped"] += 1
        if len(self.problems) < KEPT:
            self.problems.append([self.where(i, loc), f"{problem}; skipped"])
        else:
            self.more[0] += 1

    def warn(self, i: int, loc: Any, warning: str) -> None:
        if len(self.warnings) < KEPT:
            self.warnings.append([self.where(i, loc), warning])
        else:
            self.more[1] += 1

    def intern_user(self, raw: Any) -> int | str:
        from ffhooks.identity import check_user

        if raw is None or raw == "":
            return "has no user"
        if type(raw) is not str:
            return f"user {raw!r} is not a string"
        try:
            name = check_user(raw, "the source")
        except FatalError:
            found: int | str = (
                f"user {raw!r} is not a valid ffhooks user name (1-64 of a-z 0-9 . _ -, "
                "starting with a letter or digit)"
            )
        else:
            found = self.user_ix.get(name, len(self.users))
            if found == len(self.users):
                if found >= MAX_USERS:
                    raise FatalError(f"more than {MAX_USERS} users: migrate fewer files at once")
                self.users.append(name)
                self.user_ix[name] = found
        self.user_of[raw] = found
        return found

    def _task(self, raw: Any) -> int | str:
        if type(raw) is int:
            raw = str(raw)
            known = self.task_of.get(raw)
            if known is not None:
                return known
        if type(raw) is not str:
            return f"task {raw!r} is not a string"
        if not _TASK.fullmatch(raw) or raw == "*":  # * is the summaries' "no per-task split"
            found: int | str = f"task {raw!r} cannot be an ffhooks task name"
        else:
            found = len(self.tasks)
            if found >= MAX_TASKS:
                raise FatalError(f"more than {MAX_TASKS} tasks: migrate fewer files at once")
            self.tasks.append(raw)
        self.task_of[raw] = found
        return found

    # one session

    def take(
        self,
        i: int,
        loc: Any,
        raw_user: Any,
        raw_task: Any,
        raw_start: Any,
        raw_end: Any,
        raw_duration: Any,
        raw_billable: Any,
        legacy: bool,
    ) -> None:
        u = self.user_of.get(raw_user) if type(raw_user) is str else None
        if u is None:
            u = self.intern_user(raw_user)
        if type(u) is str:
            return self.skip(i, loc, u)
        t = self.task_of.get(raw_task) if type(raw_task) is str else None
        if t is None:
            t = self._task(raw_task)
        if type(t) is str:
            return self.skip(i, loc, t)
        assert type(u) is int and type(t) is int
        billable = True if raw_billable is None else raw_billable
        if type(billable) is not bool:
            return self.skip(i, loc, f"'billable' is {raw_billable!r}, not true or false")
        try:
            start = None if raw_start is None or raw_start == "" else _epoch(raw_start)
        except (ValueError, OverflowError, OSError):
            return self.skip(i, loc, f"start {raw_start!r} is not an ISO-8601 instant")
        try:
            end = None if raw_end is None or raw_end == "" else _epoch(raw_end)
        except (ValueError, OverflowError, OSError):
            return self.skip(i, loc, f"end {raw_end!r} is not an ISO-8601 instant")
        duration = None if raw_duration is None else _number(raw_duration)
        name = "duration" if legacy else "seconds"
        if end is None:
            if start is None:
                return self.skip(i, loc, "has neither start nor end")
            if duration is None:
                if raw_duration is not None:
                    return self.skip(i, loc, f"has no end and {name} {raw_duration!r} is no number")
                return self.open(i, loc, raw_user, raw_task, start)
            return self.by_duration(i, loc, u, t, start, True, duration, billable, legacy)
        if start is None:
            if duration is None:
                return self.skip(i, loc, "has no start")
            return self.by_duration(i, loc, u, t, end, False, duration, billable, legacy)
        if end < start:
            return self.skip(i, loc, f"ends ({raw_end}) before it starts ({raw_start})")
        if duration is not None:
            self.check_duration(i, loc, end - start, duration, legacy)
        elif raw_duration is not None:
            self.warn(i, loc, f"{name} {raw_duration!r} is no number: start and end used")
        self.count(i, loc, u, t, start, end, billable)

    def check_duration(self, i: int, loc: Any, actual: int, stored: float, legacy: bool) -> None:
        as_seconds = abs(stored - actual) <= TOLERANCE
        if not legacy:
            if not as_seconds:
                self.warn(i, loc, f"seconds {stored:g} disagree with start and end ({actual} s)")
            return
        as_hours = abs(stored * 3600 - actual) <= TOLERANCE
        votes = self.facts[i]["votes"]
        if as_hours and not as_seconds:
            votes[0] += 1
        elif as_seconds and not as_hours:
            votes[1] += 1
        elif not as_hours:
            self.warn(
                i,
                loc,
                f"duration {stored:g} disagrees with start and end ({actual} s, "
                f"{_hours(actual)}) by more than {TOLERANCE} s as hours or as seconds: start "
                "and end used",
            )

    def by_duration(
        self,
        i: int,
        loc: Any,
        u: int,
        t: int,
        anchor: int,
        forward: bool,
        duration: float,
        billable: bool,
        legacy: bool,
    ) -> None:
        if legacy:  # the unit is known once the whole file has been read
            self.deferred.append([i, loc, u, t, anchor, forward, duration, billable])
            return
        self.place(i, loc, u, t, anchor, forward, round(duration), billable, f"{duration:g} s")

    def place(
        self,
        i: int,
        loc: Any,
        u: int,
        t: int,
        anchor: int,
        forward: bool,
        seconds: int,
        billable: bool,
        shown: str,
    ) -> None:
        if seconds > LONGEST_BY_DURATION:
            return self.skip(
                i,
                loc,
                f"has no end and its duration ({shown}) is longer than a day: give it an end",
            )
        start, end = (anchor, anchor + seconds) if forward else (anchor - seconds, anchor)
        self.count(i, loc, u, t, start, end, billable)

    def settle(self, i: int) -> None:
        """Place the sessions of source `i` that have a duration but no end.

        The unit is the one the file's own sessions with start, end and duration agree with
        (hours or seconds, whichever more of them match); when none tell, a whole number
        above 24 is seconds and anything else hours.
        """
        facts = self.facts[i]
        hours, seconds = facts["votes"]
        unit = "hours" if hours > seconds else "seconds" if seconds > hours else None
        if hours or seconds:
            facts["unit"] = (
                f"{unit or 'undecided'} ({hours} sessions agree as hours, {seconds} as seconds)"
            )
        mine = [d for d in self.deferred if d[0] == i]
        self.deferred = [d for d in self.deferred if d[0] != i]
        for _, loc, u, t, anchor, forward, duration, billable in mine:
            loc = tuple(loc) if isinstance(loc, list) else loc
            as_hours = unit == "hours" or (
                unit is None and (duration != int(duration) or duration <= 24)
            )
            if as_hours:
                secs, shown = round(duration * 3600), f"{duration:g} h"
            else:
                secs, shown = round(duration), f"{duration:g} s"
            self.place(i, loc, u, t, anchor, forward, secs, billable, shown)
        if mine and facts["unit"] is None:
            facts["unit"] = "by value (no session with start, end and duration to tell)"

    def open(self, i: int, loc: Any, raw_user: Any, raw_task: Any, start: int | None) -> None:
        """A timer that never ended: listed with its age, never billed."""
        user = raw_user if isinstance(raw_user, str) else repr(raw_user)
        key = f"{user.strip().lower()}\0{start if start is not None else self.where(i, loc)}"
        if key in self.orphan_keys:
            return
        self.orphan_keys.add(key)
        self.facts[i]["orphans"] += 1
        task = loc[0] if isinstance(loc, tuple) else str(raw_task)
        self.orphans.append(
            [
                self.where(i, loc),
                user,
                task,
                to_iso(datetime.fromtimestamp(start, UTC)) if start is not None else None,
                self.now - start if start is not None else None,
            ]
        )

    def count(self, i: int, loc: Any, u: int, t: int, start: int, end: int, billable: bool) -> None:
        if start < EARLIEST:
            return self.skip(i, loc, f"starts before 2000 ({to_iso(_utc(start))}): a broken clock?")
        if end > self.now:
            return self.skip(i, loc, f"ends in the future ({to_iso(_utc(end))})")
        if end == start:
            self.facts[i]["empty"] += 1
            return None
        key = u << 68 | start << 34 | end
        first = self.seen.get(key)
        if first is not None:
            return self.duplicate(i, first, loc)
        self.seen[key] = i
        self.keys[i].extend((u, start, end))
        self.facts[i]["sessions"] += 1
        seconds = end - start
        if seconds > self.longest:
            self.warn(
                i,
                loc,
                f"lasts {_hours(seconds)}, longer than max_session_hours "
                f"({_hours(self.longest)}): migrated as recorded",
            )
        slot = 0 if billable else 1
        row = self.rows.get((u, t))
        if row is None:
            row = self.rows[(u, t)] = [0, 0, 0]
        row[slot] += seconds
        row[2] += 1
        expect = self.expect.get((i, u))
        if expect is None:
            expect = self.expect[(i, u)] = [0, 0]
        expect[slot] += seconds
        # split at midnight in the zone, as summary.totals does
        cells = self.cells
        base = i << 56 | u << 40 | t
        shift = _NB if slot else 0
        day = self.day_of(start)
        at = start
        while True:
            following = self.day_start(day + 1)
            cut = end if end < following else following
            if cut > at:
                key = base | day << 20
                add = (cut - at) << shift
                if at == start:  # a session counts once, where it starts
                    add += _SESSION + _FIRST
                cells[key] = cells.get(key, 0) + add
            if cut >= end:
                return None
            at, day = cut, day + 1

    def duplicate(self, i: int, first: int, loc: Any) -> None:
        self.facts[i]["duplicates"] += 1
        entry = self.dups.get((i, first))
        if entry is None:
            self.dups[(i, first)] = [1, self.where(i, loc)]
        else:
            entry[0] += 1

    def day_of(self, instant: int) -> int:
        if self.utc:
            return instant // 86400 + _ORDINAL_1970
        return datetime.fromtimestamp(instant, self.tz).toordinal()

    def day_start(self, ordinal: int) -> int:
        if self.utc:
            return (ordinal - _ORDINAL_1970) * 86400
        found = self._day_starts.get(ordinal)
        if found is None:
            found = int(day_start(date.fromordinal(ordinal), self.tz).timestamp())
            self._day_starts[ordinal] = found
        return found

    # what the legacy shapes hold

    def legacy_session(self, i: int, loc: tuple[str, int], raw: Any) -> None:
        if type(raw) is not dict:
            return self.skip(i, loc, "is not a session object")
        if DUP in raw:
            return self.skip(i, loc, f"has the key {raw[DUP]!r} twice")
        get = raw.get
        self.take(
            i,
            loc,
            get("user"),
            loc[0],
            get("start"),
            get("end"),
            get("duration"),
            get("billable"),
            True,
        )
        return None

    def line(self, i: int, number: int, raw: Any) -> None:
        if type(raw) is not dict:
            return self.skip(i, number, "is not a JSON object")
        if DUP in raw:
            return self.skip(i, number, f"has the key {raw[DUP]!r} twice")
        if raw.get("task") is None:
            return self.skip(i, number, "has no task")
        get = raw.get
        self.take(
            i,
            number,
            get("user"),
            get("task"),
            get("start"),
            get("end"),
            get("seconds"),
            get("billable"),
            False,
        )
        return None

    def field(self, i: int, loc: tuple[str, str], raw: Any) -> None:
        task, name = loc
        if name == "current_session":
            if raw is None:
                return
            if type(raw) is not dict:
                self.warn(i, loc, "is not an object: ignored (it cannot be billed anyway)")
                return
            try:
                start = _epoch(raw.get("start"))
            except (ValueError, OverflowError, OSError):
                start = None
            self.open(i, loc, raw.get("user"), task, start)
        elif name == "sessions" and raw not in (None, {}):
            self.skip(i, loc, "is not a list of sessions")

    def other(self, i: int, key: str, raw: Any) -> None:
        if key == "sessions" and raw not in ({}, [], None):
            self.skip(
                i,
                key,
                f"holds {len(raw) if isinstance(raw, (dict, list)) else 1} entries outside any "
                "task, which ffhooks does not know how to migrate",
            )

    # checkpoint

    def packed_cells(self) -> array[int]:
        """The cells as 64-bit words, five per cell: key, billable, non-billable, sessions
        touching the day, sessions first in the month."""
        flat = array("Q")
        for key, v in self.cells.items():
            flat.extend((key, v & _M48, v >> _NB & _M48, v >> 96 & _M32, v >> 128))
        return flat

    def unpack_cells(self, flat: array[int]) -> None:
        self.cells = {
            flat[n]: flat[n + 1] | flat[n + 2] << _NB | flat[n + 3] << 96 | flat[n + 4] << 128
            for n in range(0, len(flat), 5)
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "users": self.users,
            "tasks": self.tasks,
            "rows": [[*k, *v] for k, v in self.rows.items()],
            "expect": [[*k, *v] for k, v in self.expect.items()],
            "labels": self.labels,
            "dups": [[*k, *v] for k, v in self.dups.items()],
            "problems": self.problems,
            "warnings": self.warnings,
            "more": self.more,
            "orphans": self.orphans,
            "orphan_keys": sorted(self.orphan_keys),
            "facts": self.facts,
            "deferred": self.deferred,
            "notes": self.notes,
            "read": self.read,
        }

    def restore(self, doc: dict[str, Any]) -> None:
        self.users = doc["users"]
        self.user_ix = {u: n for n, u in enumerate(self.users)}
        self.user_of = dict(self.user_ix)
        self.tasks = doc["tasks"]
        self.task_of = {t: n for n, t in enumerate(self.tasks)}
        self.rows = {(r[0], r[1]): r[2:] for r in doc["rows"]}
        self.expect = {(r[0], r[1]): r[2:] for r in doc["expect"]}
        self.labels = doc["labels"]
        self.dups = {(r[0], r[1]): r[2:] for r in doc["dups"]}
        self.problems, self.warnings, self.more = doc["problems"], doc["warnings"], doc["more"]
        self.orphans, self.orphan_keys = doc["orphans"], set(doc["orphan_keys"])
        self.facts, self.deferred, self.notes = doc["facts"], doc["deferred"], doc["notes"]
        self.read = doc["read"]


def _utc(instant: int) -> datetime:
    return datetime.fromtimestamp(instant, UTC)


# -- the run ---------------------------------------------------------------------------------


def _read_all(
    tally: Tally,
    checkpoint: Checkpoint | None,
    start: tuple[int, dict[str, Any] | None],
    every: float,
    progress: Progress | None,
) -> None:
    total = sum(s.size for s in tally.sources) or 1
    before = sum(s.size for s in tally.sources[: start[0]])
    clock = time.monotonic
    next_save = clock() + every
    next_report = clock() + PROGRESS_SECONDS
    for i in range(start[0], len(tally.sources)):
        src = tally.sources[i]
        resume = start[1] if i == start[0] else None
        reader: LegacyReader | LinesReader = (
            LegacyReader(src.path, src.shown, resume)
            if src.kind == "legacy"
            else LinesReader(src.path, resume)
        )
        for kind, loc, value in reader.events():
            if kind == "session":
                tally.legacy_session(i, loc, value)
            elif kind == "line":
                tally.line(i, loc, value)
            elif kind == "bad":
                tally.skip(i, loc, value)
            elif kind == "field":
                tally.field(i, loc, value)
            elif kind == "other":
                tally.other(i, loc, value)
            elif kind == "duplicate-task":
                tally.warn(i, loc, "appears twice in the file: the sessions of both are read")
            tally.read += 1
            now = clock()
            if now >= next_save and checkpoint is not None:
                checkpoint.save(tally, i, reader.point(), tally.now)
                next_save = clock() + every
                next_report = 0
            if now >= next_report and progress is not None:
                progress(before + reader.done(), total, tally.read)
                next_report = now + PROGRESS_SECONDS
        if isinstance(reader, LegacyReader) and not reader.tasks:
            raise BrokenFile(
                src.shown,
                "holds no task (a legacy time file is a JSON object whose task keys hold "
                "sessions), so nothing was migrated",
                "check the path given to --source, or remove the file if it never held time",
            )
        stat = src.path.stat()
        if (stat.st_size, stat.st_mtime_ns) != (src.size, src.mtime_ns):
            raise FatalError(f"{src.shown} changed while being migrated: run the migration again")
        tally.settle(i)
        before += src.size
    if progress is not None:
        progress(total, total, tally.read)


def _periods(
    tally: Tally, keys: list[int], per_task: bool, by_day: bool
) -> dict[str, dict[str, dict[str, int]]]:
    """One store's month, as summary.totals would give it from the sessions."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    cells, tasks = tally.cells, tally.tasks
    for key in keys:
        v = cells[key]
        when = date.fromordinal(key >> 20 & _M20).isoformat()
        period = when if by_day else when[:7]
        task = tasks[key & _M20] if per_task else "*"
        slot = out.setdefault(period, {}).setdefault(task, dict.fromkeys(summary.TOTAL_KEYS, 0))
        slot["billable_seconds"] += v & _M48
        slot["non_billable_seconds"] += v >> _NB & _M48
        slot["sessions"] += v >> 96 & _M32 if by_day else v >> 128
    return {p: dict(sorted(out[p].items())) for p in sorted(out)}


def _plan(
    repo: Repo,
    tally: Tally,
    timezone: str,
    config: TeamConfig,
    *,
    write: bool,
    signer: str | None = None,
) -> tuple[list[str], int, list[Store]]:
    """Build each store's month; write (with `write`) those whose content changed. Returns
    the files written (or that would be), how many were already right, and the stores.
    When the team asks for signatures, `signer` signs them, and each says so.

    Files are written one by one as they are built, so memory never holds all of them.
    """
    own_key = signing_key(repo, config) if write else None
    sign = own_key.signer() if own_key else None
    by_store: dict[tuple[int, int], dict[str, list[int]]] = {}
    month_of: dict[int, str] = {}
    for key in tally.cells:
        day = key >> 20 & _M20
        month = month_of.get(day)
        if month is None:
            month = month_of[day] = date.fromordinal(day).isoformat()[:7]
        per_month = by_store.setdefault((key >> 56, key >> 40 & 0xFFFF), {})
        per_month.setdefault(month, []).append(key)
    written: list[str] = []
    unchanged = 0
    stores = []
    by_day = config.period == "day"
    for i, src in enumerate(tally.sources):
        for u, user in enumerate(tally.users):
            store = store_id(src.sha256, user)
            user_dir = repo.top / summary.SUMMARIES / user
            existing = store_months(user_dir, store)
            months = by_store.get((i, u), {})
            if (i, u) in tally.expect:
                b, nb = tally.expect[(i, u)]
                stores.append(Store(user, store, src.shown, b, nb))
            seq = max((s for files in existing.values() for s, _ in files), default=0)
            for month in sorted(set(months) | set(existing)):
                periods = _periods(tally, months.get(month, []), config.per_task, by_day)
                draft = summary.build(
                    user=user,
                    store=store,
                    month=month,
                    timezone=timezone,
                    seq=1,
                    detail=config.detail,
                    periods=periods,
                )
                if month in existing:
                    latest = trusted(existing[month][-1][1])
                    if (
                        latest is not None
                        and summary.same_content(draft, latest)
                        and signed_alike(latest, own_key)
                    ):
                        unchanged += 1
                        continue
                seq += 1
                doc = summary.seal({**draft, "seq": seq}, sign, signer if sign else None)
                path = user_dir / month / f"{store}-{seq}.json"
                if write:
                    _write(repo, path, doc)
                    bury(p for _, p in existing.get(month, []) if not summary.is_tombstone(p))
                written.append(path.relative_to(repo.top).as_posix())
    return written, unchanged, stores


def _write(repo: Repo, path: Path, doc: dict[str, Any]) -> None:
    from ffhooks.fsio import dump_json

    try:
        atomic_write(path, dump_json(doc), fsync=False)  # made durable together, in _stage
    except OSError as exc:
        raise FatalError(
            f"cannot write {path.relative_to(repo.top)} ({exc.strerror}): make sure "
            f"{summary.SUMMARIES} is a writable folder, then run `ffhooks migrate` again"
        ) from None


def _stage(repo: Repo, written: list[str], stores: list[Store]) -> None:
    """Stage what was written, and any file of these stores that is not staged yet (an
    interrupted run may have written files that this run finds already right)."""
    from ffhooks.fsio import sync_written
    from ffhooks.gitio import run_git

    sync_written(repo.top / p for p in written)
    mine = {f"{s.store}-" for s in stores}
    listed = run_git(
        ["ls-files", "-z", "--others", "--modified", "--", summary.SUMMARIES], repo.top
    )
    loose = [p for p in listed.split("\0") if p and p.rsplit("/", 1)[-1][:17] in mine]
    paths = [repo.top / p for p in sorted(set(written) | set(loose))]
    for n in range(0, len(paths), 500):
        stage(repo, paths[n : n + 500])


def migrate(
    repo: Repo,
    sources: list[Source],
    now: datetime,
    *,
    timezone: str,
    config: TeamConfig,
    dry_run: bool,
    checkpoint_seconds: float = 5.0,
    progress: Progress | None = None,
    signer: str | None = None,
) -> Outcome:
    """Read every source, add up its time, and (unless `dry_run`) write and stage the
    summaries that changed. An interrupted run leaves a checkpoint; the next run on the same
    sources resumes from it and ends with the same files."""
    if len(sources) > MAX_SOURCES:
        raise FatalError(f"more than {MAX_SOURCES} sources: migrate them in several runs")
    tz = zone(timezone)
    tally = Tally(sources, tz, int(now.timestamp()), config.max_session_seconds)
    if dry_run:
        load_ledgers(repo, tally)
        _read_all(tally, None, (0, None), math.inf, progress)
        tally.seen = {}  # the largest table, needed only while reading
        would, unchanged, stores = _plan(repo, tally, timezone, config, write=False)
        return _outcome(tally, timezone, would, unchanged, stores, 0)
    with locked(state_folder(repo) / ".lock", "the migration"):
        ledgers = load_ledgers(repo, tally)
        run = hashlib.sha256(
            json.dumps(
                [
                    CHECKPOINT_VERSION,
                    [(s.sha256, s.kind) for s in sources],
                    timezone,
                    config.max_session_seconds,
                    ledgers,
                ]
            ).encode()
        ).hexdigest()
        checkpoint = Checkpoint(state_folder(repo) / "checkpoint", run)
        loaded = checkpoint.load(tally)
        resumed = 0
        start: tuple[int, dict[str, Any] | None] = (0, None)
        if loaded is not None:
            resumed = tally.read
            tally.now = loaded["now"]  # the interrupted run's clock, for the same result
            start = (loaded["source"], loaded["position"])
        else:
            checkpoint.clear()
        _read_all(tally, checkpoint, start, checkpoint_seconds, progress)
        tally.seen = {}
        if checkpoint.gen:
            checkpoint.save(tally, len(sources), None, tally.now)
        written, unchanged, stores = _plan(repo, tally, timezone, config, write=True, signer=signer)
        _stage(repo, written, stores)
        save_ledgers(repo, tally, now)
        checkpoint.clear()
    return _outcome(tally, timezone, written, unchanged, stores, resumed)


def _outcome(
    tally: Tally,
    timezone: str,
    written: list[str],
    unchanged: int,
    stores: list[Store],
    resumed: int,
) -> Outcome:
    rows = sorted(
        (Row(tally.users[u], tally.tasks[t], *v) for (u, t), v in tally.rows.items()),
        key=lambda r: (r.user, r.task),
    )
    facts = [
        SourceFacts(
            s.shown,
            s.kind,
            s.sha256,
            f["sessions"],
            f["duplicates"],
            f["skipped"],
            f["orphans"],
            f["empty"],
            f["unit"],
        )
        for s, f in zip(tally.sources, tally.facts, strict=True)
    ]
    duplicates = [
        Duplicates(tally.labels[i], tally.labels[first], n, example)
        for (i, first), (n, example) in sorted(tally.dups.items())
    ]
    return Outcome(
        timezone,
        facts,
        rows,
        stores,
        [Orphan(*o) for o in tally.orphans],
        duplicates,
        [Note(*p) for p in tally.problems],
        tally.more[0],
        [Note(*w) for w in tally.warnings],
        tally.more[1],
        tally.notes,
        written,
        unchanged,
        resumed,
    )


def verify(repo: Repo, outcome: Outcome) -> list[str]:
    """Re-read the summaries in the work tree (newest per store and month, checksums and
    schema checked) and compare each user's seconds in the migrated stores with the sources'.
    Returns the disagreements."""
    from ffhooks import report

    ours = {s.store for s in outcome.stores}
    files = []
    for path, data in report.read_worktree(repo.top):
        where = summary.parse_path(path)
        if where is not None and where.store in ours:
            files.append((path, data))
    found: dict[str, list[int]] = {}
    for cell in report.cells(report.summaries(files)):
        slot = found.setdefault(cell.user, [0, 0])
        slot[0] += cell.billable_seconds
        slot[1] += cell.non_billable_seconds
    wanted: dict[str, list[int]] = {}
    for s in outcome.stores:
        slot = wanted.setdefault(s.user, [0, 0])
        slot[0] += s.billable_seconds
        slot[1] += s.non_billable_seconds
    problems = []
    for user in sorted(set(found) | set(wanted)):
        got, want = found.get(user, [0, 0]), wanted.get(user, [0, 0])
        if got != want:
            problems.append(
                f"{user}: the summaries hold {got[0]} billable and {got[1]} non-billable "
                f"seconds, the sources {want[0]} and {want[1]}"
            )
    return problems
