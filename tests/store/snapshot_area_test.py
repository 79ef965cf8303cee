"""The snapshot area: content-addressed objects, checksummed manifests, retention."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from ffhooks.errors import BrokenFile
from ffhooks.fsio import sha256_hex
from ffhooks.store import snapshot_area as snapshot

T0 = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)


def test_each_content_is_stored_once(tmp_path: Path) -> None:
    a = snapshot.save(
        tmp_path, [("x.json", b"1"), ("y.json", b"2")], reason="manual", user="alice", now=T0
    )
    again = snapshot.save(
        tmp_path, [("x.json", b"1"), ("y.json", b"2")], reason="daemon", user="alice", now=T0
    )
    b = snapshot.save(
        tmp_path, [("x.json", b"1"), ("y.json", b"3")], reason="manual", user="alice", now=T0
    )
    assert a and again and b and (a.id, again.id, b.id) == (1, 1, 2)  # unchanged: not repeated
    objects = list((tmp_path / "snapshots/objects").rglob("*"))
    assert len([o for o in objects if o.is_file()]) == 3
    assert snapshot.problems(tmp_path, 1) == snapshot.problems(tmp_path, 2) == []


def test_a_tampered_manifest_is_named(tmp_path: Path) -> None:
    snapshot.save(tmp_path, [("x.json", b"1")], reason="manual", user="alice", now=T0)
    path = snapshot.manifest_path(tmp_path, 1)
    doc = json.loads(path.read_text())
    doc["files"][0]["size"] = 2
    path.write_text(json.dumps(doc))
    [problem] = snapshot.problems(tmp_path, 1)
    assert problem.endswith("$.sha256: does not match the manifest's content")


def test_retention_keeps_the_newest_and_one_a_day(tmp_path: Path) -> None:
    for n in range(12):  # two a day for six days, each with its own content
        snapshot.save(
            tmp_path,
            [("x.json", str(n).encode())],
            reason="daemon",
            user="alice",
            now=T0 + timedelta(days=n // 2, hours=n % 2),
        )
    snapshot.save(
        tmp_path, [("legacy.json", b"old")], reason="migrate-backup", user="alice", now=T0
    )
    dropped = snapshot.prune(tmp_path, keep_last=3, keep_daily_days=3, now=T0 + timedelta(days=6))
    kept = snapshot.all_ids(tmp_path)
    # the newest three (11, 12, 13), the newest of each of the last three days (Nov 5: 10,
    # Nov 6: 12, Nov 7: none), and the migration backup (13)
    assert kept == [10, 11, 12, 13]
    assert dropped == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    stored = {o.name for o in (tmp_path / "snapshots/objects").rglob("*") if o.is_file()}
    wanted = {e.sha256 for i in kept for e in snapshot.load(tmp_path, i).files}
    assert stored == wanted
    assert all(snapshot.problems(tmp_path, i) == [] for i in kept)


def test_list_create_verify(repo: Path, ff: Any) -> None:
    assert ff("snapshot", "create").code == 1  # no store yet: nothing to keep
    assert ff("add", "205", "1h").code == 0  # a change: the store's creation, then the session
    assert ff("snapshot", "create").out == "nothing changed since snapshot 2\n"
    rows = ff("snapshot", "list", "--json").json()["snapshots"]
    assert [(r["id"], r["reason"], r["user"], r["files"]) for r in rows] == [
        (1, "change", "alice", 1),
        (2, "change", "alice", 2),
    ]
    (repo / ".flowforge/user/alice/time/current.json").write_text('{"version": 1}')
    assert ff("snapshot", "create").out == "snapshot 3: 3 file(s)\n"
    assert ff("snapshot", "verify", "3").code == 0


def test_a_manifest_is_checked_on_its_bytes_and_older_ones_still_read(tmp_path: Path) -> None:
    """`save` writes the canonical body, then its checksum: a changed byte anywhere is
    named; a manifest of an older version (its keys in any order, ASCII escapes) reads."""
    import pytest

    from ffhooks.errors import BrokenFile

    saved = snapshot.save(tmp_path, [("naïve.json", b"1")], reason="manual", user="alice", now=T0)
    assert saved is not None
    path = snapshot.manifest_path(tmp_path, 1)
    data = path.read_bytes()
    assert data.endswith(f',"sha256":"{json.loads(data)["sha256"]}"}}'.encode())
    assert snapshot.load(tmp_path, 1).files == saved.files
    for at in (1, data.index(b"na"), len(data) - 10):  # in the body, and in the checksum
        changed = bytearray(data)
        changed[at] = ord("0") if changed[at] != ord("0") else ord("1")
        path.write_bytes(bytes(changed))
        with pytest.raises(BrokenFile):
            snapshot.load(tmp_path, 1)
    older = {"sha256": json.loads(data)["sha256"], **json.loads(data)}  # checksum first
    path.write_text(json.dumps(older, indent=1))
    assert snapshot.load(tmp_path, 1).files == saved.files


def test_the_quick_entry_check_lets_nothing_off_schema_through(tmp_path: Path) -> None:
    import pytest

    from ffhooks.errors import BrokenFile

    snapshot.save(tmp_path, [("x.json", b"1")], reason="manual", user="alice", now=T0)
    path = snapshot.manifest_path(tmp_path, 1)
    good: dict[str, Any] = json.loads(path.read_text())
    changes: list[dict[str, Any]] = [
        {"size": -1},
        {"size": 1.5},
        {"sha256": "A" * 64},
        {"path": ""},
        {"inode": -3},
        {"mtime_ns": "1"},
        {"extra": 1},
    ]
    for change in changes:
        doc = {**good, "files": [{**good["files"][0], **change}]}
        doc["sha256"] = snapshot._body_checksum(doc)
        path.write_text(json.dumps(doc))
        with pytest.raises(BrokenFile, match=r"\$\.files\[0\]"):
            snapshot.load(tmp_path, 1)


def test_a_manifest_as_saved_skips_the_schema_walk_and_nothing_else(tmp_path: Path) -> None:
    """Reading what `save` wrote needs no schema walk (a `stop` reads one at each change);
    anything sealed alike that `save` never writes (another key, another version) is still
    walked, and refused."""
    import pytest

    from ffhooks.errors import BrokenFile

    saved = snapshot.save(tmp_path, [("x.json", b"1")], reason="change", user="alice", now=T0)
    assert saved is not None
    path = snapshot.manifest_path(tmp_path, 1)
    data = path.read_bytes()
    assert snapshot._as_saved(data) == json.loads(data)
    assert snapshot.load(tmp_path, 1).files == saved.files
    good = json.loads(data)
    for change in ({"extra": 1}, {"version": 2}):
        body = snapshot._canonical({k: v for k, v in {**good, **change}.items() if k != "sha256"})
        path.write_bytes(snapshot._sealed(body, sha256_hex(body)))
        with pytest.raises(BrokenFile, match=r"\$"):
            snapshot.load(tmp_path, 1)


def test_a_change_keeps_what_its_files_held_before_through_pruning(tmp_path: Path) -> None:
    """`ffhooks undo` puts back what a change's files held before it: that content is an
    object of its own, kept as long as the change's manifest is, and read back with it."""
    snapshot.save(tmp_path, [("x.json", b"old")], reason="manual", user="alice", now=T0)
    snapshot.save(tmp_path, [("x.json", b"1")], reason="manual", user="alice", now=T0)
    digest = sha256_hex(b"by hand")
    change = snapshot.StoreChange(before={"x.json": digest}, command=("add", "12", "1h"))
    later = T0 + timedelta(days=1)
    made = snapshot.save(
        tmp_path,
        [("x.json", b"2")],
        reason="change",
        user="alice",
        now=later,
        parent=2,
        change=change,
        earlier=[b"by hand"],
    )
    assert made is not None and made.id == 3
    back = snapshot.load(tmp_path, 3)
    assert (back.parent, back.change) == (2, change)  # read back
    assert snapshot.problems(tmp_path, 3) == []
    snapshot.prune(tmp_path, keep_last=1, keep_daily_days=0, now=later)
    assert snapshot.all_ids(tmp_path) == [2, 3]
    assert snapshot.object_path(tmp_path, digest).read_bytes() == b"by hand"
    assert not snapshot.object_path(tmp_path, sha256_hex(b"old")).exists()


