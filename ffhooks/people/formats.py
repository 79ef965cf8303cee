"""The formats an export writes, as the tools people already use import them: Jira's
worklog JSON (its REST API's fields), a CSV for Tempo's worklog import, a plain CSV, and
iCalendar (RFC 5545). Every row carries its stable id (worklogs.py) where the tool keeps
one: a comment's tag for Jira and Tempo, a column of the CSV, the UID of an event.

Rows of the team record have no time of day (the summaries hold none): Jira, which needs
one, gets 12:00 UTC of the day, said in each comment; Tempo gets the day alone; a
calendar, an all-day event."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from ffhooks.clock import UTC, month_days
from ffhooks.people.worklogs import Worklog
from ffhooks.records import NamedTuple
from ffhooks.report.render import hms, spreadsheet_safe

FORMATS = ("csv", "jira-worklogs", "tempo", "ical")
_ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]*-[1-9][0-9]*")
NO_TIME = "the team record holds no time of day: 12:00 UTC stands for the day"


class Export(NamedTuple):
    """What an export writes, and the tasks it gave Jira or Tempo as they are, being no
    issue key (the tool refuses those rows until they are mapped)."""

    text: str
    not_keys: list[str]


def issue_key(task: str, prefix: str | None) -> str | None:
    """The Jira issue a task is logged on: a task that is a key (`PAY-205`), or a number
    under the project key `prefix` (`205` with `PAY` is `PAY-205`); None for any other."""
    if _ISSUE_KEY.fullmatch(task):
        return task
    if prefix and task.isascii() and task.isdigit() and not task.startswith("0"):
        return f"{prefix}-{task}"
    return None


def _first_day(row: Worklog) -> date:
    """The day a row's period starts on (a month's first day, where summaries hold months)."""
    return month_days(row.period)[0] if len(row.period) == 7 else date.fromisoformat(row.period)


def _after(row: Worklog) -> date:
    """The day after a row's period."""
    last = month_days(row.period)[1] if len(row.period) == 7 else date.fromisoformat(row.period)
    return last + timedelta(days=1)


def _comment(row: Worklog) -> str:
    """What a worklog says besides its time: the note, whose time it is in a team export,
    and the id that tells a second import from a first."""
    parts = [row.note or row.task]
    if row.start is None:
        parts.append(f"{row.user}, {NO_TIME}")
    if row.non_billable_seconds:
        parts.append(f"non-billable {hms(row.non_billable_seconds)}")
    return f"{'; '.join(parts)} [ffhooks:{row.id}]"


def jira(rows: Iterable[Worklog], prefix: str | None) -> Export:
    """A JSON list, one item per row: the issue key and the worklog as Jira's REST API
    (`POST /rest/api/2/issue/{issueKey}/worklog`) takes it, the id also as a worklog
    property (`ffhooks-id`) that a later import can search for."""
    items, not_keys = [], set()
    for row in rows:
        key = issue_key(row.task, prefix)
        if key is None:
            not_keys.add(row.task)
        started = row.start or datetime.combine(_first_day(row), datetime.min.time(), UTC).replace(
            hour=12
        )
        items.append(
            {
                "id": row.id,
                "issueKey": key or row.task,
                "worklog": {
                    "started": started.strftime("%Y-%m-%dT%H:%M:%S.000%z"),
                    "timeSpentSeconds": row.seconds,
                    "comment": _comment(row),
                    "properties": [{"key": "ffhooks-id", "value": {"id": row.id}}],
                },
            }
        )
    text = json.dumps(items, indent=2, ensure_ascii=False) + "\n"
    return Export(text, sorted(not_keys))


TEMPO_COLUMNS = (
    "Issue Key",
    "Work Date",
    "Start Time",
    "Time Spent (seconds)",
    "Billable (seconds)",
    "Description",
    "Worker",
    "External Id",
)


def tempo(rows: Iterable[Worklog], prefix: str | None) -> Export:
    """A CSV with the fields of a Tempo worklog (its REST API's startDate, startTime,
    timeSpentSeconds, billableSeconds, description), one column each, for Tempo's import
    to map: the start in the worker's own time zone, none for the team record."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TEMPO_COLUMNS)
    not_keys = set()
    for row in rows:
        key = issue_key(row.task, prefix)
        if key is None:
            not_keys.add(row.task)
        writer.writerow(
            [
                spreadsheet_safe(key or row.task),
                _first_day(row).isoformat() if row.start is None else row.period,
                "" if row.start is None else row.start.strftime("%H:%M:%S"),
                row.seconds,
                row.billable_seconds,
                spreadsheet_safe(_comment(row)),
                spreadsheet_safe(row.user),
                row.id,
            ]
        )
    return Export(buffer.getvalue(), sorted(not_keys))


CSV_COLUMNS = (
    "id",
    "user",
    "task",
    "day",
    "start",
    "end",
    "billable_seconds",
    "non_billable_seconds",
    "sessions",
    "note",
)


def plain_csv(rows: Iterable[Worklog]) -> Export:
    """One line per session (start and end with their offsets) or per user, day and task."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.id,
                spreadsheet_safe(row.user),
                spreadsheet_safe(row.task),
                row.period,
                "" if row.start is None else row.start.isoformat(),
                "" if row.end is None else row.end.isoformat(),
                row.billable_seconds,
                row.non_billable_seconds,
                row.sessions,
                spreadsheet_safe(row.note or ""),
            ]
        )
    return Export(buffer.getvalue(), [])


def ical(rows: Iterable[Worklog], now: datetime) -> Export:
    """A calendar (RFC 5545): an event per row, its UID the row's id, so that a calendar
    importing it again updates the events instead of adding them. A session is timed (UTC);
    a row of the team record is an all-day event (no time of day is known)."""
    stamp = _utc(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ffhooks//export//EN",
        "CALSCALE:GREGORIAN",
    ]
    for row in rows:
        lines += ["BEGIN:VEVENT", f"UID:{row.id}@ffhooks", f"DTSTAMP:{stamp}"]
        if row.start is not None and row.end is not None:
            lines += [f"DTSTART:{_utc(row.start)}", f"DTEND:{_utc(row.end)}"]
            summary = row.task
        else:
            lines += [
                f"DTSTART;VALUE=DATE:{_first_day(row):%Y%m%d}",
                f"DTEND;VALUE=DATE:{_after(row):%Y%m%d}",
                "TRANSP:TRANSPARENT",
            ]
            summary = f"{row.user}: {row.task} {hms(row.seconds)}"
        detail = (
            f"billable {hms(row.billable_seconds)}, non-billable {hms(row.non_billable_seconds)}"
            f", {row.sessions} session(s)"
        )
        if row.start is None:
            detail += f"; {NO_TIME.split(':')[0]}"
        if row.note:
            detail = f"{row.note}\n{detail}"
        lines += [f"SUMMARY:{_text(summary)}", f"DESCRIPTION:{_text(detail)}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return Export("".join(_folded(line) + "\r\n" for line in lines), [])


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 says (3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _folded(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1), never inside a character."""
    out: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)
