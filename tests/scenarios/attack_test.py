"""The attacker's pass over the README's promises 1 to 4 ("What ffhooks guarantees").

Each test is what a motivated person would try (bill more than was worked, hide a deletion of
billed time, bill as someone else), in real git repositories, through the real pre-commit
framework where a commit hook is involved, with real `ssh-keygen` keys; and each asserts that
the attack fails: refused in one line that names the file and the fix (exit 1, or 2 where a
comparison could not be made), or the report's totals unchanged to the second. An attack that
succeeds is a hole: it is marked `xfail(strict=True)` with the hole in its reason, never
weakened.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, commit, git, set_now, tree_total
from helpers import read_summary, summary_json
from trust.signing_test import (
    ALLOWED,
    NAMESPACE,
    configure,
    fingerprint,
    forge,
    keygen,
    newest,
    public,
    ssh_sign,
)
from trust.verify_test import ZEROS, remote_with_history, run_workflow

from ffhooks.summary import TOMBSTONE, seal

CONFIG = ".flowforge/team/config.json"
MONTH = f"{SUMMARIES}/alice/2026-11"


# --- shared helpers -------------------------------------------------------------------------


def change(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A new file of the developer's, staged and committed (through the hook unless `args`
    say --no-verify)."""
    notes = repo / "notes"
    notes.mkdir(exist_ok=True)
    path = notes / f"{os.urandom(6).hex()}.txt"
    path.write_text("a change\n")
    git(repo, "add", str(path))
    return commit(repo, "-m", f"change {path.name}", *args)


def work(ff: Any, repo: Path, length: str, start: str, *args: str, task: str = "205") -> None:
    """alice records `length` from `start` (on 2026-11-20 unless a date is given), and
    commits a change through the hook (unless `args` say --no-verify)."""
    when = start if "T" in start or " " in start else f"2026-11-20 {start}"
    added = ff("add", task, length, "--start", when)
    assert added.code == 0, added.err
    done = change(repo, *args)
    assert done.returncode == 0, done.stdout + done.stderr


def fold(ff: Any, repo: Path, length: str, start: str) -> None:
    """alice records `length`, `ffhooks aggregate` folds it, committed without a hook."""
    assert ff("add", "205", length, "--start", f"2026-11-20 {start}").code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", f"{length} at {start}", "--no-verify")


def set_up(repo: Path) -> None:
    """`ffhooks init`'s files committed (through the hook)."""
    git(repo, "add", "-A")
    assert commit(repo, "-m", "set up").returncode == 0


def total(repo: Path, ref: str = "HEAD") -> int:
    """The billable seconds `ffhooks report --ref REF` prints (a process of its own); 0
    where REF holds no summary at all (which `report` refuses, saying so)."""
    if not git(repo, "ls-tree", "--name-only", ref, "--", f"{SUMMARIES}/"):
        return 0
    return tree_total(repo, ref)


def listed(repo: Path, ref: str = "HEAD", user: str = "alice") -> list[str]:
    out = git(repo, "ls-tree", "-r", "--name-only", ref, "--", f"{SUMMARIES}/{user}/")
    return sorted(out.split())


def seq_of(path: str) -> int:
    return int(path.rpartition("-")[2].removesuffix(".json"))


