"""The digest cache (issue 27, item 3): what a report or `verify` keeps of each summary blob
once checked, in the clone's machine state. It saves reading, never decides a total: a
tampered file, an entry that stands for another blob, or the same file name holding other
figures elsewhere all give the figures the summaries hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, git

from ffhooks import summary
from ffhooks.validator.digest import FORMAT, DigestCache

DIGESTS = ".git/ffhooks/digests/2026-11"


@pytest.fixture
def team(initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """alice with 1h on 205 and bob with 3h on 207 in November, committed."""
    for user, task, duration in (("alice", "205", "1h"), ("bob", "207", "3h")):
        monkeypatch.setenv("FFHOOKS_USER", user)
        assert ff("add", task, duration, "--start", "2026-11-03T09:00:00Z").code == 0
        assert ff("aggregate").code == 0
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    git(initialised, "add", "-A")
    git(initialised, "commit", "-qm", "time", "--no-verify")
    return initialised


def totals(ff: Any, *args: str) -> dict[str, Any]:
    result = ff("report", "--format", "json", "--by", "user", *args)
    assert result.code == 0, result.err
    return {r["user"]: r["billable_seconds"] for r in result.json()["rows"]}


def entries(repo: Path) -> tuple[bytes, dict[str, Any]]:
    head, _, body = (repo / DIGESTS).read_bytes().partition(b"\n")
    return head, json.loads(body)


def blob(repo: Path, user: str) -> str:
    listed = git(repo, "ls-tree", "-r", "HEAD", "--", f"{SUMMARIES}/{user}/")
    (line,) = listed.splitlines()
    return line.split()[2]


def forge(repo: Path, change: Any) -> None:
    """Change the cache's entries, as someone without its key would: the seal stays."""
    head, found = entries(repo)
    change(found)
    (repo / DIGESTS).write_bytes(head + b"\n" + json.dumps(found).encode())


@pytest.mark.parametrize("ref", [[], ["--ref", "HEAD"]])
def test_a_second_report_reads_the_cache_and_gives_the_same_figures(
    team: Path, ff: Any, ref: list[str]
) -> None:
    assert not (team / DIGESTS).exists()
    first = totals(ff, *ref)
    assert first == {"alice": 3600, "bob": 10800}
    head, found = entries(team)
    assert head.startswith(FORMAT + b" ") and set(found) == {blob(team, "alice"), blob(team, "bob")}
    assert totals(ff, *ref) == first
    assert (team / ".git/ffhooks/digests.key").stat().st_mode & 0o077 == 0  # the key is private


def test_a_tampered_entry_is_never_counted(team: Path, ff: Any) -> None:
    totals(ff)
    alice = blob(team, "alice")

    def more_hours(found: dict[str, Any]) -> None:
        found[alice][10]["205"][1] = "36000"  # 10 h instead of 1 h on her day

    forge(team, more_hours)
    assert totals(ff) == {"alice": 3600, "bob": 10800}
    assert totals(ff, "--ref", "HEAD") == {"alice": 3600, "bob": 10800}
    _, rebuilt = entries(team)  # the file that failed its seal was replaced, sealed again
    assert rebuilt[alice][10]["205"][1] == "3600"


def test_an_entry_under_another_blobs_id_is_never_counted(team: Path, ff: Any) -> None:
    """The collision an attacker can try without breaking SHA-1: bob's digest filed under
    alice's blob id (and, with the seal of a key he does not have, nothing at all)."""
    totals(ff)
    alice, bob = blob(team, "alice"), blob(team, "bob")

    def swapped(found: dict[str, Any]) -> None:
        found[alice] = found[bob]

    forge(team, swapped)
    assert totals(ff) == {"alice": 3600, "bob": 10800}
    # even sealed with the right key (a bug in ffhooks filing one blob's digest under
    # another's id), a digest that names another summary than the path it is read under
    # is not taken: bob's figures never stand for alice's
    cache = DigestCache(team / ".git/ffhooks")
    cache.put(alice, "2026-11", cache.get(bob, "2026-11"))  # type: ignore[arg-type]
    cache.save()
    assert entries(team)[1][alice][0] == "bob"
    assert totals(ff) == {"alice": 3600, "bob": 10800}


def test_a_file_name_with_other_figures_on_another_branch_counts_its_own(
    team: Path, ff: Any
) -> None:
    """The same summary path, another content (a branch where alice's month was written
    again with the same seq: history rewritten): each blob is its own entry."""
    totals(ff, "--ref", "HEAD")
    path = next(p for p in git(team, "ls-files", SUMMARIES).split() if "/alice/" in p)
    git(team, "checkout", "-qb", "other")
    doc = summary.loads((team / path).read_bytes(), path, "")  # either format
    doc["totals"]["2026-11-03"]["205"]["billable_seconds"] = 1800
    doc["sha256"] = summary.checksum(doc)
    (team / path).write_bytes(summary.dumps(doc))
    git(team, "commit", "-qam", "half an hour", "--no-verify")
    assert totals(ff, "--ref", "other")["alice"] == 1800
    assert totals(ff, "--ref", "other~1")["alice"] == 3600
    assert totals(ff)["alice"] == 1800  # the work tree, hashed as it is on disk


def test_a_summary_copied_under_another_name_is_refused_though_its_blob_is_known(
    team: Path, ff: Any
) -> None:
    totals(ff)
    source = next((team / SUMMARIES / "alice" / "2026-11").glob("*.json"))
    copy = team / SUMMARIES / "carol" / "2026-11" / source.name
    copy.parent.mkdir(parents=True)
    copy.write_bytes(source.read_bytes())
    result = ff("report")
    assert result.code == 1
    assert f"carol/2026-11/{source.name}" in result.err
    assert "disagrees with the file name" in result.err


def test_an_unreadable_or_foreign_cache_file_is_ignored(team: Path, ff: Any) -> None:
    totals(ff)
    for text in (b"", b"not a cache\n{}", FORMAT + b" 00\n{}", FORMAT + b" x\n[1, 2"):
        (team / DIGESTS).write_bytes(text)
        assert totals(ff) == {"alice": 3600, "bob": 10800}
    (team / ".git/ffhooks/digests.key").write_bytes(b"short")  # a new key: the old seal fails
    assert totals(ff) == {"alice": 3600, "bob": 10800}


def test_verify_reads_again_what_changed_and_finds_it(team: Path, ff: Any) -> None:
    assert ff("verify").code == 0
    path = next((team / SUMMARIES / "bob" / "2026-11").glob("*.json"))
    doc = summary.loads(path.read_bytes(), str(path), "")  # either format
    doc["totals"]["2026-11-03"]["207"]["billable_seconds"] = 7200  # checksum left as it was
    path.write_bytes(summary.dumps(doc))
    git(team, "commit", "-qam", "edited", "--no-verify")
    result = ff("verify")
    assert result.code == 1 and "does not match the content" in result.out


def test_a_sealed_entry_that_is_not_a_digest_is_left_out(team: Path, ff: Any) -> None:
    totals(ff)
    alice = blob(team, "alice")
    for bad in ("10 hours", None, "36000*"):
        _, found = entries(team)
        found[alice][10]["205"][1] = bad
        body = json.dumps(found).encode()
        cache = DigestCache(team / ".git/ffhooks")
        seal = cache._seal(body).encode()  # as a bug in ffhooks, with the clone's own key
        (team / DIGESTS).write_bytes(FORMAT + b" " + seal + b"\n" + body)
        assert totals(ff) == {"alice": 3600, "bob": 10800}
        assert entries(team)[1][alice][10]["205"][1] == "3600"  # written again, well formed
