"""What a year of commits leaves in the repository, next to the live summaries alone.

Simulates a team in a temporary repository: `--developers` people (default 20) working every
weekday of `--months` months from January 2025 (default 12), `--per-day` commit rounds a day
(default 8). In each round every developer records one session (`ffhooks add`, 20-50 minutes),
then `ffhooks aggregate` folds every store and stages the new summaries (ffhooks 0.2 to 0.4
also buried the superseded ones; since issue 24 a commit only adds them), then
one `git commit --no-verify` commits the round, dated at the simulated time
(GIT_AUTHOR_DATE/GIT_COMMITTER_DATE, and FFHOOKS_NOW for ffhooks). All stores live under
`.flowforge/user/<name>/` of the one work tree (one clone, many users), so they also share
the clone's snapshot area. The repository has no remote, so every superseded summary becomes
a tombstone in the commit that supersedes it (a clone with `origin` buries only files already
on its default branch; the others wait for the next aggregation after they are merged).

`ffhooks add` and `ffhooks aggregate` run inside this process (the class `Team`, the only
place that touches ffhooks internals): the default run is ~42,000 sessions and ~2,100
aggregations, and a process per step costs ~60 ms of interpreter start-up and imports: some
45 minutes more, measuring nothing of interest. Everything measured afterwards runs as a
process, as a user would run it.

Then a second repository gets only the live summaries (the highest seq of each user, store
and month, copied into a fresh `ffhooks init` repository, one commit), and both are measured
in the same rounds, alternating (the machine is shared: compare ratios of medians):

- files and bytes under `.flowforge/team/summaries/` (and how many are tombstones);
- the `.git` folder after `git gc` (without `.git/ffhooks`, the clone's own snapshots);
- wall time of `git status`, `ffhooks verify`, `ffhooks report`, `ffhooks report --ref HEAD`.

Then `ffhooks compact --delete --older-than DAYS` (default 90) runs in the simulated
repository, at the end of the simulated period, and everything is measured again.

Targets (set for a year of a 20-developer team with 8 commits a working day; smaller runs
print the same ratios): bytes under the summaries at most 2x the live files' bytes plus 64
bytes per tombstone; `verify` and both reports at most 1.5x their time on the live files
alone; after `compact --delete`, the file count equals the live files plus the tombstones
made in the last DAYS days (those that were not tombstones yet at the newest first-parent
commit at least DAYS old). Until ffhooks writes tombstones (`ffhooks.summary.TOMBSTONE`),
superseded summaries simply accumulate and the "before" picture is what is shown; without
`ffhooks compact` that part is skipped. Also checked (exit 1 if wrong): the work trees are
clean, `ffhooks verify` passes, and the reports' totals equal the sessions recorded, in both
repositories, before and after compacting.

    python3 bench/history_growth.py --quick          # 4 developers x 2 months, under a minute
    python3 bench/history_growth.py                  # 20 x 12: 2,088 commits, about an hour
    python3 bench/history_growth.py --developers 10 --months 6 --rounds 7 --json

The default run took 57 minutes on a 2-core machine (November 2026), 56 of them simulating:
the aggregation of a round grows from ~0.4 s in the first month to ~2.1 s in the last, three
quarters of it in the snapshot taken after each store's aggregation (each reads many
manifests of the shared snapshot area, and a manifest lists every day file of its store).

The interpreter running this script must have ffhooks installed; its scripts folder goes
first on PATH, and `PYTHON*`, `GIT_*` and `FFHOOKS_*` variables of the calling shell are
dropped (also inside this process while the team works).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

from _common import (
    BenchError,
    iso,
    run,
    sample_rounds,
    scripts_environ,
    stats,
    stderr_logger,
    temp_root,
    timed,
)

FIRST_DAY = date(2025, 1, 1)
DAY_START = timedelta(hours=9)
ROUND_LENGTH = timedelta(hours=1)
ROUND_END = timedelta(minutes=58)  # a round commits this long after it starts
TASKS = ("205", "206", "311", "412", "517", "ops", "review")
SUMMARIES = ".flowforge/team/summaries"
SUMMARY_PATH = re.compile(
    rf"{re.escape(SUMMARIES)}/(?P<user>[^/]+)/(?P<month>[^/]+)/(?P<store>[0-9a-f]+)-(?P<seq>\d+)"
    r"\.json"
)

GIT_STATUS = "git status"
VERIFY = "ffhooks verify"
REPORT = "ffhooks report"
REPORT_REF = "ffhooks report --ref HEAD"
COMMANDS: dict[str, tuple[str, ...]] = {
    GIT_STATUS: ("git", "status"),
    VERIFY: ("ffhooks", "verify"),
    REPORT: ("ffhooks", "report"),
    REPORT_REF: ("ffhooks", "report", "--ref", "HEAD"),
}
TARGETED = (VERIFY, REPORT, REPORT_REF)
HISTORY = "history"
LIVE = "live"

TARGET_BYTES_FACTOR = 2.0
TARGET_BYTES_PER_TOMBSTONE = 64
TARGET_TIME_RATIO = 1.5
TARGET_SCALE = (20, 12, 8)  # developers, months, commits a working day
QUICK = {"developers": 4, "months": 2, "older_than": 30, "rounds": 3}
DEFAULTS = {"developers": 20, "months": 12, "older_than": 90, "rounds": 5}

T = TypeVar("T")


@dataclass(frozen=True)
class Session:
    user: str
    task: str
    start: datetime
    minutes: int
    billable: bool


@dataclass
class Totals:
    billable_seconds: int = 0
    non_billable_seconds: int = 0
    sessions: int = 0

    def count(self, s: Session) -> None:
        if s.billable:
            self.billable_seconds += s.minutes * 60
        else:
            self.non_billable_seconds += s.minutes * 60
        self.sessions += 1


@dataclass
class Build:
    """What the simulation did and what each commit round cost (ms), by month."""

    commits: int = 0
    seconds: float = 0.0
    add_ms: dict[str, list[float]] = field(default_factory=dict)
    aggregate_ms: dict[str, list[float]] = field(default_factory=dict)
    commit_ms: dict[str, list[float]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


@contextmanager
def environ(values: Mapping[str, str]) -> Iterator[None]:
    """`os.environ` is exactly `values` meanwhile: ffhooks in this process and the git
    processes it starts see what the ffhooks processes of the other steps see."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class Team:
    """The bench's only use of ffhooks internals: `ffhooks add` and `ffhooks aggregate` in
    this process (see the module docstring), with the signatures of ffhooks 0.1:
    `Context(repo, user, now)`, `add(ctx, *, task, duration, start, day, billable, note,
    force)` and `aggregate(repo, now, *, rebuild)`. Failures become BenchError."""

    def __init__(self, top: Path) -> None:
        try:
            from ffhooks.git.plumbing import require_repo
        except ImportError as exc:
            raise BenchError(f"ffhooks is not importable here ({exc}): pip install -e .") from None
        self.repo = self._call("finding the repository", lambda: require_repo(top))
        from ffhooks import layout, summary

        found = getattr(summary, "TOMBSTONE", None) or getattr(layout, "TOMBSTONE", None)
        self.tombstone = found if isinstance(found, bytes) else None  # None: ffhooks writes none

    def add(self, s: Session, now: datetime) -> None:
        from ffhooks.commands.add import add
        from ffhooks.context import Context

        ctx = Context(self.repo, s.user, now)
        self._call(
            f"ffhooks add for {s.user} at {iso(s.start)}",
            lambda: add(
                ctx,
                task=s.task,
                duration=f"{s.minutes}m",
                start=iso(s.start),
                day=None,
                billable=s.billable,
                note=None,
                force=False,
            ),
        )

    def aggregate(self, now: datetime) -> str:
        """Fold every store; what ffhooks wrote to stderr."""
        from ffhooks.commands.aggregate import aggregate

        err = io.StringIO()
        with redirect_stderr(err):
            self._call(
                f"ffhooks aggregate at {iso(now)}",
                lambda: aggregate(self.repo, now, rebuild=False),
            )
        return err.getvalue()

    @staticmethod
    def _call(what: str, step: Callable[[], T]) -> T:
        from ffhooks.errors import FatalError

        try:
            with redirect_stdout(io.StringIO()):
                done = step()
        except FatalError as exc:
            raise BenchError(f"{what} failed: {exc}") from None
        except Exception as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            raise BenchError(
                f"{what}: internal error {exc!r} at {Path(frame.filename).name}:{frame.lineno}"
            ) from None
        if isinstance(done, int) and done != 0:
            raise BenchError(f"{what} returned {done}")
        return done


