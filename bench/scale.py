"""What `report`, `verify` and `close` cost as a team and its history grow, against the floor.

For each size (`--sizes`, users x months, default the four of issue 27: 20x12, 100x24,
250x60, 500x60), builds in a temporary directory a repository after `ffhooks init --no-hook`
holding one committed summary per user and month (10 sessions of 40 minutes every working
day, 3 in 4 billable, over five tasks, in UTC, per-day per-task detail), the months ending
with 2026-11, then a second commit in which every user's last month is written again (the
next seq, ten more minutes): a day of the team's work. Then times each command as a fresh
process:

- `floor`: `git ls-tree -r HEAD` of the summaries and `git cat-file --batch` of every one:
  reading the data, nothing else;
- `python -c pass`: the interpreter's start;
- `report` of one month (2026-11), of one year, of the whole history (work tree), the whole
  history `--ref HEAD`, grouped by week (every month counted by day), `verify` (of HEAD),
  `verify --since HEAD~1` (the second commit), and `close 2026-10` (its tag deleted after
  each run);

each twice: `cold`, without the clone's digest cache (`.git/ffhooks/digests/`, deleted
first: a fresh clone, or CI without a cache), then `warm`, with what the cold run left.
Printed per size: each command's median wall time, its ratio to the floor, the ratio of the
time past the interpreter's start to the floor, and its peak memory (the child's maximum
resident set, from `wait4`).

The summaries are written directly by this script, not through `ffhooks import` and
`ffhooks aggregate` per user (which would take hours at the largest size): each is built with
ffhooks' own functions (`summary.totals` over the sessions, `summary.build`, `summary.dumps`),
as the fold builds them. `--check` builds the smallest size both ways, the same sessions
imported and aggregated by the real commands in a second repository, and stops unless the two
give the same report to the second; it also checks every size's whole-history report against
the generated sessions.

    python3 bench/scale.py --sizes 20x12 100x24 --check
    python3 bench/scale.py --rounds 3 --json

Run from the project root with an interpreter that has ffhooks installed; its `ffhooks` is
the one timed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _common import BenchError, iso, run, scripts_environ, stderr_logger, temp_root

from ffhooks import summary
from ffhooks.clock import month_days

SIZES = ("20x12", "100x24", "250x60", "500x60")
LAST_MONTH = "2026-11"
NOW = "2026-12-02T12:00:00Z"
TASKS = ("205", "206", "311", "412", "ops")
PER_DAY = 10
UTC = ZoneInfo("UTC")
DETAIL = {"per_task": True, "period": "day"}


def months_back(count: int, last: str = LAST_MONTH) -> list[str]:
    year, month = map(int, last.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def sessions(month: str) -> Iterator[tuple[str, datetime, datetime, bool]]:
    """(task, start, end, billable) of every session of a month: the same for every user."""
    first, last = month_days(month)
    day, count = first, 0
    while day <= last:
        if day.weekday() < 5:
            base = datetime(day.year, day.month, day.day, 7, tzinfo=timezone.utc)
            for i in range(PER_DAY):
                start = base + timedelta(minutes=45 * i)
                yield (
                    TASKS[(count + i) % len(TASKS)],
                    start,
                    start + timedelta(minutes=40),
                    i % 4 != 3,
                )
            count += PER_DAY
        day += timedelta(days=1)


def month_totals(month: str) -> dict[str, dict[str, dict[str, int]]]:
    intervals = [
        summary.Interval(task=task, start=start, end=end, billable=billable)
        for task, start, end, billable in sessions(month)
    ]
    return summary.totals(intervals, month, UTC, per_task=True, by_day=True)


def store_id(user: str) -> str:
    return summary.sha256_hex(user.encode())[:16]


def write_summaries(repo: Path, users: int, months: list[str], project: str) -> int:
    """One summary per user and month, as the fold writes it; returns how many."""
    for seq, month in enumerate(months, start=1):  # a store's seqs rise across its months
        periods = month_totals(month)  # the same sessions for everyone: computed once
        for n in range(users):
            write_summary(repo, f"dev{n:03d}", month, seq, periods, project)
    return users * len(months)


def write_summary(
    repo: Path, user: str, month: str, seq: int, periods: dict[str, Any], project: str
) -> None:
    doc = summary.build(
        user=user,
        store=store_id(user),
        month=month,
        timezone="UTC",
        seq=seq,
        detail=DETAIL,
        periods=periods,
        project=project,
    )
    path = repo / summary.SUMMARIES / user / month / f"{store_id(user)}-{seq}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(summary.dumps(doc))


def expected(users: int, months: list[str]) -> dict[str, int]:
    """The whole history's totals, from the sessions themselves (not from the summaries)."""
    billable = non_billable = count = 0
    for month in months:
        for _, start, end, paid in sessions(month):
            seconds = int((end - start).total_seconds())
            billable += seconds if paid else 0
            non_billable += 0 if paid else seconds
            count += 1
    return {
        "billable_seconds": billable * users,
        "non_billable_seconds": non_billable * users,
        "sessions": count * users,
    }


