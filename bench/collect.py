"""What `ffhooks collect` and `ffhooks report --dataset` cost as an organisation grows: the
cost per repository and per summary, and how it grows with the number of repositories.

Builds one team's repository as bench/scale.py builds it (`--users` users x `--months`
months, one committed summary per user and month: 10 sessions a working day over five
tasks, per-day per-task detail), priced (a default rate of 95.50 EUR and one of 133.33 for
task 311), then as many bare copies of it as the largest size names (`git clone --bare
--local`: hard links, a server's mirrors). For each size (`--repos`, default 5 20 50), over
a list file naming that many:

- `collect`: a new dataset, every repository read cold (its digest cache deleted first);
- `again`: the same command once more, nothing moved (every repository skipped);
- `moved`: again after one repository got a new commit (that one is read again);
- `report`: `report --dataset` by repo, by user and month, by day rounded to 15 minutes
  (every row), with DuckDB; and by repo in Python (DuckDB blocked: the JSON-lines copy);

each a fresh process, timed once (`--rounds` for more: the median). Checks that every
report's totals equal the number of repositories times one repository's own report, to the
second and to the cent. Prints per size the times, the cost per repository and per summary,
the dataset's sizes on disk, and a projection to `--project` repositories (default 500) in
proportion to the largest size.

    python3 bench/collect.py --repos 5 20 50
    python3 bench/collect.py --repos 10 40 --users 20 --months 24 --json

Run from the project root with an interpreter that has ffhooks and duckdb installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from _common import BenchError, run, scripts_environ, stderr_logger, temp_root
from scale import NOW, build, months_back

RATES = {"default": 95.5, "tasks": {"311": 133.33}}
# `ffhooks` in a process where DuckDB cannot be imported: as without the `dataset` extra
NO_DUCKDB = (
    "import sys; sys.modules['duckdb'] = None; from ffhooks.main import main; "
    "sys.exit(main(sys.argv[1:]))"
)
REPORTS = {
    "by repo": ["--by", "repo"],
    "by user,month": ["--by", "user,month"],
    "by day, round 15": ["--by", "day", "--round", "15"],
}


def template(root: Path, users: int, months: int, env: Mapping[str, str]) -> Path:
    """One team's repository, priced, committed."""
    repo, _ = build(root, users, months_back(months), env)
    config = repo / ".flowforge/team/config.json"
    settings = {**json.loads(config.read_text()), "rates": RATES, "currency": "EUR"}
    config.write_text(json.dumps(settings))
    run(["git", "commit", "-qam", "rates", "--no-verify"], cwd=repo, env=env)
    return repo


def copies(root: Path, origin: Path, count: int, env: Mapping[str, str]) -> list[Path]:
    found = []
    for n in range(count):
        bare = root / "mirrors" / f"team{n:04d}.git"
        run(["git", "clone", "-q", "--bare", "--local", origin, bare], cwd=root, env=env)
        found.append(bare)
    return found


