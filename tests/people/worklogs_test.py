"""`ffhooks export --format csv|jira-worklogs|tempo|ical`: the caller's sessions with their
real times, or with --team the team's time per user, day and task exactly as `ffhooks
report` counts it (closed periods as closed); every row with an id that a second export,
from any clone, gives again."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git, set_now

NOV = ("--from", "2026-11-01", "--to", "2026-11-30")


def record(ff: Any, repo: Path, user: str, *entries: tuple[str, ...]) -> None:
    """Add each (task, duration, start, *flags) as `user`, aggregate and commit."""
    for task, duration, start, *flags in entries:
        result = ff("add", task, duration, "--start", start, "--user", user, *flags)
        assert result.code == 0, result.err
    assert ff("aggregate").code == 0
    git(repo, "add", ".flowforge/team")  # the team config too, as `ffhooks init` asks
    assert commit(repo, "-m", f"time of {user}").returncode == 0


@pytest.fixture
def team(initialised: Path, ff: Any) -> Path:
    """alice and bob, a few days of November, committed."""
    record(
        ff,
        initialised,
        "alice",
        ("205", "1h30m", "2026-11-18T09:00:00Z"),
        ("PAY-7", "45m", "2026-11-19T14:00:00Z", "--note", "call, with the client; ok"),
        ("205", "20m", "2026-11-19T23:50:00Z", "--no-billable"),  # across midnight
    )
    record(ff, initialised, "bob", ("205", "2h", "2026-11-18T10:00:00Z", "--new-user"))
    return initialised


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def exported(ff: Any, *args: str) -> str:
    result = ff("export", *args)
    assert result.code == 0, result.err
    out: str = result.out
    return out


def test_own_sessions_with_real_times_and_ids_that_a_second_export_gives_again(
    team: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = rows(exported(ff, "--format", "csv", *NOV))
    assert [(r["task"], r["start"], r["end"], r["billable_seconds"]) for r in first] == [
        ("205", "2026-11-18T09:00:00+00:00", "2026-11-18T10:30:00+00:00", "5400"),
        ("PAY-7", "2026-11-19T14:00:00+00:00", "2026-11-19T14:45:00+00:00", "2700"),
        ("205", "2026-11-19T23:50:00+00:00", "2026-11-20T00:10:00+00:00", "0"),
    ]
    assert {r["user"] for r in first} == {"alice"}  # bob's time is not alice's export
    assert first[1]["note"] == "call, with the client; ok"
    assert first[2]["non_billable_seconds"] == "1200"
    # later: a new session, and a day later; the first rows keep their ids
    assert ff("add", "205", "1h", "--start", "2026-11-20T08:00:00Z").code == 0
    set_now(monkeypatch, "2026-11-21T09:00:00Z")
    again = rows(exported(ff, "--format", "csv", *NOV))
    assert [r["id"] for r in again[:3]] == [r["id"] for r in first]
    assert len(again) == 4 and len({r["id"] for r in again}) == 4
    # the same ids in every format a tool imports
    ids = [r["id"] for r in again]
    assert [w["id"] for w in json.loads(exported(ff, "--format", "jira-worklogs"))] == ids
    assert [r["External Id"] for r in rows(exported(ff, "--format", "tempo"))] == ids
    calendar = exported(ff, "--format", "ical")
    assert [line[4:] for line in calendar.split("\r\n") if line.startswith("UID:")] == [
        f"{i}@ffhooks" for i in ids
    ]


def test_team_export_counts_what_the_report_counts_and_a_clone_gives_the_same_ids(
    team: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = rows(exported(ff, "--team", "--format", "csv", *NOV))
    doc = json.loads(ff("report", "--format", "json", "--by", "user,task,day", *NOV).out)
    counted = {
        (r["user"], r["task"], r["day"]): (r["billable_seconds"], r["non_billable_seconds"])
        for r in doc["rows"]
        if r["billable_seconds"] or r["non_billable_seconds"]
    }
    assert {
        (r["user"], r["task"], r["day"]): (
            int(r["billable_seconds"]),
            int(r["non_billable_seconds"]),
        )
        for r in out
    } == counted
    assert ("alice", "205", "2026-11-20") in counted  # the midnight session's second day
    assert all(r["start"] == r["end"] == "" for r in out)  # no invented times
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(team), str(clone))
    monkeypatch.chdir(clone)
    monkeypatch.setenv("FFHOOKS_USER", "carol")
    there = rows(exported(ff, "--team", "--format", "csv", *NOV))
    assert [r["id"] for r in there] == [r["id"] for r in out]


def test_team_export_gives_closed_periods_as_closed(
    team: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_now(monkeypatch, "2026-12-02T12:00:00Z")
    assert ff("close", "2026-11").code == 0
    before = rows(exported(ff, "--team", "--format", "csv", *NOV))
    record(ff, team, "alice", ("205", "3h", "2026-11-05T09:00:00Z"))  # late: an adjustment
    result = ff("export", "--team", "--format", "csv", *NOV)
    assert result.code == 0 and "adjustments since" in result.err
    assert rows(result.out) == before
    total = json.loads(ff("report", "--format", "json", *NOV).out)["totals"]
    assert sum(int(r["billable_seconds"]) for r in before) == total["billable_seconds"]


def test_jira_worklogs_name_issues_and_say_when_a_task_is_none(team: Path, ff: Any) -> None:
    result = ff("export", "--format", "jira-worklogs", *NOV)
    assert result.code == 0
    assert "1 task(s) are no issue key and are given as they are (205)" in result.err
    logs = json.loads(result.out)
    assert [w["issueKey"] for w in logs] == ["205", "PAY-7", "205"]
    first = logs[0]["worklog"]
    assert first["started"] == "2026-11-18T09:00:00.000+0000"
    assert first["timeSpentSeconds"] == 5400
    assert first["comment"] == f"205 [ffhooks:{logs[0]['id']}]"
    assert first["properties"] == [{"key": "ffhooks-id", "value": {"id": logs[0]["id"]}}]
    mapped = ff("export", "--format", "jira-worklogs", "--issue-prefix", "PAY", *NOV)
    assert mapped.err == ""
    assert [w["issueKey"] for w in json.loads(mapped.out)] == ["PAY-205", "PAY-7", "PAY-205"]
    teams = json.loads(exported(ff, "--team", "--format", "jira-worklogs", *NOV))
    assert {w["worklog"]["started"][10:] for w in teams} == {"T12:00:00.000+0000"}
    assert all("holds no time of day" in w["worklog"]["comment"] for w in teams)


def test_tempo_csv_has_the_worklog_fields(team: Path, ff: Any) -> None:
    own = rows(exported(ff, "--format", "tempo", "--issue-prefix", "PAY", *NOV))
    assert [
        (r["Issue Key"], r["Work Date"], r["Start Time"], r["Time Spent (seconds)"]) for r in own
    ] == [
        ("PAY-205", "2026-11-18", "09:00:00", "5400"),
        ("PAY-7", "2026-11-19", "14:00:00", "2700"),
        ("PAY-205", "2026-11-19", "23:50:00", "1200"),
    ]
    assert own[2]["Billable (seconds)"] == "0"
    team_rows = rows(exported(ff, "--team", "--format", "tempo", *NOV))
    assert {r["Start Time"] for r in team_rows} == {""}
    assert {r["Worker"] for r in team_rows} == {"alice", "bob"}


def test_ical_follows_rfc_5545(team: Path, ff: Any) -> None:
    text = exported(ff, "--format", "ical", *NOV)
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2:] == ["END:VCALENDAR", ""]
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DTSTART:20261118T090000Z\r\nDTEND:20261118T103000Z" in unfolded
    assert "DTSTAMP:20261120T170000Z" in unfolded
    assert "DESCRIPTION:call\\, with the client\\; ok\\nbillable 0:45:00" in unfolded
    team_text = exported(ff, "--team", "--format", "ical", *NOV).replace("\r\n ", "")
    assert "DTSTART;VALUE=DATE:20261118\r\nDTEND;VALUE=DATE:20261119" in team_text
    assert "SUMMARY:bob: 205 2:00:00" in team_text


def test_export_to_a_file_and_what_it_refuses(team: Path, ff: Any) -> None:
    result = ff("export", "--format", "csv", "-o", "out.csv")
    assert result.code == 0 and "Wrote 3 row(s) to out.csv" in result.err
    assert (team / "out.csv").read_text().startswith("id,user,task,day")
    for args, said in (
        ((), "--format: give one of"),
        (("--format", "csv", "--ref", "HEAD"), "read the team record: add --team"),
        (("--format", "csv", "--include-unverified"), "read the team record: add --team"),
        (("--format", "tempo", "--issue-prefix", "pay"), "give a Jira project key"),
        (("--format", "csv", "-o", "."), "is a folder"),
        (("--format", "csv", "-o", "missing/out.csv"), "no folder missing: create it"),
        (("--me", "--format", "csv"), "--me exports everything"),
    ):
        result = ff("export", *args)
        assert result.code == 1 and said in result.err, (args, result.err)
    assert "no time recorded" in ff("export", "--format", "csv", "--user", "carol").err
