"""`ffhooks recover restore`: a store comes back only to its own place, merged into what is
there; it never resurrects a stopped timer, doubles a session id or bills one store twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import git, sessions, set_now, store_dir

STATE = Path(".git/ffhooks")


def header(repo: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((store_dir(repo) / "store.json").read_text())
    return doc


def billable(ff: Any, *extra: str) -> int:
    result = ff("report", "--format", "json", *extra)
    assert result.code == 0, result.err
    total: int = result.json()["totals"]["billable_seconds"]
    return total


def manifest(repo: Path, snapshot_id: int) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (repo / STATE / f"snapshots/manifests/{snapshot_id:08d}.json").read_text()
    )
    return doc


def newest(ff: Any) -> int:
    """The id of the newest snapshot (every change to a store takes one)."""
    snapshot_id: int = ff("snapshot", "list", "--json").json()["snapshots"][-1]["id"]
    return snapshot_id


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def test_a_broken_store_in_a_linked_worktree_gets_its_own_store_back(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit_all(initialised, "ffhooks")
    main = initialised.resolve()
    wt = main.parent / "wt"
    git(main, "worktree", "add", "-q", str(wt))
    monkeypatch.chdir(wt)
    assert ff("add", "206", "2h", "--start", "2026-11-20T09:00:00Z").code == 0
    assert ff("snapshot", "create").code == 0  # the worktree's store (the add took it)
    ours, logged, first = header(wt)["store"], sessions(ff), newest(ff)
    monkeypatch.chdir(main)
    assert ff("add", "205", "1h", "--start", "2026-11-19T09:00:00Z").code == 0
    assert ff("snapshot", "create").code == 0  # the main work tree's, newer
    theirs, second = header(main)["store"], newest(ff)
    assert second > first
    monkeypatch.chdir(wt)
    assert ff("recover", "status", "--json").json()["snapshot"]["id"] == first
    (store_dir(wt) / "store.json").write_text("{ broken")
    refused = ff("recover", "restore", str(second))
    assert refused.code == 1 and f"in the work tree {main}" in refused.err
    result = ff("recover", "restore")
    assert result.code == 0, result.err
    assert f"restored snapshot {first}" in result.out
    assert header(wt)["store"] == ours and sessions(ff) == logged
    monkeypatch.chdir(main)
    assert header(main)["store"] == theirs and len(sessions(ff)) == 1
    assert (manifest(main, first)["store"], manifest(main, first)["worktree"]) == (ours, str(wt))
    assert (manifest(main, second)["store"], manifest(main, second)["worktree"]) == (
        theirs,
        str(main),
    )


def test_an_old_manifest_without_store_or_worktree_still_reads(repo: Path, ff: Any) -> None:
    assert ff("add", "205", "1h").code == 0
    assert ff("snapshot", "create").code == 0
    from ffhooks.store import snapshot_area as snapshot

    for path in (repo / STATE / "snapshots/manifests").glob("*.json"):
        doc = json.loads(path.read_text())
        del doc["store"], doc["worktree"]
        doc["sha256"] = snapshot._body_checksum(doc)
        path.write_text(json.dumps(doc))
    rows = ff("snapshot", "list", "--json").json()["snapshots"]
    assert {(row["store"], row["worktree"]) for row in rows} == {(None, None)}
    git(repo, "clean", "-fdxq")
    result = ff("recover", "restore")  # a clone with one work tree: it can only be this one's
    assert result.code == 0, result.err
    assert len(sessions(ff)) == 1


def test_restore_never_resurrects_a_stopped_timer(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_now(monkeypatch, "2026-11-20T09:00:00Z")
    assert ff("start", "205").code == 0
    set_now(monkeypatch, "2026-11-20T10:00:00Z")
    assert ff("snapshot", "create").code == 0  # taken while the timer ran (the start took it)
    running = newest(ff)
    set_now(monkeypatch, "2026-11-20T11:00:00Z")
    assert ff("stop").code == 0
    [stopped] = sessions(ff)
    result = ff("recover", "restore", str(running))
    assert result.code == 0, result.err
    assert ff("status", "--json").json()["running"] is None
    assert ff("stop").code == 1  # nothing runs: no second, overlapping session
    assert (
        "not brought back: the timer running since 2026-11-20 09:00 UTC (205): it was stopped "
        f"since and recorded as session {stopped['id']}"
    ) in result.out
    # a lost current.json does not bring it back either: its id is a recorded session
    (store_dir(initialised) / "time" / "current.json").unlink()
    assert ff("recover", "restore", str(running)).code == 0
    assert ff("status", "--json").json()["running"] is None
    assert sessions(ff) == [stopped]
    assert ff("edit", stopped["id"], "--task", "206").code == 0  # addressable by its full id
    assert ff("remove", stopped["id"]).code == 0
    assert sessions(ff) == []


def test_a_lost_timer_comes_back_unless_time_was_recorded_over_it(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = store_dir(initialised) / "time" / "current.json"
    set_now(monkeypatch, "2026-11-20T09:00:00Z")
    assert ff("start", "205").code == 0
    set_now(monkeypatch, "2026-11-20T10:00:00Z")
    assert ff("snapshot", "create").code == 0
    running = newest(ff)
    current.unlink()
    assert ff("recover", "restore").code == 0
    assert ff("status", "--json").json()["running"]["start"] == "2026-11-20T09:00:00Z"
    current.unlink()
    assert ff("add", "206", "30m", "--start", "2026-11-20T09:30:00Z").code == 0
    result = ff("recover", "restore", str(running))
    assert result.code == 0, result.err
    assert ff("status", "--json").json()["running"] is None
    assert "not brought back: the timer running since 2026-11-20 09:00 UTC (205): it overlaps" in (
        result.out
    )
    assert [s["task"] for s in sessions(ff)] == ["206"]


def test_restore_merges_session_by_session(initialised: Path, ff: Any) -> None:
    daily = store_dir(initialised) / "time" / "daily"
    for task, start in [("205", "18T09"), ("206", "19T10"), ("207", "20T08")]:
        assert ff("add", task, "1h", "--start", f"2026-11-{start}:00:00Z").code == 0
    a, b, c = sessions(ff)
    assert ff("snapshot", "create").code == 0
    first = newest(ff)
    assert ff("edit", a["id"], "--note", "changed since").code == 0
    assert ff("remove", b["id"]).code == 0
    assert ff("add", "208", "1h", "--start", "2026-11-19T10:30:00Z").code == 0
    (daily / "2026-11-20.json").unlink()  # a file the store lacks entirely
    d = next(s for s in sessions(ff) if s["task"] == "208")
    result = ff("recover", "restore", str(first), "--json")
    assert result.code == 0, result.err
    now = {s["id"]: s for s in sessions(ff)}
    assert set(now) == {a["id"], c["id"], d["id"]}  # one session per id, none overlapping
    assert now[a["id"]]["note"] == "changed since"  # the store's own version wins
    done = result.json()
    assert done["brought_back"] == [c["id"]]
    assert done["left_out"] == [
        f"session {b['id']} (206, 2026-11-19 10:00-11:00 UTC): it overlaps session "
        f"{d['id']} recorded since"
    ]
    assert ff("validate", "--all").code == 0
    assert ff("edit", c["id"], "--task", "209").code == 0
    assert ff("remove", d["id"]).code == 0
    assert ff("aggregate").code == 0
    assert billable(ff) == 2 * 3600


def test_rm_rf_flowforge_then_restore_is_exact(initialised: Path, ff: Any) -> None:
    assert ff("add", "205", "2h", "--start", "2026-11-19T09:00:00Z").code == 0
    assert ff("aggregate").code == 0
    commit_all(initialised, "time")
    logged, billed = sessions(ff), billable(ff)
    shutil.rmtree(initialised / ".flowforge")
    git(initialised, "checkout", "--", ".")
    result = ff("recover", "restore")
    assert result.code == 0, result.err
    assert sessions(ff) == logged
    assert ff("aggregate").code == 0
    assert billable(ff) == billed == billable(ff, "--ref", "HEAD")
    assert git(initialised, "status", "--porcelain") == ""


def test_a_restored_file_is_no_longer_quarantined(initialised: Path, ff: Any) -> None:
    assert ff("add", "205", "1h", "--start", "2026-11-19T09:00:00Z").code == 0
    assert ff("snapshot", "create").code == 0
    (store_dir(initialised) / "time" / "daily" / "2026-11-19.json").write_text("{")
    assert ff("log", "--all").code == 1  # moved aside, and marked so no fold drops its time
    assert header(initialised)["quarantined"]
    assert ff("recover", "restore").code == 0
    assert ff("aggregate").code == 0
    assert billable(ff) == 3600


def _another_store_here(repo: Path) -> str:
    """This folder's store becomes one of a new id (as a second `init` of a lost store would
    make), holding the same sessions; the old id's summaries stay committed."""
    doc = header(repo)
    other = "0123456789abcdef"
    doc |= {"store": other, "seq": 0, "summaries": {}}
    if "writer" in doc:
        doc["writer"] = "0badcafe"
    (store_dir(repo) / "store.json").write_text(json.dumps(doc, indent=2) + "\n")
    return other


