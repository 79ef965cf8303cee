"""`ffhooks undo`: takes back the last change to the sessions or the timer, saying what it
did in one line; steps further back when repeated, `--redo` makes again what it took back,
`--list` shows both; refuses, in one line, where nothing is left, where the store changed
outside ffhooks, and past a change of the store's settings. The clock is at NOW (Friday
2026-11-20 17:00 UTC) unless a test moves it."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git, sessions, set_now, store_dir

from ffhooks.store.snapshot_area import all_ids, load
from ffhooks.store.undo import UNDO_DEPTH

pytestmark = pytest.mark.usefixtures("repo")


def at(monkeypatch: pytest.MonkeyPatch, clock: str) -> None:
    set_now(monkeypatch, f"2026-11-20T{clock}:00Z")


def ok(result: Any) -> str:
    assert result.code == 0, result.err
    out: str = result.out
    return out


def refused(result: Any) -> str:
    assert result.code == 1 and result.out == "", (result.code, result.out)
    assert result.err.startswith("ffhooks: ") and result.err.count("\n") == 1, result.err
    err: str = result.err
    return err


def test_undo_of_a_stop_runs_the_timer_again(ff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, "15:48")
    ok(ff("start", "205"))
    at(monkeypatch, "17:02")
    ok(ff("stop"))
    at(monkeypatch, "17:05")
    assert ok(ff("undo")) == 'Undid "stop" at 17:02: 205 is running again since 15:48\n'
    assert sessions(ff) == []
    running = ff("status", "--json").json()["running"]
    assert (running["task"], running["start"]) == ("205", "2026-11-20T15:48:00Z")


def test_undo_of_an_add_removes_its_session(ff: Any) -> None:
    ok(ff("add", "12", "2h", "--start", "10:00"))
    [added] = sessions(ff)
    assert ok(ff("undo")) == (
        f'Undid "add 12 2h --start 10:00" at 17:00: removed session {added["id"][:8]} '
        "(12, 2026-11-20 10:00-12:00)\n"
    )
    assert sessions(ff) == []


def test_undo_brings_back_what_remove_and_edit_changed(ff: Any) -> None:
    ok(ff("add", "12", "2h", "--start", "10:00", "--note", "review"))
    [first] = sessions(ff)
    short = first["id"][:8]
    ok(ff("edit", short, "--task", "13", "--end", "11:00"))
    ok(ff("remove", short))
    assert ok(ff("undo")).endswith(f"brought back session {short} (13, 2026-11-20 10:00-11:00)\n")
    assert ok(ff("undo")).endswith(f"session {short} back to 12, 2026-11-20 10:00-12:00\n")
    assert sessions(ff) == [first]  # the same id, note and all


def test_repeated_undo_steps_back_and_redo_makes_it_again(
    ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "09:00")
    ok(ff("start", "205"))
    at(monkeypatch, "10:00")
    ok(ff("start", "206"))  # stops 205 at 10:00
    at(monkeypatch, "11:00")
    ok(ff("pause", "--reason", "lunch"))
    at(monkeypatch, "12:00")
    assert (
        ok(ff("undo"))
        == 'Undid "pause --reason lunch" at 11:00: 206 is running again since 10:00\n'
    )
    assert ok(ff("undo")) == (
        'Undid "start 206" at 10:00: 205 is running again since 09:00; '
        "the timer on 206 since 10:00 is dropped\n"
    )
    assert ok(ff("undo")) == 'Undid "start 205" at 09:00: the timer on 205 since 09:00 is dropped\n'
    nothing = refused(ff("undo"))
    assert nothing == 'ffhooks: nothing to undo: your store was created at 09:00, by "start 205"\n'
    assert ok(ff("undo", "--redo")) == 'Redid "start 205" at 09:00: 205 is running since 09:00\n'
    assert ok(ff("undo", "--redo")).startswith('Redid "start 206" at 10:00: 206 is running since')
    listed = ok(ff("undo", "--list"))
    assert re.fullmatch(
        re.escape(
            "`ffhooks undo` takes back, the next first:\n"
            '  10:00  "start 206": 205 is running again since 09:00; the timer on 206 since '
            "10:00 is dropped\n"
            '  09:00  "start 205": the timer on 205 since 09:00 is dropped\n'
            'Nothing further back: your store was created at 09:00, by "start 205"\n'
            "`ffhooks undo --redo` makes again, the next first:\n"
            '  11:00  "pause --reason lunch": 206 stopped at 11:00 (session '
        )
        + "[0-9a-f]{8}"
        + re.escape(", 1h00m); 206 is paused\n"),
        listed,
    )
    ok(ff("undo", "--redo"))
    assert [s["reason"] for s in sessions(ff) if s["task"] == "206"] == ["lunch"]
    assert ff("status", "--json").json()["paused"]["task"] == "206"
    assert refused(ff("undo", "--redo")).startswith("ffhooks: nothing to redo")


def test_a_new_change_ends_what_redo_can_make_again(ff: Any) -> None:
    ok(ff("add", "12", "1h", "--start", "09:00"))
    ok(ff("undo"))
    ok(ff("add", "13", "1h", "--start", "11:00"))
    assert refused(ff("undo", "--redo")).startswith("ffhooks: nothing to redo")
    assert [s["task"] for s in sessions(ff)] == ["13"]


def test_undo_and_redo_are_changes_snapshotted_first(repo: Path, ff: Any) -> None:
    ok(ff("add", "12", "1h", "--start", "09:00"))
    [added] = sessions(ff)
    state = repo / ".git" / "ffhooks"
    ok(ff("undo"))
    undone = load(state, all_ids(state)[-1])
    assert undone.change is not None and undone.change.command == ("undo",)
    assert undone.change.undoes == undone.parent  # the add's snapshot
    # a mistaken undo: redo, or a restore of the snapshot of the add (it merges the session)
    ok(ff("recover", "restore", str(undone.parent)))
    assert sessions(ff) == [added]
    assert "another tool, or a restore" in refused(ff("undo"))  # undo stops at a restore


def test_undo_reaches_back_a_bounded_number_of_changes(ff: Any) -> None:
    for n in range(UNDO_DEPTH + 2):
        ok(ff("add", "12", "10m", "--start", f"{8 + n // 6}:{n % 6 * 10:02d}"))
    listed = ok(ff("undo", "--list")).splitlines()
    assert len([line for line in listed if line.startswith("  ")]) == UNDO_DEPTH
    assert listed[-1] == f"Nothing further back: undo reaches back {UNDO_DEPTH} changes at most"


def test_undo_refuses_after_a_change_by_hand(repo: Path, ff: Any) -> None:
    ok(ff("add", "12", "1h", "--start", "09:00"))
    day = store_dir(repo) / "time" / "daily" / "2026-11-20.json"
    doc = json.loads(day.read_text())
    doc["sessions"][0]["note"] = "typed in an editor"
    day.write_text(json.dumps(doc))
    err = refused(ff("undo"))
    assert "cannot undo: .flowforge/user/alice/time/daily/2026-11-20.json changed" in err
    assert ok(ff("undo", "--list")).startswith("Nothing to undo: .flowforge/user/alice/time/")
    ok(ff("add", "13", "1h", "--start", "11:00"))  # recorded over the hand edit
    ok(ff("undo"))  # that change can be taken back, not the hand edit nor what came before
    assert "changed outside ffhooks' commands (by hand" in refused(ff("undo"))
    assert sessions(ff)[0]["note"] == "typed in an editor"


def test_undo_stops_at_a_snapshot_it_cannot_read(repo: Path, ff: Any) -> None:
    ok(ff("add", "12", "1h", "--start", "09:00"))
    ok(ff("add", "13", "1h", "--start", "11:00"))
    state = repo / ".git" / "ffhooks"
    newest = load(state, all_ids(state)[-1])
    assert newest.change is not None
    [(path, digest)] = newest.change.before.items()  # the day file before the second add
    assert path.endswith("2026-11-20.json") and digest is not None
    (state / "snapshots" / "objects" / digest[:2] / digest).write_bytes(b"altered")
    err = refused(ff("undo"))
    assert err.startswith(f"ffhooks: nothing to undo: snapshot {newest.id} cannot be read (")
    assert "does not match its checksum" in err
    assert len(sessions(ff)) == 2


def test_undo_stops_at_a_time_zone_change(ff: Any) -> None:
    ok(ff("add", "12", "1h", "--start", "09:00"))
    ok(ff("timezone", "Europe/Berlin"))
    err = refused(ff("undo"))
    assert err == (
        'ffhooks: nothing to undo: "timezone Europe/Berlin" at 18:00 changed the time zone, '
        "which undo does not take back (`ffhooks timezone UTC` sets it back)\n"
    )
    assert len(sessions(ff)) == 1


def test_undo_works_from_any_folder_of_the_clone(repo: Path, ff: Any, monkeypatch: Any) -> None:
    ok(ff("add", "12", "1h", "--start", "09:00"))
    (repo / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(repo / "src" / "deep")
    assert ok(ff("undo")).startswith('Undid "add 12 1h --start 09:00"')
    assert sessions(ff) == []


def test_nothing_to_undo_and_bad_options_are_one_line(ff: Any) -> None:
    assert refused(ff("undo")) == "ffhooks: nothing to undo: you have no time store here yet\n"
    assert ff("undo", "--list", "--redo").code == 2


def test_undo_of_a_commit_of_folded_time_folds_again(repo: Path, ff: Any) -> None:
    """Through a commit (the fold by `aggregate`, as the hook runs it): the undone session's
    month is summarised again, so the record holds what the store holds."""
    assert ff("init", "--no-hook").code == 0
    ok(ff("add", "12", "2h", "--start", "09:00"))
    ok(ff("add", "13", "1h", "--start", "12:00"))
    ok(ff("aggregate"))
    assert commit(repo, "-m", "time").returncode == 0
    ok(ff("undo"))
    ok(ff("aggregate"))
    assert commit(repo, "-m", "undone").returncode == 0
    totals = ff("report", "--format", "json", "--ref", "HEAD").json()["totals"]
    assert totals["billable_seconds"] == 7200
    assert git(repo, "status", "--porcelain", "--", ".flowforge/team/summaries") == ""


def test_what_comes_back_must_not_overlap_time_recorded_since(repo: Path, ff: Any) -> None:
    """A session recorded past ffhooks' commands (here: a store opened without its copies)
    in the slot of one undo would bring back: the command refuses the hand-made change
    first, and the undo itself refuses the overlap, naming the session in the way."""
    from ffhooks.errors import FatalError
    from ffhooks.store import timer
    from ffhooks.store.open import open_store
    from ffhooks.store.rules import Limits
    from ffhooks.store.sessions import Session
    from ffhooks.store.undo import history, revert

    ok(ff("add", "12", "2h", "--start", "10:00"))
    [added] = sessions(ff)
    ok(ff("remove", added["id"]))
    state, now = repo / ".git" / "ffhooks", datetime(2026, 11, 20, 17, tzinfo=timezone.utc)
    with open_store(repo, state, "alice", now) as store:
        store.keeps_copies = False
        start = datetime(2026, 11, 20, 10, 30, tzinfo=timezone.utc)
        late = Session(id="0123456789ab", task="13", start=start, end=start + timedelta(hours=1))
        timer.add(store, late, Limits(36000))
    assert "changed since ffhooks last wrote it" in refused(ff("undo"))
    with open_store(repo, state, "alice", now) as store:
        step = history(store).undo[0]
        with pytest.raises(FatalError, match="would come back over session 01234567 on 13"):
            revert(store, step)
    assert [s["task"] for s in sessions(ff)] == ["13"]
