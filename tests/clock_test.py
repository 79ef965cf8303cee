"""Pure functions of ffhooks.clock: durations, dates and instants as users type them (weekdays,
`yesterday 17:00`, `5m ago`, impossible dates named), ranges of days (weeks from Monday), and
days cut in a zone (DST days of 23 and 25 hours) or a history."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ffhooks import clock
from ffhooks.clock import ZoneHistory
from ffhooks.errors import FatalError

ZULU, BERLIN = ZoneInfo("UTC"), ZoneInfo("Europe/Berlin")
NEW_YORK, TOKYO = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")
SECOND, DAY = timedelta(seconds=1), timedelta(days=1)


def at(text: str) -> datetime:
    """A UTC instant written without its `Z`: `2026-11-20T17:00`."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def day(text: str) -> date:
    return date.fromisoformat(text)


NOW = at("2026-11-20T17:00")  # a Friday

# fmt: off
DURATIONS = [
    ("1h30m", 5400), ("90m", 5400), ("90min", 5400), ("1.5h", 5400), ("45s", 45), ("1:30", 5400),
    ("1:00:30", 3630), ("0:00:30", 30), ("1h 30m 15s", 5415), (" 2H ", 7200), ("0.5m", 30),
    ("0.01m", 1), ("8784h", 366 * 86400),
]
NOT_DURATIONS = [
    ("", "not a"), ("  ", "not a"), ("abc", "not a"), ("90", "not a"), ("1:60", "not a"),
    ("1:30:60", "not a"), ("1.5s", "not a"), ("30m1h", "not a"), ("1 h", "not a"),
    ("1h30", "not a"), ("-5m", "negative"), ("0m", "zero"), ("0:00", "zero"), ("0.001m", "zero"),
    ("8784h1s", "longer than a year"), ("1" + "0" * 400 + "h", "longer than a year"),
]
FORMATTED = [
    (0, "0s"), (45, "45s"), (60, "1m"), (61, "1m01s"), (599, "9m59s"), (3600, "1h00m"),
    (3661, "1h01m"), (5400, "1h30m"), (90000, "25h00m"),
]
# fmt: on


@pytest.mark.parametrize(("text", "seconds"), DURATIONS)
def test_parse_duration_reads_every_documented_form(text: str, seconds: int) -> None:
    """Each form gives its hand-computed seconds; fractions round to the nearest second, and
    exactly 366 days is still accepted."""
    assert clock.parse_duration(text) == seconds


@pytest.mark.parametrize(("text", "says"), NOT_DURATIONS)
def test_parse_duration_refuses_what_is_no_positive_duration(text: str, says: str) -> None:
    """Garbage, negative, zero (also after rounding) and over a year are FatalErrors that say
    which."""
    with pytest.raises(FatalError, match=says):
        clock.parse_duration(text)


@pytest.mark.parametrize(
    ("now", "tz", "text", "expected"),
    [
        ("2026-11-20T23:30", BERLIN, "2026-11-05", "2026-11-05"),
        ("2026-11-20T23:30", ZULU, "today", "2026-11-20"),
        ("2026-11-20T23:30", ZULU, "Yesterday", "2026-11-19"),
        ("2026-11-20T23:30", BERLIN, "today", "2026-11-21"),  # 00:30 local
        ("2026-11-20T23:30", BERLIN, " yesterday ", "2026-11-20"),
        ("2026-11-21T03:00", NEW_YORK, "today", "2026-11-20"),  # 22:00 local
        ("2026-01-01T00:30", ZULU, "yesterday", "2025-12-31"),
    ],
)
def test_parse_date_cuts_today_in_the_zone(
    now: str, tz: ZoneInfo, text: str, expected: str
) -> None:
    """`today` and `yesterday` are the days of `now` in the zone, not in UTC."""
    assert clock.parse_date(text, at(now), tz) == day(expected)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-11-16", ["2026-11-16", "2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13",
                        "2026-11-14", "2026-11-15"]),  # a Monday: monday is today
        ("2026-11-20", ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20",
                        "2026-11-14", "2026-11-15"]),  # a Friday
        ("2026-11-22", ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20",
                        "2026-11-21", "2026-11-22"]),  # a Sunday: the whole week behind it
        ("2026-03-02", ["2026-03-02", "2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27",
                        "2026-02-28", "2026-03-01"]),  # back across the end of February
    ],
)  # fmt: skip
def test_a_weekday_is_the_latest_such_day_today_included(today: str, expected: list[str]) -> None:
    """Monday to Sunday, by name or by their first three letters, in any case: never a day
    to come, and today when today is that day."""
    now = at(f"{today}T12:00")
    for name, want in zip(clock.WEEKDAYS, expected, strict=True):
        for typed in (name, name[:3], name.upper(), f" {name.title()} "):
            assert clock.parse_date(typed, now, ZULU) == day(want), typed


