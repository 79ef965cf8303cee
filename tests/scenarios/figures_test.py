"""Impossible figures (issue 25): a summary claiming more time in a day (or a month) than it
lasts, or a figure the schema's ranges forbid, is refused by every reader, checksum
recomputed or not (anyone can recompute it): validate, verify, report, and the fold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import git
from helpers import read_summary, summary_json

from ffhooks import summary


@pytest.fixture
def alice(repo: Path, ff: Any) -> Path:
    """alice's November, committed: one summary file."""
    ff("init")
    assert ff("add", "205", "1h", "--start", "2026-11-09 09:00").code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "time", "--no-verify")
    return repo


def forge(repo: Path, cell: dict[str, Any], day: str = "2026-11-09") -> str:
    """alice's summary rewritten to claim `cell` on `day`, its checksum recomputed and
    committed; returns its path."""
    [path] = (repo / summary.SUMMARIES / "alice" / "2026-11").glob("*.json")
    doc = read_summary(path)
    doc["totals"] = {day: {"205": {"sessions": 1, **cell}}}
    path.write_text(summary_json(summary.seal(doc)))
    git(repo, "commit", "-qam", "forged", "--no-verify")
    return path.relative_to(repo).as_posix()


CLAIMS = [
    pytest.param({"billable_seconds": 10**20, "non_billable_seconds": 0}, "maximum", id="1e20"),
    pytest.param({"billable_seconds": 1e20, "non_billable_seconds": 0}, "maximum", id="float"),
    pytest.param({"billable_seconds": 3600.0, "non_billable_seconds": 0}, "whole", id="3600.0"),
    pytest.param(
        {"billable_seconds": 50_000, "non_billable_seconds": 40_001}, "90,001 seconds", id="25h+1s"
    ),
]


@pytest.mark.parametrize(("cell", "said"), CLAIMS)
def test_every_reader_refuses_an_impossible_day(
    alice: Path, ff: Any, cell: dict[str, Any], said: str
) -> None:
    path = forge(alice, cell)
    for args in (
        ["validate", path],
        ["verify"],
        ["report"],
        ["report", "--ref", "HEAD"],
        ["report", "--format", "json"],
    ):
        result = ff(*args)
        assert result.code == 1, (args, result.out)
        shown = result.out + result.err
        assert path in shown and said in shown, (args, shown)
        assert "Traceback" not in shown


def test_a_day_of_25_hours_is_possible(alice: Path, ff: Any) -> None:
    """The day a daylight-saving change sets the clock back lasts 25 h."""
    forge(alice, {"billable_seconds": 50_000, "non_billable_seconds": 40_000}, "2026-11-01")
    assert ff("verify").code == 0
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 50_000


def test_the_fold_refuses_to_publish_a_day_lived_twice(
    repo: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zone change to a clock behind lives a local day twice: 30 h recorded on it are not
    published (every reader would refuse the file), and `--recut` puts it right."""
    ff("init", "--no-hook")
    monkeypatch.setenv("FFHOOKS_NOW", "2026-11-19T20:00:00Z")
    for start in ("2026-11-19T00:00:00Z", "2026-11-19T10:00:00Z"):
        assert ff("add", "205", "10h", "--start", start).code == 0
    assert ff("timezone", "America/Los_Angeles").code == 0  # back to 12:00 on the 19th
    monkeypatch.setenv("FFHOOKS_NOW", "2026-11-20T17:00:00Z")
    assert ff("add", "205", "10h", "--start", "2026-11-19T21:00:00Z").code == 0
    refused = ff("aggregate")
    assert refused.code == 1
    assert refused.err.startswith("ffhooks: alice's time on 2026-11-19 adds up to 30h00m")
    assert "--recut" in refused.err and len(refused.err.splitlines()) == 1
    assert not (repo / summary.SUMMARIES).exists()
    assert ff("timezone", "America/Los_Angeles", "--recut").code == 0
    assert ff("aggregate").code == 0
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 30 * 3600
