"""Wall time of `ffhooks validate` over a team's summaries, next to check-jsonschema's.

Builds a throw-away virtualenv, installs ffhooks (non-editable, from the project root) and
check-jsonschema into it, and writes, in a git repository set up by `ffhooks init`, the
summaries of a 50-person team over 20 months: 1,000 files
`.flowforge/team/summaries/<user>/<YYYY-MM>/<store>-<seq>.json`, made by `ffhooks.summary`
(`totals`, `build`) and written as `ffhooks aggregate` writes them, from about 10 sessions a
working day per user, then committed. Then times, as fresh processes alternating in the same
rounds, `ffhooks validate <the paths>` and `check-jsonschema --schemafile
schemas/summary.schema.json <the paths>`, `python -c pass` as the floor, and
`ffhooks validate --all` when `ffhooks validate --help` offers it:

    python3 bench/validate.py                  # 50 users x 20 months, 5 rounds
    python3 bench/validate.py --rounds 11 --json
    python3 bench/validate.py --users 5 --months 4 --rounds 2

Both validators must pass the corpus (a failure stops the bench). On a copy of the repository
one file is then tampered with twice: a count made negative (both must reject it) and a count
changed with its sha256 left as it was (ffhooks must reject it; check-jsonschema cannot see
it, which is reported as a note). A failed check makes the exit status 1. The target is
ffhooks at no more than half of check-jsonschema's median time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from _common import (
    GIT_IDENTITY,
    BenchError,
    child_environ,
    run,
    sample_rounds,
    stats,
    stderr_logger,
    table_header,
    table_row,
    temp_root,
    timed,
)

PYTHON = "python -c pass"
FF = "ffhooks validate <paths>"
CJS = "check-jsonschema <paths>"
FF_ALL = "ffhooks validate --all"
ORDER = (PYTHON, FF, CJS, FF_ALL)

SCHEMA = Path("schemas") / "summary.schema.json"
TARGET_RATIO = 0.5
ZONES = ("Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata", "Europe/London")
TEAM_TASKS = [str(n) for n in range(100, 160)]
Process = subprocess.CompletedProcess[str]
DETAIL = {"per_task": True, "period": "day"}  # the team config's default summary_detail


class Sess(NamedTuple):
    task: str
    start: datetime
    end: datetime
    billable: bool


@dataclass
class Env:
    root: Path
    venv: Path
    repo: Path
    environ: dict[str, str]
    paths: list[str]  # the summaries, relative to the repository
    has_all: bool = False
    notes: list[str] = field(default_factory=list)
    build: dict[str, object] = field(default_factory=dict)

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name


def month_names(last: str, count: int) -> list[str]:
    """The `count` months up to `last` (YYYY-MM), oldest first."""
    year, mon = int(last[:4]), int(last[5:])
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
    return out[::-1]


def sessions_for(
    index: int, tz: ZoneInfo, first: date, last: date, *, per_day: int, seed: int
) -> list[Sess]:
    """A developer's days from `first` to `last` as bench/report.py makes them: working days
    only, ~per_day sessions of 15-75 min from about 08:00 local time, three tasks a day from
    a personal pool of eight, 10% non-billable."""
    rng = random.Random(seed * 1_000_003 + index)
    pool = rng.sample(TEAM_TASKS, 8)
    out: list[Sess] = []
    day = first
    while day <= last:
        if day.weekday() < 5 and rng.random() >= 0.06:  # weekends and ~15 days of leave off
            todays = rng.sample(pool, 3)
            at = datetime(day.year, day.month, day.day, 8, tzinfo=tz)
            at += timedelta(minutes=rng.randint(0, 90))
            for _ in range(max(1, per_day + rng.randint(-2, 2))):
                length = timedelta(minutes=rng.randint(15, 75), seconds=rng.randint(0, 59))
                out.append(Sess(rng.choice(todays), at, at + length, rng.random() >= 0.1))
                at += length + timedelta(minutes=rng.randint(0, 15))
        day += timedelta(days=1)
    return out


def write_corpus(repo: Path, *, users: int, months: Sequence[str], per_day: int, seed: int) -> int:
    """Every user's summary of every month, one file each as `ffhooks aggregate` writes it
    (seq counting up across the store's months); returns the number of sessions."""
    from ffhooks import summary
    from ffhooks.fsio import dump_json

    first = date(int(months[0][:4]), int(months[0][5:]), 1)
    year, mon = int(months[-1][:4]), int(months[-1][5:])
    last = (date(year + mon // 12, mon % 12 + 1, 1)) - timedelta(days=1)
    count = 0
    for index in range(users):
        user, zone = f"dev{index + 1:02d}", ZONES[index % len(ZONES)]
        tz = ZoneInfo(zone)
        store = random.Random(seed * 7919 + index).getrandbits(64).to_bytes(8, "big").hex()
        mine = sessions_for(index, tz, first, last, per_day=per_day, seed=seed)
        count += len(mine)
        by_month: dict[str, list[summary.Interval]] = {}
        for s in mine:
            for month in {f"{s.start:%Y-%m}", f"{s.end:%Y-%m}"}:  # local: a session may span
                by_month.setdefault(month, []).append(summary.Interval(*s))
        for seq, month in enumerate(months, start=1):
            periods = summary.totals(by_month.get(month, []), month, tz, per_task=True, by_day=True)
            doc = summary.build(
                user=user,
                store=store,
                month=month,
                timezone=zone,
                seq=seq,
                detail=dict(DETAIL),
                periods=periods,
            )
            path = repo / summary.SummaryPath(user, month, store, seq).path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(dump_json(doc))
    return count


def _clean_environ(home: Path) -> dict[str, str]:
    return child_environ(
        {
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / ".cache"),  # check-jsonschema's schema cache
            "FFHOOKS_USER": "bench",
            "GIT_CONFIG_NOSYSTEM": "1",
            **GIT_IDENTITY,
            "TZ": "UTC",
        },
        drop_prefixes=("PYTHON", "GIT_", "FFHOOKS_", "PRE_COMMIT"),
        drop=("XDG_CONFIG_HOME",),
    )


def set_up(
    root: Path,
    project: Path,
    *,
    users: int,
    months: Sequence[str],
    per_day: int,
    seed: int,
    log: bool,
) -> Env:
    """Venv with both validators, the repository with the summaries committed."""
    home, repo, venv = (root / n for n in ("home", "repo", "venv"))
    for d in (home, repo):
        d.mkdir()
    environ = _clean_environ(home)
    # pip keeps the caller's environment: its config (index, find-links) lives there.
    pip_env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    say = stderr_logger(log)

    t0 = time.perf_counter()
    say(f"creating venv in {venv}")
    run([sys.executable, "-m", "venv", venv], cwd=root, env=pip_env, what="python -m venv")
    pip: list[str | Path] = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
    say(f"installing ffhooks from {project}")
    run([*pip, project], cwd=root, env=pip_env, what="pip install ffhooks")
    say("installing check-jsonschema")
    run([*pip, "check-jsonschema"], cwd=root, env=pip_env, what="pip install check-jsonschema")
    install_s = time.perf_counter() - t0

    env = Env(root, venv, repo, environ, [])
    run(["git", "init", "-q"], cwd=repo, env=environ, what="git init")
    run([env.bin("ffhooks"), "init", "--no-hook"], cwd=repo, env=environ, what="ffhooks init")
    shutil.copyfile(project / SCHEMA, root / SCHEMA.name)

    say(f"writing {users * len(months)} summaries ({users} users x {len(months)} months)")
    t0 = time.perf_counter()
    sessions = write_corpus(repo, users=users, months=months, per_day=per_day, seed=seed)
    write_s = time.perf_counter() - t0
    run(["git", "add", "-A"], cwd=repo, env=environ, what="git add")
    run(["git", "commit", "-q", "--no-verify", "-m", "summaries"], cwd=repo, env=environ)
    summaries = repo / ".flowforge" / "team" / "summaries"
    found = sorted(summaries.rglob("*.json"))
    if len(found) != users * len(months):
        raise BenchError(f"wrote {len(found)} summaries, not {users} x {len(months)}")
    env.paths = [p.relative_to(repo).as_posix() for p in found]

    helped = run([env.bin("ffhooks"), "validate", "--help"], cwd=repo, env=environ, check=False)
    if "--all" in helped.stdout:
        proc = run(_ff_all(env), cwd=repo, env=environ, check=False)
        if proc.returncode == 0:
            env.has_all = True
        else:
            last_line = (proc.stdout + proc.stderr).strip().splitlines()[-1:] or ["?"]
            env.notes.append(
                f"`ffhooks validate --all` exited {proc.returncode} on the good corpus, "
                f"not timed: {last_line[0]}"
            )
    else:
        env.notes.append("`ffhooks validate --all`: no such option in this ffhooks, not timed")

    env.build = {
        "users": users,
        "months": [months[0], months[-1]],
        "sessions": sessions,
        "summary_files": len(found),
        "summary_bytes": sum(p.stat().st_size for p in found),
        "cells": sum(
            len(tasks) for p in found for tasks in json.loads(p.read_bytes())["totals"].values()
        ),
        "install_s": round(install_s, 1),
        "write_s": round(write_s, 1),
    }
    return env


def _ff(env: Env) -> list[str | Path]:
    return [env.bin("ffhooks"), "validate", *env.paths]


def _cjs(env: Env) -> list[str | Path]:
    return [env.bin("check-jsonschema"), "--schemafile", env.root / SCHEMA.name, *env.paths]


def _ff_all(env: Env) -> list[str | Path]:
    return [env.bin("ffhooks"), "validate", "--all"]


def commands(env: Env) -> dict[str, list[str | Path]]:
    out: dict[str, list[str | Path]] = {
        PYTHON: [env.bin("python"), "-c", "pass"],
        FF: _ff(env),
        CJS: _cjs(env),
    }
    if env.has_all:
        out[FF_ALL] = _ff_all(env)
    return out


def one_round(env: Env, round_no: int) -> dict[str, float]:
    """Each command once, as a fresh process, starting one further along each round; a
    non-zero exit on the good corpus stops the bench."""
    todo = list(commands(env).items())
    shift = round_no % len(todo)
    return {
        name: timed(cmd, cwd=env.repo, env=env.environ, what=name)
        for name, cmd in todo[shift:] + todo[:shift]
    }


def _first_line(proc: Process) -> str:
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    return lines[0][:160] if lines else "(no output)"


def tamper_checks(env: Env) -> tuple[list[str], list[str]]:
    """On a copy of the repository: what the validators get wrong (problems), and notes."""
    from ffhooks.fsio import dump_json

    copy = env.root / "tampered"
    shutil.copytree(env.repo, copy, symlinks=True)
    rel = env.paths[len(env.paths) // 2]
    victim = copy / rel
    doc = json.loads(victim.read_bytes())
    period = next(iter(doc["totals"]))
    cell = doc["totals"][period][next(iter(doc["totals"][period]))]
    problems: list[str] = []
    notes: list[str] = []

    def both() -> tuple[Process, Process]:
        ff = run(_ff(env), cwd=copy, env=env.environ, check=False)
        cjs = run(_cjs(env), cwd=copy, env=env.environ, check=False)
        return ff, cjs

    sessions = cell["sessions"]
    cell["sessions"] = -1  # breaks the schema: both must say so
    victim.write_bytes(dump_json(doc))
    ff, cjs = both()
    if ff.returncode != 1 or rel not in ff.stdout:
        problems.append(
            f"negative count: ffhooks validate exited {ff.returncode}, {_first_line(ff)}"
        )
    if cjs.returncode == 0:
        problems.append("negative count: check-jsonschema exited 0")

    cell["sessions"] = sessions
    cell["billable_seconds"] += 3600  # schema-valid, but the sha256 no longer matches
    victim.write_bytes(dump_json(doc))
    ff, cjs = both()
    if ff.returncode != 1 or "sha256" not in ff.stdout:
        problems.append(f"bad sha256: ffhooks validate exited {ff.returncode}, {_first_line(ff)}")
    if cjs.returncode == 0:
        notes.append(
            "an hour added to one file, sha256 left as it was: check-jsonschema exits 0, "
            f"ffhooks validate exits 1 ({_first_line(ff)})"
        )
    else:
        notes.append(f"check-jsonschema rejected the bad sha256 too?! {_first_line(cjs)}")
    if env.has_all:
        proc = run(_ff_all(env), cwd=copy, env=env.environ, check=False)
        if proc.returncode == 0:
            notes.append("`ffhooks validate --all` exits 0 on the tampered copy")
    return problems, notes


def summarize(samples: Mapping[str, Sequence[float]]) -> dict[str, object]:
    med = {name: statistics.median(values) for name, values in samples.items()}
    table = {
        name: {**stats(values), "over_python_ms": round(med[name] - med[PYTHON], 2)}
        for name in ORDER
        if (values := samples.get(name))
    }
    ratio = round(med[FF] / med[CJS], 3)
    out: dict[str, object] = {
        "commands": table,
        "ratio_ffhooks_over_check_jsonschema": ratio,
        "under_target": ratio <= TARGET_RATIO,
        "ratio_all_over_check_jsonschema": (
            round(med[FF_ALL] / med[CJS], 3) if FF_ALL in med else None
        ),
    }
    return out


def _version(env: Env, name: str) -> str:
    proc = run([env.bin(name), "--version"], cwd=env.repo, env=env.environ, check=False)
    words = (proc.stdout or proc.stderr).split()
    return words[-1] if proc.returncode == 0 and words else "?"


def render(result: Mapping[str, object]) -> str:
    commands_, build, checks = result["commands"], result["build"], result["check"]
    assert isinstance(commands_, dict) and isinstance(build, dict) and isinstance(checks, list)
    first, last = build["months"]
    lines = [
        f"{build['summary_files']} summary files ({build['users']} users x {first}..{last}, "
        f"{build['sessions']} sessions, {build['cells']} day/task cells, "
        f"{build['summary_bytes'] / 1e6:.1f} MB); written in {build['write_s']} s",
        f"{result['rounds']} rounds, wall time per process ({result['versions']})",
        table_header("command", 28),
    ]
    lines += [table_row(name, commands_[name], 28) for name in ORDER if name in commands_]
    lines.append("")
    ratio = result["ratio_ffhooks_over_check_jsonschema"]
    verdict = "ok" if result["under_target"] else "OVER TARGET"
    lines.append(
        f"ffhooks/check-jsonschema median ratio: {ratio:.2f}  (target <= {TARGET_RATIO}: {verdict})"
    )
    all_ratio = result["ratio_all_over_check_jsonschema"]
    if all_ratio is not None:
        lines.append(f"ffhooks validate --all / check-jsonschema: {all_ratio:.2f}")
    if checks:
        lines.append("check: FAILED")
        lines += [f"  {c}" for c in checks]
    else:
        lines.append("check: both pass the corpus and reject a negative count in one file")
    notes = result.get("notes")
    if isinstance(notes, list):
        lines.extend(f"note: {n}" for n in notes)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--users", type=int, default=50, help="developers (default 50)")
    parser.add_argument("--months", type=int, default=20, help="months per user (default 20)")
    parser.add_argument(
        "--last-month", default="2025-12", metavar="YYYY-MM", help="the newest (default 2025-12)"
    )
    parser.add_argument(
        "--per-day", type=int, default=10, help="sessions per working day and user (default 10)"
    )
    parser.add_argument("--seed", type=int, default=1, help="for the generated sessions")
    parser.add_argument(
        "--project",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the ffhooks project to install (default: the repo holding this script)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0 or args.users < 1 or args.months < 1:
        parser.error("need --rounds >= 1, --warmup >= 0, --users >= 1, --months >= 1")
    if not 1 <= args.per_day <= 14:
        parser.error("need 1 <= --per-day <= 14")
    try:
        months = month_names(args.last_month, args.months)
    except ValueError:
        parser.error("--last-month must be YYYY-MM")
    project = args.project.resolve()
    if not (project / "pyproject.toml").is_file() or not (project / SCHEMA).is_file():
        parser.error(f"{project} has no pyproject.toml or no {SCHEMA}")
    # The summaries are built by the code under test, not by whatever ffhooks (if any) the
    # interpreter running this script has installed.
    sys.path.insert(0, str(project))

    with temp_root("ffhooks-bench-validate-", keep=args.keep) as root:
        try:
            env = set_up(
                root,
                project,
                users=args.users,
                months=months,
                per_day=args.per_day,
                seed=args.seed,
                log=not args.json,
            )
            problems, notes = tamper_checks(env)
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
                python=sys.version.split()[0],
                versions=f"ffhooks {_version(env, 'ffhooks')}, "
                f"check-jsonschema {_version(env, 'check-jsonschema')}, "
                f"Python {sys.version.split()[0]}",
                build=env.build,
                target_ratio=TARGET_RATIO,
                check=problems,
                notes=env.notes + notes,
            )
            if args.json:
                print(json.dumps(result, indent=2))
            else:
                print(render(result))
        except BenchError as exc:
            print(f"validate bench: {exc}", file=sys.stderr)
            return 1
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