def test_a_weekday_is_seen_from_today_in_the_zone() -> None:
    """Friday 23:30 UTC is Saturday in Berlin: `saturday` is today there, last week's here."""
    now = at("2026-11-20T23:30")
    assert clock.parse_date("saturday", now, BERLIN) == day("2026-11-21")
    assert clock.parse_date("saturday", now, ZULU) == day("2026-11-14")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "'' is not a date: use YYYY-MM-DD, today, yesterday or a weekday such as monday"),
        ("tomorrow", "'tomorrow' is not a date"),  # never a day to come
        ("next monday", "'next monday' is not a date"),
        ("21.11.2026", "'21.11.2026' is not a date"),
        ("1969-12-31", "'1969-12-31' is outside the years 1970 to 9000"),
        ("9001-01-01", "'9001-01-01' is outside the years 1970 to 9000"),
        ("2026-11-31", "^2026-11-31: November has 30 days$"),
        ("2026-04-31", "^2026-04-31: April has 30 days$"),
        ("2026-02-29", "^2026-02-29: 2026 is not a leap year$"),
        ("2100-02-29", "^2100-02-29: 2100 is not a leap year$"),  # a century, not a 400th year
        ("2028-02-30", "^2028-02-30: February 2028 has 29 days$"),
        ("2026-02-30", "^2026-02-30: February 2026 has 28 days$"),
        ("2026-13-01", r"^2026-13-01: there is no month 13 \(months go from 01 to 12\)$"),
        ("2026-00-10", r"^2026-00-10: there is no month 00"),
        ("2026-11-00", r"^2026-11-00: there is no day 00 \(days start at 01\)$"),
        ("last week", "'last week' is the days 2026-11-09 to 2026-11-15: give one day, e.g. 20"),
        ("this-month", "'this-month' is the days 2026-11-01 to 2026-11-30: give one day"),
    ],
)
def test_parse_date_refuses_what_is_no_one_day_in_range_saying_why(text: str, says: str) -> None:
    """Another format, a day to come, outside 1970..9000, a day no calendar has (named with
    what is wrong with it), or a range of days: a FatalError."""
    with pytest.raises(FatalError, match=says):
        clock.parse_date(text, NOW, ZULU)


def test_parse_date_takes_the_leap_days_there_are() -> None:
    assert clock.parse_date("2028-02-29", NOW, ZULU) == day("2028-02-29")
    assert clock.parse_date("2000-02-29", NOW, ZULU) == day("2000-02-29")
    assert clock.parse_date("2026-12-31", NOW, ZULU) == day("2026-12-31")


