"""Closed periods that cannot be forged or double-billed: a period is closed at the grain
the summaries record (month-level summaries close whole months only), and a closing counts
only when signed by a key `.flowforge/team/allowed_closers` lists at the commit reported or
verified (never the tagged commit's). Real git, real ssh-keygen keys."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git, set_now
from helpers import keygen

from ffhooks.report import closing

AFTER = "2026-12-02T12:00:00Z"
NOV = ("--from", "2026-11-01", "--to", "2026-11-30")
TAG = "ffhooks/closed/2026-11"
CLOSERS = ".flowforge/team/allowed_closers"
FIRST_HALF = "ffhooks/closed/2026-11-01_2026-11-15"


def configure(top: Path, **settings: Any) -> None:
    path = top / ".flowforge/team/config.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **settings}, indent=2) + "\n")


def record(ff: Any, repo: Path, *entries: tuple[str, str, str]) -> None:
    """Add each (task, duration, start), aggregate and commit."""
    for task, duration, start in entries:
        assert ff("add", task, duration, "--start", start).code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    assert commit(repo, "-m", "time", "--no-verify").returncode == 0


def billed(ff: Any, *args: str) -> int:
    result = ff("report", "--format", "json", *args)
    assert result.code == 0, result.err
    total: int = result.json()["totals"]["billable_seconds"]
    return total


def refused(result: Any, *said: str) -> None:
    assert result.code == 1 and "Traceback" not in result.err, result.err
    text = result.out + result.err
    assert all(s in text for s in said), text


def one_line(result: Any, *said: str) -> None:
    refused(result, *said)
    assert result.out == "" and len(result.err.splitlines()) == 1, result.err


def tags(repo: Path) -> list[str]:
    return git(repo, "tag", "-l", "ffhooks/closed/*").split()


def hand_made(
    repo: Path, ff: Any, label: str, *sign: str, report: dict[str, Any] | None = None
) -> None:
    """The tag `ffhooks/closed/LABEL` as someone without `ffhooks close` makes it (an older
    ffhooks, or a forger): the report at HEAD, or `report`, recorded with its hash; `sign`
    are git's options to sign it (`-s` and config), none for an unsigned tag."""
    span = closing.span_of(label)
    assert span is not None
    if report is None:
        args = ("--from", str(span.first), "--to", str(span.last), "--by", "user,task,month,day")
        result = ff("report", "--ref", "HEAD", *args, "--format", "json", "--ignore-closed")
        assert result.code == 0, result.err
        text = result.out
    else:
        text = json.dumps(report, indent=2) + "\n"
    file = repo.parent / f"{label}.msg"
    file.write_text(closing.message(span, None, text, None))
    config = [a for a in sign if a != "-s"]
    mode = "-s" if "-s" in sign else "-a"
    git(repo, *config, "tag", mode, "--cleanup=verbatim", "-F", str(file), span.tag)


