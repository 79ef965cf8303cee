"""Commits through the real pre-commit framework: every way of committing stays exact."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import clean_team_folder, commit, git, one_server, servers, tree_total

ROOT = Path(__file__).resolve().parents[2]
SUMMARIES = ".flowforge/team/summaries"


@pytest.mark.slow
def test_first_commit_carries_the_summary(hooked: Path, ff: Any) -> None:
    ff("add", "205", "2h", "--start", "09:00")
    git(hooked, "add", "-A")
    result = commit(hooked, "-m", "first")
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_total(hooked) == 7200
    assert clean_team_folder(hooked)


@pytest.mark.slow
def test_commit_all_paths_amend_detached(hooked: Path, ff: Any) -> None:
    repo = hooked
    (repo / "a.txt").write_text("a\n")
    git(repo, "add", "-A")
    assert commit(repo, "-m", "base").returncode == 0
    # git commit -a
    ff("add", "1", "1h", "--start", "08:00")
    (repo / "a.txt").write_text("a2\n")
    assert commit(repo, "-a", "-m", "all").returncode == 0
    assert tree_total(repo) == 3600 and clean_team_folder(repo)
    # git commit <paths>, with something else staged that stays out
    ff("add", "1", "1h", "--start", "10:00")
    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "b.txt")
    (repo / "a.txt").write_text("a3\n")
    result = commit(repo, "-m", "paths", "a.txt")
    assert result.returncode == 0, result.stderr
    assert tree_total(repo) == 7200
    assert clean_team_folder(repo)
    assert git(repo, "status", "--porcelain") == "A  b.txt\n"
    # --amend
    ff("add", "1", "30m", "--start", "12:00")
    assert commit(repo, "--amend", "--no-edit").returncode == 0
    assert tree_total(repo) == 9000 and clean_team_folder(repo)
    # detached HEAD
    git(repo, "checkout", "-q", "--detach")
    ff("add", "1", "30m", "--start", "13:00")
    (repo / "a.txt").write_text("a4\n")
    assert commit(repo, "-am", "detached").returncode == 0
    assert tree_total(repo) == 10800 and clean_team_folder(repo)


@pytest.mark.slow
def test_linked_worktree_has_its_own_store(
    hooked: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = hooked
    git(repo, "add", "-A")
    assert commit(repo, "-m", "base").returncode == 0
    ff("add", "1", "1h", "--start", "08:00")
    assert commit(repo, "--allow-empty", "-m", "main work").returncode == 0
    other = tmp_path / "other"
    git(repo, "worktree", "add", "-q", str(other), "-b", "feature/9-x")
    monkeypatch.chdir(other)
    ff("add", "9", "2h", "--start", "10:00")
    result = commit(other, "--allow-empty", "-m", "worktree work")
    assert result.returncode == 0, result.stderr
    assert tree_total(other) == 3600 + 7200
    stores = {p.name.split("-")[0] for p in (other / SUMMARIES / "alice").rglob("*.json")}
    assert len(stores) == 2  # one store per work tree, both counted
    assert clean_team_folder(other)


@pytest.mark.slow
def test_guard_blocks_private_files(hooked: Path, ff: Any) -> None:
    ff("add", "1", "1h")
    git(hooked, "add", "-A")
    git(hooked, "add", "-f", ".flowforge/user/alice/store.json")
    result = commit(hooked, "-m", "oops")
    assert result.returncode != 0
    assert "git rm -r --cached .flowforge/user/" in result.stdout + result.stderr
    no_head = subprocess.run(
        ("git", "rev-parse", "--verify", "-q", "HEAD"), cwd=hooked, capture_output=True, check=False
    )
    assert no_head.returncode != 0  # nothing was committed


@pytest.mark.slow
def test_failure_never_blocks_the_commit(hooked: Path, ff: Any) -> None:
    repo = hooked
    git(repo, "add", "-A")
    assert commit(repo, "-m", "base").returncode == 0
    ff("add", "1", "1h", "--start", "08:00")
    (repo / SUMMARIES).mkdir(parents=True)
    (repo / SUMMARIES / "alice").write_text("a file where a folder should be")
    result = commit(repo, "--allow-empty", "-m", "still commits", terminal=True)
    assert result.returncode == 0, result.stderr
    assert "ffhooks recover" in result.stdout + result.stderr
    assert list((repo / ".git/ffhooks/queue").glob("*.json"))
    status = subprocess.run(("ffhooks", "recover", "--json"), cwd=repo, capture_output=True)
    assert status.returncode == 1 and json.loads(status.stdout)["queue"][0]["operation"] == (
        "aggregate"
    )
    (repo / SUMMARIES / "alice").unlink()
    retried = subprocess.run(("ffhooks", "recover", "retry"), cwd=repo, capture_output=True)
    assert retried.returncode == 0, retried.stderr
    assert not list((repo / ".git/ffhooks/queue").glob("*.json"))
    assert commit(repo, "--allow-empty", "-m", "next").returncode == 0
    assert tree_total(repo) == 3600
    assert clean_team_folder(repo)


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["pre-commit", "prek"])
def test_precommit_installs_ffhooks_from_a_local_clone(
    repo: Path,
    ff: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    framework: str,
    served: Path,
) -> None:
    """How teams get ffhooks: `repo:` + `rev:`; pre-commit (or prek, its drop-in) builds it
    with `pip install .` into an environment of its own. The first commit starts a hook
    server of that environment, which runs the later commits' hooks."""
    source = tmp_path / "ffhooks-src"
    files = subprocess.run(
        ("git", "ls-files", "-co", "--exclude-standard", "-z"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "commit", "-qm", "ffhooks under test")
    rev = git(source, "rev-parse", "HEAD").strip()
    clone = tmp_path / "ffhooks-clone"
    git(tmp_path, "clone", "-q", str(source), str(clone))

    home = tmp_path / "framework-home"
    monkeypatch.setenv("PRE_COMMIT_HOME" if framework == "pre-commit" else "PREK_HOME", str(home))
    assert ff("init", "--hooks-repo", str(clone), "--rev", rev).code == 0
    assert shutil.which(framework), f"{framework} is in the test extra"
    subprocess.run((framework, "install", "-f"), cwd=repo, check=True, capture_output=True)
    ff("add", "205", "90m", "--start", "09:00")
    git(repo, "add", "-A")
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)  # pre-commit picks its own interpreter
    result = commit(repo, "-m", "through the installed hooks")
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_total(repo) == 5400
    assert clean_team_folder(repo)
    # the hook ran from the framework's own non-editable install, not from this checkout
    envs = list(home.rglob("site-packages/ffhooks/schemas/summary.schema.json"))
    assert envs, f"the wheel {framework} built does not carry the schemas"
    installed = {p.name.split("-")[0].lower() for p in envs[0].parents[2].glob("*.dist-info")}
    assert installed & {"pre_commit", "virtualenv", "gitpython", "cryptography"} == set()
    server = one_server(served)
    assert str(home).encode() in Path(f"/proc/{server}/cmdline").read_bytes()
    broken = repo / ".flowforge/team/config.json"
    broken.write_text('{"max_session_hours": "many"}')
    git(repo, "add", "-A")
    result = commit(repo, "-m", "broken config")
    assert result.returncode != 0
    assert "config.json::$.max_session_hours" in result.stdout + result.stderr
    broken.write_text('{"max_session_hours": 10}')
    git(repo, "add", "-A")
    ff("add", "205", "30m", "--start", "11:00")
    assert commit(repo, "-m", "good config").returncode == 0
    assert tree_total(repo) == 7200
    assert servers(served) == [server]


