"""The attacker's pass over the README's promises 5 and 6 ("What ffhooks guarantees").

Each test is what a motivated person would try: bill an invoiced period again (a forged or
replayed closing, a closing from another project, a weakened list of closers, a period cut
finer than the summaries), hide a change from the auditor, or make the audit trail disagree
with the reports. Real git repositories, real `ssh-keygen` keys, commits through the real
pre-commit hook where a commit is what the attacker would make (past it, `--no-verify`, where
that is the attack). Each asserts that the attack fails: refused in one line naming the tag or
file and the fix (exit 1, or 2 where history is missing), or the figures unchanged to the
second. An attack that succeeds is a hole: marked `xfail(strict=True)` with the hole in its
reason, never weakened.

The angles of `closing_trust_test.py`, `close_test.py` and `audit_test.py` are not repeated:
the attacks here come from the other side (another name for the same days, another project,
a symlink, a replace ref, a merge that rewrites what it brings, ...).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, commit, git, set_now
from report.audit_test import ZERO, at, audited, check_sums, totals
from report.closers_test import (
    AFTER,
    CLOSERS,
    NOV,
    TAG,
    adjustments,
    as_alice,
    as_manager,
    billed,
    configure,
    forged_report,
    hand_made,
    keygen,
    one_line,
    refused,
    signed_by,
    tags,
)
from scenarios.attack_test import (
    change,
    no_traceback,
    one_day,
    one_line_exit_2,
    reseal,
    set_up,
    work,
)
from trust.signing_test import ALLOWED, fingerprint, newest, public

CHANGED = "since the period was closed"  # `added since...` or `lowered since...`
ADDED = f"added {CHANGED}"


# --- shared helpers -------------------------------------------------------------------------


@pytest.fixture
def invoiced(hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Signatures required; alice signs her summaries (her key in allowed_signers, namespaces
    ffhooks-summary and git); the manager is the one closer. alice's 1 h of Nov 3 committed
    through the hook; on Dec 2 the manager closes November (1 h, signed); then alice's late 2 h
    of Nov 5, committed through the hook (an adjustment). The branch `base` points there."""
    repo = hooked
    keygen(tmp_path, "alice")
    as_alice(repo, monkeypatch, tmp_path)
    configure(repo, signatures="required")
    assert ff("init", "--signing").code == 0
    set_up(repo)
    work(ff, repo, "1h", "2026-11-03 09:00")
    set_now(monkeypatch, AFTER)
    as_manager(repo, ff, monkeypatch, tmp_path)
    assert ff("init", "--closing", "--no-hook").code == 0
    assert commit(repo, "-m", "the manager closes").returncode == 0
    closed = ff("close", "2026-11", "-m", "INV-1")
    assert closed.code == 0 and "(signed with SHA256:" in closed.out, closed.err
    as_alice(repo, monkeypatch, tmp_path)
    work(ff, repo, "2h", "2026-11-05 09:00")
    assert billed(ff, *NOV) == 3600 and adjustments(ff) == [7200]
    git(repo, "branch", "base")
    return repo


