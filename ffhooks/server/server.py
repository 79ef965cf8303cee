"""The hook server: one process per interpreter and ffhooks installation that has imported
what the commit hook needs, and forks a copy of itself to run each commit's hook
(`client.py` asks it, and starts it).

The copy is the hook as its own process would be, minus the imports. It reads the request
(the command, folder, environment, umask) and answers READY, or DECLINED where the hook must
run in its own process; on GO, which brings the asking process's standard streams and
terminal and the answers of the git queries it started ahead, it becomes that process's
hook, runs `ffhooks hook`, and answers with the exit code. The server itself never runs a
hook, so every copy starts from the same fresh state. It serves only its own user, and stops
when idle for IDLE_SECONDS, when its socket is removed, or when ffhooks' files change under
it (an upgrade: the next commit runs the hook in its own process and starts a new server).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import Iterator

from ffhooks.records import Any
from ffhooks.server.client import CODE_BYTES, DECLINED, GO, PROTOCOL, READY

IDLE_SECONDS = 30 * 60
TICK_SECONDS = 5.0
MAX_REQUEST = 1 << 22
# What `ffhooks hook` imports on its way, imported once here.
WARM = (
    "ffhooks.main",
    "ffhooks.commands.hook",
    "ffhooks.hook.guard",
    "ffhooks.commands.aggregate",
    "ffhooks.hook.validate",
    "ffhooks.trust.policy",
    "ffhooks.store.identity",
    "ffhooks.hook.output",
    "ffhooks.fold.run",
    "ffhooks.context",
    "ffhooks.clock",
    "ffhooks.config",
    "ffhooks.git.merge_config",
    "ffhooks.validator.schema",
    "ffhooks.validator.checks",
    "ffhooks.store.open",
    "select",
    "fcntl",
    "array",  # socket.recv_fds
)


def serve(address: str) -> None:
    """Serve the commit hooks of this interpreter and ffhooks on `address` until idle."""
    import fcntl

    # hold nothing of the hook that started it: a pipe another process waits on to close,
    # or a work tree
    os.closerange(3, 1 << 16)
    os.chdir("/")
    lock = os.open(f"{address}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return  # another server of the same installation has just started
    os.ftruncate(lock, 0)
    os.write(lock, f"{os.getpid()}\n".encode())  # for `ffhooks server status` and `stop`
    _warm()
    code = _code_files()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(address)  # a server that ended without removing it (it held no lock)
    listener.bind(address)
    os.chmod(address, 0o600)
    listener.listen(16)
    listener.settimeout(TICK_SECONDS)
    bound = os.stat(address).st_ino
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    last = time.monotonic()
    try:
        while True:
            _reap()
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                if time.monotonic() - last > IDLE_SECONDS or not _still(address, bound, code):
                    return
                continue
            last = time.monotonic()
            with conn:
                if not _same_user(conn):
                    continue
                if os.fork() == 0:
                    listener.close()
                    os.close(lock)  # a new server may start while this copy works
                    _copy(conn)  # never returns
            # checked while the copy works, on the other core: a commit that starts within
            # moments of an upgrade runs the code it would have run a moment earlier
            if _code_files() != code:
                return
    finally:
        listener.close()
        if _still(address, bound, None):
            os.unlink(address)


def _warm() -> None:
    """Import what the hook imports, and read the schemas and compile their patterns (every
    copy would, the same way each time)."""
    import re

    for name in WARM:
        __import__(name)
    from ffhooks import layout
    from ffhooks.git import merge_config
    from ffhooks.store import identity
    from ffhooks.validator import schema

    def patterns(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                yield node["pattern"]
            yield from node.get("patternProperties", {})
            for value in node.values():
                yield from patterns(value)
        elif isinstance(node, list):
            for value in node:
                yield from patterns(value)

    for name in schema.names():
        for pattern in patterns(schema.load(name)):
            re.compile(pattern)
    for pattern in (
        identity.USER_PATTERN,
        layout.OWN_JSON,
        schema.DATE_TIME,
        merge_config.NO_DIRECTORY_RENAMES,
    ):
        re.compile(pattern)


def _code_files() -> dict[str, tuple[int, int, int]]:
    """Each file of the ffhooks package and of its schemas as (mtime_ns, size, inode)."""
    import ffhooks
    from ffhooks.validator.schema import SCHEMA_DIR

    found = {}
    folders = [os.path.dirname(os.path.abspath(ffhooks.__file__)), str(SCHEMA_DIR)]
    while folders:
        at = folders.pop()
        try:
            for entry in os.scandir(at):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append(entry.path)
                elif entry.name.endswith((".py", ".json")):
                    st = entry.stat()
                    found[entry.path] = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:  # removed meanwhile (an environment deleted): changed
            found[at] = (0, 0, 0)
    return found


def _still(address: str, bound: int, code: dict[str, tuple[int, int, int]] | None) -> bool:
    try:
        if os.stat(address).st_ino != bound:
            return False
    except OSError:
        return False
    return code is None or _code_files() == code


def _same_user(conn: socket.socket) -> bool:
    if not hasattr(socket, "SO_PEERCRED"):
        return True  # the socket's folder is this user's alone (client.private)
    import struct

    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1] == os.getuid()


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):  # none left
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _copy(conn: socket.socket) -> None:
    """In the forked copy: read the request, and unless it is declined, take the asking
    process's streams with its GO, become its hook, run it, answer with the exit code."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        request = _request(conn)
        declined = request[1][1:] != ["hook"] or _signs(request[2])
    except Exception:
        declined = True
    if declined:
        _answer(conn, DECLINED)
        os._exit(0)
    _answer(conn, READY)
    try:
        go, fds, _, _ = socket.recv_fds(conn, len(GO), 4)
    except OSError:
        go, fds = b"", []
    if go != GO or len(fds) not in (3, 4):
        os._exit(0)  # the hook gave up waiting and runs itself
    try:
        argv = _become(request, fds, _sized(conn))
    except Exception:  # e.g. its folder has gone: the hook's own process says so
        _answer(conn, DECLINED)
        os._exit(0)
    code = 3
    try:
        from ffhooks.main import flushed, main

        code = flushed(main(argv[1:]))
    finally:
        _answer(conn, code)
        os._exit(code)


