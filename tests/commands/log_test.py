"""`ffhooks log`: durations to the second, as the report counts them (each line and the
totals), and the days people type for `--from` and `--to` (the clock at NOW, a Friday)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("repo")


def test_log_keeps_the_seconds_the_report_counts(ff: Any) -> None:
    assert ff("add", "1", "1h02m05s", "--start", "2026-11-18 09:00").code == 0
    assert ff("add", "2", "30m01s", "--start", "2026-11-18 11:00", "--no-billable").code == 0
    shown = ff("log").out.splitlines()
    assert " 1h02m05s  $  1" in shown[1] and "   30m01s  -  2" in shown[2]
    assert shown[-1] == "2 sessions, 1h32m06s (1h02m05s billable), 2026-11-14 to 2026-11-20"
    total = ff("log", "--json").json()["total_seconds"]
    assert total == 3725 + 1801


@pytest.mark.parametrize(
    ("bounds", "tasks", "span"),
    [
        (("--from", "last week"), ["9", "10", "16", "20"], "2026-11-09 to 2026-11-20"),
        (("--from", "last week", "--to", "Last-Week"), ["9", "10"], "2026-11-09 to 2026-11-15"),
        (("--from", "monday"), ["16", "20"], "2026-11-16 to 2026-11-20"),
        (("--from", "tuesday", "--to", "yesterday"), [], "2026-11-17 to 2026-11-19"),
        (("--from", "this month", "--to", "sunday"), ["1", "9", "10"], "2026-11-01 to 2026-11-15"),
        (("--to", "sun"), ["9", "10"], "2026-11-09 to 2026-11-15"),
    ],
)
def test_log_takes_the_days_people_type(
    ff: Any, bounds: tuple[str, ...], tasks: list[str], span: str
) -> None:
    """Sessions on the 1st, on last week's Monday and Tuesday, on this Monday and today, each
    its day's number as its task; without `--from`, the 7 days up to `--to`."""
    for day in ("2026-11-01", "2026-11-09", "2026-11-10", "2026-11-16", "2026-11-20"):
        assert ff("add", day[-2:].lstrip("0"), "1h", "--start", f"{day} 09:00").code == 0
    result = ff("log", *bounds)
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1].endswith(span)
    assert [s["task"] for s in ff("log", "--json", *bounds).json()["sessions"]] == tasks


def test_log_refuses_a_day_there_is_not_saying_why(ff: Any) -> None:
    result = ff("log", "--from", "2026-02-29")
    assert (result.code, result.err) == (1, "ffhooks: 2026-02-29: 2026 is not a leap year\n")
    result = ff("log", "--from", "monday", "--to", "last week")
    assert result.code == 1 and "--to 2026-11-15 is before --from 2026-11-16" in result.err


def test_log_shows_tags_and_filters_by_them(ff: Any) -> None:
    assert ff("add", "12", "1h", "+api", "+review", "--start", "2026-11-18 09:00").code == 0
    assert ff("add", "12", "1h", "+docs", "--start", "2026-11-18 11:00").code == 0
    assert ff("add", "13", "1h", "--start", "2026-11-18 13:00").code == 0
    shown = ff("log").out.splitlines()
    assert shown[1].endswith("$  12 [api, review]") and shown[3].endswith("$  13")
    tagged = ff("log", "--tag", "api", "--tag", "+docs").out.splitlines()
    assert len(tagged) == 4 and tagged[-1].startswith("2 sessions, 2h00m (2h00m billable)")
    assert [s.get("tags") for s in ff("log", "--json").json()["sessions"]] == [
        ["api", "review"],
        ["docs"],
        None,
    ]