def build(root: Path, users: int, months: list[str], env: Mapping[str, str]) -> tuple[Path, int]:
    repo = root / f"team-{users}x{len(months)}"
    repo.mkdir()
    run(["git", "init", "-q", "-b", "main"], cwd=repo, env=env)
    run(["ffhooks", "init", "--no-hook"], cwd=repo, env=env)
    config = json.loads((repo / ".flowforge/team/config.json").read_text())
    files = write_summaries(repo, users, months, config["project"])
    run(["git", "add", "-A"], cwd=repo, env=env)
    run(["git", "commit", "-q", "--no-verify", "-m", "team history"], cwd=repo, env=env)
    return repo, files


def build_with_commands(root: Path, users: int, months: list[str], env: Mapping[str, str]) -> Path:
    """The same sessions, imported and aggregated by ffhooks' own commands."""
    repo = root / "by-commands"
    repo.mkdir()
    run(["git", "init", "-q", "-b", "main"], cwd=repo, env=env)
    run(["ffhooks", "init", "--no-hook"], cwd=repo, env=env)
    jsonl = root / "sessions.jsonl"
    with open(jsonl, "w", encoding="utf-8") as handle:
        for month in months:
            for task, start, end, billable in sessions(month):
                line = {"task": task, "start": iso(start), "end": iso(end), "billable": billable}
                handle.write(json.dumps(line) + "\n")
    for n in range(users):
        user = {**env, "FFHOOKS_USER": f"dev{n:03d}"}
        run(["ffhooks", "import", jsonl], cwd=repo, env=user)
        run(["ffhooks", "aggregate"], cwd=repo, env=user)
    run(["git", "add", "-A"], cwd=repo, env=env)
    run(["git", "commit", "-q", "--no-verify", "-m", "team history"], cwd=repo, env=env)
    return repo


def report_json(repo: Path, env: Mapping[str, str], *args: str) -> dict[str, object]:
    proc = run(["ffhooks", "report", "--format", "json", *args], cwd=repo, env=env)
    doc: dict[str, object] = json.loads(proc.stdout)
    return doc


# Run by a fresh interpreter: forks and executes the command, then writes its wall time and
# peak resident set (from `wait4`) into the file named first. Not forked from this script,
# whose own memory (the summaries it built) a forked child's peak would start from.
PEAK = """\
import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as handle:
    handle.write(f"{time.perf_counter() - t0} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measured(cmd: Sequence[str], cwd: Path, env: Mapping[str, str]) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of one process, its output in a file beside `cwd`;
    a failure raises BenchError."""
    said, figures = cwd.parent / "output.txt", cwd.parent / "peak.txt"
    with open(said, "wb") as out:
        code = subprocess.run(
            [sys.executable, "-c", PEAK, str(figures), *cmd],
            cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT,
        ).returncode  # fmt: skip
    if code != 0:
        tail = said.read_text(errors="replace").strip().splitlines()[-3:]
        raise BenchError(f"{' '.join(cmd)} failed (exit {code}): {tail}")
    seconds, peak_kb = figures.read_text().split()
    return float(seconds), int(peak_kb) / 1024


