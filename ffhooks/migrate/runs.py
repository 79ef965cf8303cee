"""Each `ffhooks migrate` run, recorded, and taken back exactly (`migrate --rollback`).

A run's record (`<state dir>/migrate/runs/<id>.json`, schema `migrate-run`) names every
summary file it wrote, with its blob id, and the file of the same store and month that was
live before it (if any), with its blob id; and the report's figures, before the run, of the
months it wrote. That is enough to take back exactly what the run added, whatever happened
to the work tree since, and to say whether the report is again what it was.

A rollback takes back each file in the way the work tree allows:
- a file never committed, still live, whose predecessor (if any) is still there: deleted and
  unstaged, so that the predecessor is live again;
- any other (committed; or superseded since, with --force): a new summary of its store and
  month that holds the predecessor's figures (or none), as a commit only adds summaries.
Afterwards the report's figures of those months are read again: they must be today's minus
exactly what the files taken back held over their predecessors, or the rollback fails,
saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from ffhooks import summary
from ffhooks.clock import to_iso
from ffhooks.config import TeamConfig
from ffhooks.errors import FatalError
from ffhooks.fsio import write_json
from ffhooks.git.objects import hash_files, index_blobs, read_objects, tree_blobs
from ffhooks.git.plumbing import Repo, run_git
from ffhooks.migrate.sources import store_id
from ffhooks.migrate.state import state_folder
from ffhooks.migrate.tally import Tally
from ffhooks.records import Any, NamedTuple
from ffhooks.validator.schema import read_json

Figures = dict[str, list[int]]  # "user\ttask\tmonth" -> [billable, non-billable, sessions]
_ZERO = [0, 0, 0]
_SEAL = ("seq", "sha256", "signature", "signed_by")


def runs_folder(repo: Repo) -> Path:
    return state_folder(repo) / "runs"


def figures(repo: Repo, months: set[str]) -> Figures:
    """The work tree's report figures per user, task and month in `months`: what a report
    counts (the live summaries), through the digest cache."""
    from ffhooks.trust import record
    from ffhooks.validator.digest import DigestCache, unpacked

    listed = record.listing(repo.top, None, months.__contains__)
    out: Figures = {}
    for d in record.digests(listed, DigestCache(repo.state_dir)).values():
        for task, m in d.tasks.items():
            slot = out.setdefault(f"{d.user}\t{task}\t{d.month}", [0, 0, 0])
            slot[0] += sum(s * n for s, n in unpacked(m.billable))
            slot[1] += sum(s * n for s, n in unpacked(m.non_billable))
            slot[2] += m.sessions
    return out


def minus(a: Figures, b: Figures) -> Figures:
    """a - b, without the keys where they agree."""
    out = {}
    for key in sorted(a.keys() | b.keys()):
        diff = [x - y for x, y in zip(a.get(key, _ZERO), b.get(key, _ZERO), strict=True)]
        if any(diff):
            out[key] = diff
    return out


def added(later: list[dict[str, Any] | None], earlier: list[dict[str, Any] | None]) -> Figures:
    """What summaries `later` hold over `earlier` (the same stores and months; None: none)."""
    return minus(_sum(later), _sum(earlier))


def _sum(docs: list[dict[str, Any] | None]) -> Figures:
    out: Figures = {}
    for doc in docs:
        if doc is None:
            continue
        for period, tasks in doc["totals"].items():
            for task, t in tasks.items():
                slot = out.setdefault(f"{doc['user']}\t{task}\t{period[:7]}", [0, 0, 0])
                for i, key in enumerate(summary.TOTAL_KEYS):
                    slot[i] += t[key]
    return out


def _blob_docs(repo: Repo, blobs: list[str | None]) -> list[dict[str, Any] | None]:
    """The summaries these blob ids hold (None for None), read in one git process."""
    read = iter(read_objects(repo.top, [b for b in blobs if b]))
    return [summary.loads(next(read), b, "") if b else None for b in blobs]


def _months(files: list[dict[str, Any]]) -> set[str]:
    return {f["path"].rsplit("/", 2)[1] for f in files}


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0]


def _where(path: str) -> summary.SummaryPath:
    where = summary.parse_path(path)
    assert where is not None  # a run writes, and its record's schema holds, summaries only
    return where


def _live(repo: Repo, where: summary.SummaryPath) -> str | None:
    """The path of the live file of a store's month in the work tree (its highest seq)."""
    from ffhooks.fold.aggregate import store_months

    files = store_months(repo.top / summary.SUMMARIES / where.user, where.store)
    found = files.get(where.month)
    return found[-1][1].relative_to(repo.top).as_posix() if found else None


