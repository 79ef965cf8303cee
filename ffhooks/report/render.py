"""The report as text: table, CSV and Markdown (the HTML page is report/html_page.py)."""

from __future__ import annotations

import csv
import io

from ffhooks.records import Any
from ffhooks.report.report import MEASURES, Report


def hms(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def _header(report: Report) -> list[str]:
    cols = [*report.group_by, "billable", "non-billable", "sessions"]
    if "amount" in report.totals:
        cols.append(f"amount ({report.currency})" if report.currency else "amount")
    return cols


def _cells(report: Report, row: dict[str, Any]) -> list[str]:
    out = [str(row[d]) if row.get(d) is not None else "-" for d in report.group_by]
    out += [hms(row["billable_seconds"]), hms(row["non_billable_seconds"]), str(row["sessions"])]
    if "amount" in row:
        out.append(f"{row['amount']:,.2f}")
    return out


def lines_of(report: Report) -> list[list[str]]:
    body = [_cells(report, r) for r in report.rows]
    total = {**{d: "" for d in report.group_by}, **report.totals}
    if report.group_by:
        total[report.group_by[0]] = "TOTAL"
    return [_header(report), *body, _cells(report, total)]


def _span(report: Report) -> str:
    first = report.first.isoformat() if report.first else "the beginning"
    last = report.last.isoformat() if report.last else "today"
    return f"from {first} to {last}"


def table(report: Report) -> str:
    lines = lines_of(report)
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    numeric = len(report.group_by)

    def fmt(line: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i >= numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [f"Billable time {_span(report)} (hours:minutes:seconds)", "", fmt(lines[0]), rule]
    out += [fmt(line) for line in lines[1:-1]] + [rule, fmt(lines[-1])]
    out += [f"note: {n}" for n in report.notes]
    return "\n".join(out) + "\n"


def markdown(report: Report) -> str:
    lines = lines_of(report)
    numeric = len(report.group_by)
    out = [f"**Billable time {_span(report)}**", ""]
    out.append("| " + " | ".join(lines[0]) + " |")
    out.append("|" + "|".join("---" if i < numeric else "---:" for i in range(len(lines[0]))) + "|")
    for line in lines[1:-1]:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |")
    out.append("| " + " | ".join(f"**{c}**" if c else "" for c in lines[-1]) + " |")
    out += ["", *(f"_Note: {n}_" for n in report.notes)]
    return "\n".join(out).rstrip() + "\n"


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    priced = "amount" in report.totals
    writer.writerow(
        [*report.group_by, *MEASURES, "billable_hours", *(["amount"] if priced else [])]
    )
    for row in report.rows:
        values = [spreadsheet_safe(row[d]) for d in report.group_by]
        values += [row[m] for m in MEASURES] + [f"{row['billable_seconds'] / 3600:.4f}"]
        writer.writerow(values + ([f"{row['amount']:.2f}"] if priced else []))
    for note in report.notes:  # after the data, one cell each: what the figures leave out
        writer.writerow([spreadsheet_safe(f"note: {note}")])
    return buffer.getvalue()


def spreadsheet_safe(value: Any) -> str:
    """A spreadsheet must not run a task name as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
