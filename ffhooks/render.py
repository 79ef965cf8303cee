"""The report as text: table, CSV, Markdown and a self-contained HTML page."""

from __future__ import annotations

import csv
import html
import io
from collections import defaultdict
from datetime import date

from ffhooks.records import Any
from ffhooks.report import MEASURES, Report


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


def _lines(report: Report) -> list[list[str]]:
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
    lines = _lines(report)
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
    lines = _lines(report)
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
        values = [_safe(row[d]) for d in report.group_by]
        values += [row[m] for m in MEASURES] + [f"{row['billable_seconds'] / 3600:.4f}"]
        writer.writerow(values + ([f"{row['amount']:.2f}"] if priced else []))
    for note in report.notes:  # after the data, one cell each: what the figures leave out
        writer.writerow([_safe(f"note: {note}")])
    return buffer.getvalue()


def _safe(value: Any) -> str:
    """A spreadsheet must not run a task name as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _chart(report: Report, weekly: dict[str, dict[str, int]]) -> str:
    """Grouped bars: hours per user per week, as inline SVG."""
    weeks = sorted({w for per_user in weekly.values() for w in per_user})
    users = sorted(weekly)
    if not weeks:
        return "<p>No time in this range.</p>"
    palette = [
        "#1f77b4",
        "#ff7f0e",
        "#2ca02c",
        "#d62728",
        "#9467bd",
        "#8c564b",
        "#e377c2",
        "#7f7f7f",
        "#bcbd22",
        "#17becf",
    ]
    top = max(max(v.values()) for v in weekly.values()) / 3600 or 1
    bar, gap, height, left = 12, 18, 220, 50
    group = bar * len(users) + gap
    width = left + group * len(weeks) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 60}" '
        f'role="img" aria-label="Billable hours per user per week">'
    ]
    for i in range(5):
        y = 10 + height - height * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
            f"{top * i / 4:.1f}h</text>"
        )
    for wi, week in enumerate(weeks):
        x0 = left + wi * group + gap / 2
        for ui, user in enumerate(users):
            hours = weekly[user].get(week, 0) / 3600
            h = height * hours / top
            parts.append(
                f'<rect x="{x0 + ui * bar:.1f}" y="{10 + height - h:.1f}" width="{bar - 2}" '
                f'height="{h:.1f}" fill="{palette[ui % len(palette)]}">'
                f"<title>{html.escape(user)} {week}: {hours:.2f} h</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + bar * len(users) / 2:.1f}" y="{height + 26}" font-size="10" '
            f'text-anchor="middle">{week}</text>'
        )
    legend = "".join(
        f'<span style="color:{palette[i % len(palette)]}">&#9632;</span> {html.escape(u)} &nbsp; '
        for i, u in enumerate(users)
    )
    return "".join(parts) + "</svg>" + f'<p class="legend">{legend}</p>'


def page(report: Report, weekly: dict[str, dict[str, int]], generated: date) -> str:
    lines = _lines(report)
    numeric = len(report.group_by)

    def tr(line: list[str], tag: str) -> str:
        cells = "".join(
            f'<{tag} class="{"num" if i >= numeric else "key"}">{html.escape(c)}</{tag}>'
            for i, c in enumerate(line)
        )
        return f"<tr>{cells}</tr>"

    body = "\n".join(tr(line, "td") for line in lines[1:-1])
    notes = "".join(f'<p class="note">Note: {html.escape(n)}</p>' for n in report.notes)
    title = f"Billable time {_span(report)}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ padding: 4px 10px; border-bottom: 1px solid #ddd; }}
th {{ background: #f4f4f4; text-align: left; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tfoot td {{ font-weight: bold; border-top: 2px solid #444; }}
.note, .meta {{ color: #666; font-size: 0.9em; }}
</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p class="meta">Generated by ffhooks on {generated.isoformat()} from the committed team summaries.
Times are hours:minutes:seconds.</p>
<h2>Hours per user per week</h2>
{_chart(report, weekly)}
<h2>Totals</h2>
<table><thead>{tr(lines[0], "th")}</thead>
<tbody>
{body}
</tbody>
<tfoot>{tr(lines[-1], "td")}</tfoot></table>
{notes}
</body></html>
"""


def weekly_hours(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Billable seconds per user per week, from a report grouped by user and week."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        if r.get("week"):
            out[r["user"]][r["week"]] = r["billable_seconds"]
    return dict(out)
