"""Wall time and peak memory of `ffhooks migrate` over a million sessions, in both formats.

    python3 bench/migrate.py                        # 1,000,000 sessions of 100 developers
    python3 bench/migrate.py --sessions 200000 --json
    python3 bench/migrate.py --no-resume            # skip the interrupted-run check

Generates, in a temporary directory, the same sessions twice: as JSON lines (the `ffhooks log
--json` session shape plus `user`) and as one legacy FlowForge `time-tracking.json` (tasks
holding their sessions, `duration` in hours rounded to 2 places as v1 wrote it). For each, in a
fresh git repository, runs `ffhooks migrate --source FILE` as a fresh process and reads its wall
time and peak RSS from `os.wait4` (the rusage of that very child). Then checks the report's
totals per user against the generated sessions to the second, times a second run (which must
write nothing) and, unless --no-resume, kills a JSON-lines run part-way (SIGKILL, after its
first checkpoint) and checks that the resumed run ends with byte-identical summary files.
Targets: each migration under 60 s and under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from array import array
from collections.abc import Sequence
from pathlib import Path

from _common import BenchError, run, scripts_environ, stderr_logger, temp_root

TARGET_S = 60.0
TARGET_MB = 500.0
NOW = "2026-01-01T00:00:00Z"
FIRST_DAY = 1609747200  # Monday 2021-01-04 00:00 UTC
TASKS = [str(n) for n in range(100, 400)]


class Generated:
    """The sessions as parallel arrays: user, task, start, end, billable."""

    def __init__(self) -> None:
        self.user = array("l")
        self.task = array("l")
        self.start = array("q")
        self.end = array("q")
        self.billable = array("b")


def generate(count: int, users: int, seed: int) -> Generated:
    """Per developer, consecutive working days of ~10 sessions of 15-75 minutes from about
    08:00 UTC, tasks from a personal pool of 8, 10% non-billable."""
    rng = random.Random(seed)
    g = Generated()
    for u in range(users):
        share = count // users + (1 if u < count % users else 0)
        pool = rng.sample(range(len(TASKS)), 8)
        day, done = FIRST_DAY, 0
        while done < share:
            if ((day - FIRST_DAY) // 86400) % 7 < 5:
                at = day + 8 * 3600 + rng.randint(0, 5400)
                for _ in range(min(10, share - done)):
                    length = rng.randint(15 * 60, 75 * 60)
                    g.user.append(u)
                    g.task.append(rng.choice(pool))
                    g.start.append(at)
                    g.end.append(at + length)
                    g.billable.append(rng.random() >= 0.1)
                    at += length + rng.randint(0, 900)
                    done += 1
            day += 86400
    return g


def _instant(t: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def write_jsonl(path: Path, g: Generated) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for n in range(len(g.start)):
            s, e = g.start[n], g.end[n]
            out.write(
                f'{{"task": "{TASKS[g.task[n]]}", "start": "{_instant(s)}", "end": '
                f'"{_instant(e)}", "seconds": {e - s}, '
                f'"billable": {"true" if g.billable[n] else "false"}, '
                f'"user": "dev{g.user[n]:03d}"}}\n'
            )


def write_legacy(path: Path, g: Generated) -> None:
    """One 2.0.x-shaped time-tracking.json: the tasks, each with its sessions."""
    order = sorted(range(len(g.start)), key=g.task.__getitem__)
    with open(path, "w", encoding="utf-8") as out:
        out.write('{\n  "sessions": {},\n')
        current = -1
        for n in order:
            t = g.task[n]
            if t != current:
                if current >= 0:
                    out.write("\n    ]\n  },\n")
                out.write(
                    f'  "{TASKS[t]}": {{\n    "status": "completed",\n'
                    '    "current_session": null,\n    "sessions": [\n'
                )
                current = t
            else:
                out.write(",\n")
            s, e = g.start[n], g.end[n]
            extra = "" if g.billable[n] else ', "billable": false'
            out.write(
                f'      {{"start": "{_instant(s)}", "end": "{_instant(e)}", '
                f'"duration": {round((e - s) / 3600, 2)}, "user": "dev{g.user[n]:03d}", '
                f'"instance_id": "bench"{extra}}}'
            )
        out.write('\n    ]\n  },\n  "metadata": {"version": "2.0.3"}\n}\n')


def expected(g: Generated) -> dict[str, list[int]]:
    """Per user: billable and non-billable seconds."""
    out: dict[str, list[int]] = {}
    for n in range(len(g.start)):
        slot = out.setdefault(f"dev{g.user[n]:03d}", [0, 0])
        slot[0 if g.billable[n] else 1] += g.end[n] - g.start[n]
    return out


def migrate_once(
    ffhooks: str, repo: Path, source: Path, env: dict[str, str], log: Path
) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of one `ffhooks migrate` process."""
    with open(log, "w") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [ffhooks, "migrate", "--source", str(source)], cwd=repo, env=env, stdout=out, stderr=out
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def fresh_repo(path: Path, env: dict[str, str]) -> Path:
    path.mkdir()
    run(["git", "init", "-q"], cwd=path, env=env)
    return path


def summaries(repo: Path) -> dict[str, bytes]:
    base = repo / ".flowforge" / "team" / "summaries"
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*.json"))}


