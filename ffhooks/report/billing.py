"""What a billing report counts, whatever prints it (`ffhooks report`, `ffhooks close`): the
summaries of the work tree or a ref, the closed periods that replace them, the team's trust
judged (projects, signatures, closers), and the cells rounded and grouped (report/report.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from ffhooks.clock import detect_timezone, range_bound, zone
from ffhooks.config import TeamConfig, load_config
from ffhooks.errors import FatalError
from ffhooks.git.objects import resolve_commit
from ffhooks.git.plumbing import Repo
from ffhooks.git.provenance import source_of
from ffhooks.records import Any, NamedTuple
from ffhooks.report import closing
from ffhooks.report import report as rep
from ffhooks.trust import erased, record
from ffhooks.trust.policy import (
    UNMARKED_FIX,
    Unverified,
    cache_file,
    of_projects,
    policy_at,
    unverified,
    worktree_signers,
)
from ffhooks.validator.digest import Digest, DigestCache


def bound(text: str | None, now: datetime, *, end: bool) -> date | None:
    return range_bound(text, now, zone(detect_timezone()), end=end)


class Scope(NamedTuple):
    """What a report covers, and how it rounds."""

    first: date | None
    last: date | None
    users: list[str]
    tasks: list[str]
    round_minutes: int | None = None
    round_mode: str = "up"
    tags: tuple[str, ...] = ()  # only sessions carrying one of these (report/tags.py)

    def options(self, config: TeamConfig) -> dict[str, Any]:
        return dict(self._asdict(), rates=config.rates, currency=config.currency)

    def holds(self, cell: rep.Cell) -> bool:
        if (self.users and cell.user not in self.users) or (
            self.tasks and cell.task not in self.tasks
        ):
            return False
        if self.tags and not set(self.tags) & set(cell.tag.split("+")):
            return False
        facts = rep.period_of(cell.period)
        return self.touches(facts.first, facts.last)

    def touches(self, first: date, last: date) -> bool:
        """Whether the days first..last overlap the range (either end of it open)."""
        return not (self.first and last < self.first) and not (self.last and first > self.last)


def compute(
    repo: Repo,
    ref: str | None,
    scope: Scope,
    group_by: tuple[str, ...],
    include_unverified: bool,
    ignore_closed: bool,
    *,
    keep_cells: bool = False,
) -> tuple[rep.Report, list[rep.Cell], dict[str, Any], Scope]:
    """The report, the cells it counts (with `keep_cells`, else none: the HTML page's weeks
    need them), what its JSON adds (unverified summaries, and the adjustments of closed
    periods since they were closed), and the scope as resolved."""
    # only the months the range touches are read: a month's summaries hold its days only
    listed = record.listing(repo.top, ref, rep.months_within(scope.first, scope.last))
    if ref and not listed.blobs and not rep.holds_summaries(repo.top, ref):
        raise FatalError(
            f"{ref} holds no summaries (.flowforge/team/summaries/ is empty or missing there): "
            "check the ref, or fetch"
        )
    cache = DigestCache(repo.state_dir)
    found = record.digests(listed, cache)
    for path, problem in record.crowded(listed, found):
        raise FatalError(f"{path}: {problem}")
    closed = [] if ignore_closed else closing.closed_periods(repo)
    if closed:
        _trusted_closings(repo, ref, closed)
    folders = record.known_user_folders(repo.top, ref) if scope.users else set()
    ranged = scope.first is not None or scope.last is not None
    everything = (
        (lambda: record.digests(record.listing(repo.top, ref, None), cache)) if ranged else None
    )
    scope = _filters(found, closed, scope, folders, everything)
    touched = rep.touching(found, scope.first, scope.last, scope.users)
    config, allowed = _policy(repo, ref)
    unmarked = _of_projects(config, touched)
    unverified = _unverified(repo, config, allowed, listed, touched, include_unverified)
    capped = [f"{d.user} {d.month}" for d in found.values() if d.capped]
    held_whole = {d.month for d in found.values() if d.month_level and d.tasks}
    _refuse_cut_months(closed, held_whole, scope)
    changes: list[closing.Adjustment] = []
    changed = closing.changed_months(closed, listed) if closed else set()
    by_day = _by_day(scope, group_by, closed, keep_cells, changed)
    team = team_config(repo, ref)
    options = scope.options(team)
    prices = rep.Prices(options["rates"], scope.round_minutes, scope.round_mode)
    by_tag = "tag" in group_by or bool(scope.tags)
    read = rep.units(listed, found, by_day, by_tag)
    untold: set[str] = set()  # user months without a split by tag
    if by_tag:  # report/tags.py
        from ffhooks.report import tags

        inside = [c.span.label for c in closed if scope.touches(c.span.first, c.span.last)]
        tags.refuse_untagged(config, inside)
        read = tags.shared(read, prices, untold)
    counted = closing.apply(read, closed, scope.holds, changes, prices)
    cells: list[rep.Cell] = []
    result = rep.tally(
        _kept(counted, cells) if keep_cells else counted,
        month_level=any(d.month_level and d.tasks for d in touched.values()),
        group_by=group_by,
        **options,
    )
    if untold:
        result.notes.append(tags.note(untold, bool(scope.tags)))
    months = map(record.month_of, listed.blobs)
    result = result._replace(source=source_of(repo, ref, listed.commit, months), titles=team.tasks)
    result.notes.extend(f"UNVERIFIED {u.path}: {u.problem}" for u in unverified)
    if unmarked:
        result.notes.append(
            f"NO PROJECT in {len(unmarked)} summary file(s) counted ({unmarked[0].path}"
            f"{', ...' if len(unmarked) > 1 else ''}): {UNMARKED_FIX}"
        )
    if capped:
        result.notes.append(
            f"a running timer is counted only up to max_session_hours ({', '.join(capped)}): "
            "the rest is billed once it is stopped with its real end"
        )
    result.notes.extend(_adjustment_note(a, options["currency"]) for a in changes)
    pseudonyms = erased.pseudonyms(d.user for d in touched.values())
    if pseudonyms:  # the record is read only where a name was erased
        result.notes.extend(erased.notes(erased.of(repo.top, ref), pseudonyms))
    extra: dict[str, Any] = {}
    if unverified:
        extra["unverified"] = [u._asdict() for u in unverified]
    if changes:
        extra["adjustments"] = [a.to_json() for a in changes]
    return result, cells, extra, scope


def _by_day(
    scope: Scope,
    group_by: tuple[str, ...],
    closed: list[closing.Closed],
    keep_cells: bool,
    changed: set[str],
) -> Callable[[str], bool]:
    """Whether a report counts a month day by day: it groups by day or week, keeps its
    cells, the range or a closed period takes part of the month only, or the month is
    closed and `changed` since (`closing.changed_months`). Any other month counts from its
    summaries' digests (the same figures: rounding and prices per day)."""
    if keep_cells or {"day", "week"} & set(group_by):
        return lambda month: True
    starts = [d for d in (scope.first, *(c.span.first for c in closed)) if d is not None]
    ends = [d for d in (scope.last, *(c.span.last for c in closed)) if d is not None]

    def cut(month: str) -> bool:
        first, last = rep.period_of(month)[:2]
        if month in changed:
            return True
        return any(first < d <= last for d in starts) or any(first <= d < last for d in ends)

    return cut