def reseal(repo: Path, path: str, out: str | None = None, **changes: Any) -> str:
    """The summary at `path` with `changes`, its checksum recomputed with ffhooks' own code (as
    anyone can), written at `out` (default: over itself); its signature, if any, kept."""
    doc = read_summary(repo / path)
    doc.update(changes)
    target = repo / (out or path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(summary_json(seal(doc), indent=2) + "\n")
    return out or path


def one_day(seconds: int, day: str = "2026-11-20") -> dict[str, Any]:
    return {day: {"205": {"billable_seconds": seconds, "non_billable_seconds": 0, "sessions": 1}}}


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text, text


def hook_refused(done: subprocess.CompletedProcess[str], path: str, *words: str) -> str:
    """The commit failed, its hook saying so in a line naming `path` (or one of the paths,
    `|`-separated) and the fix (`words`); returns that line."""
    shown = done.stdout + done.stderr
    no_traceback(shown)
    assert done.returncode == 1, shown
    paths = path.split("|")
    lines = [line for line in shown.splitlines() if any(p in line for p in paths)]
    fixed = [line for line in lines if all(word in line for word in words)]
    assert fixed, shown
    return fixed[0]


def verify_names(ff: Any, path: str, *args: str, code: int = 1) -> str:
    """`ffhooks verify ARGS` fails, with a problem line naming `path` (or one of the paths,
    `|`-separated); returns the line."""
    result = ff("verify", *args)
    no_traceback(result.out, result.err)
    assert result.code == code, result
    paths = tuple(f"{p}: " for p in path.split("|"))
    lines = [line for line in result.out.splitlines() if line.startswith(paths)]
    assert lines, result.out
    return lines[0]


def one_line_exit_2(result: Any, *words: str) -> None:
    assert result.code == 2, result
    no_traceback(result.out, result.err)
    assert len(result.err.strip().splitlines()) == 1, result.err
    for word in words:
        assert word in result.err, result.err


def two_folds(hooked: Path, ff: Any) -> tuple[str, str]:
    """alice's 1 h, then 1 h more, each folded by a commit through the hook: her November
    is `<store>-1.json` (superseded) and `<store>-2.json` (live); the branch `base` points
    there. Returns both paths."""
    set_up(hooked)
    work(ff, hooked, "1h", "09:00")
    work(ff, hooked, "1h", "11:00")
    old, live = listed(hooked)
    assert (seq_of(old), seq_of(live)) == (1, 2) and total(hooked) == 7200
    git(hooked, "branch", "base")
    return old, live


# --- promise 1 ------------------------------------------------------------------------------


class TestPromise1NothingLostNothingTwice:
    """Promise 1, "Nothing lost, nothing twice": every second recorded is in the next commit's
    summaries, once, whatever git does to the commits; between commits it is in snapshots
    outside the work tree."""

    def test_reset_hard_of_the_fold_commit(self, hooked: Path, ff: Any) -> None:
        set_up(hooked)
        work(ff, hooked, "1h", "09:00")
        git(hooked, "reset", "-q", "--hard", "HEAD~1")
        assert listed(hooked) == [] and total(hooked) == 0
        assert change(hooked).returncode == 0  # the next commit writes the month again
        assert total(hooked) == 3600
        work(ff, hooked, "30m", "11:00")
        assert total(hooked) == 5400

    def test_reset_mixed_then_commit_of_another_path(self, hooked: Path, ff: Any) -> None:
        set_up(hooked)
        (hooked / "other.txt").write_text("x\n")
        git(hooked, "add", "other.txt")
        git(hooked, "commit", "-qm", "other", "--no-verify")
        work(ff, hooked, "1h", "09:00")
        git(hooked, "reset", "-q", "HEAD~1")  # the summary is left untracked
        (hooked / "other.txt").write_text("y\n")
        done = commit(hooked, "-m", "just other.txt", "other.txt")
        assert done.returncode == 0, done.stdout
        assert total(hooked) == 3600
        assert git(hooked, "status", "--porcelain", "--", SUMMARIES) == ""

    def test_amend_of_the_fold_commit(self, hooked: Path, ff: Any) -> None:
        set_up(hooked)
        work(ff, hooked, "1h", "09:00")
        assert ff("add", "205", "30m", "--start", "2026-11-20 11:00").code == 0
        assert commit(hooked, "--amend", "--no-edit").returncode == 0
        assert total(hooked) == 5400
        git(hooked, "reset", "-q", "--soft", "HEAD~1")
        assert commit(hooked, "-m", "again").returncode == 0
        assert total(hooked) == 5400

    def test_interactive_rebase_dropping_the_fold_commit(
        self, hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        set_up(hooked)
        work(ff, hooked, "1h", "09:00")  # the fold
        assert change(hooked).returncode == 0  # a commit after it
        monkeypatch.setenv("GIT_SEQUENCE_EDITOR", "sed -i 1s/^pick/drop/")
        git(hooked, "rebase", "-q", "-i", "HEAD~2")
        assert total(hooked) == 0  # the rebase ran no hook; the next commit puts it right
        assert change(hooked).returncode == 0
        assert total(hooked) == 3600

    def test_revert_of_the_fold_commit(self, hooked: Path, ff: Any) -> None:
        set_up(hooked)
        work(ff, hooked, "1h", "09:00")
        git(hooked, "revert", "--no-edit", "HEAD")
        assert total(hooked) == 0
        assert change(hooked).returncode == 0
        assert total(hooked) == 3600

    def test_stash_u_around_a_commit(self, hooked: Path, ff: Any) -> None:
        set_up(hooked)
        work(ff, hooked, "1h", "09:00")
        assert ff("add", "205", "30m", "--start", "2026-11-20 11:00").code == 0
        (hooked / "scratch.txt").write_text("untracked\n")
        git(hooked, "stash", "-q", "-u")
        assert change(hooked).returncode == 0  # the store stayed: its folder ignores itself
        assert total(hooked) == 5400
        git(hooked, "stash", "pop", "-q")
        assert change(hooked).returncode == 0
        assert total(hooked) == 5400

    @pytest.mark.parametrize("wipe", ["rm -rf .flowforge", "git clean -fdx", "git stash -a"])
    def test_a_wiped_store_between_commits(self, hooked: Path, ff: Any, wipe: str) -> None:
        """A commit while the store is gone writes nothing that lowers the record; restore
        and the next commit bring every second."""
        set_up(hooked)
        work(ff, hooked, "1h", "09:00")
        assert ff("add", "205", "30m", "--start", "2026-11-20 11:00").code == 0  # not folded
        if wipe == "rm -rf .flowforge":
            shutil.rmtree(hooked / ".flowforge")
            git(hooked, "checkout", "--", ".flowforge")  # the tracked files back; not the store
        elif wipe == "git clean -fdx":
            git(hooked, "clean", "-q", "-fdx")
        else:
            git(hooked, "stash", "-q", "-a")
        assert not (hooked / ".flowforge/user/alice").exists()
        assert change(hooked).returncode == 0
        assert total(hooked) == 3600  # nothing taken: no empty summary written
        restored = ff("recover", "restore")
        assert restored.code == 0, restored.err
        assert change(hooked).returncode == 0
        assert total(hooked) == 5400
        if wipe == "git stash -a":  # popped over the restored store: nothing twice
            subprocess.run(("git", "stash", "pop", "-q"), cwd=hooked, capture_output=True)
            assert change(hooked).returncode == 0
            assert total(hooked) == 5400

    def test_fold_cherry_picked_onto_two_branches_merged_both(self, hooked: Path, ff: Any) -> None:
        set_up(hooked)
        git(hooked, "checkout", "-qb", "feature")
        work(ff, hooked, "1h", "09:00")
        fold_commit = git(hooked, "rev-parse", "HEAD").strip()
        for branch in ("x", "y"):
            git(hooked, "checkout", "-qb", branch, "main")
            git(hooked, "cherry-pick", fold_commit)
        git(hooked, "checkout", "-q", "main")
        git(hooked, "merge", "-q", "--no-edit", "x")
        git(hooked, "merge", "-q", "--no-edit", "y")
        git(hooked, "merge", "-q", "--no-edit", "feature")
        assert total(hooked) == 3600
        work(ff, hooked, "30m", "11:00")
        assert total(hooked) == 5400

    def test_squash_merge_and_the_branch_merged_too(self, hooked: Path, ff: Any) -> None:
        set_up(hooked)
        git(hooked, "checkout", "-qb", "feature")
        work(ff, hooked, "1h", "09:00")
        work(ff, hooked, "1h", "11:00")
        git(hooked, "checkout", "-q", "main")
        git(hooked, "merge", "-q", "--squash", "feature")
        assert commit(hooked, "-m", "feature, squashed").returncode == 0
        assert total(hooked) == 7200
        git(hooked, "merge", "-q", "--no-edit", "feature")
        assert total(hooked) == 7200
        git(hooked, "checkout", "-q", "feature")  # the branch goes on, and meets main again
        work(ff, hooked, "15m", "14:00")
        git(hooked, "checkout", "-q", "main")
        git(hooked, "merge", "-q", "--no-edit", "feature")
        assert total(hooked) == 7200 + 900

    def test_a_timer_billed_running_then_stopped_earlier(
        self, hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        set_up(hooked)
        set_now(monkeypatch, "2026-11-20T09:00:00Z")
        assert ff("start", "205").code == 0
        set_now(monkeypatch, "2026-11-20T10:00:00Z")
        assert change(hooked).returncode == 0
        assert total(hooked) == 3600  # running: billed up to now
        set_now(monkeypatch, "2026-11-20T12:00:00Z")
        assert ff("stop", "--at", "09:30").code == 0
        assert change(hooked).returncode == 0
        assert total(hooked) == 1800  # what was recorded, not what the first commit saw


# --- promise 2 ------------------------------------------------------------------------------


def delete_live(repo: Path, old: str, live: str) -> str:
    git(repo, "rm", "-q", live)  # the superseded one would be live again
    return live


def delete_both(repo: Path, old: str, live: str) -> str:
    git(repo, "rm", "-q", old, live)
    return live


def edit_figure_resealed(repo: Path, old: str, live: str) -> str:
    reseal(repo, live, totals=one_day(60))
    git(repo, "add", live)
    return live


def edit_figure_not_resealed(repo: Path, old: str, live: str) -> str:
    (repo / live).write_text((repo / live).read_text().replace("7200", "60"))
    git(repo, "add", live)
    return live


def bury_live(repo: Path, old: str, live: str) -> str:
    (repo / live).write_bytes(TOMBSTONE)
    git(repo, "add", live)
    return live


def lower_seq_replaces_live(repo: Path, old: str, live: str) -> str:
    """The older file rewritten with lower figures, the newer deleted."""
    reseal(repo, old, totals=one_day(60))
    git(repo, "rm", "-q", live)
    git(repo, "add", old)
    return f"{old}|{live}"


def renamed_to_higher_seq_lower_figures(repo: Path, old: str, live: str) -> str:
    higher = live.replace("-2.json", "-3.json")
    git(repo, "mv", live, higher)
    reseal(repo, higher, seq=3, totals=one_day(60))
    git(repo, "add", higher)
    return live


def moved_to_bob(repo: Path, old: str, live: str) -> str:
    target = live.replace("/alice/", "/bob/")
    (repo / target).parent.mkdir(parents=True)
    git(repo, "mv", live, target)
    return live


DELETIONS = [
    delete_live,
    delete_both,
    edit_figure_resealed,
    edit_figure_not_resealed,
    bury_live,
    lower_seq_replaces_live,
    moved_to_bob,
]


class TestPromise2NoCommitTakesBilledTimeAwayUnseen:
    """Promise 2, "No commit takes billed time away unseen": the hook refuses a commit that
    deletes, edits or lowers a summary; CI's `verify` fails any push or pull request that
    does, and never passes what it could not compare (a shallow clone, a missing base:
    exit 2)."""

    @pytest.mark.parametrize("attack", DELETIONS, ids=lambda f: f.__name__)
    def test_the_hook_refuses_and_verify_since_fails(
        self, hooked: Path, ff: Any, attack: Any
    ) -> None:
        old, live = two_folds(hooked, ff)
        head = git(hooked, "rev-parse", "HEAD").strip()
        named = attack(hooked, old, live)
        refused = change(hooked)
        hook_refused(refused, named, "git restore")
        assert git(hooked, "rev-parse", "HEAD").strip() == head
        assert total(hooked) == 7200
        # the same, committed past the hook: the pull request's and the push's check fail
        git(hooked, "add", "-A")
        git(hooked, "commit", "-qm", "past the hook", "--no-verify")
        verify_names(ff, named, "--since", "base")
        verify_names(ff, named, "--since", head)

    def test_a_merge_concluded_with_a_deletion_by_the_owner(self, hooked: Path, ff: Any) -> None:
        """An evil merge in alice's own clone: her hook writes the month again."""
        _old, live = two_folds(hooked, ff)
        git(hooked, "checkout", "-qb", "side", "HEAD~2")
        assert change(hooked).returncode == 0
        git(hooked, "checkout", "-q", "main")
        git(hooked, "merge", "-q", "--no-commit", "--no-ff", "side")
        git(hooked, "rm", "-q", live)  # hidden among the merge's changes
        done = commit(hooked, "--no-edit")
        no_traceback(done.stdout + done.stderr)
        assert total(hooked) == 7200
        assert ff("verify", "--since", "base").code == 0

    def test_a_merge_concluded_with_a_deletion_by_someone_else(
        self, hooked: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """bob, in his clone, hides the deletion of alice's live summary in a merge."""
        _old, live = two_folds(hooked, ff)
        bob = clone_as(hooked, tmp_path / "bob", "bob", ff, monkeypatch)
        git(bob, "checkout", "-qb", "side", "HEAD~2")
        assert change(bob).returncode == 0
        git(bob, "checkout", "-q", "main")
        git(bob, "merge", "-q", "--no-commit", "--no-ff", "side")
        git(bob, "rm", "-q", live)
        hook_refused(commit(bob, "--no-edit"), live, "git restore")
        assert total(bob) == 7200
        git(bob, "commit", "-q", "--no-edit", "--no-verify")
        verify_names(ff, live, "--since", "origin/main")

    @pytest.mark.parametrize("attack", ["bob adds a higher seq", "alice renames her live file"])
    def test_with_signatures_off_a_newer_state_is_trusted_and_audit_names_who_wrote_it(
        self, hooked: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, attack: str
    ) -> None:
        """The limit the README states: with signatures off, a newer state of a month is its
        store's, whoever wrote it (a `git revert` of a fold, which runs no hook, deletes live
        files too, and the next fold makes it right). `ffhooks audit` names the commit and
        its author; signatures refuse it (`TestPromise4...`)."""
        _old, live = two_folds(hooked, ff)
        lower = live.replace("-2.json", "-3.json")
        if attack == "bob adds a higher seq":
            where = clone_as(hooked, tmp_path / "bob", "bob", ff, monkeypatch)
            git(where, "config", "user.name", "Bob")
            reseal(where, live, lower, seq=3, totals=one_day(60))
            git(where, "add", lower)
            assert change(where).returncode == 0
        else:
            where = hooked
            git(where, "config", "user.name", "Alice")
            git(where, "mv", live, lower)
            reseal(where, lower, seq=3, totals=one_day(60))
            git(where, "add", lower)
            hook_refused(change(where), live, "git restore")
            git(where, "commit", "-qm", "renamed", "--no-verify")
        assert total(where) == 60
        [changed] = [
            c for c in ff("audit", "--format", "json").json()["changes"] if c["after"] == lower
        ]
        assert changed["author"].startswith(("Bob", "Alice"))
        assert changed["totals"]["billable_seconds"] == -7140 and changed["signer"] == "unsigned"

    def test_a_merge_with_strategy_ours_that_drops_the_fold(self, hooked: Path, ff: Any) -> None:
        """`git merge -s ours` runs no pre-commit hook and keeps the branch's tree: main's
        summaries vanish from the merge result."""
        _old, live = two_folds(hooked, ff)
        git(hooked, "checkout", "-qb", "sneaky", "HEAD~2")
        assert change(hooked, "--no-verify").returncode == 0
        git(hooked, "merge", "-q", "-s", "ours", "--no-edit", "main")
        assert listed(hooked) == []  # the attack went through git
        verify_names(ff, live, "--since", "main")  # the pull request's check
        verify_names(ff, live, "--since", git(hooked, "rev-parse", "main").strip())  # a push's

    def test_a_revert_of_the_fold_after_compaction(self, hooked: Path, ff: Any) -> None:
        _old, live = two_folds(hooked, ff)
        compacted = ff("compact")
        assert compacted.code == 0, compacted.err
        assert listed(hooked) == [live]
        git(hooked, "branch", "-f", "base")
        fold = git(hooked, "log", "--format=%H", "--diff-filter=A", "-1", "--", live).strip()
        git(hooked, "revert", "--no-edit", fold)  # runs no hook
        assert listed(hooked) == []
        line = verify_names(ff, live, "--since", "base")
        assert "ffhooks recover rebuild" in line and "git revert" in line

    def test_a_tombstone_above_the_live_summary(self, hooked: Path, ff: Any) -> None:
        """A live summary buried by hand: a tombstone at a higher seq, only added."""
        _old, live = two_folds(hooked, ff)
        above = live.replace("-2.json", "-3.json")
        (hooked / above).write_bytes(TOMBSTONE)
        git(hooked, "add", above)
        git(hooked, "commit", "-qm", "buried", "--no-verify")
        assert total(hooked) == 7200
        verify_names(ff, above, "--since", "base")
        verify_names(ff, above)

    def test_a_shallow_clone_never_passes_a_deletion(
        self, initialised: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        remote = remote_with_history(initialised, ff, tmp_path)
        runner = tmp_path / "runner"
        clone = ("clone", "-q", "--depth", "1", "-b", "deletes", f"file://{remote}")
        git(tmp_path, *clone, str(runner))
        git(runner, "fetch", "-q", "--depth=1", "origin", "main:refs/remotes/origin/main")
        monkeypatch.chdir(runner)
        one_line_exit_2(ff("verify", "--since", "origin/main"), "shallow", "--unshallow")
        one_line_exit_2(ff("verify", "--ref", "HEAD", "--since", ZEROS), "shallow")
        # deepened by one more commit: still shallow, still never passed
        git(runner, "fetch", "-q", "--deepen=1", "origin")
        one_line_exit_2(ff("verify", "--since", "origin/main"), "shallow")

    def test_a_since_that_names_nothing_here(
        self, initialised: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        remote = remote_with_history(initialised, ff, tmp_path)
        runner = tmp_path / "runner"
        git(tmp_path, "clone", "-q", "-b", "deletes", f"file://{remote}", str(runner))
        monkeypatch.chdir(runner)
        for since in ("origin/nothing", "no-such-tag", "1" * 40, "deadbeef", "HEAD~99"):
            one_line_exit_2(ff("verify", "--since", since), "git fetch")
        wrong_ref = ff("verify", "--since", "main", "--ref", "no-such-ref")
        assert wrong_ref.code in (1, 2) and "no-such-ref" in wrong_ref.err
        assert len(wrong_ref.err.strip().splitlines()) == 1

    def test_a_push_whose_before_commit_is_missing(
        self, initialised: Path, ff: Any, tmp_path: Path
    ) -> None:
        remote = remote_with_history(initialised, ff, tmp_path)
        runner = tmp_path / "runner"
        git(tmp_path, "clone", "-q", "-b", "deletes", f"file://{remote}", str(runner))
        git(initialised, "commit", "-q", "--allow-empty", "-m", "never pushed", "--no-verify")
        gone = git(initialised, "rev-parse", "HEAD").strip()
        assert run_workflow(runner, "push", {"github.event.before": gone}) == 2

    def test_a_direct_push_deleting_billed_time_as_the_workflow_checks_it(
        self, initialised: Path, ff: Any, tmp_path: Path
    ) -> None:
        remote = remote_with_history(initialised, ff, tmp_path)
        before = git(remote, "rev-parse", "main").strip()
        git(tmp_path, "--git-dir", str(remote), "update-ref", "refs/heads/main", "deletes")
        runner = tmp_path / "runner"
        git(tmp_path, "clone", "-q", f"file://{remote}", str(runner))  # main: the push
        assert run_workflow(runner, "push", {"github.event.before": before}) == 1

    def test_a_force_push_rewinding_main_with_the_old_tip_kept_on_a_branch(
        self, initialised: Path, ff: Any, tmp_path: Path
    ) -> None:
        remote = remote_with_history(initialised, ff, tmp_path)
        before = git(remote, "rev-parse", "main").strip()
        # the attacker keeps the old tip on a branch of theirs, then rewinds main to a
        # commit before the last fold (git push -f origin main~1:main)
        git(tmp_path, "--git-dir", str(remote), "branch", "keep", "main")
        git(tmp_path, "--git-dir", str(remote), "update-ref", "refs/heads/main", "main~1")
        runner = tmp_path / "runner"
        git(tmp_path, "clone", "-q", f"file://{remote}", str(runner))
        assert tree_total(runner, "HEAD") < tree_total(runner, before)  # time went away
        assert run_workflow(runner, "push", {"github.event.before": before}) != 0


def clone_as(origin: Path, path: Path, user: str, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone of `origin` at `path`, set up by `user` with `ffhooks init` (the hook
    installed), now the current folder and user."""
    git(origin.parent, "clone", "-q", str(origin), str(path))
    monkeypatch.chdir(path)
    monkeypatch.setenv("FFHOOKS_USER", user)
    assert ff("init").code == 0
    return path


# --- promise 3 ------------------------------------------------------------------------------


def alice_november(repo: Path, ff: Any) -> str:
    """alice's 1 h of 2026-11-09, folded and committed: the path of her one summary."""
    assert ff("add", "205", "1h", "--start", "2026-11-09 09:00").code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "time", "--no-verify")
    [path] = listed(repo)
    return path


def claim(repo: Path, path: str, totals: dict[str, Any], *, resealed: bool = True) -> None:
    """The summary rewritten to claim `totals` (its checksum recomputed, or the old one
    kept), committed past the hook."""
    doc = read_summary(repo / path)
    doc["totals"] = totals
    if resealed:
        doc = seal(doc)
    (repo / path).write_text(summary_json(doc) + "\n")
    git(repo, "commit", "-qam", "claimed", "--no-verify")


def a_float(text: str) -> Any:
    raise AssertionError(f"a float in the report's JSON: {text}")


def cell(billable: Any, non_billable: Any = 0) -> dict[str, Any]:
    return {"billable_seconds": billable, "non_billable_seconds": non_billable, "sessions": 1}


DAY = "2026-11-09"
IMPOSSIBLE = {
    "10^20 seconds": {DAY: {"205": cell(10**20)}},
    "1e20": {DAY: {"205": cell(1e20)}},
    "3600.0": {DAY: {"205": cell(3600.0)}},
    "negative": {DAY: {"205": cell(-3600)}},
    "negative non-billable": {DAY: {"205": cell(93_600, -7_200)}},
    "true": {DAY: {"205": cell(True)}},
    "25h+1s billable": {DAY: {"205": cell(90_001)}},
    "25h+1s split": {DAY: {"205": cell(50_000, 40_001)}},
    "two tasks over 25h": {DAY: {"205": cell(45_000), "206": cell(45_001)}},
    "ten tasks of 10h": {DAY: {str(t): cell(36_000) for t in range(200, 210)}},
    "a day that does not exist": {"2026-11-31": {"205": cell(3600)}},
    "a day of another month": {"2026-12-01": {"205": cell(3600)}},
}


def refused_by_every_reader(ff: Any, path: str) -> None:
    for args in (
        ["validate", path],
        ["verify"],
        ["verify", "--ref", "HEAD"],
        ["report"],
        ["report", "--ref", "HEAD"],
        ["report", "--format", "json"],
        ["report", "--format", "csv", "--ref", "HEAD"],
        ["report", "--by", "user,day"],
    ):
        result = ff(*args)
        shown = result.out + result.err
        no_traceback(shown)
        assert result.code == 1, (args, shown)
        assert path in shown, (args, shown)


class TestPromise3NoImpossibleFigures:
    """Promise 3, "No impossible figures": more time in a day than it lasts is refused by
    every reader (checksum recomputed or not)."""

    @pytest.mark.parametrize("resealed", [True, False], ids=["resealed", "old checksum"])
    @pytest.mark.parametrize("what", list(IMPOSSIBLE))
    def test_every_reader_refuses(
        self,
        initialised: Path,
        ff: Any,
        what: str,
        resealed: bool,
        request: pytest.FixtureRequest,
    ) -> None:
        path = alice_november(initialised, ff)
        claim(initialised, path, IMPOSSIBLE[what], resealed=resealed)
        refused_by_every_reader(ff, path)

    def test_a_whole_month_over_its_length(self, initialised: Path, ff: Any) -> None:
        configure(initialised, summary_detail={"per_task": False, "period": "month"})
        path = alice_november(initialised, ff)
        assert read_summary(initialised / path)["totals"] == {"2026-11": {"*": cell(3600)}}
        most = 30 * 86_400 + 3600
        claim(initialised, path, {"2026-11": {"*": cell(most - 3600, 3600)}})
        assert ff("verify").code == 0  # as long as the month lasts, and its one extra hour
        for over in ({"*": cell(most + 1)}, {"*": cell(most, 1)}):
            claim(initialised, path, {"2026-11": over})
            refused_by_every_reader(ff, path)

    def test_the_hook_refuses_an_impossible_figure_staged_in_a_commit(
        self, hooked: Path, ff: Any
    ) -> None:
        set_up(hooked)
        work(ff, hooked, "1h", "09:00")
        [path] = listed(hooked)
        higher = reseal(
            hooked, path, path.replace("-1.json", "-2.json"), seq=2, totals=one_day(90_001)
        )
        git(hooked, "add", higher)
        done = change(hooked)
        shown = done.stdout + done.stderr
        no_traceback(shown)
        assert done.returncode == 1 and higher in shown, shown
        assert total(hooked) == 3600

    def test_one_person_two_stores_forty_hours_in_a_day(self, initialised: Path, ff: Any) -> None:
        path = alice_november(initialised, ff)
        claim(initialised, path, {DAY: {"205": cell(72_000)}})
        doc = read_summary(initialised / path)
        other = "0123456789abcdef"
        second = path.replace(doc["store"], other)
        reseal(initialised, path, second, store=other)
        git(initialised, "add", second)
        git(initialised, "commit", "-qm", "a second store", "--no-verify")
        report = ff("report", "--format", "json")
        assert report.code == 1 or report.json()["totals"]["billable_seconds"] <= 90_000

    def test_report_json_is_integers_to_the_second(self, initialised: Path, ff: Any) -> None:
        for start, length in (("09:00:00", "1s"), ("10:00:00", "59m59s"), ("12:00:00", "7s")):
            assert ff("add", "205", length, "--start", f"2026-11-09 {start}").code == 0
        assert ff("aggregate").code == 0
        git(initialised, "add", "-A")
        git(initialised, "commit", "-qm", "odd seconds", "--no-verify")
        for extra in ([], ["--by", "user,task,day"], ["--round", "15"], ["--ref", "HEAD"]):
            text = ff("report", "--format", "json", *extra).out
            found = json.loads(text, parse_float=a_float)
            seconds = found["totals"]["billable_seconds"]
            assert type(seconds) is int
            if "--round" not in extra:
                assert seconds == 1 + 3599 + 7


# --- promise 4 ------------------------------------------------------------------------------


def signed_team(repo: Path, ff: Any, tmp_path: Path) -> dict[str, Path]:
    """Signatures required; alice and bob each allowed their own key; alice's 1 h of
    2026-11-20 signed, folded and committed; the branch `base` there. Returns the keys."""
    keys = {user: keygen(tmp_path, user) for user in ("alice", "bob")}
    git(repo, "config", "user.signingkey", str(keys["alice"]))
    configure(repo, signatures="required")
    (repo / ALLOWED).write_text(
        "".join(f'{u} namespaces="ffhooks-summary,git" {public(k)}\n' for u, k in keys.items())
    )
    fold(ff, repo, "1h", "09:00")
    assert ff("verify").code == 0 and total(repo) == 3600
    git(repo, "branch", "base")
    return keys


def forged_for_alice(repo: Path, key: Path, **changes: Any) -> str:
    """A summary of alice's store and month one seq above her live one, claiming 10 h, signed
    with `key` (with `changes` to it before signing), committed past the hook."""
    live = newest(repo, "alice")
    doc = read_summary(repo / live)
    doc.pop("signature", None)
    doc.update({"seq": doc["seq"] + 1, "totals": one_day(36_000), **changes})
    out = f"{live.rpartition('/')[0]}/{doc['store']}-{doc['seq']}.json"
    (repo / out).write_text(summary_json(seal(doc, partial(ssh_sign, key, NAMESPACE))) + "\n")
    git(repo, "add", out)
    git(repo, "commit", "-qm", "forged", "--no-verify")
    return out


def refused_signed(ff: Any, path: str, *said: str) -> None:
    """verify (also --since base), validate and report refuse `path`, naming it."""
    for args in (["verify"], ["verify", "--since", "base"], ["validate", path]):
        result = ff(*args)
        no_traceback(result.out, result.err)
        assert result.code == 1, (args, result)
        lines = [x for x in result.out.splitlines() if path in x]
        assert lines, (args, result.out)
        for word in said:
            assert any(word in line for line in lines), (args, lines)
    for args in (["report"], ["report", "--ref", "HEAD", "--format", "json"]):
        result = ff(*args)
        no_traceback(result.out, result.err)
        assert result.code == 1 and result.out == "" and path in result.err, (args, result)


class TestPromise4NobodyWritesForSomeoneElse:
    """Promise 4, "With signatures required, nobody writes for someone else": each summary is
    signed by a key the base of the change already allowed for its user, and names its
    project, so a summary copied from another repository is refused."""

    def test_bob_signs_a_summary_in_alices_name(
        self, initialised: Path, ff: Any, tmp_path: Path
    ) -> None:
        keys = signed_team(initialised, ff, tmp_path)
        forged = forged_for_alice(initialised, keys["bob"])
        refused_signed(ff, forged, fingerprint(keys["bob"]), "does not allow for alice")

    def test_bob_lowers_alices_month_with_his_key(
        self, initialised: Path, ff: Any, tmp_path: Path
    ) -> None:
        keys = signed_team(initialised, ff, tmp_path)
        forged = forged_for_alice(initialised, keys["bob"], totals=one_day(60))
        refused_signed(ff, forged, fingerprint(keys["bob"]))

    def test_a_valid_signature_of_alice_over_an_edited_figure(
        self, initialised: Path, ff: Any, tmp_path: Path
    ) -> None:
        keys = signed_team(initialised, ff, tmp_path)
        live = newest(initialised, "alice")
        forged = forge(initialised, live, seq_of(live) + 1, None, keep=True)
        git(initialised, "add", forged)
        git(initialised, "commit", "-qm", "forged", "--no-verify")
        refused_signed(ff, forged, "does not verify", fingerprint(keys["alice"]))

    def test_alices_signed_month_renamed_into_another_month(
        self, initialised: Path, ff: Any, tmp_path: Path
    ) -> None:
        signed_team(initialised, ff, tmp_path)
        live = newest(initialised, "alice")
        moved = live.replace("/2026-11/", "/2026-10/")
        (initialised / moved).parent.mkdir(parents=True)
        shutil.copy(initialised / live, initialised / moved)
        git(initialised, "add", moved)
        git(initialised, "commit", "-qm", "October too", "--no-verify")
        refused_signed(ff, moved)

    def test_signed_by_claims_a_migration_signer(
        self, initialised: Path, ff: Any, tmp_path: Path
    ) -> None:
        """carol migrated the team's time, so her key is allowed for alice too; bob signs with
        his own key and writes that carol signed."""
        keys = signed_team(initialised, ff, tmp_path)
        carol = keygen(tmp_path, "carol")
        with (initialised / ALLOWED).open("a") as out:
            out.write(f'carol,alice namespaces="ffhooks-summary" {public(carol)}\n')
        git(initialised, "commit", "-qam", "carol migrates", "--no-verify")
        git(initialised, "branch", "-f", "base")
        forged = forged_for_alice(initialised, keys["bob"], signed_by="carol")
        refused_signed(ff, forged, fingerprint(keys["bob"]))

    def test_a_summary_signed_in_another_project(
        self, tmp_path: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, repo: Path
    ) -> None:
        """alice works for clients A and B with one key; bob copies her signed month of A
        into B (where her key is allowed too): the hook, verify and report refuse it."""
        assert ff("init").code == 0  # B, the repository under attack: the hook installed
        keys = signed_team(repo, ff, tmp_path)
        a = tmp_path / "a"
        a.mkdir()
        git(a, "init", "-q")
        monkeypatch.chdir(a)
        assert ff("init", "--no-hook").code == 0
        shutil.copy(repo / ALLOWED, a / ALLOWED)
        git(a, "config", "user.signingkey", str(keys["alice"]))
        configure(a, signatures="required")
        assert ff("add", "205", "8h", "--start", "2026-11-19 09:00").code == 0
        assert ff("aggregate").code == 0
        [found] = (a / SUMMARIES).rglob("*.json")
        copied = found.relative_to(a).as_posix()
        monkeypatch.chdir(repo)
        doc = json.loads((a / copied).read_text())
        assert doc["project"] != json.loads((repo / CONFIG).read_text())["project"]
        shutil.copy(a / copied, repo / copied)  # the same path: a store of alice's in A
        git(repo, "add", copied)
        done = change(repo)
        hook_refused(done, copied, "$.project")
        git(repo, "commit", "-qm", "replayed", "--no-verify")
        refused_signed(ff, copied, "a summary of project")

    def test_a_pull_request_adding_a_key_for_alice_and_summaries_signed_with_it(
        self, initialised: Path, ff: Any, tmp_path: Path
    ) -> None:
        signed_team(initialised, ff, tmp_path)
        mallory = keygen(tmp_path, "mallory")
        with (initialised / ALLOWED).open("a") as out:
            out.write(f'alice namespaces="ffhooks-summary" {public(mallory)}\n')
        git(initialised, "commit", "-qam", "another key of alice's", "--no-verify")
        forged = forged_for_alice(initialised, mallory)
        assert ff("verify").code == 0  # by the branch's own allowed_signers, all is signed
        line = verify_names(ff, forged, "--since", "base")
        assert fingerprint(mallory) in line and "(for alice)" in line, line
        assert (
            "warning: .flowforge/team/allowed_signers: changed"
            in ff("verify", "--since", "base").out
        )

    @pytest.mark.parametrize("principals", ["bob,alice", "*", "b*,a*"])
    def test_a_pull_request_widening_bobs_line_to_alice(
        self, initialised: Path, ff: Any, tmp_path: Path, principals: str
    ) -> None:
        """No key added: bob's own key, already allowed (for bob), is allowed for alice too in
        the same change that brings summaries in her name signed with it."""
        keys = signed_team(initialised, ff, tmp_path)
        path = initialised / ALLOWED
        path.write_text(path.read_text().replace("bob namespaces", f"{principals} namespaces"))
        git(initialised, "commit", "-qam", "bob's line", "--no-verify")
        forged = forged_for_alice(initialised, keys["bob"])
        line = verify_names(ff, forged, "--since", "base")
        assert fingerprint(keys["bob"]) in line, line

    @pytest.mark.parametrize(
        "weaker",
        [
            {"signatures": "warn"},
            {"signatures": "off"},
            {"signatures_from": "2027-01"},
            {"project": "0123456789abcdef"},
            {"project": None},
            {"signatures": None},
        ],
        ids=str,
    )
    def test_a_pull_request_weakening_the_config(
        self, initialised: Path, ff: Any, tmp_path: Path, weaker: dict[str, Any]
    ) -> None:
        keys = signed_team(initialised, ff, tmp_path)
        path = initialised / CONFIG
        doc = {**json.loads(path.read_text()), **weaker}
        path.write_text(json.dumps({k: v for k, v in doc.items() if v is not None}) + "\n")
        git(initialised, "commit", "-qam", "weaker", "--no-verify")
        forged_for_alice(initialised, keys["bob"])
        result = ff("verify", "--since", "base")
        no_traceback(result.out, result.err)
        assert result.code == 1, result
        assert any(line.startswith(f"{CONFIG}: ") for line in result.out.splitlines()), result

    def test_an_unsigned_summary_for_a_month_before_signatures_from(
        self, initialised: Path, ff: Any, tmp_path: Path
    ) -> None:
        signed_team(initialised, ff, tmp_path)
        configure(initialised, signatures_from="2026-11")
        git(initialised, "commit", "-qam", "signatures from November", "--no-verify")
        git(initialised, "branch", "-f", "base")
        live = newest(initialised, "alice")
        doc = read_summary(initialised / live)
        doc.pop("signature")
        doc.update(store="0123456789abcdef", month="2026-10", seq=1)
        doc["totals"] = one_day(36_000, "2026-10-20")
        forged = f"{SUMMARIES}/alice/2026-10/0123456789abcdef-1.json"
        (initialised / forged).parent.mkdir(parents=True)
        (initialised / forged).write_text(summary_json(seal(doc)) + "\n")
        git(initialised, "add", forged)
        git(initialised, "commit", "-qm", "October, in alice's name", "--no-verify")
        verify_names(ff, forged, "--since", "base")

    def test_bob_bills_as_alice_from_his_own_clone_through_the_hook(
        self, hooked: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        keys = signed_team(hooked, ff, tmp_path)
        bob = clone_as(hooked, tmp_path / "bob", "bob", ff, monkeypatch)
        git(bob, "config", "user.signingkey", str(keys["bob"]))
        git(bob, "branch", "base", "origin/base")
        ff("add", "205", "8h", "--start", "2026-11-19 09:00", "--user", "alice")
        done = change(bob)
        no_traceback(done.stdout + done.stderr)
        written = [p for p in listed(bob) if p not in listed(bob, "base")]
        assert written, done.stdout + done.stderr  # bob's hook wrote alice's month
        for path in written:  # whatever bob's hook wrote in alice's name is refused
            refused_signed(ff, path, fingerprint(keys["bob"]))
        assert ff("report", "--include-unverified", "--format", "json").code == 0
