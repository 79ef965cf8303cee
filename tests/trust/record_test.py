"""Reading the committed record (issue 27, items 2 and 3): listings by blob id, contents
streamed from one `git cat-file --batch`, and months counted from digests where no day is
asked for, by day where one is, with the same figures either way."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, git
from helpers import read_summary, summary_json

from ffhooks.errors import FatalError
from ffhooks.git.objects import hash_files, stream_objects
from ffhooks.trust import record


def test_stream_objects_gives_each_blob_in_order_and_names_a_missing_one(repo: Path) -> None:
    blobs = []
    for n in range(300):  # more than a pipe holds either way
        data = (f"{n}\n" * (n * 40)).encode()
        (repo / f"f{n}").write_bytes(data)
        blobs.append(data)
    ids = hash_files(repo, [f"f{n}" for n in range(300)])
    git(repo, "add", "-A")
    assert list(stream_objects(repo, ids)) == blobs
    missing = "0" * 40
    with pytest.raises(FatalError, match=f"{missing} cannot be read from git"):
        list(stream_objects(repo, [ids[0], missing]))


def test_a_stream_left_early_stops_its_git(repo: Path) -> None:
    (repo / "f").write_bytes(b"x" * 100_000)
    (blob,) = hash_files(repo, ["f"])
    git(repo, "add", "f")
    stream = stream_objects(repo, [blob] * 200)
    assert next(stream) == b"x" * 100_000
    assert _git_children()  # a git runs while the stream is read
    stream.close()
    assert not _git_children()  # stopped and waited for: not even a zombie


def _git_children() -> list[str]:
    """This process's child processes that are (or were: zombies) git."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if f"\nPPid:\t{os.getpid()}\n" in status and status.startswith("Name:\tgit\n"):
            found.append(pid)
    return found


@pytest.fixture
def two_stores(initialised: Path, ff: Any, tmp_path: Path) -> Path:
    """alice tracks in two clones (two stores): 5 minutes on 205 on 3 November in each."""
    repo = initialised
    assert ff("add", "205", "5m", "--start", "2026-11-03T09:00:00Z").code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "first clone", "--no-verify")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(repo), str(other))
    os.chdir(other)
    try:
        assert ff("add", "205", "5m", "--start", "2026-11-03T14:00:00Z").code == 0
        assert ff("aggregate").code == 0
    finally:
        os.chdir(repo)
    for path in (other / SUMMARIES / "alice" / "2026-11").glob("*.json"):
        target = repo / path.relative_to(other)
        if not target.exists():
            target.write_bytes(path.read_bytes())
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "second clone", "--no-verify")
    assert len(list((repo / SUMMARIES / "alice" / "2026-11").glob("*.json"))) == 2
    return repo


@pytest.mark.parametrize("by", ["user", "user,day", "task,month"])
def test_one_persons_stores_add_up_their_day_before_it_is_rounded(
    two_stores: Path, ff: Any, by: str
) -> None:
    """10 minutes on one day, rounded up to 15: once, not 5 + 5 each rounded to 15."""
    result = ff("report", "--format", "json", "--by", by, "--round", "15")
    assert result.code == 0, result.err
    assert result.json()["totals"]["billable_seconds"] == 900


def test_digest_units_and_day_units_give_the_same_report(initialised: Path, ff: Any) -> None:
    """A month counted from its digest (by user and task) and by day (by day) round and
    price each day alike: the totals agree to the second and the cent."""
    config = initialised / ".flowforge/team/config.json"
    doc = json.loads(config.read_text())
    config.write_text(json.dumps({**doc, "rates": {"default": 33.33}, "currency": "EUR"}))
    for day, minutes in (("03", "7m"), ("04", "22m"), ("05", "7m"), ("17", "41m")):
        assert ff("add", "205", minutes, "--start", f"2026-11-{day}T09:00:00Z").code == 0
    assert ff("add", "ops", "13m", "--start", "2026-11-04T11:00:00Z").code == 0
    assert ff("aggregate").code == 0
    git(initialised, "add", "-A")
    git(initialised, "commit", "-qm", "time", "--no-verify")
    for rounding in ([], ["--round", "15"], ["--round", "10", "--round-mode", "nearest"]):
        figures = []
        for by in ("user,task", "day", "week,task", "month"):
            result = ff("report", "--format", "json", "--by", by, *rounding)
            assert result.code == 0, result.err
            figures.append(result.json()["totals"])
        assert all(f == figures[0] for f in figures), figures


def test_a_listing_of_the_work_tree_names_blobs_as_git_does(initialised: Path, ff: Any) -> None:
    assert ff("add", "205", "1h", "--start", "2026-11-03T09:00:00Z").code == 0
    assert ff("aggregate").code == 0
    listed = record.listing(initialised, None, None)
    git(initialised, "add", "-A")
    git(initialised, "commit", "-qm", "time", "--no-verify")
    assert listed.blobs == record.listing(initialised, "HEAD", None).blobs
    assert len(listed.blobs) == 1


def test_a_price_in_integers_is_decimals_half_up() -> None:
    from decimal import ROUND_HALF_UP, Decimal

    from ffhooks.report.report import pricer

    for rate in ("0", "0.01", "33.33", "95.5", "120", "1234.5678", "-12.5", "0.005"):
        price = pricer(Decimal(rate))
        for seconds in (0, 1, 18, 36, 45, 54, 599, 900, 3599, 3600, 86399, 2_678_400):
            expected = int((Decimal(rate) * seconds / 36).quantize(Decimal(1), ROUND_HALF_UP))
            assert price(seconds) == expected, (rate, seconds)


def test_the_work_tree_is_read_as_it_is_on_disk(initialised: Path, ff: Any) -> None:
    """A committed summary changed on disk and not staged: reformatted, it reads the same;
    with other figures (and its checksum written again), the report of the work tree counts
    what the disk holds, and the report of HEAD what was committed."""
    from ffhooks import summary

    assert ff("add", "205", "1h", "--start", "2026-11-03T09:00:00Z").code == 0
    assert ff("aggregate").code == 0
    git(initialised, "add", "-A")
    git(initialised, "commit", "-qm", "time", "--no-verify")

    def billable(*args: str) -> int:
        result = ff("report", "--format", "json", *args)
        assert result.code == 0, result.err
        seconds: int = result.json()["totals"]["billable_seconds"]
        return seconds

    assert billable() == 3600
    (path,) = (initialised / SUMMARIES / "alice" / "2026-11").glob("*.json")
    doc = read_summary(path)
    path.write_text(summary_json(doc, indent=4).replace("\n", "\r\n"))
    assert billable() == 3600 and record.listing(initialised, None, None).on_disk
    doc["totals"]["2026-11-03"]["205"]["billable_seconds"] = 1800
    doc["sha256"] = summary.checksum(doc)
    path.write_bytes(summary.dumps(doc))
    assert billable() == 1800
    assert billable("--ref", "HEAD") == 3600
    git(initialised, "checkout", "--", str(path))
    assert billable() == 3600 and not record.listing(initialised, None, None).on_disk