def _kept(units: Iterable[rep.Unit], cells: list[rep.Cell]) -> Iterator[rep.Unit]:
    """`units` as they pass, each one's totals appended to `cells`."""
    for u in units:
        cells.append(u.cell())
        yield u


def team_config(repo: Repo, ref: str | None) -> TeamConfig:
    """The team config a report prices and titles by: the work tree's, or in a bare
    repository (no work tree) the ref's."""
    if repo.bare and ref is not None:
        return policy_at(repo.top, resolve_commit(repo.top, ref))[0]
    return load_config(repo.flowforge)


def _filters(
    found: dict[str, Digest],
    closed: list[closing.Closed],
    scope: Scope,
    folders: set[str],
    everything: Callable[[], dict[str, Digest]] | None,
) -> Scope:
    """The --user and --task filters as lists (repeated options, comma lists; user names in
    lower case; a task whose name holds a comma as it is). One that no summary or closed
    period knows is a typo, not a zero invoice; so is an empty one (not "everyone").
    `folders`: whose summary folders there are, in any month; `everything`: the summaries
    of every month, asked only for a task that none of `found` knows."""
    recorded = [c for period in closed for c in closing.cells_of(period.report)]
    known_users = folders | {d.user for d in found.values()} | {c.user for c in recorded}
    known_tasks = _tasks(found) | {c.task for c in recorded}
    for kind, given in (("--user", scope.users), ("--task", scope.tasks)):
        if any(not value.strip(" ,") for value in given):
            raise FatalError(f"{kind} was given no name: give one, e.g. {kind} alice,bob")
    users = [u.strip().lower() for value in scope.users for u in value.split(",") if u.strip()]

    def split(known: set[str]) -> list[str]:
        return [
            t.strip()
            for value in scope.tasks
            for t in ([value] if value in known else value.split(","))
            if t.strip()
        ]

    tasks = split(known_tasks)
    if everything is not None and not known_tasks.issuperset(tasks):
        known_tasks |= _tasks(everything())  # a typo, unless another month knows it
        tasks = split(known_tasks)
    for kind, wanted, known in (("user", users, known_users), ("task", tasks, known_tasks)):
        unknown = [w for w in wanted if w not in known]
        if unknown:
            shown = ", ".join(sorted(known)[:20]) + (", ..." if len(known) > 20 else "")
            raise FatalError(f"no summaries for {kind} {unknown[0]!r} (known: {shown or 'none'})")
    return scope._replace(users=users, tasks=tasks)