def test_a_snapshot_listing_only_its_changes(tmp_path: Path) -> None:
    """A commit's copy lists only what differs from the newest snapshot of its store (`head`
    finds it without reading its entries): its manifest names that one and the changes, and
    it reads as every file. Eight in a row at most: then `head` has none to build on, and a
    full one is taken. Retention keeps what a kept one builds on; a base that went missing
    makes the snapshots on it broken, by name, and nothing builds on them any more."""
    where: dict[str, Any] = {"store": "0123456789abcdef", "worktree": "/w"}
    files = [(f"d/{n:03d}.json", str(n).encode()) for n in range(50)]
    full = snapshot.save(tmp_path, files, reason="change", user="alice", now=T0, **where)
    assert full is not None and snapshot.head(tmp_path, "alice", **where) == (1, 0)
    assert snapshot.head(tmp_path, "alice", "0123456789abcdef", "/other") is None
    for n in range(1, snapshot.MAX_DEPTH + 1):
        base = snapshot.head(tmp_path, "alice", **where)
        assert base == (n, n - 1)
        made = snapshot.save(
            tmp_path,
            [("store.json", str(n).encode())],
            reason="aggregate",
            user="alice",
            now=T0 + timedelta(minutes=n),
            base=base,
            **where,
        )
        assert made is not None and (made.base, made.depth) == (n, n)
        written = json.loads(snapshot.manifest_path(tmp_path, made.id).read_text())
        assert written["base"] == n and [f["path"] for f in written["files"]] == ["store.json"]
        loaded = snapshot.load(tmp_path, made.id)
        assert len(loaded.files) == 51 and (loaded.base, loaded.depth) == (n, n)
        assert snapshot.read_object(tmp_path, loaded.files[-1]) == str(n).encode()
        assert snapshot.problems(tmp_path, made.id) == []
    # eight in a row: `take` takes a full one next
    assert snapshot.head(tmp_path, "alice", **where) == (9, snapshot.MAX_DEPTH)

    # retention keeps the newest two and all that 9 and 8 build on, down to 1
    dropped = snapshot.prune(tmp_path, keep_last=2, keep_daily_days=0, now=T0 + timedelta(days=1))
    assert dropped == [] and snapshot.all_ids(tmp_path) == list(range(1, 10))

    snapshot.manifest_path(tmp_path, 4).unlink()
    [problem] = snapshot.problems(tmp_path, 6)
    assert "$.base: snapshot 5, which it lists its changes to, is missing or broken" in problem
    assert snapshot.head(tmp_path, "alice", **where) is None

    # a base that is not an earlier snapshot, in a manifest sealed as `save` seals one
    path = snapshot.manifest_path(tmp_path, 9)
    doc = json.loads(path.read_text())
    for wrong in ("3", 9, 12):
        body = snapshot._canonical(
            {**{k: v for k, v in doc.items() if k != "sha256"}, "base": wrong}
        )
        path.write_bytes(snapshot._sealed(body, sha256_hex(body)))
        [problem] = snapshot.problems(tmp_path, 9)
        assert f"$.base: {wrong!r} is not an earlier snapshot" in problem