@pytest.mark.slow
def test_validate_hook_checks_staged_summaries_and_team_globs(hooked: Path, ff: Any) -> None:
    repo = hooked
    ff("add", "1", "1h", "--start", "08:00")
    git(repo, "add", "-A")
    assert commit(repo, "-m", "base").returncode == 0
    [path] = (repo / SUMMARIES / "alice").rglob("*.json")
    path.write_text(path.read_text().replace("3600", "36000"))
    git(repo, "add", "-A")
    result = commit(repo, "-m", "a summary edited by hand")
    assert result.returncode != 0
    assert "::$.sha256: does not match the content" in result.stdout + result.stderr
    assert "this commit edits" in result.stderr  # both named
    git(repo, "checkout", "HEAD", "--", str(path))
    # a team's own JSON: the one hook finds the staged files its globs name by itself
    (repo / ".flowforge/team/config.json").write_text(
        json.dumps({"validate": [{"files": "clients/*.json", "schema": "schemas/client.json"}]})
    )
    (repo / "schemas").mkdir()
    (repo / "schemas/client.json").write_text('{"required": ["name"]}')
    (repo / "clients").mkdir()
    (repo / "clients/acme.json").write_text("{}")
    git(repo, "add", "-A")
    result = commit(repo, "-m", "a client without a name")
    assert result.returncode != 0
    assert "clients/acme.json::$: 'name' is a required property" in result.stdout + result.stderr
    (repo / "clients/acme.json").write_text('{"name": "ACME"}')
    git(repo, "add", "-A")
    result = commit(repo, "-m", "a good client")
    assert result.returncode == 0, result.stdout


@pytest.mark.slow
def test_unstaged_summary_edit_is_reported_and_kept(hooked: Path, ff: Any) -> None:
    """pre-commit stashes the edit before hooks run; ffhooks still sees it and stays away."""
    repo = hooked
    ff("add", "1", "1h", "--start", "08:00")
    git(repo, "add", "-A")
    assert commit(repo, "-m", "base").returncode == 0
    [path] = (repo / SUMMARIES / "alice").rglob("*.json")
    path.write_text(path.read_text().replace("3600", "36000"))  # unstaged, by hand
    ff("add", "1", "1h", "--start", "10:00")
    (repo / "x.txt").write_text("x\n")
    git(repo, "add", "x.txt")
    result = commit(repo, "-m", "with an edited summary around", terminal=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "unstaged edits" in result.stdout + result.stderr
    assert "36000" in path.read_text()  # the edit survived pre-commit's stash and restore
    assert tree_total(repo) == 3600  # nothing new was committed on top of it
