from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import git

from ffhooks.config import DEFAULTS, NEW_TEAM_FORMAT
from ffhooks.hook.definitions import HOOKS

ROOT = Path(__file__).resolve().parents[2]


def snapshot(repo: Path) -> dict[str, str]:
    names = (
        ".gitignore",
        ".gitattributes",
        ".pre-commit-config.yaml",
        ".flowforge/team/config.json",
    )
    return {n: (repo / n).read_text() for n in names}


def test_init_writes_everything_and_is_idempotent(ff: Any, repo: Path) -> None:
    assert ff("init").code == 0
    first = snapshot(repo)
    assert ".flowforge/user/" in first[".gitignore"].splitlines()
    written = json.loads(first[".flowforge/team/config.json"])
    assert re.fullmatch("[0-9a-f]{16}", written.pop("project"))
    assert written.pop("summary_format") == NEW_TEAM_FORMAT == 2  # a new team: format 2
    assert written == DEFAULTS
    config = yaml.safe_load(first[".pre-commit-config.yaml"])
    [local] = config["repos"]
    assert local["repo"] == "local"
    assert [h["id"] for h in local["hooks"]] == ["ffhooks"]  # one process per commit
    assert all(
        h["language"] == "system" and "exec ffhooks hook;" in h["entry"] for h in local["hooks"]
    )
    assert git(repo, "config", "merge.directoryRenames").strip() == "false"
    again = ff("init")
    assert again.code == 0 and again.out.count("unchanged") == 7
    assert snapshot(repo) == first
    # the user folder is really ignored by git
    (repo / ".flowforge/user/alice").mkdir(parents=True)
    (repo / ".flowforge/user/alice/store.json").write_text("{}")
    assert ".flowforge/user" not in git(repo, "status", "--porcelain", "-uall")


def test_local_hooks_match_the_published_hooks(ff: Any, repo: Path) -> None:
    published = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [{k: v for k, v in h.items() if k != "language"} for h in published] == HOOKS
    assert all(h["language"] == "python" for h in published)


def test_init_keeps_an_existing_config_and_adds_to_it(ff: Any, repo: Path) -> None:
    (repo / ".gitignore").write_text("node_modules")  # no trailing newline
    (repo / ".pre-commit-config.yaml").write_text(
        "# team hooks\nrepos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n"
        "    rev: v4.6.0\n    hooks:\n      - id: trailing-whitespace\n"
        "default_stages: [pre-commit]\n"
    )
    assert ff("init").code == 0
    assert (repo / ".gitignore").read_text().splitlines()[0] == "node_modules"
    text = (repo / ".pre-commit-config.yaml").read_text()
    assert text.startswith("# team hooks\n")
    config = yaml.safe_load(text)
    assert config["default_stages"] == ["pre-commit"]
    assert [r["repo"] for r in config["repos"]] == [
        "local",
        "https://github.com/pre-commit/pre-commit-hooks",
    ]
    assert ff("init").out.count("unchanged") == 7


def test_init_leaves_the_summary_format_of_an_existing_config(ff: Any, repo: Path) -> None:
    """A team that has summaries in format 1 keeps it until it says otherwise (teammates
    on ffhooks 0.8 refuse a config that names a format)."""
    config = repo / ".flowforge/team/config.json"
    config.parent.mkdir(parents=True)
    config.write_text('{"version": 1, "project": "0123456789abcdef"}\n')
    assert ff("init").code == 0
    assert "summary_format" not in json.loads(config.read_text())


def test_init_says_what_an_older_config_can_drop(ff: Any, repo: Path) -> None:
    """A config of ffhooks 0.2 (three hooks, the folding one verbose) is left as it is, and
    `init` says what replacing or dropping saves."""
    hooks = "".join(
        f"  - id: {i}\n    name: {i}\n    entry: ffhooks {i}\n    language: system\n"
        + ("    verbose: true\n" if i == "ffhooks-aggregate" else "")
        for i in ("ffhooks-guard", "ffhooks-aggregate", "ffhooks-validate")
    )
    text = f"repos:\n- repo: local\n  hooks:\n{hooks}"
    (repo / ".pre-commit-config.yaml").write_text(text)
    said = ff("init").out
    assert (repo / ".pre-commit-config.yaml").read_text() == text
    assert "ffhooks-aggregate, ffhooks-guard, ffhooks-validate can become the one hook" in said
    assert "`verbose: true` of ffhooks-aggregate can go" in said


def test_init_with_a_hooks_repo(ff: Any, repo: Path, tmp_path: Path) -> None:
    hooks = tmp_path / "ffhooks.git"
    git(tmp_path, "init", "-q", str(hooks))
    git(hooks, "commit", "-q", "--allow-empty", "-m", "release")
    git(hooks, "tag", "v0.1.0")
    for bad, problem in [
        ("v9.9.9", "has no such tag, branch or commit (its tags: v0.1.0)"),
        ("0" * 40, "has no such tag, branch or commit"),  # a local path can tell
    ]:
        result = ff("init", "--hooks-repo", str(hooks), "--rev", bad)
        assert result.code == 1 and problem in result.err
        assert not (repo / ".pre-commit-config.yaml").exists()
    unreachable = ff("init", "--hooks-repo", str(tmp_path / "nowhere"), "--rev", "v1")
    assert unreachable.code == 1 and "cannot be read" in unreachable.err
    assert ff("init", "--hooks-repo", str(hooks), "--rev", "v0.1.0").code == 0
    [entry] = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())["repos"]
    assert entry["repo"] == str(hooks) and entry["rev"] == "v0.1.0"
    assert [h["id"] for h in entry["hooks"]] == ["ffhooks"]
    assert "go together" in ff("init", "--hooks-repo", "x").err


def test_init_branch_timer_adds_the_hook_to_a_set_up_repository(ff: Any, repo: Path) -> None:
    assert ff("init").code == 0
    again = ff("init", "--branch-timer")
    assert again.code == 0 and "added the hooks ffhooks-branch-timer" in again.out
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    ids = [h["id"] for r in config["repos"] for h in r["hooks"]]
    assert sorted(ids) == ["ffhooks", "ffhooks-branch-timer"]
    assert "unchanged" in ff("init", "--branch-timer").out.splitlines()[2]


def test_init_respects_an_existing_ignore_rule(ff: Any, repo: Path) -> None:
    (repo / ".gitignore").write_text(".flowforge/user\n")
    ff("init")
    assert (repo / ".gitignore").read_text() == ".flowforge/user\n"


def test_broken_precommit_config_is_reported(ff: Any, repo: Path) -> None:
    (repo / ".pre-commit-config.yaml").write_text("repos: [\n")
    result = ff("init")
    assert result.code == 1 and "not valid YAML" in result.err
    assert (repo / ".pre-commit-config.yaml").read_text() == "repos: [\n"


@pytest.mark.parametrize(
    "argv", [["init"], ["start", "1"], ["status"], ["log"], ["add", "1", "1h"], ["guard"]]
)
def test_outside_a_repository(ff: Any, argv: list[str]) -> None:
    result = ff(*argv)
    assert result.code == 1
    assert "is not inside a git repository" in result.err
    assert len(result.err.strip().splitlines()) == 1
