"""The report as one self-contained HTML page to forward: a title with the real dates, a
stacked chart of billable hours per week that scales to the page (and to A4 when printed),
the same hours as a table, and the totals. No scripts, no external files."""

from __future__ import annotations

import html
import math
from collections import defaultdict
from datetime import date

from ffhooks.records import Any, NamedTuple
from ffhooks.report.render import hms, keys, lines_of, source_lines, week_label
from ffhooks.report.report import Report, natural

# Kelly's colours of maximum contrast, without white and black: 20 users stay apart
PALETTE = (
    "#f3c300", "#875692", "#f38400", "#a1caf1", "#be0032", "#c2b280", "#848482", "#008856",
    "#e68fac", "#0067a5", "#f99379", "#604e97", "#f6a600", "#b3446c", "#dcd300", "#882d17",
    "#8db600", "#654522", "#e25822", "#2b3d26",
)  # fmt: skip


class Heading(NamedTuple):
    first: date | None  # the first and last day the report covers
    last: date | None
    title: str | None = None  # from --title or the team config
    client: str | None = None


def weekly_hours(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Billable seconds per user per week, from a report grouped by user and week."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        if r.get("week"):
            out[r["user"]][r["week"]] = r["billable_seconds"]
    return dict(out)


def nice_step(top: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks."""
    raw = max(top, 1e-9) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw)


def _users(weekly: dict[str, dict[str, int]]) -> list[str]:
    return sorted(weekly, key=natural)


def chart(report: Report, weekly: dict[str, dict[str, int]]) -> str:
    """Stacked bars of billable time per week, one colour per user, each bar's total
    written above it where the bars are wide enough (a printed page has no hover; the table
    under the chart has every figure)."""
    weeks = sorted({w for per_user in weekly.values() for w in per_user})
    users = _users(weekly)
    if not weeks:
        return "<p>No billable time in this range.</p>"
    seconds = [sum(weekly[u].get(w, 0) for u in users) for w in weeks]
    totals = [s / 3600 for s in seconds]
    step = nice_step(max(totals) or 1)
    top = step * math.ceil((max(totals) or 1) / step)
    longest = len(hms(round(top * 3600)))  # the top tick's label: room for it at the left
    width, left, right, above = 1000, 12 + 7 * longest, 12, 24
    slot = (width - left - right) / len(weeks)
    bar = slot * 0.7
    tilted = slot < 70  # long week labels turn when the bars are narrow
    below = 70 if tilted else 30
    plot = 290
    height = above + plot + below
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        'class="chart" role="img" aria-label="Billable hours per week, stacked by user">'
    ]
    for i in range(round(top / step) + 1):
        value = i * step
        y = above + plot - plot * value / top
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y + 4:.1f}" class="tick" '
            f'text-anchor="end">{hms(round(value * 3600))}</text>'
        )
    for wi, week in enumerate(weeks):
        x = left + wi * slot + (slot - bar) / 2
        y = above + plot
        for ui, user in enumerate(users):
            spent = weekly[user].get(week, 0)
            if not spent:
                continue
            h = plot * spent / 3600 / top
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[ui % len(PALETTE)]}"><title>{html.escape(user)} {week}: '
                f"{hms(spent)}</title></rect>"
            )
        middle = x + bar / 2
        if slot >= 64:
            parts.append(
                f'<text x="{middle:.1f}" y="{y - 5:.1f}" class="value" text-anchor="middle">'
                f"{hms(seconds[wi])}</text>"
            )
        label_y = above + plot + 16
        turn = f' transform="rotate(-40 {middle:.1f} {label_y})"' if tilted else ""
        anchor = "end" if tilted else "middle"
        parts.append(
            f'<text x="{middle:.1f}" y="{label_y}" class="week" text-anchor="{anchor}"{turn}>'
            f"{html.escape(week_label(report, week))}</text>"
        )
    legend = "".join(
        f'<li><span class="swatch" style="background:{PALETTE[i % len(PALETTE)]}"></span>'
        f"{html.escape(u)}</li>"
        for i, u in enumerate(users)
    )
    return "".join(parts) + f'</svg><ul class="legend">{legend}</ul>'


def week_table(report: Report, weekly: dict[str, dict[str, int]]) -> str:
    """The chart's figures: billable time per user (rows) and week (columns), exact, so
    that every row and column adds up as shown."""
    weeks = sorted({w for per_user in weekly.values() for w in per_user})
    if not weeks:
        return ""
    head = "".join(f'<th class="num">{html.escape(week_label(report, w))}</th>' for w in weeks)
    rows = []
    for user in _users(weekly):
        cells = "".join(f'<td class="num">{hms(weekly[user].get(w, 0))}</td>' for w in weeks)
        total = hms(sum(weekly[user].values()))
        rows.append(f"<tr><td>{html.escape(user)}</td>{cells}<td class='num'>{total}</td></tr>")
    sums = "".join(
        f'<td class="num">{hms(sum(weekly[u].get(w, 0) for u in weekly))}</td>' for w in weeks
    )
    grand = hms(sum(sum(v.values()) for v in weekly.values()))
    return (
        f'<table class="weeks"><thead><tr><th>user</th>{head}<th class="num">total</th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody><tfoot><tr><td>TOTAL</td>{sums}"
        f'<td class="num">{grand}</td></tr></tfoot></table>'
    )


def title_of(heading: Heading) -> str:
    first = heading.first.isoformat() if heading.first else "the beginning"
    last = heading.last.isoformat() if heading.last else "today"
    name = heading.title or "Billable time"
    return f"{name}, {first} to {last}"


STYLE = """
@page { size: A4; margin: 14mm; }
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px;
       padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
.client { font-size: 1.2em; margin: 0 0 0.5em; }
section { margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { padding: 3px 8px; border-bottom: 1px solid #ddd; }
th { background: #f4f4f4; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: bold; border-top: 2px solid #444; }
table.weeks { font-size: 0.85em; }
table.weeks td:first-child { white-space: nowrap; }
.scroll { max-width: 100%; overflow-x: auto; }
svg.chart { width: 100%; height: auto; display: block; }
svg .tick, svg .week { font-size: 12px; fill: #444; }
svg .value { font-size: 12px; font-weight: bold; fill: #222; }
ul.legend { list-style: none; padding: 0; margin: 0.5em 0; display: flex; flex-wrap: wrap;
            gap: 0.3em 1.2em; }
ul.legend li { white-space: nowrap; display: inline-flex; align-items: center; gap: 0.4em; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; }
.note, .meta, .source { color: #666; font-size: 0.9em; }
.stale { color: #8a1c00; background: #fff1e6; border-left: 4px solid #be0032;
         padding: 0.4em 0.8em; font-weight: bold; }
@media print {
  body { margin: 0; max-width: none; }
  section { break-inside: avoid-page; }
  section.totals { break-before: page; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  .scroll { overflow: visible; }
}
"""


def page(
    report: Report, weekly: dict[str, dict[str, int]], generated: date, heading: Heading
) -> str:
    lines = lines_of(report)
    columns = keys(report)
    numeric = len(columns)
    linked = "title" in columns and report.titles
    at = columns.index("title") if linked else -1

    def tr(line: list[str], tag: str, row: dict[str, Any] | None = None) -> str:
        shown = [html.escape(c) for c in line]
        link = row and linked and linked.get(row["task"], {}).get("link")
        if link:  # a task's title links to it in the team's tracker
            shown[at] = f'<a href="{html.escape(link)}">{shown[at]}</a>'
        cells = "".join(
            f'<{tag} class="{"num" if i >= numeric else "key"}">{c}</{tag}>'
            for i, c in enumerate(shown)
        )
        return f"<tr>{cells}</tr>"

    pairs = zip(lines[1:-1], report.rows, strict=True)
    body = "\n".join(tr(line, "td", row) for line, row in pairs)
    notes = "".join(f'<p class="note">Note: {html.escape(n)}</p>' for n in report.notes)
    title = title_of(heading)
    client = f'<p class="client">{html.escape(heading.client)}</p>' if heading.client else ""
    source = "".join(
        f'<p class="{"stale" if x.startswith("WARNING") else "source"}">{html.escape(x)}</p>'
        for x in source_lines(report)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{STYLE}</style></head>
<body>
<h1>{html.escape(title)}</h1>
{client}<p class="meta">Generated by ffhooks on {generated.isoformat()} from the committed team
summaries. All times are hours:minutes:seconds.</p>
{source}
<section class="chart">
<h2>Billable time per week</h2>
{chart(report, weekly)}
<div class="scroll">{week_table(report, weekly)}</div>
</section>
<section class="totals">
<h2>Totals</h2>
<div class="scroll"><table><thead>{tr(lines[0], "th")}</thead>
<tbody>
{body}
</tbody>
<tfoot>{tr(lines[-1], "td")}</tfoot></table></div>
{notes}
</section>
</body></html>
"""
