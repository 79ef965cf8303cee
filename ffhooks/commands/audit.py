from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from ffhooks.clock import day_start, detect_timezone, ordered, range_bound, zone
from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo
from ffhooks.records import Any
from ffhooks.report import audit as trail_of
from ffhooks.report.audit import MEASURES, Change, Trail
from ffhooks.report.render import hms, spreadsheet_safe
from ffhooks.trust.policy import cache_file


def audit(
    repo: Repo,
    now: datetime,
    *,
    start: str | None,
    end: str | None,
    users: list[str],
    ref: str,
    fmt: str,
) -> int:
    """Every change to the billed record on `ref`, in the order it entered the branch."""
    tz = zone(detect_timezone())
    first, last = range_bound(start, now, tz, end=False), range_bound(end, now, tz, end=True)
    ordered(first, last)
    if any(not value.strip(" ,") for value in users):
        raise FatalError("--user was given no name: give one, e.g. --user alice,bob")
    names = sorted({u.strip().lower() for value in users for u in value.split(",") if u.strip()})
    found = trail_of.trail(
        repo,
        ref,
        since=day_start(first, tz) if first else None,
        until=day_start(last + timedelta(days=1), tz) if last else None,
        users=names,
        cache=cache_file(repo.state_dir),
    )
    span = (first.isoformat() if first else None, last.isoformat() if last else None)
    if fmt == "json":
        print(dumps(to_json(found, span, names)))
    elif fmt == "csv":
        print(to_csv(found), end="")
    else:
        print(table(found, span, names), end="")
    return 0


def _change(c: Change) -> dict[str, Any]:
    return {
        "commit": c.origin.sha,
        "author": c.origin.author,
        "authored": c.origin.authored,
        "via": c.via.sha,
        "entered": c.via.date,
        "user": c.user,
        "store": c.store,
        "month": c.month,
        "before": c.before,
        "after": c.after,
        "signer": c.signer,
        "key": c.key,
        "verified": c.verified,
        "closed": list(c.closed),
        "problem": c.problem,
        "rows": [r._asdict() for r in c.rows],
        "totals": c.totals(),
    }


def to_json(found: Trail, span: tuple[str | None, str | None], users: list[str]) -> dict[str, Any]:
    return {
        "ref": found.ref,
        "commit": found.commit,
        "from": span[0],
        "to": span[1],
        "users": users,
        "start": found.start,
        "end": found.end,
        "changes": [_change(c) for c in found.changes],
        "totals": found.totals(),
    }


def dumps(doc: dict[str, Any]) -> str:
    """Indented, but each change on one line: a year's trail is thousands of changes, which
    json's indenting encoder (pure Python) takes seconds over, and a line per change is what
    `grep` finds."""
    changes = doc["changes"]
    head = json.dumps({**doc, "changes": []}, indent=2, ensure_ascii=False)
    if not changes:
        return head
    lines = ",\n".join(f"    {json.dumps(c, ensure_ascii=False)}" for c in changes)
    return head.replace('"changes": []', f'"changes": [\n{lines}\n  ]', 1)


CSV_COLUMNS = (
    "entered",
    "via",
    "commit",
    "author",
    "user",
    "store",
    "month",
    "period",
    "task",
    *MEASURES,
    "signer",
    "verified",
    "closed",
    "problem",
)


def to_csv(found: Trail) -> str:
    """One row per change per task and period (one with no task for a change that moved no
    figure: a new file with the same figures, e.g. signed anew)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in found.changes:
        head = [c.via.date, c.via.sha, c.origin.sha, c.origin.author, c.user, c.store, c.month]
        tail = [c.signer, _verified(c), " ".join(c.closed), c.problem or ""]
        for row in c.rows or [None]:
            figures = [row.period, row.task, *row[2:]] if row else ["", "", 0, 0, 0]
            # figures stay numbers (a negative one is no formula); text is neutralised
            writer.writerow(
                [v if isinstance(v, int) else spreadsheet_safe(v) for v in (*head, *figures, *tail)]
            )
    return buffer.getvalue()


def _verified(c: Change) -> str:
    return {True: "yes", False: "NO", None: ""}[c.verified]


def _signed(seconds: int) -> str:
    return f"{'-' if seconds < 0 else '+'}{hms(abs(seconds))}"


def _flags(c: Change) -> str:
    flags = []
    if c.verified is False:
        flags.append("SIGNATURE DOES NOT VERIFY")
    if c.via != c.origin:
        flags.append(f"merged by {c.via.sha[:12]}")
    if c.after is None:
        flags.append("file left the record")
    flags += [f"CLOSED {tag.rpartition('/')[2]} (after closing)" for tag in c.closed]
    if c.problem:
        flags.append(f"PROBLEM: {c.problem}")
    return "; ".join(flags)


def table(found: Trail, span: tuple[str | None, str | None], users: list[str]) -> str:
    heading = ["entered", "commit", "author", "user", "period", "task"]
    lines = [[*heading, "billable", "non-billable", "sessions", "signed by", "notes"]]
    for c in found.changes:
        author = c.origin.author.partition(" <")[0]
        first = [c.via.date[:16].replace("T", " "), c.origin.sha[:12], author, c.user]
        for i, row in enumerate(c.rows or [None]):
            lead = first if i == 0 else [""] * 4
            figures = (
                [row.period, row.task, _signed(row[2]), _signed(row[3]), f"{row[4]:+d}"]
                if row
                else [c.month, "-", "+0:00:00", "+0:00:00", "+0"]
            )
            tail = [c.signer, _flags(c)] if i == 0 else ["", ""]
            lines.append([*lead, *figures, *tail])
    totals = found.totals()
    figures = [_signed(totals["billable_seconds"]), _signed(totals["non_billable_seconds"])]
    lines.append(["TOTAL", *[""] * 5, *figures, f"{totals['sessions']:+d}", "", ""])
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    numeric = range(len(heading), len(heading) + 3)

    def fmt(line: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    who = f" of {', '.join(users)}" if users else ""
    out = [
        f"Changes to the billed record{who} on {found.ref} ({found.commit[:12]}) "
        f"from {span[0] or 'the beginning'} to {span[1] or 'today'} (hours:minutes:seconds)",
        f"from the record at {found.start[:12] if found.start else '(none: empty)'} "
        f"to the record at {found.end[:12] if found.end else '(none: empty)'}",
        "",
        fmt(lines[0]),
        rule,
        *(fmt(line) for line in lines[1:-1]),
        rule,
        fmt(lines[-1]),
    ]
    if not found.changes:
        out.insert(5, "(no change)")
    return "\n".join(out) + "\n"