def _next_seq(repo: Repo, where: summary.SummaryPath) -> int:
    """The seq a store writes next: one above its highest in any month (a store writes each
    seq once)."""
    from ffhooks.fold.aggregate import store_months

    months = store_months(repo.top / summary.SUMMARIES / where.user, where.store)
    return max((seq for files in months.values() for seq, _ in files), default=where.seq) + 1


def save(repo: Repo, tally: Tally, written: list[str], now: datetime, tz: str) -> str | None:
    """Record a run that wrote (and staged) `written`; its id, None when it wrote nothing."""
    if not written:
        return None
    owner = {store_id(s.sha256, u): s.sha256 for s in tally.sources for u in tally.users}
    staged = index_blobs(repo.top, sorted({_folder(p) + "/" for p in written}))
    missing = [p for p in written if p not in staged]
    staged.update(zip(missing, hash_files(repo.top, missing), strict=True))
    files = []
    for path in written:
        where = _where(path)
        earlier = {
            int(m["seq"]): p
            for p in staged
            if (m := summary.NAME.fullmatch(p.rsplit("/", 1)[1]))
            and _folder(p) == _folder(path)
            and m["store"] == where.store
            and int(m["seq"]) < where.seq
        }
        previous = earlier[max(earlier)] if earlier else None
        files.append(
            {
                "path": path,
                "blob": staged[path],
                "previous": previous,
                "previous_blob": staged[previous] if previous else None,
                "source": owner[where.store],
            }
        )
    gained = added(
        _blob_docs(repo, [f["blob"] for f in files]),
        _blob_docs(repo, [f["previous_blob"] for f in files]),
    )
    before = minus(figures(repo, _months(files)), gained)
    head = run_git(["rev-parse", "--verify", "--quiet", "HEAD"], repo.top, check=False).strip()
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    made = " ".join(f"{f['path']}:{f['blob']}" for f in files)
    runs = listed(repo)
    taken = {r.doc["id"] for r in runs}
    run = next(
        name
        for n in range(len(taken) + 1)
        if (name := f"{stamp}-{hashlib.sha256(f'{n} {made}'.encode()).hexdigest()[:6]}")
        not in taken
    )
    write_json(
        runs_folder(repo) / f"{run}.json",
        {
            "version": 1,
            "id": run,
            "number": max((r.doc["number"] for r in runs), default=0) + 1,
            "at": to_iso(now),
            "head": head or None,
            "timezone": tz,
            "sources": [
                {"shown": s.shown, "sha256": s.sha256, "kind": s.kind} for s in tally.sources
            ],
            "files": files,
            "before": before,
            "rolled_back": [],
        },
    )
    return run


class Run(NamedTuple):
    path: Path
    doc: dict[str, Any]

    @property
    def taken_back(self) -> set[str]:
        """The sources (sha256) a rollback already took back."""
        return {s for r in self.doc["rolled_back"] for s in r["sources"]}


def listed(repo: Repo) -> list[Run]:
    """Every recorded run, in the order they ran."""
    folder = runs_folder(repo)
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    except OSError:
        return []
    fix = "move it away: it only records what that run wrote, for `migrate --rollback`"
    found = [
        Run(path=folder / n, doc=read_json(folder / n, str(folder / n), fix, "migrate-run"))
        for n in names
    ]
    return sorted(found, key=lambda r: int(r.doc["number"]))


