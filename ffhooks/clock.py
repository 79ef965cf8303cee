"""Instants, dates, durations and time zones, as users type them and as files store them.

Stored instants are UTC strings with second precision (`2026-11-21T14:30:00Z`); days are cut
in the store's IANA time zone, each instant in the zone in effect at that instant (a
`ZoneHistory`: changing the zone does not move the days of time already recorded).
"""

from __future__ import annotations

import contextlib
import os
import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ffhooks.errors import FatalError
from ffhooks.records import Any, NamedTuple

UTC = timezone.utc

# Patterns stay strings, compiled (and cached by `re`) on first use: most commands parse none.
_DURATION = r"(?:(?P<h>\d+(?:\.\d+)?)h)?\s*(?:(?P<m>\d+(?:\.\d+)?)m(?:in)?)?\s*(?:(?P<s>\d+)s)?"
_CLOCK_DURATION = r"(?P<h>\d+):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?"
# A time of day, and a date; each value is checked apart, so that a wrong one is named.
_CLOCK = r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?"
_ISO_DAY = r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
_ISO_AT = rf"{_ISO_DAY}(?:[t ]{_CLOCK})?"  # the start of an ISO-8601 instant, in lower case
_AT = rf"(?:(?P<day>.+) )?{_CLOCK}"  # [DAY] HH:MM[:SS]
_AGO = r"(?P<length>.+?) ?ago"

# The years a typed or imported day or instant may fall in. Near datetime's own limits (years
# 1 and 9999) day arithmetic overflows, and no billable work is ever outside these.
FIRST_YEAR, LAST_YEAR = 1970, 9000
OUT_OF_RANGE = f"is outside the years {FIRST_YEAR} to {LAST_YEAR} that ffhooks accepts"
# A session longer than this is a typo, whatever --force says (and bigger overflows).
MAX_DURATION_SECONDS = 366 * 86400


def in_range(value: date) -> bool:
    """Whether a typed or imported day or instant (in any zone) is one ffhooks works with."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def parse_iso(text: str) -> datetime:
    """An ISO-8601 instant with an offset or `Z`, as an aware UTC datetime (seconds kept)."""
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset")
    try:
        return dt.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 shifted past datetime's range
        raise ValueError(f"{text!r} {OUT_OF_RANGE}") from None


def to_iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_from_env(environ: dict[str, str] | os._Environ[str]) -> datetime:
    """`FFHOOKS_NOW` when set (tests and demos), else the system clock; whole seconds."""
    fixed = environ.get("FFHOOKS_NOW")
    if fixed:
        try:
            now = parse_iso(fixed.strip()).replace(microsecond=0)
        except ValueError:
            raise FatalError(
                f"FFHOOKS_NOW={fixed!r} is not an ISO-8601 instant with an offset, "
                "e.g. 2026-11-21T14:30:00Z"
            ) from None
        if not in_range(now):
            raise FatalError(f"FFHOOKS_NOW={fixed!r} {OUT_OF_RANGE}: unset it or fix it")
        return now
    return datetime.now(UTC).replace(microsecond=0)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FatalError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin or UTC"
        ) from None


def detect_timezone() -> str:
    """The machine's IANA zone name: $TZ, /etc/timezone, the /etc/localtime link, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    try:
        link = os.readlink("/etc/localtime")
        candidates.append(link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else "")
    except OSError:
        pass
    for name in candidates:
        if (name and "/" in name) or name == "UTC":
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"


def local_date(dt: datetime, tz: ZoneInfo) -> date:
    return dt.astimezone(tz).date()


