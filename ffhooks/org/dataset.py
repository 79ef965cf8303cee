"""Reports across repositories: `ffhooks report --dataset DIR` over what `ffhooks collect`
wrote, built by the same `tally` as any report (report/report.py), so every format and
grouping works, plus `--by repo`.

Each row is rounded and priced on its own, at its own repository's rate, as the
repository's own report rounds and prices it (per user, task and day): so the totals are
the sum of the per-repository reports, to the second and to the cent. DuckDB (the
`dataset` extra) reads the Parquet table and does that arithmetic in SQL, in integers;
without it the JSON-lines copy is read row by row in Python, to the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from ffhooks.config import TeamConfig
from ffhooks.errors import FatalError
from ffhooks.org import collect as col
from ffhooks.records import Any, NamedTuple
from ffhooks.report import report as rep
from ffhooks.report.billing import Scope

# What the rows of a report add up to before `tally` groups them: (repo, user, task, period),
# each blank where the report does not group by it (the period "*"), -> [billable,
# non-billable (both rounded row by row), sessions, cents or None (no rate), whether a
# month-level summary's, whether of task "*" (no per-task split), its first month]
Parts = dict[tuple[str, str, str, str], list[Any]]


class Grain(NamedTuple):
    """What a report's parts are told apart by: what it groups by (and, for the HTML page's
    weeks, `kept`: the user and the day)."""

    repo: bool
    user: bool
    task: bool
    daily: bool
    monthly: bool


def grain(group_by: tuple[str, ...], keep_cells: bool) -> Grain:
    wanted = set(group_by) | ({"user", "day"} if keep_cells else set())
    return Grain(
        repo="repo" in wanted,
        user="user" in wanted,
        task="task" in wanted,
        daily=bool({"day", "week"} & wanted),
        monthly="month" in wanted,
    )


class Summed(rep.Prices):
    """The prices of a dataset's units: each unit's cents as its rows were priced, one by
    one at their own repository's rate (`cents`, by unit)."""

    def __init__(
        self, cents: dict[rep.Unit, int | None], round_minutes: int | None, round_mode: str
    ) -> None:
        super().__init__(None, round_minutes, round_mode)
        self.summed = cents

    def cents(self, u: rep.Unit) -> int | None:
        cents = self.summed[u]
        if cents is not None:
            self.priced = True
        return cents


def compute(
    folder: Path,
    scope: Scope,
    group_by: tuple[str, ...],
    repos: list[str],
    *,
    keep_cells: bool,
    round_mode: str | None,
) -> tuple[rep.Report, list[rep.Cell], dict[str, Any], Scope, TeamConfig]:
    """The report of a dataset, as billing.compute gives a repository's (the cells with
    `keep_cells`: by day, for the HTML page's weeks), with the team config it is titled by.
    `scope.round_minutes` and `round_mode` as given (None: each repository's own; 0
    minutes: not rounded)."""
    entries = _chosen(col.load_manifest(folder), repos)
    scope = _filters(entries, scope)
    currency = _currency(entries)
    by = grain(group_by, keep_cells)
    rounding = {name: _rounding(e, scope.round_minutes, round_mode) for name, e in entries.items()}
    duckdb = col.duckdb_module() if all(e["parquet"] for e in entries.values()) else None
    if duckdb is not None:
        parts = _from_parquet(duckdb, folder, entries, scope, by, rounding)
    else:
        parts = _from_jsonl(col.rows_in(folder, list(entries)), scope, by, rounding)
    # one rounding for all: tally says it (rounding rounded units again changes nothing);
    # each repository's own: said per repository
    ways = set(rounding.values())
    one = ways.pop() if len(ways) == 1 else (None, "up")
    scope = scope._replace(round_minutes=one[0], round_mode=one[1])
    cents = {}
    for (repo, user, task, period), p in sorted(parts.items()):
        unit = rep.Unit(
            user=user,
            task=task or ("*" if p[5] else ""),
            period=p[6] if period == "*" else period,
            billable=((p[0], 1),),
            non_billable=((p[1], 1),),
            sessions=p[2],
            repo=repo,
        )
        cents[unit] = p[3]
    result = rep.tally(
        cents,
        month_level=any(p[4] for p in parts.values()),
        group_by=group_by,
        prices=Summed(cents, scope.round_minutes, scope.round_mode),
        **scope.options(TeamConfig(currency=currency)),
    )
    if ways:
        result.notes.append(
            "rounded per user, task and day by each repository's own increment, before "
            "adding up: "
            + "; ".join(
                f"{name} {f'{mode} {minutes} min' if minutes else 'not rounded'}"
                for name, (minutes, mode) in rounding.items()
            )
        )
    result.notes.extend(f"{name}: {note}" for name, e in entries.items() for note in e["notes"])
    result.notes.extend(_sources(folder, entries))
    cells = [u.cell() for u in cents] if keep_cells else []
    return result, cells, _extra(entries), scope, TeamConfig(currency=currency)


