"""`ffhooks report`: exact totals from the committed summaries, any ref, any format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import git

pytestmark = pytest.mark.usefixtures("team")


@pytest.fixture
def team(repo: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """alice and bob with time on two tasks over two weeks, committed."""
    ff("init")
    for user, entries in {
        "alice": [
            ("205", "1h", "2026-11-09 09:00"),
            ("205", "20m", "2026-11-10 09:00"),
            ("206", "2h", "2026-11-17 09:00"),
        ],
        "bob": [("205", "45m", "2026-11-09 13:00"), ("207", "3h", "2026-11-18 10:00")],
    }.items():
        monkeypatch.setenv("FFHOOKS_USER", user)
        for task, duration, start in entries:
            assert ff("add", task, duration, "--start", start).code == 0
        ff("add", "ops", "30m", "--start", "2026-11-19 08:00", "--no-billable")
        assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "time", "--no-verify")
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    return repo


def rows(ff: Any, *args: str) -> list[dict[str, Any]]:
    result = ff("report", "--format", "json", *args)
    assert result.code == 0, result.err
    found: list[dict[str, Any]] = result.json()["rows"]
    return found


def test_default_groups_by_user_and_task(ff: Any) -> None:
    report = ff("report", "--format", "json").json()
    assert set(report) >= {"from", "to", "group_by", "rows", "totals"}
    assert report["group_by"] == ["user", "task"]
    got = {
        (r["user"], r["task"]): (r["billable_seconds"], r["non_billable_seconds"], r["sessions"])
        for r in report["rows"]
    }
    assert got == {
        ("alice", "205"): (4800, 0, 2),
        ("alice", "206"): (7200, 0, 1),
        ("alice", "ops"): (0, 1800, 1),
        ("bob", "205"): (2700, 0, 1),
        ("bob", "207"): (10800, 0, 1),
        ("bob", "ops"): (0, 1800, 1),
    }
    assert report["totals"] == {
        "billable_seconds": 25500,
        "non_billable_seconds": 3600,
        "sessions": 7,
    }


def test_filters_and_dimensions(ff: Any) -> None:
    assert rows(ff, "--by", "user", "--user", "bob") == [
        {"user": "bob", "billable_seconds": 13500, "non_billable_seconds": 1800, "sessions": 3}
    ]
    weeks = rows(ff, "--by", "week", "--task", "205", "--task", "206")
    assert [(r["week"], r["billable_seconds"]) for r in weeks] == [
        ("2026-W46", 7500),
        ("2026-W47", 7200),
    ]
    days = rows(ff, "--by", "day,user", "--from", "2026-11-10", "--to", "2026-11-17")
    assert [(r["day"], r["user"]) for r in days] == [
        ("2026-11-10", "alice"),
        ("2026-11-17", "alice"),
    ]
    assert rows(ff, "--by", "month")[0]["month"] == "2026-11"


def test_relative_ranges(ff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # NOW is Friday 2026-11-20: this week is 16-22, last week 9-15
    this_week = ff("report", "--format", "json", "--from", "this-week", "--to", "this-week").json()
    assert (this_week["from"], this_week["to"]) == ("2026-11-16", "2026-11-22")
    assert this_week["totals"]["billable_seconds"] == 7200 + 10800
    last = ff("report", "--format", "json", "--from", "last-week", "--to", "last-week").json()
    assert last["totals"]["billable_seconds"] == 4800 + 2700
    month = ff("report", "--format", "json", "--from", "last-month", "--to", "this-month").json()
    assert (month["from"], month["to"]) == ("2026-10-01", "2026-11-30")


def test_ranges_and_weekdays_as_people_type_them(ff: Any) -> None:
    """`last week` with a space, weekdays (the latest, today included), `yesterday`: the
    words `log` and `add` take."""
    last = ff("report", "--format", "json", "--from", "Last Week", "--to", "last week").json()
    assert (last["from"], last["to"]) == ("2026-11-09", "2026-11-15")
    assert last["totals"]["billable_seconds"] == 4800 + 2700
    tuesday = ff("report", "--format", "json", "--from", "tue", "--to", "wednesday").json()
    assert (tuesday["from"], tuesday["to"]) == ("2026-11-17", "2026-11-18")
    assert tuesday["totals"]["billable_seconds"] == 7200 + 10800
    since = ff("report", "--format", "json", "--from", "yesterday").json()
    assert since["from"] == "2026-11-19" and since["totals"]["non_billable_seconds"] == 3600


def test_rounding_is_per_user_task_and_day(ff: Any) -> None:
    report = ff("report", "--format", "json", "--round", "30").json()
    got = {(r["user"], r["task"]): r["billable_seconds"] for r in report["rows"]}
    # alice 205: 1h -> 1h and 20m -> 30m on two days; bob 205: 45m -> 1h
    assert got[("alice", "205")] == 5400 and got[("bob", "205")] == 3600
    assert any("per user, task and day" in n for n in report["notes"])
    nearest = ff("report", "--format", "json", "--round", "60", "--round-mode", "nearest").json()
    assert {(r["user"], r["task"]): r["billable_seconds"] for r in nearest["rows"]}[
        ("alice", "205")
    ] == 3600
    assert "rounded up 30 min per user, task and day" in ff("report", "--round", "30").out


def test_rates_give_amounts(ff: Any, team: Path) -> None:
    (team / ".flowforge/team/config.json").write_text(
        json.dumps(
            {
                "rates": {"default": 100, "users": {"bob": 80}, "tasks": {"207": 150}},
                "currency": "EUR",
            }
        )
    )
    report = ff("report", "--format", "json", "--by", "user").json()
    amounts = {r["user"]: (r["amount"], r["amount_cents"]) for r in report["rows"]}
    # alice 12000 s at 100; bob 2700 s at 80 + 10800 s at 150 (task rate wins); exact:
    # a decimal string and whole cents, never a binary float
    assert amounts == {"alice": ("333.33", 33333), "bob": ("510.00", 51000)}
    assert report["totals"]["amount"] == "843.33" and report["totals"]["amount_cents"] == 84333
    assert report["currency"] == "EUR"
    assert "amount (EUR)" in ff("report").out


def test_every_grouping_gives_the_same_amount_to_the_cent(ff: Any, team: Path) -> None:
    """Amounts are whole cents per user, task and day, added up: any grouping, the same
    total, and each table's rows add up to it (rounded per row, --by user gave 70.87)."""
    (team / ".flowforge/team/config.json").write_text(json.dumps({"rates": {"default": 10.005}}))
    # per user, task and day at 10.005/h: 1h 10.01, 20m 3.34, 2h 20.01, 45m 7.50, 3h 30.02
    seen = set()
    for by in ("user", "task", "day", "week", "month", "user,task", "task,day", "user,task,day"):
        report = ff("report", "--format", "json", "--by", by).json()
        total = report["totals"]["amount_cents"]
        assert sum(r["amount_cents"] for r in report["rows"]) == total, by
        seen.add(total)
    assert seen == {1001 + 334 + 2001 + 750 + 3002}
    rounded = ff("report", "--format", "json", "--by", "user", "--round", "30").json()
    # 20m becomes 30m (5.0025 -> 5.00), 45m becomes 1h (10.01)
    assert rounded["totals"]["amount_cents"] == 1001 + 500 + 2001 + 1001 + 3002


