"""Helpers shared by the benchmark scripts in this folder (not a benchmark itself).

The scripts run as `python3 bench/<name>.py`, which puts this folder on `sys.path`, so they
import it as `from _common import ...`; mypy, checking `bench` as a folder without
`__init__.py`, sees it under the same name.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Bench Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
}


class BenchError(Exception):
    """A step of the set-up or of a round failed; the message says which and why."""


def failure(what: str, cmd: Sequence[str | Path], proc: subprocess.CompletedProcess[str]) -> str:
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-20:])
    shown = " ".join(str(c) for c in cmd)
    return f"{what} failed (exit {proc.returncode}): {shown}\n{tail}"


def run(
    cmd: Sequence[str | Path],
    *,
    cwd: Path,
    env: Mapping[str, str],
    what: str | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run `cmd` to completion, output captured; with `check`, a non-zero exit raises
    BenchError naming `what` (default: the program)."""
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=dict(env), capture_output=True, text=True
    )
    if check and proc.returncode != 0:
        raise BenchError(failure(what or str(cmd[0]), cmd, proc))
    return proc


def timed(cmd: Sequence[str | Path], *, cwd: Path, env: Mapping[str, str], what: str) -> float:
    """Wall time of one process, in ms; a non-zero exit raises BenchError naming `what`."""
    args = [str(c) for c in cmd]
    environ = dict(env)
    t0 = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=environ, capture_output=True, text=True)
    elapsed = (time.perf_counter() - t0) * 1000.0
    if proc.returncode != 0:
        raise BenchError(failure(what, cmd, proc))
    return elapsed


def iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def scripts_dir() -> Path:
    """Where this interpreter's console scripts (ffhooks, pre-commit) live."""
    return Path(sysconfig.get_path("scripts"))


def child_environ(
    values: Mapping[str, str],
    *,
    drop_prefixes: tuple[str, ...] = ("PYTHON",),
    drop: Iterable[str] = (),
) -> dict[str, str]:
    """The caller's environment without `PYTHON*` (and `drop_prefixes`) variables,
    `VIRTUAL_ENV` and `drop`, then `values` set; LC_ALL defaults to C.UTF-8."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop_prefixes)}
    for key in ("VIRTUAL_ENV", *drop):
        env.pop(key, None)
    env.update(values)
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def scripts_environ(
    home: Path, *, user: str, now: str, tools: Sequence[str], **values: str
) -> dict[str, str]:
    """A child environment for running this interpreter's console scripts by name: its
    scripts folder first on PATH, no `PYTHON*`, `GIT_*`, `FFHOOKS_*` or `PRE_COMMIT*`
    variables of the caller, a fixed git identity, UTC; each of `tools` must be found."""
    scripts = scripts_dir()
    env = child_environ(
        {
            "HOME": str(home),
            "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}",
            **values,
            "GIT_CONFIG_NOSYSTEM": "1",
            **GIT_IDENTITY,
            "TZ": "UTC",
            "FFHOOKS_USER": user,
            "FFHOOKS_NOW": now,
        },
        drop_prefixes=("PYTHON", "GIT_", "FFHOOKS_", "PRE_COMMIT"),
    )
    for tool in tools:
        if shutil.which(tool, path=env["PATH"]) is None:
            raise BenchError(f"`{tool}` is not on PATH (looked in {scripts} first)")
    return env


def percentile(samples: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in [0, 100]."""
    data = sorted(samples)
    if not data:
        raise ValueError("no samples")
    pos = (len(data) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def stats(values: Sequence[float]) -> dict[str, float]:
    """median, p90 and min (ms, 2 decimals) and the number of samples."""
    return {
        "median_ms": round(statistics.median(values), 2),
        "p90_ms": round(percentile(values, 90), 2),
        "min_ms": round(min(values), 2),
        "n": len(values),
    }


def table_header(first: str, width: int) -> str:
    """Header of a table of `stats` rows; `width` is the first column's."""
    return f"{first:<{width}}{'median ms':>11}{'p90 ms':>10}{'min ms':>10}"


def table_row(label: str, s: Mapping[str, float], width: int) -> str:
    return f"{label:<{width}}{s['median_ms']:>11.1f}{s['p90_ms']:>10.1f}{s['min_ms']:>10.1f}"


def sample_rounds(
    one_round: Callable[[int], Mapping[str, float]],
    *,
    rounds: int,
    warmup: int,
    say: Callable[[str], None] = lambda _: None,
) -> dict[str, list[float]]:
    """Run `warmup` untimed then `rounds` timed rounds; each timed round's figures by name."""
    samples: dict[str, list[float]] = {}
    for round_no in range(warmup + rounds):
        timings = one_round(round_no)
        if round_no >= warmup:
            for name, value in timings.items():
                samples.setdefault(name, []).append(value)
        say(f"round {round_no + 1}/{warmup + rounds}")
    return samples


def stderr_logger(enabled: bool) -> Callable[[str], None]:
    """A `say(text)` printing progress to stderr, or doing nothing."""

    def say(text: str) -> None:
        if enabled:
            print(text, file=sys.stderr, flush=True)

    return say


@contextmanager
def temp_root(prefix: str, *, keep: bool) -> Iterator[Path]:
    """A temporary directory, removed afterwards unless `keep` (then its path is printed)."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield root
    finally:
        if keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