def month_after(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def working_days(months: int) -> list[date]:
    end = month_after(FIRST_DAY, months)
    days = (FIRST_DAY + timedelta(days=n) for n in range((end - FIRST_DAY).days))
    return [d for d in days if d.weekday() < 5]


def user_names(count: int) -> list[str]:
    return [f"dev{n:02d}" for n in range(1, count + 1)]


def round_start(day: date, round_no: int) -> datetime:
    midnight = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    return midnight + DAY_START + round_no * ROUND_LENGTH


def sessions_of(users: Sequence[str], day_no: int, day: date, round_no: int) -> list[Session]:
    """One session per developer in a round: 20-50 minutes, starting within its first 5
    minutes, so it has ended when the round commits; one in seven is not billable."""
    base = round_start(day, round_no)
    return [
        Session(
            user,
            TASKS[(i + day_no + round_no // 3) % len(TASKS)],
            base + timedelta(minutes=i % 5),
            20 + (7 * i + 11 * round_no + day_no) % 31,
            (i + round_no + day_no) % 7 != 6,
        )
        for i, user in enumerate(users)
    ]


def dated(env: Mapping[str, str], at: datetime) -> dict[str, str]:
    stamp = iso(at)
    return {**env, "FFHOOKS_NOW": stamp, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


def init_repo(path: Path, env: Mapping[str, str], at: datetime) -> None:
    """A repository with `ffhooks init` committed; no automatic `git gc` (run before each
    measurement instead, so it never runs in the background of a timing)."""
    path.mkdir()
    run(["git", "init", "-q", "-b", "main"], cwd=path, env=env)
    run(["git", "config", "gc.auto", "0"], cwd=path, env=env)
    run(["ffhooks", "init", "--no-hook"], cwd=path, env=dated(env, at))
    run(["git", "add", "-A"], cwd=path, env=env)
    run(["git", "commit", "-q", "--no-verify", "-m", "ffhooks init"], cwd=path, env=dated(env, at))


def simulate(
    team: Team,
    env: Mapping[str, str],
    *,
    users: Sequence[str],
    days: Sequence[date],
    per_day: int,
    say: Callable[[str], None],
) -> tuple[Build, Totals, datetime]:
    """Every round of every working day: each developer adds a session, one aggregation
    folds all stores, one commit. Returns what it cost, what was recorded, and the last
    commit's instant."""
    build, totals = Build(), Totals()
    top = team.repo.top
    started = time.perf_counter()
    now = round_start(days[0], 0)
    with environ(env):
        for day_no, day in enumerate(days):
            month = f"{day:%Y-%m}"
            for round_no in range(per_day):
                now = round_start(day, round_no) + ROUND_END
                os.environ["FFHOOKS_NOW"] = iso(now)
                t0 = time.perf_counter()
                for s in sessions_of(users, day_no, day, round_no):
                    team.add(s, now)
                    totals.count(s)
                t1 = time.perf_counter()
                for line in team.aggregate(now).splitlines():
                    if line.strip() and line not in build.messages and len(build.messages) < 10:
                        build.messages.append(line)
                t2 = time.perf_counter()
                message = f"{day} round {round_no + 1}"
                run(
                    ["git", "commit", "-q", "--no-verify", "-m", message],
                    cwd=top,
                    env=dated(env, now),
                )
                t3 = time.perf_counter()
                build.add_ms.setdefault(month, []).append((t1 - t0) * 1000.0)
                build.aggregate_ms.setdefault(month, []).append((t2 - t1) * 1000.0)
                build.commit_ms.setdefault(month, []).append((t3 - t2) * 1000.0)
                build.commits += 1
            if day_no + 1 == len(days) or days[day_no + 1].month != day.month:
                elapsed = time.perf_counter() - started
                say(f"{month} simulated: {build.commits:,} commits, {elapsed:.0f} s")
    build.seconds = time.perf_counter() - started
    return build, totals, now


@dataclass
class Inventory:
    """The files under the summaries folder of a work tree."""

    files: int = 0
    bytes: int = 0
    tombstones: int = 0
    superseded: int = 0  # neither live nor a tombstone: what readers skip by seq
    live_files: int = 0
    live_bytes: int = 0
    live_paths: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if k != "live_paths"}


def inventory(top: Path, tombstone: bytes | None) -> Inventory:
    """Count every file; live is the highest seq of each (user, month, store) that is not a
    tombstone, found here by name without ffhooks."""
    inv = Inventory()
    newest: dict[tuple[str, str, str], tuple[int, str, int]] = {}
    for folder, _, names in os.walk(top / SUMMARIES):
        for name in names:
            path = Path(folder, name)
            rel = path.relative_to(top).as_posix()
            size = path.stat().st_size
            inv.files += 1
            inv.bytes += size
            if tombstone is not None and size == len(tombstone) and path.read_bytes() == tombstone:
                inv.tombstones += 1
                continue
            match = SUMMARY_PATH.fullmatch(rel)
            if match is None:
                raise BenchError(f"{rel}: not a summary file name")
            key = (match["user"], match["month"], match["store"])
            seq = int(match["seq"])
            if key not in newest or newest[key][0] < seq:
                newest[key] = (seq, rel, size)
    inv.live_paths = sorted(rel for _, rel, _ in newest.values())
    inv.live_files = len(newest)
    inv.live_bytes = sum(size for _, _, size in newest.values())
    inv.superseded = inv.files - inv.tombstones - inv.live_files
    return inv


def git_bytes(top: Path) -> int:
    """Bytes in `.git`, without `.git/ffhooks` (the clone's snapshots, never committed)."""
    total = 0
    for folder, dirs, names in os.walk(top / ".git"):
        if Path(folder) == top / ".git":
            dirs[:] = [d for d in dirs if d != "ffhooks"]
        total += sum(os.lstat(Path(folder, n)).st_size for n in names)
    return total


def commit_count(top: Path, env: Mapping[str, str]) -> int:
    return int(run(["git", "rev-list", "--count", "HEAD"], cwd=top, env=env).stdout)


def live_repo(
    root: Path, source: Path, inv: Inventory, env: Mapping[str, str], at: datetime
) -> Path:
    """A fresh repository holding only the live summaries of `source`, in one commit."""
    path = root / "live"
    init_repo(path, env, at)
    for rel in inv.live_paths:
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, path / rel)
    run(["git", "add", "-A"], cwd=path, env=env)
    message = "the live summaries alone"
    run(["git", "commit", "-q", "--no-verify", "-m", message], cwd=path, env=dated(env, at))
    return path


def check(label: str, top: Path, env: Mapping[str, str], want: Totals) -> list[str]:
    """What is wrong in a repository: a dirty work tree, `ffhooks verify` failing, report
    totals (work tree and HEAD) other than the sessions recorded."""
    wrong = []
    status = run(["git", "status", "--porcelain"], cwd=top, env=env).stdout.splitlines()
    if status:
        wrong.append(f"{label}: {len(status)} change(s) not committed, e.g. {status[0].strip()}")
    proc = run(["ffhooks", "verify"], cwd=top, env=env, check=False)
    if proc.returncode != 0:
        lines = (proc.stdout + proc.stderr).strip().splitlines() or [f"exit {proc.returncode}"]
        wrong.append(f"{label}: `ffhooks verify` failed: {lines[0]}")
    expected = vars(want)
    for args in ([], ["--ref", "HEAD"]):
        cmd = ["ffhooks", "report", "--format", "json", *args]
        out = run(cmd, cwd=top, env=env).stdout
        try:
            got = json.loads(out)["totals"]
        except (ValueError, KeyError, TypeError):
            raise BenchError(f"{' '.join(cmd)} in {label}: no totals in {out[:80]!r}") from None
        for key, value in expected.items():
            if got.get(key) != value:
                shown = " ".join(["report", *args])
                wrong.append(f"{label}: {shown}: {key} {got.get(key)} but {value} recorded")
    return wrong


def tombstones_at(top: Path, env: Mapping[str, str], commit: str, blob: str) -> set[str]:
    listing = run(["git", "ls-tree", "-r", "-z", commit, "--", SUMMARIES], cwd=top, env=env)
    found = set()
    for entry in listing.stdout.split("\0"):
        meta, _, path = entry.partition("\t")
        if path and meta.split()[2] == blob:
            found.add(path)
    return found


def measure(
    repos: Mapping[str, Path],
    env: Mapping[str, str],
    tombstone: bytes | None,
    *,
    names: Sequence[str],
    rounds: int,
    warmup: int,
    say: Callable[[str], None],
) -> dict[str, object]:
    """Figures of each repository after `git gc`, and the commands timed in the same rounds,
    alternating which repository goes first."""
    for top in repos.values():
        run(["git", "gc", "-q"], cwd=top, env=env)
    inv = {key: inventory(top, tombstone) for key, top in repos.items()}
    figures: dict[str, dict[str, int]] = {
        key: {
            **inv[key].figures(),
            "git_bytes": git_bytes(top),
            "commits": commit_count(top, env),
        }
        for key, top in repos.items()
    }

    def one_round(round_no: int) -> dict[str, float]:
        keys = list(repos)
        order = keys if round_no % 2 == 0 else keys[::-1]
        timings = {}
        for name in names:
            for key in order:
                timings[f"{key}|{name}"] = timed(
                    COMMANDS[name], cwd=repos[key], env=env, what=f"{name} ({key})"
                )
        return timings

    samples = sample_rounds(one_round, rounds=rounds, warmup=warmup, say=say)
    times = {key: {n: stats(samples[f"{key}|{n}"]) for n in names} for key in repos}
    history, live = figures[HISTORY], figures[LIVE]
    limit = TARGET_BYTES_FACTOR * history["live_bytes"]
    limit += TARGET_BYTES_PER_TOMBSTONE * history["tombstones"]
    ratios: dict[str, float] = {
        "files": round(history["files"] / max(live["files"], 1), 3),
        "bytes": round(history["bytes"] / max(live["bytes"], 1), 3),
        "git_bytes": round(history["git_bytes"] / max(live["git_bytes"], 1), 3),
    }
    for n in names:
        ratios[n] = round(times[HISTORY][n]["median_ms"] / times[LIVE][n]["median_ms"], 3)
    targets: dict[str, dict[str, object]] = {
        "bytes": {
            "limit": int(limit),
            "ratio": round(history["bytes"] / max(limit, 1), 3),
            "ok": history["bytes"] <= limit,
        }
    }
    for n in names:
        if n in TARGETED:
            targets[n] = {"ratio": ratios[n], "ok": ratios[n] <= TARGET_TIME_RATIO}
    return {"figures": figures, "times": times, "ratios": ratios, "targets": targets}


def compact(
    top: Path,
    env: Mapping[str, str],
    *,
    live_files: int,
    tombstone: bytes | None,
    older_than: int,
    at: datetime,
) -> dict[str, object]:
    """Run `ffhooks compact --delete` at `at`; what it left against what it should."""
    if run(["ffhooks", "compact", "--help"], cwd=top, env=env, check=False).returncode != 0:
        return {"available": False}
    blob = None
    if tombstone is not None:
        blob = hashlib.sha1(b"blob %d\0" % len(tombstone) + tombstone).hexdigest()
    horizon = at - timedelta(days=older_than)
    cutoff = run(
        ["git", "rev-list", "-1", "--first-parent", f"--before={iso(horizon)}", "HEAD"],
        cwd=top,
        env=env,
    ).stdout.strip()
    recent = 0
    if blob is not None:
        now_dead = tombstones_at(top, env, "HEAD", blob)
        old_dead = tombstones_at(top, env, cutoff, blob) if cutoff else set()
        recent = len(now_dead - old_dead)
    before = inventory(top, tombstone).files
    commits = commit_count(top, env)
    # since add-only summaries (issue 24) compaction deletes every superseded file at once;
    # older versions took the age of tombstones
    help_text = run(["ffhooks", "compact", "--help"], cwd=top, env=env).stdout
    cmd = ["ffhooks", "compact", "--delete"]
    if "--older-than" in help_text:
        cmd += ["--older-than", str(older_than)]
    t0 = time.perf_counter()
    proc = run(cmd, cwd=top, env=dated(env, at), what="ffhooks compact")
    seconds = time.perf_counter() - t0
    after = inventory(top, tombstone).files
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    return {
        "available": True,
        "older_than_days": older_than,
        "at": iso(at),
        "cutoff_commit": cutoff or None,
        "files_before": before,
        "files_after": after,
        "live_files": live_files,
        "recent_tombstones": recent,
        "expected_files": live_files + recent,
        "ok": after == live_files + recent,
        "commits_made": commit_count(top, env) - commits,
        "seconds": round(seconds, 2),
        "said": lines[-1] if lines else "",
    }


def build_figures(build: Build, totals: Totals) -> dict[str, object]:
    steps = {"add": build.add_ms, "aggregate": build.aggregate_ms, "commit": build.commit_ms}
    return {
        "commits": build.commits,
        "sessions": totals.sessions,
        "seconds": round(build.seconds, 1),
        "per_round_ms": {k: stats([v for m in by.values() for v in m]) for k, by in steps.items()},
        "by_month_median_ms": {
            month: {k: round(statistics.median(by[month]), 1) for k, by in steps.items()}
            for month in build.add_ms
        },
        "ffhooks_stderr": build.messages,
    }


def _n(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _verdict(target: Mapping[str, object], limit: str) -> str:
    return f"{limit}: {target['ratio']:.2f} {'ok' if target['ok'] else 'FAIL'}"


def phase_lines(title: str, phase: Mapping[str, object]) -> list[str]:
    figures, times, ratios, targets = (phase[k] for k in ("figures", "times", "ratios", "targets"))
    assert isinstance(figures, dict) and isinstance(times, dict)
    assert isinstance(ratios, dict) and isinstance(targets, dict)
    h, lv = figures[HISTORY], figures[LIVE]
    lines = [f"{title:<40}{'history':>12}{'live alone':>12}{'ratio':>8}  target"]

    def row(label: str, a: object, b: object, ratio: float | None = None, note: str = "") -> None:
        shown = "" if ratio is None else f"{ratio:.2f}"
        lines.append(f"{label:<40}{_n(a):>12}{_n(b):>12}{shown:>8}  {note}".rstrip())

    row("summary files", h["files"], lv["files"], ratios["files"])
    row("  of which tombstones", h["tombstones"], lv["tombstones"])
    row("  of which superseded, kept", h["superseded"], lv["superseded"])
    bytes_note = _verdict(
        targets["bytes"],
        f"<= 2x live + {TARGET_BYTES_PER_TOMBSTONE} B/tombstone = {targets['bytes']['limit']:,}",
    )
    row("summary bytes", h["bytes"], lv["bytes"], ratios["bytes"], bytes_note)
    row(".git bytes (after git gc)", h["git_bytes"], lv["git_bytes"], ratios["git_bytes"])
    row("commits", h["commits"], lv["commits"])
    for name in COMMANDS:
        if name not in times[HISTORY]:
            row(f"{name} (median ms)", "-", "-", None, "not timed: it failed (see checks)")
            continue
        a, b = times[HISTORY][name]["median_ms"], times[LIVE][name]["median_ms"]
        note = _verdict(targets[name], f"<= {TARGET_TIME_RATIO}") if name in targets else ""
        row(f"{name} (median ms)", f"{a:.1f}", f"{b:.1f}", ratios[name], note)
    return lines


def render(result: Mapping[str, object]) -> str:
    team, build, compacted = result["team"], result["build"], result["compact"]
    assert isinstance(team, dict) and isinstance(build, dict) and isinstance(compacted, dict)
    by_month = build["by_month_median_ms"]
    assert isinstance(by_month, dict)
    first, last = by_month[min(by_month)], by_month[max(by_month)]
    tombstone = result["tombstone_bytes"]
    lines = [
        f"{team['developers']} developers x {team['months']} months ({team['first_month']}.."
        f"{team['last_month']}), {team['per_day']} commits a working day: "
        f"{build['commits']:,} commits, {build['sessions']:,} sessions; "
        f"simulated in {build['seconds']:.0f} s",
        f"{'per commit round, median ms':<44}{'first month':>12}{'last month':>12}",
        f"{'  ffhooks add x developers (in-process)':<44}{first['add']:>12.1f}{last['add']:>12.1f}",
        f"{'  ffhooks aggregate, all stores (in-process)':<44}{first['aggregate']:>12.1f}"
        f"{last['aggregate']:>12.1f}",
        f"{'  git commit':<44}{first['commit']:>12.1f}{last['commit']:>12.1f}",
        f"tombstones: {tombstone} bytes each"
        if tombstone is not None
        else "tombstones: none (ffhooks.summary.TOMBSTONE missing): superseded summaries stay",
        f"{result['rounds']} timed rounds after {result['warmup']} warm-up, wall time per "
        f"process, Python {result['python']}",
        "",
    ]
    before = result["before"]
    assert isinstance(before, dict)
    lines += phase_lines("before `ffhooks compact --delete`", before)
    lines.append("")
    if not compacted["available"]:
        lines.append("`ffhooks compact` does not exist in this ffhooks: compaction skipped")
    else:
        after = result["after"]
        assert isinstance(after, dict)
        days = compacted["older_than_days"]
        lines.append(
            f"`ffhooks compact --delete --older-than {days}` at {compacted['at']}: "
            f"{compacted['files_before']:,} -> {compacted['files_after']:,} files in "
            f"{compacted['seconds']} s, {compacted['commits_made']} commit(s) "
            f"({compacted['said']})"
        )
        lines.append(
            f"files after: {compacted['files_after']:,}; target live {compacted['live_files']:,}"
            f" + tombstones of the last {days} days {compacted['recent_tombstones']:,} = "
            f"{compacted['expected_files']:,}: {'ok' if compacted['ok'] else 'FAIL'}"
        )
        lines.append("")
        lines += phase_lines(f"after `compact --delete` ({days} d)", after)
    checks = result["checks"]
    notes = result["notes"]
    assert isinstance(checks, list) and isinstance(notes, list)
    lines.append("")
    lines.append(
        "checks: clean work trees, verify passes, report totals match the sessions"
        if not checks
        else "checks: FAILED"
    )
    lines += [f"  {c}" for c in checks]
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines)


VERIFY_FAILED = "`ffhooks verify` failed"


def timed_names(problems: Sequence[str]) -> list[str]:
    """The commands to time: not `ffhooks verify` when it fails (it is a check then)."""
    failed = any(VERIFY_FAILED in p for p in problems)
    return [n for n in COMMANDS if not (n == VERIFY and failed)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--developers", type=int, help="team size (default 20; --quick 4)")
    parser.add_argument("--months", type=int, help="months from 2025-01 (default 12; --quick 2)")
    parser.add_argument("--per-day", type=int, default=8, help="commits a working day (8)")
    parser.add_argument(
        "--older-than", type=int, help="compact --delete's DAYS (default 90; --quick 30)"
    )
    parser.add_argument("--rounds", type=int, help="timed rounds (default 5; --quick 3)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--quick", action="store_true", help="a small team, a short time")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    chosen = {
        key: getattr(args, key) if getattr(args, key) is not None else default
        for key, default in (QUICK if args.quick else DEFAULTS).items()
    }
    developers, months, older_than, rounds = (
        chosen[k] for k in ("developers", "months", "older_than", "rounds")
    )
    if developers < 1 or not 1 <= months <= 120 or not 1 <= args.per_day <= 14:
        parser.error("need --developers >= 1, 1 <= --months <= 120, 1 <= --per-day <= 14")
    if older_than < 1 or rounds < 1 or args.warmup < 0:
        parser.error("need --older-than >= 1, --rounds >= 1 and --warmup >= 0")

    say = stderr_logger(not args.json)
    users = user_names(developers)
    days = working_days(months)
    checks: list[str] = []
    with temp_root("ffhooks-history-", keep=args.keep) as root:
        try:
            home = root / "home"
            home.mkdir()
            begin = round_start(days[0], 0) - timedelta(hours=1)
            env = scripts_environ(home, user="manager", now=iso(begin), tools=("ffhooks", "git"))
            top = root / HISTORY
            init_repo(top, env, begin)
            team = Team(top)
            say(f"simulating {developers} developers x {months} months ({len(days)} days)")
            build, totals, last = simulate(
                team, env, users=users, days=days, per_day=args.per_day, say=say
            )
            end = last + timedelta(minutes=2)
            env = {**env, "FFHOOKS_NOW": iso(end)}
            inv = inventory(top, team.tombstone)
            repos = {HISTORY: top, LIVE: live_repo(root, top, inv, env, end)}
            for key, path in repos.items():
                checks += check(key, path, env, totals)
            say("measuring before compacting")
            before = measure(
                repos,
                env,
                team.tombstone,
                names=timed_names(checks),
                rounds=rounds,
                warmup=args.warmup,
                say=say,
            )
            say("compacting")
            compacted = compact(
                top,
                env,
                live_files=inv.live_files,
                tombstone=team.tombstone,
                older_than=older_than,
                at=end,
            )
            after = None
            if compacted["available"]:
                found = check(f"{HISTORY} after compact", top, env, totals)
                checks += found
                say("measuring after compacting")
                after = measure(
                    repos,
                    env,
                    team.tombstone,
                    names=timed_names(found),
                    rounds=rounds,
                    warmup=args.warmup,
                    say=say,
                )
            notes = []
            if (developers, months, args.per_day) != TARGET_SCALE:
                notes.append(
                    "the targets are set for 20 developers x 12 months x 8 commits a day; "
                    "this run is another size"
                )
            notes += [f"ffhooks said: {m}" for m in build.messages]
            result = {
                "team": {
                    "developers": developers,
                    "months": months,
                    "first_month": f"{days[0]:%Y-%m}",
                    "last_month": f"{days[-1]:%Y-%m}",
                    "per_day": args.per_day,
                    "working_days": len(days),
                },
                "build": build_figures(build, totals),
                "tombstone_bytes": len(team.tombstone) if team.tombstone is not None else None,
                "before": before,
                "compact": compacted,
                "after": after,
                "rounds": rounds,
                "warmup": args.warmup,
                "targets": {
                    "bytes": f"<= {TARGET_BYTES_FACTOR:g}x live bytes + "
                    f"{TARGET_BYTES_PER_TOMBSTONE} per tombstone",
                    "time_ratio": TARGET_TIME_RATIO,
                    "compact": "files = live + tombstones of the last --older-than days",
                },
                "checks": checks,
                "notes": notes,
                "python": sys.version.split()[0],
            }
            if args.json:
                print(json.dumps(result, indent=2))
            else:
                print(render(result))
        except BenchError as exc:
            print(f"history_growth: {exc}", file=sys.stderr)
            return 1
    return 1 if checks else 0


if __name__ == "__main__":
    raise SystemExit(main())
