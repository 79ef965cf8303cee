"""A quarantined store.json: what the refusal offers is what works."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from conftest import store_dir


def test_a_quarantined_header_offers_only_the_restore(ff: Any, initialised: Path) -> None:
    assert ff("add", "12", "1h", "--start", "09:00").code == 0
    assert ff("snapshot", "create").code == 0
    (store_dir(initialised) / "store.json").write_text("{ broken")
    assert ff("log").code == 1  # moved to the quarantine, said so
    refused = ff("add", "12", "30m", "--start", "11:00")
    assert refused.code == 1 and "`ffhooks recover restore` brings it back" in refused.err
    assert "--new-store" not in refused.err  # its sessions are still there: no new id
    assert ff("add", "12", "30m", "--start", "11:00", "--new-store").code == 1
    assert ff("recover", "restore").code == 0
    assert [s["seconds"] for s in ff("log", "--all", "--json").json()["sessions"]] == [3600]


def test_a_store_gone_whole_may_start_anew(ff: Any, initialised: Path) -> None:
    assert ff("add", "12", "1h", "--start", "09:00").code == 0
    assert ff("snapshot", "create").code == 0
    shutil.rmtree(store_dir(initialised))
    refused = ff("add", "12", "30m", "--start", "11:00")
    assert refused.code == 1 and "pass --new-store to start a new, empty one" in refused.err
    assert ff("add", "12", "30m", "--start", "11:00", "--new-store").code == 0


def test_a_stray_file_in_the_store_is_not_copied_and_is_named(ff: Any, initialised: Path) -> None:
    """Only ffhooks' own files go into snapshots: an export left in the store's folder
    would otherwise be copied at every change."""
    assert ff("add", "12", "1h", "--start", "09:00").code == 0
    stray = store_dir(initialised) / "time" / "export.json"
    stray.write_bytes(b"[" + b"0," * 100_000 + b"0]")
    made = ff("snapshot", "create", "--json").json()
    assert made["not_kept"] == [".flowforge/user/alice/time/export.json"]
    said = ff("recover", "status")
    assert "not kept in snapshots (not ffhooks'): .flowforge/user/alice/time/export.json" in (
        said.out
    )
    assert ff("add", "12", "30m", "--start", "11:00").code == 0  # a change's copy skips it too
    manifests = sorted((initialised / ".git/ffhooks/snapshots/manifests").glob("*.json"))
    assert len(manifests) >= 2
    assert not [m for m in manifests if "export.json" in m.read_text()]
