"""Many processes at once on one store: every session survives, one timer at most."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import store_dir

WORKERS = 8
ROUNDS = 6


def worker_script(index: int) -> str:
    # each worker owns a disjoint slice of the day for `add`, and fights over the timer
    return f"""
import os, subprocess, sys
def ff(*args, now):
    env = dict(os.environ, FFHOOKS_NOW=now)
    return subprocess.run([sys.executable, "-m", "ffhooks", *args], env=env,
                          capture_output=True, text=True)
for r in range({ROUNDS}):
    minute = {index} * {ROUNDS} + r
    p = ff("add", "w{index}", "45s", "--start", f"2026-11-19T10:{{minute:02d}}:00Z",
           now="2026-11-20T12:00:00Z")
    assert p.returncode == 0, p.stderr
    p = ff("start", "t{index}", now=f"2026-11-20T12:{{r * 8 + {index}:02d}}:00Z")
    assert p.returncode in (0, 1), p.stderr
    p = ff("stop", now=f"2026-11-20T12:{{r * 8 + {index}:02d}}:30Z")
    assert p.returncode in (0, 1), p.stderr
"""


@pytest.mark.slow
def test_parallel_processes_lose_nothing(repo: Path) -> None:
    env = {**os.environ}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", worker_script(i)],
            env=env,
            cwd=repo,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(WORKERS)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    root = store_dir(repo)
    added: list[dict[str, Any]] = []
    timed: list[dict[str, Any]] = []
    for path in (root / "time" / "daily").glob("*.json"):
        for s in json.loads(path.read_text())["sessions"]:
            (added if s["task"].startswith("w") else timed).append(s)
    # every `add` survived, exactly once
    assert len(added) == WORKERS * ROUNDS
    assert len({(s["task"], s["start"]) for s in added}) == WORKERS * ROUNDS
    # every file parses and validates; nothing overlaps; no journal left behind
    from ffhooks.validator.schema import first_error

    for path in root.rglob("*.json"):
        name = {"store.json": "store", "current.json": "current"}.get(path.name, "daily")
        assert first_error(name, json.loads(path.read_text())) is None, path
    spans = sorted((s["start"], s["end"]) for s in added + timed)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert not (root / "journal.json").exists()
