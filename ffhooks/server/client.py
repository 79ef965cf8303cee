"""The commit hook through the hook server: a process that has imported ffhooks once and forks
a copy of itself for each commit (`server/server.py`), so a commit pays for starting Python but
not for the imports, most of what the hook costs (`bench/commit_overhead.py`).

`ffhooks hook` asks the server of its own interpreter and ffhooks (by their paths) to run it.
The copy runs exactly what the hook would run here, with this process's environment, working
folder, umask, standard streams and terminal, and answers with the exit code. When there is
no server (or it is out of date, or anything fails before the copy has answered), the hook
runs in this process as always: the fold is safe to run again (its store lock and its
comparison with the newest summaries make a second run a no-op), so falling back never counts
time twice; and it then starts a server for the next commit. Only a user who turned it on
comes here (hook/server_switch.py); `ffhooks server stop` stops it.

Imports only built-in modules: it runs before anything else on every commit.
"""

from __future__ import annotations

import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PROTOCOL = 1
# What the copy says, then the exit code: READY (it waits for GO, and runs the hook only
# then, so this process either leaves the hook to it or runs it itself, never both), or
# DECLINED: this process must run the hook itself (and, with REPLACE, start a server).
CODE_BYTES = 4
READY = -3
DECLINED = -1
REPLACE = -2
GO = b"g"
# How long the server may take to answer before this process runs the hook itself (a
# server stopped or stuck must not stop the commit).
WAIT_SECONDS = 5.0


def folder() -> str | None:
    """The folder of the servers' sockets, if a server can run here: POSIX, a short path (a
    socket's is limited to about 100 bytes). Whether one is wanted, hook/server_switch.py
    says."""
    if os.name != "posix" or not hasattr(os, "fork"):
        return None
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    if not os.path.isabs(base) or len(base) > 50:  # the socket's name adds up to 50 more
        base = "/tmp"
    return os.path.join(base, f"ffhooks-{os.getuid()}")


def private(path: str) -> bool:
    """`path` is a folder (not a link) of this user that nobody else can enter."""
    import stat  # imported by os already

    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def identity() -> tuple[str, ...]:
    """What decides which ffhooks and which modules a process imports: a server serves only
    processes that would import the same."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the package
    paths = [os.path.abspath(p) for p in sys.path]
    return (
        sys.executable,
        sys.version,
        here,
        sys.getfilesystemencoding(),
        str(sys.flags.utf8_mode),
        *paths,
    )


def address(where: str) -> str:
    """The socket of the server for this interpreter and this ffhooks, in `where`."""
    if sys.version_info >= (3, 12):
        from _sha2 import sha256
    else:
        from _sha256 import sha256  # type: ignore[import-not-found]
    key = sha256("\0".join(identity()).encode("utf-8", "surrogateescape")).hexdigest()
    return os.path.join(where, f"{key[:24]}.sock")


def served(argv: list[str]) -> int:
    """The exit code of `argv` run by the server, or DECLINED or REPLACE."""
    where = folder()
    if where is None:
        return DECLINED
    if not private(where):
        return REPLACE  # missing: starting a server makes it
    import _socket

    from ffhooks import caller
    from ffhooks.git.ahead import Ahead
    from ffhooks.layout import STAGED_QUERY

    # the copy's first question, asked now: git answers while the copy gets ready
    caller.ahead = ahead = Ahead()  # if this process runs the hook after all, it asks here
    ahead.start(["git", "-C", os.getcwd(), *STAGED_QUERY], os.environ)
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.settimeout(WAIT_SECONDS)
    tty = -1
    path = address(where)
    try:
        try:
            sock.connect(path)
        except TimeoutError:
            raise
        except OSError:
            return REPLACE  # no server: this process runs the hook, and starts one
        mask = os.umask(0o022)
        os.umask(mask)
        streams = [(s.encoding, s.errors) if s else None for s in (sys.stdout, sys.stderr)]
        request = marshal.dumps(
            (PROTOCOL, argv, os.getcwd(), dict(os.environ), os.getppid(), mask, streams)
        )
        sock.sendall(len(request).to_bytes(4, "big") + request)
        if _code(sock) != READY:
            return DECLINED
        # Only now this process's streams go (a server that never answers must not hold
        # them open: pre-commit waits for the last holder), and from now on the copy runs
        # the hook: this process waits for it, however long.
        if os.environ.get("PRE_COMMIT") == "1":  # the hook writes on it (hook_output)
            try:
                tty = os.open("/dev/tty", os.O_WRONLY | os.O_NOCTTY)
            except OSError:
                tty = -1
        fds = [0, 1, 2] if tty < 0 else [0, 1, 2, tty]
        packed = b"".join(fd.to_bytes(4, sys.byteorder, signed=True) for fd in fds)
        answers = marshal.dumps(ahead.handed())  # taken: a fallback now asks git again
        go = GO + len(answers).to_bytes(4, "big") + answers
        sock.settimeout(None)
        sock.sendmsg([go], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, packed)])
        return _code(sock)
    except TimeoutError:  # stuck or stopped: later commits need not wait for it too
        import contextlib

        with contextlib.suppress(OSError):
            os.unlink(path)  # it stops when it sees its socket gone
        return DECLINED
    except (OSError, ValueError, OverflowError):
        return DECLINED  # the copy has not begun (no GO), or has ended without a word
    except KeyboardInterrupt:  # a copy that has begun ends its fold; git stops the commit
        print("ffhooks: interrupted", file=sys.stderr)
        return 130
    finally:
        sock.close()
        if tty >= 0:
            os.close(tty)


def _code(sock: Any) -> int:
    """The next code the copy sends (DECLINED if it ends first)."""
    answer = b""
    while len(answer) < CODE_BYTES:
        part = sock.recv(CODE_BYTES - len(answer))
        if not part:
            return DECLINED
        answer += part
    return int.from_bytes(answer, "big", signed=True)


def start_server() -> None:
    """Start the server for this interpreter and this ffhooks in the background, if it may
    run here; it stops by itself when idle (server/server.IDLE_SECONDS)."""
    where = folder()
    if where is None:
        return
    try:
        os.mkdir(where, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return
    if not private(where):
        return
    paths = [os.path.abspath(p) for p in sys.path]
    code = (
        f"import sys; sys.path[:] = {paths!r}; "
        f"from ffhooks.server.server import serve; serve({address(where)!r})"
    )
    null = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    import contextlib  # the hook has run here: imported already

    # failing, the next commit runs the hook in its own process again
    with contextlib.suppress(OSError, AttributeError, NotImplementedError):
        os.posix_spawn(
            sys.executable,
            [sys.executable, "-c", code],
            dict(os.environ),
            file_actions=null,
            setsid=True,  # no terminal, and no signal meant for this commit reaches it
        )