@pytest.mark.parametrize(
    ("text", "now", "tz", "expected"),
    [
        ("14:30", "2026-11-20T17:00", BERLIN, "2026-11-20T13:30"),
        ("14:30", "2026-11-20T23:30", BERLIN, "2026-11-21T13:30"),  # already the 21st there
        ("14:30", "2026-11-21T03:00", NEW_YORK, "2026-11-20T19:30"),  # still the 20th there
        ("7:05:09", "2026-11-20T17:00", ZULU, "2026-11-20T07:05:09"),
        ("01:30", "2026-03-29T12:00", BERLIN, "2026-03-29T00:30"),  # before the switch: CET
        ("03:30", "2026-03-29T12:00", BERLIN, "2026-03-29T01:30"),  # after it: CEST
        ("2026-11-21 14:30", "2026-11-20T17:00", BERLIN, "2026-11-21T13:30"),
        ("2026-07-01 14:30", "2026-11-20T17:00", BERLIN, "2026-07-01T12:30"),
        ("2026-11-21T14:30:00+05:00", "2026-11-20T17:00", BERLIN, "2026-11-21T09:30"),
        ("2026-11-21T14:30:00Z", "2026-11-20T17:00", NEW_YORK, "2026-11-21T14:30"),
        ("2026-11-21T14:30:00.900z", "2026-11-20T17:00", ZULU, "2026-11-21T14:30"),
        ("now", "2026-11-20T17:00", BERLIN, "2026-11-20T17:00"),
        (" NOW ", "2026-11-20T17:00:09", BERLIN, "2026-11-20T17:00:09"),
        ("5m ago", "2026-11-20T17:00", BERLIN, "2026-11-20T16:55"),
        ("1h30m ago", "2026-11-20T17:00", BERLIN, "2026-11-20T15:30"),
        ("1h30mago", "2026-11-20T17:00", ZULU, "2026-11-20T15:30"),
        ("90s  Ago", "2026-11-20T17:00", ZULU, "2026-11-20T16:58:30"),
        ("1:30 ago", "2026-11-20T17:00", ZULU, "2026-11-20T15:30"),
        ("2h ago", "2026-03-29T02:30", BERLIN, "2026-03-29T00:30"),  # across the switch
        ("yesterday 17:00", "2026-11-20T17:00", BERLIN, "2026-11-19T16:00"),
        ("Yesterday  7:05:09", "2026-11-20T17:00", ZULU, "2026-11-19T07:05:09"),
        ("today 9:30", "2026-11-20T23:30", BERLIN, "2026-11-21T08:30"),  # the 21st there
        ("monday 9:30", "2026-11-20T17:00", BERLIN, "2026-11-16T08:30"),
        ("fri 9:30", "2026-11-20T17:00", BERLIN, "2026-11-20T08:30"),  # today, a Friday
        ("saturday 10:00", "2026-11-20T17:00", ZULU, "2026-11-14T10:00"),
        ("sunday 01:30", "2026-03-30T12:00", BERLIN, "2026-03-29T00:30"),
        ("sunday 03:30", "2026-03-30T12:00", BERLIN, "2026-03-29T01:30"),
    ],
)
def test_parse_instant_reads_clock_times_local_times_and_iso(
    text: str, now: str, tz: ZoneInfo, expected: str
) -> None:
    """A clock time falls on now's day in the zone, a local date-time in the zone (at its offset
    that day), an ISO time at its own offset; fractions of a second are cut off."""
    assert clock.parse_instant(text, at(now), tz) == at(expected)