@pytest.fixture
def committed(initialised: Path, ff: Any) -> Path:
    assert ff("add", "205", "2h", "--start", "2026-11-19T09:00:00Z").code == 0
    assert ff("aggregate").code == 0  # and a snapshot of this store with its summary
    commit_all(initialised, "time")
    return initialised


def test_naming_another_stores_snapshot_brings_it_back_in_place(committed: Path, ff: Any) -> None:
    restored, snapshot_id = header(committed)["store"], newest(ff)
    other = _another_store_here(committed)
    result = ff("recover", "restore", str(snapshot_id))
    assert result.code == 0, result.err
    assert header(committed)["store"] == restored
    assert f"store {other} was here; the snapshot's store takes its place" in result.out


def test_naming_another_stores_snapshot_refuses_or_merges(committed: Path, ff: Any) -> None:
    restored, snapshot_id = header(committed)["store"], newest(ff)
    other = _another_store_here(committed)
    assert ff("add", "206", "1h", "--start", "2026-11-20T09:00:00Z").code == 0
    extra = next(s for s in sessions(ff) if s["task"] == "206")
    assert ff("aggregate").code == 0
    commit_all(committed, "the other store's time")
    assert billable(ff) == 2 * 3600 + 3 * 3600  # both ids bill the 2h: the harm to undo
    result = ff("recover", "restore", str(snapshot_id))
    assert result.code == 1
    assert (
        f"this store (id {other}) holds 1 session(s) snapshot {snapshot_id} (store {restored}) "
        f"lacks: {extra['id']}; `ffhooks recover restore {snapshot_id} --merge` moves them"
        in result.err
    )
    assert header(committed)["store"] == other  # nothing changed
    result = ff("recover", "restore", str(snapshot_id), "--merge")
    assert result.code == 0, result.err
    retired = f".flowforge/team/summaries/alice/2026-11/{other}-2.json"
    assert f"store {other} stops billing: staged {retired}" in result.out
    assert header(committed)["store"] == restored
    assert len(sessions(ff)) == 2
    assert ff("aggregate").code == 0
    commit_all(committed, "one store")
    assert billable(ff) == billable(ff, "--ref", "HEAD") == 3 * 3600
    assert json.loads((committed / retired).read_text())["totals"] == {}
