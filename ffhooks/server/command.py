"""`ffhooks server status|on|off|stop`: the opt-in hook server, seen and stopped by its own
wing's command (main dispatches to it by name, as to every command)."""

from __future__ import annotations

import os
import time

from ffhooks.errors import FatalError
from ffhooks.hook.server_switch import KEY, SWITCH, wanted
from ffhooks.server import client

STOP_SECONDS = 10.0  # how long `stop` waits for the server to let go of its lock


def server(*, action: str, everywhere: bool) -> int:
    if action in ("on", "off"):
        _set(action == "on", everywhere)
        if action == "off":
            _stop()
        return 0
    if everywhere:
        raise FatalError(f"--global goes with on or off, not with {action}")
    if action == "stop":
        _stop()
        return 0
    on = wanted(os.environ, os.getcwd())
    if os.environ.get(SWITCH):
        why = f"{SWITCH}={os.environ[SWITCH]}"
    else:
        why = f"git config {KEY}" if on else "the default; `ffhooks server on` turns it on"
    print(f"hook server: {'on' if on else 'off'} ({why})")
    pid, socket = _running()
    print(
        f"this installation's server: {f'running, pid {pid}' if pid else 'not running'} ({socket})"
    )
    return 0


def _set(on: bool, everywhere: bool) -> None:
    import subprocess

    scope = ["--global"] if everywhere else []
    done = subprocess.run(
        ["git", "config", *scope, "--type=bool", KEY, "true" if on else "false"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        where = "" if everywhere else " (outside a repository, add --global)"
        raise FatalError(f"git config {KEY} failed{where}: {done.stderr.strip()}")
    shown = "every clone of yours" if everywhere else "this clone"
    command = " ".join(["git config", *scope, KEY])
    print(f"hook server: {'on' if on else 'off'} for {shown} ({command})")
    if on and os.environ.get(SWITCH, "").lower() in ("off", "0", "false", "no"):
        print(f"note: {SWITCH}={os.environ[SWITCH]} in your environment wins over it")


def _running() -> tuple[int | None, str]:
    """(pid of this installation's server, or None; its socket)."""
    import fcntl

    where = client.folder()
    if where is None:
        return None, "no hook server can run here"
    socket = client.address(where)
    try:
        lock = os.open(f"{socket}.lock", os.O_RDWR)
    except OSError:
        return None, socket
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: the server runs
            text = os.pread(lock, 32, 0).decode(errors="replace").strip()
            return (int(text) if text.isdigit() else None) or -1, socket
        fcntl.flock(lock, fcntl.LOCK_UN)
        return None, socket
    finally:
        os.close(lock)


def _stop() -> None:
    import contextlib
    import signal

    pid, socket = _running()
    if pid is None:
        print("this installation's hook server is not running")
        return
    with contextlib.suppress(OSError):
        os.unlink(socket)  # it stops by itself when it sees its socket gone
    if pid > 0:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while _running()[0] is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    if _running()[0] is not None:
        raise FatalError(f"the hook server (pid {pid}) did not stop: `kill {pid}`")
    print(f"stopped this installation's hook server (pid {pid})")
