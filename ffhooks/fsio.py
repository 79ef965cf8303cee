"""Crash-safe file writes, strict JSON reads, quarantine and locks.

Every write goes to a temp file in the same directory, is fsynced, then `os.replace`d over
the target, so a reader sees the old bytes or the new, never a mix; then the folder is fsynced,
because a rename is only durable once its folder is. A file that is empty, truncated, not
UTF-8 or not JSON is an error, never "no data".
"""

from __future__ import annotations

import errno
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ffhooks.errors import BrokenFile, FatalError
from ffhooks.records import Any

LOCK_TIMEOUT = 30.0
SYNC_THREADS = 16


def atomic_write(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Replace `path` with `data` atomically and durably; `fsync=False` leaves durability to
    the caller (`sync_written` once for a batch)."""
    make_folder(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if fsync:
        fsync_folder(path.parent)


# Bytes hashed by CPython's own SHA-256 before OpenSSL's: loading OpenSSL costs ~3 ms, and it
# hashes ~5 times faster, so it pays for itself past about a megabyte (a report of hundreds
# of summaries), never on the commit hook's few kilobytes (`bench/commit_overhead.py`).
OWN_SHA256_BYTES = 1 << 20
_hashed = 0


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data` in hex: by CPython's own implementation for the first megabyte a
    process hashes, by OpenSSL's (`hashlib`) after that, or where a build lacks its own."""
    global _hashed
    _hashed += len(data)
    if _hashed <= OWN_SHA256_BYTES:
        try:
            if sys.version_info >= (3, 12):
                from _sha2 import sha256
            else:
                from _sha256 import sha256  # type: ignore[import-not-found]
            return sha256(data).hexdigest()
        except ImportError:
            pass
    import hashlib

    return hashlib.sha256(data).hexdigest()


def make_folder(folder: Path) -> None:
    """`mkdir -p`, each new folder made durable in its parent (rare, so always: a file synced
    later is no use in a folder that a crash forgets)."""
    if folder.is_dir():
        return
    new = []
    at = folder
    while not at.exists() and at.parent != at:
        new.append(at)
        at = at.parent
    folder.mkdir(parents=True, exist_ok=True)
    for made in reversed(new):
        fsync_folder(made.parent)


def fsync_folder(folder: Path) -> None:
    """Make the names in `folder` (a rename, a new file) durable."""
    if os.name == "nt":
        return  # Windows cannot open a folder to fsync it: NTFS's own journal is all there is
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        # some network and FUSE filesystems cannot fsync a folder: there is no more to do
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
    finally:
        os.close(fd)


def sync_written(paths: Iterable[Path]) -> None:
    """Make files written with `fsync=False` durable: each file, then each folder once.

    `os.sync()` would do it in one call, but it flushes every disk of the machine (other
    people's builds included) on the commit path, and Windows has no such call. Many fsyncs
    run from a few threads: the filesystem commits concurrent ones together (measured on
    ext4: 1,000 files in 65 ms instead of 160 ms one after the other).
    """
    files = list(paths)
    if len(files) > SYNC_THREADS:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(SYNC_THREADS) as pool:
            for _ in pool.map(_fsync_file, files):
                pass
    else:
        for path in files:
            _fsync_file(path)
    for folder in dict.fromkeys(path.parent for path in files):
        fsync_folder(folder)


def _fsync_file(path: Path) -> None:
    # O_RDWR: Windows flushes only a file opened for writing
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def dump_json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_json(path: Path, value: Any, *, fsync: bool = True) -> None:
    atomic_write(path, dump_json(value), fsync=fsync)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(
    data: bytes, shown: str, fix: str, *, parse_float: Callable[[str], Any] | None = None
) -> Any:
    """Parse strictly: no BOM, UTF-8 only, no NaN/Infinity, no duplicate keys; numbers with
    a fraction or an exponent as `parse_float` makes them (default: binary floats)."""
    if not data.strip():
        raise BrokenFile(shown, "is empty", fix)
    if data.startswith(b"\xef\xbb\xbf"):
        raise BrokenFile(shown, "starts with a byte-order mark", fix)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BrokenFile(shown, f"is not UTF-8 (byte {exc.start})", fix) from None
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_float=parse_float,
        )
    except json.JSONDecodeError as exc:
        problem = f"is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        raise BrokenFile(shown, problem, fix) from None
    except ValueError as exc:
        raise BrokenFile(shown, f"is not valid JSON ({exc})", fix) from None
    except RecursionError:
        raise BrokenFile(shown, "is nested too deeply to be an ffhooks file", fix) from None


def quarantine(path: Path, top: Path, state_dir: Path, now: datetime) -> Path:
    """Move a broken file out of the way, bytes intact, under the clone's machine state."""
    import shutil

    try:
        rel = path.resolve().relative_to(top.resolve())
    except ValueError:
        rel = Path(path.name)
    target = state_dir / "quarantine" / now.strftime("%Y%m%dT%H%M%SZ") / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while target.exists():
        target = target.with_name(f"{rel.name}.{n}")
        n += 1
    shutil.move(str(path), target)
    return target


@contextmanager
def held(path: Path, timeout: float, *, portable: bool = False) -> Iterator[int | None]:
    """Hold an exclusive lock on `path` (a local file), waiting up to `timeout` seconds
    (TimeoutError after); yields the lock file's descriptor, or None under filelock.

    On POSIX this is `fcntl.flock`, exactly what `filelock.FileLock` (UnixFileLock) takes, so
    the two exclude each other; it is used directly because importing filelock costs a
    third of `ffhooks stop`'s budget (`bench/cli_latency.py`). Without fcntl, or with
    `portable` (the tests), filelock itself is used.
    """
    make_folder(path.parent)
    try:
        import fcntl
    except ImportError:
        portable = True
    if portable:
        from filelock import FileLock, Timeout

        lock = FileLock(str(path), timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise TimeoutError(path) from None
        try:
            yield None
        finally:
            lock.release()
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(path) from None
                time.sleep(0.01)
        try:
            yield fd
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def locked(path: Path, what: str) -> Iterator[None]:
    """Hold an exclusive lock on `path` for the duration (see `held`); one ffhooks process
    busy with it past LOCK_TIMEOUT is an error naming `what`."""
    try:
        with held(path, LOCK_TIMEOUT):
            yield
    except TimeoutError as exc:
        if exc.args != (path,):
            raise
        raise _busy(path, what) from None


def _busy(path: Path, what: str) -> FatalError:
    return FatalError(
        f"{what} is locked by another ffhooks process ({path}) for {LOCK_TIMEOUT:.0f}s: "
        "wait for it to finish and try again"
    )