def refuse_options(ref: str | None, include_unverified: bool, ignore_closed: bool) -> None:
    """The options of a repository's report that a dataset settled when it was collected."""
    for given, option in (
        (ref, "--ref"),
        (include_unverified, "--include-unverified"),
        (ignore_closed, "--ignore-closed"),
    ):
        if given:
            raise FatalError(
                f"{option} does not apply to --dataset: each repository was read when it was "
                f"collected (`ffhooks collect` takes --ref and --include-unverified)"
            )


def _chosen(manifest: dict[str, Any], repos: list[str]) -> dict[str, dict[str, Any]]:
    """The manifest's entries of the repositories `--repo` names (all without it)."""
    entries: dict[str, dict[str, Any]] = manifest["repos"]
    wanted = [n.strip() for value in repos for n in value.split(",") if n.strip()]
    if repos and not wanted:
        raise FatalError("--repo was given no name: give one, e.g. --repo billing-api")
    unknown = [n for n in wanted if n not in entries]
    if unknown:
        shown = ", ".join(list(entries)[:20]) + (", ..." if len(entries) > 20 else "")
        raise FatalError(f"no repository {unknown[0]!r} in the dataset (known: {shown or 'none'})")
    if not entries:
        raise FatalError("the dataset holds no repositories: collect some first")
    return {n: entries[n] for n in (wanted or entries)}


def _filters(entries: dict[str, dict[str, Any]], scope: Scope) -> Scope:
    """--user and --task as a repository's report takes them (comma lists, user names in
    lower case, a task whose name holds a comma as it is); one that no repository knows is
    a typo, not a zero invoice."""
    known = {kind: {x for e in entries.values() for x in e[kind]} for kind in ("users", "tasks")}
    for kind, given in (("--user", scope.users), ("--task", scope.tasks)):
        if any(not value.strip(" ,") for value in given):
            raise FatalError(f"{kind} was given no name: give one, e.g. {kind} alice,bob")
    users = [u.strip().lower() for value in scope.users for u in value.split(",") if u.strip()]
    tasks = [
        t.strip()
        for value in scope.tasks
        for t in ([value] if value in known["tasks"] else value.split(","))
        if t.strip()
    ]
    for kind, wanted in (("user", users), ("task", tasks)):
        have = known[f"{kind}s"]
        unknown = [w for w in wanted if w not in have]
        if unknown:
            shown = ", ".join(sorted(have)[:20]) + (", ..." if len(have) > 20 else "")
            raise FatalError(f"no summaries for {kind} {unknown[0]!r} (known: {shown or 'none'})")
    return scope._replace(users=users, tasks=tasks)


def _currency(entries: dict[str, dict[str, Any]]) -> str | None:
    """The one currency of the repositories priced: amounts in two are never added up."""
    priced: dict[str | None, list[str]] = {}
    for name, e in entries.items():
        if "amount_cents" in e["totals"]:
            priced.setdefault(e["currency"], []).append(name)
    if len(priced) > 1:
        named = "; ".join(
            f"{c or 'no currency set'}: {', '.join(names[:3])}{', ...' if names[3:] else ''}"
            for c, names in priced.items()
        )
        first = next(iter(priced.values()))
        raise FatalError(
            f"the repositories bill in different currencies ({named}): report each apart, "
            f"e.g. --repo {','.join(first[:3])}"
        )
    return next(iter(priced), None)


def _sources(folder: Path, entries: dict[str, dict[str, Any]]) -> list[str]:
    """Where the figures come from, as every format says it: each repository's ref and
    commit as collected (up to ten named; JSON's `repos` lists them all)."""
    named = [
        f"read {name} at {e['ref']} (commit {e['commit'][:12]}), collected {e['collected_at']}"
        for name, e in list(entries.items())[:10]
    ]
    more = len(entries) - len(named)
    tail = f" and {more} more (`--format json` lists each)" if more else ""
    return [f"from the dataset {folder}: {len(entries)} repositories{tail}", *named]