def _tasks(found: dict[str, Digest]) -> set[str]:
    return {t for d in found.values() for t in d.tasks}


def _trusted_closings(repo: Repo, ref: str | None, closed: list[closing.Closed]) -> None:
    """Refuse a closing (the latest revision of a closed period) that the policy of the ref
    read (else of the work tree) does not accept: a forged revision would bill its figures."""
    from ffhooks.report import closers

    if ref is None:
        policy = closers.worktree_policy(repo)
    else:
        policy = closers.policy_at(repo.top, resolve_commit(repo.top, ref))
    found = closers.refused(closed, policy, cache_file(repo.state_dir))
    if found:
        more = f" (and {len(found) - 1} more: `ffhooks verify` lists them)" if found[1:] else ""
        raise FatalError(f"tag {found[0]}{more}")


def _refuse_cut_months(closed: list[closing.Closed], held_whole: set[str], scope: Scope) -> None:
    """Refuse a report over a month that a closed period covers in part while summaries hold
    it whole (`held_whole`): its closed figures would count the month more than once."""
    for cut in closing.cuts(closed, held_whole):
        month = rep.period_of(cut.month)
        if scope.touches(month.first, month.last):
            raise FatalError(f"tag {cut.closed.span.tag}: {cut.problem}")


def _adjustment_note(a: closing.Adjustment, currency: str | None) -> str:
    head = f"ADJUSTMENT to closed period {a.period} (shown above as closed)"
    if not a.lowered:
        return f"{head}, to bill: {a.user} {a.task} {a.change(currency)} since it was closed"
    return (
        f"{head}, lowered since closed: {a.user} {a.task} {a.lowering()} (in all: "
        f"{a.change(currency)}): not billable back automatically; see `ffhooks verify`"
    )


def _policy(repo: Repo, ref: str | None) -> tuple[TeamConfig, bytes | None]:
    """The team config and allowed signers a report trusts: the ref's, else the work tree's."""
    if ref is None:
        return load_config(repo.flowforge), worktree_signers(repo.top)
    return policy_at(repo.top, resolve_commit(repo.top, ref))


def _of_projects(config: TeamConfig, touched: dict[str, Digest]) -> list[Unverified]:
    """Refuse a report that would count a summary of another project; return those that
    name none (told in a note)."""
    foreign, unmarked = of_projects(config, [(p, d.project) for p, d in touched.items()])
    if foreign:
        for problem in foreign:
            print(f"ffhooks: {problem}", file=sys.stderr)
        raise FatalError(
            f"{len(foreign)} summary file(s) of this report belong to another project (listed "
            "above): remove them (`git rm`), then report again"
        )
    return unmarked


def _unverified(
    repo: Repo,
    config: TeamConfig,
    allowed: bytes | None,
    listed: record.Listing,
    touched: dict[str, Digest],
    include: bool,
) -> list[Unverified]:
    """The summaries of the report whose signatures the team's policy does not accept (read
    again only where the team signs). With `required`, the report refuses them unless
    `include` (then, as with `warn`, the report marks them)."""
    if config.signatures == "off":
        return []
    docs = record.documents(listed, touched)
    pseudonyms = erased.pseudonyms(d.user for d in touched.values())
    written = erased.of(repo.top, listed.commit).written() if pseudonyms else set()
    found = unverified(config, allowed, docs, cache_file(repo.state_dir), written)
    if found and config.signatures == "required" and not include:
        for problem in found:
            print(f"ffhooks: {problem}", file=sys.stderr)
        raise FatalError(
            f"{len(found)} summary file(s) of this report fail the team's signature check "
            "(listed above): `ffhooks verify` explains each; --include-unverified totals "
            "them anyway, marked"
        )
    return found
