"""`ffhooks.migrate.state`: ledgers of earlier migrations and checkpoints of this one."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ffhooks.config import TeamConfig
from ffhooks.errors import BrokenFile
from ffhooks.git.plumbing import Repo, find_repo
from ffhooks.migrate.cells import session_key
from ffhooks.migrate.plan import plan
from ffhooks.migrate.sources import find_sources
from ffhooks.migrate.state import Checkpoint, load_ledgers, save_ledgers, state_folder
from ffhooks.migrate.tally import Tally

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
RUN, OTHER_RUN = "1" * 64, "2" * 64  # SHA-256 of what a run depends on
FIRST, SECOND = '{"export": 1}\n', '{"export": 2}\n'  # two sources' content
MIDNIGHT = int(datetime(2025, 6, 2, tzinfo=timezone.utc).timestamp())


def at(hour: int, minute: int = 0) -> int:
    """An instant on 2025-06-02 (UTC)."""
    return MIDNIGHT + hour * 3600 + minute * 60


def tally(repo: Path, name: str, text: str, users: tuple[str, ...] = ("ann",)) -> Tally:
    (repo / name).write_text(text)
    sources, _ = find_sources(found(repo), [name])
    t = Tally(sources, ZoneInfo("UTC"), int(NOW.timestamp()), 12 * 3600)
    for user in users:
        t.intern_user(user)
    t.intern_task("69")
    return t


def found(repo: Path) -> Repo:
    repo_ = find_repo(repo)
    assert repo_ is not None
    return repo_


def ledger_files(repo: Path) -> list[str]:
    return sorted(p.name for p in (state_folder(found(repo)) / "ledger").iterdir())


def test_a_ledger_keeps_a_later_migration_from_counting_again(repo: Path) -> None:
    first = tally(repo, "a.jsonl", FIRST)
    first.count(0, 1, 0, 0, at(9), at(10), True)
    first.count(0, 2, 0, 0, at(11), at(12), True)
    plan(found(repo), first, "UTC", TeamConfig(), write=True)  # its summaries are in the tree
    save_ledgers(found(repo), first, NOW)
    sha = first.sources[0].sha256
    assert len(ledger_files(repo)) == 2  # the JSON and the keys it names
    # zed comes first here, so ann's index differs from the ledger's
    later = tally(repo, "b.jsonl", SECOND, users=("zed", "ann"))
    assert load_ledgers(found(repo), later) == [f"{sha}:ann"]
    assert later.labels == ["b.jsonl", "an earlier migration of a.jsonl"]
    assert later.seen == {session_key(1, at(9), at(10)): 1, session_key(1, at(11), at(12)): 1}
    later.count(0, 7, 1, 0, at(9), at(10), True)
    later.count(0, 8, 0, 0, at(9), at(10), True)  # zed at the same time: another session
    assert later.dups == {(0, 1): [1, "b.jsonl:7"]}
    assert later.facts[0]["sessions"] == 1


def test_a_ledger_whose_summaries_are_not_in_the_tree_is_noted_and_ignored(repo: Path) -> None:
    first = tally(repo, "a.jsonl", FIRST)
    first.count(0, 1, 0, 0, at(9), at(10), True)
    save_ledgers(found(repo), first, NOW)  # never planned: no summaries
    later = tally(repo, "b.jsonl", SECOND)
    assert load_ledgers(found(repo), later) == [f"{first.sources[0].sha256}:"]
    assert later.seen == {}
    assert later.notes == [
        "the earlier migration of a.jsonl for ann is not in this work tree (never "
        "committed?): its sessions are counted again here"
    ]


def test_the_ledger_of_a_source_in_this_run_is_not_read(repo: Path) -> None:
    first = tally(repo, "a.jsonl", FIRST)
    first.count(0, 1, 0, 0, at(9), at(10), True)
    save_ledgers(found(repo), first, NOW)
    again = tally(repo, "a.jsonl", FIRST)
    assert load_ledgers(found(repo), again) == []
    assert again.seen == {} and again.labels == ["a.jsonl"]


def test_a_damaged_ledger_is_refused_by_name(repo: Path) -> None:
    first = tally(repo, "a.jsonl", FIRST)
    first.count(0, 1, 0, 0, at(9), at(10), True)
    save_ledgers(found(repo), first, NOW)
    folder = state_folder(found(repo)) / "ledger"
    (keys,) = folder.glob("*.keys")
    keys.write_bytes(keys.read_bytes()[:-8])
    with pytest.raises(BrokenFile) as caught:
        load_ledgers(found(repo), tally(repo, "b.jsonl", SECOND))
    assert caught.value.path == str(folder / f"{first.sources[0].sha256}.json")
    assert caught.value.problem == "is damaged (wrong length)"


def test_a_new_ledger_of_the_same_content_replaces_the_keys_it_named(repo: Path) -> None:
    first = tally(repo, "a.jsonl", FIRST)
    first.count(0, 1, 0, 0, at(9), at(10), True)
    save_ledgers(found(repo), first, NOW)
    old = ledger_files(repo)
    again = tally(repo, "a.jsonl", FIRST)
    again.count(0, 1, 0, 0, at(9), at(10), True)
    again.count(0, 2, 0, 0, at(13), at(14), True)
    save_ledgers(found(repo), again, NOW)
    new = ledger_files(repo)
    assert len(new) == 2 and new != old
    sha = first.sources[0].sha256
    doc = json.loads((state_folder(found(repo)) / "ledger" / f"{sha}.json").read_text())
    assert (doc["sessions"], doc["users"], doc["keys"]) == (2, ["ann"], new[0])


def test_a_checkpoint_gives_back_the_tally_it_saved(repo: Path) -> None:
    t = tally(repo, "a.jsonl", FIRST)
    folder = state_folder(found(repo)) / "checkpoint"
    checkpoint = Checkpoint(folder, RUN)
    t.count(0, 1, 0, 0, at(9), at(10), True)
    checkpoint.save(t, 0, {"offset": 6, "line": 1}, 1000)
    t.count(0, 2, 0, 0, at(11), at(12, 30), False)
    t.skip(0, 3, "is odd")
    checkpoint.save(t, 0, {"offset": 18, "line": 3}, 1000)
    # the keys are appended, the cells written whole once per save
    assert (folder / "keys-0.bin").stat().st_size == 8 * 6
    assert sorted(p.name for p in folder.iterdir()) == ["cells-2.bin", "keys-0.bin", "state.json"]
    resumed = tally(repo, "a.jsonl", FIRST)
    loaded = Checkpoint(folder, RUN).load(resumed)
    assert loaded is not None
    assert (loaded["position"], loaded["now"], loaded["source"]) == (
        {"offset": 18, "line": 3},
        1000,
        0,
    )
    assert (resumed.cells, resumed.rows, resumed.keys) == (t.cells, t.rows, t.keys)
    assert resumed.seen == {session_key(0, at(9), at(10)): 0, session_key(0, at(11), at(12, 30)): 0}
    assert resumed.problems == [["a.jsonl:3", "is odd; skipped"]]


def test_keys_appended_after_the_last_state_are_cut_off(repo: Path) -> None:
    """A crash between appending keys and writing state.json leaves keys that no state
    names: loading cuts them, so the next save appends after the last saved key."""
    t = tally(repo, "a.jsonl", FIRST)
    folder = state_folder(found(repo)) / "checkpoint"
    t.count(0, 1, 0, 0, at(9), at(10), True)
    Checkpoint(folder, RUN).save(t, 0, {"offset": 6, "line": 1}, 1000)
    with open(folder / "keys-0.bin", "ab") as handle:
        handle.write(b"\x01" * 24)
    resumed = tally(repo, "a.jsonl", FIRST)
    assert Checkpoint(folder, RUN).load(resumed) is not None
    assert list(resumed.keys[0]) == [0, at(9), at(10)]
    assert (folder / "keys-0.bin").stat().st_size == 24


def test_a_checkpoint_of_another_run_or_a_broken_one_is_dropped(repo: Path) -> None:
    t = tally(repo, "a.jsonl", FIRST)
    folder = state_folder(found(repo)) / "checkpoint"
    t.count(0, 1, 0, 0, at(9), at(10), True)
    Checkpoint(folder, RUN).save(t, 0, None, 1000)
    fresh = tally(repo, "a.jsonl", FIRST)
    assert Checkpoint(folder, OTHER_RUN).load(fresh) is None
    (folder / "cells-1.bin").unlink()
    assert Checkpoint(folder, RUN).load(fresh) is None
    (folder / "state.json").write_text('{"version": 1')
    assert Checkpoint(folder, RUN).load(fresh) is None
    assert fresh.rows == {} and fresh.seen == {}
    Checkpoint(folder, RUN).clear()
    assert not folder.exists()
