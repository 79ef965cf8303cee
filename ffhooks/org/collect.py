"""An organisation's dataset: what `ffhooks report --ref REF` counts in each of many
repositories, one row per repository, user, store, task and day (or month, for month-level
summaries), written as a JSON-lines file per repository and, with DuckDB, a Hive-partitioned
Parquet table (`parquet/repo=<name>/month=<YYYY-MM>/`), with a manifest naming each
repository's commit and the signatures checked.

The rows are the units `report/billing.py` counts, closed periods in place of live summaries
as there, each split by the stores whose live summaries hold it (a closed period records no
store: its rows have none); `report --dataset` adds a person's stores up again before it
rounds and prices, as every report does. A repository whose commit, closed periods and
prices have not moved since the last collection is not read again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.fsio import atomic_write
from ffhooks.git.objects import resolve_commit
from ffhooks.git.plumbing import Repo, run_git
from ffhooks.org import sources as src
from ffhooks.records import Any
from ffhooks.report import billing, closing
from ffhooks.report import report as rep
from ffhooks.trust import record
from ffhooks.trust.policy import policy_at
from ffhooks.validator.digest import DigestCache

FORMAT = 1  # the rows' and manifest's layout: a collection of another rewrites every repository
MANIFEST = "manifest.json"
JSONL = "jsonl"  # <name>.jsonl: every row of one repository
PARQUET = "parquet"  # repo=<name>/month=<YYYY-MM>/*.parquet
# The columns, as DuckDB types them (`repo` and `month` are the partitions' in Parquet)
COLUMNS = {
    "repo": "VARCHAR",
    "user": "VARCHAR",
    "task": "VARCHAR",
    # the store (a clone's private store) the figures were written by; null where a closed
    # period's figures stand in (its report adds a person's stores up)
    "store": "VARCHAR",
    "day": "DATE",  # null for a month-level summary's row
    "month": "VARCHAR",  # YYYY-MM
    "billable_seconds": "BIGINT",
    "non_billable_seconds": "BIGINT",
    "sessions": "BIGINT",
    "rate": "VARCHAR",  # the hourly rate as the team config gives it, exact; null: none
    "currency": "VARCHAR",
    "amount_cents": "BIGINT",  # billable time (unrounded) at the rate, in whole cents
    "closed": "VARCHAR",  # the closed period (its tag's label) the row's figures come from
}
EXTRA = "pip install 'ffhooks[dataset]'"


def collect(
    folder: Path,
    named: list[src.Repository],
    *,
    include_unverified: bool,
    prune: bool,
    jobs: int,
) -> int:
    """Collect every repository into `folder`, `jobs` at a time (each in a process of its
    own), reading again only those that moved; returns how many were read. The manifest is
    saved after each one: a collection that stops keeps what it had done."""
    manifest = load_manifest(folder, for_writing=True)
    entries: dict[str, dict[str, Any]] = manifest["repos"]
    _save(folder, manifest)  # the folder is the dataset's from now on, even if a repository fails
    parquet = duckdb_module() is not None
    if not parquet:
        print(
            f"ffhooks: DuckDB is not installed: writing the JSON-lines copy only; the Parquet "
            f"table needs the extra: {EXTRA}",
            file=sys.stderr,
        )
    work = [(folder, s, entries.get(s.name), include_unverified) for s in named]
    read = 0
    with _pool(jobs) as pool:
        try:
            for source, entry in zip(named, pool.map(_one, work), strict=True):
                if entry is None:
                    print(f"unchanged {source.name} at {entries[source.name]['commit'][:12]}")
                    continue
                entries[source.name] = entry
                _save(folder, manifest)
                read += 1
                print(f"collected {source.name} at {entry['commit'][:12]}: {entry['rows']} rows")
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    _prune(folder, manifest, {s.name for s in named}, prune)
    print(f"Wrote {folder}: {len(entries)} repositories ({read} read), {MANIFEST}")
    return read


def _pool(jobs: int) -> Executor:
    """Processes to collect in (one repository's rows are Python's work), or none: one job."""
    if jobs > 1:
        return ProcessPoolExecutor(jobs)
    return _Inline()


class _Inline(Executor):
    """An executor that runs each call as it is asked, here."""

    def map(self, fn: Any, *iterables: Any, **_: Any) -> Iterator[Any]:
        return map(fn, *iterables)


def _prune(folder: Path, manifest: dict[str, Any], listed: set[str], prune: bool) -> None:
    """The repositories of the dataset no longer listed: removed with `prune`, else kept
    and named (a report still counts them: a list file cut by mistake loses no time)."""
    entries = manifest["repos"]
    gone = sorted(set(entries) - listed)
    if gone and prune:
        for name in gone:
            _remove(folder, name)
            del entries[name]
        _save(folder, manifest)
        print(f"removed {len(gone)} repositories no longer listed: {', '.join(gone)}")
    elif gone:
        print(
            f"ffhooks: kept {len(gone)} repositories no longer listed ({', '.join(gone)}): "
            "reports still count them; --prune removes them",
            file=sys.stderr,
        )


def _one(
    work: tuple[Path, src.Repository, dict[str, Any] | None, bool],
) -> dict[str, Any] | None:
    """One repository read and its partitions written (`_collected`), any problem named
    by the repository, as a plain FatalError (it comes back from a process of its own)."""
    source = work[1]
    try:
        return _collected(*work)
    except FatalError as exc:
        raise FatalError(
            f"{source.name} ({source.where}): {exc} (repositories collected before it are "
            "kept: collect again once it is fixed)"
        ) from None


def _collected(
    folder: Path, source: src.Repository, old: dict[str, Any] | None, include_unverified: bool
) -> dict[str, Any] | None:
    """What the manifest says of one repository, once read and its partitions written;
    None where it has not moved since `old` was written."""
    repo = src.opened(source, folder)
    ref = source.ref or src.default_ref(repo)
    commit = resolve_commit(repo.top, ref)
    state = _state(repo, commit, include_unverified)
    duckdb = duckdb_module()
    if old and old["state"] == state and _kept(folder, source.name, old, duckdb is not None):
        return None
    rows, entry = rows_of(repo, source.name, commit, include_unverified)
    jsonl = folder / JSONL / f"{source.name}.jsonl"
    failing: tuple[type[Exception], ...] = (OSError, duckdb.Error) if duckdb else (OSError,)
    try:
        atomic_write(jsonl, "".join(rows).encode("utf-8"))
        shutil.rmtree(folder / PARQUET / f"repo={source.name}", ignore_errors=True)
        if duckdb is not None and rows:
            _parquet(duckdb, folder, source.name, jsonl)
    except failing as exc:  # a full disk, say
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FatalError(
            f"{folder}: cannot be written ({problem}): free space, then collect again"
        ) from None
    return {
        "source": source.where,
        "ref": ref,
        "commit": commit,
        "collected_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "parquet": duckdb is not None,
        "state": state,
        **entry,
    }


def _kept(folder: Path, name: str, old: dict[str, Any], parquet: bool) -> bool:
    """Whether a repository's files are as its manifest entry `old` says, written the way
    this collection writes them (a folder removed by hand is written again)."""
    if old["parquet"] != parquet or not (folder / JSONL / f"{name}.jsonl").is_file():
        return False
    return not (parquet and old["rows"]) or (folder / PARQUET / f"repo={name}").is_dir()


def rows_of(
    repo: Repo, name: str, commit: str, include_unverified: bool
) -> tuple[list[str], dict[str, Any]]:
    """The rows of one repository at `commit`, as JSON lines: the units `ffhooks report
    --ref COMMIT` counts (billing.compute, which refuses what that report refuses), each
    priced at the repository's own rates; and what the manifest says of it (totals,
    signatures, notes)."""
    everything = billing.Scope(first=None, last=None, users=[], tasks=[])
    result, cells, extra, _ = billing.compute(
        repo, commit, everything, (), include_unverified, False, keep_cells=True
    )
    config = billing.team_config(repo, commit)
    closed = [c.span for c in closing.closed_periods(repo)]
    stores = _by_store(repo, commit)
    # Millions of rows: what a user and task share (a rate, a price) and what a period's
    # rows share (its day, month and closed period) is encoded once, by json.dumps.
    heads: dict[tuple[str, str], tuple[str, Any]] = {}
    periods: dict[str, str] = {}
    labels: dict[str, str | None] = {}
    rates: set[str] = set()
    lines = []
    for c in cells:
        key = (c.user, c.task)
        if key not in heads:
            rate = rep.rate_for(config.rates or {}, c.user, c.task)
            fixed = {"repo": name, "user": c.user, "task": c.task, "rate": None, "currency": None}
            if rate is not None:
                rates.add(str(rate))
                fixed.update(rate=str(rate), currency=config.currency)
            heads[key] = (_compact(fixed)[:-1], None if rate is None else rep.pricer(rate))
        head, price = heads[key]
        if c.period not in periods:
            label = labels[c.period] = next((s.label for s in closed if s.holds(c.period)), None)
            day = c.period if len(c.period) == 10 else None
            periods[c.period] = _compact({"day": day, "month": c.period[:7], "closed": label})[1:]
        for store, (b, nb, n) in _split(c, None if labels[c.period] else stores):
            cents = "null" if price is None else price(b)
            lines.append(
                f'{head},"store":{store},"billable_seconds":{b},"non_billable_seconds":{nb},'
                f'"sessions":{n},"amount_cents":{cents},{periods[c.period]}\n'
            )
    # the notes any report's tally writes (`report --dataset` writes its own): those of a
    # task-less month-level cell, the only ones a report without rounding can have
    whole = rep.Cell(
        user="",
        task="*",
        period="2000-01",
        billable_seconds=0,
        non_billable_seconds=0,
        sessions=0,
    )
    generic = rep.build([whole], group_by=(), **everything.options(config)).notes
    entry = {
        "rows": len(lines),
        "months": sorted({p[:7] for p in periods}),
        "currency": config.currency,
        # the minimum billable increment its reports round to where --round is not given
        # (a team config setting from ffhooks 0.8: none before)
        "round_minutes": config.round_minutes,
        "round_mode": config.round_mode,
        "users": sorted({user for user, _ in heads}),
        "tasks": sorted({task for _, task in heads}),
        "rates": sorted(rates),
        "totals": rep.to_json(result)["totals"],
        "signatures": _signatures(repo, commit, extra),
        "notes": [n for n in result.notes if n not in generic],
        "adjustments": extra.get("adjustments", []),
    }
    return lines, entry


Figures = tuple[int, int, int]  # billable seconds, non-billable seconds, sessions


def _by_store(repo: Repo, commit: str) -> dict[tuple[str, str, str], dict[str, Figures]]:
    """(user, task, period) -> store -> figures, of the live summaries at `commit`."""
    listed = record.listing(repo.top, commit, None)
    out: dict[tuple[str, str, str], dict[str, Figures]] = {}
    for _, doc in record.documents(listed, list(listed.blobs)):
        for period, tasks in doc["totals"].items():
            for task, t in tasks.items():
                figures = (t["billable_seconds"], t["non_billable_seconds"], t["sessions"])
                out.setdefault((doc["user"], task, period), {})[doc["store"]] = figures
    return out


def _split(
    cell: rep.Cell, stores: dict[tuple[str, str, str], dict[str, Figures]] | None
) -> list[tuple[str, Figures]]:
    """A cell's rows, one per store that wrote its figures (the store as JSON); one without
    a store where a closed period's figures stand in (`stores` None: a closed period's report
    adds a person's stores up), or should the stores not add up to the cell."""
    whole = (cell.billable_seconds, cell.non_billable_seconds, cell.sessions)
    split = (stores or {}).get((cell.user, cell.task, cell.period), {})
    if not split or tuple(map(sum, zip(*split.values(), strict=True))) != whole:
        return [("null", whole)]
    return [(json.dumps(store), figures) for store, figures in sorted(split.items())]


