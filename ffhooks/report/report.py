"""The team report: read summaries (work tree or any git ref), keep the newest state of each
store and month, filter, round, price and group. Pure computation; printing is elsewhere."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Container, Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from ffhooks import summary
from ffhooks.clock import month_days
from ffhooks.errors import FatalError
from ffhooks.git.objects import read_blobs, resolve_commit, tree_blobs
from ffhooks.git.plumbing import run_git
from ffhooks.records import Any, NamedTuple

DIMENSIONS = ("user", "task", "day", "week", "month")
MEASURES = ("billable_seconds", "non_billable_seconds", "sessions")


class Cell(NamedTuple):
    """One user's totals for one task in one period (a day, or a whole month)."""

    user: str
    task: str
    period: str
    billable_seconds: int
    non_billable_seconds: int
    sessions: int


class Report(NamedTuple):
    first: date | None
    last: date | None
    group_by: tuple[str, ...]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    notes: list[str]
    currency: str | None


def _newest(paths: Iterable[str], buried: Container[str] = ()) -> list[str]:
    return sorted(w.path for w in summary.live(paths, buried).values())


def months_within(first: date | None, last: date | None) -> Callable[[str], bool]:
    """Whether a month (`YYYY-MM`, as a summary's folder names it) has a day in first..last
    (either end open): a report reads only the months its range touches."""

    def within(month: str) -> bool:
        try:
            start, end = month_days(month)
        except ValueError:
            return True  # not a month: read, and refused by name as always
        return not (first and end < first) and not (last and start > last)

    return within


def read_worktree(
    top: Path, within: Callable[[str], bool] | None = None
) -> list[tuple[str, bytes]]:
    """The live summaries of a work tree in the months `within` keeps (folders of other
    months are not even listed). Only the newest file of each store and month is read;
    should that be a tombstone (never after a commit ffhooks checked), the next one."""
    base = top / summary.SUMMARIES
    found = []
    for folder, folders, names in os.walk(base):
        rel = Path(folder).relative_to(top).as_posix()
        if within is not None and Path(folder).parent == base:  # a user's folder: its months
            folders[:] = [m for m in folders if within(m)]
        found += [f"{rel}/{n}" for n in names if n.endswith(".json")]
    buried: set[str] = set()
    while True:
        files = [(p, (top / p).read_bytes()) for p in _newest(found, buried)]
        newly = {p for p, data in files if data == summary.TOMBSTONE}
        if not newly:
            return files
        buried |= newly


def read_ref(
    top: Path, ref: str, within: Callable[[str], bool] | None = None
) -> list[tuple[str, bytes]]:
    """The summaries of any commit-ish in the months `within` keeps, straight from the
    object store (no checkout); tombstones are known by their blob id, without reading
    them."""
    commit = resolve_commit(top, ref)
    blobs = tree_blobs(top, commit, [summary.SUMMARIES])
    kept = {p: b for p, b in blobs.items() if within is None or within(_month_of(p))}
    return read_blobs(top, commit, _newest(kept, summary.tombstones(kept)))


def summary_users(top: Path, ref: str | None) -> set[str]:
    """Whose summary folders the work tree (or the commit `ref` names) has, in any month:
    listed, not read."""
    if ref is None:
        try:
            return {e.name for e in os.scandir(top / summary.SUMMARIES) if e.is_dir()}
        except (FileNotFoundError, NotADirectoryError):
            return set()
    listed = run_git(
        ["ls-tree", "--name-only", "-z", resolve_commit(top, ref), "--", f"{summary.SUMMARIES}/"],
        top,
    )
    return {p.rsplit("/", 1)[-1] for p in listed.split("\0") if p}


def holds_summaries(top: Path, ref: str) -> bool:
    """Whether the commit `ref` names holds a live summary in any month (asked only when
    the months of a range hold none)."""
    blobs = tree_blobs(top, resolve_commit(top, ref), [summary.SUMMARIES])
    return bool(_newest(blobs, summary.tombstones(blobs)))


def _month_of(path: str) -> str:
    """The month folder a summary path names (`.../<user>/<month>/<file>`)."""
    parts = path.rsplit("/", 3)
    return parts[-2] if len(parts) == 4 else ""


def summaries(files: list[tuple[str, bytes]]) -> list[tuple[str, dict[str, Any]]]:
    """Each file parsed, after checking it is what ffhooks wrote (else one line, exit 1)."""
    from ffhooks.fsio import parse_json
    from ffhooks.validator.schema import first_error

    out = []
    fix = "run `ffhooks validate` on it and restore it from git history"
    for path, data in files:
        doc = parse_json(data, path, fix)
        # the full schema walk is slow for hundreds of files (`bench/report.py`): check the
        # bulk fast, the rest in full
        shell = {**doc, "totals": {}} if summary.plainly_valid(doc) else doc
        problem = first_error("summary", shell)
        problem = problem or next(iter(summary.problems(doc, summary.parse_path(path))), None)
        if problem:
            raise FatalError(f"{path}: {problem}; {fix}")
        out.append((path, doc))
    return out


def cells(docs: list[tuple[str, dict[str, Any]]], capped: list[str] | None = None) -> list[Cell]:
    """The totals of each summary; `capped` collects "user month" of summaries that count a
    running timer only up to max_session_hours."""
    out = []
    for _, doc in docs:
        if capped is not None and doc.get("capped"):
            capped.append(f"{doc['user']} {doc['month']}")
        for period, tasks in doc["totals"].items():
            for task, t in tasks.items():
                out.append(
                    Cell(
                        user=doc["user"],
                        task=task,
                        period=period,
                        billable_seconds=t["billable_seconds"],
                        non_billable_seconds=t["non_billable_seconds"],
                        sessions=t["sessions"],
                    )
                )
    return out


