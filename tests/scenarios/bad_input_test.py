"""Bad input is refused in one line naming it and the fix (exit 1, or argparse's 2), never
answered as an ffhooks bug (exit 3), and nothing is written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, git

CONFIG = ".flowforge/team/config.json"


def one_line(result: Result, *named: str, code: int = 1) -> None:
    """Refused with `code` and one `ffhooks:` line that names each of `named`."""
    assert result.code == code, result
    assert len(result.err.splitlines()) == 1 and result.err.startswith("ffhooks: "), result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    for text in named:
        assert text in result.err, (text, result.err)


def listed(result: Result, source: str, *named: str) -> None:
    """Refused like `import` does: one `SOURCE...: problem` line per bad entry, then one
    `ffhooks:` line."""
    assert result.code == 1, result
    *entries, last = result.err.splitlines()
    assert entries and all(line.startswith(source) for line in entries), result.err
    assert last.startswith("ffhooks: ") and "internal error" not in result.err
    for text in named:
        assert text in result.err, (text, result.err)


def state(ff: Any) -> tuple[str, str]:
    """Everything a refused command must leave as it was: the sessions and the timer."""
    sessions, timer = ff("log", "--all", "--json"), ff("status", "--json")
    assert sessions.code == 0 and timer.code == 0, (sessions, timer)
    return sessions.out, timer.out


@pytest.fixture
def tracked(ff: Any, repo: Path) -> str:
    """One session 10:00-11:00 and a timer running since 16:00; the session's id."""
    added = ff("add", "205", "1h", "--start", "10:00")
    assert added.code == 0, added.err
    assert ff("start", "206", "--at", "16:00").code == 0
    found: str = json.loads(ff("log", "--all", "--json").out)["sessions"][0]["id"]
    return found


@pytest.mark.parametrize(
    "argv",
    [
        ("add", "205", "1h", "--start", "0001-01-01T00:00:00Z"),
        ("add", "205", "1h", "--start", "9999-12-31T23:00:00+01:00"),
        ("add", "205", "1h", "--date", "9999-12-31"),
        ("add", "205", "1h", "--date", "0001-01-01"),
        ("log", "--from", "0001-01-01"),
        ("log", "--to", "9999-12-31"),
        ("start", "207", "--at", "0001-01-01T00:00:00Z"),
        ("stop", "--at", "0001-01-01T00:00:00Z"),
        ("stop", "--at", "9999-12-31"),
        ("edit", "ID", "--start", "0001-01-01T00:00:00Z"),
        ("edit", "ID", "--end", "9999-12-31T23:59:59Z"),
        ("report", "--from", "0001-01-01"),
        ("report", "--to", "9999-12-31"),
    ],
)
def test_a_date_near_the_ends_of_time_is_refused(
    ff: Any, tracked: str, argv: tuple[str, ...]
) -> None:
    before = state(ff)
    result = ff(*(tracked if a == "ID" else a for a in argv))
    one_line(result, argv[-1], "outside the years 1970 to 9000")
    assert state(ff) == before


IMPOSSIBLE = [("2026-11-31", "November has 30 days"), ("2026-02-29", "2026 is not a leap year")]


@pytest.mark.parametrize(("day", "says"), IMPOSSIBLE, ids=[d for d, _ in IMPOSSIBLE])
@pytest.mark.parametrize(
    "argv",
    [
        ("add", "205", "1h", "--date", "DAY"),
        ("add", "205", "1h", "--start", "DAY 09:00"),
        ("log", "--from", "DAY"),
        ("log", "--to", "DAY"),
        ("start", "207", "--at", "DAYT09:00:00Z"),
        ("stop", "--at", "DAY 17:00"),
        ("pause", "--at", "DAY 17:00"),
        ("edit", "ID", "--start", "DAY 09:00"),
        ("edit", "ID", "--end", "DAY 12:00"),
        ("edit", "current", "--start", "DAY 15:00"),
        ("report", "--from", "DAY"),
        ("report", "--to", "DAY"),
        ("audit", "--from", "DAY"),
        ("close", "--from", "DAY", "--to", "2026-12-01"),
    ],
    ids=" ".join,
)
def test_an_impossible_date_says_what_is_wrong_with_it(
    ff: Any, tracked: str, argv: tuple[str, ...], day: str, says: str
) -> None:
    """Every option that takes a day or a time reads it alike: one line naming it, and
    what is wrong with it; exit 1."""
    before = state(ff)
    result = ff(*(tracked if a == "ID" else a.replace("DAY", day) for a in argv))
    one_line(result, f"{day}", f": {says}\n")
    assert state(ff) == before


