"""The team report: the units of the summaries read (trust/record.py), filtered, rounded,
priced and grouped as they stream by. Pure computation; printing is elsewhere."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

from ffhooks.clock import month_days
from ffhooks.records import Any, NamedTuple
from ffhooks.summary import UNTAGGED
from ffhooks.trust import record
from ffhooks.validator.digest import Digest, Figures, unpacked

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.git.provenance import Provenance

DIMENSIONS = ("user", "task", "day", "week", "month", "tag")
DATASET_DIMENSIONS = ("repo", *DIMENSIONS)  # `report --dataset`: many repositories
MEASURES = ("billable_seconds", "non_billable_seconds", "sessions")


class Cell(NamedTuple):
    """One user's totals for one task in one period (a day, or a whole month)."""

    user: str
    task: str
    period: str
    billable_seconds: int
    non_billable_seconds: int
    sessions: int
    tag: str = UNTAGGED  # the tag set (summary.tag_set), where the report reads them


# What a report by tag shows for sessions without tags, and for time whose summary holds no
# split by tag (written with summary_detail.tags off): no tag set has a space.
NO_TAGS = "(no tags)"
NO_TAG_DETAIL = "(no tag detail)"


class Unit(NamedTuple):
    """What a report rounds and prices one at a time: one user's time on one task in one
    period (a day, or a month of a month-level summary), given as figures with how many
    periods had each, so that a month of days can stand as one Unit under the month's key
    where the report groups by nothing finer (`units`)."""

    user: str
    task: str
    period: str
    billable: Figures
    non_billable: Figures
    sessions: int
    tag: str = UNTAGGED
    # (billable seconds, non-billable seconds, cents): its share of its user's, task's and
    # day's time, rounded and priced whole (report/tags.py); None: round and price it alone
    shared: tuple[int, int, int | None] | None = None
    repo: str = ""  # the repository's name in an organisation's dataset (org/dataset.py)

    def cell(self) -> Cell:
        """The unit's totals."""
        return Cell(
            user=self.user,
            task=self.task,
            period=self.period,
            billable_seconds=sum(s * n for s, n in self.billable),
            non_billable_seconds=sum(s * n for s, n in self.non_billable),
            sessions=self.sessions,
            tag=self.tag,
        )


class Report(NamedTuple):
    first: date | None
    last: date | None
    group_by: tuple[str, ...]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    notes: list[str]
    currency: str | None
    source: Provenance | None = None  # where the figures were read
    titles: dict[str, dict[str, str]] | None = None  # task -> title, link (team config)


_DIGITS = re.compile(r"([0-9]+)")


def natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that orders the numbers in a name as numbers: task 7 before task 16,
    `dev-2` before `dev-10`. Dates and weeks sort as before (their numbers have fixed
    widths)."""
    return tuple(
        (1, int(part)) if i % 2 else (0, part)
        for i, part in enumerate(_DIGITS.split(text))
        if part or i == 0
    )


def week_days(week: str, first: date | None, last: date | None) -> tuple[date, date]:
    """The days of an ISO week (`2026-W49`) that the range first..last holds: a week the
    range cuts at either end holds fewer than seven."""
    monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    sunday = monday + timedelta(days=6)
    return max(monday, first or monday), min(sunday, last or sunday)


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


def holds_summaries(top: Path, ref: str) -> bool:
    """Whether the commit `ref` names holds a live summary in any month (asked only when
    the months of a range hold none)."""
    return bool(record.listing(top, ref, None).blobs)


def day_cells(docs: Iterable[tuple[str, dict[str, Any]]]) -> Iterator[Cell]:
    """The totals of each summary, period by period."""
    for _, doc in docs:
        for period, tasks in doc["totals"].items():
            for task, t in tasks.items():
                yield Cell(
                    user=doc["user"],
                    task=task,
                    period=period,
                    billable_seconds=t["billable_seconds"],
                    non_billable_seconds=t["non_billable_seconds"],
                    sessions=t["sessions"],
                )


def tag_cells(docs: Iterable[tuple[str, dict[str, Any]]]) -> Iterator[Cell]:
    """The totals of each summary split by tag set, period by period; a summary without a
    split gives its totals under NO_TAG_DETAIL."""
    for path, doc in docs:
        split = doc.get("tags")
        if split is None:
            yield from (c._replace(tag=NO_TAG_DETAIL) for c in day_cells([(path, doc)]))
            continue
        by_set: dict[str, dict[str, dict[str, Any]]] = {}
        for period, tasks in split.items():
            for task, sets in tasks.items():
                for tag, t in sets.items():
                    by_set.setdefault(tag, {}).setdefault(period, {})[task] = t
        for tag, totals in by_set.items():
            shown = NO_TAGS if tag == UNTAGGED else tag
            part = {"user": doc["user"], "totals": totals}
            yield from (c._replace(tag=shown) for c in day_cells([(path, part)]))


def merged(cells: Iterable[Cell]) -> list[Unit]:
    """Cells added up per user, task, period and tag set: the units a report rounds and
    prices."""
    sums: dict[tuple[str, str, str, str], list[int]] = {}
    for c in cells:
        unit = sums.setdefault((c.user, c.task, c.period, c.tag), [0, 0, 0])
        unit[0] += c.billable_seconds
        unit[1] += c.non_billable_seconds
        unit[2] += c.sessions
    return [
        Unit(
            user=user,
            task=task,
            period=period,
            billable=((b, 1),),
            non_billable=((nb, 1),),
            sessions=sessions,
            tag=tag,
        )
        for (user, task, period, tag), (b, nb, sessions) in sums.items()
    ]


def units(
    listed: record.Listing,
    found: dict[str, Digest],
    by_day: Callable[[str], bool],
    by_tag: bool = False,
) -> Iterator[Unit]:
    """The units of the summaries `found` (path -> digest, in path order, so that each
    user's month comes together). A month that `by_day(month)` asks for, or where one person
    has several stores (their days add up before rounding and prices), comes day by day from
    its summaries read again, all in one stream; any other from its digest, one Unit per
    task under the month's key. `by_tag`: every month from its summaries, split by tag set
    (digests hold no tags)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for path, d in found.items():
        groups.setdefault((d.user, d.month), []).append(path)

    def daily(paths: list[str]) -> bool:
        d = found[paths[0]]
        return by_tag or len(paths) > 1 or (by_day(d.month) and not d.month_level)

    docs = record.documents(listed, [p for ps in groups.values() if daily(ps) for p in ps])
    for paths in groups.values():
        if daily(paths):
            read = tag_cells if by_tag else day_cells
            yield from merged(read(next(docs) for _ in paths))
            continue
        d = found[paths[0]]
        for task, m in d.tasks.items():
            yield Unit(
                user=d.user,
                task=task,
                period=d.month,
                billable=unpacked(m.billable),
                non_billable=unpacked(m.non_billable),
                sessions=m.sessions,
            )


def touching(
    found: dict[str, Digest], first: date | None, last: date | None, users: list[str]
) -> dict[str, Digest]:
    """The summaries a report over these dates and users counts from."""
    out = {}
    for path, d in found.items():
        facts = period_of(d.month)
        if (users and d.user not in users) or (first and facts.last < first):
            continue
        if not (last and facts.first > last):
            out[path] = d
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


def pricer(rate: Decimal) -> Callable[[int], int]:
    """The amount of one unit (a user's billable time on a task in one day, or one month for
    month-level summaries; the grain time is rounded at) at an hourly `rate`, in whole cents,
    halves rounded away from zero (Decimal's ROUND_HALF_UP). Rows and totals add these up, so
    every grouping gives the same total, to the cent. In integers, the rate an exact
    fraction: a report of years prices millions of units."""
    top, bottom = rate.as_integer_ratio()
    bottom *= 36  # an hourly rate: cents = rate * seconds * 100 / 3600
    sign = -1 if top < 0 else 1
    top = abs(top)

    def price(seconds: int) -> int:
        return sign * ((2 * top * seconds + bottom) // (2 * bottom))

    return price


class Prices:
    """How a report rounds and prices each unit: its figures rounded one by one (per day,
    or per month of a month-level summary) to `round_minutes`, if given, and its billable
    time priced by `pricer` at its user's and task's rate (`rate_for`). One object serves a
    whole report: each user's and task's rate is looked up once."""

    def __init__(
        self, rates: dict[str, Any] | None, round_minutes: int | None, round_mode: str
    ) -> None:
        self.rates = rates or {}
        self.round_minutes = round_minutes
        self.round_mode = round_mode
        self.priced = False  # whether some unit had a rate
        self._known: dict[tuple[str, str], Callable[[int], int] | None] = {}

    def seconds(self, figures: Figures) -> int:
        """The seconds of figures ((seconds, how many periods) pairs), each rounded."""
        if self.round_minutes:
            step, mode = self.round_minutes, self.round_mode
            return sum(_round(s, step, mode) * n for s, n in figures)
        return sum(s * n for s, n in figures)

    def cents(self, u: Unit) -> int | None:
        """The unit's amount in whole cents; None where its user and task have no rate."""
        if not self.rates:
            return None
        if u.shared is not None:  # a share of an amount priced whole (report/tags.py)
            self.priced = self.priced or u.shared[2] is not None
            return u.shared[2]
        key = (u.user, u.task)
        if key not in self._known:
            rate = rate_for(self.rates, u.user, u.task)
            self._known[key] = None if rate is None else pricer(rate)
        price = self._known[key]
        if price is None:
            return None
        self.priced = True
        step, mode = self.round_minutes, self.round_mode
        return sum(price(_round(s, step, mode) if step else s) * n for s, n in u.billable)


def build(all_cells: Iterable[Cell], **options: Any) -> Report:
    """The report of cells (added up per user, task and period first); `options` as
    `tally` takes them."""
    return tally(merged(all_cells), month_level=None, **options)


def tally(
    all_units: Iterable[Unit],
    *,
    month_level: bool | None,
    first: date | None,
    last: date | None,
    users: list[str],
    tasks: list[str],
    group_by: tuple[str, ...],
    round_minutes: int | None,
    round_mode: str,
    rates: dict[str, Any] | None,
    currency: str | None,
    tags: Sequence[str] = (),
    prices: Prices | None = None,
) -> Report:
    """The report of `all_units` as they stream by: each filtered, rounded and priced on its
    own, then added to its row. `month_level`: whether some summaries counted hold whole
    months (None: the units with a month's key are theirs). `prices`: how units are priced
    where not by `rates` (a dataset's units, each at its own repository's rates)."""
    notes: list[str] = []
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    prices = prices or Prices(rates, round_minutes, round_mode)
    no_split = month_keyed = False
    for u in all_units:
        if (users and u.user not in users) or (tasks and u.task not in tasks):
            continue
        if tags and not set(tags) & set(u.tag.split("+")):
            continue
        facts = period_of(u.period)  # a month key: inside if the month overlaps
        if (first and facts.last < first) or (last and facts.first > last):
            continue
        no_split = no_split or u.task == "*"
        month_keyed = month_keyed or facts.day is None
        if u.shared is None:
            billable, non_billable = prices.seconds(u.billable), prices.seconds(u.non_billable)
        else:
            billable, non_billable = u.shared[:2]
        keys = {
            "repo": u.repo,
            "user": u.user,
            "task": u.task,
            "day": facts.day,
            "week": facts.week,
            "month": facts.month,
            "tag": u.tag,
        }
        key = tuple(str(keys[d]) for d in group_by)
        row = groups.get(key)
        if row is None:  # a new row: built once, not at every unit that adds to it
            row = groups[key] = {**{d: keys[d] for d in group_by}, **dict.fromkeys(MEASURES, 0)}
            row["_cents"] = 0
        row["billable_seconds"] += billable
        row["non_billable_seconds"] += non_billable
        row["sessions"] += u.sessions
        row["_cents"] += prices.cents(u) or 0
    month_level = month_keyed if month_level is None else month_level
    if month_level:
        notes.append(
            "some summaries hold whole months only: their time is counted in full "
            "for any month the range touches, and has no day or week"
        )
    if no_split:
        notes.append("some summaries hold no per-task split: their time shows as task *")
    if round_minutes:
        whole = " (per month where a summary holds whole months)" if month_level else ""
        notes.append(
            f"rounded {'up' if round_mode == 'up' else 'to the nearest'} "
            f"{round_minutes} min per user, task and day{whole}, before adding up"
        )
    priced = prices.priced
    rows = [groups[k] for k in sorted(groups, key=lambda k: (tuple(map(natural, k)), k))]
    totals: dict[str, Any] = {m: sum(r[m] for r in rows) for m in MEASURES}
    if priced:  # exact: a Decimal of whole cents, never a binary float
        totals["amount"] = Decimal(sum(r["_cents"] for r in rows)).scaleb(-2)
    for r in rows:
        r_cents = r.pop("_cents")
        if priced:
            r["amount"] = Decimal(r_cents).scaleb(-2)
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
    if "amount" not in figures:
        return figures
    return {**figures, **exact(int(figures["amount"].scaleb(2)))}


def exact(cents: int) -> dict[str, Any]:
    """An amount as JSON gives it exactly: a decimal string ("843.33") and whole cents."""
    return {"amount": f"{Decimal(cents).scaleb(-2):.2f}", "amount_cents": cents}


def _json_row(report: Report, row: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON gives it: amounts exact, a week's days in the range, a task's title."""
    out = _exact(row)
    if row.get("week"):
        days = week_days(row["week"], report.first, report.last)
        out["week_from"], out["week_to"] = (d.isoformat() for d in days)
    if report.titles and row.get("task") in report.titles:
        out.update(report.titles[row["task"]])
    return out


def to_json(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {
        "from": report.first.isoformat() if report.first else None,
        "to": report.last.isoformat() if report.last else None,
        "group_by": list(report.group_by),
        "rows": [_json_row(report, r) for r in report.rows],
        "totals": _exact(report.totals),
        "notes": report.notes,
    }
    if report.currency:
        out["currency"] = report.currency
    if report.source is not None:
        out["source"] = report.source._asdict()
    return out


def dumps(report: Report, **extra: Any) -> str:
    return json.dumps({**to_json(report), **extra}, indent=2, ensure_ascii=False)
