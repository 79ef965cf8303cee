"""Fold a private store into the committed summaries of its user (the commit-hook path).

Aggregation adds a file for each month that changed and, in the same commit, overwrites the
store's older files of that month with the tombstone (see summary.py): never a deletion, which
git's rename detection would pair with the similar new file (two branches that each did it
conflict). Two branches burying the same file make the same change.

Only months that changed are rebuilt (see `wanted_months`), so time recorded anywhere reaches
the next commit. Work is proportional to what changed: one `stat` per month ever summarised,
reading only the months rebuilt, and one `git ls-files` to make sure the newest summary of
every month is in the index, whatever git did to the index since the last commit.
"""

from __future__ import annotations

import os
from collections.abc import Container, Iterable
from datetime import datetime, timedelta
from pathlib import Path

from ffhooks import summary
from ffhooks.clock import months_of
from ffhooks.config import TeamConfig
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import atomic_write, parse_json, write_json
from ffhooks.gitio import Repo, remote_default, run_git
from ffhooks.identity import stores
from ffhooks.layout import TOMBSTONE, TOMBSTONE_BLOB
from ffhooks.records import Any, NamedTuple
from ffhooks.store import Running, Store


class Outcome(NamedTuple):
    written: list[str]
    staged: list[str]  # written now, or written before but missing from the index
    buried: list[str]  # superseded files made tombstones
    waiting: list[str]  # tombstones pre-commit stashed as unstaged: they stay unstaged
    capped: str | None  # the task of a running timer counted only up to max_session_hours


class Span(NamedTuple):
    """What a running timer adds to the summaries: from its start to now, at most
    max_session_hours (a forgotten timer is not billed for the weekend)."""

    running: Running
    end: datetime
    capped: bool


def running_span(store: Store, max_seconds: int) -> Span | None:
    running = store.timer().running
    if running is None or store.now <= running.start:
        return None
    cap = running.start + timedelta(seconds=max_seconds)
    return Span(running, min(store.now, cap), store.now > cap)


def _ours(folder: Path, store_id: str) -> list[tuple[int, Path]]:
    """This store's summary files in one month folder, lowest seq first."""
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in names:
        match = summary.NAME.fullmatch(name)
        if match and match["store"] == store_id:
            found.append((int(match["seq"]), folder / name))
    return sorted(found)


def store_months(user_dir: Path, store_id: str) -> dict[str, list[tuple[int, Path]]]:
    """This store's summary files in each month folder of a user, lowest seq first."""
    try:
        months = os.listdir(user_dir)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    found = {month: _ours(user_dir / month, store_id) for month in months}
    return {month: files for month, files in found.items() if files}


def trusted(path: Path) -> dict[str, Any] | None:
    """The content of a summary we wrote, or None if it cannot be trusted (it is replaced)."""
    try:
        doc = parse_json(path.read_bytes(), str(path), "")
    except (OSError, BrokenFile):
        return None
    return doc if isinstance(doc, dict) and not summary.problems(doc, None) else None


def newest_own(user_dir: Path, header: dict[str, Any]) -> list[Path]:
    """The newest summary of every month the store ever summarised: what must be committed."""
    return [
        user_dir / month / f"{header['store']}-{seq}.json"
        for month, seq in sorted(header.get("summaries", {}).items())
    ]


def wanted_months(store: Store, user_dir: Path, span: Span | None, rebuild: bool) -> set[str]:
    """Months the store marked dirty, months a running timer was folded into at the last
    aggregation (it may have ended earlier since, or been restored away) and touches now,
    and months whose newest summary is missing from this work tree (a branch switch, `git
    reset --hard`, a revert)."""
    header = store.header or {}
    months = set(header.get("dirty", ())) | set(header.get("timer_months", ()))
    for path in newest_own(user_dir, header):
        if rebuild or not path.is_file():
            months.add(path.parent.name)
    zones = store.zones
    if span:
        months |= months_of(span.running.start, span.end, zones)
    if rebuild:
        for s in store.all_sessions():
            months |= months_of(s.start, s.end, zones)
    return months


