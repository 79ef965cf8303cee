"""`ffhooks audit`: every change to the billed record on a branch, from git history alone.
Its central promise: the changes of a range add up, to the second, to the report at the
range's end minus the report at its start."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git, set_now

ZERO = {"billable_seconds": 0, "non_billable_seconds": 0, "sessions": 0}


def at(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """Commits are made at noon UTC of `day` (2026-11-DD)."""
    stamp = f"2026-11-{day}T12:00:00Z"
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)


def record(ff: Any, repo: Path, user: str, task: str, duration: str, start: str) -> None:
    """`user` adds a session, folds it, and commits (the hook's fold, by hand)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FFHOOKS_USER", user)
        result = ff("add", task, duration, "--start", start)
    assert result.code == 0, result.err
    assert ff("aggregate").code == 0
    done = commit(repo, "-m", f"{user} {task} {duration}")
    assert done.returncode == 0, done.stderr


def totals(ff: Any, ref: str | None, users: tuple[str, ...] = ()) -> dict[str, int]:
    """`report --ref REF --format json --ignore-closed` totals (nothing before any commit)."""
    if ref is None:
        return ZERO
    args = ["report", "--ref", ref, "--format", "json", "--ignore-closed"]
    result = ff(*args, *(x for u in users for x in ("--user", u)))
    if result.code == 1 and "no summaries" in result.err:
        return ZERO
    assert result.code == 0, result.err
    found: dict[str, int] = result.json()["totals"]
    return found


def audited(ff: Any, *args: str) -> dict[str, Any]:
    result = ff("audit", "--format", "json", *args)
    assert result.code == 0, result.err
    found: dict[str, Any] = result.json()
    return found


def check_sums(ff: Any, *args: str, users: tuple[str, ...] = ()) -> dict[str, Any]:
    """The audit of a range adds up to the difference of the reports at its ends."""
    trail = audited(ff, *args, *(x for u in users for x in ("--user", u)))
    start, end = totals(ff, trail["start"], users), totals(ff, trail["end"], users)
    want = {k: end[k] - start[k] for k in ZERO}
    assert trail["totals"] == want, (args, trail)
    rows = [r for c in trail["changes"] for r in c["rows"]]
    assert {k: sum(r[k] for r in rows) for k in ZERO} == want
    for change in trail["changes"]:
        for row in change["rows"]:
            assert all(type(row[k]) is int for k in ZERO)
    return trail


@pytest.fixture
def history(initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """November of alice and bob: plain commits, a merge of two branches, a `git revert` of
    a fold, a squash merge, and compaction; each commit at noon of its day."""
    repo = initialised
    at(monkeypatch, "02")
    git(repo, "add", "-A")
    assert commit(repo, "-m", "set up").returncode == 0
    at(monkeypatch, "03")
    record(ff, repo, "alice", "12", "1h", "2026-11-03T09:00:00Z")
    at(monkeypatch, "05")
    record(ff, repo, "bob", "13", "2h", "2026-11-05T09:00:00Z")
    # two branches, merged
    git(repo, "switch", "-qc", "feature")
    at(monkeypatch, "06")
    record(ff, repo, "alice", "14", "30m", "2026-11-06T09:00:00Z")
    git(repo, "switch", "-q", "main")
    at(monkeypatch, "07")
    (repo / "code.txt").write_text("meanwhile on main\n")
    git(repo, "add", "code.txt")
    assert commit(repo, "-m", "code").returncode == 0
    at(monkeypatch, "08")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    record(ff, repo, "bob", "13", "1h", "2026-11-08T09:00:00Z")
    # a fold reverted
    at(monkeypatch, "09")
    record(ff, repo, "alice", "12", "45m", "2026-11-09T09:00:00Z")
    at(monkeypatch, "10")
    git(repo, "revert", "--no-edit", "HEAD")
    # a squash merge
    git(repo, "switch", "-qc", "squashed")
    at(monkeypatch, "11")
    record(ff, repo, "bob", "15", "20m", "2026-11-11T09:00:00Z")
    record(ff, repo, "alice", "15", "10m", "2026-11-11T10:00:00Z")
    git(repo, "switch", "-q", "main")
    at(monkeypatch, "12")
    git(repo, "merge", "-q", "--squash", "squashed")
    git(repo, "commit", "-qm", "squashed", "--no-verify")
    # compaction: only superseded files go, nothing live changes
    at(monkeypatch, "13")
    assert ff("compact").code == 0
    at(monkeypatch, "14")
    record(ff, repo, "alice", "12", "15m", "2026-11-14T09:00:00Z")
    return repo


RANGES = [
    (),
    ("--from", "2026-11-04"),
    ("--to", "2026-11-08"),
    ("--from", "2026-11-06", "--to", "2026-11-08"),  # the merge
    ("--from", "2026-11-09", "--to", "2026-11-10"),  # a fold and its revert
    ("--from", "2026-11-11", "--to", "2026-11-13"),  # the squash merge and compaction
    ("--from", "2026-11-13", "--to", "2026-11-13"),  # compaction alone
    ("--from", "2026-12-01"),  # after everything
    ("--to", "2026-11-01"),  # before anything
]


@pytest.mark.parametrize("args", RANGES, ids=" ".join)
def test_changes_add_up_to_the_difference_of_the_reports(
    history: Path, ff: Any, args: tuple[str, ...]
) -> None:
    check_sums(ff, *args)
    check_sums(ff, *args, users=("bob",))


def test_what_each_change_says(history: Path, ff: Any) -> None:
    trail = check_sums(ff)
    head = git(history, "rev-parse", "HEAD").strip()
    assert trail["commit"] == head and trail["end"] == head and trail["start"] is None
    changes = trail["changes"]
    first = changes[0]
    assert (first["user"], first["month"], first["before"]) == ("alice", "2026-11", None)
    assert first["rows"] == [
        {
            "period": "2026-11-03",
            "task": "12",
            "billable_seconds": 3600,
            "non_billable_seconds": 0,
            "sessions": 1,
        }
    ]
    assert first["author"] == "Test <tester@example.com>" and first["signer"] == "unsigned"
    assert first["entered"].startswith("2026-11-03T12:00:00")
    # the merge: the change names the commit on the branch that wrote it, and the merge
    merge = git(history, "rev-parse", "main^{/merge feature}").strip()
    [merged] = [c for c in changes if c["via"] == merge]
    on_branch = git(history, "rev-parse", "feature").strip()
    assert merged["commit"] == on_branch and merged["rows"][0]["task"] == "14"
    assert merged["rows"][0]["billable_seconds"] == 1800
    # the revert takes the 45 minutes away again
    revert = git(history, "rev-parse", "main^{/Revert}").strip()
    [undone] = [c for c in changes if c["via"] == revert]
    assert undone["totals"]["billable_seconds"] == -2700 and undone["after"] is not None
    # compaction changes nothing live, so it is no change
    compacted = git(history, "log", "-1", "--format=%H", "--grep=ompact").strip()
    assert compacted and not [c for c in changes if c["via"] == compacted]


def test_user_filter_and_unknown_user(history: Path, ff: Any) -> None:
    trail = audited(ff, "--user", "BOB")
    assert trail["users"] == ["bob"] and {c["user"] for c in trail["changes"]} == {"bob"}
    unknown = ff("audit", "--user", "carol")
    assert unknown.code == 1 and "carol" in unknown.err and "alice" in unknown.err
    assert len(unknown.err.strip().splitlines()) == 1


def test_formats(history: Path, ff: Any) -> None:
    trail = audited(ff)
    text = ff("audit", "--format", "csv").out
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sum(int(r["billable_seconds"]) for r in rows) == trail["totals"]["billable_seconds"]
    assert {r["via"] for r in rows} == {c["via"] for c in trail["changes"]}
    assert rows[0]["period"] == "2026-11-03" and rows[0]["task"] == "12"
    table = ff("audit").out
    assert "+1:00:00" in table and "TOTAL" in table and "-0:45:00" in table
    billable = trail["totals"]["billable_seconds"]
    total_line = next(line for line in table.splitlines() if line.startswith("TOTAL"))
    assert f"+{billable // 3600}:{billable % 3600 // 60:02d}:{billable % 60:02d}" in total_line


def test_bad_ref_and_dates_are_one_line(history: Path, ff: Any) -> None:
    for args, code in (
        (("--ref", "no-such-branch"), 1),
        (("--from", "someday"), 1),
        (("--from", "2026-11-10", "--to", "2026-11-01"), 1),
        (("--format", "xml"), 2),  # argparse's usage error
    ):
        result = ff("audit", *args)
        assert result.code == code, args
        if code == 1:
            assert result.err.startswith("ffhooks: ") and len(result.err.strip().splitlines()) == 1


def test_a_change_after_closing_is_flagged(
    history: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_now(monkeypatch, "2026-12-02T12:00:00Z")
    at(monkeypatch, "30")
    assert ff("close", "2026-11").code == 0
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-12-03T12:00:00Z")
    record(ff, history, "alice", "12", "2h", "2026-11-05T09:00:00Z")  # late November time
    trail = check_sums(ff)
    late = trail["changes"][-1]
    assert late["closed"] == ["ffhooks/closed/2026-11"]
    assert late["rows"][0]["billable_seconds"] == 7200
    assert all(c["closed"] == [] for c in trail["changes"][:-1])
    assert "CLOSED 2026-11" in ff("audit").out


def test_a_signed_summary_names_its_signer(
    initialised: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trust.signing_test import configure, fingerprint, forge, keygen, newest

    repo = initialised
    key = keygen(tmp_path, "alice")
    git(repo, "config", "user.signingkey", str(key))
    configure(repo, signatures="warn")
    assert ff("init", "--signing").code == 0
    at(monkeypatch, "03")
    record(ff, repo, "alice", "12", "1h", "2026-11-03T09:00:00Z")
    # someone else's key, unknown to the team, signs a forged higher seq for alice
    path = newest(repo, "alice")
    other = keygen(tmp_path, "mallory")
    forged = forge(repo, path, 9, other)
    git(repo, "add", forged)
    at(monkeypatch, "04")
    commit(repo, "-m", "forged")
    changes = check_sums(ff)["changes"]
    assert [(c["signer"], c["verified"]) for c in changes] == [
        ("alice", True),
        (fingerprint(other), False),
    ]
    assert changes[0]["key"] == fingerprint(key)
    assert "SIGNATURE DOES NOT VERIFY" in ff("audit").out


def test_fresh_and_bare_clones(history: Path, ff: Any, tmp_path: Path, monkeypatch: Any) -> None:
    want = audited(ff, "--from", "2026-11-05")
    for how in ("fresh", "--bare"):
        target = tmp_path / f"clone-{how}"
        git(tmp_path, "clone", "-q", *([how] if how != "fresh" else []), str(history), str(target))
        monkeypatch.chdir(target)
        got = audited(ff, "--from", "2026-11-05")
        assert got == want, how


def test_a_shallow_clone_is_refused(
    history: Path, ff: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    target = tmp_path / "shallow"
    subprocess.run(
        ("git", "clone", "-q", "--depth", "2", f"file://{history}", str(target)), check=True
    )
    monkeypatch.chdir(target)
    result = ff("audit")
    assert result.code == 2 and "git fetch --unshallow" in result.err
    assert len(result.err.strip().splitlines()) == 1
