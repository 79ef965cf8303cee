"""Fold a private store into the committed summaries of its user (the commit-hook path).

Aggregation only ever adds files. DESIGN.md also deleted the store's older files of the month,
but git's rename detection pairs such a delete with the similar new file: two branches that
each did it conflict (rename/rename), and a branch that did it conflicts with one that only
deleted (rename/delete). Pure adds of distinct paths never conflict; readers keep the highest
seq, so superseded files only cost space.

Only months that changed are rebuilt (see `wanted_months`), so time recorded anywhere reaches
the next commit. Work is proportional to what changed: one `stat` per month ever summarised,
reading only the months rebuilt, and one `git ls-files` to make sure the newest summary of
every month is in the index, whatever git did to the index since the last commit.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from ffhooks import summary
from ffhooks.config import TeamConfig
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import parse_json, write_json
from ffhooks.gitio import Repo, run_git
from ffhooks.identity import stores
from ffhooks.records import Any, NamedTuple
from ffhooks.store import Running, Store, months_of


class Outcome(NamedTuple):
    written: list[str]
    staged: list[str]  # written now, or written before but missing from the index
    capped: str | None  # the task of a running timer counted only up to max_session_hours


class Span(NamedTuple):
    """What a running timer adds to the summaries: from its start to now, at most
    max_session_hours (a forgotten timer is not billed for the weekend)."""

    running: Running
    end: datetime
    capped: bool


def running_span(store: Store, max_seconds: int) -> Span | None:
    running = store.timer().running
    if running is None or store.now <= running.start:
        return None
    cap = running.start + timedelta(seconds=max_seconds)
    return Span(running, min(store.now, cap), store.now > cap)


def _ours(folder: Path, store_id: str) -> list[tuple[int, Path]]:
    """This store's summary files in one month folder, lowest seq first."""
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in names:
        match = summary.NAME.fullmatch(name)
        if match and match["store"] == store_id:
            found.append((int(match["seq"]), folder / name))
    return sorted(found)


def store_months(user_dir: Path, store_id: str) -> dict[str, list[tuple[int, Path]]]:
    """This store's summary files in each month folder of a user, lowest seq first."""
    try:
        months = os.listdir(user_dir)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    found = {month: _ours(user_dir / month, store_id) for month in months}
    return {month: files for month, files in found.items() if files}


def trusted(path: Path) -> dict[str, Any] | None:
    """The content of a summary we wrote, or None if it cannot be trusted (it is replaced)."""
    try:
        doc = parse_json(path.read_bytes(), str(path), "")
    except (OSError, BrokenFile):
        return None
    return doc if isinstance(doc, dict) and not summary.problems(doc, None) else None


def newest_own(user_dir: Path, header: dict[str, Any]) -> list[Path]:
    """The newest summary of every month the store ever summarised: what must be committed."""
    return [
        user_dir / month / f"{header['store']}-{seq}.json"
        for month, seq in sorted(header.get("summaries", {}).items())
    ]


def wanted_months(store: Store, user_dir: Path, span: Span | None, rebuild: bool) -> set[str]:
    """Months the store marked dirty, months a running timer was folded into at the last
    aggregation (it may have ended earlier since, or been restored away) and touches now,
    and months whose newest summary is missing from this work tree (a branch switch, `git
    reset --hard`, a revert)."""
    header = store.header or {}
    months = set(header.get("dirty", ())) | set(header.get("timer_months", ()))
    for path in newest_own(user_dir, header):
        if rebuild or not path.is_file():
            months.add(path.parent.name)
    if span:
        months |= months_of(span.running.start, span.end, store.tz)
    if rebuild:
        for s in store.all_sessions():
            months |= months_of(s.start, s.end, store.tz)
    return months


