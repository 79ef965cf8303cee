"""`ffhooks prune` and the daemon apply the team's retention: private detail older than it,
once committed (and closed), goes, and nothing else; the committed record stays exactly as it
was through later commits, rebuilds and late entries. Real git, the real hooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git, set_now, store_dir

OLD = ("2025-10-14 09:00", "2025-10-31 22:00")  # the second runs into November
LATER = "2026-12-02T12:00:00Z"


def totals(ff: Any) -> dict[str, Any]:
    result = ff("report", "--format", "json", "--by", "user,task,month")
    assert result.code == 0, result.err
    return {k: result.json()[k] for k in ("rows", "totals")}


def daily(repo: Path) -> list[str]:
    return sorted(p.name for p in (store_dir(repo) / "time" / "daily").glob("*.json"))


@pytest.fixture
def worked(hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Time in October 2025 (one session across the month's end), September and November
    2026, committed through the hooks; the team keeps 30 days of detail."""
    set_now(monkeypatch, LATER)
    assert ff("add", "12", "1h", "--start", OLD[0]).code == 0
    assert ff("add", "12", "4h", "--start", OLD[1]).code == 0
    assert ff("add", "14", "2h", "--start", "2026-09-10 09:00").code == 0
    assert ff("add", "14", "30m", "--start", "2026-11-20 09:00").code == 0
    assert ff("config", "set", "retention", '{"days": 30}').code == 0
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "time").returncode == 0
    return hooked


def test_without_retention_nothing_goes(hooked: Path, ff: Any) -> None:
    assert ff("add", "12", "1h", "--start", "2025-10-14 09:00").code == 0
    result = ff("prune")
    assert result.code == 0 and "sets no retention" in result.out
    assert daily(hooked) == ["2025-10-14.json"]


def test_only_closed_committed_months_go_and_the_record_stays(worked: Path, ff: Any) -> None:
    before = totals(ff)
    kept = ff("prune", "--json").json()
    assert kept["months"] == [] and kept["files"] == []
    assert ("2025-10", "not closed (retention.after is closed): `ffhooks close 2025-10` first") in [
        tuple(k) for k in kept["kept"]
    ]
    assert ff("close", "2025-10", "-m", "INV-1").code == 0
    assert ff("close", "2025-11", "-m", "INV-2").code == 0
    dry = ff("prune", "--dry-run", "--json").json()
    assert dry["months"] == ["2025-10", "2025-11"] and "time/daily/2025-10-14.json" in dry["files"]
    assert "2025-10-14.json" in daily(worked)  # a dry run removes nothing
    done = ff("prune")
    assert done.code == 0 and "Removed the private detail of 2025-10, 2025-11" in done.out
    # both October files went: the session across October's end lies in pruned months only
    assert daily(worked) == ["2026-09-10.json", "2026-11-20.json"]
    header = json.loads((store_dir(worked) / "store.json").read_text())
    assert header["pruned"] == ["2025-10", "2025-11"]
    assert "2026-09" in {k[0] for k in ff("prune", "--json").json()["kept"]}
    assert totals(ff) == before
    undo = ff("undo")  # the prune is not a change of time that undo takes back
    assert undo.code == 1 and "settings" in undo.err, undo
    assert daily(worked) == ["2026-09-10.json", "2026-11-20.json"]
    # a later commit folds what changed, never the pruned months
    assert ff("add", "14", "1h", "--start", "2026-11-21 09:00").code == 0
    (worked / "x.txt").write_text("x")
    git(worked, "add", "x.txt")
    assert commit(worked, "-m", "more").returncode == 0
    after = totals(ff)
    assert after["totals"]["billable_seconds"] == before["totals"]["billable_seconds"] + 3600
    assert [r for r in after["rows"] if r["month"] < "2026"] == [
        r for r in before["rows"] if r["month"] < "2026"
    ]
    assert ff("verify").code == 0
    # a rebuild writes every month the store holds again: not the pruned ones
    assert ff("recover", "rebuild").code == 0
    assert totals(ff) == after
    # late time into a pruned month is refused, with the reason
    late = ff("add", "12", "1h", "--start", "2025-10-20 09:00")
    assert late.code == 1 and "2025-10 is closed and its private detail was removed" in late.err
    assert "Traceback" not in late.err


def test_detail_not_yet_committed_is_never_removed(
    worked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ff("config", "set", "retention.after", "committed").code == 0
    assert ff("add", "12", "2h", "--start", "2025-10-15 09:00").code == 0  # not committed
    result = ff("prune", "--json").json()
    assert "2025-10" not in result["months"] and "2026-09" in result["months"]
    assert dict(map(tuple, result["kept"]))["2025-10"].endswith("commit first")
    assert "2025-10-15.json" in daily(worked)
    git(worked, "add", "-A")
    assert commit(worked, "-m", "late").returncode == 0
    assert "2025-10" in ff("prune", "--json").json()["months"]
    assert not any(name.startswith("2025-10") for name in daily(worked))


def test_old_snapshots_go_with_the_detail_and_the_daemon_prunes_too(
    worked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ff("config", "set", "retention.after", "committed").code == 0
    assert ff("snapshot", "create").code == 0
    taken = ff("snapshot", "--json").json()["snapshots"]
    assert len(taken) >= 2
    set_now(monkeypatch, "2027-03-01T12:00:00Z")  # every snapshot is now older than 30 days
    assert ff("daemon", "--once").code == 0
    left = ff("snapshot", "--json").json()["snapshots"]
    assert 1 <= len(left) < len(taken)
    log = (worked / ".git" / "ffhooks" / "daemon.log").read_text()
    assert "retention: removed the private detail of 2025-10" in log
    assert daily(worked) == []
    header = json.loads((store_dir(worked) / "store.json").read_text())
    assert header["pruned"] == ["2025-10", "2025-11", "2026-09", "2026-11"]