def check_totals(
    ffhooks: str, repo: Path, env: dict[str, str], want: dict[str, list[int]]
) -> list[str]:
    proc = run([ffhooks, "report", "--format", "json", "--by", "user"], cwd=repo, env=env)
    got = {
        r["user"]: [r["billable_seconds"], r["non_billable_seconds"]]
        for r in json.loads(proc.stdout)["rows"]
    }
    return [
        f"{user}: report {got.get(user)} != generated {want.get(user)}"
        for user in sorted(set(got) | set(want))
        if got.get(user) != want.get(user)
    ]


def resume_check(
    ffhooks: str, root: Path, source: Path, env: dict[str, str], reference: dict[str, bytes]
) -> dict[str, object]:
    """Kill a run after its first checkpoint, resume it, compare the files."""
    repo = fresh_repo(root / "repo-resume", env)
    state = repo / ".git" / "ffhooks" / "migrate" / "checkpoint" / "state.json"
    killed_env = {**env, "FFHOOKS_MIGRATE_CHECKPOINT_SECONDS": "1"}
    proc = subprocess.Popen(
        [ffhooks, "migrate", "--source", str(source)],
        cwd=repo,
        env=killed_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not state.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    if proc.poll() is not None:
        raise BenchError("the run to interrupt finished before its first checkpoint")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    read_before = json.loads(state.read_text())["tally"]["read"]
    wall, rss, code = migrate_once(ffhooks, repo, source, env, root / "resume.log")
    text = (root / "resume.log").read_text()
    return {
        "killed_after_entries": read_before,
        "resumed": "Resumed an interrupted migration" in text,
        "resume_wall_s": round(wall, 2),
        "resume_peak_rss_mb": round(rss, 1),
        "exit": code,
        "same_files": summaries(repo) == reference,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sessions", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--users", type=int, default=100, help="developers (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-resume", action="store_true", help="skip the interrupted run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.sessions < args.users or args.users < 1:
        parser.error("need --users >= 1 and --sessions >= --users")
    say = stderr_logger(not args.json)
    problems: list[str] = []
    with temp_root("ffhooks-bench-migrate-", keep=args.keep) as root:
        try:
            (root / "home").mkdir()
            env = scripts_environ(root / "home", user="manager", now=NOW, tools=["ffhooks", "git"])
            ffhooks = "ffhooks"
            say(f"generating {args.sessions:,} sessions of {args.users} developers")
            g = generate(args.sessions, args.users, args.seed)
            want = expected(g)
            files = {"jsonl": root / "sessions.jsonl", "legacy": root / "time-tracking.json"}
            write_jsonl(files["jsonl"], g)
            write_legacy(files["legacy"], g)
            del g
            result: dict[str, object] = {"sessions": args.sessions, "users": args.users}
            reference: dict[str, bytes] = {}
            for name, source in files.items():
                say(f"migrating {source.name} ({source.stat().st_size / 1e6:.0f} MB)")
                repo = fresh_repo(root / f"repo-{name}", env)
                wall, rss, code = migrate_once(ffhooks, repo, source, env, root / f"{name}.log")
                if code != 0:
                    log = (root / f"{name}.log").read_text()[-2000:]
                    raise BenchError(f"ffhooks migrate of {source.name} exited {code}:\n{log}")
                problems += [f"{name}: {p}" for p in check_totals(ffhooks, repo, env, want)]
                again, _, code = migrate_once(ffhooks, repo, source, env, root / "again.log")
                if "Nothing to write" not in (root / "again.log").read_text() or code != 0:
                    problems.append(f"{name}: the second run wrote something (or failed)")
                files_now = summaries(repo)
                if name == "jsonl":
                    reference = files_now
                result[name] = {
                    "file_mb": round(source.stat().st_size / 1e6, 1),
                    "summary_files": len(files_now),
                    "wall_s": round(wall, 2),
                    "peak_rss_mb": round(rss, 1),
                    "second_run_s": round(again, 2),
                }
                if wall > TARGET_S or rss > TARGET_MB:
                    problems.append(f"{name}: {wall:.1f} s / {rss:.0f} MB misses the target")
            if not args.no_resume:
                say("killing a JSON-lines run after its first checkpoint, then resuming it")
                resumed = resume_check(ffhooks, root, files["jsonl"], env, reference)
                result["resume"] = resumed
                if not (resumed["resumed"] and resumed["same_files"] and resumed["exit"] == 0):
                    problems.append(f"resume: {resumed}")
        except BenchError as exc:
            print(f"migrate bench: {exc}", file=sys.stderr)
            return 1
    result.update(
        now=NOW,
        python=sys.version.split()[0],
        target={"wall_s": TARGET_S, "peak_rss_mb": TARGET_MB},
        check=problems,
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"ffhooks migrate, {args.sessions:,} sessions of {args.users} developers (now {NOW})")
        head = f"{'format':<10}{'file MB':>9}{'summaries':>11}"
        print(f"{head}{'wall s':>9}{'peak MB':>9}{'rerun s':>9}")
        for name in ("jsonl", "legacy"):
            r = result[name]
            assert isinstance(r, dict)
            print(
                f"{name:<10}{r['file_mb']:>9}{r['summary_files']:>11}{r['wall_s']:>9}"
                f"{r['peak_rss_mb']:>9}{r['second_run_s']:>9}"
            )
        if "resume" in result:
            print(f"resume after SIGKILL: {result['resume']}")
        print(f"targets: under {TARGET_S:.0f} s and {TARGET_MB:.0f} MB each; report totals checked")
        for p in problems:
            print(f"PROBLEM {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
