"""`ffhooks export --me`: everything ffhooks holds about the caller (GDPR articles 15 and
20), in JSON and CSV with a note of what each part is for and how long it is kept, and
nothing about anyone else."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import git, sessions, set_now
from helpers import track

from ffhooks.clock import parse_iso
from ffhooks.queue import record


@pytest.fixture
def shared(initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """alice and a colleague tracking in one clone, two commits of alice's, November closed,
    a failure of each queued."""
    track(ff, initialised, "alice", ("205", "1h", "2026-11-18T09:00:00Z"))
    track(ff, initialised, "zed", ("205", "2h", "2026-11-18T10:00:00Z"))
    assert ff("add", "PAY-7", "30m", "--start", "2026-11-19T09:00:00Z", "--note", "mine").code == 0
    track(ff, initialised, "alice")
    set_now(monkeypatch, "2026-12-02T12:00:00Z")
    assert ff("close", "2026-11").code == 0
    state = initialised / ".git" / "ffhooks"
    now = parse_iso("2026-12-02T12:00:00Z")
    record(state, "aggregate", "alice", "index.lock held", now)
    record(state, "aggregate", "zed", "index.lock held", now)
    return initialised


def everything(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def table(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_export_me_holds_all_of_the_callers_data_and_nothing_of_anyone_else(
    shared: Path, ff: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    result = ff("export", "--me", "-o", str(folder))
    assert result.code == 0, result.err
    assert f"Wrote everything ffhooks holds about alice to {folder}: 2 session(s)" in result.out
    # the private store, as it is, and its sessions in JSON and CSV
    assert json.loads((folder / "private-store/store.json").read_text())["user"] == "alice"
    mine = json.loads((folder / "private-store/sessions.json").read_text())
    assert [s["id"] for s in mine] == [s["id"] for s in sessions(ff)]
    assert [r["note"] for r in table(folder / "private-store/sessions.csv")] == ["", "mine"]
    # every version of every committed summary under the name, in every commit that made one
    history = json.loads((folder / "summaries.json").read_text())
    made = git(shared, "log", "--format=%H", "--", ".flowforge/team/summaries/alice/").split()
    assert sorted({v["commit"] for v in history}) == sorted(made) and len(made) == 2
    assert {v["content"]["user"] for v in history} == {"alice"}
    assert {r["task"] for r in table(folder / "summaries.csv")} == {"205", "PAY-7"}
    # their rows of the closed period, their snapshots and queue entries
    closed = json.loads((folder / "closed-periods.json").read_text())
    assert {(r["user"], r["task"]) for r in closed} == {("alice", "205"), ("alice", "PAY-7")}
    listed = json.loads((folder / "snapshots.json").read_text())
    assert listed
    for s in listed:  # the store's files, and the summaries written from them
        for f in s["files"]:
            assert "/alice/" in f["path"]
            assert (folder / "snapshots" / f["sha256"]).is_file()
    assert [e["user"] for e in json.loads((folder / "queue.json").read_text())] == ["alice"]
    assert table(folder / "queue.csv")[0]["reason"] == "index.lock held"
    note = (folder / "README.txt").read_text()
    for part in ("private-store", "snapshots", "queue", "summaries", "closed-periods"):
        assert f"\n{part} (" in note
    assert "Kept: pruned by the team's rule: the newest 50" in note
    # nothing of the colleague: not the name, not the store id
    theirs = json.loads((shared / ".flowforge/user/zed/store.json").read_text())["store"]
    held = everything(folder)
    assert b"zed" not in held and theirs.encode() not in held


def test_export_me_refuses_a_folder_in_the_work_tree_or_one_in_use(
    shared: Path, ff: Any, tmp_path: Path
) -> None:
    result = ff("export", "--me", "-o", "data")
    assert result.code == 1 and "inside the work tree" in result.err
    assert not (shared / "data").exists()
    used = tmp_path / "used"
    used.mkdir()
    (used / "x").write_text("x")
    result = ff("export", "--me", "-o", str(used))
    assert result.code == 1 and "is not an empty folder" in result.err
    result = ff("export", "--me")  # the default: a new folder in the home folder
    assert result.code == 0 and "ffhooks-data-alice-2026-12-02" in result.out
