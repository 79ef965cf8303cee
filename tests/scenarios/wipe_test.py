"""A wiped store between commits (issue 24): every change to a store is copied outside the
work tree as it is made, so `rm -rf`, `git clean -fdx` or `git stash -a` lose no second;
and a missing store never reads as "no time"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import git, sessions, set_now, store_dir

STATE = Path(".git/ffhooks")


def wipe(repo: Path, how: str) -> None:
    if how == "rm -rf":
        shutil.rmtree(store_dir(repo))
    elif how == "git clean -fdx":
        git(repo, "clean", "-q", "-fdx")
    else:
        git(repo, "stash", "-q", "-a")
    assert not store_dir(repo).exists()


@pytest.fixture
def clean(initialised: Path) -> Path:
    """`ffhooks init`'s files committed: a wipe takes the private store only."""
    git(initialised, "add", "-A")
    git(initialised, "commit", "-qm", "ffhooks")
    return initialised


def state(repo: Path, ff: Any) -> dict[str, Any]:
    """What the store records: its sessions, its timer, its id and zones, and every file's
    bytes but store.json's (whose bookkeeping a restore brings up to date)."""
    status = ff("status", "--json").json()
    shown = ff("store", "--json").json()
    folder = store_dir(repo)
    return {
        "sessions": sessions(ff),
        "timer": (status["running"], status["paused"]),
        "store": (shown["store"], shown["timezone"]),
        "files": {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*.json")
            if p.name != "store.json"
        },
    }


@pytest.mark.parametrize("how", ["rm -rf", "git clean -fdx", "git stash -a"])
def test_the_issue_a_wipe_after_add_then_restore_loses_nothing(
    clean: Path, ff: Any, how: str
) -> None:
    assert ff("add", "12", "40m").code == 0
    before = state(clean, ff)
    wipe(clean, how)
    result = ff("recover", "restore")
    assert result.code == 0, result.err
    assert "1 session(s) brought back" in result.out and "nothing left out" in result.out
    assert state(clean, ff) == before
    assert ff("aggregate").code == 0
    report = ff("report", "--format", "json").json()
    assert report["totals"]["billable_seconds"] == 40 * 60


