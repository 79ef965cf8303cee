from __future__ import annotations

import math
import os
import signal
import sys

from ffhooks.clock import now_from_env
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.recovery.daemon import Stop, serve


def daemon(ctx: Context, *, once: bool, interval: float) -> int:
    """Run the clone's daemon until SIGTERM or SIGINT (exit 0), or one round with `once`
    (exit 1 if it failed). Its output is the health file and the log, not the terminal."""
    if not (math.isfinite(interval) and interval > 0):
        raise FatalError(f"--interval {interval:g} is not a positive number of seconds")
    stop = Stop()

    def on_signal(signum: int, frame: object) -> None:
        stop(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        last = serve(
            ctx.repo,
            ctx.user,
            lambda: now_from_env(os.environ),
            stop,
            interval=interval,
            once=once,
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if once and last.errors:
        print(f"ffhooks: the daemon's round failed: {'; '.join(last.errors)}", file=sys.stderr)
        return 1
    return 0
