"""`ffhooks stop --at`: the times people type, from now (`5m ago`) or on a day they name
(`yesterday 18:30`) (the clock at NOW, Friday 17:00 UTC)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import sessions

pytestmark = pytest.mark.usefixtures("repo")


def test_stop_at_a_while_ago(ff: Any) -> None:
    assert ff("start", "205", "--at", "2h ago").code == 0
    result = ff("stop", "--at", "25m ago")
    assert result.code == 0, result.err
    assert "Stopped 205 2026-11-20 15:00-16:35 (1h35m" in result.out
    [s] = sessions(ff)
    assert (s["start"], s["end"]) == ("2026-11-20T15:00:00Z", "2026-11-20T16:35:00Z")


def test_stop_a_timer_forgotten_yesterday(ff: Any) -> None:
    assert ff("start", "205", "--at", "yesterday 9:00").code == 0
    assert ff("stop", "--at", "yesterday 18:30").code == 0
    [s] = sessions(ff)
    assert (s["start"], s["end"]) == ("2026-11-19T09:00:00Z", "2026-11-19T18:30:00Z")


def test_stop_refuses_a_time_there_is_not_and_keeps_the_timer(ff: Any) -> None:
    assert ff("start", "205", "--at", "9:00").code == 0
    result = ff("stop", "--at", "17:61")
    assert (result.code, result.err) == (1, "ffhooks: 17:61: minutes go from 00 to 59, not 61\n")
    result = ff("stop", "--at", "in 5m")
    assert result.code == 1 and "'in 5m' is not a time: use 14:30 (today)" in result.err
    assert ff("status", "--json").json()["running"]["task"] == "205" and sessions(ff) == []