def touching(
    docs: list[tuple[str, dict[str, Any]]], first: date | None, last: date | None, users: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    """The summaries a report over these dates and users counts from."""
    out = []
    for path, doc in docs:
        facts = period_of(doc["month"])
        if (users and doc["user"] not in users) or (first and facts.last < first):
            continue
        if not (last and facts.first > last):
            out.append((path, doc))
    return out


class Period(NamedTuple):
    first: date
    last: date
    day: str | None
    week: str | None
    month: str


@cache
def period_of(key: str) -> Period:
    """What a summary's period key (a day, or a whole month) means for filtering and grouping."""
    if len(key) == 7:
        first, last = month_days(key)
        return Period(first=first, last=last, day=None, week=None, month=key)
    day = date.fromisoformat(key)
    year, week, _ = day.isocalendar()
    return Period(first=day, last=day, day=key, week=f"{year}-W{week:02d}", month=key[:7])


def _round(seconds: int, minutes: int, mode: str) -> int:
    step = minutes * 60
    if mode == "up":
        return -(-seconds // step) * step
    return (seconds + step // 2) // step * step


def rate_for(rates: dict[str, Any], user: str, task: str) -> Decimal | None:
    for table, key in (("tasks", task), ("users", user)):
        if key in rates.get(table, {}):
            return Decimal(str(rates[table][key]))
    return Decimal(str(rates["default"])) if "default" in rates else None


def cents(rates: dict[str, Any], user: str, task: str, billable_seconds: int) -> int:
    """The amount of one unit (a user's billable time on a task in one day, or one month for
    month-level summaries; the grain time is rounded at) in whole cents, half up. Rows and
    totals add these up, so every grouping gives the same total, to the cent."""
    rate = rate_for(rates, user, task) or Decimal(0)
    return int((rate * billable_seconds / 36).quantize(Decimal(1), ROUND_HALF_UP))


def build(
    all_cells: list[Cell],
    *,
    first: date | None,
    last: date | None,
    users: list[str],
    tasks: list[str],
    group_by: tuple[str, ...],
    round_minutes: int | None,
    round_mode: str,
    rates: dict[str, Any] | None,
    currency: str | None,
) -> Report:
    notes: list[str] = []
    month_level = False
    units: dict[tuple[str, str, str], list[int]] = {}
    for c in all_cells:
        if (users and c.user not in users) or (tasks and c.task not in tasks):
            continue
        facts = period_of(c.period)  # a month-level summary: inside if the month overlaps
        if (first and facts.last < first) or (last and facts.first > last):
            continue
        month_level = month_level or facts.day is None
        unit = units.setdefault((c.user, c.task, c.period), [0, 0, 0])
        unit[0] += c.billable_seconds
        unit[1] += c.non_billable_seconds
        unit[2] += c.sessions
    if month_level:
        notes.append(
            "some summaries hold whole months only: their time is counted in full "
            "for any month the range touches, and has no day or week"
        )
    if "*" in {task for _, task, _ in units}:
        notes.append("some summaries hold no per-task split: their time shows as task *")
    if round_minutes:
        notes.append(
            f"rounded {'up' if round_mode == 'up' else 'to the nearest'} "
            f"{round_minutes} min per user, task and day"
        )
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    priced = bool(rates) and any(rate_for(rates or {}, u, t) is not None for u, t, _ in units)
    for (user, task, period), (billable, non_billable, sessions) in units.items():
        if round_minutes:
            billable = _round(billable, round_minutes, round_mode)
            non_billable = _round(non_billable, round_minutes, round_mode)
        facts = period_of(period)
        keys = {
            "user": user,
            "task": task,
            "day": facts.day,
            "week": facts.week,
            "month": facts.month,
        }
        key = tuple(str(keys[d]) for d in group_by)
        row = groups.get(key)
        if row is None:  # a new row: built once, not at every unit that adds to it
            row = groups[key] = {**{d: keys[d] for d in group_by}, **dict.fromkeys(MEASURES, 0)}
        row["billable_seconds"] += billable
        row["non_billable_seconds"] += non_billable
        row["sessions"] += sessions
        if priced:
            row["_cents"] = row.get("_cents", 0) + cents(rates or {}, user, task, billable)
    rows = [groups[k] for k in sorted(groups)]
    totals: dict[str, Any] = {m: sum(r[m] for r in rows) for m in MEASURES}
    if priced:  # exact: a Decimal of whole cents, never a binary float
        totals["amount"] = Decimal(sum(r.get("_cents", 0) for r in rows)).scaleb(-2)
        for r in rows:
            r["amount"] = Decimal(r.pop("_cents", 0)).scaleb(-2)
    return Report(
        first=first,
        last=last,
        group_by=group_by,
        rows=rows,
        totals=totals,
        notes=notes,
        currency=currency if priced else None,
    )


def _exact(figures: dict[str, Any]) -> dict[str, Any]:
    """An amount as JSON gives it exactly: a decimal string ("843.33") and whole cents."""
    if "amount" not in figures:
        return figures
    amount = figures["amount"]
    return {**figures, "amount": f"{amount:.2f}", "amount_cents": int(amount.scaleb(2))}


def to_json(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {
        "from": report.first.isoformat() if report.first else None,
        "to": report.last.isoformat() if report.last else None,
        "group_by": list(report.group_by),
        "rows": [_exact(r) for r in report.rows],
        "totals": _exact(report.totals),
        "notes": report.notes,
    }
    if report.currency:
        out["currency"] = report.currency
    return out


def dumps(report: Report, **extra: Any) -> str:
    return json.dumps({**to_json(report), **extra}, indent=2, ensure_ascii=False)