def aggregate(store: Store, repo: Repo, config: TeamConfig, *, rebuild: bool = False) -> Outcome:
    """Write new summaries for the months that changed, bury the files they supersede, and
    stage both, with every newest summary of the store that the index lacks; return what
    was done."""
    if store.header is None:
        return Outcome([], [], [], [], None)
    store.header = header = store.owned()  # its writer id goes into each summary
    user_dir = repo.top / summary.SUMMARIES / store.user
    ours = store_months(user_dir, header["store"])
    _refuse_to_fold(store, repo, ours, adopt=rebuild)
    span = running_span(store, config.max_session_seconds)
    known = dict(header.get("summaries", {}))
    new: dict[Path, dict[str, Any]] = {}
    seq = max([header["seq"], *(s for files in ours.values() for s, _ in files)])
    for month in sorted(wanted_months(store, user_dir, span, rebuild)):
        draft = _draft(store, month, span, config)
        existing = ours.get(month)
        if existing:
            latest = trusted(existing[-1][1])
            if latest is not None and summary.same_content(draft, latest):
                known[month] = existing[-1][0]
                continue
        elif not draft["totals"] and month not in known:
            continue  # nothing recorded, nothing ever said: nothing to say
        seq += 1
        doc = {**draft, "seq": seq}
        doc["sha256"] = summary.checksum(doc)
        new[user_dir / month / f"{header['store']}-{seq}.json"] = doc
        known[month] = seq
    stashed = _stashed_by_precommit([f"{_rel(repo, user_dir)}/"])
    pending = {path for path, blob in stashed.items() if blob and TOMBSTONE_BLOB.startswith(blob)}
    if new:
        _refuse_unstaged(repo, sorted({path.parent for path in new}), stashed.keys() - pending)
    timer = months_of(span.running.start, span.end, store.zones) if span else set()
    changes = {
        "seq": max([header["seq"], *known.values()]),
        "summaries": dict(sorted(known.items())),
        "dirty": [],
        "timer_months": sorted(timer),
    }
    # The header first: every seq it names is then one this store wrote (a file that failed
    # to be written is missing, so its month is rebuilt next time), and any other seq of
    # this store in the tree comes from somewhere else.
    if any(header.get(k, ()) != v for k, v in changes.items()):
        store.set_header(**changes)
    for path, doc in new.items():
        try:
            write_json(path, doc)
        except OSError as exc:
            raise FatalError(
                f"cannot write {path.relative_to(repo.top)} ({exc.strerror}): make sure "
                f"{user_dir.relative_to(repo.top)} is a writable folder"
            ) from None
    staged, buried = _bury_and_stage(repo, user_dir, header["store"], new, ours, pending)
    return Outcome(
        [_rel(repo, p) for p in new],
        [_rel(repo, p) for p in staged],
        [_rel(repo, p) for p in buried],
        sorted(pending),
        span.running.task if span and span.capped else None,
    )


def _bury_and_stage(
    repo: Repo,
    user_dir: Path,
    store_id: str,
    new: Iterable[Path],
    ours: dict[str, list[tuple[int, Path]]],
    pending: set[str],
) -> tuple[list[Path], list[Path]]:
    """Bury what the files just written supersede, and stage it with every file of the
    store the index lacks; returns (staged, buried)."""
    loose = untracked_own(repo, user_dir, store_id, tombstones=True)
    skip = pending | {_rel(repo, path) for path in loose}
    superseded = {path: path.read_bytes() for path in buriable(repo, new, ours, skip)}
    bury(superseded)
    staged = sorted({*loose, *superseded})
    try:
        if staged:
            stage(repo, staged)
    except FatalError:
        # unstaged, the tombstones would be "files modified by the hook": pre-commit would
        # fail the commit, which a failed aggregation never does
        for path, data in superseded.items():
            atomic_write(path, data)
        raise
    return staged, list(superseded)


