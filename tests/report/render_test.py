"""What a client is sent: every row and column adds up as shown, in one notation; tasks carry
the team's titles and sort as numbers; a week that the range cuts says which days it holds;
CSV has its total row; the team's minimum billable increment applies, and says its grain."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import git, set_now

# (user, task, duration, start): odd seconds, so that nothing adds up by luck of rounding
WORK = [
    ("alice", "16", "1h20m13s", "2026-11-30 09:00"),
    ("alice", "7", "2h41m59s", "2026-11-27 09:00"),
    ("alice", "7", "0h17m31s", "2026-11-24 09:00"),
    ("bob", "205", "3h3m3s", "2026-11-30 13:00"),
    ("bob", "16", "0h48m47s", "2026-11-26 10:00"),
    ("carol", "7", "5h0m1s", "2026-11-25 10:00"),
]
NOV = ("--from", "2026-11-01", "--to", "2026-11-30")


@pytest.fixture
def team(repo: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    set_now(monkeypatch, "2026-12-02T12:00:00Z")
    ff("init", "--no-hook")
    for user in ("alice", "bob", "carol"):
        monkeypatch.setenv("FFHOOKS_USER", user)
        for who, task, duration, start in WORK:
            if who == user:
                assert ff("add", task, duration, "--start", start).code == 0
        ff("add", "ops", "10m7s", "--start", "2026-11-26 08:00", "--no-billable")
        assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "time", "--no-verify")
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    return repo


def seconds(text: str) -> int:
    hours, minutes, secs = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + int(secs)


def table_rows(text: str) -> list[list[str]]:
    """The rows of a text table between its rules (the TOTAL line last), split on runs of
    two spaces or more."""
    lines = text.splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith("---")]
    body = [*lines[rules[0] + 1 : rules[1]], lines[rules[1] + 1]]
    return [re.split(r"\s{2,}", line.strip()) for line in body]


def adds_up(rows: list[list[str]], columns: list[int]) -> None:
    """Each time column of `rows` (the total last) adds up as shown."""
    *body, total = rows
    for i in columns:
        assert sum(seconds(r[i]) for r in body) == seconds(total[i]), (i, rows)


@pytest.mark.usefixtures("team")
def test_the_table_and_markdown_add_up_as_shown_in_one_notation(ff: Any) -> None:
    for by in ("user,task", "user,week", "task", "week,user"):
        text = ff("report", *NOV, "--by", by).out
        assert "(hours:minutes:seconds)" in text and "." not in "".join(
            c for row in table_rows(text) for c in row[-3:-1]
        )
        adds_up([r[-3:] for r in table_rows(text)], [0, 1])
        md = ff("report", *NOV, "--by", by, "--format", "markdown").out
        rows = [
            [c.strip(" *") for c in line.strip("|").split("|")]
            for line in md.splitlines()
            if line.startswith("| ") and not line.startswith(f"| {by.split(',')[0]} |")
        ]
        adds_up([r[-3:] for r in rows], [0, 1])


@pytest.mark.usefixtures("team")
def test_csv_has_a_total_row_of_the_exact_seconds_and_non_billable_time(ff: Any) -> None:
    lines = list(csv.reader(io.StringIO(ff("report", *NOV, "--format", "csv").out)))
    assert lines[0] == ["user", "task", "billable_seconds", "non_billable_seconds", "sessions"]
    data = [line for line in lines[1:] if len(line) == 5]
    assert data[-1][:2] == ["TOTAL", ""]
    for column in (2, 3, 4):
        assert sum(int(r[column]) for r in data[:-1]) == int(data[-1][column])
    assert int(data[-1][3]) == 3 * 607  # every user's non-billable ops
    assert lines[len(data) + 1][0].startswith("Read from the work tree")


@pytest.mark.usefixtures("team")
def test_tasks_sort_as_numbers_and_carry_the_team_titles(ff: Any) -> None:
    tasks = [r[0] for r in table_rows(ff("report", *NOV, "--by", "task").out)[:-1]]
    assert tasks == ["7", "16", "205", "ops"]
    assert ff("config", "set", "tasks.7.title", "Checkout redesign").code == 0
    assert ff("config", "set", "tasks.7.link", "https://tracker.example.com/7").code == 0
    assert ff("config", "set", "tasks.205.title", 'Export | CSV, "quoted"').code == 0
    rows = table_rows(ff("report", *NOV, "--by", "task").out)
    assert [r[:2] for r in rows[:-1]] == [
        ["7", "Checkout redesign"],
        ["16", "-"],
        ["205", 'Export | CSV, "quoted"'],
        ["ops", "-"],
    ]
    doc = ff("report", *NOV, "--by", "task", "--format", "json").json()
    assert doc["rows"][0]["title"] == "Checkout redesign"
    assert doc["rows"][0]["link"] == "https://tracker.example.com/7"
    assert "title" not in doc["rows"][1]
    lines = list(csv.reader(io.StringIO(ff("report", *NOV, "--by", "task", "--format", "csv").out)))
    assert lines[0][:2] == ["task", "title"] and lines[3][:2] == ["205", 'Export | CSV, "quoted"']
    assert lines[2][:2] == ["16", ""]
    # without a task column, no title column
    assert "title" not in ff("report", *NOV, "--by", "user").out
    # a link that is not http(s) is refused by the config's check, naming the place
    bad = ff("config", "set", "tasks.7.link", "javascript:alert(1)")
    assert bad.code != 0 and "tasks.7.link" in bad.err


@pytest.mark.usefixtures("team")
def test_a_week_the_range_cuts_says_which_days_it_holds(ff: Any) -> None:
    # November 2026 ends on a Monday: week 49 holds the 30th only; week 44 the 1st only
    weeks = [r[0] for r in table_rows(ff("report", *NOV, "--by", "week").out)[:-1]]
    assert weeks == ["2026-W48", "2026-W49 (2026-11-30 only)"]
    cut = ("--from", "2026-11-25", "--to", "2026-12-06")
    weeks = [r[0] for r in table_rows(ff("report", *cut, "--by", "week").out)[:-1]]
    assert weeks == ["2026-W48 (2026-11-25 to 2026-11-29)", "2026-W49"]
    rows = ff("report", *NOV, "--by", "week", "--format", "json").json()["rows"]
    assert [(r["week"], r["week_from"], r["week_to"]) for r in rows] == [
        ("2026-W48", "2026-11-23", "2026-11-29"),
        ("2026-W49", "2026-11-30", "2026-11-30"),
    ]
    lines = list(csv.reader(io.StringIO(ff("report", *NOV, "--by", "week", "--format", "csv").out)))
    assert lines[0][:3] == ["week", "week_from", "week_to"]
    assert lines[2][:3] == ["2026-W49", "2026-11-30", "2026-11-30"]


@pytest.mark.usefixtures("team")
def test_the_team_minimum_increment_rounds_each_unit_and_says_its_grain(ff: Any) -> None:
    raw = ff("report", *NOV, "--format", "json").json()["totals"]["billable_seconds"]
    assert ff("config", "set", "report.round_minutes", "15").code == 0
    doc = ff("report", *NOV, "--format", "json").json()
    # each user's time per task and day rounded up to 15 minutes: 6 units, none whole
    assert doc["totals"]["billable_seconds"] == 15 * 60 * sum(
        -(-seconds(d.replace("h", ":").replace("m", ":").rstrip("s")) // 900) for *_, d, _ in WORK
    )
    assert doc["totals"]["billable_seconds"] > raw
    assert any("rounded up 15 min per user, task and day" in n for n in doc["notes"])
    assert (
        ff("report", *NOV, "--round", "0", "--format", "json").json()["totals"]["billable_seconds"]
        == raw
    )
    nearest = ff("report", *NOV, "--round", "60", "--round-mode", "nearest", "--format", "json")
    assert "rounded to the nearest 60 min" in " ".join(nearest.json()["notes"])
    bad = ff("config", "set", "report.round_minutes", "0")
    assert bad.code != 0 and "report.round_minutes" in bad.err
