"""`ffhooks.migrate.values`: instants and durations as legacy files wrote them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from ffhooks.migrate.values import epoch, hours, number, slow_instant


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc).timestamp())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-03T09:00:00Z", utc(2025, 11, 3, 9)),
        ("2025-11-03T09:00:00.999Z", utc(2025, 11, 3, 9)),  # fractions are cut, not rounded
        ("2025-11-03T09:00:00", utc(2025, 11, 3, 9)),  # no offset: UTC
        ("2025-11-03 09:00", utc(2025, 11, 3, 9)),
        ("2025-11-03T09:00:00+01:00", utc(2025, 11, 3, 8)),
        ("2025-11-03T09:00:00 +05:30", utc(2025, 11, 3, 3, 30)),
        # what only the slow path reads: a lower-case z, a comma and a bare offset together
        ("2025-11-03T09:00:00.123456789z", utc(2025, 11, 3, 9)),
        ("2025-11-03T09:00:00,5-0230", utc(2025, 11, 3, 11, 30)),
        ("2025-11-03T23:30:00-01:00", utc(2025, 11, 4, 0, 30)),
    ],
)
def test_instants_are_whole_utc_seconds(text: str, expected: int) -> None:
    assert epoch(text) == expected


@pytest.mark.parametrize(
    "value", [None, 1762160400, "2025-11-03", "yesterday", "2025-11-03T25:00:00Z", "x" * 20]
)
def test_what_is_no_instant_is_refused(value: Any) -> None:
    with pytest.raises(ValueError):
        epoch(value)


def test_the_slow_path_agrees_with_fromisoformat() -> None:
    for text in ("2024-02-29T12:34:56Z", "2024-02-29T12:34:56+02:00", "2024-02-29 12:34"):
        fast = datetime.fromisoformat(text)
        fast = fast if fast.tzinfo else fast.replace(tzinfo=timezone.utc)
        assert slow_instant(text) == fast, text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3.0),
        (2.5, 2.5),
        (0, 0.0),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (True, None),  # a boolean is not a duration, though Python calls it an int
        (-1, None),
        ("-0.5", None),
        (float("nan"), None),
        ("inf", None),
        ("1e400", None),
        (10**400, None),  # past a float's range: no duration (it crashed the migration)
        ("an hour", None),
        (None, None),
        ([1], None),
    ],
)
def test_durations_are_finite_numbers_not_below_zero(value: Any, expected: float | None) -> None:
    assert number(value) == expected


def test_hours_for_messages() -> None:
    assert [hours(s) for s in (0, 5400, 45_000)] == ["0.00 h", "1.50 h", "12.50 h"]