def test_a_clock_at_the_end_of_time_is_refused(
    ff: Any, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FFHOOKS_NOW", "0001-01-01T00:00:00Z")
    one_line(ff("log"), "FFHOOKS_NOW", "outside the years")


def test_an_import_near_the_ends_of_time_is_refused(ff: Any, tracked: str, repo: Path) -> None:
    before = state(ff)
    lines = repo / "old.jsonl"
    lines.write_text(
        '{"task": "9", "start": "0001-01-01T00:00:00Z", "end": "0001-01-01T01:00:00Z"}\n'
        '{"task": "9", "start": "9999-12-31T22:00:00Z", "end": "9999-12-31T23:00:00Z"}\n'
    )
    listed(ff("import", "old.jsonl"), "old.jsonl:", "old.jsonl:1:", "old.jsonl:2:", "outside")
    watson = repo / "frames"
    watson.write_text('[[-62135596800, -62135593200, "p", "abcdef12", []]]')
    listed(ff("import", "frames"), "frames[0]", "outside the years")
    timew = repo / "timew.json"
    timew.write_text('[{"start": "00010101T000000Z", "end": "00010101T010000Z", "tags": ["x"]}]')
    listed(ff("import", "timew.json"), "timew.json[0]", "outside the years")
    assert state(ff) == before


@pytest.mark.parametrize("duration", ["99999999999h", "99999999999:00", "9" * 5000 + "h"])
def test_an_absurd_duration_is_refused(ff: Any, tracked: str, duration: str) -> None:
    before = state(ff)
    one_line(ff("add", "x", duration, "--force"), duration[:20], "longer than a year")
    assert state(ff) == before


def test_report_output_must_be_a_file_in_an_existing_folder(ff: Any, repo: Path) -> None:
    one_line(ff("report", "-o", "/"), "-o /", "is a folder")
    one_line(ff("report", "-o", "missing/dir/file.html"), "missing/dir does not exist")
    assert not (repo / "missing").exists()
    assert ff("report", "-o", "report.html").code == 0 and (repo / "report.html").is_file()


@pytest.mark.parametrize(
    "rates",
    ['{"default": 1e30}', '{"default": 1e400}', '{"users": {"alice": 1e30}}'],
)
def test_an_absurd_rate_is_refused_naming_the_config(ff: Any, repo: Path, rates: str) -> None:
    assert ff("add", "205", "1h").code == 0 and ff("aggregate").code == 0
    (repo / CONFIG).write_text(f'{{"rates": {rates}}}')
    one_line(ff("report"), CONFIG, "$.rates.", "maximum")
    checked = ff("validate", "--all")
    assert checked.code == 1 and f"{CONFIG}::$.rates." in checked.out


def test_a_plausible_rate_still_prices_the_report(ff: Any, repo: Path) -> None:
    assert ff("add", "205", "1h").code == 0 and ff("aggregate").code == 0
    (repo / CONFIG).write_text('{"rates": {"default": 1000000000}, "currency": "IDR"}')
    result = ff("report", "--format", "json")
    assert result.code == 0 and result.json()["totals"]["amount"] == "1000000000.00"


def piped(argv: list[str], *, buffered: bool) -> subprocess.CompletedProcess[str]:
    """`ffhooks ARGV | head` where the reader has already gone: stdout is a pipe whose read
    end is closed, so every write meets a broken pipe. Buffered, short output meets it only
    at the flush on the way out; unbuffered (PYTHONUNBUFFERED), inside the command."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "ffhooks", *argv],
            env=env,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=60,
        )
    finally:
        os.close(write)


def test_a_reader_leaving_early_ends_ffhooks_quietly(ff: Any, repo: Path) -> None:
    many = repo / "many.jsonl"
    with open(many, "w") as handle:
        for day in range(1, 301):  # more than a buffer of output: it breaks inside the command
            start = f"2026-{1 + (day - 1) // 28:02d}-{1 + (day - 1) % 28:02d}"
            handle.write(
                json.dumps(
                    {"task": "205", "start": f"{start}T09:00:00Z", "end": f"{start}T10:00:00Z"}
                )
                + "\n"
            )
    assert ff("import", "many.jsonl").code == 0 and ff("aggregate").code == 0
    for argv in (["log", "--all"], ["report"], ["report", "--format", "json"], ["status"]):
        for buffered in (True, False):
            proc = piped(argv, buffered=buffered)
            assert proc.returncode in (0, 141), (argv, buffered, proc.returncode, proc.stderr)
            assert proc.stderr == "", (argv, buffered, proc.stderr)


def test_an_imported_line_of_another_user_is_refused(ff: Any, tracked: str, repo: Path) -> None:
    before = state(ff)
    (repo / "theirs.jsonl").write_text(
        '{"task": "9", "start": "2026-11-19T10:00:00Z", "end": "2026-11-19T11:00:00Z", '
        '"user": "bob"}\n'
    )
    listed(ff("import", "theirs.jsonl"), "theirs.jsonl:1:", "'bob'", "--user")
    assert state(ff) == before
    (repo / "mine.jsonl").write_text(
        '{"task": "9", "start": "2026-11-19T10:00:00Z", "end": "2026-11-19T11:00:00Z", '
        '"user": "alice"}\n'
    )
    assert ff("import", "mine.jsonl").code == 0


def test_the_task_star_is_refused_everywhere(ff: Any, tracked: str, repo: Path) -> None:
    before = state(ff)
    for argv in (
        ("start", "*"),
        ("add", "*", "1h", "--start", "12:00"),
        ("edit", tracked, "--task", "*"),
    ):
        one_line(ff(*argv), "task '*'", "no per-task split")
    (repo / "star.jsonl").write_text(
        '{"task": "*", "start": "2026-11-19T10:00:00Z", "end": "2026-11-19T11:00:00Z"}\n'
    )
    listed(ff("import", "star.jsonl"), "star.jsonl:1:", "task '*'")
    assert state(ff) == before


@pytest.mark.parametrize(
    ("files", "schema", "at"),
    [
        ("OUTSIDE/*.json", "OUTSIDE/schema.json", "files"),  # absolute
        ("../outside/*.json", "schemas/s.json", "files"),
        ("config/../../outside/*.json", "schemas/s.json", "files"),
        ("config/*.json", "OUTSIDE/schema.json", "schema"),
        ("config/*.json", "../outside/schema.json", "schema"),
    ],
)
def test_validate_rules_cannot_reach_outside_the_repository(
    ff: Any, repo: Path, files: str, schema: str, at: str
) -> None:
    outside = repo.parent / "outside"
    outside.mkdir()
    (outside / "schema.json").write_text('{"type": "string"}')
    (outside / "data.json").write_text("{}")
    rule = {"files": files.replace("OUTSIDE", str(outside)), "schema": schema}
    rule["schema"] = rule["schema"].replace("OUTSIDE", str(outside))
    (repo / ".flowforge/team").mkdir(parents=True)
    (repo / CONFIG).write_text(json.dumps({"validate": [rule]}))
    checked = ff("validate", "--all")
    assert checked.code == 1 and checked.err.startswith("ffhooks: "), checked
    assert (
        f"{CONFIG}::$.validate[0].{at}: " in checked.out and "inside the repository" in checked.out
    )
    assert "data.json" not in checked.out
    named = (CONFIG, f"$.validate[0].{at}", "inside the repository")
    if checked.out.count("inside the repository") == 1:
        one_line(ff("report"), *named)
    else:  # both paths outside: each named, on a line of its own
        listed(ff("report"), f"{CONFIG}::$.validate[0].", *named)


@pytest.mark.parametrize("content", ['{"foo": 1}', "{}", '{"sessions": [], "metadata": {}}'])
@pytest.mark.parametrize("dry_run", [False, True])
def test_migrate_of_a_file_with_no_task_is_refused(
    ff: Any, repo: Path, content: str, dry_run: bool
) -> None:
    (repo / "nothing.json").write_text(content)
    result = ff("migrate", "--source", "nothing.json", *(["--dry-run"] if dry_run else []))
    one_line(result, "nothing.json", "holds no task", "--source")
    assert not (repo / ".flowforge").exists()
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == "?? nothing.json\n"


@pytest.mark.parametrize("fmt", ["jsonl", "watson", "timewarrior"])
def test_import_of_a_missing_file_with_a_format_is_refused(ff: Any, repo: Path, fmt: str) -> None:
    one_line(ff("import", "--format", fmt, "missing.json"), "missing.json", "cannot read it")
    assert not (repo / ".flowforge").exists()