def _compact(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _signatures(repo: Repo, commit: str, extra: dict[str, Any]) -> dict[str, Any]:
    """What the manifest says of the summaries' signatures: the ref's policy, how many
    live summaries there are and are signed, and those the policy does not accept (counted
    only with --include-unverified)."""
    policy = policy_at(repo.top, commit)[0].signatures
    found = record.digests(record.listing(repo.top, commit, None), DigestCache(repo.state_dir))
    return {
        "policy": policy,
        "checked": policy != "off",
        "summaries": len(found),
        "signed": sum(1 for d in found.values() if d.signed),
        "unverified": extra.get("unverified", []),
    }


def _state(repo: Repo, commit: str, include_unverified: bool) -> str:
    """What a repository's rows depend on, as one digest: its commit, its closed periods'
    tags, the prices of a work tree's team config (what `report --ref` prices by there),
    and how it was collected."""
    tags = run_git(["for-each-ref", "--format=%(objectname) %(refname)", closing.TAGS], repo.top)
    config = b""
    if not repo.bare:
        try:
            config = (repo.top / ".flowforge" / "team" / "config.json").read_bytes()
        except OSError:
            config = b"-"
    facts = json.dumps(
        [FORMAT, commit, tags, config.decode("utf-8", "replace"), include_unverified]
    )
    return hashlib.sha256(facts.encode()).hexdigest()


def _parquet(duckdb: Any, folder: Path, name: str, jsonl: Path) -> None:
    """The repository's Parquet partitions, written by DuckDB into a staging folder, then
    put in place of its old ones (other repositories' are never touched)."""
    staging = folder / ".staging" / name  # one each: repositories are written side by side
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    columns = ", ".join(f"'{c}': '{t}'" for c, t in COLUMNS.items())
    con = duckdb.connect()
    try:
        con.execute(
            f"COPY (SELECT * FROM read_json({quoted(jsonl)}, format = 'newline_delimited', "
            f'columns = {{{columns}}}) ORDER BY month, day, "user", task, store) '
            f"TO {quoted(staging)} (FORMAT PARQUET, PARTITION_BY (repo, month))"
        )
    finally:
        con.close()
    target = folder / PARQUET / f"repo={name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    (staging / f"repo={name}").rename(target)
    shutil.rmtree(staging)


def quoted(path: Path) -> str:
    """A path as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def _remove(folder: Path, name: str) -> None:
    """A repository's partitions and mirror, gone."""
    (folder / JSONL / f"{name}.jsonl").unlink(missing_ok=True)
    shutil.rmtree(folder / PARQUET / f"repo={name}", ignore_errors=True)
    shutil.rmtree(folder / src.MIRRORS / f"{name}.git", ignore_errors=True)


def duckdb_module() -> Any:
    """The DuckDB module, None where the extra is not installed."""
    try:
        import duckdb
    except ImportError:
        return None
    return duckdb


def load_manifest(folder: Path, *, for_writing: bool = False) -> dict[str, Any]:
    """The dataset's manifest; a new one for a folder that holds none yet (when writing)."""
    path = folder / MANIFEST
    if not path.exists():
        if for_writing and (not folder.exists() or not any(folder.iterdir())):
            return {"format": FORMAT, "repos": {}}
        raise FatalError(
            f"{folder}: no {MANIFEST}: not a dataset `ffhooks collect` wrote; "
            + ("give an empty or new folder" if for_writing else "collect one first")
        )
    try:
        manifest: dict[str, Any] = json.loads(path.read_bytes())
        ok = isinstance(manifest.get("repos"), dict)
    except (OSError, ValueError) as exc:
        raise FatalError(f"{path}: unreadable ({exc}): collect the dataset again") from None
    if not ok:
        raise FatalError(f"{path}: not a dataset manifest: collect the dataset again")
    if manifest.get("format") != FORMAT:
        if for_writing:  # another layout: every repository is read again
            return {"format": FORMAT, "repos": {}}
        raise FatalError(f"{path}: written by another ffhooks: collect the dataset again")
    return manifest


def _save(folder: Path, manifest: dict[str, Any]) -> None:
    ordered = {**manifest, "repos": dict(sorted(manifest["repos"].items()))}
    text = json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
    atomic_write(folder / MANIFEST, text.encode("utf-8"))


def rows_in(folder: Path, names: list[str]) -> Iterator[dict[str, Any]]:
    """Every row of the repositories `names`, from their JSON-lines files."""
    for name in names:
        path = folder / JSONL / f"{name}.jsonl"
        try:
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    yield json.loads(line)
        except (OSError, ValueError) as exc:
            raise FatalError(f"{path}: unreadable ({exc}): collect the dataset again") from None
