"""A progress bar with an ETA for long work, on a terminal's stderr only (never in a pipe,
a hook or a test's captured output)."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ffhooks.clock import format_duration

Progress = Callable[[int, int], None]  # (done, in all)


class Bar:
    def __init__(self, label: str, unit: str = "") -> None:
        self.label, self.unit = label, unit
        self.since = time.monotonic()
        self.base: int | None = None
        self.drawn_at = 0.0

    def __call__(self, done: int, total: int, count: int | None = None) -> None:
        now = time.monotonic()
        if self.base is None:  # a resumed run starts part-way
            self.base, self.since = done, now
        if now - self.drawn_at < 0.1 and done < total:
            return  # redrawn ten times a second at most
        share = min(done / total, 1.0) if total else 1.0
        rate = (done - self.base) / (now - self.since) if now > self.since else 0.0
        left = math.ceil((total - done) / rate) if rate > 0 else None
        eta = f", ETA {format_duration(max(left, 1))}" if left is not None and done < total else ""
        shown = f" {count:,} {self.unit}" if count is not None else f" {done:,}/{total:,}"
        bar = "#" * int(share * 30)
        sys.stderr.write(f"\r{self.label} [{bar:<30}] {share:4.0%}{shown}{eta}\x1b[K")
        sys.stderr.flush()
        self.drawn_at = now

    def close(self) -> None:
        if self.drawn_at:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


@contextmanager
def bar(label: str, unit: str = "") -> Iterator[Bar | None]:
    """A Bar while the block runs, None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    drawn = Bar(label, unit)
    try:
        yield drawn
    finally:
        drawn.close()
