"""Disaster drills: each ends with the store and the report exactly as before."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import git, sessions, store_dir

STATE = Path(".git/ffhooks")


def report(ff: Any, *extra: str) -> Any:
    result = ff("report", "--format", "json", "--by", "user,task,day", *extra)
    assert result.code == 0, result.err
    return {k: v for k, v in result.json().items() if k != "source"}  # the figures alone


@pytest.fixture
def tracked(repo: Path, ff: Any) -> Path:
    """Two days of alice's time, aggregated, committed and snapshotted."""
    assert ff("init").code == 0
    assert ff("add", "205", "2h", "--start", "2026-11-19T09:00:00Z", "--note", "n").code == 0
    assert ff("add", "206", "45m", "--start", "2026-11-20T10:00:00Z", "--no-billable").code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "time")
    return repo


def newest(ff: Any) -> int:
    """The id of the newest snapshot (every change to a store takes one)."""
    snapshot_id: int = ff("snapshot", "list", "--json").json()["snapshots"][-1]["id"]
    return snapshot_id


def test_git_clean_then_restore_brings_back_every_session(tracked: Path, ff: Any) -> None:
    before, billed, last = sessions(ff), report(ff), newest(ff)
    git(tracked, "clean", "-fdxq")
    lost = ff("log", "--all")  # not "0 sessions": the store is gone, and can come back
    assert not store_dir(tracked).exists() and lost.code == 1
    assert "`ffhooks recover restore` brings it back" in lost.err
    dry = ff("recover", "restore", "--dry-run")
    assert dry.code == 0 and f"would restore snapshot {last}" in dry.out
    assert not store_dir(tracked).exists()  # a dry run changes nothing
    result = ff("recover", "restore")
    assert result.code == 0, result.err
    assert sessions(ff) == before
    assert ff("aggregate").code == 0
    assert report(ff) == billed == report(ff, "--ref", "HEAD")
    assert git(tracked, "status", "--porcelain") == ""  # nothing to re-commit: exact


def test_garbage_daily_log_is_refused_kept_and_restored(tracked: Path, ff: Any) -> None:
    before = sessions(ff)
    daily = store_dir(tracked) / "time" / "daily" / "2026-11-19.json"
    daily.write_bytes(b"\x00garbage{")
    result = ff("log", "--all")
    assert result.code == 1
    assert (
        ".flowforge/user/alice/time/daily/2026-11-19.json: is not valid JSON (line 1 column 1"
        in result.err
    )
    assert "ffhooks recover restore" in result.err
    [kept] = (tracked / STATE / "quarantine").rglob("2026-11-19.json")
    assert kept.read_bytes() == b"\x00garbage{"  # kept aside, bytes intact
    result = ff("recover", "restore")
    assert result.code == 0, result.err
    assert "time/daily/2026-11-19.json" in result.out
    assert sessions(ff) == before
    assert kept.read_bytes() == b"\x00garbage{"  # never deleted


def test_altered_snapshot_object_is_named_and_the_rest_restored(tracked: Path, ff: Any) -> None:
    first, older = sessions(ff), newest(ff)
    assert ff("add", "207", "1h", "--start", "2026-11-20T13:00:00Z").code == 0
    last = newest(ff)  # the add took it: the newer state
    path = f"{STATE}/snapshots/manifests/{last:08d}.json"
    manifest = json.loads((tracked / path).read_text())
    daily = next(f for f in manifest["files"] if f["path"].endswith("2026-11-20.json"))
    obj = tracked / STATE / "snapshots/objects" / daily["sha256"][:2] / daily["sha256"]
    obj.write_bytes(obj.read_bytes().replace(b"207", b"208"))
    result = ff("snapshot", "verify")
    assert result.code == 1 and "does not match its checksum" in result.out
    assert ff("recover", "verify").code == 1
    git(tracked, "clean", "-fdxq")
    result = ff("recover", "restore")
    assert result.code == 0, result.err
    assert f"restored snapshot {last}" in result.out
    assert (
        f"not brought back: .flowforge/user/alice/time/daily/2026-11-20.json: its copy in "
        f"snapshot {last} is broken ({obj} does not match its checksum" in result.out
    )
    assert (
        f"snapshot {older} (2026-11-20 17:00 UTC) holds an older copy: `ffhooks recover "
        f"restore {older}` merges it in" in result.out
    )
    assert sessions(ff) == first[:1]  # the 19th came back; the 20th's only copy is broken
    assert ff("recover", "restore", str(older)).code == 0
    assert sessions(ff) == first  # 207's only copy is the broken one: named, not invented


