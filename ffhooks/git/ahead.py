"""Programs started ahead of the question they answer: the commit hook's git queries, which
run on the other core while Python imports (`hook/pipeline.py`), or while the hook server's
copy gets ready, started then by the hook's own process, which hands their answers to the
copy (`server/client.py`). Imports only built-in modules.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

Answer = tuple[int, bytes, bytes]  # exit code, output, errors


class Ahead:
    """The queries started ahead for one run of the commit hook, by argv: each a program
    started (pid, output, errors) or its answer. The hook makes one per commit and carries it
    in its `Repo` (`git/plumbing.ask_git` asks it first); in the hook server's copy it
    begins with the answers the hook's own process handed over."""

    def __init__(self, given: Mapping[tuple[str, ...], Answer] | None = None) -> None:
        self._started: dict[tuple[str, ...], tuple[int, int, int]] = {}
        self._answered: dict[tuple[str, ...], Answer] = dict(given or {})

    def start(self, argv: Sequence[str], environ: Mapping[str, str]) -> None:
        """Start `argv` now, unless it is already started or answered."""
        key = tuple(argv)
        if key not in self._started and key not in self._answered:
            try:  # noqa: SIM105 (contextlib is not imported yet in the hook's own process)
                self._started[key] = spawn(list(argv), dict(environ))
            except OSError:
                pass  # asked, it is run again, and what is wrong is said then

    def answer(self, argv: Sequence[str]) -> Answer | None:
        """The answer of `argv` started ahead (waited for), kept until `forget`: asked again
        (the guard, then the fold), it is the same answer; None if it was not started."""
        key = tuple(argv)
        started = self._started.pop(key, None)
        if started:
            self._answered[key] = collect(*started)
        return self._answered.get(key)

    def handed(self) -> dict[tuple[str, ...], Answer]:
        """Every answer (waited for), taken out: for the server's copy to begin with."""
        for key in list(self._started):
            self._answered[key] = collect(*self._started.pop(key))
        taken, self._answered = self._answered, {}
        return taken

    def forget(self) -> None:
        """Drop every answer (the index or the work tree changes), waiting for every program
        still running: none is left behind."""
        while self._started:
            collect(*self._started.popitem()[1])
        self._answered.clear()


def spawn(argv: list[str], environ: dict[str, str]) -> tuple[int, int, int]:
    """Start a program with no input: (its pid, the read ends of its output and errors).
    Without importing `subprocess`, a tenth of the commit hook's budget here
    (`bench/commit_overhead.py`)."""
    out_r, out_w = os.pipe()  # not inheritable: the child gets only its 1 and 2
    err_r, err_w = os.pipe()
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, out_w, 1),
        (os.POSIX_SPAWN_DUP2, err_w, 2),
    ]
    try:
        pid = os.posix_spawnp(argv[0], argv, environ, file_actions=actions)
    except BaseException:
        os.close(out_r)
        os.close(err_r)
        raise
    finally:
        os.close(out_w)
        os.close(err_w)
    return pid, out_r, err_r


def collect(pid: int, out_r: int, err_r: int) -> tuple[int, bytes, bytes]:
    """Wait for a program `spawn` started: (its exit code, its output, its errors)."""
    import select

    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    poller = select.poll()
    for fd in chunks:
        poller.register(fd, select.POLLIN)
    open_fds = set(chunks)
    try:
        while open_fds:
            for fd, _ in poller.poll():
                data = os.read(fd, 1 << 16)
                if data:
                    chunks[fd].append(data)
                else:
                    poller.unregister(fd)
                    open_fds.discard(fd)
    finally:
        os.close(out_r)
        os.close(err_r)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks[out_r]), b"".join(chunks[err_r])
