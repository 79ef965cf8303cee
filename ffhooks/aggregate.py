"""Fold a private store into the committed summaries of its user (the commit-hook path).

Aggregation only ever adds files. DESIGN.md also deleted the store's older files of the month,
but git's rename detection pairs such a delete with the similar new file: two branches that
each did it conflict (rename/rename), and a branch that did it conflicts with one that only
deleted (rename/delete). Pure adds of distinct paths never conflict; readers keep the highest
seq, so superseded files only cost space.

Only months that changed are rebuilt: months the store marked dirty, months the running timer
touches, and months whose last summary is missing from this work tree (a branch switch, an
abandoned branch), so time recorded anywhere reaches the next commit. Work is proportional to
what changed: one `stat` per month ever summarised, and reading only the months rebuilt.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ffhooks import summary
from ffhooks.config import TeamConfig
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import parse_json, write_json
from ffhooks.gitio import Repo, run_git
from ffhooks.records import Any, NamedTuple
from ffhooks.store import Store, months_of


class Outcome(NamedTuple):
    written: list[str]


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


def wanted_months(store: Store, user_dir: Path, now: datetime, rebuild: bool) -> set[str]:
    header = store.header or {}
    months = set(header.get("dirty", ()))
    store_id = header.get("store", "")
    for month, seq in header.get("summaries", {}).items():
        if rebuild or not (user_dir / month / f"{store_id}-{seq}.json").is_file():
            months.add(month)
    running = store.timer().running
    if running and now > running.start:
        months |= months_of(running.start, now, store.tz)
    if rebuild:
        for s in store.all_sessions():
            months |= months_of(s.start, s.end, store.tz)
    return months


def aggregate(store: Store, repo: Repo, config: TeamConfig, *, rebuild: bool = False) -> Outcome:
    """Write and stage new summaries for the months that changed; return what was done."""
    if store.header is None:
        return Outcome([])
    header = store.header
    store_id, tz, now = header["store"], store.tz, store.now
    user_dir = repo.top / summary.SUMMARIES / store.user
    months = wanted_months(store, user_dir, now, rebuild)
    if not months:
        return Outcome([])
    running = store.timer().running
    known = dict(header.get("summaries", {}))
    new: dict[Path, dict[str, Any]] = {}
    seq = None
    for month in sorted(months):
        lo, hi = summary.month_bounds(month, tz)
        intervals = [
            summary.Interval(s.task, s.start, s.end, s.billable)
            for s in store.sessions_between(lo, hi)
        ]
        if running and running.start < min(hi, now):
            intervals.append(summary.Interval(running.task, running.start, now, running.billable))
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
        )
        existing = _ours(user_dir / month, store_id)
        if existing:
            latest = trusted(existing[-1][1])
            if latest is not None and summary.same_content(draft, latest):
                known[month] = existing[-1][0]
                continue
        elif not totals:
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
        stage(repo, list(new))
    changes = {
        "seq": max([header["seq"], *known.values()]),
        "summaries": dict(sorted(known.items())),
        "dirty": [],
    }
    if any(header.get(k) != v for k, v in changes.items()):
        store.set_header(**changes)
    return Outcome([str(p.relative_to(repo.top)) for p in new])


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
