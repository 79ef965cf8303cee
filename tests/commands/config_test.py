"""`ffhooks config get|set|unset`: the team config read and changed by key, every change
checked before it is written, numbers kept as written, a refused change leaving the file's
bytes as they were."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, git
from helpers import CONFIG

from ffhooks.errors import NEWER


@pytest.fixture
def team(ff: Any, repo: Path) -> Path:
    """A repository `ffhooks init` set up, its config committed."""
    assert ff("init", "--no-hook").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init", "--no-verify")
    return repo


def changed(result: Result, line: str) -> None:
    assert result.code == 0, result
    assert result.out.splitlines() == [
        line,
        f"Commit {CONFIG} for the team to see the change.",
    ]


def refused(result: Result, *lines: str) -> str:
    """Exit 1: each problem of `lines` on a line of its own, then one `ffhooks:` line."""
    assert result.code == 1 and result.out == "", result
    *problems, last = result.err.splitlines()
    assert problems == list(lines)
    assert last.startswith("ffhooks: ") and "Traceback" not in result.err
    return last


def test_set_and_get_by_dotted_key(ff: Any, team: Path) -> None:
    changed(ff("config", "set", "rates.default", "90"), "rates.default: (not set) -> 90")
    changed(ff("config", "set", "rates.users.alice", "90"), "rates.users.alice: (not set) -> 90")
    changed(ff("config", "set", "rates.users.alice", "95"), "rates.users.alice: 90 -> 95")
    changed(ff("config", "set", "rates.tasks.205", "150"), "rates.tasks.205: (not set) -> 150")
    changed(ff("config", "set", "currency", "EUR"), 'currency: (not set) -> "EUR"')
    assert ff("config", "get", "rates.users.alice").out == "95\n"
    assert ff("config", "get", "rates.tasks.205").out == "150\n"
    assert ff("config", "get", "currency").out == "EUR\n"  # text as it is, for scripts
    rates = ff("config", "get", "rates")
    assert json.loads(rates.out) == {"default": 90, "users": {"alice": 95}, "tasks": {"205": 150}}
    whole = ff("config")  # get is the default, the whole config without a KEY
    assert whole.code == 0 and whole.out == (team / CONFIG).read_text()
    again = ff("config", "set", "rates.users.alice", "95")
    assert again.code == 0 and again.out == "rates.users.alice: already 95; nothing changed\n"
    # a VALUE that is JSON is taken as JSON: an object at once, a quoted number as text
    changed(
        ff("config", "set", "rates.users", '{"alice": 95, "bob": 80}'),
        'rates.users: {"alice": 95} -> {"alice": 95, "bob": 80}',
    )
    changed(ff("config", "set", "report.title", '"2026"'), 'report.title: (not set) -> "2026"')


def test_a_task_id_with_a_dot_is_quoted(ff: Any, team: Path) -> None:
    changed(ff("config", "set", 'rates.tasks."1.2"', "120"), 'rates.tasks."1.2": (not set) -> 120')
    assert json.loads((team / CONFIG).read_text())["rates"] == {"tasks": {"1.2": 120}}
    assert ff("config", "get", 'rates.tasks."1.2"').out == "120\n"
    missing = ff("config", "get", "rates.tasks.1.2")  # unquoted: three parts
    assert missing.code == 1
    assert missing.err == (
        f'ffhooks: rates.tasks.1.2 is not set in {CONFIG} (rates.tasks has "1.2")\n'
    )
    for key, why in [
        ("rates..default", "has an empty part"),
        ("rates.", "ends with a dot"),
        ('rates.tasks."1.2', "does not end"),
        ('rates.tasks."1"2', "must be followed by a dot"),
    ]:
        result = ff("config", "set", key, "1")
        assert result.code == 1 and why in result.err and len(result.err.splitlines()) == 1


def test_the_file_keeps_its_form(ff: Any, team: Path) -> None:
    before = json.loads((team / CONFIG).read_text())
    assert ff("config", "set", "max_session_hours", "10").code == 0
    assert ff("config", "set", "rates.default", "100").code == 0
    # as init writes it: two spaces, a newline at the end; a key changed keeps its place,
    # a new one goes last
    expected = {**before, "max_session_hours": 10, "rates": {"default": 100}}
    assert list(json.loads((team / CONFIG).read_text())) == list(expected)
    assert (team / CONFIG).read_text() == json.dumps(expected, indent=2) + "\n"
    # a file indented otherwise keeps its indentation
    (team / CONFIG).write_text('{\n    "rates": {\n\t"default": 100\n    }\n}\n')
    assert ff("config", "set", "currency", "EUR").code == 0
    assert (team / CONFIG).read_text() == (
        '{\n    "rates": {\n        "default": 100\n    },\n    "currency": "EUR"\n}\n'
    )
    assert [p.name for p in (team / CONFIG).parent.iterdir()] == ["config.json"]  # no temp file


def test_numbers_stay_as_written_and_amounts_exact(ff: Any, team: Path) -> None:
    assert ff("add", "205", "1h30m", "--start", "2026-11-19 09:00").code == 0
    assert ff("add", "207", "1h", "--start", "2026-11-19 13:00").code == 0
    assert ff("aggregate").code == 0
    changed(ff("config", "set", "rates.default", "0.1"), "rates.default: (not set) -> 0.1")
    changed(ff("config", "set", "rates.tasks.207", "95.10"), "rates.tasks.207: (not set) -> 95.10")
    changed(ff("config", "set", "max_session_hours", "1.2e1"), "max_session_hours: 12 -> 1.2e1")
    text = (team / CONFIG).read_text()
    assert '"default": 0.1,\n' in text and '"207": 95.10\n' in text
    assert '"max_session_hours": 1.2e1,' in text
    assert ff("config", "get", "rates.tasks.207").out == "95.10\n"
    report = ff("report", "--format", "json", "--by", "task")
    amounts = {r["task"]: r["amount"] for r in report.json()["rows"]}
    assert amounts == {"205": "0.15", "207": "95.10"}  # 1.5h at 0.1, 1h at 95.10, exact
    # a number a binary float does not hold as written would bill another: refused
    before = (team / CONFIG).read_bytes()
    last = refused(
        ff("config", "set", "rates.default", "0.1000000000000000055"),
        f"{CONFIG}::$.rates.default: 0.1000000000000000055 would be read as 0.1: write it with "
        "at most 15 significant digits",
    )
    assert "setting rates.default to 0.1000000000000000055 would leave" in last
    assert (team / CONFIG).read_bytes() == before


def test_a_bad_change_is_refused_naming_every_problem(ff: Any, team: Path) -> None:
    assert ff("config", "set", "currency", "EUR").code == 0
    before = (team / CONFIG).read_bytes()
    last = refused(
        ff("config", "set", "rates", '{"default": -1, "users": {"bob": "x"}, "weekly": 3}'),
        f"{CONFIG}::$.rates.default: -1 is less than the minimum 0",
        f'{CONFIG}::$.rates.users.bob: expected number, got "x"',
        f"{CONFIG}::$.rates: unknown property 'weekly'",
    )
    assert last == (
        'ffhooks: setting rates to {"default": -1, "users": {"bob": "x"}, "weekly": 3} would '
        f"leave {CONFIG} with 3 problems (above): not written, the file is as it was"
    )
    assert (team / CONFIG).read_bytes() == before
    refused(
        ff("config", "set", "currency", "eur"),
        f'{CONFIG}::$.currency: "eur" is not an ISO 4217 currency code like EUR',
    )
    refused(
        ff("config", "set", "colour", "blue"),
        f"{CONFIG}::$: unknown property 'colour' (misspelt? if not, {NEWER})",
    )
    refused(ff("config", "set", "branch_task_pattern", "(")  ,
        f"{CONFIG}::$.branch_task_pattern: '(' is not a valid regular expression (missing ), "
        "unterminated subpattern at position 0)",
    )  # fmt: skip
    not_an_object = ff("config", "set", "currency.code", "EUR")
    assert not_an_object.code == 1 and not_an_object.err == (
        'ffhooks: currency is "EUR", not an object: it holds no code\n'
    )
    not_json = ff("config", "set", "rates", '{"default": 1')
    assert not_json.code == 1 and "VALUE '{\"default\": 1' is not valid JSON" in not_json.err
    assert (team / CONFIG).read_bytes() == before


def test_a_broken_config_can_be_mended_one_key_at_a_time(ff: Any, team: Path) -> None:
    broken = json.loads((team / CONFIG).read_text())
    broken.update(currency="eur", rates={"default": -1})
    (team / CONFIG).write_text(json.dumps(broken, indent=2) + "\n")
    # a change that brings no new problem is written, and what is left is said
    mended = ff("config", "set", "currency", "EUR")
    assert mended.code == 0 and mended.out.startswith('currency: "eur" -> "EUR"\n')
    assert mended.err.splitlines() == [
        f"{CONFIG}::$.rates.default: -1 is less than the minimum 0",
        f"ffhooks: warning: {CONFIG} still has 1 problem, as before (above): every command "
        "refuses it until they are fixed",
    ]
    # one that brings a new problem is refused, naming the old ones as such
    before = (team / CONFIG).read_bytes()
    refused(
        ff("config", "set", "max_session_hours", "0"),
        f"{CONFIG}::$.max_session_hours: 0 must be greater than 0",
        f"{CONFIG}::$.rates.default: -1 is less than the minimum 0 (already there)",
    )
    assert (team / CONFIG).read_bytes() == before
    assert ff("config", "unset", "rates.default").code == 0
    assert ff("report").code == 0


def test_a_config_that_is_no_json_names_the_fix(ff: Any, team: Path) -> None:
    (team / CONFIG).write_text('{"rates": {"default": 100,}}\n')
    for argv in (("get",), ("get", "rates.default"), ("set", "rates.default", "90")):
        result = ff("config", *argv)
        assert result.code == 1 and len(result.err.splitlines()) == 1
        assert result.err.startswith(f"ffhooks: {CONFIG}: is not valid JSON (line 1 column 27")
        assert "restore it with git" in result.err
    assert (team / CONFIG).read_text() == '{"rates": {"default": 100,}}\n'


def test_get_names_every_problem_of_a_broken_config(ff: Any, team: Path) -> None:
    (team / CONFIG).write_text('{"rates": {"default": -1}, "currency": "eur"}')
    last = refused(
        ff("config", "get", "currency"),
        f"{CONFIG}::$.rates.default: -1 is less than the minimum 0",
        f'{CONFIG}::$.currency: "eur" is not an ISO 4217 currency code like EUR',
    )
    assert last.startswith(f"ffhooks: {CONFIG}: 2 problems (at $.rates.default, $.currency)")


def test_unset(ff: Any, team: Path) -> None:
    assert ff("config", "set", "rates.users.alice", "90").code == 0
    changed(ff("config", "unset", "rates.users.alice"), "rates.users.alice: 90 -> (not set)")
    assert json.loads((team / CONFIG).read_text())["rates"] == {"users": {}}
    again = ff("config", "unset", "rates.users.alice")
    assert again.code == 1 and again.err == (
        f"ffhooks: rates.users.alice is not set in {CONFIG}: nothing to unset\n"
    )


def test_get_of_a_key_that_is_not_set(ff: Any, team: Path) -> None:
    assert ff("config", "unset", "max_session_hours").code == 0
    default = ff("config", "get", "max_session_hours")
    assert default.code == 1 and default.out == ""
    assert (
        default.err
        == f"ffhooks: max_session_hours is not set in {CONFIG}: its default, 12, applies\n"
    )
    unknown = ff("config", "get", "rates.default")
    assert unknown.code == 1 and unknown.err.startswith(
        f"ffhooks: rates.default is not set in {CONFIG} (the config has version, "
    )


def test_summary_format_is_1_or_2(ff: Any, team: Path) -> None:
    """A new team's config says 2; set back to 1 (or unset: its default, 1), and 3 (a
    format no ffhooks writes yet) is refused with the file as it was."""
    assert ff("config", "get", "summary_format").out == "2\n"
    changed(ff("config", "set", "summary_format", "1"), "summary_format: 2 -> 1")
    before = (team / CONFIG).read_bytes()
    last = refused(
        ff("config", "set", "summary_format", "3"),
        f"{CONFIG}::$.summary_format: must be one of 1, 2",
    )
    assert "setting summary_format to 3 would leave" in last
    assert (team / CONFIG).read_bytes() == before
    changed(ff("config", "set", "summary_format", "2"), "summary_format: 1 -> 2")
    changed(ff("config", "unset", "summary_format"), "summary_format: 2 -> (not set)")
    default = ff("config", "get", "summary_format")
    assert default.err.endswith(
        "summary_format is not set in .flowforge/team/config.json: its default, 1, applies\n"
    )


def test_usage(ff: Any, team: Path) -> None:
    for argv in (("set", "rates.default"), ("unset",), ("set",), ("get", "a", "b")):
        result = ff("config", *argv)
        assert result.code == 1 and "ffhooks config [get [KEY] | set KEY VALUE" in result.err
    assert ff("config", "move", "a").code == 2  # argparse: not one of get, set, unset


def test_from_any_folder_and_nowhere_else(
    ff: Any, team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (team / "src/deep").mkdir(parents=True)
    monkeypatch.chdir(team / "src/deep")
    changed(ff("config", "set", "rates.default", "100"), "rates.default: (not set) -> 100")
    assert ff("config", "get", "rates.default").out == "100\n"
    monkeypatch.chdir(team.parent)
    outside = ff("config", "get")
    assert outside.code == 1 and "is not inside a git repository" in outside.err
    git(team.parent, "clone", "-q", "--bare", str(team), "bare.git")
    monkeypatch.chdir(team.parent / "bare.git")
    bare = ff("config", "set", "rates.default", "90")
    assert bare.code == 1 and "is a bare repository (no work tree)" in bare.err


def test_without_a_config(ff: Any, repo: Path) -> None:
    result = ff("config", "set", "rates.default", "100")
    assert result.code == 1
    assert result.err == (
        f"ffhooks: {CONFIG} is not in this work tree: `ffhooks init` writes it (a sparse "
        "checkout that leaves .flowforge/ out cannot change it)\n"
    )
    assert not (repo / ".flowforge").exists()


def test_a_new_rate_warns_of_closed_periods(ff: Any, team: Path) -> None:
    assert ff("add", "12", "1h", "--start", "2026-10-05 09:00").code == 0
    assert ff("aggregate").code == 0
    git(team, "add", "-A")
    git(team, "commit", "-qm", "October", "--no-verify")
    assert ff("close", "2026-10").code == 0
    rate = ff("config", "set", "rates.default", "100")
    assert rate.code == 0 and rate.err == (
        "ffhooks: warning: reports price closed periods too (2026-10) at the rates they read: "
        "what was invoiced is in each period's tag (ffhooks/closed/...)\n"
    )
    other = ff("config", "set", "max_session_hours", "10")
    assert other.code == 0 and other.err == ""
