"""The private store on disk: broken files, interrupted writes, crash safety."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import git, sessions, store_dir

pytestmark = pytest.mark.usefixtures("repo")

BROKEN = {
    "empty": b"",
    "truncated": b'{"version": 1, "date": "2026-11-20", "sessions": [{"id": "ab',
    "garbage": b"\x00\x01binary",
    "bom": b'\xef\xbb\xbf{"version": 1, "date": "2026-11-20", "sessions": []}',
    "wrong type": b'{"version": 1, "date": "2026-11-20", "sessions": {}}',
    "negative": b'{"version": 1, "date": "2026-11-20", "sessions": [{"id": "aaaaaaaaaaaa", '
    b'"task": "1", "start": "2026-11-20T10:00:00Z", "end": "2026-11-20T09:00:00Z", '
    b'"billable": true}]}',
    "duplicate key": b'{"version": 1, "version": 1, "date": "2026-11-20", "sessions": []}',
    "unknown key": b'{"version": 1, "date": "2026-11-20", "sessions": [], "x": 1}',
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_daily_file_is_quarantined_not_overwritten(ff: Any, repo: Path, kind: str) -> None:
    ff("add", "1", "1h", "--start", "09:00")
    daily = store_dir(repo) / "time/daily/2026-11-20.json"
    daily.write_bytes(BROKEN[kind])
    result = ff("add", "2", "1h", "--start", "11:00")
    assert result.code == 1
    line = result.err.strip()
    assert "\n" not in line and "Traceback" not in line
    assert ".flowforge/user/alice/time/daily/2026-11-20.json" in line
    assert "moved it to" in line and "ffhooks recover restore" in line
    assert not daily.exists()
    [moved] = (repo / ".git/ffhooks/quarantine").rglob("2026-11-20.json*")
    assert moved.read_bytes() == BROKEN[kind]


def test_broken_current_json_is_reported(ff: Any, repo: Path) -> None:
    ff("start", "1", "--at", "09:00")
    current = store_dir(repo) / "time/current.json"
    current.write_text('{"version": 1, "running": {"task": 5}, "paused": null}')
    result = ff("stop")
    assert result.code == 1 and "current.json" in result.err
    assert "$.running" in result.err


def test_missing_store_json_with_sessions_is_not_a_new_store(ff: Any, repo: Path) -> None:
    ff("add", "1", "1h", "--start", "09:00")
    (store_dir(repo) / "store.json").unlink()
    result = ff("add", "2", "1h", "--start", "11:00")
    assert result.code == 1 and "time store is missing" in result.err
    assert "`ffhooks recover restore` brings it back" in result.err
    assert not (store_dir(repo) / "store.json").exists()
    shutil.rmtree(repo / ".git/ffhooks/snapshots")  # and without any copy of it
    result = ff("add", "2", "1h", "--start", "11:00")
    assert result.code == 1 and "store.json is missing" in result.err


def test_store_of_another_user_is_refused(ff: Any, repo: Path) -> None:
    ff("add", "1", "1h")
    store_dir(repo).rename(store_dir(repo, "bob"))
    result = ff("log", "--user", "bob")
    assert result.code == 1 and "belongs to user 'alice'" in result.err


def test_interrupted_transaction_is_completed_by_the_next_command(ff: Any, repo: Path) -> None:
    """A crash between the journal and the files: the next command finishes the work."""
    ff("start", "1", "--at", "09:00")
    root = store_dir(repo)
    before = (root / "time/current.json").read_text()
    ff("stop", "--at", "10:00")
    after_files = {p: p.read_text() for p in (root / "time").rglob("*.json")}
    # rebuild the crash: the journal is written, no file yet
    journal = {
        "version": 1,
        "files": {str(p.relative_to(root)): json.loads(t) for p, t in after_files.items()},
    }
    (root / "time/current.json").write_text(before)
    (root / "time/daily/2026-11-20.json").unlink()
    (root / "journal.json").write_text(json.dumps(journal))
    assert ff("status", "--json").json()["running"] is None
    assert [s["end"] for s in sessions(ff)] == ["2026-11-20T10:00:00Z"]
    assert not (root / "journal.json").exists()


def test_journal_cannot_write_outside_the_store(ff: Any, repo: Path) -> None:
    ff("add", "1", "1h")
    root = store_dir(repo)
    (root / "journal.json").write_text(json.dumps({"version": 1, "files": {"../../../x.json": {}}}))
    result = ff("status")
    assert result.code == 1 and "is not a file of the store" in result.err
    assert not (repo / "x.json").exists()


def test_every_file_written_matches_its_schema(ff: Any, repo: Path) -> None:
    import jsonschema

    from ffhooks.validator.schema import load

    ff("init")
    ff("start", "1", "--at", "09:00", "--note", "n")
    ff("pause", "--at", "10:00", "--reason", "r")
    ff("add", "2", "1h", "--start", "2026-10-31 23:30", "--no-billable")
    root = store_dir(repo)
    files = {
        root / "store.json": "store",
        root / "time/current.json": "current",
        repo / ".flowforge/team/config.json": "team-config",
        **{p: "daily" for p in (root / "time/daily").glob("*.json")},
    }
    assert len(files) == 5
    for path, name in files.items():
        jsonschema.Draft202012Validator(
            load(name), format_checker=jsonschema.FormatChecker()
        ).validate(json.loads(path.read_text()))


def test_a_store_ignores_itself_where_init_never_ran(repo: Path, ff: Any) -> None:
    """No `ffhooks init`, so no .gitignore line: `git add -A` still leaves the store."""
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    assert ff("start", "206").code == 0
    (repo / "notes.txt").write_text("work\n")
    git(repo, "add", "-A")
    assert git(repo, "diff", "--cached", "--name-only").split() == ["notes.txt"]
    git(repo, "check-ignore", "-q", ".flowforge/user/alice/store.json")  # raises if not