def timed(cmd: Sequence[str], cwd: Path, env: Mapping[str, str], rounds: int) -> float:
    """The median wall seconds of `rounds` runs of `cmd` (a failure raises BenchError)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run(cmd, cwd=cwd, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(cwd: Path, env: Mapping[str, str], *args: str) -> dict[str, Any]:
    proc = run(["ffhooks", "report", "--format", "json", *args], cwd=cwd, env=env)
    found: dict[str, Any] = json.loads(proc.stdout)
    return found


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def one_size(
    root: Path, mirrors: list[Path], own: dict[str, Any], env: Mapping[str, str], rounds: int
) -> dict[str, Any]:
    """Every measure of one size: `mirrors` collected into a dataset, then reported."""
    n = len(mirrors)
    listed = root / f"repos-{n}.txt"
    listed.write_text("".join(f"{m}\n" for m in mirrors))
    data = root / f"data-{n}"
    for m in mirrors:  # cold: as the first collection of a server's mirrors
        shutil.rmtree(m / "ffhooks", ignore_errors=True)
    out: dict[str, Any] = {"repos": n}
    start = time.perf_counter()
    run(["ffhooks", "collect", str(listed), "-o", str(data)], cwd=root, env=env)
    out["collect"] = time.perf_counter() - start
    collect = ["ffhooks", "collect", str(listed), "-o", str(data)]
    out["again"] = timed(collect, root, env, rounds)
    moved = mirrors[0]
    tree = run(["git", "rev-parse", "HEAD^{tree}"], cwd=moved, env=env).stdout.strip()
    commit = run(
        ["git", "commit-tree", tree, "-p", "HEAD", "-m", "moved"], cwd=moved, env=env
    ).stdout.strip()
    run(["git", "update-ref", "HEAD", commit], cwd=moved, env=env)
    out["moved"] = timed(collect, root, env, 1)
    for label, args in REPORTS.items():
        whole = report(root, env, "--dataset", str(data), *args)
        single = own[label]
        for measure in ("billable_seconds", "non_billable_seconds", "sessions", "amount_cents"):
            if whole["totals"][measure] != n * single["totals"][measure]:
                raise BenchError(f"{label}: {measure} is not {n} x one repository's")
        cmd = ["ffhooks", "report", "--dataset", str(data), *args]
        out[f"report {label}"] = timed(cmd, root, env, rounds)
    python = [sys.executable, "-c", NO_DUCKDB, "report", "--dataset", str(data), "--by", "repo"]
    out["report by repo, Python"] = timed(python, root, env, rounds)
    out["rows"] = sum(
        e["rows"] for e in json.loads((data / "manifest.json").read_text())["repos"].values()
    )
    out["parquet MB"] = folder_mb(data / "parquet")
    out["jsonl MB"] = folder_mb(data / "jsonl")
    return out


def render(results: list[dict[str, Any]], summaries: int, project: int) -> str:
    """The table, the costs per repository and summary, and the projection."""
    keys = [k for k in results[0] if k not in ("repos",)]
    lines = [f"{'repositories':<26}" + "".join(f"{r['repos']:>12}" for r in results)]
    for key in keys:
        unit = "" if key in ("rows",) or key.endswith("MB") else " s"
        cells = "".join(f"{r[key]:>12,}" if key == "rows" else f"{r[key]:>12.2f}" for r in results)
        lines.append(f"{key + unit:<26}{cells}")
    lines.append("")
    for r in results:
        per_repo = r["collect"] / r["repos"]
        lines.append(
            f"{r['repos']:>5} repositories: collect {per_repo * 1000:.0f} ms per repository, "
            f"{per_repo / summaries * 1000:.2f} ms per summary ({summaries} a repository)"
        )
    last = results[-1]
    lines.append(
        f"projected to {project} repositories, in proportion to the largest size (each "
        "figure grows with the rows, or with the repositories: fixed costs are over-counted):"
    )
    for key in keys:
        value = last[key] * project / last["repos"]
        shown = f"{value:,.0f}" if key == "rows" else f"{value:.1f}"
        unit = "" if key == "rows" or key.endswith("MB") else " s"
        lines.append(f"  {key:<26}{shown}{unit}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, nargs="+", default=[5, 20, 50])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--project", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    say = stderr_logger(not args.quiet)
    with temp_root("ffhooks-collect-", keep=args.keep) as root:
        home = root / "home"
        home.mkdir()
        # PYTHONPATH kept: the ffhooks timed is the one this interpreter imports
        path = {k: v for k, v in os.environ.items() if k == "PYTHONPATH"}
        env = scripts_environ(home, user="dev000", now=NOW, tools=("ffhooks", "git"), **path)
        say(f"building one repository of {args.users} users x {args.months} months")
        origin = template(root, args.users, args.months, env)
        own = {  # one repository's own report: --by repo is the dataset's only
            label: report(origin, env, "--ref", "HEAD", *(a if "repo" not in a else []))
            for label, a in REPORTS.items()
        }
        say(f"copying it {max(args.repos)} times")
        mirrors = copies(root, origin, max(args.repos), env)
        results = []
        for n in sorted(args.repos):
            say(f"{n} repositories")
            results.append(one_size(root, mirrors[:n], own, env, args.rounds))
        summaries = args.users * args.months
        if args.json:
            print(json.dumps({"summaries_per_repo": summaries, "results": results}, indent=2))
        else:
            print(render(results, summaries, args.project))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench/collect.py: {exc}", file=sys.stderr)
        sys.exit(1)
