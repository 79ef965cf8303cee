from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from ffhooks import fsio
from ffhooks.errors import FatalError


def hold_with_filelock(path: str, ready: multiprocessing.synchronize.Event, seconds: float) -> None:
    from filelock import FileLock

    with FileLock(path):
        ready.set()
        time.sleep(seconds)


def test_lock_excludes_filelock_holders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Our lock and filelock.FileLock are the same lock on POSIX."""
    path = tmp_path / "x.lock"
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=hold_with_filelock, args=(str(path), ready, 2.0))
    holder.start()
    try:
        assert ready.wait(10)
        monkeypatch.setattr(fsio, "LOCK_TIMEOUT", 0.3)
        with (
            pytest.raises(FatalError, match="locked by another ffhooks process"),
            fsio.locked(path, "the test store"),
        ):
            pass
    finally:
        holder.join()
    with fsio.locked(path, "the test store"):
        pass


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.json"
    fsio.write_json(target, {"x": 1})
    fsio.write_json(target, {"x": 2})
    assert [p.name for p in target.parent.iterdir()] == ["b.json"]
    assert target.read_text() == '{\n  "x": 2\n}\n'


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "is empty"),
        (b"  \n", "is empty"),
        (b"\xef\xbb\xbf{}", "byte-order mark"),
        (b'{"a": "\xff"}', "is not UTF-8"),
        (b'{"a": NaN}', "NaN is not valid JSON"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"a": 1', "line 1 column 8"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_parse_json_refuses(data: bytes, problem: str) -> None:
    with pytest.raises(fsio.BrokenFile) as info:
        fsio.parse_json(data, "f.json", "fix it")
    assert problem in str(info.value) and str(info.value).startswith("f.json: ")


@pytest.mark.parametrize("first_portable", [False, True])
def test_filelock_and_flock_exclude_each_other(
    tmp_path: Path, first_portable: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock without fcntl (filelock, as on Windows) and the one with it take the same
    kind of lock: each keeps the other out, and `locked` names what is busy."""
    monkeypatch.setattr(fsio, "LOCK_TIMEOUT", 0.2)
    path = tmp_path / "store" / ".lock"
    with fsio.held(path, 1, portable=first_portable) as fd:
        assert (fd is None) is first_portable
        with pytest.raises(TimeoutError), fsio.held(path, 0.1, portable=not first_portable):
            pass
        busy = pytest.raises(FatalError, match="the time store of alice is locked")
        with busy, fsio.locked(path, "the time store of alice"):
            pass
    with fsio.held(path, 0.1, portable=not first_portable):
        pass  # free again


def test_sha256_is_cpythons_own_for_a_megabyte_then_openssls() -> None:
    """The commit hook's few kilobytes do not load OpenSSL; a report's megabytes do."""
    import hashlib
    import subprocess
    import sys

    code = (
        "import sys; from ffhooks.fsio import sha256_hex as h; a = h(b'x' * 1000); "
        "small = 'hashlib' in sys.modules; b = h(b'y' * (2 << 20)); "
        "print(small, 'hashlib' in sys.modules, a, b)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    small, big, a, b = out.stdout.split()
    assert (small, big) == ("False", "True")
    assert a == hashlib.sha256(b"x" * 1000).hexdigest()
    assert b == hashlib.sha256(b"y" * (2 << 20)).hexdigest()