def buriable(
    repo: Repo,
    new: Iterable[Path],
    ours: dict[str, list[tuple[int, Path]]],
    skip: Container[str],
) -> list[Path]:
    """The store's files that the summaries just written supersede and that become
    tombstones now: committed, not tombstones yet, and on the remote's default branch.

    A file only this branch has stays as it is: a commit burying it would conflict when
    cherry-picked alone onto a branch without it (it is buried once it is merged). So does
    one the index lacks (staged as it is, it is the same add as on any branch that has it),
    and one in `skip`: a tombstone waiting in pre-commit's stash of unstaged changes
    (written now, the stash would no longer apply)."""
    found = [
        path
        for written in new
        for _, path in ours.get(written.parent.name, [])
        if _rel(repo, path) not in skip and not summary.is_tombstone(path)
    ]
    ref = remote_default(repo) if found else None
    if ref is None:
        return found
    folders = sorted({f"{_rel(repo, p.parent)}/" for p in found})
    listed = run_git(
        ["--literal-pathspecs", "ls-tree", "-r", "-z", "--name-only", ref, "--", *folders],
        repo.top,
        check=False,
    )
    published = set(listed.split("\0"))
    return [path for path in found if _rel(repo, path) in published]


def bury(paths: Iterable[Path]) -> None:
    """Overwrite superseded summaries with the tombstone."""
    for path in paths:
        atomic_write(path, TOMBSTONE)


def _draft(store: Store, month: str, span: Span | None, config: TeamConfig) -> dict[str, Any]:
    """The summary the store's sessions (and running timer) make of a month, seq aside."""
    header = store.header or {}
    tz = store.zones  # each instant in the zone in effect then
    lo, hi = summary.month_bounds(month, tz)
    intervals = [
        summary.Interval(s.task, s.start, s.end, s.billable) for s in store.sessions_between(lo, hi)
    ]
    capped = False
    if span and span.running.start < hi and span.end > lo:
        r = span.running
        intervals.append(summary.Interval(r.task, r.start, span.end, r.billable))
        capped = span.capped
    return summary.build(
        user=store.user,
        store=header["store"],
        month=month,
        timezone=summary.month_zone(month, tz),
        seq=1,
        detail=config.detail,
        periods=summary.totals(
            intervals, month, tz, per_task=config.per_task, by_day=config.period == "day"
        ),
        capped=capped,
        writer=header.get("writer"),
    )


def _refuse_to_fold(
    store: Store, repo: Repo, ours: dict[str, list[tuple[int, Path]]], *, adopt: bool
) -> None:
    """Refuse what would publish wrong totals: a store copied from another work tree, a
    store missing a file that was quarantined, or a tree holding summaries of this store
    id that this store never wrote (two places write one id: the higher seq would silently
    replace the other's time). `adopt` (a rebuild) lets this store's state win over them."""
    header = store.header or {}
    store.check_home()
    for mark in header.get("quarantined", ()):
        raise FatalError(
            f"{store.shown(store.root / mark['file'])} was broken and moved to "
            f"{mark['moved_to']}; folding without it would drop its time: `ffhooks recover "
            f"restore` brings it back from a snapshot, or `ffhooks recover forget "
            f"{mark['file']}` accepts the loss"
        )
    if adopt:
        return
    known = header.get("summaries", {})
    for month, files in sorted(ours.items()):
        seq, path = files[-1]
        if seq > known.get(month, 0):
            raise FatalError(
                f"{_rel(repo, path)} is a summary of this store (id {header['store']}) that "
                "it never wrote: another clone writes with the same store id (a copied "
                "folder?). In the copy, `ffhooks store fork`; then here `ffhooks recover "
                "rebuild` writes this store's state over it"
            )


def _rel(repo: Repo, path: Path) -> str:
    return path.relative_to(repo.top).as_posix()


def headers(repo: Repo) -> list[tuple[str, dict[str, Any]]]:
    """(user, store.json) of every store in this work tree that has its header."""
    from ffhooks.fsio import read_json

    found = []
    for user in stores(repo)[0]:
        path = repo.flowforge / "user" / user / "store.json"
        fix = "run `ffhooks recover` for the fix"
        try:
            found.append((user, read_json(path, _rel(repo, path), fix, schema="store")))
        except FileNotFoundError:
            continue
    return found


def unstaged(repo: Repo) -> list[tuple[str, bool]]:
    """Every store's summaries that no commit would carry: (path, still on disk). On disk
    but untracked, the next aggregation stages them; the newest of a month missing from the
    work tree is written anew."""
    found = []
    for user, header in headers(repo):
        user_dir = repo.top / summary.SUMMARIES / user
        found += [(_rel(repo, p), True) for p in untracked_own(repo, user_dir, header["store"])]
        found += [(_rel(repo, p), False) for p in newest_own(user_dir, header) if not p.is_file()]
    return found


