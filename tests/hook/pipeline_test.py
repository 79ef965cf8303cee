"""ffhooks/hook/pipeline.py: the commit hook over one resolved commit, saying nothing itself
(`commands/hook.py` prints what it gathers), the team config read once, and every git query
it started ahead waited for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import git

from ffhooks import caller
from ffhooks.errors import FatalError
from ffhooks.git.ahead import Ahead
from ffhooks.git.plumbing import find_repo
from ffhooks.hook.pipeline import Committing, run


def test_the_pipeline_gathers_what_the_hook_says_and_prints_nothing(
    initialised: Path, ff: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    (initialised / "extra.json").write_text("{}\n")
    git(initialised, "add", "-A")
    capsys.readouterr()
    started = Ahead()  # as the hook's own process leaves it when no server answered
    monkeypatch.setattr(caller, "ahead", started)
    repo = find_repo(initialised)
    assert repo is not None
    said = run(repo)
    assert capsys.readouterr() == ("", "")
    assert said.out == ["ffhooks: alice +1h00m billable in 2026-11, staged"]
    assert said.err == [] and said.refusals == []
    assert started._started == {} and started._answered == {}  # every query waited for
    assert any(
        "/alice/2026-11/" in p for p in git(initialised, "diff", "--cached", "--name-only").split()
    )


def test_a_refused_commit_folds_nothing_and_every_problem_is_gathered(
    initialised: Path, ff: Any
) -> None:
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    git(initialised, "add", "-f", ".flowforge/user/alice/store.json")
    config = initialised / ".flowforge/team/config.json"
    config.write_text("{broken\n")
    git(initialised, "add", str(config))
    repo = find_repo(initialised)
    assert repo is not None
    said = run(repo)
    assert [str(r).split(" (")[0] for r in said.refusals] == [
        "private time files are staged",
        "1 problem(s) in 1 of 2 file(s)",
    ]
    assert any("config.json" in line and "not valid JSON" in line for line in said.out)
    assert "/summaries/" not in git(initialised, "diff", "--cached", "--name-only")


def test_the_team_config_is_read_once_per_commit(initialised: Path) -> None:
    repo = find_repo(initialised)
    assert repo is not None
    config = initialised / ".flowforge/team/config.json"
    committing = Committing(repo)
    assert not committing.config_read()
    first = committing.config()
    raw = json.loads(config.read_text())
    config.write_text(json.dumps({**raw, "max_session_hours": 3}))
    assert committing.config() is first and first.max_session_hours != 3
    assert Committing(repo).config().max_session_hours == 3  # the next commit reads it anew
    config.write_text("{broken\n")
    broken = Committing(repo)
    for _ in range(2):  # the same refusal at each ask, the file read once
        with pytest.raises(FatalError, match=r"config\.json: is not valid JSON"):
            broken.config()
    assert broken.config_read()