def test_a_time_of_day_alone_is_on_the_day_it_is_given() -> None:
    """`edit`'s clock-only times are on the session's day; named days and `ago` are from
    now whatever that day is."""
    session_day = day("2026-11-02")
    assert clock.parse_instant("9:30", NOW, BERLIN, session_day) == at("2026-11-02T08:30")
    assert clock.parse_instant("today 9:30", NOW, ZULU, session_day) == at("2026-11-20T09:30")
    assert clock.parse_instant("5m ago", NOW, ZULU, session_day) == at("2026-11-20T16:55")
    summer = day("2026-07-01")
    assert clock.parse_instant("9:30", NOW, BERLIN, summer) == at("2026-07-01T07:30")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("noon", "'noon' is not a time: use 14:30 \\(today\\), 'yesterday 17:00', 'monday 9:30'"),
        ("", "'' is not a time"),
        ("14h30", "'14h30' is not a time"),
        ("5pm", "'5pm' is not a time"),
        ("25:00", "^25:00: hours go from 00 to 23, not 25$"),
        ("24:00", "^24:00: hours go from 00 to 23, not 24$"),
        ("14:60", "^14:60: minutes go from 00 to 59, not 60$"),
        ("14:30:61", "^14:30:61: seconds go from 00 to 59, not 61$"),
        ("yesterday 14:75", "^yesterday 14:75: minutes go from 00 to 59, not 75$"),
        ("2026-11-31 14:30", "^2026-11-31: November has 30 days$"),
        ("2026-11-31T14:30:00Z", "^2026-11-31T14:30:00Z: November has 30 days$"),
        ("2026-02-29T14:30:00+01:00", "^2026-02-29T14:30:00\\+01:00: 2026 is not a leap year$"),
        ("2026-11-21T24:30:00Z", "^2026-11-21T24:30:00Z: hours go from 00 to 23, not 24$"),
        ("2026-11-21T14:30+99:00", "is not a time"),
        ("1969-12-31 23:00", "'1969-12-31' is outside the years"),
        ("1969-12-31T23:00:00Z", "'1969-12-31T23:00:00Z' is outside the years"),
        ("yesterday", "^'yesterday' is a day, not a time: add the time, e.g. 'yesterday 17:00'$"),
        ("Monday", "^'Monday' is a day, not a time: add the time, e.g. 'monday 17:00'$"),
        ("last week 17:00", "'last week' is the days 2026-11-09 to 2026-11-15: give one day"),
        ("tomorrow 9:00", "'tomorrow' is not a date"),
        ("5m", "'5m' is not a time"),
        ("ago", "'ago' is not a time"),
        ("5x ago", "'5x' is not a duration"),
        ("0m ago", "duration '0m' is zero"),
        ("-5m ago", "duration '-5m' is negative"),
        ("8784h1s ago", "longer than a year"),
    ],
)
def test_parse_instant_refuses_what_is_no_time_in_range_saying_why(text: str, says: str) -> None:
    """Not a time, a day without its time, an hour, minute or date no clock or calendar has
    (named with what is wrong), or before 1970: a FatalError."""
    with pytest.raises(FatalError, match=says):
        clock.parse_instant(text, NOW, ZULU)


def test_an_instant_long_ago_is_refused_before_1970() -> None:
    with pytest.raises(FatalError, match="'2h ago' is outside the years 1970 to 9000"):
        clock.parse_instant("2h ago", at("1970-01-01T01:00"), ZULU)


@pytest.mark.parametrize(
    ("today", "word", "first", "last"),
    [
        ("2026-11-20", "this-week", "2026-11-16", "2026-11-22"),  # a Friday
        ("2026-11-16", "this-week", "2026-11-16", "2026-11-22"),  # a Monday
        ("2026-11-22", "this-week", "2026-11-16", "2026-11-22"),  # a Sunday
        ("2026-11-20", "last-week", "2026-11-09", "2026-11-15"),
        ("2026-01-01", "this-week", "2025-12-29", "2026-01-04"),
        ("2026-01-01", "last-week", "2025-12-22", "2025-12-28"),
        ("2026-11-20", "this-month", "2026-11-01", "2026-11-30"),
        ("2026-12-31", "this-month", "2026-12-01", "2026-12-31"),
        ("2026-01-31", "this-month", "2026-01-01", "2026-01-31"),
        ("2028-02-10", "this-month", "2028-02-01", "2028-02-29"),
        ("2027-02-28", "this-month", "2027-02-01", "2027-02-28"),
        ("2026-01-15", "last-month", "2025-12-01", "2025-12-31"),
        ("2026-03-31", "last-month", "2026-02-01", "2026-02-28"),
        ("2026-11-01", "last-month", "2026-10-01", "2026-10-31"),
    ],
)
def test_date_range_gives_monday_weeks_and_whole_months(
    today: str, word: str, first: str, last: str
) -> None:
    """Hand-checked first and last days, across month and year ends and in leap years."""
    assert clock.date_range(word, day(today)) == (day(first), day(last))


