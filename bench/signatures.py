"""What checking the SSH signatures of summaries adds to `ffhooks report --ref` and `verify`.

Builds one team repository in a temporary directory with the real commands: the team config
says `"signatures": "required"`; each of `--users` developers (default 20) gets an ed25519
key as git's `user.signingkey`, runs `ffhooks init --signing` (their allowed_signers line),
imports a year of sessions (1-2 per working day), runs `ffhooks aggregate` (which signs each
summary) and loses their private store, as on their own machine: the tree holds users x 12
signed live summaries. That is committed as ON; then the config alone is switched to
`"signatures": "off"` and committed as OFF, so both commits hold the same signed files and
only the policy of the ref read differs. Each round times, as fresh processes in a rotating
order:

- `report --ref OFF --format json`: the baseline, nothing checked;
- `report --ref ON --format json`, cold: `.git/ffhooks/verified-signatures` deleted first, so
  every summary is checked (plain Ed25519 in a batch: in-process; see ffhooks/trust/sshsig.py);
- the same, warm: every check found in that cache;
- `verify --ref ON`, cold and warm, against `verify --ref OFF`.

Before timing, the report totals of every variant must equal the generated sessions', each
verify must exit 0 with no warning, and a cold run must leave one cached digest per summary.
Figures are also given as ratios to the baseline measured in the same rounds, as the machine
may be shared. Run from the project root (ffhooks installed in this interpreter):

    python3 bench/signatures.py
    python3 bench/signatures.py --users 50 --rounds 15 --json
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
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

YEAR = 2025
NOW = datetime(YEAR + 1, 1, 2, 12, 0, 0, tzinfo=timezone.utc)
TASKS = ("205", "206", "311", "412", "ops")
CONFIG = ".flowforge/team/config.json"
SUMMARIES = ".flowforge/team/summaries"

REPORT_OFF, REPORT_COLD, REPORT_WARM = "report, off", "report, required, cold", "report, warm"
VERIFY_OFF, VERIFY_COLD, VERIFY_WARM = "verify, off", "verify, required, cold", "verify, warm"
ORDER = (REPORT_OFF, REPORT_COLD, REPORT_WARM, VERIFY_OFF, VERIFY_COLD, VERIFY_WARM)
BASELINE = {name: REPORT_OFF if name.startswith("report") else VERIFY_OFF for name in ORDER}
TOTALS = ("billable_seconds", "non_billable_seconds", "sessions")


@dataclass
class Bench:
    repo: Path
    env: dict[str, str]
    on: str  # commit with "signatures": "required"
    off: str  # the same tree with "signatures": "off"
    summaries: int
    want: dict[str, int]  # TOTALS of the generated sessions
    build_s: float

    @property
    def cache(self) -> Path:
        return self.repo / ".git" / "ffhooks" / "verified-signatures"

    def command(self, name: str) -> list[str]:
        ref = self.off if name in (REPORT_OFF, VERIFY_OFF) else self.on
        if name.startswith("report"):
            return ["ffhooks", "report", "--ref", ref, "--format", "json"]
        return ["ffhooks", "verify", "--ref", ref]


def write_sessions(path: Path, user_no: int, want: dict[str, int]) -> None:
    """JSON lines for `import`: 1 or 2 sessions of 40 minutes each working day of YEAR."""
    lines, day = [], date(YEAR, 1, 1)
    while day.year == YEAR:
        base = datetime(day.year, day.month, day.day, 8, 0, 0, tzinfo=timezone.utc)
        for i in range(1 + (day.toordinal() + user_no) % 2 if day.weekday() < 5 else 0):
            start = base + timedelta(minutes=50 * i)
            billable = (day.toordinal() + i) % 5 != 0
            task = TASKS[(day.toordinal() + user_no + i) % len(TASKS)]
            end = start + timedelta(minutes=40)
            row = {"task": task, "start": iso(start), "end": iso(end), "billable": billable}
            lines.append(json.dumps(row))
            want["billable_seconds" if billable else "non_billable_seconds"] += 2400
            want["sessions"] += 1
        day += timedelta(days=1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def set_signatures(repo: Path, mode: str) -> None:
    config = repo / CONFIG
    settings = json.loads(config.read_text(encoding="utf-8"))
    config.write_text(json.dumps({**settings, "signatures": mode}, indent=2), encoding="utf-8")


def set_up(root: Path, *, users: int, say: Callable[[str], None]) -> Bench:
    home, repo, keys = root / "home", root / "repo", root / "keys"
    for folder in (home, repo, keys):
        folder.mkdir()
    env = scripts_environ(home, user="lead", now=iso(NOW), tools=("ffhooks", "git", "ssh-keygen"))
    t0 = time.perf_counter()
    run(["git", "init", "-q", "-b", "main"], cwd=repo, env=env)
    run(["ffhooks", "init", "--no-hook"], cwd=repo, env=env)
    set_signatures(repo, "required")
    want = dict.fromkeys(TOTALS, 0)
    jsonl = root / "sessions.jsonl"
    for n in range(1, users + 1):
        user = f"user{n:02d}"
        as_user = {**env, "FFHOOKS_USER": user}
        key = keys / user
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], cwd=root, env=env)
        run(["git", "config", "user.signingkey", str(key)], cwd=repo, env=env)
        run(
            ["ffhooks", "init", "--no-hook", "--signing"],
            cwd=repo,
            env=as_user,
            what=f"init --signing {user}",
        )
        write_sessions(jsonl, n, want)
        run(["ffhooks", "import", jsonl], cwd=repo, env=as_user, what=f"import for {user}")
        run(["ffhooks", "aggregate"], cwd=repo, env=as_user, what=f"aggregate for {user}")
        shutil.rmtree(repo / ".flowforge" / "user" / user)  # it lives on their machine
        if n % 5 == 0 or n == users:
            say(f"{n}/{users} users: key, init --signing, import, aggregate")
    if json.loads((repo / CONFIG).read_text(encoding="utf-8")).get("signatures") != "required":
        raise BenchError(f"{CONFIG} no longer says signatures required after the set-up")
    commits = []
    for mode in ("required", "off"):
        set_signatures(repo, mode)
        run(["git", "add", "-A"], cwd=repo, env=env)
        run(["git", "commit", "-q", "--no-verify", "-m", f"signatures {mode}"], cwd=repo, env=env)
        commits.append(run(["git", "rev-parse", "HEAD"], cwd=repo, env=env).stdout.strip())
    listed = run(["git", "ls-tree", "-r", "--name-only", commits[0], SUMMARIES], cwd=repo, env=env)
    summaries = sum(1 for p in listed.stdout.split() if p.endswith(".json"))
    build_s = round(time.perf_counter() - t0, 1)
    return Bench(repo, env, commits[0], commits[1], summaries, want, build_s)


def check(bench: Bench) -> list[str]:
    """What is wrong: report totals, verify verdicts, the cache after a cold run."""
    wrong: list[str] = []
    for name in ORDER:
        if name in (REPORT_COLD, VERIFY_COLD):
            bench.cache.unlink(missing_ok=True)
        cmd = bench.command(name)
        if name.startswith("verify"):
            cmd += ["--format", "json"]
        proc = run(cmd, cwd=bench.repo, env=bench.env, what=f"{name} (check)", check=False)
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
            wrong.append(f"{name}: exit {proc.returncode}: " + " | ".join(tail))
            continue
        out = json.loads(proc.stdout)
        if name.startswith("report"):
            got = {k: out["totals"].get(k) for k in TOTALS}
            if got != bench.want:
                wrong.append(f"{name}: totals {got}, but the sessions hold {bench.want}")
        elif not out["ok"] or out["warnings"]:
            wrong.append(f"{name}: problems {out['problems']}, warnings {out['warnings']}")
        if name in (REPORT_COLD, VERIFY_COLD):
            cached = len(bench.cache.read_text().split()) if bench.cache.exists() else 0
            if cached != bench.summaries:
                wrong.append(f"{name}: {cached} cached digests for {bench.summaries} summaries")
    return wrong


def one_round(bench: Bench, round_no: int) -> dict[str, float]:
    """Each variant once, starting one further along each round; cold ones without the
    cache, warm ones with it (refilled untimed if it is missing)."""
    shift = round_no % len(ORDER)
    timings = {}
    for name in ORDER[shift:] + ORDER[:shift]:
        cmd = bench.command(name)
        if name in (REPORT_COLD, VERIFY_COLD):
            bench.cache.unlink(missing_ok=True)
        elif name in (REPORT_WARM, VERIFY_WARM) and not bench.cache.exists():
            run(cmd, cwd=bench.repo, env=bench.env, what=f"{name} (filling the cache)")
        timings[name] = timed(cmd, cwd=bench.repo, env=bench.env, what=name)
    return timings


def summarize(samples: Mapping[str, Sequence[float]], summaries: int) -> dict[str, object]:
    med = {name: statistics.median(values) for name, values in samples.items()}
    table: dict[str, dict[str, object]] = {}
    for name in ORDER:
        base = med[BASELINE[name]]
        table[name] = {
            **stats(samples[name]),
            "ratio_to_off": round(med[name] / base, 3),
            "over_off_ms": round(med[name] - base, 2),
            "over_off_per_summary_ms": round((med[name] - base) / summaries, 3),
        }
    return {"variants": table}


def render(result: Mapping[str, object]) -> str:
    variants, build = result["variants"], result["build"]
    assert isinstance(variants, dict) and isinstance(build, dict)
    width = 26
    lines = [
        f"{build['users']} users x 12 months of {YEAR}: {build['sessions']} sessions, "
        f"{build['summaries']} signed live summaries; built in {build['build_s']} s",
        f"{result['rounds']} rounds, wall time per process, Python {result['python']}",
        "",
        table_header("variant", width) + f"{'/off':>9}{'+ms':>10}{'+ms/summary':>13}",
    ]
    for name in ORDER:
        s = variants[name]
        lines.append(
            table_row(name, s, width)
            + f"{s['ratio_to_off']:>9.3f}{s['over_off_ms']:>10.1f}"
            + f"{s['over_off_per_summary_ms']:>13.3f}"
        )
    lines.append("(/off, +ms: median against the same command's run with signatures off)")
    lines.append("check: report totals equal the sessions' in every variant, verify exits 0")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds (default 10)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--users", type=int, default=20, help="developers (default 20)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0 or not 1 <= args.users <= 99:
        parser.error("need --rounds >= 1, --warmup >= 0, 1 <= --users <= 99")
    say = stderr_logger(not args.json)
    with temp_root("ffhooks-bench-signatures-", keep=args.keep) as root:
        try:
            bench = set_up(root, users=args.users, say=say)
            problems = check(bench)
            if problems:  # timings of wrong answers mean nothing
                print("\n".join(["signatures bench: check failed", *problems]), file=sys.stderr)
                return 1
            samples = sample_rounds(
                lambda n: one_round(bench, n), rounds=args.rounds, warmup=args.warmup, say=say
            )
        except BenchError as exc:
            print(f"signatures bench: {exc}", file=sys.stderr)
            return 1
        result = summarize(samples, bench.summaries)
        result.update(
            rounds=args.rounds,
            warmup=args.warmup,
            python=sys.version.split()[0],
            build={
                "users": args.users,
                "sessions": bench.want["sessions"],
                "summaries": bench.summaries,
                "build_s": bench.build_s,
            },
            totals=bench.want,
            check=problems,
        )
        print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
