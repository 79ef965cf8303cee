"""The commit path never loses or invents a billable second, whatever git or the user does:
the index is reconciled at every aggregation, a running timer's time is withdrawn when it
ends earlier and capped while it runs, every store is folded, and no commit takes billed time
out of the record."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, clean_team_folder, commit, git, set_now, store_dir, tree_total
from helpers import read_summary, summary_json

from ffhooks.summary import TOMBSTONE


def billed(ff: Any, *extra: str) -> int:
    """Billable seconds the work tree's summaries hold."""
    result = ff("report", "--format", "json", *extra)
    assert result.code == 0, result.err
    total: int = result.json()["totals"]["billable_seconds"]
    return total


def base_commit(repo: Path) -> None:
    (repo / "a.txt").write_text("a\n")
    git(repo, "add", "-A")
    assert commit(repo, "-m", "base").returncode == 0


def in_index(repo: Path) -> list[str]:
    return git(repo, "ls-files", "--", SUMMARIES).split()


# -- 1. every newest summary reaches the index ------------------------------------------------


@pytest.mark.slow
def test_reset_head_1_then_the_next_commit_still_carries_the_time(hooked: Path, ff: Any) -> None:
    repo = hooked
    base_commit(repo)
    ff("add", "205", "1h", "--start", "09:00")
    assert commit(repo, "--allow-empty", "-m", "work").returncode == 0
    assert tree_total(repo) == 3600
    git(repo, "reset", "-q", "HEAD~1")  # "undo last commit": the summary is now untracked
    assert in_index(repo) == []
    status = ff("recover", "--json")
    assert status.code == 1
    [lost] = status.json()["unstaged_summaries"]
    assert lost.startswith(f"{SUMMARIES}/alice/2026-11/") and (repo / lost).is_file()
    [condition] = status.json()["conditions"]
    assert condition["kind"] == "unstaged-summary" and "commit" in condition["fix"]
    (repo / "a.txt").write_text("a2\n")
    result = commit(repo, "-am", "work again", terminal=True)
    assert result.returncode == 0, result.stderr
    assert "the index had lost" in result.stdout + result.stderr
    assert tree_total(repo) == 3600
    assert clean_team_folder(repo)
    assert ff("recover").code == 0


@pytest.mark.slow
def test_reset_hard_and_stash_rewrite_what_went_missing(hooked: Path, ff: Any) -> None:
    repo = hooked
    base_commit(repo)
    ff("add", "205", "1h", "--start", "09:00")
    assert commit(repo, "--allow-empty", "-m", "work").returncode == 0
    git(repo, "reset", "-q", "--hard", "HEAD~1")  # the summary file is gone from disk too
    assert ff("recover").code == 1
    assert commit(repo, "--allow-empty", "-m", "again").returncode == 0
    assert tree_total(repo) == 3600
    ff("add", "205", "1h", "--start", "11:00")
    assert ff("aggregate").code == 0  # staged, not committed...
    git(repo, "stash", "-q")  # ...and stashed away with the staged summary
    assert commit(repo, "--allow-empty", "-m", "after stash").returncode == 0
    assert tree_total(repo) == 7200
    git(repo, "stash", "pop", "-q")  # brings back an older copy: still exact
    assert commit(repo, "--allow-empty", "-m", "after pop").returncode == 0
    assert tree_total(repo) == 7200


def test_held_index_lock_is_queued_reported_and_healed(hooked: Path, ff: Any) -> None:
    repo = hooked
    ff("add", "205", "1h", "--start", "09:00")
    lock = repo / ".git/index.lock"
    lock.write_text("")  # an IDE's git process holds the index
    result = ff("aggregate", "--hook")
    assert result.code == 0 and "ffhooks recover" in result.err
    assert in_index(repo) == []
    lock.unlink()
    status = ff("recover")
    assert status.code == 1 and "not in the index" in status.out
    # the queued retry stages it; retry never says "done" while a summary is left out
    retry = ff("recover", "retry")
    assert retry.code == 0, retry.out + retry.err
    assert len(in_index(repo)) == 1
    assert ff("recover").code == 0


def test_retry_stages_what_a_reset_left_out(initialised: Path, ff: Any) -> None:
    repo = initialised
    ff("add", "205", "1h", "--start", "09:00")
    assert ff("aggregate").code == 0
    git(repo, "rm", "-q", "--cached", "-r", SUMMARIES)  # as a mixed reset leaves it
    retry = ff("recover", "retry", "--json")
    assert retry.code == 0 and retry.json()["unstaged_summaries"] == []
    assert len(in_index(repo)) == 1
    # an index that cannot be written: retry fails and says which file is left out
    git(repo, "rm", "-q", "--cached", "-r", SUMMARIES)
    (repo / ".git/index.lock").write_text("")
    retry = ff("recover", "retry")
    assert retry.code == 1 and "not in the index" in retry.out
    (repo / ".git/index.lock").unlink()


