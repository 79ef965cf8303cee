"""The report as text: table, CSV and Markdown (the HTML page is report/html_page.py).

Every figure shown is exact, in one notation per format (hours:minutes:seconds; seconds in
CSV, for a spreadsheet to compute with), so every row, column and total adds up as shown:
nothing is rounded for display. A week that the range cuts says which days it holds."""

from __future__ import annotations

import csv
import io

from ffhooks.records import Any
from ffhooks.report.report import MEASURES, Report, week_days


def hms(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def week_label(report: Report, week: str) -> str:
    """`2026-W49`, or with the days the report's range holds of it where it cuts the week:
    `2026-W49 (2026-11-30 only)`, `2026-W44 (2026-10-29 to 2026-11-01)`."""
    first, last = week_days(week, None, None)
    held = week_days(week, report.first, report.last)
    if held == (first, last):
        return week
    if held[0] == held[1]:
        return f"{week} ({held[0]} only)"
    return f"{week} ({held[0]} to {held[1]})"


def keys(report: Report) -> list[str]:
    """The key columns: the dimensions, with the task's title after the task where the
    team config titles one of the report's tasks (asked once per rendering: it reads every
    row)."""
    out = list(report.group_by)
    titles = report.titles or {}
    if "task" in out and titles and any(r["task"] in titles for r in report.rows):
        out.insert(out.index("task") + 1, "title")
    return out


def key_cells(
    report: Report, row: dict[str, Any] | None, columns: list[str], *, shown: bool = True
) -> list[str]:
    """A row's key `columns` (`keys`) as a page shows them (`-` where a dimension has no
    value, e.g. the day of a month-level summary; a cut week's days said), else as data
    (empty; the week alone); None: the total row's."""
    if row is None:
        return ["TOTAL", *[""] * (len(columns) - 1)] if columns else []
    titles = report.titles or {}
    out = []
    for column in columns:
        value = titles.get(row["task"], {}).get("title") if column == "title" else row[column]
        if column == "week" and value and shown:
            value = week_label(report, value)
        out.append(str(value) if value is not None else "-" if shown else "")
    return out


def _header(report: Report, columns: list[str]) -> list[str]:
    cols = [*columns, "billable", "non-billable", "sessions"]
    if "amount" in report.totals:
        cols.append(f"amount ({report.currency})" if report.currency else "amount")
    return cols


def _cells(report: Report, row: dict[str, Any] | None, columns: list[str]) -> list[str]:
    out = key_cells(report, row, columns)
    row = row or report.totals
    out += [hms(row["billable_seconds"]), hms(row["non_billable_seconds"]), str(row["sessions"])]
    if "amount" in row:
        out.append(f"{row['amount']:,.2f}")
    return out


def lines_of(report: Report) -> list[list[str]]:
    """The header, a line per row, and the total line, as shown."""
    columns = keys(report)
    body = [_cells(report, r, columns) for r in report.rows]
    return [_header(report, columns), *body, _cells(report, None, columns)]


def _span(report: Report) -> str:
    first = report.first.isoformat() if report.first else "the beginning"
    last = report.last.isoformat() if report.last else "today"
    return f"from {first} to {last}"


def source_lines(report: Report) -> list[str]:
    """Where the figures were read, and whether they may be stale."""
    return report.source.said() if report.source else []


def table(report: Report) -> str:
    lines = lines_of(report)
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    numeric = len(keys(report))

    def fmt(line: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i >= numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [f"Billable time {_span(report)} (hours:minutes:seconds)", *source_lines(report)]
    out += ["", fmt(lines[0]), rule, *(fmt(line) for line in lines[1:-1]), rule, fmt(lines[-1])]
    out += [f"note: {n}" for n in report.notes]
    return "\n".join(out) + "\n"


def markdown(report: Report) -> str:
    lines = lines_of(report)
    numeric = len(keys(report))
    out = [f"**Billable time {_span(report)}** (hours:minutes:seconds)", ""]
    out += [f"_{line}_" for line in source_lines(report)] + [""] * bool(report.source)
    out.append("| " + " | ".join(lines[0]) + " |")
    out.append("|" + "|".join("---" if i < numeric else "---:" for i in range(len(lines[0]))) + "|")
    for line in lines[1:-1]:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |")
    out.append("| " + " | ".join(f"**{c}**" if c else "" for c in lines[-1]) + " |")
    out += ["", *(f"_Note: {n}_" for n in report.notes)]
    return "\n".join(out).rstrip() + "\n"


def to_csv(report: Report) -> str:
    """One row per group and a TOTAL row, times in seconds (exact; divide by 3600 for
    hours); a cut week's days in columns of their own; notes and the source after the data,
    one cell each."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    priced = "amount" in report.totals
    weeks = "week" in report.group_by
    columns = keys(report)
    writer.writerow(
        [*columns, *(["week_from", "week_to"] if weeks else []), *MEASURES]
        + (["amount"] if priced else [])
    )
    for row in [*report.rows, None]:
        cells = key_cells(report, row, columns, shown=False)
        values: list[Any] = [spreadsheet_safe(v) for v in cells]
        if weeks:
            week = row and row["week"]
            values += week_days(week, report.first, report.last) if week else ["", ""]
        figures = row or report.totals
        values += [figures[m] for m in MEASURES]
        writer.writerow(values + ([f"{figures['amount']:.2f}"] if priced else []))
    for line in [*(f"note: {n}" for n in report.notes), *source_lines(report)]:
        writer.writerow([spreadsheet_safe(line)])
    return buffer.getvalue()


def spreadsheet_safe(value: Any) -> str:
    """A spreadsheet must not run a task name as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