def test_formats(ff: Any, team: Path, tmp_path: Path) -> None:
    table = ff("report").out
    assert "TOTAL" in table and "7:05:00" in table
    csv_text = ff("report", "--format", "csv").out.splitlines()
    assert csv_text[0] == "user,task,billable_seconds,non_billable_seconds,sessions"
    assert "alice,205,4800,0,2" in csv_text
    data = [line.split(",") for line in csv_text[1:] if line.count(",") == 4]
    assert data[-1][0] == "TOTAL"  # the exact seconds of the rows add up to it
    assert [sum(int(r[i]) for r in data[:-1]) for i in (2, 3, 4)] == [int(x) for x in data[-1][2:]]
    md = ff("report", "--format", "markdown").out
    assert md.count("\n|") >= 8
    out = tmp_path / "report.html"
    assert ff("report", "--format", "html", "-o", str(out)).code == 0
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "2026-W46" in page
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")


def test_hostile_task_names_are_escaped(ff: Any, team: Path) -> None:
    ff("add", "<script>alert(1)</script>", "10m", "--start", "2026-11-20 06:00")
    ff("add", "=cmd|' /C calc'!A0", "10m", "--start", "2026-11-20 07:00")
    ff("aggregate")
    page = ff("report", "--format", "html").out
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "\n'=cmd" in ff("report", "--format", "csv", "--by", "task,user").out


