"""One user's private time store: `.flowforge/user/<user>/`.

    store.json               id, time zone, aggregation bookkeeping
    time/current.json        the running or paused timer
    time/daily/<day>.json    completed sessions, filed by the day they start

A daily file's name is where a session is filed, not what it means: a session's instants are
the truth, and readers look two days either side so that changing the time zone never needs
a refile. Every change to the store, whatever files it spans, is one transaction: the new
contents are copied outside the work tree first (a snapshot: store/snapshot.take_change),
then go to `journal.json`, then to their files, then the journal goes; a journal left by a
crash is replayed by the next command before it reads anything. A crash before the journal
leaves the store as it was, and a snapshot of the change it did not make: the store's next
change is snapshotted from the store, so that one is the newest again.
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ffhooks import clock
from ffhooks.clock import detect_timezone, local_date, to_iso, zone
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import (
    atomic_write,
    dump_json,
    fsync_folder,
    quarantine,
    sync_written,
    write_json,
)
from ffhooks.records import Any
from ffhooks.store.sessions import Session, Timer, day_files, find_session
from ffhooks.validator.schema import read_json

SLACK_DAYS = 2  # two zones' calendar days for one instant differ by at most this
BULK_FILES = 8


def new_writer() -> str:
    return os.urandom(4).hex()


class Store:
    """A user's store, opened under its lock by `store/open.open_store`."""

    def __init__(self, root: Path, top: Path, state_dir: Path, user: str, now: datetime) -> None:
        self.root = root
        self.top = top
        self.state_dir = state_dir
        self.user = user
        self.now = now
        # whether each change is copied outside the work tree first: a user's store opened
        # by store/open.py, not a retired store's header written under the clone's state
        self.keeps_copies = False
        # what the copy of each change records for `ffhooks undo`: the words typed after
        # `ffhooks` (None: no command, the commit hook), and the change an undo takes back
        # or a redo makes again
        self.command: tuple[str, ...] | None = None
        self.undoes: int | None = None
        self.redoes: int | None = None
        self.header: dict[str, Any] | None = None
        self._days: dict[date, list[Session]] = {}
        self._timer: Timer | None = None
        self._day_names: dict[date, str] | None = None
        self._sorted_days: list[date] | None = None

    # -- paths and reading -------------------------------------------------------------------

    @property
    def daily_dir(self) -> Path:
        return self.root / "time" / "daily"

    @property
    def current_path(self) -> Path:
        return self.root / "time" / "current.json"

    @property
    def header_path(self) -> Path:
        return self.root / "store.json"

    @property
    def journal_path(self) -> Path:
        return self.root / "journal.json"

    @property
    def exists(self) -> bool:
        return self.header is not None

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.header["timezone"] if self.header else detect_timezone())

    @property
    def zones(self) -> clock.ZoneHistory:
        """The zone in effect at each instant: days and months are cut by it."""
        return clock.zone_history(self.header)

    def shown(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.top))
        except ValueError:
            return str(path)

    def read(self, path: Path, schema: str) -> Any:
        """Read a private file; a broken one is moved aside (bytes intact) and reported."""
        shown = self.shown(path)
        try:
            raw = read_json(path, shown, "", schema)
            if schema in ("daily", "current"):
                from ffhooks.validator.checks import semantic_problems

                for at, problem in semantic_problems(schema, raw, shown)[:1]:
                    raise BrokenFile(shown, f"{at}: {problem}", "")
            return raw
        except BrokenFile as exc:
            moved = quarantine(path, self.top, self.state_dir, self.now)
            self._mark_quarantined(path, moved)
            raise BrokenFile(
                shown,
                exc.problem,
                f"moved it to {moved} so nothing overwrites it: repair it and move it back, "
                "or restore it from a snapshot (`ffhooks recover restore`)",
            ) from None

    def _mark_quarantined(self, path: Path, moved: Path) -> None:
        """Remember a file moved aside: until it is restored or its loss accepted, folding
        this store would publish its months without it (replacing time already billed)."""
        if self.header is None or path == self.header_path:
            return  # without store.json nothing is folded (and a restore is required)
        mark = {"file": path.relative_to(self.root).as_posix(), "moved_to": str(moved)}
        marks = [*self.header.get("quarantined", ()), {**mark, "at": to_iso(self.now)}]
        self.header = {**self.header, "quarantined": marks}
        self._commit({self.header_path: self.header})

    def rehome(self) -> None:
        """`ffhooks store moved`: this work tree is the store's home now, with a new writer
        id, so its summaries stay told apart from any written at the old place."""
        if self.header is None:
            raise FatalError("internal: the store must be created before it is written")
        self.header = {**self.header, "home": str(self.top), "writer": new_writer()}
        self._commit({self.header_path: self.header})

    def check_home(self) -> None:
        """Refuse to write a store copied from another work tree (`cp -r` of a clone): two
        places writing one store id would make one's time vanish behind the other's seq."""
        home = (self.header or {}).get("home")
        if home is not None and Path(home) != self.top:
            raise FatalError(
                f"{self.shown(self.header_path)} belongs to the work tree {home}, not to this "
                f"one ({self.top}): if this folder is a copy, `ffhooks store fork` gives it a "
                "new, empty store (the copied sessions stay billed by the original); if the "
                "work tree was moved here, `ffhooks store moved`"
            )

    def timer(self) -> Timer:
        """The running or paused timer (read once per command, then kept up to date)."""
        if self._timer is None:
            try:
                self._timer = Timer.from_json(self.read(self.current_path, "current"))
            except FileNotFoundError:
                self._timer = Timer()
        return self._timer

    def _list_days(self) -> dict[date, str]:
        if self._day_names is None:
            self._day_names = day_files(self.daily_dir)
        return self._day_names

    def day(self, day: date) -> list[Session]:
        """The sessions filed under `day` (cached for this command)."""
        if day not in self._days:
            name = self._list_days().get(day)
            sessions: list[Session] = []
            if name is not None:
                path = self.daily_dir / name
                try:
                    raw = self.read(path, "daily")
                except FileNotFoundError:
                    raw = {"sessions": []}
                sessions = [Session.from_json(s) for s in raw["sessions"]]
            self._days[day] = sessions
        return self._days[day]

    def files_read(self) -> list[str]:
        """The files of the store this command read, its days and its timer (paths from the
        top): a commit's copy of the store holds them with what the fold wrote."""
        names = self._day_names or {}
        found = [self.daily_dir / names[d] for d in sorted(self._days) if d in names]
        if self._timer is not None:
            found.append(self.current_path)
        return [p.relative_to(self.top).as_posix() for p in found]

    def filed_days(self) -> list[date]:
        if self._sorted_days is None:
            self._sorted_days = sorted(self._list_days())
        return self._sorted_days

    def sessions_between(self, lo: datetime, hi: datetime) -> list[Session]:
        """Every session overlapping [lo, hi), ordered by start."""
        longest = timedelta(seconds=self.header["longest_seconds"] if self.header else 0)
        first = local_date(lo - longest, self.tz) - timedelta(days=SLACK_DAYS)
        last = local_date(hi, self.tz) + timedelta(days=SLACK_DAYS)
        days = self.filed_days()
        found = [
            s
            for d in days[bisect_left(days, first) : bisect_right(days, last)]
            for s in self.day(d)
            if s.start < hi and s.end > lo
        ]
        return sorted(found, key=lambda s: s.start)

    def started_between(self, first: date | None, last: date | None) -> list[Session]:
        """Every session that starts on a day of [first, last] (the store's days; None:
        unbounded), ordered by start."""
        if first is None and last is None:
            return sorted(self.all_sessions(), key=lambda s: s.start)
        lo = clock.day_start(first or date(1970, 1, 1), self.tz)
        hi = clock.day_start((last or date(9998, 12, 31)) + timedelta(days=1), self.tz)
        return [s for s in self.sessions_between(lo, hi) if lo <= s.start < hi]

    def all_sessions(self) -> Iterator[Session]:
        for d in self.filed_days():
            yield from self.day(d)

    def find(self, prefix: str) -> Session:
        """The session whose id starts with `prefix` (at least 4 characters, like git)."""
        return find_session(self.all_sessions(), prefix)

    # -- writing -------------------------------------------------------------------------------

    def apply(
        self,
        added: Iterable[Session] = (),
        removed: Iterable[Session] = (),
        timer: Timer | None = None,
    ) -> None:
        """Add and remove sessions and set the timer, all in one transaction."""
        if self.header is None:
            raise FatalError("internal: the store must be created before it is written")
        self.check_home()
        tz, zones = self.tz, self.zones
        files: dict[Path, Any] = {}
        touched: dict[date, list[Session]] = {}
        months: set[str] = set()
        longest = self.header["longest_seconds"]
        for s in removed:
            day = local_date(s.start, tz)
            # the file it was read from may be a neighbour (a zone change); find it there
            for d in sorted(self._list_days(), key=lambda d: abs((d - day).days)):
                if abs((d - day).days) > SLACK_DAYS:
                    break
                if any(x.id == s.id for x in touched.get(d, self.day(d))):
                    touched[d] = [x for x in touched.get(d, self.day(d)) if x.id != s.id]
                    break
            months |= clock.months_of(s.start, s.end, zones)
        for s in added:
            day = local_date(s.start, tz)
            touched[day] = [*touched.get(day, self.day(day)), s]
            months |= clock.months_of(s.start, s.end, zones)
            longest = max(longest, s.seconds)
        for day, sessions in touched.items():
            sessions.sort(key=lambda s: s.start)
            files[self.daily_dir / f"{day.isoformat()}.json"] = {
                "version": 1,
                "date": day.isoformat(),
                "sessions": [s.to_json() for s in sessions],
            }
        if timer is not None:
            files[self.current_path] = timer.to_json()
        self._refuse_quarantined(files)
        self._refuse_pruned(months)
        dirty = sorted(set(self.header["dirty"]) | months)
        if (
            dirty != self.header["dirty"]
            or longest != self.header["longest_seconds"]
            or "home" not in self.header
        ):
            self.header = {**self.owned(), "dirty": dirty, "longest_seconds": longest}
            files[self.header_path] = self.header
        self._commit(files)
        for day, sessions in touched.items():
            self._days[day] = sessions
            self._list_days()[day] = f"{day.isoformat()}.json"
        self._sorted_days = None
        if timer is not None:
            self._timer = timer

    def _refuse_quarantined(self, files: dict[Path, Any]) -> None:
        """A file moved to the quarantine is not written anew until it is restored or its
        loss accepted: its last good copy lives on in the newest snapshot only while the
        store has no other version of it."""
        for mark in (self.header or {}).get("quarantined", ()):
            if self.root / mark["file"] in files:
                raise FatalError(
                    f"{self.shown(self.root / mark['file'])} is in the quarantine "
                    f"({mark['moved_to']}) and this would write it anew: `ffhooks recover "
                    f"restore` brings it back (or `ffhooks recover forget {mark['file']}` "
                    "accepts its loss), then run this again"
                )

    @property
    def pruned(self) -> set[str]:
        """Months whose private detail retention removed: their committed summaries are the
        record now, and nothing folds or changes them again here (recovery/retention.py)."""
        return set((self.header or {}).get("pruned", ()))

    def _refuse_pruned(self, months: set[str]) -> None:
        frozen = sorted(months & self.pruned)
        if frozen:
            raise FatalError(
                f"{frozen[0]} is closed and its private detail was removed under the team's "
                "retention (its committed summary is the record): time cannot be added to it "
                "or taken from it; ask whoever closes periods to bill the change apart"
            )

    def prune(self, months: Iterable[str], files: list[Path]) -> None:
        """Record `months` as pruned (never folded or changed again) and empty `files`,
        daily files whose every session lies in pruned months, in one change (its copy
        holds them empty); then delete them. A crash before the deletion leaves empty files
        that the next prune deletes."""
        if self.header is None:
            raise FatalError("internal: the store must be created before it is written")
        self.check_home()
        self.header = {**self.owned(), "pruned": sorted(self.pruned | set(months))}
        emptied: dict[Path, Any] = {
            path: {"version": 1, "date": path.stem, "sessions": []} for path in files
        }
        self._commit({**emptied, self.header_path: self.header})
        for path in files:
            path.unlink(missing_ok=True)
        if files:
            fsync_folder(self.daily_dir)
        self._days.clear()
        self._day_names = self._sorted_days = None

    def forget(self, file: str, **changes: Any) -> None:
        """`ffhooks recover forget`: accept the loss of the quarantined `file` (relative to
        the store's folder) as a change of the store: it is written empty (no sessions, no
        timer), so that no snapshot brings its old contents back later."""
        if self.header is None:
            raise FatalError("internal: the store must be created before it is written")
        self.check_home()
        path = self.root / file
        files: dict[Path, Any] = {}
        if path == self.current_path:
            files[path] = Timer().to_json()
        elif path.parent == self.daily_dir and path.suffix == ".json":
            try:
                day: date | None = date.fromisoformat(path.stem)
            except ValueError:
                day = None  # a name no day has: nothing reads it, nothing to write
            if day is not None:
                files[path] = {"version": 1, "date": day.isoformat(), "sessions": []}
        self.header = {**self.owned(), **changes}
        files[self.header_path] = self.header
        self._commit(files)

    def set_header(self, *, copies: Mapping[str, bytes] | None = None, **changes: Any) -> None:
        """Write the header with `changes`; `copies` (path from the top: bytes), what the
        caller writes next under the same lock (the fold's summaries), goes into the same
        copy outside the work tree, made before either is written."""
        if self.header is None:
            raise FatalError("internal: the store must be created before it is written")
        self.check_home()
        self.header = {**self.owned(), **changes}
        self._commit({self.header_path: self.header}, copies)

    def owned(self) -> dict[str, Any]:
        """The header, with this work tree recorded as its home (stores made before homes
        were recorded get theirs at their first write)."""
        header = self.header or {}
        if "home" in header:
            return header
        return {**header, "home": str(self.top), "writer": new_writer()}

    def _commit(self, files: dict[Path, Any], copies: Mapping[str, bytes] | None = None) -> None:
        data = {path: dump_json(value) for path, value in files.items()}
        if not self.keeps_copies:
            self._write(files, data)
            return
        from ffhooks.store.snapshot import take_change

        pending = {p.relative_to(self.top).as_posix(): b for p, b in data.items()}
        copied = take_change(
            self, {**pending, **(copies or {})}, "aggregate" if copies else "change"
        )
        try:
            self._write(files, data)
        finally:
            copied()  # the copy is durable too

    def _write(self, files: dict[Path, Any], data: dict[Path, bytes]) -> None:
        if len(files) == 1:
            for path, content in data.items():
                atomic_write(path, content)
            return
        rel = {str(path.relative_to(self.root)): value for path, value in files.items()}
        write_json(self.journal_path, {"version": 1, "files": rel})
        # The journal is durable, so a bulk write may sync once instead of once per file.
        bulk = len(files) > BULK_FILES
        for path, content in data.items():
            atomic_write(path, content, fsync=not bulk)
        if bulk:
            sync_written(files)
        self.journal_path.unlink()
        fsync_folder(self.root)  # or a crash could bring the journal back over later writes

    def replay_journal(self) -> None:
        """Finish a transaction that a crash interrupted (every file holds whole contents)."""
        fix = "it records an interrupted write; move it aside and check your sessions"
        try:
            # its schema allows only the store's own files as targets
            journal = read_json(self.journal_path, self.shown(self.journal_path), fix, "journal")
        except FileNotFoundError:
            return
        for rel, value in journal["files"].items():
            write_json(self.root / rel, value)
        self.journal_path.unlink()
        fsync_folder(self.root)  # or a crash could bring the journal back over later writes
