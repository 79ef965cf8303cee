"""Wall-clock latency of `ffhooks start`/`stop` next to Watson's and a bare Python start.

Builds a throw-away virtualenv, installs ffhooks (non-editable, from the project root) and,
when it can, Watson (`td-watson`) into it, then times each command as a fresh process:

    python3 bench/cli_latency.py --rounds 30
    python3 bench/cli_latency.py --json --no-watson

A clean venv matters: the executables are called by path (`<venv>/bin/ffhooks`), so no
pyenv shim, user site or `.pth` file of the base interpreter adds to the figures. `PYTHON*`
variables of the calling shell are dropped for the same reason. The target is ffhooks at no
more than half of Watson's time for both start and stop.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

PYTHON = "python -c pass"
FF_START = "ffhooks start"
FF_STOP = "ffhooks stop"
W_START = "watson start"
W_STOP = "watson stop"
ORDER = (PYTHON, FF_START, FF_STOP, W_START, W_STOP)

BASE_INSTANT = datetime(2026, 1, 5, 9, 0, 0, tzinfo=timezone.utc)
ROUND_SECONDS = 120
SESSION_SECONDS = 60
TARGET_RATIO = 0.5


class BenchError(Exception):
    """A step of the set-up or of a round failed; the message says which and why."""


@dataclass
class Env:
    root: Path
    venv: Path
    repo: Path
    environ: dict[str, str]
    watson: bool
    notes: list[str] = field(default_factory=list)

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name


def _run(
    cmd: Sequence[str | Path],
    *,
    cwd: Path,
    env: Mapping[str, str],
    what: str,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=dict(env), capture_output=True, text=True
    )
    if check and proc.returncode != 0:
        raise BenchError(_failure(what, cmd, proc))
    return proc


def _failure(what: str, cmd: Sequence[str | Path], proc: subprocess.CompletedProcess[str]) -> str:
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-20:])
    shown = " ".join(str(c) for c in cmd)
    return f"{what} failed (exit {proc.returncode}): {shown}\n{tail}"


def _clean_environ(home: Path, watson_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    for key in ("VIRTUAL_ENV", "FFHOOKS_NOW", "FFHOOKS_USER", "XDG_CONFIG_HOME"):
        env.pop(key, None)
    env.update(
        HOME=str(home),
        FFHOOKS_USER="bench",
        WATSON_DIR=str(watson_dir),
        GIT_CONFIG_NOSYSTEM="1",
        LC_ALL=env.get("LC_ALL", "C.UTF-8"),
    )
    return env


def set_up(root: Path, project: Path, *, want_watson: bool, log: bool) -> Env:
    """Venv, installs, a git repo with `ffhooks init` run in it."""
    home, watson_dir, repo, venv = (root / n for n in ("home", "watson", "repo", "venv"))
    for d in (home, watson_dir, repo):
        d.mkdir()
    environ = _clean_environ(home, watson_dir)
    # pip keeps the caller's environment: its config (index, find-links) lives there.
    pip_env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}

    def say(text: str) -> None:
        if log:
            print(text, file=sys.stderr, flush=True)

    say(f"creating venv in {venv}")
    _run([sys.executable, "-m", "venv", venv], cwd=root, env=pip_env, what="python -m venv")
    pip: list[str | Path] = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
    say(f"installing ffhooks from {project}")
    _run([*pip, project], cwd=root, env=pip_env, what="pip install ffhooks")

    notes: list[str] = []
    watson = False
    if want_watson:
        say("installing td-watson")
        proc = _run([*pip, "td-watson"], cwd=root, env=pip_env, what="pip", check=False)
        if proc.returncode == 0:
            watson = True
        else:
            last = (proc.stdout + proc.stderr).strip().splitlines()[-1:] or ["?"]
            notes.append(f"Watson skipped: `pip install td-watson` failed ({last[0]})")
    else:
        notes.append("Watson skipped: --no-watson")

    env = Env(root, venv, repo, environ, watson, notes)
    _run(["git", "init", "-q"], cwd=repo, env=environ, what="git init")
    _run([env.bin("ffhooks"), "init"], cwd=repo, env=environ, what="ffhooks init")
    return env


def _instant(round_no: int, offset: int) -> str:
    at = BASE_INSTANT + timedelta(seconds=round_no * ROUND_SECONDS + offset)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _timed(env: Env, name: str, cmd: Sequence[str | Path], extra: Mapping[str, str]) -> float:
    environ = {**env.environ, **extra}
    args = [str(c) for c in cmd]
    t0 = time.perf_counter()
    proc = subprocess.run(args, cwd=env.repo, env=environ, capture_output=True, text=True)
    elapsed = (time.perf_counter() - t0) * 1000.0
    if proc.returncode != 0:
        raise BenchError(_failure(name, cmd, proc))
    return elapsed


def one_round(env: Env, round_no: int) -> dict[str, float]:
    """Each command once, as a fresh process; milliseconds by command name."""
    start_env = {"FFHOOKS_NOW": _instant(round_no, 0)}
    stop_env = {"FFHOOKS_NOW": _instant(round_no, SESSION_SECONDS)}
    out = {
        PYTHON: _timed(env, PYTHON, [env.bin("python"), "-c", "pass"], {}),
        FF_START: _timed(env, FF_START, [env.bin("ffhooks"), "start", "205"], start_env),
        FF_STOP: _timed(env, FF_STOP, [env.bin("ffhooks"), "stop"], stop_env),
    }
    if env.watson:
        out[W_START] = _timed(env, W_START, [env.bin("watson"), "start", "proj"], {})
        out[W_STOP] = _timed(env, W_STOP, [env.bin("watson"), "stop"], {})
    return out


def percentile(samples: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in [0, 100]."""
    data = sorted(samples)
    if not data:
        raise ValueError("no samples")
    pos = (len(data) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def summarize(samples: Mapping[str, Sequence[float]]) -> dict[str, object]:
    stats = {
        name: {
            "median_ms": round(statistics.median(values), 2),
            "p90_ms": round(percentile(values, 90), 2),
            "min_ms": round(min(values), 2),
            "n": len(values),
        }
        for name, values in samples.items()
    }
    med = {name: statistics.median(values) for name, values in samples.items()}
    ratios: dict[str, float | None] = {"start": None, "stop": None}
    if W_START in med:
        ratios = {
            "start": round(med[FF_START] / med[W_START], 3),
            "stop": round(med[FF_STOP] / med[W_STOP], 3),
        }
    overhead = {
        "start": round(med[FF_START] - med[PYTHON], 2),
        "stop": round(med[FF_STOP] - med[PYTHON], 2),
    }
    return {"commands": stats, "ratio_ffhooks_over_watson": ratios, "over_python_ms": overhead}


def _version(env: Env, name: str) -> str:
    proc = _run([env.bin(name), "--version"], cwd=env.repo, env=env.environ, what=name, check=False)
    words = (proc.stdout or proc.stderr).split()
    return words[-1] if proc.returncode == 0 and words else "?"


def render(result: Mapping[str, object], rounds: int) -> str:
    commands = result["commands"]
    ratios = result["ratio_ffhooks_over_watson"]
    overhead = result["over_python_ms"]
    assert isinstance(commands, dict) and isinstance(ratios, dict) and isinstance(overhead, dict)
    lines = [
        f"{rounds} rounds, wall time per process ({result['versions']})",
        f"{'command':<16}{'median ms':>11}{'p90 ms':>10}{'min ms':>10}",
    ]
    for name in ORDER:
        if name in commands:
            s = commands[name]
            lines.append(
                f"{name:<16}{s['median_ms']:>11.1f}{s['p90_ms']:>10.1f}{s['min_ms']:>10.1f}"
            )
    lines.append("")
    for which in ("start", "stop"):
        ratio = ratios[which]
        if ratio is None:
            shown = "n/a (no Watson)"
        else:
            verdict = "ok" if ratio <= TARGET_RATIO else "OVER TARGET"
            shown = f"{ratio:.2f}  (target <= {TARGET_RATIO}: {verdict})"
        lines.append(f"ffhooks/watson {which:<5} median ratio: {shown}")
    for which in ("start", "stop"):
        lines.append(f"ffhooks {which:<5} minus python startup: {overhead[which]:.1f} ms")
    notes = result.get("notes")
    if isinstance(notes, list):
        lines.extend(f"note: {n}" for n in notes)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=30, help="timed rounds (default 30)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument(
        "--project",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the ffhooks project to install (default: the repo holding this script)",
    )
    parser.add_argument("--no-watson", action="store_true", help="do not install or time Watson")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0:
        parser.error("--rounds must be at least 1 and --warmup at least 0")
    project = args.project.resolve()
    if not (project / "pyproject.toml").is_file():
        parser.error(f"{project} has no pyproject.toml")

    root = Path(tempfile.mkdtemp(prefix="ffhooks-bench-"))
    try:
        env = set_up(root, project, want_watson=not args.no_watson, log=not args.json)
        samples: dict[str, list[float]] = {}
        for round_no in range(args.warmup + args.rounds):
            timings = one_round(env, round_no)
            if round_no >= args.warmup:
                for name, ms in timings.items():
                    samples.setdefault(name, []).append(ms)
        versions = "ffhooks " + _version(env, "ffhooks")
        if env.watson:
            versions += ", Watson " + _version(env, "watson")
        result = summarize(samples)
        result.update(
            rounds=args.rounds,
            warmup=args.warmup,
            python=sys.version.split()[0],
            versions=versions,
            target_ratio=TARGET_RATIO,
            notes=env.notes,
        )
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            print(render(result, args.rounds))
    except BenchError as exc:
        print(f"cli_latency: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
