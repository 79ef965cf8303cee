"""Closed periods: the report of an invoiced period, kept as an annotated git tag
`ffhooks/closed/<period>` whose message holds that report (JSON, per user, task and day) and
its SHA-256. Later changes to the period do not rewrite what was billed: reports show the
closed figures and, apart, the adjustments since; `verify` names them.

The tag's report is what `ffhooks report --ref TAG --from FIRST --to LAST --by BY
--format json --ignore-closed` prints at the tagged commit, byte for byte (see README).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo
from ffhooks.records import Any, NamedTuple
from ffhooks.report.report import Cell, Prices, Unit, merged, period_of
from ffhooks.trust.erased import NONE, Erasures, at_commit, in_worktree, renamed_rows

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.trust.record import Listing
    from ffhooks.trust.signing import SigningKey
    from ffhooks.validator.digest import Digest

TAGS = "refs/tags/ffhooks/closed/"
BY = ("user", "task", "month", "day")  # the finest a summary holds: any later report's part
_SHA = "ffhooks-report-sha256: "
_PROJECT = "ffhooks-project: "
_REPORT = "ffhooks-report:\n"
_NAME = re.compile(
    r"(?:([0-9]{4}-[0-9]{2})|([0-9]{4}-[0-9]{2}-[0-9]{2})_([0-9]{4}-[0-9]{2}-[0-9]{2}))(?:\.([2-9]|[1-9][0-9]+))?"
)


class Span(NamedTuple):
    label: str  # 2026-11, or 2026-11-01_2026-11-15; `.2`, `.3`... for later revisions
    first: date
    last: date
    revision: int = 1  # `close --amend` closes the same days again, once adjustments are billed

    def next_revision(self) -> Span:
        base = self.label.partition(".")[0]
        return Span(
            label=f"{base}.{self.revision + 1}",
            first=self.first,
            last=self.last,
            revision=self.revision + 1,
        )

    @property
    def tag(self) -> str:
        return f"ffhooks/closed/{self.label}"

    def holds(self, period: str) -> bool:
        """Whether a summary's period key (a day, or a month) falls in the span: a month
        key only when the span covers the whole month."""
        facts = period_of(period)
        return self.first <= facts.first and facts.last <= self.last

    def cuts(self, period: str) -> bool:
        """Whether the span covers part of a period key only (a month's, with month-level
        summaries): its figures cannot be split, and counted whole in two closed parts of
        the month they would be billed twice."""
        facts = period_of(period)
        return facts.first <= self.last and facts.last >= self.first and not self.holds(period)


def span_of(label: str) -> Span | None:
    """The span a tag's last part names, None for a name ffhooks does not write."""
    match = _NAME.fullmatch(label)
    if match is None:
        return None
    revision = int(match[4] or 1)
    try:
        if match[1]:
            facts = period_of(match[1])
            return Span(label=label, first=facts.first, last=facts.last, revision=revision)
        first, last = date.fromisoformat(match[2]), date.fromisoformat(match[3])
    except ValueError:
        return None
    return Span(label=label, first=first, last=last, revision=revision) if first <= last else None


def span(month: str | None, first: date | None, last: date | None) -> Span:
    """The span `close` is asked for: a month (YYYY-MM), or --from and --to."""
    if month is not None:
        found = span_of(month) if re.fullmatch(r"[0-9]{4}-[0-9]{2}", month) else None
        if found is None or first or last:
            raise FatalError(
                f"{month!r}: give a month as YYYY-MM (e.g. 2026-11), or --from and --to instead"
            )
        return found
    if first is None or last is None or last < first:
        raise FatalError("give a month (e.g. 2026-11), or --from DATE and --to DATE in order")
    return Span(label=f"{first}_{last}", first=first, last=last)


def whole_months(found: Iterable[Digest]) -> dict[str, set[str]]:
    """Month -> users whose summaries hold it whole (`summary_detail.period: month`, today
    or when they were written): the finest a period can be closed at in those months."""
    whole: dict[str, set[str]] = {}
    for d in found:
        if d.month_level:
            whole.setdefault(d.month, set()).add(d.user)
    return whole