def test_range_bound_takes_the_day_in_the_zone_and_the_end_it_is_asked_for() -> None:
    """Sunday 23:30 UTC is Monday in Berlin: `this-week` is a week later there."""
    now = at("2026-11-22T23:30")
    assert clock.range_bound("this-week", now, ZULU, end=False) == day("2026-11-16")
    assert clock.range_bound("this-week", now, ZULU, end=True) == day("2026-11-22")
    assert clock.range_bound(" This-Week ", now, BERLIN, end=False) == day("2026-11-23")
    assert clock.range_bound("this-week", now, BERLIN, end=True) == day("2026-11-29")
    assert clock.range_bound("last-month", now, ZULU, end=True) == day("2026-10-31")
    assert clock.range_bound("yesterday", now, BERLIN, end=True) == day("2026-11-22")
    assert clock.range_bound("2026-11-05", now, BERLIN, end=False) == day("2026-11-05")
    assert clock.range_bound(None, now, ZULU, end=True) is None
    with pytest.raises(FatalError, match="a weekday such as monday, this-week, last-week, this"):
        clock.range_bound("next-week", now, ZULU, end=False)


@pytest.mark.parametrize(
    "typed", ["last week", "Last Week", "last-week", " last_week ", "LAST-WEEK"]
)
def test_a_range_is_typed_with_a_space_or_a_hyphen(typed: str) -> None:
    now = at("2026-11-20T17:00")
    assert clock.range_bound(typed, now, ZULU, end=False) == day("2026-11-09")
    assert clock.range_bound(typed, now, ZULU, end=True) == day("2026-11-15")


def test_range_bound_takes_every_day_parse_date_takes() -> None:
    """A weekday is one day at either end; an impossible date says why, here too."""
    now = at("2026-11-20T17:00")
    assert clock.range_bound("monday", now, ZULU, end=False) == day("2026-11-16")
    assert clock.range_bound("monday", now, ZULU, end=True) == day("2026-11-16")
    with pytest.raises(FatalError, match=r"^2026-11-31: November has 30 days$"):
        clock.range_bound("2026-11-31", now, ZULU, end=True)


def test_ordered_refuses_only_an_end_before_the_start() -> None:
    """Equal or open bounds pass; --to before --from is a FatalError naming both."""
    first = day("2026-11-02")
    for bounds in ((first, first), (None, first), (first, None), (None, None)):
        clock.ordered(*bounds)
    with pytest.raises(FatalError, match="--to 2026-11-01 is before --from 2026-11-02"):
        clock.ordered(first, day("2026-11-01"))


@pytest.mark.parametrize(("seconds", "text"), FORMATTED)
def test_format_duration(seconds: int, text: str) -> None:
    """Hours and minutes from an hour up (seconds dropped), else minutes and seconds."""
    assert clock.format_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "45s"), (61, "1m01s"), (3600, "1h00m"), (3725, "1h02m05s"), (90001, "25h00m01s")],
)
def test_format_duration_exact_keeps_the_seconds(seconds: int, text: str) -> None:
    assert clock.format_duration(seconds, exact=True) == text


def test_the_days_of_the_dst_changes_last_23_and_25_hours() -> None:
    """Europe/Berlin: midnight is 23:00Z in winter and 22:00Z in summer."""
    starts = [clock.day_start(day(d), BERLIN) for d in ("2026-03-29", "2026-03-30")]
    assert starts == [at("2026-03-28T23:00"), at("2026-03-29T22:00")]
    starts = [clock.day_start(day(d), BERLIN) for d in ("2026-10-25", "2026-10-26")]
    assert starts == [at("2026-10-24T22:00"), at("2026-10-25T23:00")]


