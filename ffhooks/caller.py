"""The process that ran this command, the hook's terminal and the git queries started ahead
for the hook: the hook's caller's also when the hook server's copy runs the hook
(`ffhooks/server/` sets them), so that the hook asks here and never imports the server.

Imports only built-in modules: it runs on every commit.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.git.ahead import Ahead

# Set in the server's copy: the process that ran `ffhooks hook` (pre-commit, prek or git)
# and the hook's terminal, for what asks for them (`parent_pid`, `ffhooks/hook/output.py`).
served_parent: int | None = None
served_tty: int | None = None
# The git queries the hook's own process started while it asked for the server (the server's
# copy gets their answers): the hook's pipeline begins with them (`hook/pipeline.py`).
ahead: Ahead | None = None


def parent_pid() -> int:
    """The process that ran this command: the hook's caller also when served."""
    return os.getppid() if served_parent is None else served_parent