def test_report_from_a_ref_without_checkout(ff: Any, team: Path) -> None:
    git(team, "tag", "v1")
    ff("add", "205", "1h", "--start", "2026-11-20 10:00")
    ff("aggregate")
    git(team, "commit", "-qm", "more", "--no-verify")
    head = ff("report", "--format", "json", "--ref", "HEAD").json()["totals"]
    old = ff("report", "--format", "json", "--ref", "v1").json()["totals"]
    assert head["billable_seconds"] - old["billable_seconds"] == 3600
    git(team, "rm", "-rq", ".flowforge/team/summaries")  # the work tree no longer matters
    assert ff("report", "--format", "json", "--ref", "HEAD").json()["totals"] == head
    missing = ff("report", "--ref", "no-such-branch")
    assert missing.code == 1 and "not a commit" in missing.err


def test_newest_seq_wins_per_store_and_month(ff: Any, team: Path) -> None:
    """Two states of one store side by side (as after a merge): only the newest counts."""
    from ffhooks import summary

    [first] = (team / ".flowforge/team/summaries/alice/2026-11").glob("*.json")
    doc = json.loads(first.read_text())
    newer = {**doc, "seq": doc["seq"] + 1, "totals": {}}
    newer["sha256"] = summary.checksum(newer)
    (first.parent / f"{doc['store']}-{newer['seq']}.json").write_text(json.dumps(newer))
    report = ff("report", "--format", "json", "--by", "user").json()
    assert [r["user"] for r in report["rows"]] == ["bob"]
    assert report["totals"]["billable_seconds"] == 13500


def test_tampered_summary_is_refused(ff: Any, team: Path) -> None:
    [path] = (team / ".flowforge/team/summaries/bob/2026-11").glob("*.json")
    path.write_text(path.read_text().replace("10800", "108000"))
    result = ff("report")
    assert result.code == 1 and "sha256" in result.err and "bob/2026-11" in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "user,colour"], "--by"),
        (["--from", "someday"], "is not a date"),
        (["--from", "2026-11-20", "--to", "2026-11-01"], "before --from"),
        (["--round", "-5"], "between 1 and 1440"),
    ],
)
def test_bad_options(ff: Any, args: list[str], message: str) -> None:
    result = ff("report", *args)
    assert result.code == 1 and message in result.err


def test_filters_take_lists_and_refuse_what_no_summary_knows(ff: Any, team: Path) -> None:
    def billable(*args: str) -> int:
        result = ff("report", "--format", "json", *args)
        assert result.code == 0, result.err
        seconds: int = result.json()["totals"]["billable_seconds"]
        return seconds

    assert billable("--user", "ALICE,bob") == billable() == 12000 + 2700 + 10800
    assert billable("--user", "Bob", "--task", "205,207") == 2700 + 10800
    assert billable("--task", "205", "--task", "206") == 3600 + 1200 + 7200 + 2700
    for args, problem in [
        (("--user", ""), "--user was given no name: give one, e.g. --user alice,bob"),
        (("--task", ","), "--task was given no name: give one, e.g. --task alice,bob"),
        (("--user", "alice,dave"), "no summaries for user 'dave' (known: alice, bob)"),
        (("--task", "2o5"), "no summaries for task '2o5' (known: 205, 206, 207, ops)"),
    ]:
        result = ff("report", *args)
        assert result.code == 1 and result.out == ""
        assert result.err.strip() == f"ffhooks: {problem}"
    git(team, "checkout", "-q", "--orphan", "empty")
    git(team, "rm", "-rq", "--cached", ".")
    git(team, "commit", "-q", "--allow-empty", "--no-verify", "-m", "nothing")
    result = ff("report", "--ref", "empty")
    assert result.code == 1 and "empty holds no summaries" in result.err


def test_a_task_name_with_a_comma_is_a_filter_of_its_own(ff: Any, team: Path) -> None:
    assert ff("add", "fix a, b", "1h", "--start", "2026-11-11 09:00").code == 0
    assert ff("add", "b", "2h", "--start", "2026-11-12 09:00").code == 0
    assert ff("aggregate").code == 0
    result = ff("report", "--format", "json", "--task", "fix a, b")
    assert result.code == 0 and result.json()["totals"]["billable_seconds"] == 3600