def untracked_own(
    repo: Repo, user_dir: Path, store_id: str, *, tombstones: bool = False
) -> list[Path]:
    """This store's summary files that the index lacks (one `git ls-files --others`):
    `git reset HEAD~1`, a held index.lock, an interrupted hook or a resolved conflict leave
    files on disk that no commit would carry, and that would stop a later checkout. With
    `tombstones`, also its committed files made tombstones but not staged."""
    listed = run_git(
        [
            "--literal-pathspecs",
            "ls-files",
            "-z",
            "-t",
            "--others",
            *(["--modified"] if tombstones else []),
            "--",
            f"{_rel(repo, user_dir)}/",
        ],
        repo.top,
    )
    found = set()
    for entry in filter(None, listed.split("\0")):
        tag, _, rel = entry.partition(" ")
        match = summary.NAME.fullmatch(rel.rsplit("/", 1)[-1])
        if match and match["store"] == store_id:
            path = repo.top / rel
            if tag == "?" or summary.is_tombstone(path):
                found.add(path)
    return sorted(found)


def _refuse_unstaged(repo: Repo, folders: list[Path], stashed: Iterable[str]) -> None:
    """Leave the commit alone if a summary in a month folder we write to has unstaged edits
    (in the work tree, or `stashed` by pre-commit): summaries are written by ffhooks only,
    so an edit is a mistake (or tampering) to resolve first. Unstaged tombstones are ours
    (after `git reset HEAD~1`), staged with the rest. Folders as pathspecs keep this one
    cheap git call however many files they hold."""
    rel = [f"{p.relative_to(repo.top)}/" for p in folders]
    edited = run_git(["diff", "--name-only", "-z", "--", *rel], repo.top).split("\0")
    edited = [p for p in edited if p and not summary.is_tombstone(repo.top / p)]
    edited += sorted(p for p in stashed if any(p.startswith(r) for r in rel))
    if edited:
        raise FatalError(
            f"{edited[0]} has unstaged edits, so ffhooks leaves it alone: commit or discard "
            "them (summaries are written by ffhooks, never by hand), then run "
            "`ffhooks recover retry`"
        )


def _stashed_by_precommit(rel: list[str]) -> dict[str, str]:
    """Paths under the folders `rel` that pre-commit stashed as unstaged edits before
    running us, each with the (abbreviated) blob id it stashed, from the `index OLD..NEW`
    line of its patch. Tombstones among them wait there until it puts
    them back: written now, its stash would no longer apply."""
    home = os.environ.get("PRE_COMMIT_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pre-commit"
    )
    try:
        patches = [n for n in os.listdir(home) if n.startswith("patch")]
    except OSError:
        return {}
    found: dict[str, str] = {}
    for name in [n for n in patches if n.endswith(f"-{os.getppid()}")]:
        try:
            text = Path(home, name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        path = None
        for line in text.splitlines():
            if line.startswith("diff --git a/"):
                path = line[len("diff --git a/") :].split(" b/", 1)[0]
                if any(path.startswith(r) for r in rel):
                    found[path] = ""
                else:
                    path = None
            elif path is not None and line.startswith("index ") and ".." in line:
                found[path] = line.split()[1].split("..")[1]
                path = None
    return found


def stage(repo: Repo, paths: list[Path]) -> None:
    """Add `paths` to the index.

    A `git commit <paths>` runs hooks on a temporary index; the real index, locked as
    `index.lock`, becomes the index afterwards, so it gets the same update, or `git status`
    would show the summaries as changed after the commit.
    """
    rel = [str(p.relative_to(repo.top)) for p in paths]
    run_git(["update-index", "--add", "--", *rel], repo.top)
    index = os.environ.get("GIT_INDEX_FILE", "")
    real = repo.git_dir / "index.lock"
    if os.path.basename(index).startswith("next-index") and real.is_file():
        run_git(
            ["update-index", "--add", "--", *rel],
            repo.top,
            env={"GIT_INDEX_FILE": str(real)},
        )