def signed_by(key: Path) -> tuple[str, ...]:
    return ("-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "-s")


# -- item 4: closing no finer than the summaries --------------------------------------------


@pytest.fixture
def by_month(initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Month-level summaries: 1 h on Nov 3 and 2 h on Nov 20, committed; today is Dec 2."""
    configure(initialised, summary_detail={"per_task": True, "period": "month"})
    record(ff, initialised, ("12", "1h", "2026-11-03T09:00:00Z"))
    record(ff, initialised, ("12", "2h", "2026-11-20T09:00:00Z"))
    set_now(monkeypatch, AFTER)
    return initialised


def test_month_summaries_close_whole_months_only(by_month: Path, ff: Any) -> None:
    for args, instead in [
        (("--from", "2026-11-01", "--to", "2026-11-15"), "`ffhooks close 2026-11`"),
        (("--from", "2026-11-16", "--to", "2026-11-30"), "`ffhooks close 2026-11`"),
        (
            ("--from", "2026-10-01", "--to", "2026-11-15"),
            "`ffhooks close --from 2026-10-01 --to 2026-11-30` or `ffhooks close 2026-10`",
        ),
    ]:
        one_line(
            ff("close", *args),
            "hold 2026-11 only as a whole",
            "(month-level summaries: alice)",
            instead,
        )
    assert tags(by_month) == []
    assert ff("close", "2026-11").code == 0
    assert billed(ff, *NOV) == 10800 and ff("verify").code == 0


def test_day_summaries_close_halves_that_add_up_to_the_month(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(
        ff, initialised, ("12", "1h", "2026-11-03T09:00:00Z"), ("12", "2h", "2026-11-20T09:00:00Z")
    )
    set_now(monkeypatch, AFTER)
    assert ff("close", "--from", "2026-11-01", "--to", "2026-11-15").code == 0
    assert ff("close", "--from", "2026-11-16", "--to", "2026-11-30").code == 0
    halves = [closing.cells_of(c.report) for c in closing.closed_periods(_repo(initialised))]
    assert [sum(x.billable_seconds for x in cells) for cells in halves] == [3600, 7200]
    assert billed(ff, *NOV) == billed(ff, *NOV, "--ignore-closed") == 10800
    assert billed(ff, "--from", "2026-11-01", "--to", "2026-11-15") == 3600
    assert ff("verify").code == 0


def _repo(top: Path) -> Any:
    from ffhooks.git.plumbing import require_repo

    return require_repo(top)


def test_halves_closed_by_an_older_version_on_month_summaries_are_refused(
    by_month: Path, ff: Any
) -> None:
    hand_made(by_month, ff, "2026-11-01_2026-11-15")  # each records the whole month
    hand_made(by_month, ff, "2026-11-16_2026-11-30")
    said = "closes part of 2026-11 (2026-11-01 to 2026-11-15) but records the whole month"
    one_line(ff("report", *NOV), f"tag {FIRST_HALF}: {said}", "ffhooks close 2026-11")
    one_line(ff("report", "--from", "2026-11-20", "--to", "2026-11-20"), FIRST_HALF)
    checked = ff("verify")
    refused(checked, f"{FIRST_HALF}: {said}", "ffhooks/closed/2026-11-16_2026-11-30: closes part")
    assert billed(ff, "--from", "2026-12-01", "--to", "2026-12-31") == 0  # December: unaffected
    assert billed(ff, *NOV, "--ignore-closed") == 10800
    for tag in tags(by_month):  # the fix the message names
        git(by_month, "tag", "-d", tag)
    assert ff("close", "2026-11").code == 0 and billed(ff, *NOV) == 10800
    assert ff("verify").code == 0


def test_halves_closed_by_day_then_summaries_by_month_are_refused(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(
        ff, initialised, ("12", "1h", "2026-11-03T09:00:00Z"), ("12", "2h", "2026-11-20T09:00:00Z")
    )
    set_now(monkeypatch, AFTER)
    assert ff("close", "--from", "2026-11-01", "--to", "2026-11-15").code == 0
    configure(initialised, summary_detail={"per_task": True, "period": "month"})
    assert ff("aggregate", "--all").code == 0
    git(initialised, "add", "-A")
    assert commit(initialised, "-m", "by month", "--no-verify").returncode == 0
    said = "closes part of 2026-11 (2026-11-01 to 2026-11-15), but the summaries now hold "
    said += "2026-11 whole"
    one_line(ff("report", *NOV), said)
    refused(ff("verify"), f"{FIRST_HALF}: {said}")


# -- item 5: who may close ------------------------------------------------------------------


@pytest.fixture
def guarded(initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Alice signs her summaries (her key: in allowed_signers, namespaces ffhooks-summary and
    git); the manager's key is the one closer; November (1 h) closed by the manager."""
    repo = initialised
    alice = keygen(tmp_path, "alice")
    git(repo, "config", "user.signingkey", str(alice))
    assert ff("init", "--signing").code == 0
    git(repo, "add", "-A")
    assert commit(repo, "-m", "alice signs", "--no-verify").returncode == 0
    record(ff, repo, ("12", "1h", "2026-11-03T09:00:00Z"))
    set_now(monkeypatch, AFTER)
    as_manager(repo, ff, monkeypatch, tmp_path)
    set_up = ff("init", "--closing", "--no-hook")
    assert set_up.code == 0 and f"{CLOSERS}: added and staged" in set_up.out
    assert commit(repo, "-m", "the manager closes", "--no-verify").returncode == 0
    result = ff("close", "2026-11")
    assert result.code == 0 and "(signed with SHA256:" in result.out, result.err
    as_alice(repo, monkeypatch, tmp_path)
    record(ff, repo, ("12", "2h", "2026-11-05T09:00:00Z"))  # late: an adjustment
    return repo


def as_manager(repo: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = tmp_path / "manager_ed25519"
    if not key.exists():
        keygen(tmp_path, "manager")
    git(repo, "config", "user.signingkey", str(key))
    monkeypatch.setenv("FFHOOKS_USER", "manager")


def as_alice(repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    git(repo, "config", "user.signingkey", str(tmp_path / "alice_ed25519"))
    monkeypatch.setenv("FFHOOKS_USER", "alice")


def adjustments(ff: Any) -> list[int]:
    result = ff("report", "--format", "json", *NOV)
    assert result.code == 0, result.err
    return [a["billable_seconds"] for a in result.json().get("adjustments", [])]


def forged_report(repo: Path) -> dict[str, Any]:
    """November's closed report with 10 h instead of 1 h: the difference bills as an
    adjustment, and `verify` blames the developers."""
    text = git(repo, "tag", "-l", "--format=%(contents)", TAG)
    report: dict[str, Any] = json.loads(
        text.split("ffhooks-report:\n", 1)[1].split("-----BEGIN")[0]
    )
    report["rows"][0]["billable_seconds"] = 36000
    return report


def test_a_closers_signature_is_accepted_and_git_checks_it_too(guarded: Path, ff: Any) -> None:
    assert adjustments(ff) == [7200]
    checked = ff("verify", "--closed")
    assert checked.code == 0 and "anyone who can push a tag" not in checked.out
    assert f"warning: {TAG}: alice task 12 added" in checked.out  # the late 2 h, to bill
    verified = subprocess.run(
        ("git", "-c", f"gpg.ssh.allowedSignersFile={CLOSERS}", "tag", "-v", TAG),
        cwd=guarded,
        capture_output=True,
        text=True,
    )
    assert 'Good "git" signature for manager' in verified.stderr


def test_a_forged_unsigned_revision_is_refused_by_name(guarded: Path, ff: Any) -> None:
    hand_made(guarded, ff, "2026-11.2", report=forged_report(guarded))
    fix = "git tag -d ffhooks/closed/2026-11.2"
    said = f"tag {TAG}.2: unsigned, and closings here must be signed by a closer ({CLOSERS} at"
    one_line(ff("report", *NOV), said, fix)
    checked = ff("verify")
    refused(checked, f"{TAG}.2: unsigned", fix)
    assert "since the period was closed" not in checked.out  # no developer blamed
    refused(ff("verify", "--closed"), f"{TAG}.2: unsigned")
    git(guarded, "tag", "-d", f"{TAG}.2")
    assert adjustments(ff) == [7200]


def test_a_revision_signed_with_a_developers_summary_key_is_refused(
    guarded: Path, ff: Any, tmp_path: Path
) -> None:
    alice = tmp_path / "alice_ed25519"
    hand_made(guarded, ff, "2026-11.2", *signed_by(alice), report=forged_report(guarded))
    fingerprint = subprocess.run(
        ("ssh-keygen", "-l", "-f", f"{alice}.pub"), capture_output=True, text=True
    ).stdout.split()[1]
    said = f"signed with key {fingerprint}, which {CLOSERS} at the work tree does not list"
    one_line(ff("report", *NOV), f"tag {TAG}.2: {said}")
    refused(ff("verify"), f"{TAG}.2: signed with key {fingerprint}, which {CLOSERS} at ")


def test_a_forger_who_adds_their_key_on_the_tagged_commit_is_still_refused(
    guarded: Path, ff: Any, tmp_path: Path
) -> None:
    mallory = keygen(tmp_path, "mallory")
    git(guarded, "checkout", "-q", "-b", "evil")
    pub = " ".join(Path(f"{mallory}.pub").read_text().split()[:2])
    with open(guarded / CLOSERS, "a") as out:
        out.write(f'mallory namespaces="git" {pub}\n')
    git(guarded, "commit", "-qam", "mallory closes", "--no-verify")
    hand_made(guarded, ff, "2026-11.2", *signed_by(mallory), report=forged_report(guarded))
    git(guarded, "checkout", "-q", "main")
    one_line(ff("report", *NOV), f"tag {TAG}.2: signed with key")
    refused(ff("verify"), f"{TAG}.2: signed with key")
    refused(ff("verify", "--ref", "main"), f"{TAG}.2: signed with key")


def test_a_copy_of_a_signed_closing_under_a_later_name_is_refused(
    guarded: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    as_manager(guarded, ff, monkeypatch, tmp_path)
    assert ff("close", "2026-11", "--amend").code == 0  # the 2 h billed: revision 2
    as_alice(guarded, monkeypatch, tmp_path)
    assert adjustments(ff) == [] and ff("verify").code == 0
    first = git(guarded, "rev-parse", f"refs/tags/{TAG}").strip()
    git(guarded, "update-ref", f"refs/tags/{TAG}.3", first)  # the 2 h would bill again
    one_line(ff("report", *NOV), f"tag {TAG}.3: is a copy of the closing {TAG}")


def test_a_fresh_clone_that_fetched_the_tags_accepts_the_closers_revision(
    guarded: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    as_manager(guarded, ff, monkeypatch, tmp_path)
    assert ff("close", "2026-11", "--amend").code == 0
    remote, clone = tmp_path / "remote.git", tmp_path / "clone"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(guarded, "push", "-q", "--tags", str(remote), "main")
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    git(clone, "fetch", "-q", "--tags", "origin")
    monkeypatch.chdir(clone)
    assert ff("init", "--no-hook").code == 0
    assert billed(ff, *NOV) == 10800 and adjustments(ff) == []
    assert ff("verify").code == 0 and ff("verify", "--ref", "origin/main").code == 0
    for ref in ("HEAD", f"{TAG}.2"):
        assert billed(ff, "--ref", ref, *NOV) == 10800


def test_close_refuses_a_key_that_may_not_close_before_writing_the_tag(
    guarded: Path, ff: Any
) -> None:
    assert ff("add", "12", "1h", "--start", "2026-12-01T09:00:00Z").code == 0  # as alice
    one_line(
        ff("close", "--from", "2026-12-01", "--to", "2026-12-01"),
        "may not close here",
        "ffhooks init --closing",
    )
    git(guarded, "config", "--unset", "user.signingkey")
    one_line(
        ff("close", "--from", "2026-12-01", "--to", "2026-12-01"), "git has no SSH signing key"
    )
    assert tags(guarded) == [TAG]


def test_required_signatures_require_signed_closings(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(ff, initialised, ("12", "1h", "2026-11-03T09:00:00Z"))
    set_now(monkeypatch, AFTER)
    assert ff("close", "2026-11").code == 0  # unsigned: no policy yet
    warned = ff("verify")
    assert warned.code == 0
    assert "anyone who can push a tag can revise a closed period" in warned.out
    assert "ffhooks init --closing" in warned.out
    configure(initialised, signatures="required", signatures_from="2027-01")
    git(initialised, "commit", "-qam", "required", "--no-verify")
    one_line(ff("report", *NOV), f"tag {TAG}: unsigned", f"--amend --ref {TAG}")
    one_line(ff("close", "--from", "2026-12-01", "--to", "2026-12-01"), "ffhooks init --closing")


def test_the_closers_policy_removed_since_the_base_fails_and_a_closer_added_warns(
    guarded: Path, ff: Any, tmp_path: Path
) -> None:
    git(guarded, "branch", "base")
    git(guarded, "checkout", "-q", "-b", "weaker")
    git(guarded, "rm", "-q", CLOSERS)
    git(guarded, "commit", "-qm", "no closers", "--no-verify")
    failed = ff("verify", "--since", "base")
    refused(failed, f"{CLOSERS}: removed since base")
    git(guarded, "checkout", "-q", "-b", "more", "base")
    pub = " ".join(Path(f"{keygen(tmp_path, 'mallory')}.pub").read_text().split()[:2])
    with open(guarded / CLOSERS, "a") as out:
        out.write(f'mallory namespaces="git" {pub}\n')
    git(guarded, "commit", "-qam", "one more closer", "--no-verify")
    warned = ff("verify", "--since", "base", "--format", "json").json()
    assert {
        "path": CLOSERS,
        "problem": "1 closer line(s) added since base: review who may now close and revise "
        "closed periods",
    } in warned["warnings"]