def test_a_pass_over_every_snapshot_reads_each_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retention and erasure read every manifest: a base that many snapshots list their
    changes to is read once, not once for each (a long history's list is the big one). Read
    so, a chain longer than allowed is as broken as read on its own."""
    where: dict[str, Any] = {"store": "0123456789abcdef", "worktree": "/w"}
    files = [(f"d/{n:03d}.json", str(n).encode()) for n in range(50)]
    snapshot.save(tmp_path, files, reason="change", user="alice", now=T0, **where)
    for n in range(1, snapshot.MAX_DEPTH + 1):
        base = snapshot.head(tmp_path, "alice", **where)
        snapshot.save(
            tmp_path, [("store.json", str(n).encode())], reason="aggregate", user="alice",
            now=T0, base=base, **where,
        )  # fmt: skip
    reads: list[int] = []
    real = snapshot._read

    def counted(state_dir: Path, snapshot_id: int) -> bytes:
        reads.append(snapshot_id)
        return real(state_dir, snapshot_id)

    monkeypatch.setattr(snapshot, "_read", counted)
    assert snapshot.prune(tmp_path, keep_last=0, keep_daily_days=0, now=T0) == []
    assert sorted(reads) == list(range(1, snapshot.MAX_DEPTH + 2))
    reads.clear()
    assert snapshot.forget(tmp_path, "bob") == []
    assert sorted(reads) == list(range(1, snapshot.MAX_DEPTH + 2))

    # a ninth on the eighth (written by hand: `head` says to take a full one) is too many
    made = snapshot.save(
        tmp_path, [("store.json", b"9")], reason="aggregate", user="alice", now=T0,
        base=(9, snapshot.MAX_DEPTH), **where,
    )  # fmt: skip
    assert made is not None
    loaded: dict[int, snapshot.Manifest] = {}
    for snapshot_id in range(1, 10):
        snapshot.load(tmp_path, snapshot_id, loaded)
    for cache in (loaded, None):
        with pytest.raises(BrokenFile, match="more than 8 snapshots in a row"):
            snapshot.load(tmp_path, made.id, cache)
