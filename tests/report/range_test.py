"""A report, a closing and `verify`'s closed periods read only the months their range
touches (issue 27): a month's summaries hold its own days only, so a broken file of another
month, which a whole-history report refuses by name, is never even read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import git, set_now

SUMMARIES = ".flowforge/team/summaries"


@pytest.fixture
def months(repo: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """alice with time in October and November, bob in October only, committed; then a
    summary of alice's September that is not JSON, committed past the hook."""
    assert ff("init").code == 0
    for user, entries in {
        "alice": [("205", "1h", "2026-10-06 09:00"), ("206", "2h", "2026-11-10 09:00")],
        "bob": [("207", "3h", "2026-10-07 10:00")],
    }.items():
        monkeypatch.setenv("FFHOOKS_USER", user)
        for task, duration, start in entries:
            assert ff("add", task, duration, "--start", start).code == 0
        assert ff("aggregate").code == 0
    commit_with_a_broken_september(repo)
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    return repo


def commit_with_a_broken_september(repo: Path) -> None:
    """Commit everything, with a summary of alice's September that is not JSON (past the
    hook, which would refuse it)."""
    broken = repo / SUMMARIES / "alice" / "2026-09" / "0123456789abcdef-1.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "time", "--no-verify")


def billable(ff: Any, *args: str) -> int:
    result = ff("report", "--format", "json", *args)
    assert result.code == 0, result.err
    seconds: int = result.json()["totals"]["billable_seconds"]
    return seconds


@pytest.mark.parametrize("ref", [[], ["--ref", "HEAD"]])
def test_a_report_reads_only_the_months_its_range_touches(
    months: Path, ff: Any, ref: list[str]
) -> None:
    november = ["--from", "2026-11-01", "--to", "2026-11-30", *ref]
    assert billable(ff, *november) == 7200
    assert billable(ff, "--from", "2026-10-01", *ref) == 3600 + 7200 + 10800
    assert billable(ff, "--from", "2026-10-31", "--to", "2026-11-01", *ref) == 0
    for whole in ([*ref], ["--to", "2026-09-30", *ref]):  # the broken month is read
        result = ff("report", *whole)
        assert result.code == 1 and "2026-09/0123456789abcdef-1.json" in result.err
        assert "is not valid JSON" in result.err


@pytest.mark.parametrize("ref", [[], ["--ref", "HEAD"]])
def test_a_name_known_only_outside_the_range_is_no_typo(
    months: Path, ff: Any, ref: list[str]
) -> None:
    november = ["--from", "2026-11-01", "--to", "2026-11-30", *ref]
    assert billable(ff, *november, "--user", "bob") == 0  # bob's time is all in October
    result = ff("report", *november, "--user", "bobby")  # users are known by their folders
    assert result.code == 1 and "no summaries for user 'bobby' (known: alice, bob)" in result.err
    # a task no summary of the range knows is looked for in every month: the broken one
    # is read then, and refused by name
    result = ff("report", *november, "--task", "207")
    assert result.code == 1 and "2026-09/0123456789abcdef-1.json" in result.err
    git(months, "rm", "-q", f"{SUMMARIES}/alice/2026-09/0123456789abcdef-1.json")
    git(months, "commit", "-qm", "without the broken file", "--no-verify")
    assert billable(ff, *november, "--task", "207") == 0
    result = ff("report", *november, "--task", "2o7")
    assert result.code == 1 and "no summaries for task '2o7' (known: 205, 206, 207)" in result.err


def test_an_empty_range_of_a_ref_with_summaries_is_zero_not_refused(months: Path, ff: Any) -> None:
    assert billable(ff, "--from", "2027-01-01", "--ref", "HEAD") == 0
    git(months, "checkout", "-q", "--orphan", "empty")
    git(months, "rm", "-rq", "--cached", ".")
    git(months, "commit", "-q", "--allow-empty", "--no-verify", "-m", "nothing")
    result = ff("report", "--from", "2027-01-01", "--ref", "empty")
    assert result.code == 1 and "empty holds no summaries" in result.err


def test_close_and_verify_closed_read_only_the_closed_months(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ff("add", "12", "1h", "--start", "2026-11-03T09:00:00Z").code == 0
    assert ff("aggregate").code == 0
    commit_with_a_broken_september(initialised)
    set_now(monkeypatch, "2026-12-02T12:00:00Z")
    result = ff("close", "2026-11", "-m", "invoice INV-7")
    assert result.code == 0, result.err
    closed = ff("verify", "--closed")
    assert closed.code == 0 and "every closed period unchanged" in closed.out
    result = ff("verify")  # the whole record: the broken month is read, and named
    assert result.code == 1 and "2026-09/0123456789abcdef-1.json" in result.out + result.err
