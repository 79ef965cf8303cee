"""`ffhooks hook`, the whole commit hook in one process (issue 14): the guard, the
aggregation and the validation of what is staged, each problem named, and the answers it
takes without asking git."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git

SUMMARIES = ".flowforge/team/summaries"


def staged(repo: Path) -> list[str]:
    return git(repo, "diff", "--cached", "--name-only").split()


def test_one_run_guards_folds_and_validates(initialised: Path, ff: Any) -> None:
    repo = initialised
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    git(repo, "add", "-A")
    done = ff("hook")
    assert done.code == 0 and done.err == ""
    assert done.out == "ffhooks: alice +1h00m billable in 2026-11, staged\n"  # its one line
    assert any(p.startswith(f"{SUMMARIES}/alice/2026-11/") for p in staged(repo))
    assert commit(repo, "--no-verify", "-m", "first").returncode == 0
    again = ff("hook")  # nothing changed: nothing staged, nothing said
    assert again.code == 0 and again.out == "" and staged(repo) == []
    assert ff("remove", ff("log", "--json").json()["sessions"][0]["id"]).code == 0
    assert ff("hook").out == "ffhooks: alice -1h00m billable in 2026-11, staged\n"


def test_a_refusal_skips_the_fold_but_every_problem_is_named(initialised: Path, ff: Any) -> None:
    repo = initialised
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    private = repo / ".flowforge/user/alice/store.json"
    git(repo, "add", "-f", str(private))
    (repo / ".flowforge/team/config.json").write_text('{"max_session_hours": "many"}')
    git(repo, "add", ".flowforge/team/config.json")
    result = ff("hook")
    assert result.code == 1
    assert "private time files are staged" in result.err
    assert "config.json::$.max_session_hours" in result.out
    assert not any(p.startswith(SUMMARIES) for p in staged(repo))  # nothing was folded


def test_team_globs_are_validated_from_the_staged_names(initialised: Path, ff: Any) -> None:
    repo = initialised
    config = repo / ".flowforge/team/config.json"
    rules = [{"files": "clients/*.json", "schema": "schemas/client.json"}]
    config.write_text(json.dumps({**json.loads(config.read_text()), "validate": rules}))
    (repo / "schemas").mkdir()
    (repo / "schemas/client.json").write_text('{"required": ["name"]}')
    (repo / "clients").mkdir()
    (repo / "clients/acme.json").write_text("{}")
    (repo / "clients/unstaged.json").write_text("{}")  # not staged: not the commit's
    git(repo, "add", ".flowforge", "schemas", "clients/acme.json")
    result = ff("hook")
    assert result.code == 1
    assert "clients/acme.json::$: 'name' is a required property" in result.out
    assert "unstaged.json" not in result.out
    (repo / "clients/acme.json").write_text('{"name": "ACME"}')
    git(repo, "add", "clients/acme.json")
    assert ff("hook").code == 0


@pytest.mark.parametrize(
    ("files", "ignored"),
    [
        ({".gitignore": ".flowforge/user/\n"}, True),
        ({".gitignore": "/.flowforge/user\n"}, True),
        ({".gitignore": ".flowforge/\n"}, True),  # not the usual line: git is asked
        ({".gitignore": ".flowforge/user/\n!.flowforge/user/\n"}, False),
        ({".gitignore": ".flowforge/user/\n", ".flowforge/.gitignore": "!user/\n"}, False),
        ({".gitignore": "*.log\n"}, False),
        ({".gitignore": ".flowforge/user/  \r\n"}, True),  # trailing spaces, CRLF: git strips
        ({".gitignore": "  .flowforge/user/\n"}, False),  # a leading space is part of it
        ({".gitignore": ".flowforge/user/\t\n"}, False),  # so is a trailing tab
        ({".gitignore": "# note\r.flowforge/user/\n"}, False),  # a lone CR ends no line
    ],
)
def test_the_ignore_rule_is_read_as_git_reads_it(
    repo: Path, ff: Any, files: dict[str, str], ignored: bool
) -> None:
    assert ff("init").code == 0
    for name, text in files.items():
        (repo / name).write_text(text)
    result = ff("hook")
    assert (result.code == 0) is ignored, result.err
    assert ignored or ".flowforge/user/ is not git-ignored" in result.err


def cloned(tmp_path: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone of an empty bare remote, set up by `ffhooks init`, as the current folder."""
    remote, repo = tmp_path / "remote.git", tmp_path / "clone"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(tmp_path, "clone", "-q", str(remote), str(repo))
    monkeypatch.chdir(repo)
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    assert ff("init").code == 0
    return repo


def test_the_hook_only_adds_whatever_the_remote_holds(
    tmp_path: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pushed or not, each commit's summaries are adds only: no file of the remote's default
    branch, nor of the branch itself, is touched (issue 24), and git is not asked what the
    remote holds."""
    repo = cloned(tmp_path, ff, monkeypatch)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init", "--no-verify")

    def work(hour: str, *, push: bool) -> list[str]:
        assert ff("add", "205", "1h", "--start", f"2026-11-20T{hour}:00:00Z").code == 0
        done = ff("hook")
        assert done.code == 0 and "+1h00m billable in 2026-11, staged" in done.out
        staged = git(repo, "diff", "--cached", "--name-status").splitlines()
        assert commit(repo, "--no-verify", "-m", hour).returncode == 0
        if push:
            git(repo, "push", "-q", "origin", "HEAD:main")
        return sorted(line[0] + line.split()[1].rsplit("-", 1)[1] for line in staged)

    assert work("08", push=True) == ["A1.json"]
    assert work("09", push=False) == ["A2.json"]
    assert work("10", push=False) == ["A3.json"]
    git(repo, "push", "-q", "origin", "HEAD:main")
    assert work("11", push=False) == ["A4.json"]
    assert not (repo / ".git/ffhooks/published.json").exists()
    assert git(repo, "status", "--porcelain", "--", SUMMARIES) == ""
