"""What the ffhooks pre-commit hooks add to a `git commit`, next to a no-op hook.

Builds a team repository in a temporary directory with the real commands: the committer has
a year of sessions (10 per working day, about 2,500) and 50 teammates have 12 months of
summaries each, all committed. Three clones of it get `pre-commit install`:

- `ff`: the hooks `ffhooks init` writes (guard, aggregate, validate) and the committer's
  private store;
- `noop`: one `repo: local` hook, `python3 -c pass`, and the same store;
- `nostore`: the ffhooks hooks but no private store (a teammate who tracks nothing).

Each round commits, in a rotating order, one change to a tracked file in each variant:

- `ffhooks`: after `ffhooks add` of one new session, so the aggregate hook rebuilds one month;
- `ffhooks, store unchanged`: the same clone with no new session since the last commit;
- `ffhooks, no store`: the `nostore` clone;
- `ffhooks, signed`: the `signed` clone, where the team config says `"signatures":
  "required"` and git has an SSH signing key: as `ffhooks`, and the new summary is signed
  (`ssh-keygen -Y sign`) and its signature checked by the validate hook (`-Y verify`);
- `no-op hook`: the `noop` clone (with the same untimed `ffhooks add` first).

Only the `git commit` process is timed. Run from the project root:

    python3 bench/commit_overhead.py --rounds 15
    python3 bench/commit_overhead.py --json

The interpreter running this script must have ffhooks and pre-commit installed; its scripts
folder goes first on PATH so the hooks call `ffhooks` and `python3` directly, not through a
pyenv shim or another installation. `PYTHON*` variables of the calling shell are dropped
(`PYTHONDONTWRITEBYTECODE` would make every hook process compile ffhooks from source).
Targets: the ffhooks commit at most 100 ms slower than the no-op commit (median); goal 40 ms.
"""

from __future__ import annotations

import argparse
import json
import shutil
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
    scripts_environ,
    stats,
    stderr_logger,
    table_header,
    table_row,
    temp_root,
    timed,
)

FF = "ffhooks"
FF_UNCHANGED = "ffhooks, store unchanged"
FF_NOSTORE = "ffhooks, no store"
FF_SIGNED = "ffhooks, signed"
NOOP = "no-op hook"
ORDER = (FF, FF_UNCHANGED, FF_NOSTORE, FF_SIGNED, NOOP)
CLONES = {FF: "ff", FF_UNCHANGED: "ff", FF_NOSTORE: "nostore", FF_SIGNED: "signed", NOOP: "noop"}
PYTHON = "python3 -c pass"

NOW = datetime(2026, 11, 20, 17, 0, 0, tzinfo=timezone.utc)
FIRST_DAY = date(2025, 11, 20)  # the committer's year: FIRST_DAY .. the day before NOW
TEAM_FIRST_DAY = date(2025, 12, 1)  # teammates: 12 months
ROUND_BASE = datetime(2026, 11, 20, 8, 0, 0, tzinfo=timezone.utc)  # new sessions, one per round
ROUND_STEP = timedelta(minutes=2)
MAX_ROUNDS = 240  # ROUND_BASE + MAX_ROUNDS * ROUND_STEP stays before NOW
COMMITTER = "dev"
SUMMARIES = ".flowforge/team/summaries"
TASKS = ("205", "206", "311", "412", "ops")

TARGET_MS = 100.0
GOAL_MS = 40.0

NOOP_CONFIG = """\
repos:
- repo: local
  hooks:
  - id: noop
    name: no-op
    entry: python3 -c pass
    language: system
    always_run: true
    pass_filenames: false
"""


@dataclass
class Bench:
    root: Path
    environ: dict[str, str]
    clones: dict[str, Path]  # "ff", "noop", "nostore", "signed"
    sessions: int
    summaries: int


def clean_environ(home: Path) -> dict[str, str]:
    return scripts_environ(
        home,
        user=COMMITTER,
        now=iso(NOW),
        tools=("ffhooks", "pre-commit", "python3", "git"),
        PRE_COMMIT_HOME=str(home / "pre-commit"),
        XDG_CACHE_HOME=str(home / ".cache"),
    )


