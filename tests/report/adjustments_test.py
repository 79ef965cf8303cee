"""Late entries into closed periods (issue 28, item 9): time added to a closed period since
it was closed is an adjustment to bill (`verify` passes, with a `warning:` line naming it and
its amount); any figure that went down, on any day, is a problem (`verify` exits 1 naming
it), and reports tell the two apart."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git, sessions, set_now
from helpers import set_config
from report.closing_test import AFTER, NOV, TAG, record, report

ADDED = f"{TAG}: alice task 12 added since the period was closed"
LOWERED = "lowered since the period was closed"


@pytest.fixture
def closed(initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Rates of 97.37 EUR an hour committed; alice's 1 h on task 12 on Nov 3 and 30 min on
    Nov 4, committed, then November closed on Dec 2."""
    repo = initialised
    set_config(repo, rates={"default": 97.37}, currency="EUR")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "rates")
    record(ff, repo, ("12", "1h", "2026-11-03T09:00:00Z"), ("12", "30m", "2026-11-04T09:00:00Z"))
    set_now(monkeypatch, AFTER)
    assert ff("close", "2026-11").code == 0
    return repo


def session_on(ff: Any, day: str) -> str:
    """The id of alice's session that starts on `day`."""
    (found,) = [s["id"] for s in sessions(ff) if s["start"].startswith(day)]
    return str(found)


def move(ff: Any, day: str, start: str, end: str) -> None:
    """alice's session of `day` to start..end."""
    moved = ff("edit", session_on(ff, day), "--start", start, "--end", end)
    assert moved.code == 0, moved.err


def folded(ff: Any, repo: Path) -> None:
    assert ff("aggregate").code == 0
    assert commit(repo, "-m", "changed").returncode == 0


