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
import statistics
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _common import (
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
FF_START = "ffhooks start"
FF_STOP = "ffhooks stop"
W_START = "watson start"
W_STOP = "watson stop"
ORDER = (PYTHON, FF_START, FF_STOP, W_START, W_STOP)

BASE_INSTANT = datetime(2026, 1, 5, 9, 0, 0, tzinfo=timezone.utc)
ROUND_SECONDS = 120
SESSION_SECONDS = 60
TARGET_RATIO = 0.5


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


def _clean_environ(home: Path, watson_dir: Path) -> dict[str, str]:
    return child_environ(
        {
            "HOME": str(home),
            "FFHOOKS_USER": "bench",
            "WATSON_DIR": str(watson_dir),
            "GIT_CONFIG_NOSYSTEM": "1",
        },
        drop=("FFHOOKS_NOW", "FFHOOKS_USER", "XDG_CONFIG_HOME"),
    )


def set_up(root: Path, project: Path, *, want_watson: bool, log: bool) -> Env:
    """Venv, installs, a git repo with `ffhooks init` run in it."""
    home, watson_dir, repo, venv = (root / n for n in ("home", "watson", "repo", "venv"))
    for d in (home, watson_dir, repo):
        d.mkdir()
    environ = _clean_environ(home, watson_dir)
    # pip keeps the caller's environment: its config (index, find-links) lives there.
    pip_env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}

    say = stderr_logger(log)

    say(f"creating venv in {venv}")
    run([sys.executable, "-m", "venv", venv], cwd=root, env=pip_env, what="python -m venv")
    pip: list[str | Path] = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
    say(f"installing ffhooks from {project}")
    run([*pip, project], cwd=root, env=pip_env, what="pip install ffhooks")

    notes: list[str] = []
    watson = False
    if want_watson:
        say("installing td-watson")
        proc = run([*pip, "td-watson"], cwd=root, env=pip_env, what="pip", check=False)
        if proc.returncode == 0:
            watson = True
        else:
            last = (proc.stdout + proc.stderr).strip().splitlines()[-1:] or ["?"]
            notes.append(f"Watson skipped: `pip install td-watson` failed ({last[0]})")
    else:
        notes.append("Watson skipped: --no-watson")

    env = Env(root, venv, repo, environ, watson, notes)
    run(["git", "init", "-q"], cwd=repo, env=environ, what="git init")
    run([env.bin("ffhooks"), "init", "--no-hook"], cwd=repo, env=environ, what="ffhooks init")
    return env


def _instant(round_no: int, offset: int) -> str:
    at = BASE_INSTANT + timedelta(seconds=round_no * ROUND_SECONDS + offset)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _timed(env: Env, name: str, cmd: Sequence[str | Path], extra: Mapping[str, str]) -> float:
    return timed(cmd, cwd=env.repo, env={**env.environ, **extra}, what=name)


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


def summarize(samples: Mapping[str, Sequence[float]]) -> dict[str, object]:
    table = {name: stats(values) for name, values in samples.items()}
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
    return {"commands": table, "ratio_ffhooks_over_watson": ratios, "over_python_ms": overhead}


def _version(env: Env, name: str) -> str:
    proc = run([env.bin(name), "--version"], cwd=env.repo, env=env.environ, what=name, check=False)
    words = (proc.stdout or proc.stderr).split()
    return words[-1] if proc.returncode == 0 and words else "?"


def render(result: Mapping[str, object], rounds: int) -> str:
    commands = result["commands"]
    ratios = result["ratio_ffhooks_over_watson"]
    overhead = result["over_python_ms"]
    assert isinstance(commands, dict) and isinstance(ratios, dict) and isinstance(overhead, dict)
    lines = [
        f"{rounds} rounds, wall time per process ({result['versions']})",
        table_header("command", 16),
    ]
    for name in ORDER:
        if name in commands:
            lines.append(table_row(name, commands[name], 16))
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

    with temp_root("ffhooks-bench-", keep=args.keep) as root:
        try:
            env = set_up(root, project, want_watson=not args.no_watson, log=not args.json)
            samples = sample_rounds(
                lambda n: one_round(env, n), rounds=args.rounds, warmup=args.warmup
            )
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