def _request(conn: socket.socket) -> tuple[Any, ...]:
    """(protocol, argv, cwd, environment, parent pid, umask, stream encodings)."""
    import marshal

    request = marshal.loads(_sized(conn))
    if type(request) is not tuple or len(request) != 7 or request[0] != PROTOCOL:
        raise ValueError("not a request of this version")
    return request


def _sized(conn: socket.socket) -> bytes:
    """A message of the hook's: its size in 4 bytes, then itself."""
    size = int.from_bytes(_exactly(conn, 4), "big")
    if size > MAX_REQUEST:
        raise ValueError("not a request of this version")
    return _exactly(conn, size)


def _exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = conn.recv(min(size - len(data), 1 << 16))
        if not part:
            raise EOFError("the hook went away")
        data += part
    return data


def _become(request: tuple[Any, ...], fds: list[int], answers: bytes) -> list[str]:
    """Take the asking process's streams, terminal, folder, environment and umask, and the
    answers of what it asked git ahead."""
    import marshal

    from ffhooks import caller
    from ffhooks.git.ahead import Ahead

    caller.ahead = Ahead(marshal.loads(answers))
    _, argv, cwd, env, ppid, mask, streams = request
    for target, fd in enumerate(fds[:3]):
        os.dup2(fd, target)
        os.close(fd)
    caller.served_tty = fds[3] if len(fds) == 4 else None
    caller.served_parent = ppid
    os.chdir(cwd)
    os.umask(mask)
    for name in os.environ.keys() - env.keys():
        del os.environ[name]
    for name, value in env.items():
        if os.environ.get(name) != value:  # most are the server's own already
            os.environ[name] = value
    time.tzset()
    sys.stdin = open(0, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    for name, fd, given in (("stdout", 1, streams[0]), ("stderr", 2, streams[1])):
        encoding, errors = given or ("utf-8", "backslashreplace")
        stream = open(fd, "w", encoding=encoding, errors=errors, closefd=False)  # noqa: SIM115
        setattr(sys, name, stream)
    sys.argv = list(argv)
    return sys.argv


def _signs(top: str) -> bool:
    """The team may sign its summaries: ssh-keygen may ask for a passphrase on the terminal,
    which a copy of the server cannot open, so the hook runs in its own process. (Read, not
    checked: whatever is wrong with the config, the hook says as always.)"""
    import json

    from ffhooks.config import CONFIG

    try:
        with open(os.path.join(top, CONFIG), "rb") as handle:
            raw = json.loads(handle.read())
    except FileNotFoundError:
        # a store without the config beside it: a sparse checkout, whose config (read from
        # the index) may sign
        return os.path.isdir(os.path.join(top, ".flowforge", "user"))
    except (OSError, ValueError):
        return True
    return not isinstance(raw, dict) or raw.get("signatures", "off") != "off"


def _answer(conn: socket.socket, code: int) -> None:
    with contextlib.suppress(OSError):  # the hook has gone: nobody to tell
        conn.sendall(code.to_bytes(CODE_BYTES, "big", signed=True))