def find(repo: Repo, name: str | None) -> Run:
    """The run `name` names (its id, or a unique start of it); None: the newest run with
    something left to take back."""
    runs = listed(repo)
    if not runs:
        raise FatalError("no migration run is recorded in this clone: nothing to roll back")
    if name is None:
        left = [r for r in runs if r.taken_back != {s["sha256"] for s in r.doc["sources"]}]
        if not left:
            raise FatalError("every recorded migration run is rolled back already")
        return left[-1]
    found = [r for r in runs if r.doc["id"].startswith(name)]
    if len(found) != 1:
        known = ", ".join(r.doc["id"] for r in runs[-5:])
        what = "no" if not found else "more than one"
        raise FatalError(f"{what} migration run is named {name!r} (the latest: {known})")
    return found[0]


def chosen(run: Run, sources: list[str]) -> list[str]:
    """The sources (sha256) of the run that `sources` name (as shown, their path, or a
    start of their sha256), all without; refused if one names none, or all are taken back."""
    kept = run.doc["sources"]
    if not sources:
        picked = [s["sha256"] for s in kept]
    else:
        picked = []
        for given in sources:
            match = [
                s["sha256"]
                for s in kept
                if given in (s["shown"], s["sha256"])
                or (len(given) >= 8 and s["sha256"].startswith(given))
                or os.path.abspath(given) == os.path.abspath(s["shown"])
            ]
            if not match:
                shown = ", ".join(s["shown"] for s in kept)
                raise FatalError(f"--source {given}: run {run.doc['id']} migrated {shown}")
            picked += match
    left = [s for s in dict.fromkeys(picked) if s not in run.taken_back]
    if not left:
        raise FatalError(f"run {run.doc['id']}: already rolled back")
    return left


class Rollback(NamedTuple):
    """What a rollback did: files deleted (never committed), files written (to commit),
    what the report lost (per user, task and month), and how the report now differs from
    before the run (nothing: it is what it was)."""

    run: str
    sources: list[str]
    deleted: list[str]
    written: list[str]
    removed: Figures
    since: Figures | None  # None: some of the run's sources are still in


def later_commits(repo: Repo, paths: list[str]) -> int:
    """How many commits HEAD has after the first one that added any of `paths`."""
    if not paths:
        return 0
    found = run_git(
        ["log", "--format=%H", "--diff-filter=A", "HEAD", "--", *paths], repo.top, check=False
    ).split()
    if not found:
        return 0
    return int(run_git(["rev-list", "--count", f"{found[-1]}..HEAD"], repo.top).strip() or 0)


