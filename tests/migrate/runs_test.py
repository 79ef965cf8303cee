"""`ffhooks migrate --rollback`: each run is recorded, and taken back exactly, in whole or for
one source, before or after it was committed (through the real hooks), refusing where later
commits built on it unless forced, and checked against the report before the run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git

FIXTURES = Path(__file__).parents[1] / "fixtures" / "legacy"
V1 = ".task-times.json"
JSONL = "sessions.jsonl"
SUMMARIES = ".flowforge/team/summaries"


def place(repo: Path, fixture: str, where: str) -> Path:
    target = repo / where
    shutil.copyfile(FIXTURES / fixture, target)
    return target


def report(ff: Any) -> dict[str, Any]:
    result = ff("report", "--format", "json", "--by", "user,task,month")
    assert result.code == 0, result.err
    return {k: v for k, v in result.json().items() if k in ("rows", "totals")}


def migrate(ff: Any, *args: str) -> dict[str, Any]:
    result = ff("migrate", "--json", *args)
    assert "Traceback" not in result.err
    found: dict[str, Any] = json.loads(result.out)
    return found


def rollback(ff: Any, *args: str) -> dict[str, Any]:
    result = ff("migrate", "--rollback", *args, "--json")
    assert result.code == 0, result.err
    found: dict[str, Any] = result.json()
    return found


@pytest.fixture
def sources(hooked: Path) -> Path:
    """A repository set up with the real hooks (time folded at each commit), its legacy
    file and a JSON-lines export placed."""
    place(hooked, "task-times.json", V1)
    place(hooked, "sessions.jsonl", JSONL)
    git(hooked, "add", V1, JSONL)
    assert commit(hooked, "-m", "legacy files").returncode == 0
    return hooked


def test_a_run_not_yet_committed_is_taken_back_file_by_file(sources: Path, ff: Any) -> None:
    before = report(ff)
    out = migrate(ff)
    run = out["run"]
    assert run and out["written"]
    assert report(ff) != before
    (recorded,) = ff("migrate", "--runs", "--json").json()["runs"]
    assert recorded["id"] == run and len(recorded["files"]) == len(out["written"])
    done = rollback(ff)
    assert done["run"] == run and sorted(done["deleted"]) == sorted(out["written"])
    assert done["written"] == [] and done["since"] == {}
    assert report(ff) == before
    assert git(sources, "status", "--porcelain", SUMMARIES) == ""
    # the ledger went with it: a new migration counts every session again, once
    again = migrate(ff)
    assert sorted(again["written"]) == sorted(out["written"])
    assert again["totals"] == out["totals"]
    shown = ff("migrate", "--runs").out
    assert f"{run}  " in shown and "rolled back" in shown


def test_a_committed_run_is_taken_back_in_a_commit_the_hooks_accept(sources: Path, ff: Any) -> None:
    before = report(ff)
    out = migrate(ff)
    assert commit(sources, "-m", "migrated").returncode == 0
    migrated = report(ff)
    done = rollback(ff)
    assert done["deleted"] == [] and len(done["written"]) == len(out["written"])
    assert done["since"] == {}
    assert report(ff) == before
    result = commit(sources, "-m", "roll back the migration")
    assert result.returncode == 0, result.stderr
    assert report(ff) == before
    assert ff("verify").code == 0
    assert (
        ff("report", "--ref", "HEAD~1", "--format", "json").json()["totals"] == (migrated["totals"])
    )
    # taken back already: said, nothing written
    again = ff("migrate", "--rollback")
    assert again.code == 1 and "rolled back already" in again.err


def test_later_commits_stop_a_rollback_unless_forced(sources: Path, ff: Any) -> None:
    before = report(ff)
    migrate(ff)
    assert commit(sources, "-m", "migrated").returncode == 0
    (sources / "work.txt").write_text("more")
    git(sources, "add", "work.txt")
    assert commit(sources, "-m", "later work").returncode == 0
    refused = ff("migrate", "--rollback")
    assert refused.code == 1 and "1 commit(s) were made on top" in refused.err
    assert "--force" in refused.err and "Traceback" not in refused.err
    assert rollback(ff, "--force")["since"] == {}
    assert report(ff) == before


def test_one_source_of_a_run_is_taken_back_alone(sources: Path, ff: Any) -> None:
    only_v1 = migrate(ff, "--source", V1)
    rollback(ff)  # an empty start: the v1 part alone, to compare with
    assert ff("migrate", "--rollback").code == 1
    out = migrate(ff, "--source", V1, "--source", JSONL)
    assert {s["shown"] for s in out["sources"]} == {V1, JSONL}
    done = rollback(ff, "--source", JSONL)
    assert done["since"] is None  # the run's other source is still in
    totals = report(ff)["totals"]
    assert totals["billable_seconds"] == only_v1["totals"]["billable_seconds"]
    assert [s for s in ff("migrate", "--runs", "--json").json()["runs"][-1]["rolled_back"]]
    # the rest of it, then: nothing left
    rollback(ff, out["run"])
    assert report(ff)["totals"]["billable_seconds"] == 0


def test_a_run_that_superseded_an_earlier_one_gives_its_figures_back(
    sources: Path, ff: Any
) -> None:
    migrate(ff, "--source", V1)
    assert commit(sources, "-m", "migrated").returncode == 0
    utc = report(ff)
    tokyo = migrate(ff, "--source", V1, "--timezone", "Asia/Tokyo")
    assert tokyo["written"]  # other day cuts: the same stores' months written again
    done = rollback(ff)
    assert done["since"] == {} and sorted(done["deleted"]) == sorted(tokyo["written"])
    assert report(ff) == utc


def test_superseded_since_is_refused_unless_forced(sources: Path, ff: Any) -> None:
    first = migrate(ff, "--source", V1)
    migrate(ff, "--source", V1, "--timezone", "Asia/Tokyo")
    refused = ff("migrate", "--rollback", first["run"])
    assert refused.code == 1 and "was superseded since by" in refused.err
    forced = rollback(ff, first["run"], "--force")
    assert forced["written"] and forced["removed"]
    assert report(ff)["totals"]["billable_seconds"] == 0  # the later run's, taken back too


def test_bad_requests_are_refused_in_one_line(sources: Path, ff: Any) -> None:
    none = ff("migrate", "--rollback")
    assert none.code == 1 and "no migration run is recorded" in none.err
    run = migrate(ff, "--source", V1)["run"]
    unknown = ff("migrate", "--rollback", "2020")
    assert unknown.code == 1 and "no migration run is named '2020'" in unknown.err
    other = ff("migrate", "--rollback", run, "--source", "elsewhere.json")
    assert other.code == 1 and f"run {run} migrated {V1}" in other.err
    assert ff("migrate", "--force").code == 1
    record = next((sources / ".git" / "ffhooks" / "migrate" / "runs").glob("*.json"))
    record.write_text("{broken")
    broken = ff("migrate", "--rollback")
    assert broken.code in (1, 2) and str(record) in broken.err
    assert len(broken.err.strip().splitlines()) == 1
