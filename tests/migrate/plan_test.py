"""`ffhooks.migrate.plan`: the summaries a tally makes, written, staged and checked."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import SUMMARIES, git

from ffhooks import summary
from ffhooks.config import TeamConfig
from ffhooks.git.plumbing import Repo, find_repo
from ffhooks.migrate.cells import by_store, periods
from ffhooks.migrate.plan import FrozenStore, plan, stage_all, verify
from ffhooks.migrate.sources import find_sources, store_id
from ffhooks.migrate.tally import Tally

NOW = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())
CONFIG = TeamConfig()
SESSIONS = [  # ann: an hour on the 30th, half an hour non-billable, one across into February
    ((2025, 1, 30, 9), (2025, 1, 30, 10), True),
    ((2025, 1, 30, 11), (2025, 1, 30, 11, 30), False),
    ((2025, 1, 31, 23, 30), (2025, 2, 1, 0, 45), True),
]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc).timestamp())


def migrated(repo: Path, extra: int = 0) -> tuple[Repo, Tally, str]:
    """The repository, and a tally of ann's SESSIONS (and `extra` ten-minute sessions on
    2025-02-03) from `export.jsonl`; its store id."""
    (repo / "export.jsonl").write_text('{"task": "69", "user": "ann"}\n')
    found = find_repo(repo)
    assert found is not None
    sources, _ = find_sources(found, ["export.jsonl"])
    t = Tally(sources, ZoneInfo("UTC"), NOW, 12 * 3600)
    t.intern_user("ann")
    t.intern_task("69")
    for n, (start, end, billable) in enumerate(SESSIONS):
        t.count(0, n + 1, 0, 0, utc(*start), utc(*end), billable)
    for n in range(extra):
        t.count(0, 10 + n, 0, 0, utc(2025, 2, 3, 9, 10 * n), utc(2025, 2, 3, 9, 10 * n + 10), True)
    return found, t, store_id(sources[0].sha256, "ann")


def test_a_dry_plan_names_the_files_and_writes_none(repo: Path) -> None:
    found, t, store = migrated(repo)
    written, unchanged, stores = plan(found, t, "UTC", CONFIG, write=False)
    assert written == [  # one store: its seq goes on from month to month
        f"{SUMMARIES}/ann/2025-01/{store}-1.json",
        f"{SUMMARIES}/ann/2025-02/{store}-2.json",
    ]
    assert unchanged == 0
    assert stores == [FrozenStore("ann", store, "export.jsonl", 3600 + 4500, 1800)]
    assert not (repo / SUMMARIES).exists()


def test_written_files_hold_the_tally_and_a_second_plan_keeps_them(repo: Path) -> None:
    found, t, _ = migrated(repo)
    written, _, stores = plan(found, t, "UTC", CONFIG, write=True, signer="ann")
    stage_all(found, written, stores)
    months = by_store(t.cells)[(0, 0)]
    for path in written:
        doc = json.loads((repo / path).read_text())
        assert summary.problems(doc, None) == [], path
        assert doc["totals"] == periods(t.cells, t.tasks, months[doc["month"]], True, True)
        assert (doc["user"], doc["timezone"]) == ("ann", "UTC")
        assert path.endswith(f"-{doc['seq']}.json")
    assert sorted(git(repo, "diff", "--cached", "--name-only").split()) == written
    assert plan(found, t, "UTC", CONFIG, write=True) == ([], 2, stores)


def test_a_changed_month_gets_the_next_seq_and_leaves_the_one_before(repo: Path) -> None:
    found, t, store = migrated(repo)
    first, _, _ = plan(found, t, "UTC", CONFIG, write=True)
    before = {p: (repo / p).read_bytes() for p in first}
    _, more, _ = migrated(repo, extra=2)  # the same source content: the same store
    written, unchanged, stores = plan(found, more, "UTC", CONFIG, write=True)
    assert written == [f"{SUMMARIES}/ann/2025-02/{store}-3.json"]
    assert unchanged == 1  # January
    assert stores[0].billable_seconds == 3600 + 4500 + 1200
    # only added: the files it supersedes are left as they were
    assert all(not summary.is_tombstone(repo / p) for p in first)
    assert {p: (repo / p).read_bytes() for p in first} == before
    doc = json.loads((repo / written[0]).read_text())
    assert doc["totals"]["2025-02-03"]["69"]["sessions"] == 2


def test_a_format_2_team_gets_format_2_and_a_switch_rewrites_nothing(repo: Path) -> None:
    """The team config's format is what migrate writes; the same figures in the other
    format are the same months (nothing written again)."""
    found, t, _ = migrated(repo)
    written, _, _ = plan(found, t, "UTC", CONFIG._replace(summary_format=2), write=True)
    for path in written:
        data = (repo / path).read_bytes()
        raw = json.loads(data)
        assert raw["version"] == 2 and b"billable_seconds" not in data
        doc = summary.loads(data, path, "")
        assert summary.problems(doc, summary.parse_path(path)) == []
    assert plan(found, t, "UTC", CONFIG, write=True)[:2] == ([], 2)


def test_staging_takes_what_an_interrupted_run_left_of_these_stores(repo: Path) -> None:
    found, t, _ = migrated(repo)
    written, _, stores = plan(found, t, "UTC", CONFIG, write=True)
    other = repo / SUMMARIES / "ann" / "2025-01" / "0123456789abcdef-1.json"
    other.write_text("{}")  # another store's file: not ours to stage
    assert git(repo, "diff", "--cached", "--name-only") == ""
    stage_all(found, [], stores)  # this run wrote nothing; the files are already right
    assert sorted(git(repo, "diff", "--cached", "--name-only").split()) == written


def test_verify_compares_each_user_s_seconds(repo: Path) -> None:
    found, t, _ = migrated(repo)
    written, _, stores = plan(found, t, "UTC", CONFIG, write=True)
    assert verify(found, stores) == []
    wrong = [s._replace(billable_seconds=s.billable_seconds + 1) for s in stores]
    assert verify(found, wrong) == [
        "ann: the summaries hold 8100 billable and 1800 non-billable seconds, the sources "
        "8101 and 1800"
    ]
    (repo / written[1]).unlink()  # February: 45 minutes of the session of the 31st
    assert verify(found, stores) == [
        "ann: the summaries hold 5400 billable and 1800 non-billable seconds, the sources "
        "8100 and 1800"
    ]