def working_days(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def write_sessions(path: Path, days: Sequence[date], per_day: int) -> int:
    """JSON lines for `import`: `per_day` sessions of 40 minutes every 45 from 07:00 UTC."""
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for day in days:
            base = datetime(day.year, day.month, day.day, 7, 0, 0, tzinfo=timezone.utc)
            for i in range(per_day):
                start = base + timedelta(minutes=45 * i)
                line = {
                    "task": TASKS[(count + i) % len(TASKS)],
                    "start": iso(start),
                    "end": iso(start + timedelta(minutes=40)),
                    "billable": i % 4 != 3,
                }
                handle.write(json.dumps(line) + "\n")
            count += per_day
    return count


def set_up(root: Path, *, teammates: int, per_day: int, log: bool) -> Bench:
    """The team repository (origin) and the three clones, each with `pre-commit install`."""

    say = stderr_logger(log)

    home, origin = root / "home", root / "origin"
    home.mkdir()
    origin.mkdir()
    env = clean_environ(home)
    last_day = NOW.date() - timedelta(days=1)

    say(f"building the team repository in {origin}")
    run(["git", "init", "-q", "-b", "main"], cwd=origin, env=env)
    run(["ffhooks", "init"], cwd=origin, env=env)
    (origin / "work.txt").write_text("round 0\n", encoding="utf-8")
    jsonl = root / "sessions.jsonl"
    say(f"{teammates} teammates: import and aggregate 12 months each")
    team_days = working_days(TEAM_FIRST_DAY, last_day)
    for n in range(teammates):
        user = {**env, "FFHOOKS_USER": f"mate{n:02d}"}
        write_sessions(jsonl, team_days, 2)
        run(["ffhooks", "import", jsonl], cwd=origin, env=user)
        run(["ffhooks", "aggregate"], cwd=origin, env=user)
        shutil.rmtree(origin / ".flowforge" / "user" / f"mate{n:02d}")  # on their machines
    say("committer: import and aggregate a year of sessions")
    sessions = write_sessions(jsonl, working_days(FIRST_DAY, last_day), per_day)
    run(["ffhooks", "import", jsonl], cwd=origin, env=env)
    run(["ffhooks", "aggregate"], cwd=origin, env=env)
    run(["git", "add", "-A"], cwd=origin, env=env)
    run(["git", "commit", "-q", "--no-verify", "-m", "team fixture"], cwd=origin, env=env)
    listed = run(["git", "ls-files", SUMMARIES], cwd=origin, env=env)
    summaries = len(listed.stdout.split())

    clones: dict[str, Path] = {}
    store = origin / ".flowforge" / "user" / COMMITTER
    for name in ("ff", "noop", "nostore", "signed"):
        say(f"clone {name}: pre-commit install")
        path = root / name
        run(["git", "clone", "-q", origin, path], cwd=root, env=env)
        if name != "nostore":
            shutil.copytree(store, path / ".flowforge" / "user" / COMMITTER)
            # a copied store refuses to write until told; each clone stands alone here
            run(["ffhooks", "store", "moved"], cwd=path, env=env)
        if name == "noop":
            (path / ".pre-commit-config.yaml").write_text(NOOP_CONFIG, encoding="utf-8")
            run(["git", "add", ".pre-commit-config.yaml"], cwd=path, env=env)
            run(["git", "commit", "-q", "--no-verify", "-m", "no-op hook"], cwd=path, env=env)
        if name == "signed":
            sign_summaries(root, path, env)
        run(["pre-commit", "install"], cwd=path, env=env)
        clones[name] = path
    return Bench(root, env, clones, sessions, summaries)


def sign_summaries(root: Path, clone: Path, env: dict[str, str]) -> None:
    """The team requires signatures; the committer has an SSH key, allowed for them."""
    key = root / "dev_key"
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], cwd=root, env=env)
    run(["git", "config", "user.signingkey", str(key)], cwd=clone, env=env)
    config = clone / ".flowforge" / "team" / "config.json"
    settings = json.loads(config.read_text(encoding="utf-8"))
    config.write_text(json.dumps({**settings, "signatures": "required"}), encoding="utf-8")
    run(["ffhooks", "init", "--signing"], cwd=clone, env=env)
    run(["git", "add", "-A"], cwd=clone, env=env)
    run(["git", "commit", "-q", "--no-verify", "-m", "signatures"], cwd=clone, env=env)


def _committed_summaries(bench: Bench, clone: Path) -> list[tuple[str, str]]:
    """(status, path) of the summaries the last commit added (A) or deleted (D)."""
    out = run(
        ["git", "show", "--no-renames", "--name-status", "--format=", "HEAD", "--", SUMMARIES],
        cwd=clone,
        env=bench.environ,
    )
    return [(line[0], line.split("\t", 1)[1]) for line in out.stdout.splitlines() if line]


def _check_commit(bench: Bench, clone: Path, variant: str) -> None:
    """The ffhooks commit must add one summary for the month of the new session (older
    files of that month may go or stay); a commit without new time must touch none."""
    changed = _committed_summaries(bench, clone)
    month = f"{SUMMARIES}/{COMMITTER}/{NOW:%Y-%m}/"
    added = [path for status, path in changed if status == "A"]
    if variant == FF_UNCHANGED:
        ok = not changed
    else:
        ok = len(added) == 1 and all(path.startswith(month) for _, path in changed)
    if ok and variant == FF_SIGNED:
        ok = "signature" in json.loads((clone / added[0]).read_text(encoding="utf-8"))
    if not ok:
        want = "none" if variant == FF_UNCHANGED else f"one added under {month}"
        raise BenchError(f"commit ({variant}) changed summaries {changed}; expected {want}")


