from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import sessions, stderr_on_a_terminal

pytestmark = pytest.mark.usefixtures("repo")


def write_lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_jsonl_round_trip_skips_what_is_present(ff: Any, repo: Path, tmp_path: Path) -> None:
    ff("add", "1", "1h", "--start", "2026-11-18 09:00", "--note", "a")
    ff("add", "2", "2h", "+ops", "--start", "2026-11-19 09:00", "--no-billable")
    exported = write_lines(tmp_path / "s.jsonl", sessions(ff))
    result = ff("import", str(exported))
    assert (
        result.code == 0
        and "Imported 0 sessions" in result.out
        and "2 already present" in result.out
    )
    more = write_lines(
        tmp_path / "m.jsonl",
        [
            {"task": "3", "start": "2026-11-17T09:00:00Z", "end": "2026-11-17T10:00:00Z"},
            {
                "task": "4",
                "start": "2026-11-17T11:00:00+01:00",
                "end": "2026-11-17T12:00:00Z",
                "billable": False,
                "note": "x",
                "user": "alice",
                "seconds": 7200,
            },
        ],
    )
    assert ff("import", str(more)).code == 0
    got = [(s["task"], s["seconds"], s["billable"]) for s in sessions(ff)]
    assert got == [("3", 3600, True), ("4", 7200, False), ("1", 3600, True), ("2", 7200, False)]
    assert "Imported 0 sessions" in ff("import", str(more)).out
    # the tags of an export come back with it, into another clone's store
    ff("remove", sessions(ff)[-1]["id"], "--yes")
    assert ff("import", str(exported)).code == 0
    assert sessions(ff)[-1]["tags"] == ["ops"]
    bad = write_lines(tmp_path / "t.jsonl", [{**sessions(ff)[0], "tags": ["a,b"]}])
    refused = ff("import", str(bad))
    assert refused.code == 1 and "tag '+a,b' is not allowed" in refused.err


def test_jsonl_problems_import_nothing(ff: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"task": "1", "start": "2026-11-17T09:00:00Z", "end": "2026-11-17T10:00:00Z"}\n'
        "{not json\n"
        '{"task": "1", "start": "2026-11-17T11:00:00Z", "end": "2026-11-17T10:00:00Z"}\n'
        '{"task": "1", "start": "2026-11-17T09:30:00Z", "end": "2026-11-17T09:45:00Z"}\n'
        '{"task": "1", "start": "2026-11-21T09:30:00Z", "end": "2026-11-21T09:45:00Z"}\n'
        '{"task": "1", "start": "yesterday", "end": "2026-11-17T09:45:00Z"}\n'
        '{"task": 5, "start": "2026-11-16T09:30:00Z", "end": "2026-11-16T09:45:00Z"}\n'
        '{"task": "1", "start": "2026-11-16T09:30:00Z", "end": "2026-11-16T09:45:00Z",'
        ' "hours": 1}\n'
        '{"task": "1", "start": "2026-11-15T09:30:00Z", "end": "2026-11-15T09:45:00Z",'
        ' "seconds": 1}\n'
    )
    result = ff("import", str(bad))
    assert result.code == 1 and "nothing was imported" in result.err
    err = result.err
    for line, words in [
        (2, "not valid JSON"),
        (3, "at or before it starts"),
        (4, "overlap"),
        (5, "in the future"),
        (6, "bad time"),
        (7, "must be a string"),
        (8, "unknown field 'hours'"),
        (9, "disagrees"),
    ]:
        assert f"bad.jsonl:{line}: " in err and words in err
    assert sessions(ff) == []


def test_watson_frames(ff: Any, tmp_path: Path) -> None:
    frames = tmp_path / "frames"
    # 2026-11-17 09:00:00 UTC = 1794906000
    frames.write_text(
        json.dumps(
            [
                [1794906000, 1794909600, "acme", "5" * 32, ["review", "api", "api"], 1794909600],
                [1794913200, 1794915000, "beta", "6" * 32, [], 1794915000],
                [1794916800, 1794917400, "beta", "7" * 32, ["code review", "a\x07"], 1794917400],
            ]
        )
    )
    result = ff("import", str(frames))
    assert result.code == 0, result.err
    got = [(s["task"], s["seconds"], s.get("tags"), s.get("note")) for s in sessions(ff)]
    assert got == [  # Watson's tags stay tags; one that cannot be a tag is kept in the note
        ("acme", 3600, ["api", "review"], None),
        ("beta", 1800, None, None),
        ("beta", 600, ["code-review"], "tags: a\x07"),
    ]
    assert "0 sessions" in ff("import", str(frames), "--format", "watson").out


def test_timewarrior_export(ff: Any, tmp_path: Path) -> None:
    export = tmp_path / "timew.json"
    export.write_text(
        json.dumps(
            [
                {
                    "id": 2,
                    "start": "20261117T090000Z",
                    "end": "20261117T103000Z",
                    "tags": ["205", "x"],  # the first names the task, the rest are tags
                    "annotation": "login",
                },
                {"id": 1, "start": "20261117T110000Z", "end": "20261117T113000Z", "tags": ["206"]},
            ]
        )
    )
    assert ff("import", str(export), "--format", "timewarrior").code == 0
    got = [(s["task"], s["seconds"], s.get("tags"), s.get("note")) for s in sessions(ff)]
    assert got == [("205", 5400, ["x"], "login"), ("206", 1800, None, None)]
    running = tmp_path / "open.json"
    running.write_text(json.dumps([{"id": 1, "start": "20261118T110000Z", "tags": ["1"]}]))
    result = ff("import", str(running))
    assert result.code == 1 and "still open" in result.err


def test_import_missing_or_broken_file(ff: Any, tmp_path: Path) -> None:
    missing = ff("import", str(tmp_path / "nope.jsonl"))
    assert missing.code == 1 and "cannot read it" in missing.err
    broken = tmp_path / "frames"
    broken.write_text("[[1, 2")
    result = ff("import", str(broken), "--format", "watson")
    assert result.code == 1 and "not valid JSON" in result.err and "Traceback" not in result.err


def test_bulk_import_builds_a_big_store(ff: Any, tmp_path: Path) -> None:
    rows = [
        {
            "task": str(i % 7),
            "start": f"2026-{1 + d // 28:02d}-{1 + d % 28:02d}T{h:02d}:00:00Z",
            "end": f"2026-{1 + d // 28:02d}-{1 + d % 28:02d}T{h:02d}:45:00Z",
        }
        for i, (d, h) in enumerate((d, h) for d in range(300) for h in range(8, 16))
    ]
    result = ff("import", str(write_lines(tmp_path / "big.jsonl", rows)))
    assert result.code == 0, result.err
    assert ff("log", "--all", "--json").json()["total_seconds"] == len(rows) * 2700


def test_a_long_import_shows_progress_on_a_terminal(repo: Path, tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "task": "205",
                "start": f"2026-10-{1 + n // 20:02d}T{8 + n % 20 // 2:02d}:{n % 2 * 30:02d}:00Z",
                "end": f"2026-10-{1 + n // 20:02d}T{8 + n % 20 // 2:02d}:{n % 2 * 30 + 20:02d}:00Z",
            }
        )
        for n in range(400)
    ]
    source = tmp_path / "sessions.jsonl"
    source.write_text("\n".join(lines) + "\n")
    drawn = stderr_on_a_terminal(repo, "import", str(source))
    assert "\rimporting [" in drawn and drawn.endswith("\r\x1b[K")