def _extra(entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the JSON report adds: each repository's commit, and its unverified summaries
    and adjustments to closed periods, named by repository."""
    extra: dict[str, Any] = {
        "repos": [
            {"repo": n, "ref": e["ref"], "commit": e["commit"], "collected_at": e["collected_at"]}
            for n, e in entries.items()
        ]
    }
    for key, found in (
        ("unverified", [(n, u) for n, e in entries.items() for u in e["signatures"]["unverified"]]),
        ("adjustments", [(n, a) for n, e in entries.items() for a in e["adjustments"]]),
    ):
        if found:
            extra[key] = [{"repo": n, **x} for n, x in found]
    return extra


def _inside(scope: Scope, day: str | None, month: str) -> bool:
    """Whether a row falls in the report's range: a month-level one if its month overlaps."""
    facts = rep.period_of(day or month)
    return not (scope.first and facts.last < scope.first) and not (
        scope.last and facts.first > scope.last
    )


def _rounding(
    entry: dict[str, Any], minutes: int | None, mode: str | None
) -> tuple[int | None, str]:
    """How a repository's rows are rounded, as its own report rounds them: to --round's
    minutes (0: not at all) and --round-mode's way where given, else as its team config's
    minimum billable increment says."""
    if minutes is None:
        minutes = entry.get("round_minutes")
    return minutes or None, mode or entry.get("round_mode") or "up"


def _stores_added(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The rows with a person's stores added up per repository, task and day: the unit a
    report rounds and prices, as a repository's report adds them first. `collect` writes a
    unit's store rows one after the other, so this streams: one row held at a time."""
    held: dict[str, Any] | None = None
    for r in rows:
        key = (r["repo"], r["user"], r["task"], r["day"], r["month"])
        if held is not None and key == (
            held["repo"],
            held["user"],
            held["task"],
            held["day"],
            held["month"],
        ):
            for measure in rep.MEASURES:
                held[measure] += r[measure]
            continue
        if held is not None:
            yield held
        held = dict(r)
    if held is not None:
        yield held


def _from_jsonl(
    rows: Iterable[dict[str, Any]],
    scope: Scope,
    by: Grain,
    rounding: dict[str, tuple[int | None, str]],
) -> Parts:
    """The parts of the rows in the report's scope, each rounded and priced in Python by
    the same Prices as a repository's report, at its own rate and increment."""
    parts: Parts = {}
    prices: dict[tuple[str | None, int | None, str], rep.Prices] = {}
    users, tasks = set(scope.users), set(scope.tasks)
    for r in _stores_added(rows):
        if (users and r["user"] not in users) or (tasks and r["task"] not in tasks):
            continue
        if not _inside(scope, r["day"], r["month"]):
            continue
        way = (r["rate"], *rounding[r["repo"]])
        if way not in prices:
            rates = None if way[0] is None else {"default": way[0]}
            prices[way] = rep.Prices(rates, way[1], way[2])
        p = prices[way]
        unit = rep.Unit(
            user=r["user"],
            task=r["task"],
            period=r["day"] or r["month"],
            billable=((r["billable_seconds"], 1),),
            non_billable=((r["non_billable_seconds"], 1),),
            sessions=r["sessions"],
        )
        key = (
            r["repo"] if by.repo else "",
            r["user"] if by.user else "",
            r["task"] if by.task else "",
            unit.period if by.daily else r["month"] if by.monthly else "*",
        )
        part = parts.setdefault(key, [0, 0, 0, None, False, False, r["month"]])
        part[0] += p.seconds(unit.billable)
        part[1] += p.seconds(unit.non_billable)
        part[2] += unit.sessions
        cents = p.cents(unit)
        if cents is not None:
            part[3] = (part[3] or 0) + cents
        part[4] = part[4] or r["day"] is None
        part[5] = part[5] or r["task"] == "*"
        part[6] = min(part[6], r["month"])
    return parts


def _from_parquet(
    duckdb: Any,
    folder: Path,
    entries: dict[str, dict[str, Any]],
    scope: Scope,
    by: Grain,
    rounding: dict[str, tuple[int | None, str]],
) -> Parts:
    """The parts of the Parquet rows in the report's scope, filtered, rounded, priced and
    added up in DuckDB: in integers, as `_from_jsonl` does in Python (rep.pricer's
    arithmetic, each rate an exact fraction)."""
    files = [
        col.quoted(folder / col.PARQUET / f"repo={n}" / "*" / "*.parquet")
        for n, e in entries.items()
        if e["rows"]
    ]
    if not files:
        return {}
    where: list[str] = ["true"]
    params: list[Any] = []
    for column, wanted in (("user", scope.users), ("task", scope.tasks)):
        if wanted:
            where.append(f'list_contains(?, "{column}")')
            params.append(wanted)
    if scope.first:
        where.append("(day >= ? OR (day IS NULL AND month >= ?))")
        params += [scope.first, scope.first.isoformat()[:7]]
    if scope.last:
        where.append("(day <= ? OR (day IS NULL AND month <= ?))")
        params += [scope.last, scope.last.isoformat()[:7]]
    rates = sorted({r for e in entries.values() for r in e["rates"]})
    if by.daily:
        period = "coalesce(strftime(d.day, '%Y-%m-%d'), d.month)"
    else:
        period = "d.month" if by.monthly else "'*'"
    named = (("repo", by.repo), ('"user"', by.user), ("task", by.task))
    keys = [f"d.{column}" if kept else "''" for column, kept in named]
    sql = f"""
        WITH r(rate, top, bottom, sign) AS ({_fractions(rates)}),
            i(repo, step, nearest) AS ({_increments(rounding)})
        SELECT {", ".join(keys)}, {period},
            sum(d.rb)::BIGINT, sum(d.rn)::BIGINT, sum(d.sessions)::BIGINT,
            sum(r.sign * ((2 * r.top * d.rb + r.bottom) // (2 * r.bottom)))::BIGINT,
            bool_or(d.day IS NULL), bool_or(d.task = '*'), min(d.month)
        FROM (
            SELECT p.*, {_rounded("billable_seconds")} AS rb,
                {_rounded("non_billable_seconds")} AS rn
            FROM (  -- a person's stores added up first: the unit a report rounds and prices
                SELECT repo, "user", task, day, month, rate, sum(billable_seconds)
                    AS billable_seconds, sum(non_billable_seconds) AS non_billable_seconds,
                    sum(sessions) AS sessions
                FROM read_parquet([{", ".join(files)}], hive_partitioning = true,
                    hive_types = {{'repo': VARCHAR, 'month': VARCHAR}})
                GROUP BY ALL
            ) p
            LEFT JOIN i USING (repo)
            WHERE {" AND ".join(where)}
        ) d LEFT JOIN r USING (rate)
        GROUP BY 1, 2, 3, 4
    """
    con = duckdb.connect()
    try:
        found = con.execute(sql, params).fetchall()
    except duckdb.Error as exc:  # a partition removed or damaged since it was collected
        problem = str(exc).splitlines()[0]
        raise FatalError(
            f"{folder / col.PARQUET}: cannot be read ({problem}): collect the dataset again"
        ) from None
    finally:
        con.close()
    return {(row[0], row[1], row[2], row[3]): list(row[4:]) for row in found}


def _fractions(rates: list[str]) -> str:
    """The rates as a table of exact fractions: cents = sign * round_half_up(top * seconds /
    bottom), as rep.pricer computes them."""
    if not rates:
        return "SELECT NULL::VARCHAR, NULL::HUGEINT, NULL::HUGEINT, NULL::HUGEINT WHERE false"
    values = []
    for rate in rates:
        top, bottom = Decimal(rate).as_integer_ratio()
        sign = -1 if top < 0 else 1
        quoted = rate.replace("'", "''")
        values.append(f"('{quoted}', {abs(top)}::HUGEINT, {bottom * 36}::HUGEINT, {sign})")
    return "VALUES " + ", ".join(values)


def _increments(rounding: dict[str, tuple[int | None, str]]) -> str:
    """Each repository's rounding as a table: its step in seconds (null: not rounded), and
    whether to the nearest step (else up)."""
    values = [
        f"('{name}', {minutes * 60 if minutes else 'NULL'}::BIGINT, {mode == 'nearest'})"
        for name, (minutes, mode) in rounding.items()
    ]
    return "VALUES " + ", ".join(values)


def _rounded(column: str) -> str:
    """SQL rounding a row's seconds by its repository's step (`_increments`) as
    report.Prices rounds them (seconds are never negative)."""
    return (
        f"CASE WHEN i.step IS NULL THEN {column} "
        f"WHEN i.nearest THEN (({column} + i.step // 2) // i.step) * i.step "
        f"ELSE (({column} + i.step - 1) // i.step) * i.step END"
    )
