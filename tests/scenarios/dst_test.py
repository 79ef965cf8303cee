"""Wall-clock times at a daylight-saving change: a time the clocks skip or show twice is
refused with the times to give instead, never moved or guessed; the repeated hour is shown
with its offsets, and a time in its second occurrence is taken with its offset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import set_now


@pytest.fixture
def berlin(ff: Any, initialised: Path) -> Path:
    assert ff("timezone", "Europe/Berlin").code == 0
    return initialised


def test_a_time_the_clocks_skip_is_refused(
    ff: Any, berlin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_now(monkeypatch, "2026-03-29T05:00:00Z")  # clocks jumped 02:00 -> 03:00 local
    refused = ff("add", "12", "20m", "--start", "2026-03-29 02:30")
    assert refused.code == 1
    assert "'2026-03-29 02:30' does not exist in Europe/Berlin" in refused.err
    assert "such as 01:30 or 03:30" in refused.err
    assert ff("log", "--all", "--json").json()["sessions"] == []
    assert ff("add", "12", "20m", "--start", "2026-03-29 03:30").code == 0


def test_a_time_the_clocks_show_twice_says_which(
    ff: Any, berlin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_now(monkeypatch, "2026-10-25T04:00:00Z")  # clocks went back 03:00 -> 02:00 local
    refused = ff("start", "12", "--at", "02:40")
    assert refused.code == 1 and "happens twice in Europe/Berlin" in refused.err
    assert "2026-10-25T02:40:00+02:00 (the first)" in refused.err
    assert "2026-10-25T02:40:00+01:00 (the second)" in refused.err
    # a timer from the first 02:40 stopped at the second 02:10: half an hour, not a refusal
    assert ff("start", "12", "--at", "2026-10-25T02:40:00+02:00").code == 0
    stopped = ff("stop", "--at", "2026-10-25T02:10:00+01:00")
    assert stopped.code == 0, stopped.err
    assert "02:40+02:00-02:10+01:00 (30m" in stopped.out
    [session] = ff("log", "--all", "--json").json()["sessions"]
    assert session["seconds"] == 30 * 60
    shown = ff("log", "--all").out
    assert "02:40+02:00" in shown and "02:10+01:00" in shown
    # outside the repeated hour, a time is shown plainly
    assert "04:00-04:10 (10m" in ff("add", "14", "10m", "--start", "2026-10-25 04:00").out
    assert "  04:00  04:10  " in ff("log", "--all").out
