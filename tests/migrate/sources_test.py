"""`ffhooks.migrate.sources`: the files a migration reads, found, told apart and hashed."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ffhooks.errors import BrokenFile, FatalError
from ffhooks.git.plumbing import Repo, find_repo
from ffhooks.migrate.sources import backup, file_kind, file_sha256, find_sources, store_id

LEGACY = b'{\n  "69": {"status": "closed", "sessions": []}\n}\n'
LINE = b'{"task": "69", "start": "2025-11-03T09:00:00Z", "end": "2025-11-03T10:00:00Z"}\n'


def found_repo(path: Path) -> Repo:
    found = find_repo(path)
    assert found is not None
    return found


def test_the_repository_s_own_files_smallest_first(repo: Path) -> None:
    v1 = repo / ".task-times.json"
    v1.write_bytes(LEGACY + b" " * 50)
    v2 = repo / ".flowforge/billing/time-tracking.json"
    v2.parent.mkdir(parents=True)
    v2.write_bytes(LEGACY)
    sources, notes = find_sources(found_repo(repo), [])
    assert notes == []
    assert [(s.shown, s.kind, s.size) for s in sources] == [
        (".flowforge/billing/time-tracking.json", "legacy", len(LEGACY)),
        (".task-times.json", "legacy", len(LEGACY) + 50),
    ]
    assert [s.sha256 for s in sources] == [
        hashlib.sha256(p.read_bytes()).hexdigest() for p in (v2, v1)
    ]
    assert sources[1].mtime_ns == v1.stat().st_mtime_ns


def test_the_same_content_under_two_paths_is_read_once(repo: Path, tmp_path: Path) -> None:
    inside = repo / "export.jsonl"
    inside.write_bytes(LINE)
    outside = tmp_path / "copy.jsonl"
    outside.write_bytes(LINE)
    given = [str(inside), str(outside), "export.jsonl"]
    sources, notes = find_sources(found_repo(repo), given)
    assert [(s.shown, s.kind) for s in sources] == [("export.jsonl", "jsonl")]
    # the same file named twice is no news; another file with its bytes is
    assert notes == [f"{outside.resolve()} has the same content as export.jsonl: read once"]


def test_a_folder_is_refused_by_name(repo: Path) -> None:
    (repo / "exports").mkdir()
    with pytest.raises(FatalError) as caught:
        find_sources(found_repo(repo), ["exports"])
    assert str(caught.value) == (
        "exports: cannot read it (not a file): check the path and its permissions"
    )


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("time.json", LEGACY, "legacy"),
        ("time.json", b'  {"69": {"sessions": []}, "70": {"sessions": []}}', "legacy"),
        ("time.json", b'{"metadata": {"version": 2}}\n', "legacy"),
        ("export.json", LINE + LINE, "jsonl"),
        ("export.json", b'{"task": "69",\n' + LINE, "jsonl"),  # the first line is cut short
        ("export.ndjson", b'{"anything": 1}\n', "jsonl"),
        ("export.jsonl", b"{}\n", "jsonl"),
    ],
)
def test_kind_is_told_from_the_first_bytes(
    tmp_path: Path, name: str, data: bytes, kind: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert file_kind(path, name) == kind


def test_a_byte_order_mark_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "time.json"
    path.write_bytes(b"\xef\xbb\xbf" + LEGACY)
    with pytest.raises(BrokenFile) as caught:
        file_kind(path, "time.json")
    assert (caught.value.path, caught.value.problem) == (
        "time.json",
        "starts with a byte-order mark",
    )


def test_file_sha256_reads_past_one_chunk(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    data = LINE * 40_000  # about 3 MB: several reads
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_store_ids_never_change() -> None:
    """Summaries already committed name their store: the same content and user must give
    the same id in every version, or a second migration would count everything again."""
    assert store_id("0" * 64, "alice") == "bf45c0781d2e5e4a"
    assert store_id("0" * 64, "bob") == "d0f2735c4b44856c"


def test_backup_refuses_a_source_changed_since_it_was_found(repo: Path) -> None:
    source = repo / ".task-times.json"
    source.write_bytes(LEGACY)
    found = found_repo(repo)
    sources, _ = find_sources(found, [])
    source.write_bytes(LEGACY.replace(b"closed", b"active"))
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(FatalError) as caught:
        backup(found, sources, user="alice", now=now)
    assert str(caught.value) == (
        ".task-times.json changed while being migrated: run the migration again"
    )
    assert not (found.state_dir / "snapshots").exists()