def one_commit(bench: Bench, variant: str, round_no: int) -> float:
    """Prepare (untimed), then time one `git commit` through pre-commit, in ms."""
    clone = bench.clones[CLONES[variant]]
    env = bench.environ
    with open(clone / "work.txt", "a", encoding="utf-8") as handle:
        handle.write(f"round {round_no}: {variant}\n")
    run(["git", "add", "work.txt"], cwd=clone, env=env)
    if variant in (FF, FF_SIGNED, NOOP):
        start = iso(ROUND_BASE + round_no * ROUND_STEP)
        run(["ffhooks", "add", "205", "1m", "--start", start], cwd=clone, env=env)
    cmd = ["git", "commit", "-q", "-m", f"round {round_no}"]
    elapsed = timed(cmd, cwd=clone, env=env, what=f"commit ({variant})")
    if variant in (FF, FF_UNCHANGED, FF_SIGNED):
        _check_commit(bench, clone, variant)
    return elapsed


def python_startup(bench: Bench) -> float:
    """One bare `python3` process as a hook gets it: the floor of every hook process, in ms."""
    return timed(["python3", "-c", "pass"], cwd=bench.root, env=bench.environ, what=PYTHON)


def queued_failures(bench: Bench) -> list[str]:
    found = []
    for name, clone in bench.clones.items():
        folder = clone / ".git" / "ffhooks" / "queue"
        if folder.is_dir():
            found += [f"{name}: {p.name}" for p in folder.iterdir()]
    return found


def summarize(samples: Mapping[str, Sequence[float]]) -> dict[str, object]:
    table = {name: stats(values) for name, values in samples.items()}
    med = {name: statistics.median(values) for name, values in samples.items()}
    added = {name: round(med[name] - med[NOOP], 2) for name in ORDER if name != NOOP}
    python = table.pop(PYTHON)
    return {"commits": table, "added_median_ms": added, "python_startup": python}


def render(result: Mapping[str, object]) -> str:
    commits = result["commits"]
    added = result["added_median_ms"]
    assert isinstance(commits, dict) and isinstance(added, dict)
    lines = [
        f"{result['rounds']} rounds, wall time of `git commit` through pre-commit "
        f"({result['sessions']} sessions in the committer's store, "
        f"{result['summaries']} summaries in the tree)",
        table_header("commit", 28),
    ]
    for name in ORDER:
        lines.append(table_row(name, commits[name], 28))
    lines.append("")
    verdict = (
        "meets the goal"
        if added[FF] <= GOAL_MS
        else "ok"
        if added[FF] <= TARGET_MS
        else "OVER TARGET"
    )
    lines.append(
        f"added by ffhooks (median, one changed month): {added[FF]:.1f} ms  "
        f"(target <= {TARGET_MS:.0f}, goal <= {GOAL_MS:.0f}: {verdict})"
    )
    lines.append(f"added by ffhooks, store unchanged:           {added[FF_UNCHANGED]:.1f} ms")
    lines.append(f"added by ffhooks, no store:                  {added[FF_NOSTORE]:.1f} ms")
    lines.append(
        f"added by ffhooks, signed (one month):        {added[FF_SIGNED]:.1f} ms  "
        f"({added[FF_SIGNED] - added[FF]:+.1f} ms for signing and checking the signature)"
    )
    python = result["python_startup"]
    assert isinstance(python, dict)
    lines.append(
        f"`{PYTHON}` (the floor of each hook process): median {python['median_ms']:.1f} ms; "
        "the no-op config runs 1 hook process, ffhooks 2 (guard, aggregate) or 3 (+ validate, "
        "when .flowforge JSON is staged)"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--teammates", type=int, default=50, help="teammates (default 50)")
    parser.add_argument(
        "--per-day", type=int, default=10, help="committer's sessions per working day (10)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0 or args.warmup + args.rounds > MAX_ROUNDS:
        parser.error(f"need --rounds >= 1, --warmup >= 0 and at most {MAX_ROUNDS} in all")
    if not 1 <= args.per_day <= 12 or args.teammates < 0:
        parser.error("--per-day must be 1 to 12 and --teammates at least 0")

    with temp_root("ffhooks-commit-", keep=args.keep) as root:
        try:
            bench = set_up(root, teammates=args.teammates, per_day=args.per_day, log=not args.json)
            samples: dict[str, list[float]] = {name: [] for name in (*ORDER, PYTHON)}
            for round_no in range(args.warmup + args.rounds):
                shift = round_no % len(ORDER)
                for variant in ORDER[shift:] + ORDER[:shift]:
                    ms = one_commit(bench, variant, round_no)
                    if round_no >= args.warmup:
                        samples[variant].append(ms)
                ms = python_startup(bench)
                if round_no >= args.warmup:
                    samples[PYTHON].append(ms)
            failures = queued_failures(bench)
            if failures:
                raise BenchError(f"the aggregate hook queued failures: {', '.join(failures)}")
            result = summarize(samples)
            result.update(
                rounds=args.rounds,
                warmup=args.warmup,
                sessions=bench.sessions,
                teammates=args.teammates,
                summaries=bench.summaries,
                python=sys.version.split()[0],
                target_ms=TARGET_MS,
                goal_ms=GOAL_MS,
            )
            if args.json:
                print(json.dumps(result, indent=2))
            else:
                print(render(result))
        except BenchError as exc:
            print(f"commit_overhead: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