def alice_down_bob_up(ff: Any, repo: Path, monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """alice's session of `day` removed, and bob's 2 h on task 14 on Nov 10 added: one user
    and task lowered, another raised, in one closed period."""
    assert ff("remove", session_on(ff, day)).code == 0
    folded(ff, repo)
    monkeypatch.setenv("FFHOOKS_USER", "bob")
    record(ff, repo, ("14", "2h", "2026-11-10T09:00:00Z"))


def test_an_addition_passes_with_its_notice_and_amount(closed: Path, ff: Any) -> None:
    record(ff, closed, ("12", "1h30m", "2026-11-05T09:00:00Z"))
    for args in ((), ("--closed",)):
        result = ff("verify", *args)
        assert result.code == 0, result.out
        (line,) = [x for x in result.out.splitlines() if "added since" in x]
        # 1.5 h at 97.37 an hour: 146.055, half up to the cent
        assert line == (
            f"warning: {ADDED} (billable +1:30:00, sessions +1, +146.06 EUR): an adjustment "
            "to bill; once billed, `ffhooks close 2026-11 --amend` closes the period again"
        )
        assert "1 adjustment(s) to bill in closed periods (above)" in result.out
    assert "no closed period lowered" in ff("verify", "--closed").out
    assert ff("close", "2026-11", "--amend").code == 0
    result = ff("verify", "--closed")
    assert result.code == 0 and "added since" not in result.out
    assert "every closed period unchanged" in result.out


def test_a_lowering_fails_naming_the_day(closed: Path, ff: Any) -> None:
    assert ff("remove", session_on(ff, "2026-11-04")).code == 0
    folded(ff, closed)
    for args in ((), ("--closed",)):
        result = ff("verify", *args)
        assert result.code == 1 and "1 problem(s)" in result.err, result.out
        (line,) = [x for x in result.out.splitlines() if LOWERED in x]
        assert line.startswith(
            f"{TAG}: alice task 12 {LOWERED} (2026-11-04 billable -0:30:00, sessions -1; "
            "in all: billable -0:30:00, sessions -1, -48.69 EUR): billed time was taken out"
        )
        assert "`ffhooks close 2026-11 --amend`" in line and "warning:" not in line


def test_up_on_one_day_and_down_on_another_is_a_lowering(closed: Path, ff: Any) -> None:
    """Nov 4's half hour moved to Nov 6, and 2 h more on Nov 6: task 12 gained 2 h in all,
    yet what was billed for Nov 4 is gone."""
    move(ff, "2026-11-04", "2026-11-06T09:00:00Z", "2026-11-06T09:30:00Z")
    assert ff("add", "12", "2h", "--start", "2026-11-06T11:00:00Z").code == 0
    folded(ff, closed)
    result = ff("verify", "--closed")
    assert result.code == 1
    (line,) = [x for x in result.out.splitlines() if "alice task 12" in x]
    assert f"{LOWERED} (2026-11-04 billable -0:30:00, sessions -1; in all: billable " in line
    assert "2026-11-06" not in line  # what went up is not what fails
    (a,) = report(ff, *NOV)["adjustments"]
    assert report(ff, *NOV, "--by", "day")["adjustments"] == [a]  # read by day, or not
    assert (a["kind"], a["billable_seconds"]) == ("lowering", 7200)
    assert a["lowered"] == [
        {
            "period": "2026-11-04",
            "billable_seconds": -1800,
            "non_billable_seconds": 0,
            "sessions": -1,
        }
    ]


def test_a_session_moved_to_another_day_alone_is_a_lowering_too(closed: Path, ff: Any) -> None:
    """Nov 4's half hour moved to Nov 7: nothing changed in all, but Nov 4 went down."""
    move(ff, "2026-11-04", "2026-11-07T09:00:00Z", "2026-11-07T09:30:00Z")
    folded(ff, closed)
    result = ff("verify", "--closed")
    assert result.code == 1
    assert "(2026-11-04 billable -0:30:00, sessions -1; in all: unchanged)" in result.out
    (a,) = report(ff, *NOV)["adjustments"]
    assert a["kind"] == "lowering" and a["amount_cents"] == 0


def test_only_the_months_whose_summaries_changed_are_read_by_day(
    closed: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """October closed too; a late hour in November: only November's summaries differ from
    those at its closing's commit."""
    from ffhooks.git.plumbing import find_repo
    from ffhooks.report import closing
    from ffhooks.trust import record as listing

    record(ff, closed, ("12", "1h", "2026-10-05T09:00:00Z"))
    assert ff("close", "2026-10").code == 0
    repo = find_repo(closed)
    assert repo is not None

    def changed() -> set[str]:
        found = closing.closed_periods(repo)
        return closing.changed_months(found, listing.listing(closed, "HEAD", None))

    assert changed() == set()
    monkeypatch.setenv("FFHOOKS_USER", "bob")
    record(ff, closed, ("14", "1h", "2026-11-10T09:00:00Z"))
    assert changed() == {"2026-11"}


def test_a_task_renamed_away_is_a_lowering_and_its_new_name_an_addition(
    closed: Path, ff: Any
) -> None:
    assert ff("edit", session_on(ff, "2026-11-04"), "--task", "15").code == 0
    folded(ff, closed)
    result = ff("verify", "--closed")
    assert result.code == 1
    assert f"{TAG}: alice task 12 {LOWERED} (2026-11-04 billable -0:30:00" in result.out
    assert f"warning: {TAG}: alice task 15 added since the period was closed" in result.out


def test_one_user_up_and_another_down_fails_naming_only_the_lowering(
    closed: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice_down_bob_up(ff, closed, monkeypatch, "2026-11-03")
    result = ff("verify")
    assert result.code == 1 and "1 problem(s)" in result.err
    problems = [x for x in result.out.splitlines() if not x.startswith("warning: ")]
    assert [x.split(" (")[0] for x in problems] == [f"{TAG}: alice task 12 {LOWERED}"]
    assert f"warning: {TAG}: bob task 14 added since the period was closed" in result.out
    doc = ff("verify", "--format", "json").json()
    assert doc["ok"] is False
    assert [p["problem"].split(" (")[0] for p in doc["problems"]] == [f"alice task 12 {LOWERED}"]
    assert [(a["user"], a["kind"]) for a in doc["adjustments"]] == [("bob", "addition")]


def test_verify_json_gives_the_adjustments_apart_and_ok(closed: Path, ff: Any) -> None:
    record(ff, closed, ("12", "1h30m", "2026-11-05T09:00:00Z"))
    result = ff("verify", "--format", "json")
    assert result.code == 0
    doc = result.json()
    assert doc["ok"] is True and doc["problems"] == [] and doc["currency"] == "EUR"
    assert not [w for w in doc["warnings"] if "added since" in w["problem"]]
    (a,) = doc["adjustments"]
    assert a == {
        "tag": TAG,
        "period": "2026-11",
        "user": "alice",
        "task": "12",
        "billable_seconds": 5400,
        "non_billable_seconds": 0,
        "sessions": 1,
        "kind": "addition",
        "amount": "146.06",
        "amount_cents": 14606,
        "lowered": [],
        "notice": a["notice"],
    }
    assert a["notice"].startswith(ADDED)
    unchanged = ff("verify", "--closed", "--format", "json", "--ref", "HEAD~1").json()
    assert unchanged["ok"] is True and unchanged["adjustments"] == []
    assert "currency" not in unchanged


def test_without_rates_an_adjustment_has_no_amount(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(ff, initialised, ("12", "1h", "2026-11-03T09:00:00Z"))
    set_now(monkeypatch, AFTER)
    assert ff("close", "2026-11").code == 0
    record(ff, initialised, ("12", "1h", "2026-11-05T09:00:00Z"))
    result = ff("verify", "--closed")
    assert result.code == 0
    assert f"{ADDED} (billable +1:00:00, sessions +1): an adjustment to bill" in result.out
    (a,) = ff("verify", "--format", "json").json()["adjustments"]
    assert "amount" not in a and "amount_cents" not in a
    assert "currency" not in ff("verify", "--format", "json").json()
    (r,) = report(ff, *NOV)["adjustments"]
    assert "amount" not in r


def test_report_notes_say_to_bill_or_lowered(
    closed: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice_down_bob_up(ff, closed, monkeypatch, "2026-11-04")
    notes = [x for x in ff("report", *NOV).out.splitlines() if "ADJUSTMENT" in x]
    head = "note: ADJUSTMENT to closed period 2026-11 (shown above as closed)"
    assert notes == [
        f"{head}, lowered since closed: alice 12 2026-11-04 billable -0:30:00, sessions -1 "
        "(in all: billable -0:30:00, sessions -1, -48.69 EUR): not billable back "
        "automatically; see `ffhooks verify`",
        f"{head}, to bill: bob 14 billable +2:00:00, sessions +1, +194.74 EUR since it was closed",
    ]
    doc = report(ff, *NOV)
    assert [(a["user"], a["kind"], a["amount"], a["amount_cents"]) for a in doc["adjustments"]] == [
        ("alice", "lowering", "-48.69", -4869),
        ("bob", "addition", "194.74", 19474),
    ]


@pytest.mark.parametrize("rounding", [(), ("--round", "15")])
def test_adjustments_amounts_are_the_difference_of_the_reports_to_the_cent(
    closed: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, rounding: tuple[str, ...]
) -> None:
    """Priced as the report prices units: per user, task and day, rounded as it rounds, so
    the closed report's total and its adjustments add up to today's total, to the cent."""
    record(
        ff,
        closed,
        ("12", "7m", "2026-11-03T11:00:00Z"),
        ("12", "1h1m", "2026-11-09T09:00:00Z"),
        ("13", "23m", "2026-11-09T11:00:00Z"),
    )
    monkeypatch.setenv("FFHOOKS_USER", "bob")
    record(ff, closed, ("14", "2h13m", "2026-11-10T09:00:00Z"))
    doc = report(ff, *NOV, *rounding)
    today = report(ff, *NOV, *rounding, "--ignore-closed")
    cents = [a["amount_cents"] for a in doc["adjustments"]]
    assert len(cents) == 3 and all(c > 0 for c in cents)
    assert doc["totals"]["amount_cents"] + sum(cents) == today["totals"]["amount_cents"]


def test_a_report_with_adjustments_matches_its_schema(closed: Path, ff: Any) -> None:
    from ffhooks.validator.schema import first_error

    assert ff("remove", session_on(ff, "2026-11-04")).code == 0
    folded(ff, closed)
    record(ff, closed, ("13", "1h", "2026-11-05T09:00:00Z"))
    doc = report(ff, *NOV)
    assert {a["kind"] for a in doc["adjustments"]} == {"addition", "lowering"}
    assert first_error("report", doc) is None
    assert ff("schema", "report").code == 0


def test_month_level_summaries_compare_whole_months(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = initialised
    set_config(repo, summary_detail={"period": "month"})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "by month")
    record(ff, repo, ("12", "1h", "2026-11-03T09:00:00Z"), ("12", "1h", "2026-11-04T09:00:00Z"))
    set_now(monkeypatch, AFTER)
    assert ff("close", "2026-11").code == 0
    record(ff, repo, ("12", "1h", "2026-11-05T09:00:00Z"))
    assert ff("verify", "--closed").code == 0
    assert ff("remove", session_on(ff, "2026-11-03")).code == 0
    assert ff("remove", session_on(ff, "2026-11-04")).code == 0
    folded(ff, repo)
    result = ff("verify", "--closed")
    assert result.code == 1 and f"{LOWERED} (2026-11 billable -1:00:00, sessions -1;" in result.out


def test_the_workflow_passes_an_addition_as_a_warning_and_fails_a_lowering(
    closed: Path, ff: Any, tmp_path: Path
) -> None:
    """docs/github-actions-verify.yml as GitHub runs it: its problem matcher registered
    (the step run with bash), then the push check, exit code and output as the runner sees
    them; the matcher's pattern turns the notice into a warning annotation."""
    import shlex
    import subprocess

    import yaml

    workflow = yaml.safe_load(
        (Path(__file__).parents[2] / "docs/github-actions-verify.yml").read_text()
    )
    steps = workflow["jobs"]["verify"]["steps"]
    (matcher_step,) = [s for s in steps if "add-matcher" in s.get("run", "")]
    (push,) = [s for s in steps if s.get("if") == "github.event_name == 'push'"]
    assert steps.index(matcher_step) < steps.index(push)
    runner = tmp_path / "runner"
    runner.mkdir()
    registered = subprocess.run(
        ("bash", "-e", "-c", matcher_step["run"]),
        env={"PATH": "/usr/bin:/bin", "RUNNER_TEMP": str(runner)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (path,) = re.findall(r"^::add-matcher::(.+)$", registered, re.M)
    (matcher,) = json.loads(Path(path).read_text())["problemMatcher"]
    assert matcher["severity"] == "warning"
    (pattern,) = matcher["pattern"]

    def annotations(out: str) -> list[str]:
        found = [re.match(pattern["regexp"], line) for line in out.splitlines()]
        return [m[pattern["message"]] for m in found if m]

    before = git(closed, "rev-parse", "HEAD").strip()
    record(ff, closed, ("12", "1h", "2026-11-05T09:00:00Z"))
    command = push["run"].replace("${{ github.event.before }}", before)
    ran = subprocess.run(("bash", "-e", "-c", command), cwd=closed, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert [a for a in annotations(ran.stdout) if a.startswith(ADDED)]
    assert shlex.split(command)[:2] == ["ffhooks", "verify"]
    assert ff("remove", session_on(ff, "2026-11-04")).code == 0
    folded(ff, closed)
    ran = subprocess.run(("bash", "-e", "-c", command), cwd=closed, capture_output=True, text=True)
    assert ran.returncode == 1 and LOWERED in ran.stdout
    assert not [a for a in annotations(ran.stdout) if LOWERED in a]  # a failure, not a warning
