"""Turning what went wrong into what the user sees (as pre-commit's error_handler): a
problem the user can fix is one line and exit 1 (after a line for each problem it names, where
there are several), Ctrl-C 130, a reader that went away 141 (silently, as `git log`), and a
bug 3, with its traceback in the clone's log."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from ffhooks.errors import FatalError

SIGPIPE_EXIT = 141  # what a shell reports for a command ended by SIGPIPE, as `git log` is


def _silence_stdout() -> None:
    """Point stdout at the null device, so that output still buffered for a reader that has
    gone is dropped instead of raising again when Python flushes it."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):  # no real stdout (tests capture it): nothing to silence
        pass


def run(action: Callable[[], int]) -> int:
    """Exit 1 with one line for a problem the user can fix (2 for what the clone lacks), after
    its details, one per line; 130 on Ctrl-C, 3 for a bug; 141, silently, when the reader of
    stdout has gone."""
    try:
        return action()
    except FatalError as exc:
        for line in exc.details:  # every problem named, then what to do about them
            print(line, file=sys.stderr)
        print(f"ffhooks: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ffhooks: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left early (`ffhooks log | head`): end as git does
        _silence_stdout()
        return SIGPIPE_EXIT
    except Exception as exc:
        from ffhooks.git.plumbing import find_repo
        from ffhooks.queue import log_bug

        repo = find_repo(Path.cwd())
        where = log_bug(repo.state_dir if repo else None)
        print(f"ffhooks: internal error {exc.__class__.__name__}: {exc} {where}", file=sys.stderr)
        return 3