def rollback(
    repo: Repo,
    run: Run,
    sources: list[str],
    config: TeamConfig,
    *,
    force: bool,
    now: datetime,
    signer: str,
) -> Rollback:
    """Take back the files of `run` that `sources` (sha256) wrote; see the module's text."""
    from ffhooks.fold.aggregate import write_summary
    from ffhooks.fold.staging import stage
    from ffhooks.trust.policy import signing_key

    files = [f for f in run.doc["files"] if f["source"] in sources]
    paths = [f["path"] for f in files]
    head = run_git(["rev-parse", "--verify", "--quiet", "HEAD"], repo.top, check=False).strip()
    committed = tree_blobs(repo.top, "HEAD", paths) if head else {}
    wheres = [_where(f["path"]) for f in files]
    lives = [_live(repo, where) for where in wheres]
    if not force:
        _refuse_built_on(repo, files, lives, committed)
    months = _months(files)
    today = figures(repo, months)
    now_docs = [summary.loads((repo.top / p).read_bytes(), p, "") if p else None for p in lives]
    previous = _blob_docs(repo, [f["previous_blob"] for f in files])
    removed = added(now_docs, previous)
    own_key = signing_key(repo, config)
    sign = own_key.signer() if own_key else None
    deleted, written = [], []
    for f, where, live, shape, before in zip(files, wheres, lives, now_docs, previous, strict=True):
        path = f["path"]
        prior_there = f["previous"] is None or (repo.top / f["previous"]).is_file()
        if path not in committed and live == path and prior_there:
            run_git(["rm", "-q", "--cached", "--ignore-unmatch", "--", path], repo.top)
            (repo.top / path).unlink(missing_ok=True)
            deleted.append(path)
            continue
        seq = _next_seq(repo, where)
        doc = _restored(before, shape or run.doc, where, seq, config)
        sealed = summary.seal(doc, sign, signer if sign else None)
        target = f"{_folder(path)}/{where.store}-{seq}.json"
        write_summary(repo, repo.top / target, summary.dumps(sealed), fsync=True)
        written.append(target)
    if written:
        stage(repo, [repo.top / p for p in written])
    got = figures(repo, months)
    wrong = minus(got, minus(today, removed))
    if wrong:
        raise FatalError(
            f"run {run.doc['id']}: after the rollback the report differs from today's minus "
            f"what the run added at {_said(wrong)}: `git status` shows what was changed; "
            "`git restore --staged --worktree .flowforge/team/summaries` undoes it"
        )
    _forget_ledgers(repo, sources)
    run.doc["rolled_back"].append({"at": to_iso(now), "sources": sources, "files": len(files)})
    write_json(run.path, run.doc)
    whole = run.taken_back == {s["sha256"] for s in run.doc["sources"]}
    return Rollback(
        run=run.doc["id"],
        sources=sources,
        deleted=deleted,
        written=written,
        removed=removed,
        since=minus(got, run.doc["before"]) if whole else None,
    )


def _restored(
    before: dict[str, Any] | None,
    shape: dict[str, Any],
    where: summary.SummaryPath,
    seq: int,
    config: TeamConfig,
) -> dict[str, Any]:
    """The summary (unsealed) that takes a store's month back to `before` (its predecessor;
    None: no figures at all), as the next `seq`; `shape` gives the time zone, detail and
    project of a month that had no predecessor."""
    if before is not None:
        return {k: v for k, v in before.items() if k not in _SEAL} | {"seq": seq}
    doc = summary.build(
        user=where.user,
        store=where.store,
        month=where.month,
        timezone=shape["timezone"],
        seq=seq,
        detail=shape.get("detail", config.detail),
        periods={},
        version=config.summary_format,
        project=shape.get("project", config.project),
    )
    del doc["sha256"]
    return doc


def _refuse_built_on(
    repo: Repo, files: list[dict[str, Any]], lives: list[str | None], committed: dict[str, str]
) -> None:
    """Refuse to take back a file that a later change superseded, or that commits were made
    on top of: the rollback would take theirs too."""
    for f, live in zip(files, lives, strict=True):
        if live != f["path"]:
            raise FatalError(
                f"{f['path']} (of this run) was superseded since by {live}: a later change "
                "built on it; --force takes that back too"
            )
    later = later_commits(repo, sorted(committed))
    if later:
        raise FatalError(
            f"{later} commit(s) were made on top of the commit that brought this run's "
            "summaries: others may have pulled and billed them; --force rolls back anyway "
            "(in a new summary to commit)"
        )


def _said(figures: Figures) -> str:
    first = next(iter(figures))
    user, task, month = first.split("\t")
    more = f" (and {len(figures) - 1} more)" if len(figures) > 1 else ""
    return f"{user} {task} {month}{more}"


def _forget_ledgers(repo: Repo, sources: list[str]) -> None:
    """The ledgers of sources taken back: a later migration counts their sessions again."""
    folder = state_folder(repo) / "ledger"
    for sha in sources:
        index = folder / f"{sha}.json"
        try:
            keys = json.loads(index.read_bytes()).get("keys")
        except (OSError, ValueError, AttributeError):
            continue
        index.unlink(missing_ok=True)
        if isinstance(keys, str) and "/" not in keys:
            (folder / keys).unlink(missing_ok=True)