def test_a_write_that_fails_midway_is_staged_whole_next_time(initialised: Path, ff: Any) -> None:
    repo = initialised
    ff("add", "1", "1h", "--start", "2026-10-30 09:00")
    ff("add", "1", "2h", "--start", "2026-11-20 09:00")
    blocker = repo / SUMMARIES / "alice" / "2026-11"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the November folder should be")
    assert ff("aggregate").code == 1  # October written, November not, nothing staged
    assert in_index(repo) == []
    blocker.unlink()
    assert ff("aggregate").code == 0
    assert sorted(p.split("/")[4] for p in in_index(repo)) == ["2026-10", "2026-11"]
    assert billed(ff) == 3 * 3600


# -- 2. and 3. running timers: withdrawn when they end earlier, capped while they run --------


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (("stop", "--at", "12:00"), 3 * 3600),
        (("stop", "--at", "09:00"), 0),  # stopped at its own start: nothing recorded
        (("start", "300", "--at", "10:00"), 3600),  # another task from 10:00, not yet folded
        (("pause", "--at", "11:00"), 2 * 3600),
    ],
)
def test_time_of_a_running_timer_is_withdrawn_when_it_ends_earlier(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, how: tuple[str, ...], expected: int
) -> None:
    ff("start", "205", "--at", "09:00")
    ff("aggregate")  # commits the timer up to now: 8 h
    assert billed(ff) == 8 * 3600
    assert ff(*how).code == 0
    if how[0] == "start":
        ff("stop", "--at", "10:00")  # the new one lasted nothing; `stop` at its start
    ff("aggregate")
    assert billed(ff) == expected


def test_editing_the_session_a_timer_became_is_folded(initialised: Path, ff: Any) -> None:
    ff("start", "205", "--at", "09:00")
    ff("aggregate")
    ff("stop", "--at", "12:00")
    session = ff("log", "--json").json()["sessions"][0]["id"]
    assert ff("edit", session, "--end", "10:00").code == 0
    ff("aggregate")
    assert billed(ff) == 3600