def test_restore_merges_and_keeps_the_state_before(tracked: Path, ff: Any) -> None:
    older = newest(ff)
    assert ff("add", "207", "1h", "--start", "2026-11-20T13:00:00Z").code == 0
    newer, last = sessions(ff), newest(ff)
    result = ff("recover", "restore", str(older), "--json")
    assert result.code == 0, result.err
    assert sessions(ff) == newer  # merged, not overwritten: time recorded since stays
    before = result.json()["before"]
    # the store as it was is the add's own copy: every change takes one
    assert before == last and ff("snapshot", "verify", str(before)).code == 0
    (store_dir(tracked) / "time/daily/2026-11-20.json").write_text("{}")  # not through ffhooks
    result = ff("recover", "restore", str(older), "--json")
    assert result.code == 0, result.err
    before = result.json()["before"]
    rows = ff("snapshot", "list", "--json").json()["snapshots"]
    assert before > last and [r["reason"] for r in rows if r["id"] == before] == ["restore"]


def test_restore_without_any_snapshot(repo: Path, ff: Any) -> None:
    result = ff("recover", "restore")
    assert result.code == 1 and "no snapshot of alice's store can be restored" in result.err


def test_hand_edited_summary_committed_without_hooks_fails_verify(tracked: Path, ff: Any) -> None:
    assert ff("verify").code == 0
    [path] = (tracked / ".flowforge/team/summaries/alice").rglob("*.json")
    path.write_text(path.read_text().replace("7200", "72000"))
    git(tracked, "commit", "-qam", "more hours", "--no-verify")
    result = ff("verify")
    rel = path.relative_to(tracked).as_posix()
    assert result.code == 1
    assert f"{rel}::$.sha256: does not match the content" in result.out
    assert ff("verify", "--ref", "HEAD~1").code == 0
    doc = ff("verify", "--format", "json").json()
    assert doc["ok"] is False and doc["problems"][0]["path"] == rel


def test_verify_finds_private_files_and_diverged_stores(tracked: Path, ff: Any) -> None:
    [path] = (tracked / ".flowforge/team/summaries/alice").rglob("*.json")
    twin = path.parent.parent / "2026-10" / path.name  # same store, same seq, another month
    twin.parent.mkdir()
    twin.write_text(path.read_text())
    git(tracked, "add", "-f", str(twin), str(store_dir(tracked) / "store.json"))
    git(tracked, "commit", "-qm", "bad", "--no-verify")
    out = ff("verify").out
    assert ".flowforge/user/alice/store.json: private time file committed" in out
    assert f"wrote seq {path.stem.split('-')[1]} twice" in out
    assert ff("verify", "--ref", "nope").code == 1


def test_status_names_a_broken_summary_and_rebuild_rewrites_lost_ones(
    tracked: Path, ff: Any
) -> None:
    assert ff("recover").code == 0
    summaries = tracked / ".flowforge/team/summaries"
    [path] = summaries.rglob("*.json")
    path.write_text(path.read_text().replace("7200", "1"))
    status = ff("recover", "status", "--json")
    assert status.code == 1
    [broken] = [c for c in status.json()["conditions"] if c["kind"] == "broken-summary"]
    assert "$.sha256: does not match the content" in broken["what"]
    assert "ffhooks recover rebuild" in broken["fix"]
    git(tracked, "checkout", "--", ".")
    assert ff("recover").code == 0
    assert ff("recover", "rebuild").out == "summaries already match the store\n"
    git(tracked, "rm", "-rq", ".flowforge/team/summaries")
    git(tracked, "commit", "-qm", "lost", "--no-verify")  # past the guard
    assert report(ff)["totals"]["billable_seconds"] == 0
    result = ff("recover", "rebuild", "--json")
    assert result.code == 0 and len(result.json()["written"]) == 1
    assert report(ff)["totals"]["billable_seconds"] == 7200


