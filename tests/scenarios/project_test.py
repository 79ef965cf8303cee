"""Summaries name their project (issue 25, item 3), and a key is trusted only once the base
allows it (item 6): signed summaries copied from another repository, or signed with a key
that the same change adds, are refused by the hook, `verify` and `report`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, SUMMARIES, commit, git
from helpers import CONFIG, SIGNERS, keygen, set_config

MONTH = f"{SUMMARIES}/alice/2026-11"


def record(ff: Any, repo: Path, hours: str, message: str) -> None:
    """alice adds time, and it is folded and committed (without the hook)."""
    assert ff("add", "205", hours, "--start", "2026-11-20T09:00:00Z").code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    assert commit(repo, "-m", message, "--no-verify").returncode == 0


def signed_project(path: Path, ff: Any, key: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A repository whose team requires signatures, alice's `key` allowed: its project id."""
    path.mkdir()
    git(path, "init", "-q")
    monkeypatch.chdir(path)
    git(path, "config", "user.signingkey", str(key))
    assert ff("init", "--signing").code == 0
    set_config(path, signatures="required")
    git(path, "add", "-A")
    assert commit(path, "-m", "set up", "--no-verify").returncode == 0
    return str(json.loads((path / CONFIG).read_text())["project"])


def test_summaries_replayed_from_another_project_are_refused(
    tmp_path: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    monkeypatch.setenv("FFHOOKS_NOW", NOW)
    key = keygen(tmp_path, "alice")  # alice works for both clients, with one key
    a = signed_project(tmp_path / "a", ff, key, monkeypatch)
    record(ff, tmp_path / "a", "8h", "a day for client A")
    b = signed_project(tmp_path / "b", ff, key, monkeypatch)
    assert a != b
    shutil.copytree(tmp_path / "a" / MONTH, tmp_path / "b" / MONTH)
    [copied] = [
        p.relative_to(tmp_path / "b").as_posix() for p in (tmp_path / "b").rglob("*-*.json")
    ]
    assert json.loads((tmp_path / "b" / copied).read_text())["project"] == a
    # the signature is good: only the project tells the copy apart
    assert ff("validate", copied).code == 1
    assert ff("verify").code == 0  # not committed yet
    git(tmp_path / "b", "add", copied)
    assert commit(tmp_path / "b", "-m", "replay", "--no-verify").returncode == 0
    result = ff("verify", "--format", "json")
    assert result.code == 1
    [problem] = result.json()["problems"]
    assert problem["path"] == copied
    assert f"a summary of project {a}, and this project is {b}" in problem["problem"]
    refused = ff("report")
    assert refused.code == 1 and "belong to another project" in refused.err
    assert f"{copied}: a summary of project {a}" in refused.err
    assert "Traceback" not in refused.err


def test_the_hook_refuses_a_copied_summary(
    hooked: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "set up").returncode == 0
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    monkeypatch.chdir(other)
    assert ff("init", "--no-hook").code == 0
    assert ff("add", "205", "3h", "--start", "2026-11-20T09:00:00Z").code == 0
    assert ff("aggregate").code == 0
    monkeypatch.chdir(hooked)
    shutil.copytree(other / MONTH, hooked / MONTH)
    git(hooked, "add", "-A")
    refused = commit(hooked, "-m", "copied")
    assert refused.returncode == 1
    assert "$.project: a summary of project" in refused.stdout + refused.stderr
    assert git(hooked, "log", "--format=%s", "-1").strip() == "set up"


def test_summaries_without_a_project_are_told_until_written_again(
    initialised: Path, ff: Any
) -> None:
    path = initialised / CONFIG
    old = {k: v for k, v in json.loads(path.read_text()).items() if k != "project"}
    path.write_text(json.dumps(old, indent=2) + "\n")  # as ffhooks 0.4 wrote it
    record(ff, initialised, "2h", "before project ids")
    assert "names no project" in ff("verify").out  # a warning: nothing to tell apart by
    done = ff("init", "--no-hook")
    assert done.code == 0
    root = git(initialised, "rev-list", "--max-parents=0", "HEAD").strip()
    assert f"added the project id {root[:16]}" in done.out  # the same in every clone
    text = path.read_text()
    assert (
        text == json.dumps(old, indent=2).replace("{", f'{{\n  "project": "{root[:16]}",', 1) + "\n"
    )
    git(initialised, "commit", "-qam", "project id", "--no-verify")
    result = ff("verify", "--format", "json")
    assert result.code == 0
    [warning] = result.json()["warnings"]
    assert warning["problem"].startswith("names no project: written before ffhooks 0.5")
    report = ff("report", "--format", "json").json()
    assert report["totals"]["billable_seconds"] == 7200
    assert any(n.startswith("NO PROJECT in 1 summary file(s)") for n in report["notes"])
    assert ff("aggregate", "--all").code == 0
    git(initialised, "add", "-A")
    assert commit(initialised, "-m", "written again", "--no-verify").returncode == 0
    again = ff("verify", "--format", "json").json()
    assert again["ok"] and again["warnings"] == []
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 7200


def test_a_changed_project_id_since_the_base_is_a_problem(initialised: Path, ff: Any) -> None:
    record(ff, initialised, "1h", "time")
    git(initialised, "branch", "base")
    set_config(initialised, project="0123456789abcdef")
    git(initialised, "commit", "-qam", "another project", "--no-verify")
    result = ff("verify", "--since", "base")
    assert result.code == 1
    assert f"{CONFIG}: names project 0123456789abcdef, and base names" in result.out
    assert "a summary of project" in result.out  # and what it did to the summaries


def test_a_key_and_summaries_it_signs_in_one_change_fail(
    initialised: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(initialised, "config", "user.signingkey", str(keygen(tmp_path, "alice")))
    assert ff("init", "--signing").code == 0
    set_config(initialised, signatures="required")
    record(ff, initialised, "1h", "signed")
    git(initialised, "branch", "base")
    # mallory, who may push a branch, adds a key for alice and bills in her name with it
    git(initialised, "checkout", "-q", "-b", "pr")
    forger = keygen(tmp_path, "forger")
    git(initialised, "config", "user.signingkey", str(forger))
    assert ff("init", "--signing").code == 0  # writes the line `alice <forger's key>`
    assert ff("add", "207", "9h", "--start", "2026-11-19T08:00:00Z").code == 0
    assert ff("aggregate").code == 0
    git(initialised, "add", "-A")
    assert commit(initialised, "-m", "forged", "--no-verify").returncode == 0
    assert ff("verify").code == 0  # by the branch's own allowed_signers, all is signed
    result = ff("verify", "--since", "base", "--format", "json")
    assert result.code == 1
    [problem] = result.json()["problems"]
    assert problem["path"].startswith(f"{MONTH}/")
    assert (
        "a key this change adds to .flowforge/team/allowed_signers (for alice)"
        in (problem["problem"])
    )
    assert problem["problem"].startswith("signed with SHA256:")
    # the same key, added on its own and merged first, then trusted
    git(initialised, "checkout", "-q", "base")
    git(initialised, "checkout", "-q", "pr", "--", SIGNERS)
    git(initialised, "commit", "-qm", "a second key for alice, reviewed", "--no-verify")
    git(initialised, "branch", "-f", "reviewed")
    git(initialised, "checkout", "-q", "pr")
    git(initialised, "rebase", "-q", "reviewed")
    assert ff("verify", "--since", "reviewed").code == 0


def test_a_shallow_clone_gives_no_project_id_of_its_own(
    initialised: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its oldest commit is where it was cut: an id taken from it would differ from the one
    every full clone derives, and the summaries written under one would be foreign to the
    other."""
    path = initialised / CONFIG
    old = {k: v for k, v in json.loads(path.read_text()).items() if k != "project"}
    path.write_text(json.dumps(old, indent=2) + "\n")
    record(ff, initialised, "1h", "first")
    git(initialised, "commit", "-q", "--allow-empty", "-m", "second", "--no-verify")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{initialised}", str(shallow))
    monkeypatch.chdir(shallow)
    done = ff("init", "--no-hook")
    assert done.code == 0 and "unchanged (this clone is shallow" in done.out
    assert "project" not in json.loads((shallow / CONFIG).read_text())
    git(shallow, "fetch", "-q", "--unshallow")
    root = git(shallow, "rev-list", "--max-parents=0", "HEAD").strip()
    assert f"added the project id {root[:16]}" in ff("init", "--no-hook").out
