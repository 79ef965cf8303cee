"""Wall-clock time of `ffhooks audit` over a year of a team's history, next to `git log --raw`.

Builds, in a temporary directory, a git repository (with `git fast-import`, real git objects)
holding a year of `--users` developers' summaries as the commit hook writes them: each of a
developer's `--commits` commits a working day adds one summary file, the complete state of
their store's month at a seq one higher, on a branch of their own that is merged into main
with a merge commit at the end of the day (a pull request a day); and at the end of each
month one commit deletes the superseded files (`ffhooks compact`). Then times, as fresh
processes in alternating rounds:

    python3 bench/audit.py                     # 20 users, 5 commits a working day, 5 rounds
    python3 bench/audit.py --users 5 --rounds 3 --json

- `git log --first-parent --raw -- .flowforge/team/summaries`, the history the audit reads
  (the baseline: the least any audit trail from git history costs);
- `ffhooks audit --format json` (the whole year: every change read, checked and compared),
  `ffhooks audit --from <Dec 1>` (a month) and `ffhooks audit --user dev01`;
- `ffhooks report --ref HEAD`, for scale.

ffhooks runs as `python -m ffhooks` from this checkout (PYTHONPATH), by the running interpreter.

Before timing, the audit's totals are checked against the report at HEAD (the whole year:
the record starts empty); a mismatch makes the exit status 1.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from _common import (
    GIT_IDENTITY,
    BenchError,
    child_environ,
    run,
    sample_rounds,
    stats,
    stderr_logger,
    temp_root,
    timed,
)

from ffhooks.summary import build

SUMMARIES = ".flowforge/team/summaries"
TASKS = [str(n) for n in range(100, 140)]


def _stamp(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def _blob(data: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(data), data)


def history(users: int, commits: int, year: int, seed: int) -> tuple[bytes, int, int]:
    """A `git fast-import` stream of the year, the number of summary files it adds, and the
    billable seconds live at its end."""
    rng = random.Random(seed)
    out: list[bytes] = []
    mark = 0
    clock = _stamp(date(year, 1, 1))
    names = [f"dev{n:02d}" for n in range(1, users + 1)]
    stores = {u: f"{rng.getrandbits(64):016x}" for u in names}
    seqs = dict.fromkeys(names, 0)
    months: dict[tuple[str, str], dict[str, dict[str, dict[str, int]]]] = {}
    live: dict[tuple[str, str], str] = {}
    paths_of_month: dict[tuple[str, str], list[str]] = {}
    added = 0

    def commit(ref: str, message: str, body: list[bytes], parents: list[str]) -> str:
        nonlocal mark, clock
        mark += 1
        clock += 60
        ident = f"{GIT_IDENTITY['GIT_AUTHOR_NAME']} <{GIT_IDENTITY['GIT_AUTHOR_EMAIL']}>"
        out.append(f"commit {ref}\nmark :{mark}\n".encode())
        out.append(f"author {ident} {clock} +0000\ncommitter {ident} {clock} +0000\n".encode())
        out.append(_blob(message.encode()))
        if parents:
            out.append(f"from {parents[0]}\n".encode())
        out.extend(f"merge {p}\n".encode() for p in parents[1:])
        out.extend(body)
        return f":{mark}"

    main = commit("refs/heads/main", "start", [b"M 100644 inline README\n", _blob(b"team\n")], [])
    day = date(year, 1, 1)
    while day.year == year:
        if day.weekday() < 5:
            clock = max(clock, _stamp(day) + 8 * 3600)
            month = day.strftime("%Y-%m")
            for user in names:
                tip, day_files = main, []
                for _ in range(commits):
                    cells = months.setdefault((user, month), {})
                    task = rng.choice(TASKS[:12]) if rng.random() < 0.8 else rng.choice(TASKS)
                    cell = cells.setdefault(day.isoformat(), {}).setdefault(
                        task, {"billable_seconds": 0, "non_billable_seconds": 0, "sessions": 0}
                    )
                    paid = rng.random() >= 0.1
                    cell["billable_seconds" if paid else "non_billable_seconds"] += (
                        rng.randint(15, 75) * 60
                    )
                    cell["sessions"] += 1
                    seqs[user] += 1
                    doc = build(
                        user=user,
                        store=stores[user],
                        month=month,
                        timezone="UTC",
                        seq=seqs[user],
                        detail={"period": "day", "per_task": True},
                        periods={p: dict(sorted(t.items())) for p, t in sorted(cells.items())},
                    )
                    path = f"{SUMMARIES}/{user}/{month}/{stores[user]}-{seqs[user]}.json"
                    data = json.dumps(doc, indent=2).encode() + b"\n"
                    live[(user, month)] = path
                    paths_of_month.setdefault((user, month), []).append(path)
                    added += 1
                    mark += 1
                    out.append(f"blob\nmark :{mark}\n".encode() + _blob(data))
                    line = f"M 100644 :{mark} {path}\n".encode()
                    day_files.append(line)
                    tip = commit(f"refs/heads/{user}", f"{user} time", [line], [tip])
                # fast-import takes a merge's tree from its first parent and the lines given
                main = commit("refs/heads/main", f"Merge {user}'s day", day_files, [main, tip])
        following = day + timedelta(days=1)
        if following.month != day.month or following.year != year:  # compaction
            dead = [
                p
                for key, paths in paths_of_month.items()
                for p in paths
                if p != live[key] and key[1] == day.strftime("%Y-%m")
            ]
            main = commit(
                "refs/heads/main",
                f"ffhooks compact: {len(dead)} superseded summaries deleted",
                [f"D {p}\n".encode() for p in dead],
                [main],
            )
        day = following
    billable = sum(
        c["billable_seconds"]
        for cells in months.values()
        for tasks in cells.values()
        for c in tasks.values()
    )
    return b"".join(out), added, billable


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--users", type=int, default=20, help="developers (default 20)")
    parser.add_argument("--commits", type=int, default=5, help="per user per working day (5)")
    parser.add_argument("--year", type=int, default=2025, help="the year (default 2025)")
    parser.add_argument("--seed", type=int, default=1, help="for the generated history")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    say = stderr_logger(not args.json)
    # this checkout's code, whatever the interpreter has installed
    ffhooks: list[str | Path] = [sys.executable, "-m", "ffhooks"]
    with temp_root("ffhooks-bench-audit-", keep=args.keep) as root:
        try:
            repo = root / "repo"
            repo.mkdir()
            home = root / "home"
            home.mkdir()
            env = child_environ(
                {"HOME": str(home), "TZ": "UTC", "GIT_CONFIG_NOSYSTEM": "1", **GIT_IDENTITY},
                drop=("FFHOOKS_USER", "GIT_DIR", "GIT_WORK_TREE"),
            )
            env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
            run(["git", "init", "-q", "-b", "main"], cwd=repo, env=env)
            say("generating the history")
            stream, files, billable = history(args.users, args.commits, args.year, args.seed)
            say(f"importing {files} summary files ({len(stream) / 1e6:.0f} MB of stream)")
            subprocess.run(
                ["git", "fast-import", "--quiet"], cwd=repo, env=env, input=stream, check=True
            )
            run(["git", "gc", "-q"], cwd=repo, env=env)
            commits = int(
                run(["git", "rev-list", "--count", "main"], cwd=repo, env=env).stdout.strip()
            )
            whole = json.loads(
                run(
                    [*ffhooks, "audit", "--format", "json", "--ref", "main"], cwd=repo, env=env
                ).stdout
            )
            report = json.loads(
                run(
                    [*ffhooks, "report", "--format", "json", "--ref", "main"], cwd=repo, env=env
                ).stdout
            )
            problems = [
                f"{key}: audit {whole['totals'][key]}, report {report['totals'][key]}"
                for key in report["totals"]
                if whole["totals"][key] != report["totals"][key]
            ]
            if report["totals"]["billable_seconds"] != billable:
                problems.append(f"report {report['totals']['billable_seconds']}, made {billable}")
            december = f"{args.year}-12-01"
            cmds: dict[str, list[str | Path]] = {
                "git log --first-parent --raw (baseline)": [
                    "git",
                    "log",
                    "--first-parent",
                    "--raw",
                    "--no-abbrev",
                    "main",
                    "--",
                    SUMMARIES,
                ],
                "ffhooks audit --format json": [*ffhooks, "audit", "--format", "json"],
                f"ffhooks audit --from {december}": [*ffhooks, "audit", "--from", december],
                "ffhooks audit --user dev01": [*ffhooks, "audit", "--user", "dev01"],
                "ffhooks report --ref HEAD": [*ffhooks, "report", "--ref", "HEAD"],
            }
            run(["git", "checkout", "-q", "main"], cwd=repo, env=env)

            def one_round(n: int) -> dict[str, float]:
                todo = list(cmds.items())
                todo = todo[n % len(todo) :] + todo[: n % len(todo)]
                return {name: timed(c, cwd=repo, env=env, what=name) for name, c in todo}

            samples = sample_rounds(one_round, rounds=args.rounds, warmup=1, say=say)
        except (BenchError, subprocess.CalledProcessError) as exc:
            print(f"audit bench: {exc}", file=sys.stderr)
            return 1
    base = statistics.median(samples["git log --first-parent --raw (baseline)"])
    result = {
        "users": args.users,
        "summary_files": files,
        "commits": commits,
        "changes": len(whole["changes"]),
        "rounds": args.rounds,
        "python": sys.version.split()[0],
        "commands": {
            name: {**stats(values), "ratio": round(statistics.median(values) / base, 2)}
            for name, values in samples.items()
        },
        "check": problems,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{args.users} users x a year: {commits} commits, {files} summary files added, "
            f"{len(whole['changes'])} changes; {args.rounds} rounds, Python {result['python']}"
        )
        print(f"{'command':<44}{'median ms':>10}{'p90 ms':>9}{'min ms':>9}{'/git log':>10}")
        for name, s in result["commands"].items():
            print(
                f"{name:<44}{s['median_ms']:>10.1f}{s['p90_ms']:>9.1f}{s['min_ms']:>9.1f}"
                f"{s['ratio']:>10.2f}"
            )
        print("check: audit totals match the report" if not problems else "check: MISMATCH")
        for p in problems:
            print(f"  {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
