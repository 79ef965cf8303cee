from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_runs_a_team_week_end_to_end(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "ffhooks", "demo", str(folder)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    # ana 6h45m billable a day, ben 7h15m, cleo 7h: five days, read from a fresh clone
    assert "TOTAL         105:00:00       2:30:00        35" in proc.stdout
    assert (folder / "report.html").read_text().startswith("<!DOCTYPE html>")
    log = subprocess.run(
        ["git", "log", "--oneline", "--merges", "main"],
        cwd=folder / "manager",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Merge feature/42-export" in log
    again = subprocess.run(
        [sys.executable, "-m", "ffhooks", "demo", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 1 and "not empty" in again.stderr
