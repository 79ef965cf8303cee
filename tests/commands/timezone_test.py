"""Changing the time zone: time already recorded keeps its days and months (every summarised
month keeps its total to the second); `--recut` re-cuts all of it, after saying what changes."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, set_now, store_dir
from helpers import read_summary

from ffhooks import summary
from ffhooks.clock import ZoneHistory, months_of, parse_iso, to_iso, zone

UTC = timezone.utc


def at(text: str) -> datetime:
    return parse_iso(text)


def live(repo: Path) -> dict[str, dict[str, Any]]:
    """Per month, the summary a report counts (the highest seq)."""
    found = {}
    for folder in sorted((repo / SUMMARIES / "alice").iterdir()):
        newest = max(folder.glob("*.json"), key=lambda p: int(p.stem.split("-")[1]))
        found[folder.name] = read_summary(newest)
    return found


def by_day(doc: dict[str, Any]) -> dict[str, int]:
    return {
        day: sum(c["billable_seconds"] + c["non_billable_seconds"] for c in tasks.values())
        for day, tasks in doc["totals"].items()
    }


def add(ff: Any, task: str, start: str, end: str) -> None:
    seconds = int((at(end) - at(start)).total_seconds())
    result = ff("add", task, f"{seconds}s", "--start", start, "--force")
    assert result.code == 0, result.err


# -- the commands ------------------------------------------------------------------------------


def test_changing_the_zone_keeps_every_summarised_month(
    ff: Any, initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = initialised
    set_now(monkeypatch, "2026-11-20T12:00:00Z")
    add(ff, "1", "2026-10-31T22:00:00Z", "2026-11-01T02:00:00Z")  # across the month's end
    add(ff, "1", "2026-11-10T23:30:00Z", "2026-11-11T00:30:00Z")  # across midnight
    add(ff, "2", "2026-11-19T14:00:00Z", "2026-11-19T16:00:00Z")
    assert ff("aggregate").code == 0
    before = live(repo)
    october = sorted((repo / SUMMARIES / "alice/2026-10").iterdir())
    result = ff("timezone", "America/New_York")
    assert result.code == 0
    assert ff("aggregate").code == 0
    after = live(repo)
    # nothing moved: October is the same file, November the same days and seconds
    assert sorted((repo / SUMMARIES / "alice/2026-10").iterdir()) == october
    assert after["2026-10"] == before["2026-10"]
    assert after["2026-10"]["timezone"] == "UTC"
    assert by_day(after["2026-10"]) == {"2026-10-31": 7200}
    assert by_day(after["2026-11"]) == by_day(before["2026-11"])
    assert by_day(after["2026-11"]) == {
        "2026-11-01": 7200,
        "2026-11-10": 1800,
        **{"2026-11-11": 1800, "2026-11-19": 7200},
    }
    assert after["2026-11"]["timezone"] == "America/New_York"  # the zone at its end
    header = json.loads((store_dir(repo) / "store.json").read_text())
    assert header["timezone"] == "America/New_York"
    assert header["zones"][-1] == {"since": "2026-11-20T12:00:00Z", "timezone": "America/New_York"}
    assert ff("timezone").out.strip() == "America/New_York"
    # time from now on is cut in New York: 23:00 to 01:00 there
    set_now(monkeypatch, "2026-11-22T12:00:00Z")
    add(ff, "3", "2026-11-21T04:00:00Z", "2026-11-21T06:00:00Z")
    assert ff("aggregate").code == 0
    days = by_day(live(repo)["2026-11"])
    assert (days["2026-11-20"], days["2026-11-21"]) == (3600, 3600)
    assert ff("validate", "--all").code == 0
    # and the user was told, and how to re-cut
    assert "from now on" in result.out and "keep their totals" in result.out
    assert "`ffhooks timezone America/New_York --recut` re-cuts" in result.out


def test_recut_says_which_months_change_then_recuts_them(
    ff: Any, initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = initialised
    add(ff, "1", "2026-10-31T22:00:00Z", "2026-11-01T02:00:00Z")
    add(ff, "1", "2026-11-10T12:00:00Z", "2026-11-10T13:00:00Z")  # midday: no day changes
    assert ff("aggregate").code == 0
    result = ff("timezone", "America/New_York", "--recut")
    assert result.code == 0
    assert "2026-10, 2026-11 change" in result.out
    header = json.loads((store_dir(repo) / "store.json").read_text())
    assert header["timezone"] == "America/New_York" and "zones" not in header
    assert ff("aggregate").code == 0
    months = live(repo)
    # 22:00-02:00 UTC is 18:00-22:00 in New York: all on October 31
    assert by_day(months["2026-10"]) == {"2026-10-31": 14400}
    assert by_day(months["2026-11"]) == {"2026-11-10": 3600}
    assert {doc["timezone"] for doc in months.values()} == {"America/New_York"}
    assert "--recut needs the zone" in ff("timezone", "--recut").err


def test_a_new_store_just_takes_the_zone(ff: Any, initialised: Path) -> None:
    assert ff("timezone", "Asia/Tokyo").code == 0
    assert ff("timezone", "Europe/Berlin").out.strip() == "Days are cut in Europe/Berlin"
    header = json.loads((store_dir(initialised) / "store.json").read_text())
    assert header["timezone"] == "Europe/Berlin" and "zones" not in header


def test_a_zone_change_before_the_last_one_is_refused(
    ff: Any, initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(ff, "1", "2026-11-10T12:00:00Z", "2026-11-10T13:00:00Z")
    assert ff("timezone", "Asia/Tokyo").code == 0
    set_now(monkeypatch, "2026-11-19T00:00:00Z")
    result = ff("timezone", "Europe/Berlin")
    assert result.code == 1 and "after now" in result.err and "--recut" in result.err


def test_validate_checks_the_zone_history(
    ff: Any, initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(ff, "1", "2026-11-10T12:00:00Z", "2026-11-10T13:00:00Z")
    assert ff("timezone", "Asia/Tokyo").code == 0
    set_now(monkeypatch, "2026-11-25T00:00:00Z")
    assert ff("timezone", "Europe/Berlin").code == 0
    assert ff("validate", "--all").code == 0
    path = store_dir(initialised) / "store.json"
    header = json.loads(path.read_text())
    header["zones"][1]["since"] = "2026-11-30T00:00:00Z"  # after the change that follows it
    header["zones"][2]["timezone"] = "Mars/Olympus"
    path.write_text(json.dumps(header))
    result = ff("validate", "--all")
    assert result.code == 1
    assert "store.json::$.zones[2].since: 2026-11-25T00:00:00Z is not after" in result.out
    assert "$.zones[2].timezone: 'Mars/Olympus' is not a known IANA time zone" in result.out
    assert "$.zones: ends with 'Mars/Olympus', not the current zone 'Europe/Berlin'" in result.out


# The change instant, the zones, and sessions around it: across the change, across midnight
# and across month ends in both zones. At the change local time jumps back (UTC 02:00 is
# 21:00 the day before in New York; Kolkata 01:30 is UTC 20:00 the day before) or forward.
CASES = {
    "UTC to New York": ("UTC", "America/New_York", "2026-12-01T02:00:00Z"),
    "Kolkata to UTC": ("Asia/Kolkata", "UTC", "2026-11-30T20:00:00Z"),
    "New York to Kolkata": ("America/New_York", "Asia/Kolkata", "2026-12-01T02:00:00Z"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_second_lands_in_one_day_and_one_month(
    ff: Any, initialised: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    repo = initialised
    old, new, change = CASES[case]
    c = at(change)
    set_now(monkeypatch, "2026-11-20T12:00:00Z")
    assert ff("timezone", old).code == 0  # a new store: no history yet
    spans = [
        ("2026-10-31T17:00:00Z", "2026-11-01T07:00:00Z"),  # October's end in every zone
        ("2026-11-15T03:00:00Z", "2026-11-16T02:00:00Z"),
    ]
    for start, end in spans:
        add(ff, "1", start, end)
    assert ff("aggregate").code == 0
    october = live(repo)["2026-10"]
    set_now(monkeypatch, change)
    result = ff("timezone", new)
    assert result.code == 0
    set_now(monkeypatch, "2026-12-05T00:00:00Z")
    later = [
        (c - timedelta(hours=7), c + timedelta(hours=3)),  # across the change
        (c + timedelta(hours=3, minutes=30), c + timedelta(hours=9)),
        (c + timedelta(hours=20), c + timedelta(hours=30)),
    ]
    for begin, until in later:
        add(ff, "2", to_iso(begin), to_iso(until))
    assert ff("aggregate").code == 0
    months = live(repo)
    recorded = sum(int((at(e) - at(s)).total_seconds()) for s, e in spans)
    recorded += sum(int((e - s).total_seconds()) for s, e in later)
    assert sum(sum(by_day(doc).values()) for doc in months.values()) == recorded
    for month, doc in months.items():
        assert all(day.startswith(month) for day in doc["totals"]), doc["totals"]
    sessions = sum(
        c["sessions"] for d in months.values() for t in d["totals"].values() for c in t.values()
    )
    assert sessions == len(spans) + len(later)
    assert months["2026-10"] == october  # committed before the change: the same file
    report = ff(
        "report", "--from", "2026-10-01", "--to", "2026-12-31", "--by", "day", "--format", "json"
    )
    assert report.code == 0
    rows = report.json()["rows"]
    assert sum(r["billable_seconds"] for r in rows) == recorded
    assert ff("validate", "--all").code == 0
    assert "--recut" in result.out


def test_the_seconds_around_a_change_to_new_york(
    ff: Any, initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = initialised
    set_now(monkeypatch, "2026-12-01T02:00:00Z")
    add(ff, "1", "2026-11-29T12:00:00Z", "2026-11-29T13:00:00Z")  # the store: UTC
    assert ff("timezone", "America/New_York").code == 0
    set_now(monkeypatch, "2026-12-03T00:00:00Z")
    add(ff, "2", "2026-11-30T20:00:00Z", "2026-12-01T04:00:00Z")
    add(ff, "2", "2026-12-01T04:30:00Z", "2026-12-01T06:00:00Z")
    assert ff("aggregate").code == 0
    months = live(repo)
    # UTC until 02:00: 4 h on November 30, 2 h on December 1; then New York from 21:00 on
    # November 30: 2 h more that day, 30 min to midnight, 1 h on December 1
    assert by_day(months["2026-11"]) == {"2026-11-29": 3600, "2026-11-30": 6 * 3600 + 1800}
    assert by_day(months["2026-12"]) == {"2026-12-01": 3 * 3600}


# -- the pieces --------------------------------------------------------------------------------


def test_zone_history_answers_which_zone_and_next_change() -> None:
    c1, c2 = at("2026-06-01T00:00:00Z"), at("2026-09-01T00:00:00Z")
    history = ZoneHistory((zone("UTC"), zone("Asia/Tokyo"), zone("UTC")), (c1, c2))
    assert history.at(c1 - timedelta(seconds=1)).key == "UTC"
    assert history.at(c1).key == "Asia/Tokyo"
    assert history.at(c2).key == "UTC" == history.current.key
    assert history.next_change(at("2020-01-01T00:00:00Z")) == c1
    assert history.next_change(c1) == c2
    assert history.next_change(c2) is None
    pieces = list(history.pieces(c1 - timedelta(hours=1), c2 + timedelta(hours=1)))
    assert [(p[0], p[1], p[2].key) for p in pieces] == [
        (c1 - timedelta(hours=1), c1, "UTC"),
        (c1, c2, "Asia/Tokyo"),
        (c2, c2 + timedelta(hours=1), "UTC"),
    ]
    assert months_of(c1 - timedelta(hours=1), c1, history) == {"2026-05", "2026-06"}


def test_a_month_can_have_a_gap_after_a_change() -> None:
    # Kolkata 01:30 on December 1 becomes UTC 20:00 on November 30: December holds 18:30 to
    # 20:00, then November again until midnight UTC, then December
    change = at("2026-11-30T20:00:00Z")
    history = ZoneHistory((zone("Asia/Kolkata"), zone("UTC")), (change,))
    assert summary.month_bounds("2026-11", history) == (
        at("2026-10-31T18:30:00Z"),
        at("2026-12-01T00:00:00Z"),
    )
    assert summary.month_bounds("2026-12", history)[0] == at("2026-11-30T18:30:00Z")
    whole = [summary.Interval("t", at("2026-11-30T18:00:00Z"), at("2026-12-01T01:00:00Z"), True)]
    nov = summary.totals(whole, "2026-11", history, per_task=False, by_day=True)
    dec = summary.totals(whole, "2026-12", history, per_task=False, by_day=True)
    assert nov == {
        "2026-11-30": {
            "*": {"billable_seconds": 1800 + 4 * 3600, "non_billable_seconds": 0, "sessions": 1}
        }
    }
    assert dec == {
        "2026-12-01": {
            "*": {"billable_seconds": 5400 + 3600, "non_billable_seconds": 0, "sessions": 0}
        }
    }
    assert summary.month_zone("2026-11", history) == "UTC"
    assert summary.month_zone("2026-10", history) == "Asia/Kolkata"


ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "Pacific/Kiritimati"]


@pytest.mark.parametrize("seed", range(6))
def test_totals_are_exact_under_any_history(seed: int) -> None:
    """Random sessions and random changes (DST included): summed over every month they
    touch, the totals give back every second and every session exactly once."""
    rng = random.Random(seed)
    base = at("2026-01-01T00:00:00Z")
    changes = sorted(base + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(4))
    history = ZoneHistory(tuple(zone(rng.choice(ZONES)) for _ in range(5)), tuple(changes))
    intervals = []
    for _ in range(150):
        start = base + timedelta(seconds=rng.randrange(365 * 86400))
        if rng.random() < 0.3:  # right at a change or a month's end somewhere
            start = rng.choice(changes) - timedelta(seconds=rng.randrange(86400))
        end = start + timedelta(seconds=rng.randrange(1, 3 * 86400))
        intervals.append(summary.Interval("t", start, end, rng.random() < 0.7))
    months = set().union(*(months_of(iv.start, iv.end, history) for iv in intervals))
    seconds = sessions = 0
    for month in months:
        for day, tasks in summary.totals(
            intervals, month, history, per_task=True, by_day=True
        ).items():
            assert day[:7] == month
            cell = tasks["t"]
            seconds += cell["billable_seconds"] + cell["non_billable_seconds"]
            sessions += cell["sessions"]
    assert seconds == sum(int((iv.end - iv.start).total_seconds()) for iv in intervals)
    assert sessions == len(intervals)