def amend_as_manager(repo: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The manager bills the late 2 h: `close --amend`, revision 2 (3 h)."""
    as_manager(repo, ff, monkeypatch, tmp_path)
    amended = ff("close", "2026-11", "--amend", "-m", "INV-2")
    assert amended.code == 0 and f"{TAG}.2" in amended.out, amended.err
    as_alice(repo, monkeypatch, tmp_path)
    assert billed(ff, *NOV) == 10800 and adjustments(ff) == []


def not_blamed(result: Any) -> None:
    """A forged closing makes no developer's time look changed."""
    assert CHANGED not in result.out, result.out


def bare_remote(repo: Path, tmp_path: Path) -> Path:
    """A bare remote `origin` holding `main` and every tag."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main", "--tags")
    return remote


# --- promise 5 ------------------------------------------------------------------------------


class TestPromise5InvoicedPeriodStaysAsBilled:
    """Promise 5, "An invoiced period stays as billed": later changes show as adjustments;
    where the team names its closers, a closing or a revision counts only when one of them
    signed it."""

    def test_a_forged_revision_numbered_far_ahead(self, invoiced: Path, ff: Any) -> None:
        """An unsigned `.9` (revisions 2 to 8 skipped, so that it stays the latest whatever
        the manager amends) claiming 10 h instead of 1 h."""
        hand_made(invoiced, ff, "2026-11.9", report=forged_report(invoiced))
        fix = f"git tag -d {TAG}.9"
        one_line(ff("report", *NOV), f"tag {TAG}.9: unsigned", fix)
        checked = ff("verify")
        refused(checked, f"{TAG}.9: unsigned", fix)
        not_blamed(checked)
        refused(ff("verify", "--since", "base"), f"{TAG}.9: unsigned")
        git(invoiced, "tag", "-d", f"{TAG}.9")
        assert billed(ff, *NOV) == 3600 and adjustments(ff) == [7200]

    def test_a_forgery_under_the_other_name_of_the_same_days(self, invoiced: Path, ff: Any) -> None:
        """`2026-11-01_2026-11-30` names the same days as `2026-11`: a revision `.2` under
        that name, unsigned with other figures, then the closer's own `.1` under it."""
        other = "ffhooks/closed/2026-11-01_2026-11-30.2"
        hand_made(invoiced, ff, "2026-11-01_2026-11-30.2", report=forged_report(invoiced))
        one_line(ff("report", *NOV), f"tag {other}: unsigned", f"git tag -d {other}")
        not_blamed(ff("verify"))
        refused(ff("verify"), f"{other}: unsigned")
        git(invoiced, "tag", "-d", other)
        genuine = git(invoiced, "rev-parse", f"refs/tags/{TAG}").strip()
        git(invoiced, "update-ref", f"refs/tags/{other}", genuine)
        one_line(ff("report", *NOV), f"tag {other}: is a copy of the closing {TAG}")
        git(invoiced, "tag", "-d", other)
        assert billed(ff, *NOV) == 3600 and adjustments(ff) == [7200]

    def test_a_lightweight_tag_as_the_latest_revision(self, invoiced: Path, ff: Any) -> None:
        """`git tag ffhooks/closed/2026-11.2 HEAD`: today's 3 h, as if billed."""
        git(invoiced, "tag", f"{TAG}.2", "HEAD")
        one_line(ff("report", *NOV), f"tag {TAG}.2 is not an annotated tag", f"git tag -d {TAG}.2")
        refused(ff("verify"), f"{TAG}.2")
        git(invoiced, "tag", "-d", f"{TAG}.2")
        assert adjustments(ff) == [7200]

    def test_a_developer_cannot_amend_and_her_own_signed_revision_is_refused(
        self, invoiced: Path, ff: Any, tmp_path: Path
    ) -> None:
        """alice bills her late 2 h herself: `close --amend` with her summary key (allowed in
        allowed_signers with namespace git), then the same revision made with `git tag -s`,
        which git itself accepts against allowed_signers."""
        refusal = ff("close", "2026-11", "--amend")
        one_line(refusal, "may not close here", "ffhooks init --closing")
        assert tags(invoiced) == [TAG]
        alice = tmp_path / "alice_ed25519"
        hand_made(invoiced, ff, "2026-11.2", *signed_by(alice))  # today's 3 h, signed
        by_git = subprocess.run(
            ("git", "-c", f"gpg.ssh.allowedSignersFile={ALLOWED}", "tag", "-v", f"{TAG}.2"),
            cwd=invoiced,
            capture_output=True,
            text=True,
        )
        assert 'Good "git" signature for alice' in by_git.stderr  # a valid signature...
        said = f"signed with key {fingerprint(alice)}, which {CLOSERS} at the work tree"
        one_line(ff("report", *NOV), f"tag {TAG}.2: {said}")  # ...of no closer
        refused(ff("verify"), f"{TAG}.2: signed with key {fingerprint(alice)}")

    def test_a_closers_revision_from_another_project(
        self, invoiced: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """The manager closes for two clients with one key. In project A, November was
        amended (`2026-11.2`, 9 h). In B (1 h closed, 2 h late), someone fetches A's `.2`
        under its own name: a genuine closer's signature, a genuine name."""
        a = tmp_path / "a"
        a.mkdir()
        git(a, "init", "-q")
        monkeypatch.chdir(a)
        assert ff("init", "--no-hook").code == 0
        assert (
            json.loads((a / ".flowforge/team/config.json").read_text())["project"]
            != (json.loads((invoiced / ".flowforge/team/config.json").read_text())["project"])
        )
        as_manager(a, ff, monkeypatch, tmp_path)
        assert ff("init", "--closing", "--no-hook").code == 0
        monkeypatch.setenv("FFHOOKS_USER", "alice")
        assert ff("add", "205", "8h", "--start", "2026-11-10 09:00").code == 0
        assert ff("aggregate").code == 0
        git(a, "add", "-A")
        git(a, "commit", "-qm", "A's November", "--no-verify")
        as_manager(a, ff, monkeypatch, tmp_path)
        assert ff("close", "2026-11").code == 0
        monkeypatch.setenv("FFHOOKS_USER", "alice")
        assert ff("add", "205", "1h", "--start", "2026-11-11 09:00").code == 0
        assert ff("aggregate").code == 0
        git(a, "add", "-A")
        git(a, "commit", "-qm", "A's late hour", "--no-verify")
        as_manager(a, ff, monkeypatch, tmp_path)
        assert ff("close", "2026-11", "--amend").code == 0
        monkeypatch.chdir(invoiced)
        as_alice(invoiced, monkeypatch, tmp_path)
        git(invoiced, "fetch", "-q", str(a), f"refs/tags/{TAG}.2:refs/tags/{TAG}.2")
        result = ff("report", "--format", "json", *NOV)
        no_traceback(result.out, result.err)
        if result.code == 0:  # counted: it must at least bill B's own figures
            assert result.json()["totals"]["billable_seconds"] == 3600, result.out
        else:
            assert result.code == 1 and f"{TAG}.2" in result.err, result

    def test_deleting_the_amendment_makes_its_adjustment_show_again(
        self,
        invoiced: Path,
        ff: Any,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
    ) -> None:
        """The documented limit (a closing tag deleted): with the manager's `.2` deleted in a
        clone, `.1` counts again, so the 2 h it billed show as an adjustment to bill again
        (never silently: `verify` names it, a warning: time added since `.1` cannot be told
        from time billed by a deleted `.2`); with every tag deleted the period reads as open
        (today's figures). `git fetch --tags` from a remote that kept them puts it right."""
        amend_as_manager(invoiced, ff, monkeypatch, tmp_path)
        bare_remote(invoiced, tmp_path)
        git(invoiced, "tag", "-d", f"{TAG}.2")
        assert billed(ff, *NOV) == 3600 and adjustments(ff) == [7200]
        warned = ff("verify")
        assert warned.code == 0 and f"warning: {TAG}: alice task 205 {ADDED}" in warned.out
        git(invoiced, "tag", "-d", TAG)
        doc = ff("report", "--format", "json", *NOV).json()
        assert doc["totals"]["billable_seconds"] == 10800 and "adjustments" not in doc
        git(invoiced, "fetch", "-q", "--tags", "origin")
        assert tags(invoiced) == [TAG, f"{TAG}.2"]
        assert billed(ff, *NOV) == 10800 and adjustments(ff) == [] and ff("verify").code == 0

    def test_a_pull_request_swapping_the_key_on_the_closers_line(
        self, invoiced: Path, ff: Any, tmp_path: Path
    ) -> None:
        """No line added: the manager's own line, his principal kept, with mallory's key."""
        mallory = keygen(tmp_path, "mallory")
        manager = tmp_path / "manager_ed25519"
        path = invoiced / CLOSERS
        path.write_text(path.read_text().replace(public(manager), public(mallory)))
        assert public(mallory) in path.read_text()
        git(invoiced, "commit", "-qam", "rotate the manager's key", "--no-verify")
        warned = ff("verify", "--since", "base", "--format", "json").json()
        assert [w for w in warned["warnings"] if w["path"] == CLOSERS], warned
        # the genuine closing no longer verifies: refused by name, never a silent reopening
        one_line(ff("report", *NOV), f"tag {TAG}: signed with key {fingerprint(manager)}")

    def test_allowed_closers_made_a_symlink_to_allowed_signers(
        self, invoiced: Path, ff: Any, tmp_path: Path
    ) -> None:
        """A pull request replaces the closers' file by a symlink to allowed_signers (whose
        developer keys list `git` among their namespaces); alice then signs a revision."""
        path = invoiced / CLOSERS
        path.unlink()
        path.symlink_to("allowed_signers")
        git(invoiced, "add", CLOSERS)
        git(invoiced, "commit", "-qm", "one list of keys", "--no-verify")
        checked = ff("verify", "--since", "base")
        no_traceback(checked.out, checked.err)
        assert checked.code == 1 and f"{CLOSERS} at " in checked.err, checked
        assert "is not a plain file" in checked.err
        alice = tmp_path / "alice_ed25519"
        hand_made(invoiced, ff, "2026-11.2", *signed_by(alice), report=forged_report(invoiced))
        result = ff("report", *NOV)
        no_traceback(result.out, result.err)
        assert result.code == 1 and f"{CLOSERS} is a symbolic link" in result.err, result

    def test_closed_halves_around_a_session_across_midnight(
        self, hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Day-grain summaries: a session from 23:30:17 on Nov 15 to 00:45:00 on Nov 16 is cut
        at midnight; the halves closed on each side of it add up to the month, to the second,
        and no third closing can take a day again."""
        set_now(monkeypatch, AFTER)
        set_up(hooked)
        work(ff, hooked, "1h14m43s", "2026-11-15 23:30:17")
        work(ff, hooked, "7s", "2026-11-01 00:00:00")
        work(ff, hooked, "3s", "2026-11-30 23:59:57")
        month = 7 + 1783 + 2700 + 3
        assert billed(ff, *NOV) == month
        first = ("--from", "2026-11-01", "--to", "2026-11-15")
        second = ("--from", "2026-11-16", "--to", "2026-11-30")
        assert ff("close", *first).code == 0 and ff("close", *second).code == 0
        assert billed(ff, *first) == 7 + 1783 and billed(ff, *second) == 2700 + 3
        assert billed(ff, *NOV) == billed(ff, *NOV, "--ignore-closed") == month
        for args in (("2026-11",), ("--from", "2026-11-15", "--to", "2026-11-16")):
            one_line(ff("close", *args), "overlaps the closed period")
        assert ff("verify").code == 0
        work(ff, hooked, "1s", "2026-11-16 12:00:00")  # late, in the second half only
        doc = ff("report", "--format", "json", *NOV).json()
        assert doc["totals"]["billable_seconds"] == month
        assert [(a["period"], a["billable_seconds"]) for a in doc["adjustments"]] == [
            ("2026-11-16_2026-11-30", 1)
        ]

    def test_half_a_month_written_whole_under_an_older_config(
        self, hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """November was folded by month; the config says `day` again today, and a half is
        closed from a commit where the month is still held whole."""
        configure(hooked, summary_detail={"per_task": True, "period": "month"})
        set_up(hooked)
        work(ff, hooked, "2h", "2026-11-20 09:00")
        configure(hooked, summary_detail={"per_task": True, "period": "day"})
        git(hooked, "commit", "-qam", "by day again", "--no-verify")
        set_now(monkeypatch, AFTER)
        one_line(
            ff("close", "--from", "2026-11-16", "--to", "2026-11-30"),
            "hold 2026-11 only as a whole",
            "`ffhooks close 2026-11`",
        )
        assert tags(hooked) == []

    def test_the_amended_figures_are_the_same_in_a_fresh_clone_and_a_bare_mirror(
        self,
        invoiced: Path,
        ff: Any,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
    ) -> None:
        """verify names the late 2 h to bill, the closer bills them once (`--amend`); a fresh
        clone and a manager's `git clone --mirror` see the same closed figures, no
        adjustment."""
        warned = ff("verify")
        assert warned.code == 0 and f"warning: {TAG}: alice task 205 {ADDED}" in warned.out
        amend_as_manager(invoiced, ff, monkeypatch, tmp_path)
        assert ff("verify").code == 0 and CHANGED not in ff("verify").out
        remote = bare_remote(invoiced, tmp_path)
        want = figures(ff("report", "--format", "json", "--ref", "main", *NOV).json())
        for how in ("fresh", "--mirror"):
            monkeypatch.chdir(clone_of(remote, tmp_path, how))
            got = ff("report", "--format", "json", "--ref", "main", *NOV)
            assert got.code == 0 and figures(got.json()) == want, (how, got)
            assert got.json()["source"]["commit"] == git(invoiced, "rev-parse", "main").strip()
            assert ff("verify", "--ref", "main").code == 0, how
        assert want["totals"]["billable_seconds"] == 10800 and "adjustments" not in want


# --- promise 6 ------------------------------------------------------------------------------


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """A report's JSON without its source: where it was read differs between clones (a
    fresh clone has an upstream, a mirror none), the figures must not."""
    return {k: v for k, v in report.items() if k != "source"}


def fold_as(ff: Any, repo: Path, user: str, length: str, start: str) -> None:
    """`user` records `length` and commits a change through the hook, which folds it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FFHOOKS_USER", user)
        work(ff, repo, length, start)


def ranges_add_up(ff: Any, users: tuple[str, ...] = ("alice", "bob")) -> dict[str, Any]:
    """The full trail adds up, and so does each user's, and their sum is the whole."""
    whole = check_sums(ff)
    parts = [check_sums(ff, users=(u,))["totals"] for u in users]
    assert {k: sum(p[k] for p in parts) for k in ZERO} == whole["totals"]
    return whole


class TestPromise6EveryChangeIsOnTheRecord:
    """Promise 6, "Every change is on the record": `ffhooks audit` lists each change to the
    billed time, with its commit, author and signer; the changes add up to the difference of
    the reports."""

    def test_a_rebase_that_rewrites_fold_commits_before_merging(
        self, hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        set_up(hooked)
        fold_as(ff, hooked, "bob", "1h", "2026-11-02 09:00")
        git(hooked, "switch", "-qc", "feature")
        fold_as(ff, hooked, "alice", "30m", "2026-11-03 09:00")
        fold_as(ff, hooked, "alice", "17s", "2026-11-04 09:00")
        git(hooked, "switch", "-q", "main")
        fold_as(ff, hooked, "bob", "45m", "2026-11-05 09:00")
        git(hooked, "rebase", "-q", "main", "feature")  # new commits, no hook run
        git(hooked, "switch", "-q", "main")
        git(hooked, "merge", "-q", "--no-ff", "-m", "merge the rebased feature", "feature")
        trail = ranges_add_up(ff)
        assert trail["totals"]["billable_seconds"] == 3600 + 1800 + 17 + 2700
        for named in trail["changes"]:  # no commit the rebase left behind is named
            for sha in (named["commit"], named["via"]):
                git(hooked, "merge-base", "--is-ancestor", sha, "main")

    def test_a_fold_cherry_picked_onto_another_branch_then_both_merged(
        self, hooked: Path, ff: Any
    ) -> None:
        set_up(hooked)
        fold_as(ff, hooked, "bob", "1h", "2026-11-02 09:00")
        git(hooked, "switch", "-qc", "x")
        fold_as(ff, hooked, "alice", "1h", "2026-11-03 09:00")
        picked = git(hooked, "rev-parse", "HEAD").strip()
        git(hooked, "switch", "-qc", "y", "main")
        git(hooked, "cherry-pick", picked)
        git(hooked, "switch", "-q", "main")
        git(hooked, "merge", "-q", "--no-ff", "--no-edit", "y")
        git(hooked, "merge", "-q", "--no-ff", "--no-edit", "x")
        trail = ranges_add_up(ff)
        assert trail["totals"]["billable_seconds"] == 7200  # alice's hour once

    def test_an_octopus_merge_then_a_revert_of_a_merge(self, hooked: Path, ff: Any) -> None:
        set_up(hooked)
        for branch, user, start in (("x", "alice", "03"), ("y", "bob", "04"), ("z", "alice", "05")):
            git(hooked, "switch", "-qc", branch, "main")
            fold_as(ff, hooked, user, "1h", f"2026-11-{start} 09:00")
        git(hooked, "switch", "-q", "main")
        assert change(hooked).returncode == 0  # main moves on: a real octopus
        git(hooked, "merge", "-q", "--no-edit", "x", "y")
        trail = ranges_add_up(ff)
        assert trail["totals"]["billable_seconds"] == totals(ff, "HEAD")["billable_seconds"]
        git(hooked, "merge", "-q", "--no-ff", "--no-edit", "z")
        git(hooked, "revert", "-m", "1", "--no-edit", "HEAD")  # runs no hook
        trail = ranges_add_up(ff)
        assert trail["totals"]["billable_seconds"] == totals(ff, "HEAD")["billable_seconds"]

    def test_a_merge_that_rewrites_the_file_its_branch_added(
        self, hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """alice's fold on a branch adds her month's next file; mallory merges the branch and,
        in the merge commit, puts 10 h in that file (the checksum recomputed), with signatures
        off. The audit must not name alice's commit as the writer of mallory's figures."""
        set_up(hooked)
        fold_as(ff, hooked, "alice", "1h", "2026-11-02 09:00")
        git(hooked, "switch", "-qc", "feature")
        fold_as(ff, hooked, "alice", "1h", "2026-11-03 09:00")
        honest = git(hooked, "rev-parse", "HEAD").strip()
        git(hooked, "switch", "-q", "main")
        assert change(hooked, "--no-verify").returncode == 0  # main moves on (no fold)
        [added] = [
            p
            for p in git(hooked, "diff", "--name-only", "main", "feature", "--", SUMMARIES).split()
            if p.endswith("-2.json")
        ]
        git(hooked, "merge", "-q", "--no-ff", "--no-commit", "feature")
        reseal(hooked, added, totals=one_day(36_000, "2026-11-03"))
        git(hooked, "add", added)
        git(hooked, "-c", "user.name=Mallory", "commit", "-q", "--no-edit", "--no-verify")
        merge = git(hooked, "rev-parse", "HEAD").strip()
        trail = check_sums(ff)
        [forged] = [c for c in trail["changes"] if c["after"] == added]
        assert forged["via"] == merge
        blob = git(hooked, "rev-parse", f"{merge}:{added}").strip()
        said = git(hooked, "rev-parse", f"{forged['commit']}:{added}").strip()
        assert forged["commit"] != honest and said == blob, forged
        assert forged["author"].startswith("Mallory"), forged

    def test_a_forged_summary_claiming_a_signer(
        self, initialised: Path, ff: Any, tmp_path: Path
    ) -> None:
        """bob, whose key the team allows for bob, writes alice's month 10 h higher, signed
        with his key, the file claiming `"signed_by": "alice"`: the audit names his key's
        fingerprint and says it does not verify; the sums still add up."""
        from scenarios.attack_test import forged_for_alice
        from trust.signing_test import keygen as summary_key

        keys = {u: summary_key(tmp_path, u) for u in ("alice", "bob")}
        git(initialised, "config", "user.signingkey", str(keys["alice"]))
        configure(initialised, signatures="warn")
        (initialised / ALLOWED).write_text(
            "".join(f'{u} namespaces="ffhooks-summary,git" {public(k)}\n' for u, k in keys.items())
        )
        git(initialised, "add", "-A")
        git(initialised, "commit", "-qm", "set up", "--no-verify")
        assert ff("add", "205", "1h", "--start", "2026-11-20 09:00").code == 0
        assert ff("aggregate").code == 0
        git(initialised, "add", "-A")
        git(initialised, "commit", "-qm", "alice's hour", "--no-verify")
        forged = forged_for_alice(initialised, keys["bob"], signed_by="alice")
        trail = check_sums(ff)
        [last] = [c for c in trail["changes"] if c["after"] == forged]
        assert last["key"] == fingerprint(keys["bob"]) and last["verified"] is False, last
        assert last["totals"]["billable_seconds"] == 36_000 - 3600
        assert "SIGNATURE DOES NOT VERIFY" in ff("audit").out
        first = trail["changes"][0]
        assert (first["signer"], first["verified"]) == ("alice", True)

    def test_a_late_change_brought_by_a_backdated_merge_is_flagged_closed(
        self, hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """alice's 2 h more of November sit on a branch made before the closing; the merge
        that brings them after the closing has a commit date set before it. The audit flags
        it by history, not by dates; verify and report show it as an adjustment."""
        at(monkeypatch, "20")
        set_up(hooked)
        fold_as(ff, hooked, "alice", "1h", "2026-11-03 09:00")
        git(hooked, "switch", "-qc", "side")
        fold_as(ff, hooked, "alice", "2h", "2026-11-05 09:00")
        git(hooked, "switch", "-q", "main")
        set_now(monkeypatch, AFTER)
        at(monkeypatch, "21")
        assert ff("close", "2026-11").code == 0
        git(hooked, "merge", "-q", "--no-ff", "-m", "backdated", "side")  # dated Nov 21
        trail = check_sums(ff)
        late = trail["changes"][-1]
        assert late["via"] == git(hooked, "rev-parse", "HEAD").strip()
        assert late["closed"] == [TAG] and late["totals"]["billable_seconds"] == 7200
        within = audited(ff, "--from", "2026-11-01", "--to", "2026-11-30")
        assert within["changes"][-1]["closed"] == [TAG]
        assert "CLOSED 2026-11" in ff("audit").out
        assert adjustments(ff) == [7200]
        assert f"{TAG}: alice task 205 {ADDED}" in ff("verify").out

    def test_a_backdated_tip_and_a_date_range(
        self, hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The documented limit (dates are what the committer's git said): a tip dated Nov 1
        makes `--from 2026-11-10` start at the tip, so the range is empty; the JSON names
        both ends, they add up, and the whole trail still lists the change."""
        at(monkeypatch, "02")
        set_up(hooked)
        at(monkeypatch, "11")
        fold_as(ff, hooked, "alice", "1h", "2026-11-11 09:00")
        at(monkeypatch, "01")
        fold_as(ff, hooked, "alice", "5h", "2026-11-12 09:00")
        ranged = check_sums(ff, "--from", "2026-11-10")
        tip = git(hooked, "rev-parse", "HEAD").strip()
        assert ranged["start"] == ranged["end"] == tip and ranged["changes"] == []
        whole = check_sums(ff)
        assert whole["changes"][-1]["entered"].startswith("2026-11-01")
        assert whole["totals"]["billable_seconds"] == 6 * 3600

    @pytest.mark.parametrize("entry", ["submodule", "symlink"])
    def test_a_summary_path_that_is_no_file(self, hooked: Path, ff: Any, entry: str) -> None:
        """Above alice's live file, a higher seq that is a submodule entry (a commit id) or a
        symlink: the report and the audit must agree on what counts, or refuse it by name."""
        set_up(hooked)
        fold_as(ff, hooked, "alice", "2h", "2026-11-03 09:00")
        live = newest(hooked, "alice")
        above = live.replace("-1.json", "-9.json")
        if entry == "submodule":
            head = git(hooked, "rev-parse", "HEAD").strip()
            git(hooked, "update-index", "--add", "--cacheinfo", f"160000,{head},{above}")
        else:
            (hooked / above).symlink_to(Path(live).name)
            git(hooked, "add", above)
        git(hooked, "commit", "-qm", f"a {entry}", "--no-verify")
        report = ff("report", "--ref", "HEAD", "--format", "json", "--ignore-closed")
        trail = ff("audit", "--format", "json")
        no_traceback(report.out, report.err, trail.out, trail.err)
        if report.code == 0:
            assert trail.code == 0
            assert trail.json()["totals"] == report.json()["totals"], (report.out, trail.out)
        else:
            assert report.code == 1 and above in report.err, report
            assert trail.code == 0 or len(trail.err.strip().splitlines()) == 1, trail
        verified = ff("verify")
        no_traceback(verified.out, verified.err)
        assert verified.code == 1 and above in verified.out, verified

    def test_a_replace_ref_pushed_to_the_remote(
        self, hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """mallory cannot push to main, but can push any other ref: `refs/replace/<blob>` of
        alice's live summary, a resealed copy claiming 10 h. git reads the replacement for
        the original wherever the ref is (a manager's mirror clone, a server)."""
        set_up(hooked)
        fold_as(ff, hooked, "alice", "1h", "2026-11-03 09:00")
        remote = bare_remote(hooked, tmp_path)
        live = newest(hooked, "alice")
        reseal(hooked, live, "forged.json", totals=one_day(36_000, "2026-11-03"))
        forged = git(hooked, "hash-object", "-w", "forged.json").strip()
        original = git(hooked, "rev-parse", f"HEAD:{live}").strip()
        git(hooked, "replace", original, forged)
        git(hooked, "push", "-q", "origin", f"refs/replace/{original}")
        git(hooked, "replace", "-d", original)
        results = {}
        for how in ("fresh", "--mirror"):
            monkeypatch.chdir(clone_of(remote, tmp_path, how))
            report = ff("report", "--ref", "main", "--format", "json")
            shown = json.dumps(figures(report.json()))
            results[how] = (report.code, shown, json.dumps(audited(ff, "--ref", "main")))
        assert json.loads(results["fresh"][1])["totals"]["billable_seconds"] == 3600
        assert results["--mirror"] == results["fresh"]

    def test_a_shallow_since_clone_is_refused_and_a_blobless_clone_agrees(
        self, hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        at(monkeypatch, "02")
        set_up(hooked)
        at(monkeypatch, "03")
        fold_as(ff, hooked, "alice", "1h", "2026-11-03 09:00")
        at(monkeypatch, "10")
        fold_as(ff, hooked, "bob", "1h", "2026-11-10 09:00")
        want = audited(ff)
        git(hooked, "config", "uploadpack.allowFilter", "true")
        source = f"file://{hooked}"
        shallow, blobless = tmp_path / "shallow", tmp_path / "blobless"
        git(tmp_path, "clone", "-q", "--shallow-since=2026-11-05", source, str(shallow))
        git(tmp_path, "clone", "-q", "--filter=blob:none", source, str(blobless))
        monkeypatch.chdir(shallow)
        one_line_exit_2(ff("audit"), "shallow", "--unshallow")
        one_line_exit_2(ff("audit", "--from", "2026-11-09"), "shallow")
        monkeypatch.chdir(blobless)
        assert audited(ff) == want

    def test_broken_refs_dates_and_users_are_one_line(self, hooked: Path, ff: Any) -> None:
        set_up(hooked)
        fold_as(ff, hooked, "alice", "1h", "2026-11-03 09:00")
        tree = git(hooked, "rev-parse", "HEAD^{tree}").strip()
        blob = git(hooked, "rev-parse", f"HEAD:{newest(hooked, 'alice')}").strip()
        for args in (
            ("--ref=--all",),
            ("--ref=-p",),
            ("--ref", ""),
            ("--ref", tree),
            ("--ref", blob),
            ("--ref", "HEAD:.flowforge"),
            ("--ref", "HEAD~5"),
            ("--from", "2026-02-30"),
            ("--to", "9001-01-01"),
            ("--from", "1969-12-31"),
            ("--user", ""),
            ("--user", "a*"),
            ("--user", "../alice"),
        ):
            result = ff("audit", *args)
            no_traceback(result.out, result.err)
            assert result.code == 1, (args, result)
            assert result.out == "" and result.err.startswith("ffhooks: "), (args, result)
            assert len(result.err.strip().splitlines()) == 1, (args, result.err)
        assert ff("audit", "--ref", "HEAD~0").code == 0

    @pytest.mark.parametrize("command", ["audit", "report", "verify"])
    def test_a_range_given_as_the_ref_is_one_line(
        self, hooked: Path, ff: Any, command: str
    ) -> None:
        set_up(hooked)
        fold_as(ff, hooked, "alice", "1h", "2026-11-03 09:00")
        fold_as(ff, hooked, "alice", "1h", "2026-11-04 09:00")
        result = ff(command, "--ref", "HEAD~1..HEAD")
        no_traceback(result.out, result.err)
        assert result.code == 1 and result.err.startswith("ffhooks: "), result
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "HEAD~1..HEAD" in result.err, result.err

    def test_a_revert_of_compaction_is_no_change(self, hooked: Path, ff: Any) -> None:
        set_up(hooked)
        fold_as(ff, hooked, "alice", "1h", "2026-11-03 09:00")
        fold_as(ff, hooked, "alice", "1h", "2026-11-04 09:00")
        before = audited(ff)
        assert ff("compact").code == 0
        git(hooked, "revert", "--no-edit", "HEAD")  # the superseded files back
        assert audited(ff)["changes"] == before["changes"]
        check_sums(ff)


def clone_of(remote: Path, tmp_path: Path, how: str) -> Path:
    """A clone of `remote`: a `fresh` one (a manager's), or a `--mirror` (a server's copy)."""
    target = tmp_path / how.strip("-")
    git(tmp_path, "clone", "-q", *([how] if how != "fresh" else []), str(remote), str(target))
    return target