def check_grain(s: Span, found: Iterable[Digest], commit: str) -> None:
    """Refuse a span that cuts a month some summary at `commit` holds whole, naming the
    spans that can be closed instead."""
    whole = whole_months(found)
    cut = sorted(m for m in whole if s.cuts(m))
    if not cut:
        return
    users = sorted({u for m in cut for u in whole[m]})
    first = period_of(s.first.isoformat()[:7])
    last = period_of(s.last.isoformat()[:7])
    wider = Span(
        label="",
        first=first.first if first.month in cut else s.first,
        last=last.last if last.month in cut else s.last,
    )
    narrower = Span(
        label="",
        first=first.last + timedelta(days=1) if first.month in cut else s.first,
        last=last.first - timedelta(days=1) if last.month in cut else s.last,
    )
    options = [f"`{command(wider)}`"]
    if narrower.first <= narrower.last:
        options.append(f"`{command(narrower)}`")
    raise FatalError(
        f"{s.label}: the summaries at {commit[:12]} hold {' and '.join(cut)} only as a whole "
        f"(month-level summaries: {', '.join(users)}), so part of a month cannot be closed "
        f"(each part would bill the whole month): close whole months, e.g. "
        f"{' or '.join(options)}"
    )


def command(s: Span) -> str:
    """The `ffhooks close` command line that closes the span's days."""
    month = s.first.isoformat()[:7]
    if (s.first, s.last) == (period_of(month).first, period_of(month).last):
        return f"ffhooks close {month}"
    return f"ffhooks close --from {s.first} --to {s.last}"


