"""A name given with --user must be someone: this clone's own identity, a teammate in the
team's summaries, or someone who tracks here already. Anyone else is a typo until
--new-user says otherwise, and a typo creates nothing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, commit, git, install_hooks, store_dir


@pytest.fixture
def team(repo: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """alice's fresh clone of a team whose summaries hold alice and bob: nobody tracks in
    it yet, and it has no snapshots."""
    assert ff("init").code == 0
    assert ff("add", "12", "1h", "--start", "09:00").code == 0
    monkeypatch.setenv("FFHOOKS_USER", "bob")
    assert ff("add", "12", "2h", "--start", "09:00").code == 0
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "the team")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    monkeypatch.chdir(clone)
    assert sorted(p.name for p in (clone / SUMMARIES).iterdir()) == ["alice", "bob"]
    return clone


def refused(result: Any, *said: str) -> None:
    assert result.code == 1, result
    line = result.err.strip()
    assert "\n" not in line and "Traceback" not in line, line
    for words in said:
        assert words in line, line


def tracks(clone: Path, user: str) -> bool:
    return (store_dir(clone, user) / "store.json").is_file()


JSONL = '{"task": "9", "start": "2026-11-19T10:00:00Z", "end": "2026-11-19T11:00:00Z"}\n'


@pytest.mark.parametrize(
    "argv",
    [
        ("add", "12", "10m"),
        ("start", "12"),
        ("timezone", "Europe/Berlin"),
        ("import", "s.jsonl"),
    ],
)
def test_a_typo_is_refused_with_the_nearest_name(
    team: Path, ff: Any, argv: tuple[str, ...]
) -> None:
    (team / "s.jsonl").write_text(JSONL)
    refused(
        ff(*argv, "--user", "bobb"),
        "--user bobb: nobody of that name tracks time in this team (did you mean bob?)",
        "--new-user",
    )
    assert not (team / ".flowforge" / "user").exists()


@pytest.mark.slow
def test_a_typo_leaves_nothing_for_the_next_commit(team: Path, ff: Any) -> None:
    install_hooks(team, ff, "pre-commit")
    refused(ff("add", "12", "10m", "--user", "bobb"), "did you mean bob?")
    refused(ff("add", "12", "10m", "--user", "Bobb"), "--user bobb:")
    assert ff("add", "12", "10m").code == 0  # alice, as herself
    (team / "work.txt").write_text("the work\n")
    git(team, "add", "-A")
    done = commit(team, "-m", "work")
    assert done.returncode == 0, done.stderr
    committed = git(team, "ls-tree", "-r", "--name-only", "HEAD", "--", SUMMARIES).split()
    assert {p.split("/")[3] for p in committed} == {"alice", "bob"}
    assert len([p for p in committed if "/alice/" in p]) == 2  # the hook folded alice's
    assert not store_dir(team, "bobb").exists()


def test_a_name_nobody_is_near_lists_the_team(team: Path, ff: Any) -> None:
    refused(ff("add", "12", "10m", "--user", "zed"), "(known: alice, bob)", "--new-user")


def test_a_teammate_in_the_summaries_is_accepted(team: Path, ff: Any) -> None:
    assert ff("add", "12", "10m", "--user", "bob").code == 0
    assert tracks(team, "bob") and not tracks(team, "alice")
    # summaries not committed yet (a merge not yet committed, a `git stash pop`) count too
    shutil.copytree(team / SUMMARIES / "bob", team / SUMMARIES / "carol")
    assert ff("add", "12", "10m", "--user", "carol").code == 0


def test_a_teammate_only_at_head_is_accepted(team: Path, ff: Any) -> None:
    """A sparse checkout leaves the summaries out of the work tree: HEAD still knows bob."""
    git(team, "sparse-checkout", "set", "--no-cone", "/*", f"!/{SUMMARIES}/")
    assert not (team / SUMMARIES).exists()
    assert ff("add", "12", "10m", "--user", "bob").code == 0
    refused(ff("add", "12", "10m", "--user", "bobb"), "did you mean bob?")


def test_ones_own_configured_identity_is_accepted(
    team: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FFHOOKS_USER")
    git(team, "config", "ffhooks.user", "dave")
    assert ff("add", "12", "10m", "--user", "Dave").code == 0
    assert tracks(team, "dave")
    refused(ff("add", "12", "10m", "--user", "carol"), "carol")


def test_ffhooks_user_is_accepted(team: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FFHOOKS_USER", "carol")
    assert ff("start", "12", "--user", "carol").code == 0
    monkeypatch.setenv("FFHOOKS_USER", "erin")
    assert ff("add", "12", "10m", "--start", "09:00").code == 0  # no --user: erin herself
    assert tracks(team, "carol") and tracks(team, "erin")


def test_the_first_user_of_a_fresh_repository_starts_without_friction(
    repo: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FFHOOKS_USER")  # resolved from user.email: tester
    assert ff("add", "12", "10m", "--user", "tester").code == 0
    refused(ff("add", "12", "10m", "--user", "testr"), "did you mean tester?")


def test_new_user_starts_a_new_person(team: Path, ff: Any) -> None:
    assert ff("add", "12", "10m", "--user", "bobb", "--new-user").code == 0
    assert tracks(team, "bobb")
    # bobb tracks here now: no flag needed any more, and bobb is offered to the next typo
    assert ff("add", "12", "10m", "--start", "09:00", "--user", "bobb").code == 0
    refused(ff("add", "12", "10m", "--user", "bobbb"), "did you mean bobb or bob?")
    assert "--new-user" in ff("add", "--help").out


def test_reading_an_unknown_name_is_not_refused_and_creates_nothing(team: Path, ff: Any) -> None:
    assert ff("log", "--user", "bobb").code == 0
    assert ff("status", "--user", "bobb").code == 0
    assert ff("timezone", "--user", "bobb").code == 0
    assert not (team / ".flowforge" / "user").exists()


def test_a_folder_a_failed_command_left_is_no_person(team: Path, ff: Any) -> None:
    """Only a store makes someone who tracks here, not a folder holding a lock."""
    (store_dir(team, "bobb")).mkdir(parents=True)
    (store_dir(team, "bobb") / ".lock").touch()
    refused(ff("add", "12", "10m", "--user", "bobb"), "did you mean bob?")
    assert not tracks(team, "bobb")


def test_a_lost_store_is_told_as_lost_not_as_a_stranger(team: Path, ff: Any) -> None:
    """carol tracked in this clone (never committed) and lost her store: the way back is a
    restore, which the refusal names first."""
    assert ff("add", "12", "10m", "--user", "carol", "--new-user").code == 0
    assert ff("snapshot", "create", "--user", "carol").code == 0
    shutil.rmtree(store_dir(team, "carol"))
    refused(ff("add", "12", "10m", "--user", "carol"), "ffhooks recover restore")