@pytest.mark.parametrize("tz", [BERLIN, NEW_YORK])
@pytest.mark.parametrize("change", ["2026-03-08", "2026-03-29", "2026-10-25", "2026-11-01"])
def test_local_date_and_day_start_agree_around_dst(tz: ZoneInfo, change: str) -> None:
    """Around each DST change, a day's first second is on that day, the second before it on
    the day before."""
    for each in (day(change) - DAY, day(change), day(change) + DAY):
        start = clock.day_start(each, tz)
        assert clock.local_date(start, tz) == each
        assert clock.local_date(start - SECOND, tz) == each - DAY


SWITCH = ZoneHistory((ZULU, TOKYO), (at("2026-11-30T20:00"),))


@pytest.mark.parametrize(
    ("start", "end", "tz", "months"),
    [
        ("2026-10-31T22:00", "2026-11-01T02:00", ZULU, {"2026-10", "2026-11"}),
        ("2026-10-31T23:30", "2026-11-01T00:30", BERLIN, {"2026-11"}),
        ("2026-11-01T02:00", "2026-11-01T03:30", NEW_YORK, {"2026-10"}),
        ("2026-12-31T23:00", "2027-01-01T01:00", ZULU, {"2026-12", "2027-01"}),
        ("2026-01-15T00:00", "2026-03-15T00:00", ZULU, {"2026-01", "2026-02", "2026-03"}),
        ("2026-11-30T19:00", "2026-11-30T21:00", ZULU, {"2026-11"}),
        ("2026-11-30T19:00", "2026-11-30T21:00", TOKYO, {"2026-12"}),
        ("2026-11-30T19:00", "2026-11-30T21:00", SWITCH, {"2026-11", "2026-12"}),
    ],
)
def test_months_of_reads_each_instant_in_its_zone(
    start: str, end: str, tz: ZoneInfo | ZoneHistory, months: set[str]
) -> None:
    """Months touched, in the zone (or in the zone in effect at each instant of a history)."""
    assert clock.months_of(at(start), at(end), tz) == months


def test_zone_history_cuts_at_each_change() -> None:
    """A change takes effect at its instant; pieces tile the interval; periods cover all time."""
    one, two = at("2026-11-20T12:00"), at("2026-11-25T00:00")
    history = ZoneHistory((ZULU, NEW_YORK, TOKYO), (one, two))
    assert history.current.key == "Asia/Tokyo"
    zones = [history.at(t).key for t in (one - SECOND, one, two - SECOND, two)]
    assert zones == ["UTC", "America/New_York", "America/New_York", "Asia/Tokyo"]
    assert [history.next_change(t) for t in (one - SECOND, one, two)] == [one, two, None]
    start, end = at("2026-11-20T00:00"), at("2026-11-26T00:00")
    pieces = [(start, one, ZULU), (one, two, NEW_YORK), (two, end, TOKYO)]
    assert list(history.pieces(start, end)) == pieces
    assert list(history.pieces(start, one)) == [(start, one, ZULU)]  # ends at the change
    assert list(history.pieces(two, two)) == [(two, two, TOKYO)]  # empty: one empty piece
    assert list(history.periods()) == [(None, one, ZULU), (one, two, NEW_YORK), (two, None, TOKYO)]


def test_zone_history_reads_a_store_header(monkeypatch: pytest.MonkeyPatch) -> None:
    """One `timezone` for all time; `zones` with the first `since` ignored; no header: $TZ."""
    assert clock.zone_history({"timezone": "Europe/Berlin"}) == ZoneHistory((BERLIN,))
    zones = [
        {"since": "2026-01-01T00:00:00Z", "timezone": "UTC"},
        {"since": "2026-11-20T12:00:00Z", "timezone": "Asia/Tokyo"},
    ]
    history = clock.zone_history({"timezone": "Asia/Tokyo", "zones": zones})
    assert history == ZoneHistory((ZULU, TOKYO), (at("2026-11-20T12:00"),))
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert clock.zone_history(None) == ZoneHistory((BERLIN,))
    with pytest.raises(FatalError, match="unknown time zone 'Mars/Olympus'"):
        clock.zone_history({"timezone": "Mars/Olympus"})
