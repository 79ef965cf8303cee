"""Crash safety of the storage layer, observed at the system calls: a rename is durable only
once its folder is fsynced, and a bulk write syncs what it wrote, never the whole machine."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from conftest import sessions, store_dir

CALLS = "fsync,fdatasync,sync,syncfs,rename,renameat,renameat2,unlink,unlinkat"
_CALL = re.compile(r"^(?:\d+\s+)?(?:<\.\.\. )?(?P<name>[a-z0-9]+)\((?P<args>.*)")
_FD_PATH = re.compile(r"^\d+<(?P<path>[^>]*)>")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


class Call(NamedTuple):
    name: str  # fsync (fdatasync too), rename, unlink or sync (syncfs too)
    path: str  # what was fsynced or unlinked, or the rename's target
    source: str = ""  # the rename's source


def traced(cwd: Path, out: Path, *argv: str) -> list[Call]:
    """Run `ffhooks ARGV` under strace; its calls that make files durable, in order."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed (.ci/run installs it): syscalls cannot be observed")
    trace = out / "strace.txt"
    cmd = ["strace", "-f", "-qq", "-y", "-e", f"trace={CALLS}", "-o", str(trace), "ffhooks"]
    result = subprocess.run([*cmd, *argv], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0 and "ptrace" in result.stderr:
        pytest.skip(f"strace cannot trace here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    calls = []
    for line in trace.read_text().splitlines():
        match = _CALL.match(line)
        if match is None or "resumed>" in line or "__pycache__" in line:
            continue
        name, args = match["name"], match["args"]
        if name in ("fsync", "fdatasync"):
            fd = _FD_PATH.match(args)
            assert fd is not None, line
            calls.append(Call("fsync", fd["path"]))
        elif name.startswith("rename"):
            source, target = _STRING.findall(args)[:2]
            calls.append(Call("rename", target, source))
        elif name.startswith("unlink"):
            calls.append(Call("unlink", _STRING.findall(args)[0]))
        elif name in ("sync", "syncfs"):
            calls.append(Call("sync", ""))
    return calls


def undurable(calls: list[Call], under: Path) -> list[str]:
    """Each rename or unlink under `under` that a crash could undo: its data not fsynced
    (before the rename as the temp file, or after it as the target), or its folder not
    fsynced after it."""
    root = str(under.resolve())
    found = []
    for i, call in enumerate(calls):
        if call.name not in ("rename", "unlink") or not call.path.startswith(root):
            continue
        later = {c.path for c in calls[i + 1 :] if c.name == "fsync"}
        earlier = {c.path for c in calls[:i] if c.name == "fsync"}
        if call.name == "rename" and call.source not in earlier and call.path not in later:
            found.append(f"{call.path}: data never fsynced")
        if os.path.dirname(call.path) not in later:
            found.append(f"{call.path}: {call.name} never made durable (folder not fsynced)")
    return found


def jsonl(path: Path, days: int) -> Path:
    lines = [
        {"task": "7", "start": f"2026-10-{d:02d}T09:00:00Z", "end": f"2026-10-{d:02d}T10:00:00Z"}
        for d in range(1, days + 1)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_single_writes_fsync_the_folder_after_the_rename(
    ff: Any, initialised: Path, tmp_path: Path
) -> None:
    repo = initialised
    assert ff("add", "1", "1h", "--start", "2026-11-18 09:00").code == 0  # creates the store
    for argv in (
        ("timezone", "Europe/Berlin"),  # store.json alone
        ("add", "2", "1h", "--start", "2026-11-19 09:00"),  # a daily file, store.json, journal
        ("start", "3"),
        ("stop",),
    ):
        calls = traced(repo, tmp_path, *argv)
        renames = [c for c in calls if c.name == "rename" and ".flowforge" in c.path]
        assert renames, argv
        assert undurable(calls, repo / ".flowforge") == [], argv
        assert not [c for c in calls if c.name == "sync"], argv


def test_bulk_write_fsyncs_each_file_and_folder_not_the_machine(
    ff: Any, initialised: Path, tmp_path: Path
) -> None:
    repo = initialised
    source = jsonl(tmp_path / "sessions.jsonl", days=20)  # 20 daily files: a bulk write
    calls = traced(repo, tmp_path, "import", str(source))
    assert not [c for c in calls if c.name == "sync"], "os.sync() flushes the whole machine"
    assert undurable(calls, repo / ".flowforge") == []
    daily = (store_dir(repo) / "time/daily").resolve()
    written = {c.path for c in calls if c.name == "rename" and c.path.startswith(str(daily))}
    assert len(written) == 20
    # all of it is durable before the journal goes: after that, nothing could redo it
    [gone] = [i for i, c in enumerate(calls) if c.name == "unlink" and "journal" in c.path]
    synced = [c.path for c in calls[:gone] if c.name == "fsync"]
    assert written <= set(synced)
    assert synced.count(str(daily)) == 1  # each folder once, not once a file
    assert len(sessions(ff)) == 20


def test_summaries_are_durable_when_written(ff: Any, initialised: Path, tmp_path: Path) -> None:
    repo = initialised
    ff("add", "1", "1h", "--start", "2026-10-30 09:00")
    ff("add", "1", "1h", "--start", "2026-11-18 09:00")
    calls = traced(repo, tmp_path, "aggregate")
    summaries = repo / ".flowforge/team/summaries"
    written = [
        c for c in calls if c.name == "rename" and c.path.startswith(str(summaries.resolve()))
    ]
    assert len(written) == 2
    assert undurable(calls, summaries) == []
    # the month folders are new: each one's name is made durable in its parent
    assert str((summaries / "alice").resolve()) in {c.path for c in calls if c.name == "fsync"}


def test_bulk_write_works_without_os_sync(
    ff: Any, initialised: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no os.sync: a bulk import must not need it."""
    monkeypatch.delattr(os, "sync", raising=False)
    result = ff("import", str(jsonl(tmp_path / "sessions.jsonl", days=20)))
    assert result.code == 0, result.err
    assert len(sessions(ff)) == 20
    assert not (store_dir(initialised) / "journal.json").exists()
