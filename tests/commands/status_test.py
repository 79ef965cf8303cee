"""`ffhooks status`: how long ago the running timer started, and at what time; the date too
when it did not start today (the clock at NOW, Friday 17:00 UTC, unless a test moves it)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import set_now

pytestmark = pytest.mark.usefixtures("repo")


def test_status_says_how_long_ago_the_timer_started(ff: Any) -> None:
    assert ff("start", "205", "--at", "15:48").code == 0
    assert ff("status").out.splitlines()[0] == (
        "alice: tracking 205, started 1h12m ago at 15:48 (billable)"
    )


def test_a_timer_started_before_today_is_shown_with_its_date(
    ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ff("start", "205", "--at", "yesterday 16:00", "--no-billable").code == 0
    assert ff("status").out.splitlines()[0] == (
        "alice: tracking 205, started 25h00m ago on 2026-11-19 at 16:00 (non-billable)"
    )
    set_now(monkeypatch, "2026-11-19T23:59:59Z")  # the same day: no date
    assert "started 7h59m ago at 16:00 (" in ff("status").out


def test_the_day_is_the_store_zones(ff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """23:30 UTC on the 19th is the 20th in Berlin, as now is: today there, no date."""
    assert ff("timezone", "Europe/Berlin").code == 0
    assert ff("start", "205", "--at", "2026-11-19T23:30:00Z").code == 0
    set_now(monkeypatch, "2026-11-20T08:00:00Z")
    assert "tracking 205, started 8h30m ago at 00:30 (billable)" in ff("status").out


def test_a_paused_timer_is_shown_the_same_way(ff: Any) -> None:
    assert ff("start", "205", "--at", "monday 9:00").code == 0
    assert ff("pause", "--at", "monday 12:00", "--force").code == 0
    assert ff("status").out.splitlines()[0] == (
        "alice: 205 paused 101h00m ago on 2026-11-16 at 12:00 (`ffhooks resume`)"
    )


def test_status_shows_the_tags_of_the_timer(ff: Any) -> None:
    assert ff("start", "12", "+api", "--at", "16:00").code == 0
    assert ff("status").out.startswith("alice: tracking 12 [api], started 1h00m ago at 16:00")
    assert ff("pause").code == 0
    assert ff("status").out.startswith("alice: 12 [api] paused 0s ago")
    assert ff("status", "--json").json()["paused"]["tags"] == ["api"]