def test_a_forgotten_timer_counts_at_most_max_session_hours(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ff("start", "205", "--at", "2026-11-20 09:00")  # Friday
    set_now(monkeypatch, "2026-11-23T09:00:00Z")  # Monday: 72 h later
    result = ff("aggregate")
    assert "max_session_hours" in result.err and "205" in result.err
    assert billed(ff) == 12 * 3600
    report = ff("report")
    assert "counted only up to max_session_hours (alice 2026-11)" in report.out
    status = ff("status")
    assert "count only 12h of it" in status.out
    # the real end withdraws the rest; the note goes with the cap
    assert ff("stop", "--at", "2026-11-20 17:00").code == 0
    ff("aggregate")
    assert billed(ff) == 8 * 3600
    assert "max_session_hours" not in ff("report").out


def test_a_forgotten_timer_stopped_with_force_bills_it_all(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ff("start", "205", "--at", "2026-11-20 09:00")
    set_now(monkeypatch, "2026-11-21T11:00:00Z")  # 26 h
    ff("aggregate")
    assert billed(ff) == 12 * 3600
    assert ff("stop").code == 1  # refused: longer than max_session_hours
    assert ff("stop", "--force").code == 0
    ff("aggregate")
    assert billed(ff) == 26 * 3600


# -- 4. every store of the work tree is folded --------------------------------------------------


@pytest.mark.slow
def test_an_ide_commit_without_ffhooks_user_folds_every_store(
    hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = hooked
    ff("add", "205", "1h", "--start", "09:00")  # as alice
    ff("add", "205", "2h", "--start", "09:00", "--user", "bob", "--new-user")  # a second store
    monkeypatch.delenv("FFHOOKS_USER")  # the IDE resolves the user from git: "tester"
    git(repo, "add", "-A")
    result = commit(repo, "-m", "from the IDE")
    assert result.returncode == 0, result.stderr
    assert tree_total(repo) == 3 * 3600
    users = {p.split("/")[3] for p in in_index(repo)}
    assert users == {"alice", "bob"}
    assert clean_team_folder(repo)


def test_one_broken_store_does_not_hold_back_the_others(initialised: Path, ff: Any) -> None:
    repo = initialised
    ff("add", "205", "1h", "--start", "09:00")
    ff("add", "205", "2h", "--start", "09:00", "--user", "bob", "--new-user")
    (store_dir(repo, "bob") / "store.json").write_text("{")
    result = ff("aggregate", "--hook")
    assert result.code == 0 and "bob" in result.err and "ffhooks recover" in result.err
    assert {p.split("/")[3] for p in in_index(repo)} == {"alice"}


# -- 5. no commit takes billed time out of the record -------------------------------------------


def guard_err(ff: Any) -> str:
    result = ff("guard")
    assert result.code == 1, result.out
    assert len(result.err.strip().splitlines()) == 1
    return str(result.err)


def test_guard_refuses_deleting_or_editing_summaries(initialised: Path, ff: Any) -> None:
    """A developer's commit only adds summaries; one that only deletes them (compaction's)
    may delete superseded files, never a live one."""
    repo = initialised
    ff("add", "205", "1h", "--start", "09:00")
    ff("aggregate")
    git(repo, "commit", "-qm", "time")
    [path] = in_index(repo)
    git(repo, "rm", "-q", path)
    err = guard_err(ff)
    assert "the live summary of" in err and f"--source=HEAD -- {path}`" in err
    git(repo, "restore", "--staged", "--worktree", "--source=HEAD", "--", path)
    assert ff("guard").code == 0
    # an edit, even with a checksum made to match
    doc = read_summary(repo / path)
    doc["totals"]["2026-11-20"]["205"]["billable_seconds"] = 60
    from ffhooks.summary import checksum

    doc["sha256"] = checksum(doc)
    (repo / path).write_text(summary_json(doc))
    git(repo, "add", path)
    err = guard_err(ff)
    assert f"this commit edits {path}" in err and f"--source=HEAD -- {path}`" in err
    git(repo, "restore", "--staged", "--worktree", "--source=HEAD", "--", path)
    # the whole folder: rm -rf .flowforge; git add -A
    git(repo, "rm", "-q", "-r", ".flowforge")
    assert "the live summary of" in guard_err(ff)
    git(repo, "reset", "-q", "--hard")
    # a superseded file may not go in the commit that supersedes it (git would pair the
    # two as a rename), nor be edited or made a tombstone (as older versions did) ...
    ff("add", "205", "1h", "--start", "11:00")
    ff("aggregate")
    assert (repo / path).read_bytes() != TOMBSTONE  # the fold only adds
    assert ff("guard").code == 0
    git(repo, "rm", "-q", "-f", path)
    err = guard_err(ff)
    assert f"this commit deletes {path}" in err and "only adds summaries" in err
    git(repo, "reset", "-q", "--", path)
    git(repo, "checkout", "--", path)
    (repo / path).write_bytes(TOMBSTONE)
    git(repo, "add", path)
    assert f"this commit edits {path}" in guard_err(ff)
    git(repo, "reset", "-q", "--", path)
    git(repo, "checkout", "--", path)
    git(repo, "commit", "-qm", "two", "--no-verify")
    # ... but it may go in a commit that only deletes (compaction's)
    git(repo, "rm", "-q", path)
    assert ff("guard").code == 0
    (repo / path).write_text("{}\n")  # deleted and written again: an edit
    git(repo, "add", path)
    assert f"this commit edits {path}" in guard_err(ff)
    git(repo, "reset", "-q", "--hard")
    # a pure delete of the live file (with or without the superseded one) loses time
    newer = next(p for p in in_index(repo) if p != path)
    git(repo, "rm", "-q", newer, path)
    err = guard_err(ff)
    assert f"this commit deletes {newer}, the live summary" in err


def test_guard_refuses_a_newer_summary_that_is_invalid(initialised: Path, ff: Any) -> None:
    """A forged newer file is refused with what it replaces deleted, and by the validate
    hook alone."""
    repo = initialised
    ff("add", "205", "1h", "--start", "09:00")
    ff("aggregate")
    git(repo, "commit", "-qm", "time")
    [path] = in_index(repo)
    forged = Path(path.replace("-1.json", "-2.json"))
    (repo / forged).write_text("{}")
    git(repo, "rm", "-q", path)
    git(repo, "add", str(forged))
    assert f"this commit deletes {path}" in guard_err(ff)
    git(repo, "reset", "-q", "--", path)
    git(repo, "checkout", "--", path)
    assert ff("guard").code == 0 and ff("validate", str(forged)).code == 1


@pytest.mark.slow
def test_hooks_refuse_rm_rf_flowforge(hooked: Path, ff: Any) -> None:
    repo = hooked
    ff("add", "205", "1h", "--start", "09:00")
    git(repo, "add", "-A")
    assert commit(repo, "-m", "time").returncode == 0
    subprocess.run(("rm", "-rf", str(repo / ".flowforge")), check=True)
    git(repo, "add", "-A")
    result = commit(repo, "-m", "clean up")
    assert result.returncode != 0
    assert "git restore --staged --worktree --source=HEAD" in result.stdout + result.stderr
    assert tree_total(repo) == 3600


@pytest.mark.slow
def test_verify_since_names_losses_and_a_revert_heals(hooked: Path, ff: Any) -> None:
    repo = hooked
    base_commit(repo)
    ff("add", "205", "1h", "--start", "09:00")
    assert commit(repo, "--allow-empty", "-m", "one hour").returncode == 0
    first = git(repo, "rev-parse", "HEAD").strip()
    ff("add", "205", "1h", "--start", "11:00")
    (repo / "a.txt").write_text("a2\n")
    assert commit(repo, "-am", "two hours").returncode == 0
    second = git(repo, "rev-parse", "HEAD").strip()
    assert ff("verify", "--since", first).code == 0
    # git revert runs no pre-commit hook: the record drops to one hour
    git(repo, "revert", "--no-edit", "HEAD")
    assert tree_total(repo) == 3600
    result = ff("verify", "--since", second)
    assert result.code == 1 and "was deleted since" in result.out
    as_json = ff("verify", "--since", second, "--format", "json")
    assert as_json.code == 1 and as_json.json()["since"] == second
    # the next ordinary commit brings the store's newest state back
    (repo / "a.txt").write_text("a3\n")
    assert commit(repo, "-am", "next").returncode == 0
    assert tree_total(repo) == 7200
    assert ff("verify", "--since", second).code == 0
    # a commit made with --no-verify that deletes a summary fails verify --since
    ours = sorted(in_index(repo))
    git(repo, "rm", "-q", ours[-1])
    assert commit(repo, "--no-verify", "-m", "sneaky").returncode == 0
    result = ff("verify", "--since", "HEAD~1")
    assert result.code == 1 and ours[-1] in result.out


# -- 6. hooks run only where they should ----------------------------------------------------------


@pytest.mark.slow
def test_a_checkout_only_moves_the_timer(repo: Path, ff: Any) -> None:
    assert ff("init", "--branch-timer").code == 0
    for kind in ("pre-commit", "post-checkout"):
        subprocess.run(
            ("pre-commit", "install", "--hook-type", kind),
            cwd=repo,
            check=True,
            capture_output=True,
        )
    ff("add", "1", "1h", "--start", "08:00")
    git(repo, "add", "-A")
    assert commit(repo, "-m", "base").returncode == 0
    ff("start", "1", "--at", "10:00")
    git(repo, "switch", "-q", "-c", "feature/42-thing")
    assert ff("status", "--json").json()["running"]["task"] == "42"
    assert clean_team_folder(repo)  # nothing written, nothing staged
    assert not list((repo / SUMMARIES).rglob("*-2.json"))


@pytest.mark.slow
def test_cherry_pick_onto_a_branch_without_the_month_folder_is_clean(
    hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Git would take finn's month folder for one renamed to eve's (directory rename
    detection) and stop the cherry-pick; the hook sets merge.directoryRenames=false."""
    repo = hooked
    base_commit(repo)
    set_now(monkeypatch, "2026-10-28T18:00:00Z")
    git(repo, "checkout", "-q", "-b", "feature")
    monkeypatch.setenv("FFHOOKS_USER", "finn")
    git(repo, "config", "--unset", "merge.directoryRenames")  # set by init; a clone lacks it
    said = []
    for hour in ("09:00", "11:00"):
        ff("add", "205", "1h", "--start", f"2026-10-28 {hour}")
        result = commit(repo, "--allow-empty", "-m", f"finn {hour}", terminal=True)
        assert result.returncode == 0
        said.append("merge.directoryRenames false" in result.stdout + result.stderr)
    assert said == [True, False]  # set once, and said so
    assert git(repo, "config", "merge.directoryRenames").strip() == "false"
    git(repo, "checkout", "-q", "main")
    away = tmp_path / "finn-store"
    store_dir(repo, "finn").rename(away)  # eve commits on main, as from another clone
    monkeypatch.setenv("FFHOOKS_USER", "eve")
    ff("add", "101", "2h", "--start", "2026-10-28 09:00")
    assert commit(repo, "--allow-empty", "-m", "eve").returncode == 0
    away.rename(store_dir(repo, "finn"))
    picked = subprocess.run(
        ("git", "cherry-pick", "feature"), cwd=repo, capture_output=True, text=True, check=False
    )
    # The picked commit made finn's first file, which main lacks, a tombstone (with no
    # remote, every superseded file is buried), and git paired that file with eve's: the
    # ffhooks merge driver keeps eve's.
    assert picked.returncode == 0, picked.stdout + picked.stderr
    assert tree_total(repo) == 4 * 3600 and git(repo, "ls-files", "-u") == ""
