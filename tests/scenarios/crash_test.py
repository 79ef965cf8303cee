"""Crash drills: real `ffhooks` processes SIGKILLed at random moments of their work.

After every kill each file under `.flowforge/` still parses and validates, the next command
succeeds, and the record is exact: the sessions are the ones recorded (each once, none
overlapping), and the report equals them to the second.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, git, sessions, store_dir
from helpers import TIMED_RUNS, Killer, iso

SEED = 20261120
NOW = "2027-06-30T12:00:00Z"  # after everything recorded here: any slot below is in the past
BEFORE = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)  # the imported history starts here
SLOTS = datetime(2026, 11, 1, tzinfo=timezone.utc)  # what the drill records, an hour apart
HISTORY_DAYS = 300
LANDED_EACH = 36  # kills that must land in each of the six commands: 216 in all
ATTEMPTS_EACH = 200  # a kill drawn late finds the command gone: it is tried again
LANDED_AT_LEAST = 200

Key = tuple[str, str, str, bool]


def key(session: dict[str, Any]) -> Key:
    return session["task"], session["start"], session["end"], session["billable"]


@contextmanager
def inside(folder: Path) -> Iterator[None]:
    """Run in-process commands in another clone for a while."""
    back = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(back)


def json_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.json")}


class Drill:
    """One developer's big store in `repo`, and a copied clone (`copy` of `clone`) whose
    store is to be forked, with what each must hold."""

    def __init__(self, ff: Any, repo: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ff, self.repo, self.monkeypatch = ff, repo, monkeypatch
        self.rng = random.Random(SEED)
        self.killer = Killer(self.rng)
        self.expected: Counter[Key] = Counter()
        self.slot = 0
        self.outcomes: Counter[str] = Counter()  # where the landed kills left things
        self.forks = 0
        assert ff("init").code == 0
        self._history(tmp / "history.jsonl")
        assert ff("aggregate").code == 0
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "history")
        self.clone, self.copy = tmp / "clone", tmp / "copy"
        self.clone.mkdir()
        git(self.clone, "init", "-q")
        with inside(self.clone):
            assert ff("init").code == 0
            assert ff("add", "901", "2h", "--start", "2026-10-05T09:00:00Z").code == 0
            assert ff("aggregate").code == 0
        git(self.clone, "add", "-A")
        git(self.clone, "commit", "-qm", "time")
        shutil.copytree(self.clone, self.copy, symlinks=True)  # `cp -r clone copy`
        self.template = tmp / "copied-store"
        shutil.copytree(store_dir(self.copy), self.template)
        self.copied_id = json.loads((self.template / "store.json").read_text())["store"]

    def _history(self, path: Path) -> None:
        """Two sessions a day for HISTORY_DAYS days: as many daily files, ten months."""
        lines = []
        for day in range(HISTORY_DAYS):
            for k in range(2):
                start = BEFORE + timedelta(days=day, hours=3 * k)
                end = start + timedelta(minutes=40 + day % 7, seconds=k * 13)
                task, billable = str(200 + (day + k) % 5), (day + k) % 4 != 0
                self.expected[(task, iso(start), iso(end), billable)] += 1
                doc = {"task": task, "start": iso(start), "end": iso(end), "billable": billable}
                lines.append(json.dumps(doc))
        path.write_text("\n".join(lines) + "\n")
        assert self.ff("import", str(path)).code == 0

    # -- what every step checks --------------------------------------------------------------

    def valid(self) -> None:
        result = self.ff("validate", "--all")
        assert result.code == 0, result.out + result.err

    def exact(self) -> list[dict[str, Any]]:
        logged = sessions(self.ff)
        assert Counter(key(s) for s in logged) == self.expected
        assert len({s["id"] for s in logged}) == len(logged), "two sessions share an id"
        ordered = sorted(logged, key=lambda s: s["start"])
        for a, b in pairwise(ordered):
            assert a["end"] <= b["start"], f"{a['id']} overlaps {b['id']}"
        return logged

    def billed_exactly(self, logged: list[dict[str, Any]]) -> None:
        assert self.ff("aggregate").code == 0
        result = self.ff("report", "--format", "json")
        assert result.code == 0, result.err
        totals = result.json()["totals"]
        billable = sum(s["seconds"] for s in logged if s["billable"])
        everything = sum(s["seconds"] for s in logged)
        assert (totals["billable_seconds"], totals["non_billable_seconds"]) == (
            billable,
            everything - billable,
        )

    def newest_snapshot_whole(self) -> None:
        assert self.ff("snapshot", "verify", str(self.snapshot_ids()[-1])).code == 0

    # -- the commands ------------------------------------------------------------------------

    def next_slot(self) -> datetime:
        self.slot += 1
        return SLOTS + timedelta(hours=self.slot)

    def record(self) -> None:
        """One more session, so that the next aggregation or snapshot has work to do."""
        start = self.next_slot()
        assert self.ff("add", "300", "10m", "--start", iso(start)).code == 0
        self.expected[("300", iso(start), iso(start + timedelta(minutes=10)), True)] += 1

    def add(self) -> None:
        start = self.next_slot()
        task, billable = self.rng.choice(["205", "206", "PROJ-12"]), self.rng.random() < 0.7
        argv = ["add", task, "20m", "--start", iso(start), "--note", "drill"]
        argv += [] if billable else ["--no-billable"]
        landed = self.killer.run("add", argv, self.repo)
        self.valid()
        want = (task, iso(start), iso(start + timedelta(minutes=20)), billable)
        found = sum(key(s) == want for s in sessions(self.ff))
        assert found in (0, 1)
        again = self.ff(*argv)  # recorded once: refused as an overlap; else recorded now
        assert again.code == found, again.err
        if landed:
            self.outcomes[f"add: {'recorded' if found else 'not recorded'}"] += 1
        self.expected[want] += 1

    def stop(self) -> None:
        start = self.next_slot()
        end = start + timedelta(minutes=25)
        assert self.ff("start", "207", "--at", iso(start)).code == 0
        timer = json.loads((store_dir(self.repo) / "time/current.json").read_text())["running"]
        landed = self.killer.run("stop", ["stop", "--at", iso(end)], self.repo)
        self.valid()
        status = self.ff("status", "--json").json()  # also finishes an interrupted write
        mine = [s for s in sessions(self.ff) if s["start"] == iso(start)]
        if status["running"] is None:
            assert [(s["id"], key(s)) for s in mine] == [
                (timer["id"], ("207", iso(start), iso(end), True))
            ]
        else:
            assert status["running"]["start"] == timer["start"] and mine == []
            assert self.ff("stop", "--at", iso(end)).code == 0
            [session] = [s for s in sessions(self.ff) if s["start"] == iso(start)]
            assert session["id"] == timer["id"]
        if landed:
            self.outcomes[f"stop: {'running' if status['running'] else 'ended'}"] += 1
        self.expected[("207", iso(start), iso(end), True)] += 1

    def summaries(self) -> set[Path]:
        return set((self.repo / SUMMARIES / "alice").rglob("*.json"))

    def unwritten(self) -> list[str]:
        """Months whose newest summary store.json names is not in the work tree (yet)."""
        header = json.loads((store_dir(self.repo) / "store.json").read_text())
        folder = self.repo / SUMMARIES / "alice"
        return [
            month
            for month, seq in header["summaries"].items()
            if not (folder / month / f"{header['store']}-{seq}.json").is_file()
        ]

    def aggregate_all(self) -> None:
        self.record()
        before = self.summaries()
        landed = self.killer.run("aggregate --all", ["aggregate", "--all"], self.repo)
        self.valid()
        written, unwritten = self.summaries() - before, self.unwritten()
        self.billed_exactly(self.exact())  # the next `ffhooks aggregate`, and the report
        self.newest_snapshot_whole()
        if landed:
            state = (
                "store.json names a summary not written"
                if unwritten
                else "summary written"
                if written
                else "nothing written"
            )
            self.outcomes[f"aggregate --all: {state}"] += 1

    def objects(self) -> int:
        return sum(1 for _ in (self.repo / ".git/ffhooks/snapshots/objects").rglob("*"))

    def snapshot_create(self) -> None:
        self.record()
        ids = self.snapshot_ids()
        objects = self.objects()
        landed = self.killer.run("snapshot create", ["snapshot", "create"], self.repo)
        self.valid()
        taken, stored = self.snapshot_ids() != ids, self.objects() > objects
        assert self.ff("snapshot", "create").code == 0
        self.newest_snapshot_whole()
        if landed:
            state = "taken" if taken else "objects without a manifest" if stored else "nothing"
            self.outcomes[f"snapshot create: {state}"] += 1

    def snapshot_ids(self) -> list[int]:
        listed = self.ff("snapshot", "list", "--json").json()["snapshots"]
        return [row["id"] for row in listed]

    def recover_restore(self) -> None:
        assert self.ff("snapshot", "create").code == 0
        shutil.rmtree(store_dir(self.repo))  # as `git clean -fdx` or `rm -rf .flowforge` do
        landed = self.killer.run("recover restore", ["recover", "restore"], self.repo)
        self.valid()
        left = store_dir(self.repo)
        daily = len(list((left / "time/daily").glob("*.json"))) if left.is_dir() else 0
        whole = (left / "store.json").is_file()
        result = self.ff("recover", "restore")
        assert result.code == 0, result.err
        self.billed_exactly(self.exact())  # every month of the restored store is folded
        if landed:
            state = "store.json back" if whole else f"{'some' if daily else 'no'} files back"
            self.outcomes[f"recover restore: {state}"] += 1

    def tally(self) -> str:
        k = self.killer
        return "\n".join(
            [
                "",
                "lock opened at / run took (ms): "
                + ", ".join(
                    f"{n} {statistics.median(k.locked_at[n] or [0]) * 1000:.0f}/{min(d) * 1000:.0f}"
                    for n, d in k.durations.items()
                ),
                "kills landed/attempted: "
                + ", ".join(f"{n} {k.landed[n]}/{k.attempts[n]}" for n in k.attempts),
                "where they landed: "
                + ", ".join(f"{what} {n}" for what, n in sorted(self.outcomes.items())),
            ]
        )

    def restore_part(self) -> None:
        """Some daily files lost (deleted, or quarantined as broken): restore them."""
        assert self.ff("snapshot", "create").code == 0
        daily = sorted((store_dir(self.repo) / "time/daily").glob("*.json"))
        for path in self.rng.sample(daily, 20):
            path.unlink()
        landed = self.killer.run("recover restore (part)", ["recover", "restore"], self.repo)
        self.valid()
        result = self.ff("recover", "restore")
        assert result.code == 0, result.err
        self.outcomes["recover restore (part): landed"] += landed

    def store_fork(self) -> None:
        """In the copy: its store is replaced by a fresh copy of the clone's, then forked."""
        self.forks += 1
        # each fork its own second: the copied files are kept in a folder named by it
        self.monkeypatch.setenv(
            "FFHOOKS_NOW",
            iso(datetime(2027, 7, 1, tzinfo=timezone.utc) + timedelta(seconds=self.forks)),
        )
        store = store_dir(self.copy)
        shutil.rmtree(store)
        shutil.copytree(self.template, store)
        landed = self.killer.run("store fork", ["store", "fork"], self.copy)
        with inside(self.copy):
            self.valid()
            try:
                header = json.loads((store / "store.json").read_text())
            except FileNotFoundError:
                header = None
            again = self.ff("store", "fork")
            if header is None:  # the copy was moved aside, the new store not made yet
                state = "moved aside"
                assert again.code == 1 and "nothing to fork" in again.err, again.err
            elif header["store"] == self.copied_id:  # not forked yet: forking now works
                state = "not forked"
                assert again.code == 0, again.err
            else:  # forked: a new store of this work tree
                state = "forked"
                assert again.code == 1 and "made in this work tree" in again.err, again.err
            # whichever: the next command records into a new store of this work tree; with
            # none at all it takes --new-store, as the copy's snapshots name a store of alice
            new = ["--new-store"] if header is None else []
            added = self.ff("add", "902", "10m", "--start", "2027-01-04T10:00:00Z", *new)
            assert added.code == 0, added.err
            shown = self.ff("store", "--json").json()
            assert shown["home"] == shown["here"] and shown["store"] != self.copied_id
            assert [key(s) for s in sessions(self.ff)] == [
                ("902", "2027-01-04T10:00:00Z", "2027-01-04T10:10:00Z", True)
            ]
            self.valid()
        self.monkeypatch.setenv("FFHOOKS_NOW", NOW)
        # every fork kept the copied store aside, whole, exactly once
        kept = sorted((self.copy / ".git/ffhooks/forked").iterdir())
        assert len(kept) == self.forks
        assert all(json_files(folder) == json_files(self.template) for folder in kept)
        if landed:
            self.outcomes[f"store fork: {state}"] += 1


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_every_file_valid_and_the_record_exact(
    repo: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FFHOOKS_NOW", NOW)
    drill = Drill(ff, repo, tmp_path, monkeypatch)
    steps = {
        "add": drill.add,
        "stop": drill.stop,
        "aggregate --all": drill.aggregate_all,
        "snapshot create": drill.snapshot_create,
        "recover restore": drill.recover_restore,
        "store fork": drill.store_fork,
    }
    killer = drill.killer
    for name in [name for name in steps for _ in range(2 * TIMED_RUNS)]:  # measured first
        steps[name]()
        drill.exact()
    while True:  # then the kills, the commands in a random order
        wanted = [
            name
            for name in steps
            if killer.landed[name] < LANDED_EACH and killer.attempts[name] < ATTEMPTS_EACH
        ]
        if not wanted:
            break
        steps[drill.rng.choice(wanted)]()
        logged = drill.exact()
    # and at the end: the report is the log to the second, every snapshot whole, and the
    # committed record passes `verify` with nothing left for `recover`
    drill.billed_exactly(logged)
    assert ff("snapshot", "verify").code == 0
    git(repo, "commit", "-qm", "after the drill")
    assert ff("verify").code == 0
    status = ff("recover")
    assert status.code == 0, status.out
    drill.valid()
    print(drill.tally())
    assert all(killer.landed[name] >= LANDED_EACH for name in steps), drill.tally()
    assert sum(killer.landed.values()) >= LANDED_AT_LEAST


@pytest.mark.slow
def test_sigkill_during_restore_of_a_partly_lost_store(
    repo: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FFHOOKS_NOW", NOW)
    drill = Drill(ff, repo, tmp_path, monkeypatch)
    for _ in range(2 * TIMED_RUNS + 30):
        drill.restore_part()
        drill.billed_exactly(drill.exact())