def closed_labels(repo: Repo) -> list[str]:
    """The closed periods' names, from the refs alone (no git process: `add` asks)."""
    found: set[str] = set()
    folder = repo.common_dir / TAGS
    if folder.is_dir():
        found.update(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    try:
        packed = (repo.common_dir / "packed-refs").read_text(encoding="utf-8", errors="replace")
    except OSError:
        packed = ""
    for line in packed.splitlines():
        ref = line.partition(" ")[2]
        if ref.startswith(TAGS):
            found.add(ref[len(TAGS) :])
    return sorted(found)


def closed_spans(repo: Repo) -> list[Span]:
    """The closed periods, each at its latest revision."""
    latest: dict[tuple[date, date], Span] = {}
    for s in filter(None, map(span_of, closed_labels(repo))):
        known = latest.get((s.first, s.last))
        if known is None or s.revision > known.revision:
            latest[(s.first, s.last)] = s
    return sorted(latest.values(), key=lambda s: s.first)


class Closed(NamedTuple):
    span: Span
    commit: str  # the commit the tag names
    report: Any  # as `report --format json` printed it
    tag_object: bytes = b""  # as `git cat-file tag` gives it: what its signature covers


def closed_periods(repo: Repo) -> list[Closed]:
    """Every closed period with its recorded report, checked against its recorded hash."""
    spans = closed_spans(repo)
    if not spans:
        return []
    from ffhooks.git.objects import read_objects
    from ffhooks.git.plumbing import run_git

    names = [f"refs/tags/{s.tag}" for s in spans]
    listed = run_git(
        ["for-each-ref", "--format=%(refname) %(objecttype) %(*objectname)", *names], repo.top
    )
    commits = {}
    for line in listed.splitlines():
        ref, kind, commit = [*line.split(), "", ""][:3]
        commits[ref] = commit if kind == "tag" else ""
    texts = read_objects(repo.top, names)
    record = erasures(repo)
    found = []
    for s, name, raw in zip(spans, names, texts, strict=True):
        if not commits.get(name):
            raise FatalError(
                f"tag {s.tag} is not an annotated tag holding a report: `git tag -d {s.tag}`, "
                f"then `ffhooks close {s.label}` again"
            )
        report = recorded(s.tag, raw.decode(errors="replace"))
        if record.people:  # erased names read as their pseudonyms
            report = {**report, "rows": renamed_rows(record, report["rows"])}
        found.append(Closed(span=s, commit=commits[name], report=report, tag_object=raw))
    return found


def erasures(repo: Repo) -> Erasures:
    """The record of erased names that closed periods are read by: the work tree's (a
    bare repository's, at HEAD)."""
    if not repo.bare:
        return in_worktree(repo.top)
    from ffhooks.git.plumbing import run_git

    head = run_git(["rev-parse", "--verify", "--quiet", "HEAD"], repo.top, check=False).strip()
    return at_commit(repo.top, head) if head else NONE


def message(s: Span, text: str | None, report_json: str, project: str | None) -> str:
    """The tag's message: a heading, the user's note, the project (team config `project`,
    where it names one: a signed closing then counts in its own project only), and the
    report with its hash."""
    if text and "ffhooks-" in text:
        raise FatalError(
            "--message: leave out words that start with ffhooks- (ffhooks-report, "
            "ffhooks-project: they mark what the tag records)"
        )
    head = f"ffhooks closed period {s.label} ({s.first} to {s.last})\n\n"
    note = f"{text.strip()}\n\n" if text and text.strip() else ""
    named = f"{_PROJECT}{project}\n" if project else ""
    digest = hashlib.sha256(report_json.encode()).hexdigest()
    return f"{head}{note}{named}{_SHA}{digest}\n{_REPORT}{report_json}"


def project_of(tag_object: bytes) -> str | None:
    """The project a closing names (None: made before ffhooks 0.5, or where none was set)."""
    head = tag_object.split(f"\n{_SHA}".encode(), 1)[0]
    for line in head.splitlines():
        if line.startswith(_PROJECT.encode()):
            return line[len(_PROJECT) :].decode(errors="replace").strip()
    return None


def recorded(tag: str, text: str) -> Any:
    """The report a tag object's text (`git cat-file tag`) holds, after checking its hash."""
    fix = f"the tag was not made by `ffhooks close`, or was altered: `git show {tag}`"
    at = text.find(f"\n{_SHA}")
    start = text.find(f"\n{_REPORT}", at)
    if at < 0 or start < 0:
        raise FatalError(f"tag {tag}: holds no ffhooks report; {fix}")
    digest = text[at + 1 + len(_SHA) : start].strip()
    body = text[start + 1 + len(_REPORT) :]
    signature = body.find("\n-----BEGIN ")
    body = body if signature < 0 else body[: signature + 1]
    if hashlib.sha256(body.encode()).hexdigest() != digest:
        raise FatalError(f"tag {tag}: its report does not match its recorded sha256; {fix}")
    try:
        report = json.loads(body)
        cells_of(report)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise FatalError(f"tag {tag}: its report is not a report's JSON; {fix}") from None
    return report


def cells_of(report: Any) -> list[Cell]:
    """The cells a closed report holds (TypeError or KeyError if it holds something else)."""
    out = []
    for r in report["rows"]:
        cell = Cell(
            user=r["user"],
            task=r["task"],
            period=r["day"] or r["month"],
            billable_seconds=r["billable_seconds"],
            non_billable_seconds=r["non_billable_seconds"],
            sessions=r["sessions"],
        )
        if not all(type(v) is str for v in cell[:3]) or not all(type(v) is int for v in cell[3:6]):
            raise TypeError("not a report's row")
        period_of(cell.period)  # ValueError if it is no day or month
        out.append(cell)
    return out


class Cut(NamedTuple):
    """A closed period that covers part of a month only, while summaries hold that month
    whole: its figures cannot be told apart from the rest of the month's."""

    closed: Closed
    month: str
    problem: str


def cuts(closed: list[Closed], held_whole: Iterable[str]) -> list[Cut]:
    """The closed periods that cut a month held whole: in the report they recorded (closed
    by an older ffhooks, which let month-level summaries be closed in parts: each part
    recorded the whole month), or by the summaries today (`held_whole`: the months they hold
    whole, written by month since)."""
    found = []
    every = "`git tag -l 'ffhooks/closed/{m}*'` lists its closings"
    held_whole = set(held_whole)
    for c in closed:
        then = {x.period for x in cells_of(c.report) if c.span.cuts(x.period)}
        now = {m for m in held_whole if c.span.cuts(m)} - then
        tag, part = c.span.tag, f"{c.span.first} to {c.span.last}"
        for month in sorted(then):
            found.append(
                Cut(
                    c,
                    month,
                    f"closes part of {month} ({part}) but records the whole month (month-level "
                    "summaries, closed by an older ffhooks), so closed parts of a month bill it "
                    f"more than once: check what was invoiced, then delete the closings of "
                    f"{month} ({every.format(m=month)}; `git tag -d {tag}`, and `git push "
                    f"origin :refs/tags/{tag}`) and close it whole: `ffhooks close {month}`",
                )
            )
        for month in sorted(now):
            found.append(
                Cut(
                    c,
                    month,
                    f"closes part of {month} ({part}), but the summaries now hold {month} "
                    "whole (summary_detail.period month), so its closed days cannot be told "
                    "from the rest: write the month by day again (summary_detail.period day, "
                    "then `ffhooks aggregate --all` where it was tracked), or delete the "
                    f"closings of {month} ({every.format(m=month)}) and close it whole: "
                    f"`ffhooks close {month}`",
                )
            )
    return found


class Lowered(NamedTuple):
    """How much one day's figures (a month's, where a summary holds whole months) of one
    user's task in a closed period changed since closing, where one of them went down."""

    period: str  # a day, or a month
    billable_seconds: int
    non_billable_seconds: int
    sessions: int


def _change(billable: int, non_billable: int, sessions: int) -> list[str]:
    """`billable +2:00:00`, `sessions +1`: each figure that changed, in the report's units."""
    from ffhooks.report.render import hms

    parts = [
        f"{name} {'+' if value > 0 else '-'}{hms(abs(value))}"
        for name, value in (("billable", billable), ("non-billable", non_billable))
        if value
    ]
    return [*parts, *([f"sessions {sessions:+d}"] if sessions else [])]


class Adjustment(NamedTuple):
    """How one user's time on one task in a closed period changed since closing: in all
    (today's figures minus the closed ones), what that bills at the team's rates, and the
    days on which a figure went down. None went down: time added, an adjustment to bill.
    One did: billed time was taken out, which no later invoice bills back by itself."""

    period: str
    user: str
    task: str
    billable_seconds: int
    non_billable_seconds: int
    sessions: int
    amount_cents: int | None = None  # None: its user and task have no rate
    lowered: tuple[Lowered, ...] = ()

    def change(self, currency: str | None = None) -> str:
        """`billable +2:00:00, sessions +1, +200.00 EUR`: what changed in all, in the
        report's units, with its amount where priced (`unchanged`: time moved between
        days)."""
        from decimal import Decimal

        parts = _change(*self[3:6])
        if self.amount_cents is not None and (parts or self.amount_cents):
            money = f"{Decimal(self.amount_cents).scaleb(-2):+,.2f}"
            parts.append(f"{money} {currency}" if currency else money)
        return ", ".join(parts) or "unchanged"

    def lowering(self) -> str:
        """`2026-11-03 billable -1:00:00, sessions -1`: what went down, day by day."""
        return "; ".join(f"{x.period} {', '.join(_change(*x[1:]))}" for x in self.lowered)

    def to_json(self) -> dict[str, Any]:
        """As `report --format json` and `verify --format json` give it."""
        from ffhooks.report.report import exact

        out: dict[str, Any] = dict(zip(self._fields[:6], self[:6], strict=True))
        out["kind"] = "lowering" if self.lowered else "addition"
        if self.amount_cents is not None:
            out.update(exact(self.amount_cents))
        out["lowered"] = [x._asdict() for x in self.lowered]
        return out


def adjustments(
    label: str, before: Iterable[Unit], after: Iterable[Unit], prices: Prices
) -> list[Adjustment]:
    """Per user and task, how `after` (the units of a closed period today) differs from
    `before` (the closed ones), priced by `prices`. The figures are compared day by day (a
    month's, where either side holds the month whole), so that a day lowered is not hidden
    by another raised."""
    sides: dict[tuple[str, str], dict[str, tuple[list[Unit], list[Unit]]]] = {}
    for side, units in enumerate((before, after)):
        for u in units:
            months = sides.setdefault((u.user, u.task), {})
            months.setdefault(u.period[:7], ([], []))[side].append(u)
    found = []
    for (user, task), months in sorted(sides.items()):
        then = [u for m in months.values() for u in m[0]]
        now = [u for m in months.values() for u in m[1]]
        net = [a - b for a, b in zip(_totals(now), _totals(then), strict=True)]
        lowered = tuple(x for _, m in sorted(months.items()) for x in _lowered(*m))
        if not any(net) and not lowered:
            continue
        billed, today = [prices.cents(u) for u in then], [prices.cents(u) for u in now]
        found.append(
            Adjustment(
                period=label,
                user=user,
                task=task,
                billable_seconds=net[0],
                non_billable_seconds=net[1],
                sessions=net[2],
                amount_cents=None if None in billed + today else _sum(today) - _sum(billed),
                lowered=lowered,
            )
        )
    return found


def _sum(cents: list[int | None]) -> int:
    return sum(c or 0 for c in cents)


def _totals(units: Iterable[Unit]) -> tuple[int, int, int]:
    """Billable seconds, non-billable seconds and sessions, added up."""
    cells = [u.cell() for u in units]
    return (
        sum(c.billable_seconds for c in cells),
        sum(c.non_billable_seconds for c in cells),
        sum(c.sessions for c in cells),
    )


def _lowered(then: list[Unit], now: list[Unit]) -> Iterator[Lowered]:
    """The days of one month (or the month, where either side holds it whole) on which a
    figure went down from `then` to `now`."""
    whole = any(len(u.period) == 7 for u in then + now)
    periods: dict[str, tuple[list[Unit], list[Unit]]] = {}
    for side, units in enumerate((then, now)):
        for u in units:
            periods.setdefault(u.period[:7] if whole else u.period, ([], []))[side].append(u)
    for period, (before, after) in sorted(periods.items()):
        delta = [a - b for a, b in zip(_totals(after), _totals(before), strict=True)]
        if min(delta) < 0:
            yield Lowered(
                period=period,
                billable_seconds=delta[0],
                non_billable_seconds=delta[1],
                sessions=delta[2],
            )


def changed_months(closed: list[Closed], listed: Listing) -> set[str]:
    """The months that closed periods hold whole in which some user's live summaries in
    `listed` are not those at the closing's commit (by path and blob id): a report or
    `verify` counts them day by day, for `adjustments` to compare; any other holds what
    was closed. Only each closing's own months are listed at its commit."""
    from ffhooks.trust import record

    now: dict[str, dict[str, str]] = {}  # `<user>/<month>` -> its live summaries
    for path, blob in listed.blobs.items():
        now.setdefault(_folder(path), {})[path] = blob
    found: set[str] = set()
    for c in closed:
        months = [m for m in _months(c.span) if c.span.holds(m) and m not in found]
        users = {x.user for x in cells_of(c.report)} | {f.partition("/")[0] for f in now}
        folders = [f"{u}/{m}" for u in sorted(users) for m in months]
        then: dict[str, dict[str, str]] = {}
        if folders:
            for path, blob in record.folders_at(listed.top, c.commit, folders).items():
                then.setdefault(_folder(path), {})[path] = blob
        found |= {f.partition("/")[2] for f in folders if then.get(f) != now.get(f)}
    return found


def _folder(path: str) -> str:
    """`<user>/<month>` of a summary's path."""
    return "/".join(path.rsplit("/", 3)[1:3])


def _months(s: Span) -> Iterator[str]:
    """The months (YYYY-MM) a span has days in."""
    month = s.first.replace(day=1)
    while month <= s.last:
        yield month.isoformat()[:7]
        month = (month + timedelta(days=31)).replace(day=1)


def apply(
    units: Iterable[Unit],
    closed: list[Closed],
    inside: Callable[[Cell], bool],
    changes: list[Adjustment],
    prices: Prices,
) -> Iterator[Unit]:
    """The units a report counts when periods are closed: each closed period's recorded
    cells instead of today's, as the stream passes; once it has passed, `changes` holds the
    adjustments between them, priced by `prices`. `inside(cell)` says which cells the
    report covers (its dates, users and tasks). A unit under a month's key stands for all
    its days: a closed period holds it only when it covers the whole month (else `units`
    gave that month by day); in a month of `changed_months`, `units` gives days too."""
    if not closed:
        yield from units
        return
    by_month: dict[str, list[Closed]] = {}
    for c in closed:
        for month in _months(c.span):
            by_month.setdefault(month, []).append(c)
    now: dict[str, list[Unit]] = {c.span.label: [] for c in closed}
    for u in units:
        holder = next((c for c in by_month.get(u.period[:7], ()) if c.span.holds(u.period)), None)
        if holder is None:
            yield u
        elif inside(u.cell()):
            now[holder.span.label].append(u)
    for c in closed:
        then = merged(cells_of(c.report))
        yield from then
        before = [x for x in then if inside(x.cell())]
        changes += adjustments(c.span.label, before, now[c.span.label], prices)


def ssh_key(repo: Repo, scratch: Path) -> SigningKey | None:
    """The SSH key a closing is signed with: the one ffhooks signs summaries with (None if
    there is none, or git signs with a GPG key)."""
    from ffhooks.trust import signing

    try:
        return signing.configured_key(repo.top, scratch)
    except FatalError:  # not an SSH key: a GPG key id, say
        return None


def write_tag(repo: Repo, s: Span, commit: str, text: str, scratch: Path) -> str:
    """Create the tag, signed when git can sign: with the SSH key ffhooks signs summaries
    with, else as git signs tags here (`user.signingkey` with `gpg.format`). Returns how."""
    from ffhooks.git.plumbing import config_values, run_git

    file = scratch / "close-message"
    file.write_text(text, encoding="utf-8")
    args = ["tag", "-a", "--cleanup=verbatim", "-F", str(file), s.tag, commit]
    key = ssh_key(repo, scratch)
    if key is not None:
        args = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key.file}", *args]
        how = f"signed with {key.fingerprint}"
    elif "user.signingkey" in config_values(repo.top, r"^user\.signingkey$"):
        how = "signed as git signs tags here"
    else:
        how = "unsigned"
    if how != "unsigned":
        args[args.index("-a")] = "-s"
    run_git(args, repo.top)
    return how
