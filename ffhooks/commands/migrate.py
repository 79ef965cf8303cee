"""`ffhooks migrate`: legacy FlowForge time files and JSON-lines exports into the summaries.

Exit 0 when every entry was carried (duplicates counted once, by design); 1 when entries
were left out (skipped as broken, or orphaned timers that never ended: the rest is still
written), when `--verify` finds a difference, or for a source that cannot be read at all
(then nothing is written).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime

from ffhooks import progress
from ffhooks.clock import format_duration, zone
from ffhooks.config import load_config
from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo
from ffhooks.migrate import plan as legacy_plan
from ffhooks.migrate import run as legacy
from ffhooks.migrate import runs as migrate_runs
from ffhooks.migrate import sources as legacy_sources
from ffhooks.records import Any

DEFAULT_TIMEZONE = "UTC"  # what legacy files record; the same days on every machine
CHECKPOINT_ENV = "FFHOOKS_MIGRATE_CHECKPOINT_SECONDS"


def _checkpoint_seconds() -> float:
    text = os.environ.get(CHECKPOINT_ENV, "")
    if not text:
        return 5.0
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise FatalError(f"{CHECKPOINT_ENV}={text!r} is not a number of seconds, e.g. 5")
    return value


def _who(repo: Repo) -> str:
    from ffhooks.store.identity import resolve_user

    try:
        return resolve_user(None, os.environ, repo.top)
    except FatalError:
        return "unknown"


def _hms(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "unknown age"
    days = seconds // 86400
    return f"{days} days ago" if days else f"{format_duration(max(seconds, 0))} ago"


def migrate(
    repo: Repo,
    now: datetime,
    *,
    sources: list[str],
    timezone: str | None,
    dry_run: bool,
    backup: bool,
    verify: bool,
    as_json: bool,
    runs: bool = False,
    rollback: str | None = None,
    force: bool = False,
) -> int:
    if runs:
        return _list_runs(repo, as_json)
    if rollback is not None:
        return _rollback(repo, now, rollback or None, sources, force, as_json)
    if force:
        raise FatalError("--force goes with --rollback")
    tz_name = timezone or DEFAULT_TIMEZONE
    zone(tz_name)
    every = _checkpoint_seconds()
    found, notes = legacy_sources.find_sources(repo, sources)
    config = load_config(repo.flowforge)
    saved = None
    if backup and dry_run:
        notes.append("--backup is not done with --dry-run (it writes nothing)")
    elif backup:
        saved = legacy_sources.backup(repo, found, user=_who(repo), now=now)
    with progress.bar("migrating", "entries") as drawn:
        outcome = legacy.migrate(
            repo,
            found,
            now,
            timezone=tz_name,
            config=config,
            dry_run=dry_run,
            checkpoint_seconds=every,
            progress=drawn,
            signer=_who(repo),
        )
    mismatches = legacy_plan.verify(repo, outcome.stores) if verify else None
    notes += outcome.notes
    if as_json:
        print(json.dumps(_as_json(outcome, dry_run, notes, saved, mismatches), indent=2))
    else:
        _print(outcome, dry_run, notes, saved, mismatches)
    skipped = len(outcome.problems) + outcome.more_problems
    return 1 if skipped or outcome.orphans or mismatches else 0


def _list_runs(repo: Repo, as_json: bool) -> int:
    found = [r.doc for r in migrate_runs.listed(repo)]
    if as_json:
        print(json.dumps({"runs": found}, indent=2))
        return 0
    if not found:
        print("No migration run recorded in this clone")
    for run in found:
        back = run["rolled_back"]
        state = f", rolled back {back[-1]['at']}" if back else ""
        shown = ", ".join(s["shown"] for s in run["sources"])
        print(f"{run['id']}  {len(run['files'])} file(s) from {shown}{state}")
    return 0


def _rollback(
    repo: Repo, now: datetime, name: str | None, sources: list[str], force: bool, as_json: bool
) -> int:
    run = migrate_runs.find(repo, name)
    picked = migrate_runs.chosen(run, sources)
    done = migrate_runs.rollback(
        repo, run, picked, load_config(repo.flowforge), force=force, now=now, signer=_who(repo)
    )
    if as_json:
        print(json.dumps(done._asdict(), indent=2))
        return 0
    removed = done.removed
    lost = [sum(v[i] for v in removed.values()) for i in (0, 1)]
    print(
        f"Rolled back run {done.run} ({len(picked)} source(s)): the report loses "
        f"{_hms(lost[0])} billable and {_hms(lost[1])} non-billable time"
    )
    if done.deleted:
        print(f"  {len(done.deleted)} summary file(s) never committed: deleted and unstaged")
    if done.written:
        print(
            f"  {len(done.written)} summary file(s) written back to the figures before the run, "
            "staged: commit them"
        )
    if done.since is None:
        print("The run's other sources stay in the report.")
    elif not done.since:
        print("Verified: the report of the months it wrote is what it was before the run.")
    else:
        print(
            f"Verified: it took back exactly what the run added; the report differs from before "
            f"the run in {len(done.since)} user/task/month figure(s) changed since, which stay."
        )
    return 0


def _totals(outcome: legacy.MigrationOutcome) -> dict[str, int]:
    return {
        "billable_seconds": sum(r.billable_seconds for r in outcome.rows),
        "non_billable_seconds": sum(r.non_billable_seconds for r in outcome.rows),
        "sessions": sum(r.sessions for r in outcome.rows),
    }


def _as_json(
    outcome: legacy.MigrationOutcome,
    dry_run: bool,
    notes: list[str],
    saved: Any,
    mismatches: list[str] | None,
) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "timezone": outcome.timezone,
        "resumed_entries": outcome.resumed,
        "sources": [f._asdict() for f in outcome.sources],
        "rows": [r._asdict() for r in outcome.rows],
        "totals": _totals(outcome),
        "stores": [s._asdict() for s in outcome.stores],
        "orphaned_timers": [o._asdict() for o in outcome.orphans],
        "duplicates": [d._asdict() for d in outcome.duplicates],
        "warnings": [w._asdict() for w in outcome.warnings],
        "more_warnings": outcome.more_warnings,
        "problems": [p._asdict() for p in outcome.problems],
        "more_problems": outcome.more_problems,
        "notes": notes,
        "written" if not dry_run else "would_write": outcome.written,
        "unchanged": outcome.unchanged,
        "run": outcome.run,
        "backup": None
        if saved is None
        else {
            "snapshot": saved.id,
            "manifest": str(saved.path),
            "files": [e._asdict() for e in saved.files],
        },
        "verify": None if mismatches is None else {"ok": not mismatches, "problems": mismatches},
    }


def _print(
    outcome: legacy.MigrationOutcome,
    dry_run: bool,
    notes: list[str],
    saved: Any,
    mismatches: list[str] | None,
) -> None:
    if saved is not None:
        print(f"Backed up {len(saved.files)} source(s) in snapshot {saved.id} ({saved.path})")
    if outcome.resumed:
        print(f"Resumed an interrupted migration ({outcome.resumed:,} entries already read)")
    print(f"{'Would migrate' if dry_run else 'Migrated'} (days cut in {outcome.timezone}):")
    for f in outcome.sources:
        parts = [f"{f.sessions:,} sessions"]
        for n, what in (
            (f.duplicates, "duplicates counted once"),
            (f.skipped, "skipped"),
            (f.orphans, "orphaned timers"),
            (f.empty, "of zero length"),
        ):
            if n:
                parts.append(f"{n:,} {what}")
        kind = "legacy JSON" if f.kind == "legacy" else "JSON lines"
        unit = f"; duration without an end read as {f.unit}" if f.unit else ""
        print(f"  {f.shown} ({kind}): {', '.join(parts)}{unit}")
    if outcome.rows:
        width = max(len(r.user) for r in outcome.rows) + 2
        tasks = max(len(r.task) for r in outcome.rows) + 2
        head = f"  {'user':<{width}}{'task':<{tasks}}"
        print(f"{head}{'billable':>12}{'non-billable':>14}{'sessions':>10}")
        for r in outcome.rows:
            print(
                f"  {r.user:<{width}}{r.task:<{tasks}}{_hms(r.billable_seconds):>12}"
                f"{_hms(r.non_billable_seconds):>14}{r.sessions:>10,}"
            )
        t = _totals(outcome)
        print(
            f"  {'total':<{width + tasks}}{_hms(t['billable_seconds']):>12}"
            f"{_hms(t['non_billable_seconds']):>14}{t['sessions']:>10,}"
        )
    if outcome.orphans:
        print("Orphaned timers (never ended, so never billed; add real time with `ffhooks add`):")
        for o in outcome.orphans:
            since = f"since {o.start}" if o.start else "with an unreadable start"
            print(f"  {o.where}: {o.user} on {o.task} {since} ({_age(o.age_seconds)})")
    if outcome.duplicates:
        print("Counted once (the same user, start and end seen again):")
        for d in outcome.duplicates:
            print(f"  {d.sessions:,} in {d.source} already in {d.first} (e.g. {d.example})")
    if outcome.warnings:
        print("Warnings (migrated all the same):")
        for w in outcome.warnings:
            print(f"  {w.where}: {w.message}")
        if outcome.more_warnings:
            print(f"  ... and {outcome.more_warnings:,} more")
    for note in notes:
        print(f"Note: {note}")
    files = len(outcome.written)
    if dry_run:
        print(
            f"Dry run: would write {files} summary file(s), {outcome.unchanged} already up to "
            "date; nothing was written"
        )
    elif files:
        print(
            f"Wrote {files} summary file(s), staged for your next commit; "
            f"{outcome.unchanged} already up to date (run {outcome.run}: "
            "`ffhooks migrate --rollback` takes it back)"
        )
    else:
        print(f"Nothing to write: the {outcome.unchanged} summary file(s) are up to date")
    if mismatches is not None and not mismatches:
        print("Verified: the summaries hold exactly the migrated seconds of every user")
    for p in outcome.problems:
        print(f"{p.where}: {p.message}", file=sys.stderr)
    skipped = len(outcome.problems) + outcome.more_problems
    if outcome.more_problems:
        print(f"... and {outcome.more_problems:,} more", file=sys.stderr)
    for m in mismatches or ():
        print(f"verify: {m}", file=sys.stderr)
    if skipped:
        print(
            f"ffhooks: {skipped:,} entries skipped (listed above), everything else "
            f"{'would be ' if dry_run else ''}migrated: fix them in the source and run "
            "`ffhooks migrate` again",
            file=sys.stderr,
        )
    if outcome.orphans:
        print(
            f"ffhooks: {len(outcome.orphans):,} orphaned timer(s) not migrated (listed above): "
            "they never ended, so nothing of them was billed; record the real time with "
            "`ffhooks add`",
            file=sys.stderr,
        )
    if mismatches:
        print(
            "ffhooks: verify found the summaries differ from the sources (listed above): run "
            "`ffhooks validate` on the summaries and `ffhooks migrate --verify` again",
            file=sys.stderr,
        )