class ZoneHistory(NamedTuple):
    """The zones a store cuts days in: `zones[0]` until `changes[0]`, then `zones[1]` until
    `changes[1]`, and so on; the last is the current zone. The first also covers any time
    before the store was created (sessions can be added for the past)."""

    zones: tuple[ZoneInfo, ...]
    changes: tuple[datetime, ...] = ()

    @property
    def current(self) -> ZoneInfo:
        return self.zones[-1]

    def at(self, instant: datetime) -> ZoneInfo:
        """The zone in effect at `instant` (a change takes effect at its instant)."""
        return self.zones[bisect_right(self.changes, instant)]

    def next_change(self, instant: datetime) -> datetime | None:
        """The first change after `instant`, if any."""
        i = bisect_right(self.changes, instant)
        return self.changes[i] if i < len(self.changes) else None

    def pieces(
        self, start: datetime, end: datetime
    ) -> Iterator[tuple[datetime, datetime, ZoneInfo]]:
        """[start, end) cut at each change, every piece with its zone (an empty interval is
        one empty piece)."""
        while True:
            change = self.next_change(start)
            if change is None or change >= end:
                yield start, end, self.at(start)
                return
            yield start, change, self.at(start)
            start = change

    def periods(self) -> Iterator[tuple[datetime | None, datetime | None, ZoneInfo]]:
        """Each zone with the instants it is in effect between (None: without limit)."""
        bounds = [None, *self.changes, None]
        for i, tz in enumerate(self.zones):
            yield bounds[i], bounds[i + 1], tz


def zone_history(header: Mapping[str, Any] | None) -> ZoneHistory:
    """A store header's zones: `zones` (a list of `since` and `timezone`) if it has changed,
    else `timezone` for all time; the machine's zone if there is no store yet."""
    if header is None:
        return ZoneHistory((zone(detect_timezone()),))
    entries = header.get("zones")
    if not entries:
        return ZoneHistory((zone(header["timezone"]),))
    return ZoneHistory(
        tuple(zone(e["timezone"]) for e in entries),
        tuple(parse_iso(e["since"]) for e in entries[1:]),
    )


def as_history(tz: ZoneInfo | ZoneHistory) -> ZoneHistory:
    return tz if isinstance(tz, ZoneHistory) else ZoneHistory((tz,))


