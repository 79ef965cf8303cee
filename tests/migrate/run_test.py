"""`ffhooks migrate`: legacy FlowForge files and JSON lines into summaries, exactly once."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import NOW, git

from ffhooks import summary
from ffhooks.clock import months_of, parse_iso
from ffhooks.config import load_config
from ffhooks.git.plumbing import find_repo
from ffhooks.migrate import jsonstream
from ffhooks.migrate import run as legacy
from ffhooks.migrate import sources as legacy_sources

FIXTURES = Path(__file__).parents[1] / "fixtures" / "legacy"
V1 = ".task-times.json"
V2 = ".flowforge/billing/time-tracking.json"
SUMMARIES = ".flowforge/team/summaries"

# What the fixtures hold, worked out by hand (seconds). task-times.json (v1, hours):
# alice 69: 09:00-11:15 (8100) and 21:47:10-00:17:10 across midnight (9000);
# alice 70: 10:00:00.750-11:00:00.250, fractions cut (3600); bob 69: 2730;
# bob 70: 1800, 1.5 with no end (5400 as hours), 3.0 over a 1 h start-end (3600);
# carol 72: 3600 non-billable; four broken entries; alice's timer on 70 left running.
V1_ROWS = {
    ("alice", "69"): (17100, 0, 2),
    ("alice", "70"): (3600, 0, 1),
    ("bob", "69"): (2730, 0, 1),
    ("bob", "70"): (10800, 0, 3),
    ("carol", "72"): (0, 3600, 1),
}
# time-tracking.json (2.0.x, seconds) repeats all of those and adds dave 73: 8090 (twice in
# the file), 8090 with no end, 20 with no end (20 s: the file's unit is seconds), an open
# session; erin 75: 23:30-00:30 across the new year (3600).
V2_ROWS = {("dave", "73"): (16200, 0, 3), ("erin", "75"): (3600, 0, 1)}
ORPHAN_AGE = (200 * 24 + 9) * 3600  # 2026-05-04T08:00Z to NOW


def place(repo: Path, fixture: str, where: str) -> Path:
    target = repo / where
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / fixture, target)
    return target


def both(repo: Path) -> None:
    place(repo, "task-times.json", V1)
    place(repo, "time-tracking.json", V2)


def migrate(ff: Any, *args: str) -> tuple[int, dict[str, Any], str]:
    result = ff("migrate", "--json", *args)
    return result.code, json.loads(result.out), result.err


def report(ff: Any, by: str = "user,task") -> dict[tuple[str, ...], tuple[int, int, int]]:
    result = ff("report", "--format", "json", "--by", by)
    assert result.code == 0, result.err
    return {
        tuple(r[d] for d in by.split(",")): (
            r["billable_seconds"],
            r["non_billable_seconds"],
            r["sessions"],
        )
        for r in result.json()["rows"]
    }


def billed(ff: Any) -> dict[tuple[str, ...], tuple[int, int]]:
    return {k: v[:2] for k, v in report(ff).items()}


def files(repo: Path) -> dict[str, bytes]:
    base = repo / SUMMARIES
    if not base.is_dir():
        return {}
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*.json"))}


def new_repo(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path.mkdir()
    git(path, "init", "-q")
    monkeypatch.chdir(path)
    return path


def test_v1_file_hours_orphans_and_broken_entries(ff: Any, repo: Path) -> None:
    place(repo, "task-times.json", V1)
    code, out, err = migrate(ff)
    assert code == 1 and "Traceback" not in err
    rows = {(r["user"], r["task"]): r for r in out["rows"]}
    assert {
        k: (r["billable_seconds"], r["non_billable_seconds"], r["sessions"])
        for k, r in rows.items()
    } == V1_ROWS
    (src,) = out["sources"]
    assert (src["shown"], src["kind"], src["sessions"], src["skipped"]) == (V1, "legacy", 8, 4)
    assert src["unit"].startswith("hours")
    assert out["problems"] == [
        {
            "where": f'{V1}::$["72"].sessions[0]',
            "message": "start 'yesterday' is not an ISO-8601 instant; skipped",
        },
        {
            "where": f'{V1}::$["72"].sessions[1]',
            "message": "ends (2025-11-07T11:00:00Z) before it starts (2025-11-07T12:00:00Z); "
            "skipped",
        },
        {"where": f'{V1}::$["72"].sessions[2]', "message": "has no user; skipped"},
        {
            "where": f'{V1}::$["72"].sessions[3]',
            "message": "user '../evil' is not a valid ffhooks user name (1-64 of a-z 0-9 . _ -, "
            "starting with a letter or digit); skipped",
        },
    ]
    assert out["orphaned_timers"] == [
        {
            "where": f'{V1}::$["70"].current_session',
            "user": "alice",
            "task": "70",
            "start": "2026-05-04T08:00:00Z",
            "age_seconds": ORPHAN_AGE,
        }
    ]
    (warning,) = out["warnings"]
    assert warning["where"] == f'{V1}::$["70"].sessions[3]'
    assert "duration 3 disagrees with start and end (3600 s" in warning["message"]
    # the report reads them like any summary: a session across midnight counts once, on
    # the day it starts, and its seconds on both days
    assert report(ff) == V1_ROWS
    days = report(ff, "user,task,day")
    assert days[("alice", "69", "2025-10-08")] == (8100 + 7970, 0, 2)
    assert days[("alice", "69", "2025-10-09")] == (1030, 0, 0)
    assert days[("bob", "70", "2025-11-05")] == (5400, 0, 1)
    written = out["written"]
    assert len(written) == 5 and all(p.startswith(f"{SUMMARIES}/") for p in written)
    assert sorted(git(repo, "diff", "--cached", "--name-only").split()) == sorted(written)
    assert ff("validate", *written).code == 0
    doc = json.loads((repo / written[0]).read_text())
    assert doc["store"] == legacy_sources.store_id(
        hashlib.sha256(Path(V1).read_bytes()).hexdigest(), "alice"
    )
    assert doc["timezone"] == "UTC" and doc["detail"] == {"per_task": True, "period": "day"}


def test_text_output_lists_rows_orphans_and_problems(ff: Any, repo: Path) -> None:
    place(repo, "task-times.json", V1)
    result = ff("migrate")
    assert result.code == 1
    assert "alice  69" in result.out and "4:45:00" in result.out
    assert f'{V1}::$["70"].current_session: alice on 70 since 2026-05-04T08:00:00Z' in result.out
    assert "(200 days ago)" in result.out
    assert f'{V1}::$["72"].sessions[2]: has no user; skipped' in result.err
    assert "4 entries skipped" in result.err and "\r" not in result.err  # no bar off a tty
    assert "Wrote 5 summary file(s), staged" in result.out


def test_both_files_count_each_session_once(ff: Any, repo: Path) -> None:
    both(repo)
    code, out, _ = migrate(ff)
    assert code == 1  # the v1 file's broken entries
    assert [d["sessions"] for d in out["duplicates"]] == [8, 1]
    assert [(d["source"], d["first"]) for d in out["duplicates"]] == [(V2, V1), (V2, V2)]
    assert out["duplicates"][1]["example"] == f'{V2}::$["73"].sessions[1]'
    v1, v2 = out["sources"]
    assert (v1["shown"], v2["shown"]) == (V1, V2)
    assert v2["unit"].startswith("seconds") and (v2["sessions"], v2["duplicates"]) == (4, 9)
    orphans = [(o["user"], o["task"], o["start"]) for o in out["orphaned_timers"]]
    assert orphans == [
        ("alice", "70", "2026-05-04T08:00:00Z"),
        ("dave", "73", "2025-12-04T09:00:00Z"),
    ]
    expected = {**V1_ROWS, **V2_ROWS}
    assert {
        (r["user"], r["task"]): (r["billable_seconds"], r["non_billable_seconds"], r["sessions"])
        for r in out["rows"]
    } == expected
    assert billed(ff) == {k: v[:2] for k, v in expected.items()}
    totals = ff("report", "--format", "json").json()["totals"]
    assert (totals["billable_seconds"], totals["non_billable_seconds"]) == (54030, 3600)
    months = report(ff, "user,month")
    assert months[("erin", "2025-12")][0] == 1800 and months[("erin", "2026-01")][0] == 1800
    days = report(ff, "user,day")
    assert days[("dave", "2025-12-02")][0] == 8090 and days[("dave", "2025-12-03")][0] == 20


def test_a_second_run_writes_nothing(ff: Any, repo: Path) -> None:
    both(repo)
    first = migrate(ff)[1]
    git(repo, "add", SUMMARIES)
    git(repo, "commit", "-qm", "migrated", "--no-verify")
    before, tree = report(ff), files(repo)
    code, again, _ = migrate(ff)
    assert code == 1 and again["written"] == [] and again["unchanged"] == len(first["written"])
    assert report(ff) == before and files(repo) == tree
    assert git(repo, "status", "--porcelain", SUMMARIES) == ""
    assert "Nothing to write" in ff("migrate").out
    # other day cuts supersede the same stores' months (an emptied month too): same totals
    code, tokyo, _ = migrate(ff, "--timezone", "Asia/Tokyo")
    assert "erin/2025-12" in " ".join(tokyo["written"])
    assert billed(ff) == {k: v[:2] for k, v in before.items()}
    assert report(ff, "user,month")[("erin", "2026-01")][0] == 3600
    assert ("erin", "2025-12") not in report(ff, "user,month")


def test_separate_runs_over_overlapping_files_never_double_count(ff: Any, repo: Path) -> None:
    v1, v2 = place(repo, "task-times.json", V1), place(repo, "time-tracking.json", V2)
    assert migrate(ff, "--source", str(v1))[0] == 1
    assert billed(ff) == {k: v[:2] for k, v in V1_ROWS.items()}
    code, out, _ = migrate(ff, "--source", str(v2))  # holds v1's sessions again
    assert code == 1 and len(out["orphaned_timers"]) == 2  # alice's and dave's: said
    assert {d["first"]: d["sessions"] for d in out["duplicates"]} == {
        f"an earlier migration of {V1}": 8,
        V2: 1,
    }
    everything = {k: v[:2] for k, v in {**V1_ROWS, **V2_ROWS}.items()}
    assert billed(ff) == everything
    assert migrate(ff)[1]["written"] == []  # both at once: already there
    assert migrate(ff, "--source", str(v2))[1]["written"] == []
    # the old tracker went on being used: the file grows by one session
    grown = json.loads(v1.read_text())
    grown["71"]["sessions"] = [
        {
            "start": "2026-01-05T09:00:00Z",
            "end": "2026-01-05T09:30:00Z",
            "duration": 0.5,
            "user": "bob",
        }
    ]
    v1.write_text(json.dumps(grown, indent=2))
    code, out, _ = migrate(ff, "--source", str(v1))
    assert [(r["user"], r["task"], r["billable_seconds"]) for r in out["rows"]] == [
        ("bob", "71", 1800)
    ]
    assert billed(ff) == {**everything, ("bob", "71"): (1800, 0)}


def test_dry_run_writes_nothing(ff: Any, repo: Path) -> None:
    both(repo)
    status = git(repo, "status", "--porcelain")
    result = ff("migrate", "--dry-run")
    assert result.code == 1
    assert "Would migrate" in result.out and "dave   73" in result.out
    assert "Orphaned timers" in result.out and "has no user; skipped" in result.err
    assert "Dry run: would write 8 summary file(s)" in result.out
    assert not (repo / ".flowforge/team").exists()
    assert not (repo / ".git/ffhooks/migrate").exists()
    assert git(repo, "status", "--porcelain") == status
    code, out, _ = migrate(ff, "--dry-run", "--backup")
    assert code == 1
    assert len(out["would_write"]) == 8 and out["backup"] is None
    assert not (repo / ".git/ffhooks/snapshots").exists()


def test_verify(ff: Any, repo: Path) -> None:
    v2 = place(repo, "time-tracking.json", V2)
    result = ff("migrate", "--source", str(v2), "--verify")
    assert result.code == 1 and "2 orphaned timer(s) not migrated" in result.err
    assert "Verified: the summaries hold exactly the migrated seconds" in result.out
    code, out, _ = migrate(ff, "--source", str(v2), "--verify")
    assert code == 1 and out["verify"] == {"ok": True, "problems": []}
    january = next((repo / SUMMARIES / "erin" / "2026-01").iterdir())
    january.unlink()
    result = ff("migrate", "--source", str(v2), "--dry-run", "--verify")
    assert result.code == 1
    assert (
        "verify: erin: the summaries hold 1800 billable and 0 non-billable seconds, the "
        "sources 3600 and 0" in result.err
    )
    december = next((repo / SUMMARIES / "erin" / "2025-12").iterdir())
    december.write_text(december.read_text().replace("1800", "1801"))
    result = ff("migrate", "--source", str(v2), "--dry-run", "--verify")
    assert result.code == 1 and "does not match the content" in result.err
    assert "Traceback" not in result.err


def test_backup_keeps_each_source_with_its_checksum(ff: Any, repo: Path) -> None:
    both(repo)
    code, out, _ = migrate(ff, "--backup")
    assert code == 1
    backup = out["backup"]
    assert sorted(f["path"] for f in backup["files"]) == sorted([V1, V2])
    from ffhooks.store import snapshot_area as snapshot

    state = repo / ".git" / "ffhooks"
    manifest = snapshot.load(state, backup["snapshot"])
    assert manifest.reason == "migrate-backup" and manifest.path == Path(backup["manifest"])
    for entry in manifest.files:
        data = (repo / entry.path).read_bytes()
        assert (
            entry.sha256
            == hashlib.sha256(data).hexdigest()
            == legacy_sources.file_sha256(repo / entry.path)
        )
        assert snapshot.read_object(state, entry) == data
    assert "Backed up 2 source(s) in snapshot" in ff("migrate", "--backup").out


def test_json_lines_with_a_time_zone(
    ff: Any, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = FIXTURES / "sessions.jsonl"
    code, out, _ = migrate(ff, "--source", str(source), "--timezone", "Europe/Berlin")
    assert code == 1
    shown = str(source.resolve())
    assert [(p["where"], p["message"]) for p in out["problems"]] == [
        (
            f"{shown}:4",
            "is not valid JSON (Expecting property name enclosed in double quotes); skipped",
        ),
        (f"{shown}:9", "ends in the future (2026-11-21T10:00:00Z); skipped"),
        (f"{shown}:10", "has no user; skipped"),
    ]
    assert out["duplicates"][0]["example"] == f"{shown}:6"
    assert out["warnings"][0]["where"] == f"{shown}:7"
    assert out["orphaned_timers"][0]["age_seconds"] == (15 * 24 + 6) * 3600
    assert billed(ff) == {
        ("alice", "205"): (5400, 0),
        ("alice", "206"): (2700, 0),
        ("alice", "ops"): (0, 1800),
        ("bob", "205"): (14400, 0),
    }
    berlin = report(ff, "user,day")
    assert (berlin[("bob", "2026-11-02")][0], berlin[("bob", "2026-11-03")][0]) == (3600, 7200)
    doc = json.loads((repo / out["written"][0]).read_text())
    assert doc["timezone"] == "Europe/Berlin"
    new_repo(tmp_path / "utc", monkeypatch)
    monkeypatch.setenv("TZ", "America/New_York")  # the default is UTC, whatever the machine
    assert ff("migrate", "--source", str(source)).code == 1
    utc = report(ff, "user,day")
    assert (utc[("bob", "2026-11-02")][0], utc[("bob", "2026-11-03")][0]) == (7200, 3600)


def test_unreadable_sources_write_nothing(ff: Any, repo: Path) -> None:
    result = ff("migrate")
    assert result.code == 1 and "no legacy time file in this repository" in result.err
    result = ff("migrate", "--source", "nope.json")
    assert result.code == 1 and result.err.strip() == (
        "ffhooks: nope.json: no such file: check the path given to --source"
    )
    both(repo)
    truncated = repo / "cut.json"
    truncated.write_bytes((FIXTURES / "time-tracking.json").read_bytes()[:900])
    result = ff("migrate", "--source", V1, "--source", str(truncated))
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1
    assert "cut.json: ends before its JSON is complete (truncated?) (line 2" in result.err
    assert "run `ffhooks migrate` again" in result.err and "Traceback" not in result.err
    assert not (repo / SUMMARIES).exists() and not (repo / ".git/ffhooks/migrate/ledger").exists()
    for content, words in [
        (b"", "is empty"),
        (b"[1, 2]", "is neither a legacy FlowForge time file"),
        (b'{"69": {"sessions": [{"start": 1}] } } x', "has text after its closing }"),
        (b'{"69": {"sessions": [{"start": \xff}]}}', "is not UTF-8"),
        (b'{\n"69": {"sessions": [{"start": 1},, ]}}', "is not valid JSON"),
    ]:
        bad = repo / "bad.json"
        bad.write_bytes(content)
        result = ff("migrate", "--source", str(bad))
        assert result.code == 1 and words in result.err, (content, result.err)
        assert not (repo / SUMMARIES).exists()
    result = ff("migrate", "--timezone", "Mars/Olympus")
    assert result.code == 1 and "unknown time zone" in result.err


def test_duration_without_end_read_by_value(ff: Any, repo: Path) -> None:
    """No session in the file has start, end and duration to tell the unit: a whole number
    above 24 is seconds, anything else hours; the session starts at `start`, or ends at `end`
    when only that is given."""
    source = repo / "durations.json"
    sessions = [
        {"start": "2025-03-03T09:00:00Z", "duration": 1.5, "user": "ann"},
        {"start": "2025-03-04T09:00:00Z", "duration": 2, "user": "ann"},
        {"start": "2025-03-05T09:00:00Z", "duration": 8090, "user": "ann"},
        {"start": "2025-03-06T09:00:00Z", "duration": "30", "user": "ann"},
        {"end": "2025-03-07T12:00:00Z", "duration": 0.25, "user": "ann"},
        {"start": "2025-03-08T09:00:00Z", "duration": 100000, "user": "ann"},
        {"start": "2025-03-09T09:00:00Z", "duration": 0, "user": "ann"},
    ]
    source.write_text(json.dumps({"5": {"status": "closed", "sessions": sessions}}))
    code, out, _ = migrate(ff, "--source", str(source))
    assert code == 1
    assert out["sources"][0]["unit"].startswith("by value")
    assert out["sources"][0]["empty"] == 1
    (problem,) = out["problems"]
    assert problem["where"].endswith('::$["5"].sessions[5]')
    assert "(100000 s) is longer than a day" in problem["message"]
    days = report(ff, "day")
    assert {d[0]: v[0] for d, v in days.items()} == {
        "2025-03-03": 5400,
        "2025-03-04": 7200,
        "2025-03-05": 8090,
        "2025-03-06": 30,
        "2025-03-07": 900,
    }


def test_odd_shapes(ff: Any, repo: Path) -> None:
    source = repo / "odd.json"
    source.write_text(
        '{"version": "2.0.3", "metadata": {"users": 3},\n'
        ' "sessions": {"s1": {"start": "2025-05-05T09:00:00Z"}},\n'
        ' "80": {"sessions": [{"start": "2025-05-05T09:00:00Z", "end": "2025-05-05T10:00:00Z",'
        ' "user": "ann"}]},\n'
        ' "81": {"sessions": {"x": 1}},\n'
        ' "82": {"sessions": [5, {"start": "2025-05-06T09:00:00Z", "start": "x", "user": "ann"},'
        ' {"start": "2025-05-06T09:00:00Z", "end": "2025-05-06T10:00:00Z", "user": "ann",'
        ' "billable": "yes"},'
        ' {"start": "1999-05-06T09:00:00Z", "end": "1999-05-06T10:00:00Z", "user": "ann"},'
        ' {"start": "2025-05-06T09:00:00Z", "end": "2025-05-06T09:00:00Z", "user": "ann"},'
        ' {"start": "2025-05-06T11:00:00Z", "end": "2025-05-06T11:30:00Z", "user": "ann",'
        ' "billable": false}]},\n'
        ' "bad task ": {"sessions": [{"start": "2025-05-07T09:00:00Z",'
        ' "end": "2025-05-07T10:00:00Z", "user": "ann"}]},\n'
        ' "80": {"current_session": 7, "sessions": [{"start": "2025-05-08T09:00:00Z",'
        ' "end": "2025-05-08T10:00:00Z", "user": "ann"}]}}'
    )
    code, out, _ = migrate(ff, "--source", str(source))
    assert code == 1
    problems = {p["where"].split("::", 1)[1]: p["message"] for p in out["problems"]}
    assert problems == {
        '$["sessions"]': "holds 1 entries outside any task, which ffhooks does not know how to "
        "migrate; skipped",
        '$["81"].sessions': "is not a list of sessions; skipped",
        '$["82"].sessions[0]': "is not a session object; skipped",
        '$["82"].sessions[1]': "has the key 'start' twice; skipped",
        '$["82"].sessions[2]': "'billable' is 'yes', not true or false; skipped",
        '$["82"].sessions[3]': "starts before 2000 (1999-05-06T09:00:00Z): a broken clock?; "
        "skipped",
        '$["bad task "].sessions[0]': "task 'bad task ' cannot be an ffhooks task name; skipped",
    }
    warnings = {w["where"].split("::", 1)[1]: w["message"] for w in out["warnings"]}
    assert warnings == {
        '$["80"].current_session': "is not an object: ignored (it cannot be billed anyway)",
        '$["80"]': "appears twice in the file: the sessions of both are read",
    }
    assert {(r["task"], r["billable_seconds"], r["non_billable_seconds"]) for r in out["rows"]} == {
        ("80", 7200, 0),
        ("82", 0, 1800),
    }
    assert out["sources"][0]["empty"] == 1


def _interrupt_at(repo: Path, stop: int, given: list[str] | None = None) -> bool:
    """Run the migration in this process with a checkpoint after every entry, and Ctrl-C
    after the `stop`-th; False if it ended first."""
    found = find_repo(repo)
    assert found is not None
    sources, _ = legacy_sources.find_sources(found, given or [])
    calls = 0

    def progress(done: int, total: int, entries: int) -> None:
        nonlocal calls
        calls += 1
        if calls == stop:
            raise KeyboardInterrupt

    try:
        legacy.migrate(
            found,
            sources,
            parse_iso(NOW),
            timezone="UTC",
            config=load_config(found.flowforge),
            dry_run=False,
            checkpoint_seconds=0,
            progress=progress,
        )
    except KeyboardInterrupt:
        return True
    return False


def test_an_interrupted_run_resumes_to_the_same_files(
    ff: Any, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    both(repo)
    assert ff("migrate").code == 1
    reference, want = files(repo), report(ff)
    entries = ff("migrate", "--json").json()
    assert entries["written"] == []
    for stop in (1, 2, 4, 6, 9, 13, 18, 24, 31, 38, 45, 52):
        other = new_repo(tmp_path / f"stop-{stop}", monkeypatch)
        both(other)
        assert _interrupt_at(other, stop)
        checkpoint = other / ".git/ffhooks/migrate/checkpoint/state.json"
        assert checkpoint.is_file()
        assert not (other / SUMMARIES).exists()
        result = ff("migrate")
        assert result.code == 1 and "Resumed an interrupted migration" in result.out, stop
        assert files(other) == reference, stop
        assert report(ff) == want
        assert not checkpoint.exists()
        assert sorted(git(other, "diff", "--cached", "--name-only").split()) == sorted(
            f"{SUMMARIES}/{p}" for p in reference
        )


def test_a_checkpoint_of_other_sources_is_dropped(ff: Any, repo: Path) -> None:
    both(repo)
    assert _interrupt_at(repo, 10)
    (repo / V1).write_text((repo / V1).read_text().replace("2.25", "2.26"))
    result = ff("migrate")
    assert "Resumed" not in result.out
    assert report(ff)[("alice", "69")][0] == 17100


def test_chunk_boundaries_and_resuming_anywhere(
    ff: Any, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reads of a few bytes split UTF-8 characters, keys and numbers; resuming after any
    entry (inside a task, a session list, a repeated task) ends with the same files."""
    place(repo, "unicode.json", "unicode.json")
    outs = []
    for chunk in (1, 2, 3, 7, 1 << 20):
        monkeypatch.setattr(jsonstream, "CHUNK", chunk)
        outs.append(migrate(ff, "--source", "unicode.json", "--dry-run")[1])
    assert all(out == outs[0] for out in outs)
    out = outs[0]
    assert [
        (r["user"], r["task"], r["billable_seconds"], r["non_billable_seconds"])
        for r in out["rows"]
    ] == [("zoe", "7", 2700, 3600)]
    assert [p["where"] for p in out["problems"]] == [
        f'unicode.json::$["Größe-1"].sessions[{n}]' for n in range(3)
    ]
    assert "'jürgen' is not a valid ffhooks user name" in out["problems"][0]["message"]
    assert "s) is longer than a day: give it an end" in out["problems"][2]["message"]
    assert [w["where"] for w in out["warnings"]] == ['unicode.json::$["7"]']
    assert [o["where"] for o in out["orphaned_timers"]] == ['unicode.json::$["7"].current_session']
    monkeypatch.setattr(jsonstream, "CHUNK", 3)
    code, first, _ = migrate(ff, "--source", "unicode.json")
    assert code == 1
    reference = files(repo)
    same = ("sources", "rows", "stores", "orphaned_timers", "duplicates", "warnings", "problems")
    stop = 0
    while True:
        stop += 1
        other = new_repo(tmp_path / f"stop-{stop}", monkeypatch)
        place(other, "unicode.json", "unicode.json")
        if not _interrupt_at(other, stop, ["unicode.json"]):
            break
        code, out, _ = migrate(ff, "--source", "unicode.json")
        assert code == 1 and 1 <= out["resumed_entries"] <= stop, stop
        assert {k: out[k] for k in same} == {k: first[k] for k in same}, stop
        assert files(other) == reference, stop
    assert stop > 10


