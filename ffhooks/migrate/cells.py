"""How a migration's totals are packed into ints, so a million sessions fit in memory.

A cell is one day's total of one user on one task from one source: one dict entry of two
ints. Its key is source << 56 | user << 40 | day ordinal << 20 | task; its value packs
billable seconds (bits 0-47), non-billable seconds (48-95), and sessions starting that day
twice over (96-127, for day-level summaries; from 128, for month-level ones). About 120 bytes
a cell where tuples and lists took 280: a million sessions fit well under 500 MB.

A session is one int too (`session_key`): the tally, the ledgers of earlier migrations and
the checkpoints all count a session once by it.
"""

from __future__ import annotations

from array import array
from datetime import date

from ffhooks import summary

MAX_SOURCES, MAX_USERS, MAX_TASKS = 1 << 8, 1 << 16, 1 << 20
NON_BILLABLE = 48  # where non-billable seconds start in a value
STARTS = 1 << 96 | 1 << 128  # one session starting in the cell, in both counts

_M20, _M32, _M48 = (1 << 20) - 1, (1 << 32) - 1, (1 << 48) - 1


def session_key(user: int, start: int, end: int) -> int:
    """One session as one int: a user index (16 bits) and its start and end in UTC seconds
    (34 bits each, enough until the year 2514)."""
    return user << 68 | start << 34 | end


def packed(cells: dict[int, int]) -> array[int]:
    """The cells as 64-bit words, five per cell: key, billable and non-billable seconds,
    sessions for day-level and for month-level summaries."""
    flat = array("Q")
    for key, v in cells.items():
        flat.extend((key, v & _M48, v >> NON_BILLABLE & _M48, v >> 96 & _M32, v >> 128))
    return flat


def unpacked(flat: array[int]) -> dict[int, int]:
    """The cells `packed` gave."""
    return {
        flat[n]: flat[n + 1] | flat[n + 2] << NON_BILLABLE | flat[n + 3] << 96 | flat[n + 4] << 128
        for n in range(0, len(flat), 5)
    }


def by_store(cells: dict[int, int]) -> dict[tuple[int, int], dict[str, list[int]]]:
    """The keys of the cells per (source, user) and month (`YYYY-MM`)."""
    found: dict[tuple[int, int], dict[str, list[int]]] = {}
    month_of: dict[int, str] = {}
    for key in cells:
        day = key >> 20 & _M20
        month = month_of.get(day)
        if month is None:
            month = month_of[day] = date.fromordinal(day).isoformat()[:7]
        per_month = found.setdefault((key >> 56, key >> 40 & 0xFFFF), {})
        per_month.setdefault(month, []).append(key)
    return found


def periods(
    cells: dict[int, int], tasks: list[str], keys: list[int], per_task: bool, by_day: bool
) -> dict[str, dict[str, dict[str, int]]]:
    """The cells of `keys` (one store's month), as summary.totals would give them from the
    sessions: per day or per month, per task or all as "*"."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for key in keys:
        v = cells[key]
        when = date.fromordinal(key >> 20 & _M20).isoformat()
        period = when if by_day else when[:7]
        task = tasks[key & _M20] if per_task else "*"
        slot = out.setdefault(period, {}).setdefault(task, dict.fromkeys(summary.TOTAL_KEYS, 0))
        slot["billable_seconds"] += v & _M48
        slot["non_billable_seconds"] += v >> NON_BILLABLE & _M48
        slot["sessions"] += v >> 96 & _M32 if by_day else v >> 128
    return {p: dict(sorted(out[p].items())) for p in sorted(out)}