def test_every_kind_of_change_is_copied_as_it_is_made(
    clean: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    imported = tmp_path / "old.jsonl"
    imported.write_text(
        json.dumps({"task": "300", "start": "2026-11-02T09:00:00Z", "end": "2026-11-02T11:00:00Z"})
        + "\n"
    )

    def session(task: str) -> str:
        found: str = next(s["id"] for s in sessions(ff) if s["task"] == task)
        return found

    steps: list[tuple[str, list[str] | Any]] = [
        ("2026-11-20T09:00:00Z", ["start", "205"]),  # a timer running at the wipe
        ("2026-11-20T09:30:00Z", ["pause"]),
        ("2026-11-20T09:40:00Z", ["resume"]),
        ("2026-11-20T10:00:00Z", ["stop"]),
        ("2026-11-20T12:00:00Z", ["add", "206", "1h", "--start", "11:00"]),
        ("2026-11-20T12:01:00Z", lambda: ["edit", session("206"), "--note", "changed"]),
        ("2026-11-20T12:02:00Z", ["start", "207"]),
        ("2026-11-20T12:30:00Z", ["cancel"]),
        ("2026-11-20T12:31:00Z", ["add", "208", "10m", "--start", "12:00"]),
        ("2026-11-20T12:32:00Z", lambda: ["remove", session("208")]),
        ("2026-11-20T12:33:00Z", ["import", str(imported)]),
        ("2026-11-20T12:34:00Z", ["timezone", "Europe/Berlin"]),
        ("2026-11-20T12:35:00Z", ["restart"]),
        ("2026-11-20T12:36:00Z", ["recover", "restore"]),  # a restore's result, too
    ]
    for at, argv in steps:
        set_now(monkeypatch, at)
        args = argv() if callable(argv) else argv
        done = ff(*args)
        assert done.code == 0, (args, done.err)
        before = state(clean, ff)
        wipe(clean, "rm -rf")
        result = ff("recover", "restore")
        assert result.code == 0, (args, result.err)
        assert "nothing left out" in result.out, (args, result.out)
        assert state(clean, ff) == before, args
    assert [s["task"] for s in sessions(ff)] == ["300", "205", "205", "206"]
    assert ff("status", "--json").json()["running"]["task"] == "206"  # restarted


def test_a_wipe_after_folds_whose_copies_list_only_their_changes(clean: Path, ff: Any) -> None:
    """The fold's copy of the store lists only the header, the new summaries and the files
    the fold read, as changes to the copy before it: a long history is not copied again at
    each commit. Restored from such a copy after three folds, the store is whole."""
    for day in range(1, 6):
        assert ff("add", "204", "1h", "--start", f"2026-09-0{day}T09:00:00Z").code == 0
    assert ff("aggregate").code == 0
    for day in range(16, 21):
        assert ff("add", "205", "1h", "--start", f"2026-11-{day}T09:00:00Z").code == 0
    for n, day in enumerate((16, 17, 18)):
        assert ff("add", "206", "30m", "--start", f"2026-11-{day}T13:00:00Z").code == 0
        assert ff("aggregate").code == 0
        newest = max((clean / STATE / "snapshots/manifests").iterdir())
        copy = json.loads(newest.read_text())
        assert copy["reason"] == "aggregate" and copy["base"] == int(newest.stem) - 1
        listed = [f["path"].split("/")[-1] for f in copy["files"]]
        assert "store.json" in listed and sum(p.endswith(f"-{n + 2}.json") for p in listed) == 1
        assert {p for p in listed if p.startswith("2026-")} == {
            f"2026-11-{d}.json" for d in range(16, 21)
        }  # November's days, which the fold read; not September's
    before = state(clean, ff)
    wipe(clean, "rm -rf")
    result = ff("recover", "restore")
    assert result.code == 0, result.err
    assert "nothing left out" in result.out
    assert state(clean, ff) == before
    report = ff("report", "--format", "json").json()
    assert report["totals"]["billable_seconds"] == (10 * 60 + 3 * 30) * 60


def test_a_missing_store_is_not_no_time(clean: Path, ff: Any) -> None:
    assert ff("log").out.startswith("0 sessions")  # no store and no copy of one: no time
    assert ff("recover").code == 0
    assert ff("add", "12", "40m").code == 0
    wipe(clean, "git clean -fdx")
    said = "alice's time store is missing from this work tree, but this clone has snapshots"
    for argv in (["log"], ["log", "--json"], ["stop"], ["pause"], ["store"]):
        result = ff(*argv)
        assert result.code == 1 and result.out == "", argv
        assert said in result.err and "`ffhooks recover restore` brings it back" in result.err
        assert result.err.count("\n") == 1, argv  # one line, no traceback
    shown = ff("status")  # and the hook warning a timer command gives, as ever
    assert shown.code == 1 and shown.out.startswith(said)
    assert "`ffhooks recover restore` brings it back" in shown.out
    assert "warning: a `git commit` here does not run the ffhooks hook" in shown.out
    shown = ff("status", "--json")
    assert shown.code == 1 and shown.json()["missing_store"]["fix"] == "ffhooks recover restore"
    status = ff("recover")
    assert status.code == 1 and "nothing needs you" not in status.out
    assert f"missing-store: {said}" in status.out and "fix: ffhooks recover restore" in status.out
    [condition] = ff("recover", "--json").json()["conditions"]
    assert condition["kind"] == "missing-store" and condition["fix"] == "ffhooks recover restore"
    report = ff("report")
    assert report.code == 0 and said in report.err and "ffhooks recover restore" in report.err
    refused = ff("add", "12", "10m")  # and no new store replaces it silently
    assert refused.code == 1 and said in refused.err and "--new-store" in refused.err
    assert ff("recover", "restore").code == 0
    assert [s["task"] for s in sessions(ff)] == ["12"]
    assert "missing-store" not in ff("recover").out and ff("status").code == 0
    assert said not in ff("report").err


def test_git_stash_u_leaves_the_store_and_stash_a_then_restore_then_pop_counts_once(
    clean: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ff("add", "12", "40m", "--start", "09:00").code == 0
    git(clean, "stash", "-q", "-u")  # the store ignores itself: -u leaves it where it is
    assert [s["task"] for s in sessions(ff)] == ["12"]
    wipe(clean, "git stash -a")
    assert ff("recover", "restore").code == 0
    assert ff("add", "13", "20m", "--start", "10:00").code == 0  # after the restore
    popped = git_status(clean, "stash", "pop")
    assert popped != 0  # git overwrites no file of the restored store; the stash is kept
    shutil.rmtree(store_dir(clean))  # the user makes room for it, and pops again
    assert git_status(clean, "stash", "pop") == 0
    assert [s["task"] for s in sessions(ff)] == ["12"]  # the stash predates 13
    result = ff("recover", "restore")  # merges: 13 comes back, 12 is not doubled
    assert result.code == 0, result.err
    logged = sessions(ff)
    assert [s["task"] for s in logged] == ["12", "13"]
    assert len({s["id"] for s in logged}) == 2
    assert ff("aggregate").code == 0
    report = ff("report", "--format", "json").json()
    assert report["totals"]["billable_seconds"] == 60 * 60


def git_status(repo: Path, *args: str) -> int:
    import subprocess

    return subprocess.run(("git", *args), cwd=repo, capture_output=True).returncode


def test_a_stop_whose_copy_cannot_be_made_still_records_and_says_so(
    clean: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_now(monkeypatch, "2026-11-20T09:00:00Z")
    assert ff("start", "205").code == 0
    snapshots = clean / STATE / "snapshots"
    shutil.rmtree(snapshots)
    snapshots.write_text("a file where the snapshot folder should be")
    set_now(monkeypatch, "2026-11-20T10:00:00Z")
    stopped = ff("stop")
    assert stopped.code == 0, stopped.err  # the time is in the store
    assert "this change was not copied outside the work tree" in stopped.err
    assert "`ffhooks recover retry` copies the store" in stopped.err
    [entry] = ff("recover", "--json").json()["queue"]
    assert entry["operation"] == "snapshot" and "a change was not copied" in entry["reason"]
    snapshots.unlink()
    assert ff("recover", "retry").code == 0
    wipe(clean, "rm -rf")
    assert ff("recover", "restore").code == 0
    assert [s["task"] for s in sessions(ff)] == ["205"]


def test_retention_keeps_the_newest_copy_of_every_store(
    clean: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = clean / ".flowforge/team/config.json"
    doc = json.loads(config.read_text())
    doc["snapshots"] = {"keep_last": 1, "keep_daily_days": 0}
    config.write_text(json.dumps(doc))
    git(clean, "commit", "-qam", "keep one snapshot")
    other = clean.parent / "wt"
    assert ff("add", "12", "1m", "--start", "2026-11-09T09:00:00Z").code == 0
    git(clean, "worktree", "add", "-q", str(other))
    monkeypatch.chdir(other)
    # the main work tree's copies are of its own store: nothing is missing here
    assert ff("log").out.startswith("0 sessions") and ff("recover").out.count("missing") == 0
    assert ff("add", "300", "1h", "--start", "2026-11-01T09:00:00Z").code == 0
    theirs = sessions(ff)
    monkeypatch.chdir(clean)
    for n in range(60):  # past the slack a change prunes after: it pruned at least once
        assert (
            ff("add", "12", "1m", "--start", f"2026-11-10T{9 + n // 60:02d}:{n % 60:02d}:00Z").code
            == 0
        )
    assert len(list((clean / STATE / "snapshots/manifests").iterdir())) < 60
    wipe(clean, "rm -rf")
    assert ff("recover", "restore").code == 0
    assert len(sessions(ff)) == 61
    monkeypatch.chdir(other)
    wipe(other, "rm -rf")
    assert ff("recover", "restore").code == 0
    assert sessions(ff) == theirs


def test_a_quarantined_file_is_not_written_over_until_restored_or_forgotten(
    clean: Path, ff: Any
) -> None:
    assert ff("add", "205", "1h", "--start", "2026-11-19T09:00:00Z").code == 0
    day = store_dir(clean) / "time/daily/2026-11-19.json"
    day.write_text("{ broken")
    assert ff("log", "--all").code == 1  # moved to the quarantine
    refused = ff("add", "206", "1h", "--start", "2026-11-19T11:00:00Z")
    assert refused.code == 1 and "is in the quarantine" in refused.err
    assert "ffhooks recover restore" in refused.err
    assert ff("add", "207", "1h", "--start", "2026-11-20T09:00:00Z").code == 0  # another day
    wipe(clean, "rm -rf")  # the newest copy still holds the quarantined day's last good copy
    assert ff("recover", "restore").code == 0
    assert [s["task"] for s in sessions(ff)] == ["205", "207"]
    day.write_text("{ broken")
    assert ff("log", "--all").code == 1
    assert ff("recover", "forget", "time/daily/2026-11-19.json").code == 0
    wipe(clean, "rm -rf")  # a loss accepted stays accepted
    assert ff("recover", "restore").code == 0
    assert [s["task"] for s in sessions(ff)] == ["207"]
    assert ff("add", "206", "1h", "--start", "2026-11-19T11:00:00Z").code == 0


def test_a_restore_names_what_it_cannot_bring_back(clean: Path, ff: Any) -> None:
    assert ff("add", "205", "1h", "--start", "2026-11-19T09:00:00Z").code == 0
    shutil.rmtree(clean / STATE / "snapshots")  # as if this clone never kept a copy
    wipe(clean, "rm -rf")
    assert ff("log").code == 0  # no copy: nothing can say a store was here
    result = ff("recover", "restore")
    assert result.code == 1 and "no snapshot of alice's store can be restored" in result.err
    assert "what its commits folded is still in the summaries" in result.err


def test_a_restore_from_a_copy_an_older_ffhooks_took_says_what_it_may_lack(
    clean: Path, ff: Any
) -> None:
    assert ff("add", "205", "1h", "--start", "2026-11-19T09:00:00Z").code == 0
    shutil.rmtree(clean / STATE / "snapshots")  # an older ffhooks copied only on request
    assert ff("snapshot", "create").out == "snapshot 1: 2 file(s)\n"
    wipe(clean, "rm -rf")
    result = ff("recover", "restore")
    assert result.code == 0, result.err
    assert (
        "not brought back: whatever was recorded after 2026-11-20 17:00 UTC: snapshot 1, the "
        "newest, was taken by an ffhooks that copied the store only at commits and on request"
    ) in result.out
    assert [s["task"] for s in sessions(ff)] == ["205"]
    wipe(clean, "rm -rf")  # the restore's own change was copied: from then on, every change
    result = ff("recover", "restore")
    assert result.code == 0 and "nothing left out" in result.out, result.out


@pytest.mark.slow
def test_a_wipe_right_after_a_killed_stop_loses_no_stop_and_doubles_nothing(
    clean: Path, ff: Any
) -> None:
    """`stop` SIGKILLed at random moments (the crash drill's killer), the store wiped at
    once, then restored: a stop the store had is never lost; one only its copy had (killed
    between the copy and the store's write) comes back whole; each session once."""
    import random
    from datetime import datetime, timedelta, timezone

    from helpers import Killer, iso

    killer = Killer(random.Random(20261204))
    outcomes: dict[tuple[bool, bool], int] = {}
    slot = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    while killer.landed["stop"] < 25 and killer.attempts["stop"] < 150:
        slot += timedelta(hours=1)
        start, end = iso(slot), iso(slot + timedelta(minutes=25))
        assert ff("start", "207", "--at", start).code == 0
        timer = json.loads((store_dir(clean) / "time/current.json").read_text())["running"]
        landed = killer.run("stop", ["stop", "--at", end], clean)
        ended_here = ff("status", "--json").json()["running"] is None  # finishes a journal
        wipe(clean, "rm -rf")
        result = ff("recover", "restore")
        assert result.code == 0, result.err
        assert "nothing left out" in result.out, result.out
        ended_back = ff("status", "--json").json()["running"] is None
        assert ended_back or not ended_here, "a stop the store had was lost"
        if not ended_back:
            assert ff("stop", "--at", end).code == 0
        mine = [s for s in sessions(ff) if s["start"] == start]
        assert [(s["id"], s["end"]) for s in mine] == [(timer["id"], end)]
        if landed:
            outcomes[(ended_here, ended_back)] = outcomes.get((ended_here, ended_back), 0) + 1
    assert killer.landed["stop"] >= 25, killer.landed
    logged = sessions(ff)
    assert len({s["id"] for s in logged}) == len(logged)
    print("\nkilled stop, then wiped (stopped in the store, after the restore):", outcomes)
