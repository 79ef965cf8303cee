"""The process that ran this command, and the hook's terminal: the hook's caller also when the
hook server's copy runs the hook (`ffhooks/server/server.py` sets them there), so that the
fold and the hook's output ask here and never import the server.

Imports only built-in modules: it runs on every commit.
"""

from __future__ import annotations

import os

# Set in the server's copy: the process that ran `ffhooks hook` (pre-commit, prek or git)
# and the hook's terminal, for what asks for them (`parent_pid`, `ffhooks/hook/output.py`).
served_parent: int | None = None
served_tty: int | None = None


def parent_pid() -> int:
    """The process that ran this command: the hook's caller also when served."""
    return os.getppid() if served_parent is None else served_parent
