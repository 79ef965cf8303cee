"""`ffhooks tasks`: the tasks the team's summaries know (and those the team config titles),
with their titles, first and last day of use, and totals, as a report counts them."""

from __future__ import annotations

import json
from datetime import datetime

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo
from ffhooks.records import Any
from ffhooks.report import report as rep
from ffhooks.report.billing import Scope, bound, compute
from ffhooks.report.render import hms


def tasks(
    repo: Repo, now: datetime, *, start: str | None, end: str | None, ref: str | None, fmt: str
) -> int:
    if repo.bare and ref is None:
        raise FatalError(
            f"{repo.top} is a bare repository: name the branch to read, e.g. "
            "`ffhooks tasks --ref main`"
        )
    scope = Scope(
        first=bound(start, now, end=False), last=bound(end, now, end=True), users=[], tasks=[]
    )
    result, _, _, _ = compute(repo, ref, scope, ("task", "day"), False, False)
    known = listed(result)
    if fmt == "json":
        print(json.dumps({"tasks": known, "notes": result.notes}, indent=2, ensure_ascii=False))
        return 0
    head = ("task", "title", "first", "last", "billable", "non-billable", "sessions")
    lines = [head] + [
        (
            t["task"],
            t.get("title", ""),
            t["first"] or "never",
            t["last"] or "",
            hms(t["billable_seconds"]),
            hms(t["non_billable_seconds"]),
            str(t["sessions"]),
        )
        for t in known
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for line in lines:
        print(
            "  ".join(
                c.rjust(w) if i >= 4 else c.ljust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
        )
    for note in result.notes:
        print(f"note: {note}")
    return 0


def listed(result: rep.Report) -> list[dict[str, Any]]:
    """Per task (numbers in order): its title and link, its first and last day (a month
    where a summary holds it whole; None for a task only the config names), its totals."""
    found: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        day = row["day"] or row["month"]
        t = found.setdefault(
            row["task"],
            {"task": row["task"], "first": day, "last": day, **dict.fromkeys(rep.MEASURES, 0)},
        )
        t["first"], t["last"] = min(t["first"], day), max(t["last"], day)
        for m in rep.MEASURES:
            t[m] += row[m]
    titles = result.titles or {}
    for task in titles.keys() - found.keys():
        found[task] = {"task": task, "first": None, "last": None, **dict.fromkeys(rep.MEASURES, 0)}
    return [{**found[t], **titles.get(t, {})} for t in sorted(found, key=rep.natural)]
