"""Wall-clock latency of `ffhooks report` over a year of a 50-person team, next to Watson's.

Builds, in a temporary directory, a git repository holding the committed summaries of
`--users` developers over the 12 months of `--year`, made by the real commands: per user
`ffhooks import sessions.jsonl` then `ffhooks aggregate` (which stages the summaries), and one
`git commit --no-verify` at the end. Then times each command as a fresh process, alternating
in the same rounds:

    python3 bench/report.py                    # 50 users, ~10 sessions a working day, 10 rounds
    python3 bench/report.py --rounds 21 --json
    python3 bench/report.py --users 5 --per-day 4 --no-watson

Timed: `ffhooks report` (work tree), `ffhooks report --ref HEAD`, `ffhooks report --format json
--by user,week`, `--ref HEAD` over June only (one month of the twelve), `python -c pass` as
the floor, and, over the very same sessions, `watson report --all` (Watson's `frames` file
written directly, one frame per session, the user as tag) and `timew summary` over the year
(its data files written directly) when those are installed.
Watson is a one-person tool, so its one `frames` file holds the whole team's sessions.

The executables are the ones next to the running interpreter (`<sys.prefix>/bin/ffhooks`), so
a pyenv shim does not add its own start-up to the figures; `PYTHON*` variables of the calling
shell are dropped. The target is each ffhooks report under 0.5 s. Before timing, the report
totals are checked against the generated sessions; a mismatch makes the exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import (
    BenchError,
    child_environ,
    iso,
    run,
    sample_rounds,
    stats,
    stderr_logger,
    temp_root,
    timed,
)

PYTHON = "python -c pass"
FF_REPORT = "ffhooks report"
FF_REF = "ffhooks report --ref HEAD"
FF_JSON = "ffhooks report --format json --by user,week"
FF_MONTH = "ffhooks report --ref HEAD, one month"
WATSON = "watson report --all"
TIMEW = "timew summary <year>"
FFHOOKS = (FF_REPORT, FF_REF, FF_JSON, FF_MONTH)
ORDER = (PYTHON, *FFHOOKS, WATSON, TIMEW)

TARGET_MS = 500.0
ZONES = ("Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata", "Europe/London")
TEAM_TASKS = [str(n) for n in range(100, 160)]


@dataclass(frozen=True)
class Sess:
    user: str
    task: str
    start: datetime
    end: datetime
    billable: bool

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass
class Env:
    root: Path
    repo: Path
    environ: dict[str, str]
    ffhooks: Path
    watson: Path | None
    timew: Path | None
    year: int
    notes: list[str] = field(default_factory=list)
    build: dict[str, object] = field(default_factory=dict)


def _executable(name: str) -> Path | None:
    """`name` next to the running interpreter, else on PATH (perhaps a slower shim)."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which(name)
    return Path(found) if found else None


def user_names(count: int) -> list[str]:
    return [f"dev{n:02d}" for n in range(1, count + 1)]


def sessions_for(user: str, index: int, year: int, per_day: int, seed: int) -> list[Sess]:
    """A developer's year: working days only, ~per_day sessions of 15-75 min from about
    08:00 local time, a handful of tasks a day from a personal pool, 10% non-billable."""
    rng = random.Random(seed * 1_000_003 + index)
    tz = ZoneInfo(ZONES[index % len(ZONES)])
    pool = rng.sample(TEAM_TASKS, 8)
    out: list[Sess] = []
    day = date(year, 1, 1)
    while day.year == year:
        if day.weekday() < 5 and rng.random() >= 0.06:  # weekends and ~15 days of leave off
            todays = rng.sample(pool, 3)
            at = datetime(day.year, day.month, day.day, 8, tzinfo=tz)
            at += timedelta(minutes=rng.randint(0, 90))
            for _ in range(max(1, per_day + rng.randint(-2, 2))):
                length = timedelta(minutes=rng.randint(15, 75), seconds=rng.randint(0, 59))
                billable = rng.random() >= 0.1
                out.append(Sess(user, rng.choice(todays), at, at + length, billable))
                at += length + timedelta(minutes=rng.randint(0, 15))
        day += timedelta(days=1)
    return out


