"""Instants and numbers as legacy files and exports wrote them, read the way ffhooks stores
them: instants as whole UTC seconds, durations as finite numbers that are not negative."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from ffhooks.clock import UTC
from ffhooks.records import Any

_INSTANT = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,]\d+)?)?\s*(Z|z|[+-]\d\d:?\d\d)?"
)


def epoch(text: Any) -> int:
    """Whole UTC seconds of an ISO-8601 instant (`Z`, offsets and fractions accepted;
    fractions are cut, as ffhooks stores whole seconds; no offset means UTC)."""
    if type(text) is not str or len(text) < 16:
        raise ValueError(text)
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        dt = slow_instant(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if dt.microsecond:
        dt = dt.replace(microsecond=0)
    return int(dt.timestamp())


def slow_instant(text: str) -> datetime:
    """What `fromisoformat` of older Pythons refuses: `Z`, any number of fraction digits."""
    match = _INSTANT.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, offset = match.groups()
    dt = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    if offset and offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        minutes = sign * (int(digits[:2]) * 60 + int(digits[2:]))
        return dt.replace(tzinfo=UTC) - timedelta(minutes=minutes)
    return dt.replace(tzinfo=UTC)


def number(value: Any) -> float | None:
    """A duration as written (a number, or a string of one); None for anything else,
    including booleans, NaN, infinities and negatives."""
    if type(value) not in (int, float, str):
        return None
    try:
        found = float(value)
    except (ValueError, OverflowError):  # an integer past a float's range: no duration
        return None
    return found if math.isfinite(found) and found >= 0 else None


def hours(seconds: int) -> str:
    return f"{seconds / 3600:.2f} h"