def floor(repo: Path, env: Mapping[str, str]) -> float:
    """Seconds to list the summaries and read every one from git, and nothing else."""
    t0 = time.perf_counter()
    listed = run(["git", "ls-tree", "-r", "HEAD", "--", summary.SUMMARIES], cwd=repo, env=env)
    names = "".join(f"{line.split()[2]}\n" for line in listed.stdout.splitlines())
    subprocess.run(
        ["git", "cat-file", "--batch"], cwd=repo, env=dict(env), input=names.encode(),
        capture_output=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - t0


def commands(months: list[str]) -> dict[str, list[str]]:
    year = months[-12] if len(months) >= 12 else months[0]
    end = f"{LAST_MONTH}-30"
    return {
        "report, one month": ["ffhooks", "report", "--from", f"{LAST_MONTH}-01", "--to", end],
        "report, one year": ["ffhooks", "report", "--from", f"{year}-01", "--to", end],
        "report, whole history": ["ffhooks", "report"],
        "report --ref HEAD": ["ffhooks", "report", "--ref", "HEAD"],
        "report --by user,week": ["ffhooks", "report", "--by", "user,week"],
        "verify": ["ffhooks", "verify"],
        "verify --since HEAD~1": ["ffhooks", "verify", "--since", "HEAD~1"],
        "close 2026-10": ["ffhooks", "close", "2026-10", "-m", "bench"],
    }  # fmt: skip


def one_more_commit(repo: Path, users: int, months: list[str], env: Mapping[str, str]) -> None:
    """A second commit, as a day of work leaves it: every user's last month written again
    (the next seq, ten more minutes on its last day), so that `verify --since HEAD~1` has
    that much to read."""
    project = json.loads((repo / ".flowforge/team/config.json").read_text())["project"]
    periods = month_totals(LAST_MONTH)
    day = max(periods)
    cell = periods[day][TASKS[0]]
    periods[day][TASKS[0]] = {**cell, "billable_seconds": cell["billable_seconds"] + 600}
    for n in range(users):
        write_summary(repo, f"dev{n:03d}", LAST_MONTH, len(months) + 1, periods, project)
    run(["git", "add", "-A"], cwd=repo, env=env)
    run(["git", "commit", "-q", "--no-verify", "-m", "a day's work"], cwd=repo, env=env)


def one_size(
    root: Path, spec: str, rounds: int, env: Mapping[str, str], log: Callable[[str], None]
) -> dict[str, object]:
    users, count = (int(x) for x in spec.split("x"))
    months = months_back(count)
    log(f"{spec}: writing {users * count} summaries")
    repo, files = build(root, users, months, env)
    whole = report_json(repo, env)["totals"]
    want = expected(users, months)
    if any(whole[k] != v for k, v in want.items()):  # type: ignore[index]
        raise BenchError(f"{spec}: the report totals {whole}, the sessions hold {want}")
    one_more_commit(repo, users, months, env)
    cache = repo / ".git/ffhooks/digests"
    figures: dict[str, list[tuple[float, float]]] = {}
    floors, starts = [], []
    for round_no in range(rounds):
        log(f"{spec}: round {round_no + 1}/{rounds}")
        floors.append(floor(repo, env))
        starts.append(measured([sys.executable, "-c", "pass"], repo, env)[0])
        for name, cmd in commands(months).items():
            for state in ("cold", "warm"):  # without the digest cache, then with what it left
                if state == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                figures.setdefault(f"{name} ({state})", []).append(measured(cmd, repo, env))
                if name.startswith("close"):
                    run(["git", "tag", "-d", "ffhooks/closed/2026-10"], cwd=repo, env=env)
    base, start = statistics.median(floors), statistics.median(starts)
    rows = {
        name: {
            "seconds": round(statistics.median(t for t, _ in got), 3),
            "x_floor": round(statistics.median(t for t, _ in got) / base, 1),
            "x_floor_start": round((statistics.median(t for t, _ in got) - start) / base, 1),
            "peak_mb": round(max(m for _, m in got), 1),
        }
        for name, got in figures.items()
    }
    return {
        "size": spec,
        "files": files,
        "floor_seconds": round(base, 3),
        "start_seconds": round(start, 3),
        "commands": rows,
    }


def check_generator(root: Path, env: Mapping[str, str], spec: str) -> None:
    """Stop unless the generated summaries report as the real commands' do."""
    users, count = (int(x) for x in spec.split("x"))
    months = months_back(count)
    check = root / "check"
    check.mkdir()
    generated, _ = build(check, users, months, env)
    by_commands = build_with_commands(check, users, months, env)
    for args in ([], ["--by", "user,month"], ["--by", "task,day"]):
        a, b = report_json(generated, env, *args), report_json(by_commands, env, *args)
        if a != b:
            raise BenchError(f"{spec} generated and built by the commands differ ({args})")


def render(results: list[dict[str, object]]) -> str:
    lines = []
    for result in results:
        lines.append(
            f"{result['size']} ({result['files']} summaries): floor {result['floor_seconds']} s, "
            f"python -c pass {result['start_seconds']} s"
        )
        lines.append(f"  {'command':<32}{'seconds':>9}{'x floor':>9}{'x floor':>10}{'peak MB':>9}")
        lines.append(f"  {'':<32}{'':>9}{'':>9}{'past start':>10}")
        for name, row in result["commands"].items():  # type: ignore[attr-defined]
            lines.append(
                f"  {name:<32}{row['seconds']:>9.3f}{row['x_floor']:>9.1f}"
                f"{row['x_floor_start']:>10.1f}{row['peak_mb']:>9.1f}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), help="USERSxMONTHS each")
    parser.add_argument("--rounds", type=int, default=1, help="timed rounds per size (1)")
    parser.add_argument("--check", action="store_true", help="check the generator first")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    say = stderr_logger(True)
    try:
        with temp_root("ffhooks-scale-", keep=args.keep) as root:
            env = scripts_environ(root / "home", user="dev000", now=NOW, tools=["ffhooks"])
            (root / "home").mkdir()
            if args.check:
                say(f"checking the generator against the commands at {args.sizes[0]}")
                check_generator(root, env, args.sizes[0])
            results = [one_size(root, spec, args.rounds, env, say) for spec in args.sizes]
    except BenchError as exc:
        print(f"scale: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(results, indent=2) if args.json else render(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
