"""The running totals of a migration: what it has counted, skipped and listed so far.

A `Tally` adds up time per (source, user, task, day) as sessions come (`ffhooks.migrate.cells`
packs it), keeps one small key per distinct session (to count it once), and lists what was
skipped, warned about, or left running. Judging what a raw entry means is
`ffhooks.migrate.entries`; saving the tally at a checkpoint is `ffhooks.migrate.state`,
through `to_json` and `restore`.
"""

from __future__ import annotations

import json
import re
from array import array
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ffhooks.clock import UTC, day_start, to_iso
from ffhooks.errors import FatalError
from ffhooks.migrate.cells import MAX_TASKS, MAX_USERS, NON_BILLABLE, STARTS, session_key
from ffhooks.migrate.sources import Source
from ffhooks.migrate.values import hours
from ffhooks.records import Any

EARLIEST = 946684800  # 2000-01-01T00:00:00Z: anything before is a broken clock
KEPT = 100_000  # problems and warnings kept in full; beyond, only counted

_TASK = re.compile(r"[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,98}[^\s\x00-\x1f\x7f])?")  # schema
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"})
_ORDINAL_1970 = 719163


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
        self.cells: dict[int, int] = {}  # packed, see ffhooks.migrate.cells
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
        """The index of a user as written in a source, or why it cannot be one."""
        from ffhooks.store.identity import check_user

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

    def intern_task(self, raw: Any) -> int | str:
        """The index of a task as written in a source, or why it cannot be one."""
        if type(raw) is int:
            raw = str(raw)
        known = self.task_of.get(raw) if type(raw) is str else None
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

    # adding up

    def count(self, i: int, loc: Any, u: int, t: int, start: int, end: int, billable: bool) -> None:
        """One session of source `i` (user `u`, task `t`), unless seen before."""
        if start < EARLIEST:
            return self.skip(i, loc, f"starts before 2000 ({to_iso(_utc(start))}): a broken clock?")
        if end > self.now:
            return self.skip(i, loc, f"ends in the future ({to_iso(_utc(end))})")
        if end == start:
            self.facts[i]["empty"] += 1
            return None
        key = session_key(u, start, end)
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
                f"lasts {hours(seconds)}, longer than max_session_hours "
                f"({hours(self.longest)}): migrated as recorded",
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
        # split at midnight in the zone, as summary.totals does; keys and values packed as
        # ffhooks.migrate.cells says (inline here, once per session and day)
        cells = self.cells
        base = i << 56 | u << 40 | t
        shift = NON_BILLABLE if slot else 0
        day = self.day_of(start)
        at = start
        while True:
            following = self.day_start(day + 1)
            cut = end if end < following else following
            if cut > at:
                key = base | day << 20
                add = (cut - at) << shift
                if at == start:  # a session counts once, where it starts
                    add += STARTS
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

    # checkpoint (the cells are saved apart, as `migrate/cells.packed` gives them)

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
