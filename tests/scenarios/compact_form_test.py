"""The form summaries are written in (issue 27, item 4): each period of a month on one line,
compact within it. The checksum and the signature cover the content, so a summary written
compact and the same summary indented (an older ffhooks, a formatter) give the same report,
the same checksum and the same signature verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import SUMMARIES, git
from helpers import keygen, read_summary, summary_json

from ffhooks import summary


def live(repo: Path, user: str = "alice", month: str = "2026-11") -> Path:
    files = sorted((repo / SUMMARIES / user / month).glob("*.json"), key=lambda p: len(p.name))
    return max(files, key=lambda p: int(p.stem.split("-")[1]))


def test_a_summary_is_written_one_line_per_period(initialised: Path, ff: Any) -> None:
    for day in ("03", "04", "17"):
        assert ff("add", "205", "1h", "--start", f"2026-11-{day}T09:00:00Z").code == 0
    assert ff("add", "ops", "30m", "--start", "2026-11-04T11:00:00Z").code == 0
    assert ff("aggregate").code == 0
    data = live(initialised).read_bytes()
    doc = json.loads(data)
    assert data == summary.dumps(doc) and doc["sha256"] == summary.checksum(doc)
    lines = data.decode().splitlines()
    days = [line for line in lines if line.startswith('    "2026-11-')]
    assert [line[5:15] for line in days] == ["2026-11-03", "2026-11-04", "2026-11-17"]
    one_day = json.loads("{" + days[1].strip().rstrip(",") + "}")
    assert one_day == {"2026-11-04": doc["totals"]["2026-11-04"]}
    # every other key on a line of its own: header, totals' braces, the checksum
    assert len(lines) == len(doc) + 1 + len(days) + 2
    indented = json.dumps(doc, indent=2).encode()
    assert len(data) < len(indented) and data.count(b"\n") * 2 < indented.count(b"\n")


def test_compact_and_indented_summaries_give_the_same_verdicts(
    initialised: Path, ff: Any, tmp_path: Path
) -> None:
    repo = initialised
    git(repo, "config", "user.signingkey", str(keygen(tmp_path, "alice")))
    config = repo / ".flowforge/team/config.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), "signatures": "required"}))
    assert ff("init", "--signing").code == 0
    assert ff("add", "205", "1h", "--start", "2026-11-03T09:00:00Z").code == 0
    assert ff("add", "206", "2h", "--start", "2026-11-04T09:00:00Z").code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "compact", "--no-verify")

    def verdicts() -> tuple[Any, ...]:
        report = ff("report", "--format", "json")
        assert report.code == 0, report.err
        return (
            report.json()["totals"],
            report.json()["notes"],
            ff("verify").code,
            ff("validate", "--all").code,
            ff("report", "--ref", "HEAD", "--format", "json").json()["totals"],
        )

    compact = verdicts()
    assert compact[0]["billable_seconds"] == 3 * 3600 and compact[2:4] == (0, 0)
    path = live(repo)
    doc = read_summary(path)
    assert "signature" in doc
    path.write_text(json.dumps(json.loads(path.read_bytes()), indent=4, sort_keys=True) + "\n")
    git(repo, "commit", "-qam", "indented", "--no-verify")
    assert verdicts() == compact
    doc["totals"]["2026-11-04"]["206"]["billable_seconds"] += 60  # content changed: refused
    doc["sha256"] = summary.checksum(doc)
    path.write_text(summary_json(doc, indent=2) + "\n")
    git(repo, "commit", "-qam", "more time, old signature", "--no-verify")
    assert ff("verify").code == 1 and ff("report").code == 1
