"""Whether `ffhooks aggregate` scales with what changed, not with the size of the store.

Builds repositories in a temporary directory with the real commands (`ffhooks init`,
`ffhooks import`, `ffhooks aggregate`, all committed). Sessions are 20 minutes long, 20 a day
(every 25 minutes from 06:00 UTC), on consecutive days up to 2026-11-25, so every store has
the same latest month and a bigger store only reaches further back: 500 sessions are 25 days,
50,000 are about 7 years, 100,000 about 14.

1. Incremental: a store of 500 sessions and one of 50,000. Each round adds one session to
   each (untimed, on 2026-11-26, so exactly one month changes), then times one
   `ffhooks aggregate` process in each, alternating; the medians' ratio should be at most 1.3.
2. Rebuild: `ffhooks aggregate --all` on a store of 100,000 sessions, first with no summaries
   yet (every month written), then again with nothing changed; target under 3 s.

    python3 bench/aggregate_scale.py --rounds 21
    python3 bench/aggregate_scale.py --json --small 500 --large 50000 --all-size 100000

The interpreter running this script must have ffhooks installed; its scripts folder goes
first on PATH, and `PYTHON*` variables of the calling shell are dropped (see
bench/commit_overhead.py for why).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from _common import (
    BenchError,
    iso,
    run,
    sample_rounds,
    scripts_environ,
    stats,
    stderr_logger,
    table_header,
    table_row,
    temp_root,
    timed,
)

NOW = datetime(2026, 11, 27, 0, 0, 0, tzinfo=timezone.utc)
LAST_DAY = date(2026, 11, 25)  # the stores' sessions end here
SESSION = timedelta(minutes=20)
SLOT = timedelta(minutes=25)
DAY_START = timedelta(hours=6)
ROUND_BASE = datetime(2026, 11, 26, 6, 0, 0, tzinfo=timezone.utc)  # one new session a round
ROUND_STEP = timedelta(minutes=2)
MAX_ROUNDS = 500  # ROUND_BASE + MAX_ROUNDS * ROUND_STEP stays before NOW
USER = "dev"
SUMMARIES = ".flowforge/team/summaries"
TASKS = ("205", "206", "311", "412", "517", "ops", "review")

TARGET_RATIO = 1.3
TARGET_ALL_S = 3.0

SMALL = "small"
LARGE = "large"


@dataclass
class Repo:
    path: Path
    sessions: int
    days: int

    @property
    def latest_month(self) -> Path:
        return self.path / SUMMARIES / USER / f"{NOW:%Y-%m}"


def _timed(cmd: Sequence[str | Path], *, cwd: Path, env: Mapping[str, str]) -> float:
    """Wall time of one process, in ms."""
    return timed(cmd, cwd=cwd, env=env, what=" ".join(str(c) for c in cmd[:2]))


def clean_environ(home: Path) -> dict[str, str]:
    return scripts_environ(home, user=USER, now=iso(NOW), tools=("ffhooks", "python3", "git"))


def write_sessions(path: Path, count: int, per_day: int) -> int:
    """`count` sessions for `import`, `per_day` a day on consecutive days up to LAST_DAY;
    returns the number of days."""
    days = -(-count // per_day)
    first = LAST_DAY - timedelta(days=days - 1)
    written = 0
    with open(path, "w", encoding="utf-8") as handle:
        for d in range(days):
            day = first + timedelta(days=d)
            base = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + DAY_START
            for i in range(min(per_day, count - written)):
                start = base + i * SLOT
                line = {
                    "task": TASKS[(d + i) % len(TASKS)],
                    "start": iso(start),
                    "end": iso(start + SESSION),
                    "billable": i % 5 != 4,
                }
                handle.write(json.dumps(line) + "\n")
                written += 1
    return days


def make_repo(
    root: Path, name: str, sessions: int, per_day: int, env: Mapping[str, str], *, summarise: bool
) -> Repo:
    """A committed repository whose user has `sessions` sessions (summarised if asked)."""
    path = root / name
    path.mkdir()
    run(["git", "init", "-q", "-b", "main"], cwd=path, env=env)
    run(["ffhooks", "init", "--no-hook"], cwd=path, env=env)
    jsonl = root / f"{name}.jsonl"
    days = write_sessions(jsonl, sessions, per_day)
    run(["ffhooks", "import", jsonl], cwd=path, env=env)
    jsonl.unlink()
    if summarise:
        run(["ffhooks", "aggregate"], cwd=path, env=env)
    run(["git", "add", "-A"], cwd=path, env=env)
    run(["git", "commit", "-q", "--no-verify", "-m", f"{sessions} sessions"], cwd=path, env=env)
    return Repo(path, sessions, days)


def _names(folder: Path) -> set[str]:
    try:
        return set(os.listdir(folder))
    except FileNotFoundError:
        return set()


def incremental_round(repo: Repo, env: Mapping[str, str], round_no: int) -> float:
    """Add one session (untimed), then time `ffhooks aggregate`; it must write one summary."""
    start = iso(ROUND_BASE + round_no * ROUND_STEP)
    run(["ffhooks", "add", "205", "1m", "--start", start], cwd=repo.path, env=env)
    before = _names(repo.latest_month)
    ms = _timed(["ffhooks", "aggregate"], cwd=repo.path, env=env)
    if len(_names(repo.latest_month) - before) != 1:
        raise BenchError(f"`ffhooks aggregate` in {repo.path.name} did not write one summary")
    return ms


def python_startup(env: Mapping[str, str], cwd: Path) -> float:
    return _timed(["python3", "-c", "pass"], cwd=cwd, env=env)


def render(result: Mapping[str, object]) -> str:
    inc = result["incremental"]
    rebuild = result["rebuild"]
    assert isinstance(inc, dict) and isinstance(rebuild, dict)
    lines = [
        f"incremental `ffhooks aggregate` after one new session, {inc['rounds']} rounds "
        "(wall time per process)",
        table_header("store", 28),
    ]
    for key in (SMALL, LARGE):
        s = inc[key]
        label = f"{s['sessions']:,} sessions ({s['days']:,} days)"
        lines.append(table_row(label, s, 28))
    py = inc["python_startup"]
    lines.append(f"{'python3 -c pass':<28}{py['median_ms']:>11.1f}{py['p90_ms']:>10.1f}")
    ratio = inc["ratio"]
    verdict = "ok" if ratio <= TARGET_RATIO else "OVER TARGET"
    lines.append(
        f"ratio large/small (medians): {ratio:.2f}  (target <= {TARGET_RATIO}: {verdict}); "
        f"above python startup: {inc['ratio_above_python']:.2f}"
    )
    if not rebuild:
        return "\n".join(lines)
    lines.append("")
    first = rebuild["first_s"]
    verdict = "ok" if first < TARGET_ALL_S else "OVER TARGET"
    lines.append(
        f"`ffhooks aggregate --all`, {rebuild['sessions']:,} sessions ({rebuild['days']:,} "
        f"days, {rebuild['months']} months):"
    )
    lines.append(
        f"  no summaries yet (writes all): {first:.2f} s  (target < {TARGET_ALL_S:.0f} s: "
        f"{verdict})"
    )
    again = rebuild["again_s"]
    if again:
        lines.append(
            f"  again, nothing changed:        median {statistics.median(again):.2f} s "
            f"of {len(again)} ({', '.join(f'{s:.2f}' for s in again)})"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=21, help="timed rounds (default 21)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--small", type=int, default=500, help="small store (default 500)")
    parser.add_argument("--large", type=int, default=50_000, help="large store (default 50000)")
    parser.add_argument(
        "--all-size", type=int, default=100_000, help="store for --all (default 100000; 0 skips)"
    )
    parser.add_argument(
        "--all-runs", type=int, default=3, help="timed --all runs with nothing changed (3)"
    )
    parser.add_argument("--per-day", type=int, default=20, help="sessions a day (default 20)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0 or args.warmup + args.rounds > MAX_ROUNDS:
        parser.error(f"need --rounds >= 1, --warmup >= 0 and at most {MAX_ROUNDS} in all")
    if not 1 <= args.per_day <= 25:
        parser.error("--per-day must be 1 to 25 (25-minute slots from 06:00)")
    if min(args.small, args.large) < 1 or args.all_size < 0 or args.all_runs < 0:
        parser.error("store sizes must be positive (--all-size 0 skips the rebuild)")

    say = stderr_logger(not args.json)

    with temp_root("ffhooks-aggscale-", keep=args.keep) as root:
        try:
            home = root / "home"
            home.mkdir()
            env = clean_environ(home)
            repos: dict[str, Repo] = {}
            for key, size in ((SMALL, args.small), (LARGE, args.large)):
                say(f"{key} store: importing and aggregating {size:,} sessions")
                repos[key] = make_repo(root, key, size, args.per_day, env, summarise=True)

            def one_round(round_no: int) -> dict[str, float]:
                order = (SMALL, LARGE) if round_no % 2 == 0 else (LARGE, SMALL)
                timings = {key: incremental_round(repos[key], env, round_no) for key in order}
                timings["python"] = python_startup(env, root)
                return timings

            samples = sample_rounds(one_round, rounds=args.rounds, warmup=args.warmup)
            med = {key: statistics.median(values) for key, values in samples.items()}
            incremental: dict[str, object] = {
                key: {
                    **stats(samples[key]),
                    "sessions": repos[key].sessions,
                    "days": repos[key].days,
                }
                for key in (SMALL, LARGE)
            }
            incremental.update(
                rounds=args.rounds,
                warmup=args.warmup,
                python_startup=stats(samples["python"]),
                ratio=round(med[LARGE] / med[SMALL], 3),
                ratio_above_python=round(
                    (med[LARGE] - med["python"]) / max(med[SMALL] - med["python"], 0.001), 3
                ),
                target_ratio=TARGET_RATIO,
            )
            rebuild: dict[str, object] = {}
            if args.all_size:
                say(f"rebuild: importing {args.all_size:,} sessions (not summarised)")
                big = make_repo(root, "all", args.all_size, args.per_day, env, summarise=False)
                first = _timed(["ffhooks", "aggregate", "--all"], cwd=big.path, env=env) / 1000.0
                months = len(_names(big.path / SUMMARIES / USER))
                again = [
                    _timed(["ffhooks", "aggregate", "--all"], cwd=big.path, env=env) / 1000.0
                    for _ in range(args.all_runs)
                ]
                rebuild = {
                    "sessions": big.sessions,
                    "days": big.days,
                    "months": months,
                    "first_s": round(first, 3),
                    "again_s": [round(s, 3) for s in again],
                    "target_s": TARGET_ALL_S,
                }
            result = {
                "incremental": incremental,
                "rebuild": rebuild,
                "python": sys.version.split()[0],
            }
            if args.json:
                print(json.dumps(result, indent=2))
            else:
                print(render(result))
        except BenchError as exc:
            print(f"aggregate_scale: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
