"""`ffhooks migrate`'s run: every source read, its time added up, the summaries written.

The parts, in the order a run uses them:

- `ffhooks.migrate.sources`: the files to read, told apart and hashed; their backup.
- `ffhooks.migrate.jsonstream`: each file read one entry at a time, never loaded whole.
- `ffhooks.migrate.entries` (with `ffhooks.migrate.values`): what each entry means.
- `ffhooks.migrate.tally` (packed as `ffhooks.migrate.cells` says): time added up per (source, user,
  task, day) at once, so memory holds the day totals and one small key per session.
- `ffhooks.migrate.plan`: the summaries built from the tally, written, staged, verified.
- `ffhooks.migrate.state`: ledgers of earlier migrations and checkpoints of this one.

A source's sessions become, per user, one frozen store whose id is derived from the source's
content and the user: running again on the same content writes nothing. A session (user,
start, end) seen before, in this run or in an earlier migration recorded in this clone's
ledger, is counted once. Long runs leave a checkpoint in the clone's machine state and resume
from it. Timers that never ended are listed, never billed. Nothing here prints.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable
from datetime import datetime

from ffhooks.clock import zone
from ffhooks.config import TeamConfig
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import locked
from ffhooks.git.plumbing import Repo
from ffhooks.migrate import entries, runs
from ffhooks.migrate.cells import MAX_SOURCES
from ffhooks.migrate.jsonstream import LegacyReader, LinesReader
from ffhooks.migrate.plan import FrozenStore, plan, stage_all
from ffhooks.migrate.sources import Source
from ffhooks.migrate.state import (
    CHECKPOINT_VERSION,
    Checkpoint,
    load_ledgers,
    save_ledgers,
    state_folder,
)
from ffhooks.migrate.tally import Tally
from ffhooks.records import Any, NamedTuple

PROGRESS_SECONDS = 0.2


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


class MigrationOutcome(NamedTuple):
    timezone: str
    sources: list[SourceFacts]
    rows: list[Row]
    stores: list[FrozenStore]
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
    run: str | None = None  # the id of the run's record (migrate/runs.py), None if it wrote none


Progress = Callable[[int, int, int], None]  # (bytes done, bytes in all, entries read)


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
                entries.legacy_session(tally, i, loc, value)
            elif kind == "line":
                entries.line(tally, i, loc, value)
            elif kind == "bad":
                tally.skip(i, loc, value)
            elif kind == "field":
                entries.field(tally, i, loc, value)
            elif kind == "other":
                entries.other(tally, i, loc, value)
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
        entries.settle(tally, i)
        before += src.size
    if progress is not None:
        progress(total, total, tally.read)


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
) -> MigrationOutcome:
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
        would, unchanged, stores = plan(repo, tally, timezone, config, write=False)
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
        written, unchanged, stores = plan(repo, tally, timezone, config, write=True, signer=signer)
        stage_all(repo, written, stores)
        save_ledgers(repo, tally, now)
        recorded = runs.save(repo, tally, written, now, timezone)
        checkpoint.clear()
    return _outcome(tally, timezone, written, unchanged, stores, resumed)._replace(run=recorded)


def _outcome(
    tally: Tally,
    timezone: str,
    written: list[str],
    unchanged: int,
    stores: list[FrozenStore],
    resumed: int,
) -> MigrationOutcome:
    rows = sorted(
        (
            Row(
                user=tally.users[u],
                task=tally.tasks[t],
                billable_seconds=v[0],
                non_billable_seconds=v[1],
                sessions=v[2],
            )
            for (u, t), v in tally.rows.items()
        ),
        key=lambda r: (r.user, r.task),
    )
    facts = [
        SourceFacts(
            shown=s.shown,
            kind=s.kind,
            sha256=s.sha256,
            sessions=f["sessions"],
            duplicates=f["duplicates"],
            skipped=f["skipped"],
            orphans=f["orphans"],
            empty=f["empty"],
            unit=f["unit"],
        )
        for s, f in zip(tally.sources, tally.facts, strict=True)
    ]
    duplicates = [
        Duplicates(source=tally.labels[i], first=tally.labels[first], sessions=n, example=example)
        for (i, first), (n, example) in sorted(tally.dups.items())
    ]
    return MigrationOutcome(
        timezone=timezone,
        sources=facts,
        rows=rows,
        stores=stores,
        orphans=[Orphan(*o) for o in tally.orphans],
        duplicates=duplicates,
        problems=[Note(*p) for p in tally.problems],
        more_problems=tally.more[0],
        warnings=[Note(*w) for w in tally.warnings],
        more_warnings=tally.more[1],
        notes=tally.notes,
        written=written,
        unchanged=unchanged,
        resumed=resumed,
    )