def months_of(start: datetime, end: datetime, tz: ZoneInfo | ZoneHistory) -> set[str]:
    """The months (YYYY-MM) that an interval touches, each instant in its zone."""
    months = set()
    for lo, hi, piece_zone in as_history(tz).pieces(start, end):
        first, last = local_date(lo, piece_zone), local_date(hi, piece_zone)
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            months.add(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_days(month: str) -> tuple[date, date]:
    """The first and the last day of a month (YYYY-MM)."""
    first = date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `tz`."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


# Days as people type them (docs/pages/commands.md#dates-and-times). A weekday is the latest
# such day, today included (as Timewarrior reads `monday`): never a day to come. A range is
# whole weeks from Monday, or whole months.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
RANGES = ("this-week", "last-week", "this-month", "last-month")
DAY_FORMS = "YYYY-MM-DD, today, yesterday or a weekday such as monday"
RANGE_FORMS = (
    "YYYY-MM-DD, today, yesterday, a weekday such as monday, this-week, last-week, "
    "this-month or last-month"
)
TIME_FORMS = (
    "14:30 (today), 'yesterday 17:00', 'monday 9:30', '2026-11-21 14:30', '5m ago', "
    "'1h30m ago', now, or ISO-8601 such as 2026-11-21T14:30:00+01:00"
)


def _key(text: str) -> str:
    """A typed word as it is looked up: lower case, its words joined by `-` (`Last week` is
    `last-week`; a date stays as it is)."""
    return "-".join(text.lower().replace("_", " ").replace("-", " ").split())


def _named_day(key: str, today: date) -> date | None:
    """The day `today`, `yesterday` or a weekday (or its first three letters) names."""
    if key == "today":
        return today
    if key == "yesterday":
        return today - timedelta(days=1)
    for number, name in enumerate(WEEKDAYS):
        if key in (name, name[:3]):
            return today - timedelta(days=(today.weekday() - number) % 7)
    return None


def _real_day(shape: re.Match[str], text: str) -> date:
    """The day a typed YYYY-MM-DD names; one no calendar has is refused, saying why."""
    year, month, day = int(shape["y"]), int(shape["mo"]), int(shape["d"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise FatalError(f"{text!r} {OUT_OF_RANGE}: give a real date such as 2026-11-21")
    if not 1 <= month <= 12:
        raise FatalError(f"{text}: there is no month {month:02d} (months go from 01 to 12)")
    days = month_days(f"{year:04d}-{month:02d}")[1].day
    if (month, day, days) == (2, 29, 28):
        raise FatalError(f"{text}: {year} is not a leap year")
    if day == 0:
        raise FatalError(f"{text}: there is no day 00 (days start at 01)")
    if day > days:
        name = f"February {year}" if month == 2 else MONTHS[month - 1]
        raise FatalError(f"{text}: {name} has {days} days")
    return date(year, month, day)


def _clock(shape: re.Match[str], text: str) -> time:
    """The time of day a typed HH:MM[:SS] names; one no clock shows is refused, saying why."""
    parts = int(shape["h"]), int(shape["m"]), int(shape["s"] or 0)
    for value, most, unit in zip(parts, (23, 59, 59), ("hours", "minutes", "seconds"), strict=True):
        if value > most:
            raise FatalError(f"{text}: {unit} go from 00 to {most}, not {value:02d}")
    return time(*parts)


def _day(text: str, today: date, forms: str) -> date:
    """A typed day: a weekday, `today`, `yesterday`, or an ISO-8601 date; `forms` is what the
    caller accepts, for the message."""
    key = _key(text)
    named = _named_day(key, today)
    if named is not None:
        return named
    shape = re.fullmatch(_ISO_DAY, key)
    if shape:
        return _real_day(shape, text.strip())
    try:
        day = date.fromisoformat(key)  # ISO-8601's other forms, such as 20261121
    except ValueError:
        raise FatalError(f"{text!r} is not a date: use {forms}") from None
    if not in_range(day):
        raise FatalError(f"{text!r} {OUT_OF_RANGE}: give a real date such as 2026-11-21")
    return day


def parse_date(text: str, now: datetime, tz: ZoneInfo) -> date:
    """One day, as `add --date` takes it: `YYYY-MM-DD`, `today`, `yesterday` or a weekday,
    seen from now's day in the store's zone. A range (`last-week`) is refused: it is no one
    day."""
    today, key = local_date(now, tz), _key(text)
    if key in RANGES:
        first, last = date_range(key, today)
        raise FatalError(f"{text!r} is the days {first} to {last}: give one day, e.g. {first}")
    return _day(text, today, DAY_FORMS)


def date_range(word: str, today: date) -> tuple[date, date]:
    """The first and last day of one of RANGES, seen from `today` (weeks from Monday)."""
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    if word == "this-week":
        return monday, monday + timedelta(days=6)
    if word == "last-week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if word == "this-month":
        return month_days(first_of_month.isoformat()[:7])
    last_month_end = first_of_month - timedelta(days=1)
    return last_month_end.replace(day=1), last_month_end


def range_bound(text: str | None, now: datetime, tz: ZoneInfo, *, end: bool) -> date | None:
    """A `--from` (or, with `end`, `--to`) day: any day parse_date reads, or one of RANGES
    (`last week` too): its first day, or its last."""
    if text is None:
        return None
    today = local_date(now, tz)
    key = _key(text)
    if key in RANGES:
        return date_range(key, today)[1 if end else 0]
    return _day(text, today, RANGE_FORMS)


def ordered(first: date | None, last: date | None) -> None:
    if first and last and last < first:
        raise FatalError(f"--to {last} is before --from {first}")


def parse_instant(text: str, now: datetime, tz: ZoneInfo, day: date | None = None) -> datetime:
    """An instant as typed, read in `tz`: `now`; a duration before now (`5m ago`, `1h30m
    ago`); a time of day (`14:30`, `9:30:15`) on `day` (default: now's day), or after a day
    as parse_date reads it (`yesterday 17:00`, `monday 9:30`, `2026-11-21 14:30`); or
    ISO-8601, with an offset or in `tz`. Fractions of a second are cut off."""
    raw = " ".join(text.lower().split())
    today = local_date(now, tz)
    back = re.fullmatch(_AGO, raw)
    at = re.fullmatch(_AT, raw)
    if raw == "now":
        found = now
    elif back:
        found = now - timedelta(seconds=parse_duration(back["length"]))
    elif at:
        on = (day or today) if at["day"] is None else parse_date(at["day"], now, tz)
        found = _wall(datetime.combine(on, _clock(at, text.strip())), tz, text)
    elif _named_day(_key(raw), today) is not None:
        raise FatalError(f"{text!r} is a day, not a time: add the time, e.g. '{raw} 17:00'")
    else:
        found = _iso_instant(raw, text, tz)
    if not in_range(found):
        raise FatalError(f"{text!r} {OUT_OF_RANGE}: give a real time such as 2026-11-21 14:30")
    return found


def _iso_instant(raw: str, text: str, tz: ZoneInfo) -> datetime:
    """ISO-8601 (`raw`, lower case) with an offset, or local in `tz`; a date or a time of day
    no calendar or clock has is refused, saying why."""
    shape = re.match(_ISO_AT, raw)
    if shape:
        _real_day(shape, text.strip())
        if shape["h"] is not None:
            _clock(shape, text.strip())
    try:
        dt = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith("z") else raw)
    except ValueError:
        raise FatalError(f"{text!r} is not a time: use {TIME_FORMS}") from None
    if not in_range(dt):  # checked before the zone shift, which could overflow
        raise FatalError(f"{text!r} {OUT_OF_RANGE}: give a real time such as 2026-11-21 14:30")
    if dt.tzinfo is None:
        return _wall(dt.replace(microsecond=0), tz, text)
    return dt.astimezone(UTC).replace(microsecond=0)


def _wall(naive: datetime, tz: ZoneInfo, text: str) -> datetime:
    """The instant a wall-clock time names in `tz`; one the clocks skip, or show twice, is
    refused with the times to give instead (an hour moved or guessed is an hour billed
    wrong)."""
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    earlier, later = sorted((first.astimezone(UTC), second.astimezone(UTC)))
    where = tz.key or "your time zone"
    if earlier.astimezone(tz).replace(tzinfo=None) != naive:  # in the gap
        raise FatalError(
            f"{text!r} does not exist in {where}: the clocks jump over it; give a time before "
            f"or after the jump, such as {earlier.astimezone(tz):%H:%M} or "
            f"{later.astimezone(tz):%H:%M}"
        )
    raise FatalError(
        f"{text!r} happens twice in {where} (the clocks go back): say which with its offset, "
        f"{earlier.astimezone(tz).isoformat()} (the first) or "
        f"{later.astimezone(tz).isoformat()} (the second)"
    )


def wall_time(dt: datetime, tz: ZoneInfo) -> str:
    """`14:30` in `tz`; in an hour the clocks show twice, with its offset (`02:30+01:00`)."""
    local = dt.astimezone(tz)
    if local.replace(fold=1 - local.fold).utcoffset() == local.utcoffset():
        return f"{local:%H:%M}"
    offset = local.isoformat()[-6:]
    return f"{local:%H:%M}{offset}"


def parse_duration(text: str) -> int:
    """`1h30m`, `90m`, `1.5h`, `45s`, `1:30` (h:mm) or `1:30:15`, as whole seconds > 0."""
    raw = text.strip().lower()
    if raw.startswith("-"):
        raise FatalError(f"duration {text!r} is negative: give a positive duration such as 1h30m")
    match = re.fullmatch(_CLOCK_DURATION, raw) or (re.fullmatch(_DURATION, raw) if raw else None)
    if match is None or not any(match.groupdict().values()):
        raise FatalError(
            f"{text!r} is not a duration: use forms like 1h30m, 90m, 1.5h, 45s or 1:30"
        )
    parts = match.groupdict()
    exact = float(parts["h"] or 0) * 3600 + float(parts["m"] or 0) * 60 + float(parts["s"] or 0)
    if exact > MAX_DURATION_SECONDS:  # also infinity, from hundreds of digits
        raise FatalError(
            f"duration {text!r} is longer than a year: give the real length, e.g. 1h30m"
        )
    seconds = round(exact)
    if seconds <= 0:
        raise FatalError(f"duration {text!r} is zero: give a positive duration such as 25m")
    return seconds


def format_duration(seconds: int, *, exact: bool = False) -> str:
    """`1h30m`, `9m59s`, `45s`: from an hour up without its seconds, unless `exact`
    (`1h02m05s`, as a list of sessions that a total must add up to shows it)."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s" if exact and secs else f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"
    return f"{secs}s"