def aggregate(store: Store, repo: Repo, config: TeamConfig, *, rebuild: bool = False) -> Outcome:
    """Write new summaries for the months that changed, and stage every newest summary of
    the store that the index lacks; return what was done."""
    if store.header is None:
        return Outcome([], [], None)
    header = store.header
    store_id, tz = header["store"], store.tz
    user_dir = repo.top / summary.SUMMARIES / store.user
    span = running_span(store, config.max_session_seconds)
    known = dict(header.get("summaries", {}))
    new: dict[Path, dict[str, Any]] = {}
    seq = None
    for month in sorted(wanted_months(store, user_dir, span, rebuild)):
        lo, hi = summary.month_bounds(month, tz)
        intervals = [
            summary.Interval(s.task, s.start, s.end, s.billable)
            for s in store.sessions_between(lo, hi)
        ]
        capped = False
        if span and span.running.start < hi and span.end > lo:
            r = span.running
            intervals.append(summary.Interval(r.task, r.start, span.end, r.billable))
            capped = span.capped
        totals = summary.totals(
            intervals, month, tz, per_task=config.per_task, by_day=config.period == "day"
        )
        draft = summary.build(
            user=store.user,
            store=store_id,
            month=month,
            timezone=header["timezone"],
            seq=1,
            detail=config.detail,
            periods=totals,
            capped=capped,
        )
        existing = _ours(user_dir / month, store_id)
        if existing:
            latest = trusted(existing[-1][1])
            if latest is not None and summary.same_content(draft, latest):
                known[month] = existing[-1][0]
                continue
        elif not totals and month not in known:
            continue  # nothing recorded, nothing ever said: nothing to say
        if seq is None:
            seq = max(header["seq"], _max_seq(user_dir, store_id), *known.values())
        seq += 1
        doc = {**draft, "seq": seq}
        doc["sha256"] = summary.checksum(doc)
        new[user_dir / month / f"{store_id}-{seq}.json"] = doc
        known[month] = seq
    if new:
        _refuse_unstaged(repo, sorted({path.parent for path in new}))
        for path, doc in new.items():
            try:
                write_json(path, doc)
            except OSError as exc:
                raise FatalError(
                    f"cannot write {path.relative_to(repo.top)} ({exc.strerror}): make sure "
                    f"{user_dir.relative_to(repo.top)} is a writable folder"
                ) from None
    timer_months = sorted(months_of(span.running.start, span.end, tz)) if span else []
    changes = {
        "seq": max([header["seq"], *known.values()]),
        "summaries": dict(sorted(known.items())),
        "dirty": [],
        "timer_months": timer_months,
    }
    # the header goes first: whatever happens to the index now, the files are its record
    if any(header.get(k, ()) != v for k, v in changes.items()):
        store.set_header(**changes)
    staged = missing_from_index(repo, newest_own(user_dir, store.header))
    if staged:
        stage(repo, staged)
    return Outcome(
        [_rel(repo, p) for p in new],
        [_rel(repo, p) for p in staged],
        span.running.task if span and span.capped else None,
    )


def _rel(repo: Repo, path: Path) -> str:
    return path.relative_to(repo.top).as_posix()


def unstaged(repo: Repo) -> list[tuple[str, bool]]:
    """Every store's newest summaries that the index lacks: (path, still on disk)."""
    from ffhooks.fsio import read_json

    paths = []
    for user in stores(repo)[0]:
        header_path = repo.flowforge / "user" / user / "store.json"
        shown = _rel(repo, header_path)
        try:
            header = read_json(header_path, shown, "run `ffhooks recover`", schema="store")
        except FileNotFoundError:
            continue
        paths += newest_own(repo.top / summary.SUMMARIES / user, header)
    return [(_rel(repo, p), p.is_file()) for p in missing_from_index(repo, paths)]


def missing_from_index(repo: Repo, paths: list[Path]) -> list[Path]:
    """Those of `paths` that the index lacks (one `git ls-files` however many there are):
    `git reset HEAD~1`, a held index.lock or an interrupted hook leave a summary on disk
    that no commit would carry."""
    if not paths:
        return []
    rel = [_rel(repo, p) for p in paths]
    listed = run_git(["--literal-pathspecs", "ls-files", "-z", "--", *rel], repo.top)
    present = set(listed.split("\0"))
    return [p for p, r in zip(paths, rel, strict=True) if r not in present]


def _max_seq(user_dir: Path, store_id: str) -> int:
    """The highest seq of this store anywhere in the work tree (a restored store.json may lag)."""
    files = store_months(user_dir, store_id).values()
    return max((seq for month in files for seq, _ in month), default=0)


def _refuse_unstaged(repo: Repo, folders: list[Path]) -> None:
    """Leave the commit alone if a summary in a month folder we write to has unstaged edits:
    summaries are written by ffhooks only, so an edit is a mistake (or tampering) to resolve
    first. Folders as pathspecs keep this one cheap git call however many files they hold."""
    rel = [f"{p.relative_to(repo.top)}/" for p in folders]
    edited = run_git(["diff", "--name-only", "--", *rel], repo.top).split()
    edited += _stashed_by_precommit(rel)
    if edited:
        raise FatalError(
            f"{edited[0]} has unstaged edits, so ffhooks leaves it alone: commit or discard "
            "them (summaries are written by ffhooks, never by hand), then run "
            "`ffhooks recover retry`"
        )


def _stashed_by_precommit(rel: list[str]) -> list[str]:
    """Paths among `rel` that pre-commit stashed as unstaged edits before running us."""
    home = os.environ.get("PRE_COMMIT_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pre-commit"
    )
    try:
        patches = [n for n in os.listdir(home) if n.startswith("patch")]
    except OSError:
        return []
    mine = [n for n in patches if n.endswith(f"-{os.getppid()}")]
    found = []
    for name in mine:
        try:
            text = Path(home, name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found += [r for r in rel if f"a/{r}" in text]
    return found


def stage(repo: Repo, paths: list[Path]) -> None:
    """Add `paths` to the index.

    A `git commit <paths>` runs hooks on a temporary index; the real index, locked as
    `index.lock`, becomes the index afterwards, so it gets the same update, or `git status`
    would show the summaries as changed after the commit.
    """
    rel = [str(p.relative_to(repo.top)) for p in paths]
    run_git(["update-index", "--add", "--", *rel], repo.top)
    index = os.environ.get("GIT_INDEX_FILE", "")
    real = repo.git_dir / "index.lock"
    if os.path.basename(index).startswith("next-index") and real.is_file():
        run_git(
            ["update-index", "--add", "--", *rel],
            repo.top,
            env={"GIT_INDEX_FILE": str(real)},
        )