def _generate_jsonl(path: Path, count: int) -> None:
    start = datetime(2024, 1, 1, 8, tzinfo=timezone.utc)
    with open(path, "w") as out:
        for n in range(count):
            at = start + timedelta(minutes=9 * n)
            end = at + timedelta(minutes=20 + n % 29, seconds=n % 59)
            out.write(
                f'{{"task": "{n % 13}", "start": "{at:%Y-%m-%dT%H:%M:%SZ}", '
                f'"end": "{end:%Y-%m-%dT%H:%M:%SZ}", "user": "u{n % 7}"}}\n'
            )


def _generate_legacy(path: Path, count: int) -> None:
    start = datetime(2024, 1, 1, 8, tzinfo=timezone.utc)
    with open(path, "w") as out:
        out.write('{"sessions": {},\n')
        for task in range(13):
            out.write(f'"{task}": {{"status": "closed", "sessions": [\n')
            rows = []
            for n in range(task, count, 13):
                at = start + timedelta(minutes=9 * n)
                end = at + timedelta(minutes=20 + n % 29, seconds=n % 59)
                rows.append(
                    f'{{"start": "{at:%Y-%m-%dT%H:%M:%SZ}", "end": "{end:%Y-%m-%dT%H:%M:%SZ}", '
                    f'"duration": {round((end - at).total_seconds() / 3600, 2)}, '
                    f'"user": "u{n % 7}"}}'
                )
            out.write(",\n".join(rows) + "]},\n")
        out.write('"metadata": {}}\n')


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["jsonl", "legacy"])
def test_a_killed_run_resumes_to_the_same_files(
    kind: str, ff: Any, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / f"big.{kind}"
    (_generate_jsonl if kind == "jsonl" else _generate_legacy)(source, 150_000)
    assert ff("migrate", "--source", str(source)).code == 0
    reference = files(repo)
    killed = new_repo(tmp_path / "killed", monkeypatch)
    state = killed / ".git/ffhooks/migrate/checkpoint/state.json"
    env = {**os.environ, "FFHOOKS_MIGRATE_CHECKPOINT_SECONDS": "0.2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ffhooks", "migrate", "--source", str(source)],
        cwd=killed,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not state.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    assert proc.poll() is None, "finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    read = json.loads(state.read_text())["tally"]["read"]
    assert 0 < read < 150_000
    result = ff("migrate", "--source", str(source))
    assert result.code == 0 and f"Resumed an interrupted migration ({read:,}" in result.out
    assert files(killed) == reference
    assert len(git(killed, "diff", "--cached", "--name-only").split()) == len(reference)


def _random_sessions(rng: random.Random) -> list[tuple[str, datetime, datetime, bool]]:
    """Sessions over DST changes, midnights and month ends in New York, none overlapping."""
    out = []
    for first in ("2025-03-08T20:00:00Z", "2025-10-31T20:00:00Z", "2026-02-27T22:00:00Z"):
        at = parse_iso(first)
        for _ in range(120):
            at += timedelta(minutes=rng.randint(0, 240))
            end = at + timedelta(minutes=rng.randint(1, 600), seconds=rng.randint(0, 59))
            out.append((rng.choice(["a", "b", "c"]), at, end, rng.random() > 0.2))
            at = end
    return out


@pytest.mark.parametrize("detail", [None, {"per_task": False, "period": "month"}])
def test_totals_equal_what_summary_totals_gives(
    ff: Any, repo: Path, tmp_path: Path, detail: dict[str, Any] | None
) -> None:
    tz = ZoneInfo("America/New_York")
    sessions = _random_sessions(random.Random(7))
    source = tmp_path / "s.jsonl"
    source.write_text(
        "".join(
            json.dumps(
                {
                    "task": task,
                    "start": f"{s:%Y-%m-%dT%H:%M:%SZ}",
                    "end": f"{e:%Y-%m-%dT%H:%M:%SZ}",
                    "billable": billable,
                    "user": "zed",
                }
            )
            + "\n"
            for task, s, e, billable in sessions
        )
    )
    if detail:
        (repo / ".flowforge/team").mkdir(parents=True)
        (repo / ".flowforge/team/config.json").write_text(json.dumps({"summary_detail": detail}))
    code, out, err = migrate(ff, "--source", str(source), "--timezone", "America/New_York")
    assert code == 0, err
    intervals = [summary.Interval(t, s, e, b) for t, s, e, b in sessions]
    per_task = detail is None
    months = set()
    for path in out["written"]:
        doc = json.loads((repo / path).read_text())
        months.add(doc["month"])
        assert doc["totals"] == summary.totals(
            intervals, doc["month"], tz, per_task=per_task, by_day=per_task
        )
    touched = set().union(*(months_of(s, e, tz) for _, s, e, _ in sessions))
    assert months == touched and {"2025-03", "2025-11", "2026-03"} <= touched


def test_a_file_of_one_timer_that_never_ended_says_it_left_it_out(ff: Any, repo: Path) -> None:
    """Its only session has a start and no end: nothing is billed, and the exit says so."""
    (repo / "legacy.json").write_text(
        '{"12": {"status": "active", "current_session": null, "sessions": '
        '[{"start": "2026-11-10T09:00:00Z", "user": "alice", "instance_id": "x"}]}}'
    )
    result = ff("migrate", "--source", "legacy.json")
    assert result.code == 1
    assert "legacy.json (legacy JSON): 0 sessions, 1 orphaned timers" in result.out
    assert 'legacy.json::$["12"].sessions[0]: alice on 12 since 2026-11-10T09:00:00Z' in result.out
    assert "1 orphaned timer(s) not migrated (listed above)" in result.err
    assert ff("migrate", "--source", "legacy.json", "--json").code == 1
