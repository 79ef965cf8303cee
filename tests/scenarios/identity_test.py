"""Store identity, end to end: one developer works from a clone, a `cp -r` copy of it, the same
clone moved, a linked worktree, through `git clean -fdx`, `git stash -a`, broken private files,
a restore after a timer stopped and a time zone change, while a teammate works from his own
clone; every step commits through the real pre-commit hooks and pushes to a bare remote. At
the end the report from a fresh clone equals, to the second, the distinct sessions of every
work tree's `ffhooks log`, and no two sessions of one person overlap.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, git, run_in, store_dir


def at(day: str, clock: str) -> str:
    """An instant in UTC: `at("10-26", "09:00")` is 2026-10-26T09:00:00Z."""
    return f"2026-{day}T{clock}:00Z"


class Place:
    """One work tree (a clone, a copy of one or a linked worktree) and who tracks time in it."""

    def __init__(self, path: Path, user: str, label: str) -> None:
        self.path = path
        self.user = user
        self.label = label  # names the file its commits change: rebases never conflict
        self.commits = 0

    def run(
        self, now: str, *args: str, ok: bool = True, terminal: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """`args` in the clone; with `terminal`, typed at a terminal (what it shows is in
        `stdout`); else with no terminal, as an IDE runs it."""
        env = {**os.environ, "FFHOOKS_NOW": now, "FFHOOKS_USER": self.user}
        proc = run_in(self.path, args, env, terminal=terminal)
        if ok and proc.returncode != 0:
            raise AssertionError(f"{self.label}: {' '.join(args)}\n{proc.stdout}{proc.stderr}")
        return proc

    def ff(self, now: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(now, "ffhooks", *args, ok=ok)

    def refused(self, now: str, *args: str) -> str:
        """Run a command that must be refused (exit 1, one line); its message."""
        proc = self.ff(now, *args, ok=False)
        assert proc.returncode == 1, f"{self.label}: {args} was not refused:\n{proc.stdout}"
        assert "Traceback" not in proc.stderr
        return proc.stderr

    def git(self, now: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(now, "git", *args, ok=ok)

    def commit(self, now: str) -> subprocess.CompletedProcess[str]:
        """A real change, committed through the hooks (which never block a commit)."""
        self.commits += 1
        note = self.path / f"notes-{self.label}.txt"
        note.write_text(f"{self.label}: change {self.commits}\n")
        self.git(now, "add", note.name)
        proc = self.run(
            now, "git", "commit", "-q", "-m", f"{self.label} {self.commits}", terminal=True
        )
        assert "Traceback" not in proc.stdout + proc.stderr
        return proc

    def push(self, now: str) -> None:
        self.git(now, "pull", "-q", "--rebase", "origin", "main")
        self.git(now, "push", "-q", "origin", "HEAD:main")

    def sessions(self, now: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = json.loads(self.ff(now, "log", "--all", "--json").stdout)[
            "sessions"
        ]
        return found

    def store(self) -> str:
        header = json.loads((store_dir(self.path, self.user) / "store.json").read_text())
        return str(header["store"])

    def head_summaries(self, store: str) -> list[str]:
        """The summaries of `store` that the last commit added."""
        out = git(self.path, "diff-tree", "--no-commit-id", "-r", "--name-only", "HEAD")
        return [p for p in out.split() if p.startswith(SUMMARIES) and f"/{store}-" in p]


def report(place: Place, now: str, *args: str) -> dict[tuple[str, ...], tuple[int, int, int]]:
    """`ffhooks report --format json ARGS`: per group, billable, non-billable and sessions."""
    out = json.loads(place.ff(now, "report", "--format", "json", *args).stdout)
    keys = out["group_by"]
    return {
        tuple(row[k] for k in keys): (
            row["billable_seconds"],
            row["non_billable_seconds"],
            row["sessions"],
        )
        for row in out["rows"]
    }


def recorded(places: list[Place], now: str) -> dict[str, tuple[int, int, int]]:
    """Per user, the distinct sessions of every work tree: billable and non-billable seconds
    and the count. No session id is in two stores (a forked copy starts empty), and no two
    sessions of one person overlap, whichever work trees they were recorded in."""
    by_user: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for place in places:
        for s in place.sessions(now):
            assert s["id"] not in by_user[place.user], f"{s['id']} in two stores"
            by_user[place.user][s["id"]] = {**s, "label": place.label}
    totals = {}
    for user, found in by_user.items():
        ordered = sorted(found.values(), key=lambda s: s["start"])
        for a, b in itertools.pairwise(ordered):
            assert a["end"] <= b["start"], f"{user}: {a} overlaps {b}"
        for s in ordered:
            start = datetime.fromisoformat(s["start"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(s["end"].replace("Z", "+00:00"))
            assert s["seconds"] == (end - start).total_seconds()
        billable = sum(s["seconds"] for s in ordered if s["billable"])
        other = sum(s["seconds"] for s in ordered if not s["billable"])
        totals[user] = (billable, other, len(ordered))
    return totals


def books_balance(tmp_path: Path, remote: Path, places: list[Place], now: str) -> None:
    """The report from a fresh clone of the remote equals what was recorded, to the second."""
    fresh = tmp_path / "manager"
    shutil.rmtree(fresh, ignore_errors=True)
    git(tmp_path, "clone", "-q", str(remote), str(fresh))
    manager = Place(fresh, "manager", "manager")
    billed = {user: row for (user,), row in report(manager, now, "--by", "user").items()}
    assert billed == recorded(places, now)
    assert billed == {
        user: row for (user,), row in report(manager, now, "--by", "user", "--ref", "HEAD").items()
    }
    verified = manager.ff(now, "verify", "--ref", "origin/main", ok=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr


@pytest.mark.slow
def test_one_developer_across_copies_moves_cleans_stashes_worktrees_and_zones(
    tmp_path: Path, hooked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the clone itself moves away
    monkeypatch.delenv("FFHOOKS_NOW")
    monkeypatch.delenv("FFHOOKS_USER")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    alice = Place(hooked, "alice", "alice")
    now = at("10-26", "08:00")
    alice.git(now, "add", "-A")
    alice.git(now, "commit", "-q", "-m", "ffhooks")
    alice.git(now, "remote", "add", "origin", str(remote))
    alice.git(now, "push", "-q", "origin", "HEAD:main")
    git(tmp_path, "clone", "-q", str(remote), "bob")
    bob = Place(tmp_path / "bob", "bob", "bob")
    bob.ff(now, "init")
    bob.run(now, "pre-commit", "install")

    # -- a day's work from the first clone, and the teammate's --------------------------------
    now = at("10-26", "18:00")
    alice.ff(now, "add", "205", "2h", "--start", at("10-26", "09:00"))
    alice.ff(now, "add", "300", "1h", "--no-billable", "--start", at("10-26", "12:00"))
    alice.commit(now)
    alice.push(now)
    bob.ff(now, "add", "205", "3h", "--start", at("10-26", "09:00"))
    bob.ff(now, "add", "301", "45m", "--no-billable", "--start", at("10-26", "14:00"))
    bob.commit(now)
    bob.push(now)
    original = alice.store()

    # -- 1. a copy of the clone (`cp -r`): refused until forked, then both count ---------------
    now = at("10-27", "17:00")
    subprocess.run(("cp", "-r", str(alice.path), str(tmp_path / "copy")), check=True)
    copy = Place(tmp_path / "copy", "alice", "copy")
    for args in (
        ("add", "206", "1h", "--start", at("10-27", "13:00")),
        ("start", "206", "--at", at("10-27", "13:00")),
    ):
        why = copy.refused(now, *args)
        assert "ffhooks store fork" in why and "ffhooks store moved" in why
    kinds = {
        c["kind"]
        for c in json.loads(copy.ff(now, "recover", "--json", ok=False).stdout)["conditions"]
    }
    assert "copied-store" in kinds
    hook = copy.commit(now)  # goes through; writes nothing under the original's id
    assert "store fork" in hook.stdout and copy.head_summaries(original) == []
    copy.ff(now, "store", "fork")
    assert copy.store() != original and copy.sessions(now) == []
    copy.ff(now, "add", "206", "1h30m", "--start", at("10-27", "13:00"))
    copy.commit(now)
    assert copy.head_summaries(copy.store())
    copy.push(now)
    alice.ff(now, "add", "205", "2h", "--start", at("10-27", "09:00"))
    alice.commit(now)
    alice.push(now)
    books_balance(tmp_path, remote, [alice, copy, bob], now)

    # -- 2. the clone moved (`mv`): refused until `store moved`, same store, new writer -------
    now = at("10-28", "17:00")
    moved = tmp_path / "moved"
    alice.path.rename(moved)
    alice.path = moved
    why = alice.refused(now, "add", "205", "1h", "--start", at("10-28", "09:00"))
    assert "ffhooks store moved" in why
    alice.ff(now, "store", "moved")
    assert alice.store() == original
    alice.ff(now, "add", "205", "1h", "--start", at("10-28", "09:00"))
    alice.commit(now)
    assert alice.head_summaries(original)
    alice.push(now)

    # -- 3. `git clean -fdx`: the next `add` refuses, naming the restore; restore; go on ------
    now = at("10-29", "17:00")
    logged = alice.sessions(now)
    alice.git(now, "clean", "-q", "-fdx")
    why = alice.refused(now, "add", "205", "1h", "--start", at("10-29", "09:00"))
    assert "ffhooks recover restore" in why and "--new-store" in why
    alice.refused(now, "start", "205", "--at", at("10-29", "09:00"))
    assert not (store_dir(alice.path) / "store.json").exists()
    alice.ff(now, "recover", "restore")
    assert alice.store() == original and alice.sessions(now) == logged
    alice.ff(now, "add", "205", "1h", "--start", at("10-29", "09:00"))
    alice.commit(now)
    alice.push(now)

    # -- 4a. `git stash -a` takes the store along; `git stash pop` brings it back -------------
    now = at("10-30", "10:30")
    alice.ff(now, "add", "205", "1h", "--start", at("10-30", "09:00"))  # not committed yet
    logged = alice.sessions(now)
    alice.git(now, "stash", "-q", "-a")
    assert not store_dir(alice.path).exists()
    why = alice.refused(now, "add", "205", "10m", "--start", at("10-30", "10:15"))
    assert "ffhooks recover restore" in why
    # While the refusal leaves its `.lock` behind, `git stash pop` exits 1 ("already exists,
    # no checkout") and keeps the entry, though it brings every other file back
    # (test_a_refused_command_after_stash_a_leaves_the_stash_poppable): either way the store
    # must come back whole, with the session no snapshot holds.
    alice.git(now, "stash", "pop", ok=False)
    assert alice.store() == original and alice.sessions(now) == logged
    if alice.git(now, "stash", "list").stdout:
        alice.git(now, "stash", "drop", "-q")
    alice.commit(now)

    # -- 4b. ... or `recover restore`, and the stash, popped over it, changes nothing ---------
    now = at("10-30", "11:00")
    alice.git(now, "stash", "-q", "-a")
    alice.refused(now, "add", "205", "10m", "--start", at("10-30", "10:15"))
    alice.ff(now, "recover", "restore")
    assert alice.store() == original and alice.sessions(now) == logged
    popped = alice.git(now, "stash", "pop", ok=False)  # git overwrites no untracked file
    assert popped.returncode != 0 and alice.git(now, "stash", "list").stdout
    alice.git(now, "stash", "drop", "-q")
    assert alice.store() == original and alice.sessions(now) == logged
    alice.push(now)

    # -- 5. a timer running when a snapshot is taken, stopped before a restore ----------------
    alice.ff(at("10-30", "13:00"), "start", "207")
    alice.commit(at("10-30", "14:00"))  # bills the hour so far, snapshots the running timer
    alice.ff(at("10-30", "15:00"), "stop")
    now = at("10-30", "15:30")
    [stopped] = [s for s in alice.sessions(now) if s["task"] == "207"]
    (store_dir(alice.path) / "store.json").write_text("{ broken")
    assert "quarantine" in alice.refused(now, "log", "--all")
    assert "ffhooks recover restore" in alice.refused(now, "log", "--all")
    restored = alice.ff(now, "recover", "restore").stdout
    assert "nothing left out" in restored  # the stop's own copy: no timer in it
    listed = json.loads(alice.ff(now, "snapshot", "list", "--json").stdout)["snapshots"]
    running = [row["id"] for row in listed if row["reason"] == "aggregate"][-1]
    restored = alice.ff(now, "recover", "restore", str(running)).stdout  # the commit's copy
    assert "not brought back: the timer running since 2026-10-30 13:00 UTC (207)" in restored
    assert json.loads(alice.ff(now, "status", "--json").stdout)["running"] is None
    assert [s for s in alice.sessions(now) if s["task"] == "207"] == [stopped]
    assert alice.store() == original
    alice.commit(now)
    alice.push(now)
    books_balance(tmp_path, remote, [alice, copy, bob], now)

    # -- 6. a broken daily file: quarantined, aggregation refuses, the restore brings it back -
    now = at("10-31", "17:00")
    logged = alice.sessions(now)
    (store_dir(alice.path) / "time/daily/2026-10-29.json").write_text("{ broken")
    assert "quarantine" in alice.refused(now, "log", "--all")
    alice.ff(now, "add", "208", "1h", "--start", at("10-31", "09:00"))
    [added] = [s for s in alice.sessions(now) if s["task"] == "208"]
    hook = alice.commit(now)  # goes through, folds nothing without that day
    assert "2026-10-29.json" in hook.stdout and alice.head_summaries(original) == []
    conditions = json.loads(alice.ff(now, "recover", "--json", ok=False).stdout)["conditions"]
    assert "quarantined" in {c["kind"] for c in conditions}
    alice.ff(now, "recover", "restore")
    assert alice.sessions(now) == sorted([*logged, added], key=lambda s: s["start"])
    alice.commit(now)
    assert alice.head_summaries(original)
    alice.push(now)
    books_balance(tmp_path, remote, [alice, copy, bob], now)

    # -- 7. a linked worktree has its own store, restored from its own snapshots only ----------
    now = at("11-02", "17:00")
    alice.git(now, "worktree", "add", "-q", "-b", "side", str(tmp_path / "side"))
    side = Place(tmp_path / "side", "alice", "side")
    side.ff(now, "add", "209", "2h", "--start", at("11-02", "13:00"))  # not refused: its own
    assert side.store() != original
    side.commit(now)
    assert side.head_summaries(side.store())
    alice.ff(now, "add", "205", "1h", "--start", at("11-02", "09:00"))
    alice.commit(now)  # the clone's newest snapshot is now the main work tree's
    for place in (side, alice):  # the worktree first: the clone's newest snapshot is not its
        store, logged = place.store(), place.sessions(now)
        (store_dir(place.path) / "store.json").write_text("{ broken")
        place.refused(now, "log", "--all")
        assert "ffhooks recover restore" in place.refused(now, "add", "205", "1m")
        restored = place.ff(now, "recover", "restore", "--json").stdout
        used = json.loads(restored)["restored"]
        [taken] = [
            row
            for row in json.loads(place.ff(now, "snapshot", "list", "--json").stdout)["snapshots"]
            if row["id"] == used
        ]
        assert (taken["store"], taken["worktree"]) == (store, str(place.path))
        assert place.store() == store and place.sessions(now) == logged
        place.commit(now)
    side.push(now)
    alice.push(now)
    books_balance(tmp_path, remote, [alice, copy, side, bob], now)

    # -- 8. a new time zone mid-way: summarised months keep their totals ------------------------
    now = at("11-10", "12:00")
    months = report(alice, now, "--by", "user,month", "--ref", "HEAD")
    alice.ff(now, "timezone", "America/New_York")
    alice.ff(now, "aggregate", "--all")  # every month summarised again, in the zone history
    alice.commit(now)
    assert report(alice, now, "--by", "user,month", "--ref", "HEAD") == months
    now = at("11-11", "12:00")  # 22:00 to 01:00 in New York: on two days, one session
    alice.ff(now, "add", "205", "3h", "--start", at("11-11", "03:00"))
    alice.commit(now)
    alice.push(now)

    # -- every work tree commits and pushes; the books balance to the second ------------------
    now = at("11-20", "17:00")
    for place in (alice, copy):  # failures queued before the fixes: a retry clears them
        place.ff(now, "recover", "retry")
    copy.ff(now, "add", "206", "1h", "--start", at("11-20", "10:00"))
    bob.ff(now, "add", "205", "2h", "--start", at("11-20", "09:00"))
    for place in (alice, copy, side, bob):
        place.git(now, "pull", "-q", "--rebase", "origin", "main")
        place.commit(now)
        place.push(now)
        assert place.ff(now, "verify", ok=False).returncode == 0
    for place in (alice, copy, side, bob):
        status = place.ff(now, "recover", ok=False)
        assert status.returncode == 0, f"{place.label}: {status.stdout}"
    books_balance(tmp_path, remote, [alice, copy, side, bob], now)


def test_a_refused_command_after_stash_a_leaves_the_stash_poppable(
    initialised: Path, ff: Any
) -> None:
    """`git stash -a` takes the store along; the command that refuses to replace it must not
    leave anything in its place, or `git stash pop`, the undo, trips over it."""
    repo = initialised
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "ffhooks")
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    assert ff("snapshot", "create").code == 0
    logged = ff("log", "--all", "--json").json()["sessions"]
    git(repo, "stash", "-q", "-a")
    refused = ff("add", "205", "1h", "--start", "11:00")
    assert refused.code == 1 and "ffhooks recover restore" in refused.err
    left = [p for p in store_dir(repo).rglob("*") if p.is_file()]
    assert left == []  # the refusal wrote nothing, not even the lock it held
    popped = subprocess.run(("git", "stash", "pop"), cwd=repo, capture_output=True, text=True)
    assert popped.returncode == 0, popped.stderr
    assert git(repo, "stash", "list") == ""
    assert ff("log", "--all", "--json").json()["sessions"] == logged


def test_a_moved_clone_still_restores_from_its_own_snapshots(
    initialised: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshots in `.git/ffhooks/` moved with the clone: after `git clean -fdx` the
    store is not replaced silently, and `recover restore` brings it back here."""
    git(initialised, "add", "-A")
    git(initialised, "commit", "-q", "-m", "ffhooks")
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    assert ff("aggregate").code == 0  # and snapshot 1, taken where the clone was
    store = json.loads((store_dir(initialised) / "store.json").read_text())["store"]
    logged = ff("log", "--all", "--json").json()["sessions"]
    moved = tmp_path / "moved"
    initialised.rename(moved)
    monkeypatch.chdir(moved)
    assert ff("store", "moved").code == 0
    git(moved, "clean", "-q", "-fdx")
    refused = ff("add", "205", "1h", "--start", "11:00")
    assert refused.code == 1 and "ffhooks recover restore" in refused.err
    restored = ff("recover", "restore")
    assert restored.code == 0, restored.err
    assert json.loads((store_dir(moved) / "store.json").read_text())["store"] == store
    assert ff("log", "--all", "--json").json()["sessions"] == logged
