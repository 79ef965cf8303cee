"""The team config's problems: every one named at once, by every reader and by `validate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import git
from helpers import CONFIG

from ffhooks.config import config_at, load_config, problems
from ffhooks.errors import NEWER, BrokenFile

BROKEN = {
    "rates": {"default": -1, "users": {"alice": "ninety"}},
    "currency": "eur",
    "colour": "blue",
}


def test_problems_names_every_one() -> None:
    found = problems(json.dumps(BROKEN).encode())
    # in the order of the file
    assert [at for at, _ in found] == ["$.rates.default", "$.rates.users.alice", "$.currency", "$"]
    assert "ISO 4217" in found[2][1]
    assert "unknown property 'colour'" in found[3][1]
    assert problems(json.dumps({"rates": {"default": 95.5}, "currency": "EUR"}).encode()) == []


def test_problems_of_what_a_schema_cannot_say() -> None:
    assert problems(b'{"branch_task_pattern": "(", "max_session_hours": 12}') == [
        (
            "$.branch_task_pattern",
            "'(' is not a valid regular expression (missing ), unterminated subpattern at "
            "position 0)",
        )
    ]
    # a rate a binary float does not hold as written: the report would bill another
    found = problems(b'{"rates": {"tasks": {"1.2": 0.1000000000000000055, "7": 0.1}}}')
    assert found == [
        (
            "$.rates.tasks['1.2']",
            "0.1000000000000000055 would be read as 0.1: write it with at most 15 "
            "significant digits",
        )
    ]
    assert problems(b'{"rates": {"default": 123456789.123456, "users": {"a": 1E+2}}}') == []


def test_problems_of_a_file_that_is_no_json() -> None:
    [(at, message)] = problems(b'{"rates": {"default": 100,}}')
    assert at == "$" and message.startswith("is not valid JSON (line 1 column 27")
    assert problems(b"") == [("$", "is empty")]


def test_readers_refuse_a_broken_config_naming_every_problem(repo: Path) -> None:
    (repo / ".flowforge/team").mkdir(parents=True)
    (repo / CONFIG).write_text(json.dumps(BROKEN))
    with pytest.raises(BrokenFile) as caught:
        load_config(repo / ".flowforge")
    assert str(caught.value).startswith(
        f"{CONFIG}: 4 problems (at $.rates.default, $.rates.users.alice, $.currency, $); fix it"
    )
    assert len(caught.value.details) == 4
    assert caught.value.details[0] == f"{CONFIG}::$.rates.default: -1 is less than the minimum 0"
    with pytest.raises(BrokenFile) as at_commit:
        config_at(json.dumps(BROKEN).encode(), "0123456789abcdef0123")
    assert at_commit.value.details[3].startswith(f"{CONFIG} at 0123456789ab::$: unknown")
    # one problem alone keeps its one line
    (repo / CONFIG).write_text('{"rates": {"default": 100,}}')
    with pytest.raises(BrokenFile) as alone:
        load_config(repo / ".flowforge")
    assert str(alone.value).startswith(f"{CONFIG}: is not valid JSON (line 1 column 27")
    assert alone.value.details == ()


def test_a_long_number_is_read_when_it_is_exact(repo: Path) -> None:
    (repo / ".flowforge/team").mkdir(parents=True)
    (repo / CONFIG).write_text('{"rates": {"default": 1234567890.12345e-1}}')  # 15 digits
    assert load_config(repo / ".flowforge").rates == {"default": 123456789.012345}
    (repo / CONFIG).write_text('{"rates": {"default": 95.10000000000000001}}')
    with pytest.raises(BrokenFile, match=r"\$\.rates\.default: 95\.10000000000000001 would be"):
        load_config(repo / ".flowforge")


def test_report_and_validate_name_every_problem(ff: Any, repo: Path) -> None:
    assert ff("init", "--no-hook").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init", "--no-verify")
    (repo / CONFIG).write_text(json.dumps(BROKEN, indent=2))
    result = ff("report")
    assert result.code == 1 and result.out == ""
    *lines, last = result.err.splitlines()
    assert lines == [
        f"{CONFIG}::$.rates.default: -1 is less than the minimum 0",
        f'{CONFIG}::$.rates.users.alice: expected number, got "ninety"',
        f'{CONFIG}::$.currency: "eur" is not an ISO 4217 currency code like EUR',
        f"{CONFIG}::$: unknown property 'colour' (misspelt? if not, {NEWER})",
    ]
    assert last.startswith(f"ffhooks: {CONFIG}: 4 problems (at $.rates.default, ")
    assert "restore it with git" in last
    checked = ff("validate", CONFIG)
    assert checked.code == 1 and checked.out.splitlines() == lines
    # the index's config, when the work tree has none (a sparse checkout), is read the same
    git(repo, "add", CONFIG)
    (repo / CONFIG).unlink()
    in_index = ff("report")
    assert in_index.code == 1 and len(in_index.err.splitlines()) == 5
    assert f"ffhooks: {CONFIG} in the index: 4 problems" in in_index.err
