"""A bare repository (a manager's mirror, a server-side check; issue 25): `report --ref` and
`verify` read it, with the team config of the ref; every other command refuses with a fix
that fits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import git

CONFIG = ".flowforge/team/config.json"


@pytest.fixture(params=["--bare", "--mirror"])
def bare(
    request: pytest.FixtureRequest, repo: Path, ff: Any, tmp_path: Path, monkeypatch: Any
) -> Path:
    """alice's time committed on main, with rates in the team config, cloned bare; the
    current folder is the bare clone."""
    ff("init")
    config = json.loads((repo / CONFIG).read_text())
    (repo / CONFIG).write_text(json.dumps({**config, "rates": {"default": 100}}))
    assert ff("add", "205", "90m", "--start", "2026-11-09 09:00").code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "time", "--no-verify")
    target = tmp_path / "team.git"
    git(tmp_path, "clone", "-q", request.param, str(repo), str(target))
    monkeypatch.chdir(target)
    return target


def test_report_and_verify_read_a_ref_of_a_bare_repository(bare: Path, ff: Any) -> None:
    report = ff("report", "--ref", "main", "--format", "json")
    assert report.code == 0, report.err
    totals = report.json()["totals"]
    # priced by the rates of the ref's team config: a bare repository has no work tree
    assert totals["billable_seconds"] == 5400 and totals["amount_cents"] == 15000
    for args in (["verify", "--ref", "main"], ["verify"]):
        result = ff(*args)
        assert result.code == 0, (args, result.err)
        assert "all valid" in result.out
    assert not (bare / ".flowforge").exists()  # nothing written as if it were a work tree


def test_a_bare_repository_is_refused_with_the_fix_that_fits(bare: Path, ff: Any) -> None:
    report = ff("report")
    assert report.code == 1 and "bare repository" in report.err and "--ref main" in report.err
    for args in (["status"], ["validate", "--all"], ["aggregate"]):
        result = ff(*args)
        assert result.code == 1, args
        assert "bare repository" in result.err and "git init" not in result.err, result.err
        assert len(result.err.strip().splitlines()) == 1


def test_verify_in_a_bare_repository_still_finds_problems(
    repo: Path, ff: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """A server-side check: a committed private file is refused there too."""
    ff("init")
    assert ff("add", "205", "1h", "--start", "2026-11-09 09:00").code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "add", "-f", ".flowforge/user")
    git(repo, "commit", "-qm", "time", "--no-verify")
    git(tmp_path, "clone", "-q", "--bare", str(repo), "team.git")
    monkeypatch.chdir(tmp_path / "team.git")
    result = ff("verify", "--ref", "main")
    assert result.code == 1 and "private time file committed" in result.out