def _kill_repeatedly(
    repo: Path, ff: Any, argv: list[str], days: range, upto: float, seed: int
) -> None:
    """For each day, record a session (so there is something to write), then run `ffhooks
    ARGV` and SIGKILL it at a random moment within `upto` seconds (about its run time)."""
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for day in days:
        assert ff("add", "300", "10m", "--start", f"2026-11-{day:02d}T20:00:00Z").code == 0
        proc = subprocess.Popen(
            [sys.executable, "-m", "ffhooks", *argv],
            cwd=repo,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.02, upto))
        proc.send_signal(signal.SIGKILL)
        proc.wait()


@pytest.mark.slow
def test_sigkill_during_aggregation_and_snapshots(repo: Path, ff: Any) -> None:
    assert ff("init").code == 0
    lines = [
        json.dumps(
            {
                "task": str(200 + i % 7),
                "start": f"2026-{1 + i // 280:02d}-{1 + i % 280 // 10:02d}T{8 + i % 10:02d}:00:00Z",
                "end": f"2026-{1 + i // 280:02d}-{1 + i % 280 // 10:02d}T{8 + i % 10:02d}:40:00Z",
                "billable": i % 5 != 0,
            }
        )
        for i in range(2800)  # ten months, 28 days, 10 a day
    ]
    (repo / "sessions.jsonl").write_text("\n".join(lines) + "\n")
    assert ff("import", "sessions.jsonl").code == 0
    _kill_repeatedly(repo, ff, ["aggregate", "--all"], range(1, 8), 0.2, seed=1)
    _kill_repeatedly(repo, ff, ["snapshot", "create"], range(8, 14), 0.08, seed=2)
    _kill_repeatedly(repo, ff, ["recover", "rebuild"], range(14, 20), 0.13, seed=3)
    # every file still parses and validates; every snapshot that exists is whole
    assert ff("validate", "--all").code == 0
    assert ff("snapshot", "verify").code == 0
    # and the next run is exact
    assert ff("aggregate", "--all").code == 0
    assert ff("snapshot", "create").code == 0
    assert ff("validate", "--all").code == 0
    logged = ff("log", "--all", "--json").json()["sessions"]
    billable = sum(s["seconds"] for s in logged if s["billable"])
    totals = report(ff)["totals"]
    assert (totals["billable_seconds"], totals["non_billable_seconds"]) == (
        billable,
        sum(s["seconds"] for s in logged) - billable,
    )
    assert billable == 2240 * 40 * 60 + 19 * 10 * 60


def test_ci_workflow_runs_verify() -> None:
    import yaml

    workflow = yaml.safe_load(
        (Path(__file__).parents[2] / "docs/github-actions-verify.yml").read_text()
    )
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads `on` as true
    runs = [step.get("run", "") for step in workflow["jobs"]["verify"]["steps"]]
    assert any(r.startswith("ffhooks verify --ref HEAD") for r in runs)


def test_a_failed_snapshot_never_fails_the_aggregation(repo: Path, ff: Any) -> None:
    assert ff("init").code == 0
    assert ff("add", "205", "1h").code == 0
    shutil.rmtree(repo / STATE / "snapshots")
    (repo / STATE / "snapshots").write_text("a file where the snapshot folder should be")
    result = ff("aggregate")
    assert result.code == 0 and "was not copied outside the work tree" in result.err
    assert report(ff)["totals"]["billable_seconds"] == 3600  # the summary was written
    [entry] = [e for e in ff("recover", "--json").json()["queue"]]
    assert entry["operation"] == "snapshot"
    (repo / STATE / "snapshots").unlink()
    assert ff("recover", "retry").code == 0
    assert ff("recover").code == 0
    assert [row["id"] for row in ff("snapshot", "list", "--json").json()["snapshots"]] == [1]