def write_jsonl(path: Path, sessions: Sequence[Sess]) -> None:
    lines = []
    for s in sessions:
        raw: dict[str, object] = {"task": s.task, "start": iso(s.start), "end": iso(s.end)}
        if not s.billable:
            raw["billable"] = False
        lines.append(json.dumps(raw))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_watson(folder: Path, sessions: Sequence[Sess], seed: int) -> None:
    """Watson's `frames`: [start, stop, project, id, tags, updated_at], Unix seconds."""
    rng = random.Random(seed)
    frames = [
        [
            int(s.start.timestamp()),
            int(s.end.timestamp()),
            s.task,
            f"{rng.getrandbits(128):032x}",
            [s.user],
            int(s.end.timestamp()),
        ]
        for s in sorted(sessions, key=lambda s: s.start)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "frames").write_text(json.dumps(frames), encoding="utf-8")


def write_timew(folder: Path, sessions: Sequence[Sess]) -> None:
    """Timewarrior's database: `data/YYYY-MM.data` lines `inc START - END # tags`."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    (folder / "timewarrior.cfg").write_text("", encoding="utf-8")
    by_month: dict[str, list[str]] = {}
    stamp = "%Y%m%dT%H%M%SZ"
    for s in sorted(sessions, key=lambda s: s.start):
        start, end = s.start.astimezone(timezone.utc), s.end.astimezone(timezone.utc)
        line = f'inc {start.strftime(stamp)} - {end.strftime(stamp)} # "{s.task}" {s.user}'
        by_month.setdefault(start.strftime("%Y-%m"), []).append(line)
    for month, lines in by_month.items():
        (data / f"{month}.data").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tags = sorted({s.task for s in sessions} | {s.user for s in sessions})
    (data / "tags.data").write_text(
        json.dumps({t: {"count": 1} for t in tags}) + "\n", encoding="utf-8"
    )


def _clean_environ(home: Path, watson_dir: Path, timew_dir: Path, now: str) -> dict[str, str]:
    return child_environ(
        {
            "HOME": str(home),
            "FFHOOKS_NOW": now,
            "FFHOOKS_USER": "manager",
            "WATSON_DIR": str(watson_dir),
            "TIMEWARRIORDB": str(timew_dir),
            "GIT_CONFIG_NOSYSTEM": "1",
            "TZ": "UTC",
        },
        drop=("FFHOOKS_USER", "XDG_CONFIG_HOME", "GIT_DIR", "GIT_WORK_TREE"),
    )


def set_up(
    root: Path, *, users: int, per_day: int, year: int, seed: int, want_others: bool, log: bool
) -> tuple[Env, list[Sess]]:
    """The repository with every user's summaries committed, and the other tools' files."""
    home, watson_dir, timew_dir, repo, inputs = (
        root / n for n in ("home", "watson", "timew", "repo", "inputs")
    )
    for d in (home, repo, inputs):
        d.mkdir()
    now = iso(datetime(year + 1, 1, 2, 12, tzinfo=timezone.utc))
    environ = _clean_environ(home, watson_dir, timew_dir, now)

    say = stderr_logger(log)

    ffhooks = _executable("ffhooks")
    if ffhooks is None:
        raise BenchError("no `ffhooks` next to the interpreter or on PATH: pip install -e .")
    notes: list[str] = []
    watson = _executable("watson") if want_others else None
    timew = _executable("timew") if want_others else None
    if not want_others:
        notes.append("Watson and timew skipped: --no-others")
    else:
        notes += [f"{n}: not installed" for n, p in (("watson", watson), ("timew", timew)) if not p]
    env = Env(root, repo, environ, ffhooks, watson, timew, year, notes)

    run(["git", "init", "-q"], cwd=repo, env=environ, what="git init")
    run([ffhooks, "init", "--no-hook"], cwd=repo, env=environ, what="ffhooks init")
    everyone: list[Sess] = []
    import_ms: list[float] = []
    aggregate_ms: list[float] = []
    t_build = time.perf_counter()
    for index, user in enumerate(user_names(users)):
        mine = sessions_for(user, index, year, per_day, seed)
        everyone += mine
        source = inputs / f"{user}.jsonl"
        write_jsonl(source, mine)
        as_user = {**environ, "FFHOOKS_USER": user, "TZ": ZONES[index % len(ZONES)]}
        t0 = time.perf_counter()
        run([ffhooks, "import", source], cwd=repo, env=as_user, what=f"import for {user}")
        t1 = time.perf_counter()
        run([ffhooks, "aggregate"], cwd=repo, env=as_user, what=f"aggregate for {user}")
        t2 = time.perf_counter()
        import_ms.append((t1 - t0) * 1000.0)
        aggregate_ms.append((t2 - t1) * 1000.0)
        if index % 10 == 9 or index == users - 1:
            say(f"imported and aggregated {index + 1}/{users} users ({len(everyone)} sessions)")
    t0 = time.perf_counter()
    run(["git", "add", "-A"], cwd=repo, env=environ, what="git add")
    ident = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    run(
        ["git", *ident, "commit", "-q", "--no-verify", "-m", "a year of summaries"],
        cwd=repo,
        env=environ,
        what="git commit",
    )
    commit_ms = (time.perf_counter() - t0) * 1000.0
    summaries = sorted((repo / ".flowforge/team/summaries").rglob("*.json"))
    env.build = {
        "users": users,
        "sessions": len(everyone),
        "summary_files": len(summaries),
        "summary_bytes": sum(p.stat().st_size for p in summaries),
        "build_s": round(time.perf_counter() - t_build, 1),
        "import_median_ms": round(statistics.median(import_ms), 1),
        "aggregate_median_ms": round(statistics.median(aggregate_ms), 1),
        "commit_ms": round(commit_ms, 1),
    }
    if watson:
        say(f"writing Watson frames ({len(everyone)} frames)")
        write_watson(watson_dir, everyone, seed)
    if timew:
        say("writing the Timewarrior database")
        write_timew(timew_dir, everyone)
    return env, everyone


def commands(env: Env) -> dict[str, list[str | Path]]:
    ff = env.ffhooks
    out: dict[str, list[str | Path]] = {
        PYTHON: [sys.executable, "-c", "pass"],
        FF_REPORT: [ff, "report"],
        FF_REF: [ff, "report", "--ref", "HEAD"],
        FF_JSON: [ff, "report", "--format", "json", "--by", "user,week"],
        # June: the months a range does not touch are not read
        FF_MONTH: [
            ff,
            "report",
            "--ref",
            "HEAD",
            "--from",
            f"{env.year}-06-01",
            "--to",
            f"{env.year}-06-30",
        ],
    }
    if env.watson:
        out[WATSON] = [env.watson, "report", "--all", "--no-pager"]
    if env.timew:
        out[TIMEW] = [env.timew, "summary", f"{env.year}-01-01", "-", f"{env.year + 1}-01-01"]
    return out


def check(env: Env, sessions: Sequence[Sess]) -> list[str]:
    """What the reports get wrong against the generated sessions (empty when all agree)."""
    billable = sum(s.seconds for s in sessions if s.billable)
    non_billable = sum(s.seconds for s in sessions if not s.billable)
    want = {"billable_seconds": billable, "non_billable_seconds": non_billable}
    want["sessions"] = len(sessions)
    wrong: list[str] = []
    for args in ([], ["--ref", "HEAD"], ["--by", "user,week"]):
        cmd: list[str | Path] = [env.ffhooks, "report", "--format", "json", *args]
        proc = run(cmd, cwd=env.repo, env=env.environ, what="ffhooks report (check)")
        totals = json.loads(proc.stdout)["totals"]
        for key, value in want.items():
            if totals.get(key) != value:
                shown = " ".join(["report", *args])
                wrong.append(f"{shown}: {key} {totals.get(key)} but the sessions hold {value}")
    if env.watson:
        cmd = [env.watson, "report", "--all", "--json"]
        proc = run(cmd, cwd=env.repo, env=env.environ, what="watson report (check)")
        got = json.loads(proc.stdout).get("time")
        if got is not None and round(float(got)) != billable + non_billable:
            wrong.append(f"watson report: {got} s but the sessions hold {billable + non_billable}")
    return wrong


def _timed(env: Env, name: str, cmd: Sequence[str | Path]) -> float:
    return timed(cmd, cwd=env.repo, env=env.environ, what=name)


def one_round(env: Env, round_no: int) -> dict[str, float]:
    """Each command once, as a fresh process, starting one further along each round."""
    todo = list(commands(env).items())
    shift = round_no % len(todo)
    return {name: _timed(env, name, cmd) for name, cmd in todo[shift:] + todo[:shift]}


def summarize(samples: Mapping[str, Sequence[float]]) -> dict[str, object]:
    med = {name: statistics.median(values) for name, values in samples.items()}
    table: dict[str, dict[str, object]] = {}
    for name, values in samples.items():
        row: dict[str, object] = {
            **stats(values),
            "over_python_ms": round(med[name] - med[PYTHON], 2) if PYTHON in med else None,
            "ratio_to_watson": round(med[name] / med[WATSON], 3) if WATSON in med else None,
        }
        if name in FFHOOKS:
            row["under_target"] = med[name] < TARGET_MS
        table[name] = row
    return {"commands": table}


def render(result: Mapping[str, object]) -> str:
    commands_ = result["commands"]
    build = result["build"]
    assert isinstance(commands_, dict) and isinstance(build, dict)
    lines = [
        f"{build['users']} users x 12 months of {result['year']}: {build['sessions']} sessions, "
        f"{build['summary_files']} summary files ({build['summary_bytes'] / 1e6:.1f} MB); "
        f"built in {build['build_s']} s (per user: import {build['import_median_ms']} ms, "
        f"aggregate {build['aggregate_median_ms']} ms; commit {build['commit_ms']} ms)",
        f"{result['rounds']} rounds, wall time per process, Python {result['python']}",
        "",
        f"{'command':<44}{'median ms':>10}{'p90 ms':>9}{'min ms':>9}{'/watson':>9}  target",
    ]
    for name in ORDER:
        if name not in commands_:
            continue
        s = commands_[name]
        ratio = "" if s["ratio_to_watson"] is None else f"{s['ratio_to_watson']:.3f}"
        verdict = ""
        if "under_target" in s:
            verdict = "ok" if s["under_target"] else "OVER"
        lines.append(
            f"{name:<44}{s['median_ms']:>10.1f}{s['p90_ms']:>9.1f}{s['min_ms']:>9.1f}"
            f"{ratio:>9}  {verdict}"
        )
    lines.append(f"(target: each ffhooks report under {TARGET_MS:.0f} ms)")
    checks = result["check"]
    assert isinstance(checks, list)
    lines.append("check: report totals match the sessions" if not checks else "check: MISMATCH")
    lines += [f"  {c}" for c in checks]
    notes = result.get("notes")
    if isinstance(notes, list):
        lines.extend(f"note: {n}" for n in notes)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds (default 10)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--users", type=int, default=50, help="developers (default 50)")
    parser.add_argument(
        "--per-day", type=int, default=10, help="sessions per working day and user (default 10)"
    )
    parser.add_argument("--year", type=int, default=2025, help="the year tracked (default 2025)")
    parser.add_argument("--seed", type=int, default=1, help="for the generated sessions")
    parser.add_argument("--no-others", action="store_true", help="do not time Watson or timew")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0 or args.users < 1 or not 1 <= args.per_day <= 14:
        parser.error("need --rounds >= 1, --warmup >= 0, --users >= 1, 1 <= --per-day <= 14")

    with temp_root("ffhooks-bench-report-", keep=args.keep) as root:
        try:
            env, sessions = set_up(
                root,
                users=args.users,
                per_day=args.per_day,
                year=args.year,
                seed=args.seed,
                want_others=not args.no_others,
                log=not args.json,
            )
            problems = check(env, sessions)
            samples = sample_rounds(
                lambda n: one_round(env, n),
                rounds=args.rounds,
                warmup=args.warmup,
                say=stderr_logger(not args.json),
            )
            result = summarize(samples)
            result.update(
                rounds=args.rounds,
                warmup=args.warmup,
                year=args.year,
                python=sys.version.split()[0],
                executables={
                    "ffhooks": str(env.ffhooks),
                    "watson": str(env.watson) if env.watson else None,
                    "timew": str(env.timew) if env.timew else None,
                },
                build=env.build,
                target_ms=TARGET_MS,
                check=problems,
                notes=env.notes,
            )
            if args.json:
                print(json.dumps(result, indent=2))
            else:
                print(render(result))
        except BenchError as exc:
            print(f"report bench: {exc}", file=sys.stderr)
            return 1
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
