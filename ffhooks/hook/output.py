"""Where what the commit hook says goes.

pre-commit shows what a passing hook prints only under `verbose: true`, and then after a
`- hook id:` and a `- duration:` line. So when pre-commit runs the hook on a terminal, the
hook writes to the terminal itself: its one line takes the place of the hook's name in the
row pre-commit ends with `Passed`, and a warning, rare, goes on a line of its own above:

    ffhooks: alice +1h30m billable in 2026-11, staged.........................Passed

Elsewhere (the plain git hook, a verbose run, an IDE's commit without a terminal, prek,
which redraws that row while hooks run) it prints as any command does. A warning that an
IDE's commit hides is a failure queued for `ffhooks recover`, which `ffhooks status` shows.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys

from ffhooks import caller

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

# Where pre-commit's `Passed` starts on its narrowest rows (80 columns): a line is put in
# the row only if it fits before it.
ROW = 73


def shown(run: Callable[[], int]) -> int:
    """`run()`, what it prints put where the person committing sees it (`show`). What a
    refusal printed goes out as it is: pre-commit shows all of a failing hook's output."""
    said, warned = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(warned):
            code = run()
    except BaseException:
        sys.stderr.write(warned.getvalue())
        sys.stdout.write(said.getvalue())
        raise
    show(said.getvalue(), warned.getvalue())
    return code


def show(said: str, warned: str) -> None:
    """Put the hook's output (`said`, its lines of what it folded) and warnings (`warned`)
    where the person committing sees them."""
    lines = [line for line in (*warned.splitlines(), *said.splitlines()) if line.strip()]
    terminal = _terminal() if lines else None
    if terminal is None:
        sys.stderr.write(warned)
        sys.stdout.write(said)
        return
    with terminal:
        terminal.write(_over_the_row(lines))


def _over_the_row(lines: list[str]) -> str:
    """What to write on the terminal, the cursor at the end of pre-commit's row of the hook
    (`name.......`), for it to write `Passed` next."""
    *above, last = lines
    if not above and len(last) < ROW:
        # save the cursor, write over the name, and put the cursor back where `Passed` goes
        return f"\0337\r{last.ljust(ROW, '.')}\0338"
    if len(last) >= ROW:
        above, last = lines, "ffhooks"
    return "\r\033[K" + "".join(f"{line}\n" for line in above) + last.ljust(ROW, ".")


def _terminal() -> TextIO | None:
    """The terminal of a `git commit` that pre-commit runs the hook for; None elsewhere."""
    if os.environ.get("PRE_COMMIT") != "1" or os.environ.get("TERM", "dumb") == "dumb":
        return None
    if "PREK_HOOK_STAGE" in os.environ or _parent_name() == "prek":
        return None
    try:
        if caller.served_tty is not None:  # the hook's, run by the hook server
            return open(os.dup(caller.served_tty), "w", encoding="utf-8", errors="replace")
        return open("/dev/tty", "w", encoding="utf-8", errors="replace")
    except OSError:  # no controlling terminal (an IDE, a CI job), or not a POSIX system
        return None


def _parent_name() -> str:
    try:
        with open(f"/proc/{caller.parent_pid()}/comm", encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return ""
