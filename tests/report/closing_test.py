"""`ffhooks close`: a billed period's report kept as the annotated (signed, when git has a
key) tag ffhooks/closed/<period>; later changes to it show in reports as adjustments, are
named by `verify` until `close --amend` (time added as a warning, an adjustment to bill; a
figure lowered as a problem: adjustments_test.py), and are warned about by add, edit,
remove and recut."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git, set_now

TAG = "ffhooks/closed/2026-11"
AFTER = "2026-12-02T12:00:00Z"
NOV = ("--from", "2026-11-01", "--to", "2026-11-30")


def record(ff: Any, repo: Path, *entries: tuple[str, ...]) -> None:
    """Add each (task, duration, start, *flags), aggregate and commit."""
    for task, duration, start, *flags in entries:
        result = ff("add", task, duration, "--start", start, *flags)
        assert result.code == 0, result.err
    assert ff("aggregate").code == 0
    assert commit(repo, "-m", "time").returncode == 0


def closed_tags(repo: Path) -> list[str]:
    return git(repo, "tag", "-l", "ffhooks/closed/*").split()


def report(ff: Any, *args: str) -> dict[str, Any]:
    result = ff("report", "--format", "json", *args)
    assert result.code == 0, result.err
    found: dict[str, Any] = result.json()
    return found


def figures(doc: dict[str, Any]) -> dict[tuple[str, ...], int]:
    keys = doc["group_by"]
    return {tuple(r[k] for k in keys): r["billable_seconds"] for r in doc["rows"]}


def adj(task: str, billable: int, sessions: int, user: str = "alice", other: int = 0) -> Any:
    keys = ("period", "user", "task", "billable_seconds", "non_billable_seconds", "sessions")
    found = dict(zip(keys, ("2026-11", user, task, billable, other, sessions), strict=True))
    lowered = [] if min(billable, other, sessions) >= 0 else ["a day"]
    return {**found, "kind": "lowering" if lowered else "addition", "lowered": lowered}


def without_days(adjustments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adjustments with only whether some day was lowered, not which (`adj` gives that)."""
    return [{**a, "lowered": ["a day"] if a["lowered"] else []} for a in adjustments]


@pytest.fixture
def closed(initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """November (1h on task 12, 30m non-billable on 13) committed, then closed on Dec 2."""
    record(ff, initialised, ("12", "1h", "2026-11-03T09:00:00Z"))
    record(ff, initialised, ("13", "30m", "2026-11-16T09:00:00Z", "--no-billable"))
    set_now(monkeypatch, AFTER)
    result = ff("close", "2026-11", "-m", "invoice INV-7")
    assert result.code == 0, result.err
    assert "in the tag ffhooks/closed/2026-11 (unsigned)" in result.out
    assert f"Share it: `git push origin {TAG}`" in result.out
    return initialised


def late(ff: Any, repo: Path) -> None:
    """2h more on task 12 in November, committed after the close."""
    result = ff("add", "12", "2h", "--start", "2026-11-05T09:00:00Z")
    assert "closed period" in result.err and TAG in result.err
    assert ff("aggregate").code == 0
    assert commit(repo, "-m", "late").returncode == 0


def test_late_time_is_an_adjustment_to_bill_and_reports_show_it_apart(
    closed: Path, ff: Any
) -> None:
    assert ff("verify").code == 0
    assert "every closed period unchanged" in ff("verify", "--closed").out
    late(ff, closed)
    line = (
        f"warning: {TAG}: alice task 12 added since the period was closed (billable +2:00:00, "
        "sessions +1): an adjustment to bill"
    )
    for args in ((), ("--closed",)):
        result = ff("verify", *args)
        assert result.code == 0 and line in result.out, result.out
    doc = report(ff, *NOV)
    assert figures(doc) == {("alice", "12"): 3600, ("alice", "13"): 0}  # as billed
    assert doc["totals"]["billable_seconds"] == 3600
    assert doc["adjustments"] == [adj("12", 7200, 1)]
    today = report(ff, *NOV, "--ignore-closed")
    assert figures(today) == {("alice", "12"): 10800, ("alice", "13"): 0}
    assert "adjustments" not in today and not today["notes"]
    assert "adjustments" not in report(ff, "--from", "2026-12-01", "--to", "2026-12-31")
    table = ff("report", *NOV).out.splitlines()
    assert [r.split()[:3] for r in table if r.startswith("alice  12")] == [
        ["alice", "12", "1:00:00"]
    ]
    notes = [r for r in table if "ADJUSTMENT" in r]
    assert notes == [
        "note: ADJUSTMENT to closed period 2026-11 (shown above as closed), to bill: alice 12 "
        "billable +2:00:00, sessions +1 since it was closed"
    ]
    for fmt in ("markdown", "html"):
        assert "ADJUSTMENT to closed period 2026-11" in ff("report", "--format", fmt, *NOV).out


def test_csv_report_notes_the_adjustment(closed: Path, ff: Any) -> None:
    late(ff, closed)
    out = ff("report", "--format", "csv", *NOV).out
    assert "alice,12,3600," in out  # the closed figure, as billed
    assert "ADJUSTMENT to closed period 2026-11" in out


def test_filters_apply_to_adjustments_and_removals_count_negative(
    closed: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    late(ff, closed)
    monkeypatch.setenv("FFHOOKS_USER", "bob")
    record(ff, closed, ("14", "1h", "2026-11-06T09:00:00Z"))
    assert report(ff, *NOV)["adjustments"] == [adj("12", 7200, 1), adj("14", 3600, 1, "bob")]
    assert report(ff, *NOV, "--user", "alice")["adjustments"] == [adj("12", 7200, 1)]
    assert report(ff, *NOV, "--task", "14")["adjustments"] == [adj("14", 3600, 1, "bob")]
    assert "adjustments" not in report(ff, *NOV, "--user", "bob", "--task", "12")
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    (ops,) = [s for s in ff("log", "--all", "--json").json()["sessions"] if s["task"] == "13"]
    removed = ff("remove", ops["id"])
    assert removed.code == 0 and TAG in removed.err
    assert ff("aggregate").code == 0 and commit(closed, "-m", "rm").returncode == 0
    assert adj("13", 0, -1, other=-1800) in without_days(report(ff, *NOV)["adjustments"])
    # task 13 is now only in the closed period: still a filter, for the credit's invoice
    lowered = without_days(report(ff, *NOV, "--task", "13")["adjustments"])
    assert lowered == [adj("13", 0, -1, other=-1800)]
    result = ff("verify", "--closed")
    assert result.code == 1
    assert (
        f"{TAG}: alice task 13 lowered since the period was closed (2026-11-16 non-billable "
        "-0:30:00, sessions -1; in all: non-billable -0:30:00, sessions -1)"
    ) in result.out
    assert f"warning: {TAG}: bob task 14 added since the period was closed" in result.out


def test_the_tag_holds_the_report_at_the_tag_and_its_sha256(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = initialised
    record(ff, repo, ("12", "1h", "2026-11-03T09:00:00Z"))
    billed = git(repo, "rev-parse", "HEAD").strip()
    record(ff, repo, ("12", "2h", "2026-11-04T09:00:00Z"))  # after the invoice's commit
    set_now(monkeypatch, AFTER)
    assert ff("close", "2026-11", "--ref", "HEAD~1", "-m", "INV-7").code == 0
    assert git(repo, "rev-parse", f"{TAG}^{{commit}}").strip() == billed
    assert git(repo, "cat-file", "-t", TAG).strip() == "tag"
    text = git(repo, "tag", "-l", "--format=%(contents)", TAG)
    assert text.startswith("ffhooks closed period 2026-11 (2026-11-01 to 2026-11-30)\n\nINV-7\n")
    digest = re.search(r"^ffhooks-report-sha256: ([0-9a-f]{64})$", text, re.M)
    assert digest is not None
    command = f"ffhooks report --ref {TAG} --from 2026-11-01 --to 2026-11-30 "
    command += "--by user,task,month,day --format json --ignore-closed"
    printed = subprocess.run(
        command.split(), cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert hashlib.sha256(printed.encode()).hexdigest() == digest[1]
    assert text.split("ffhooks-report:\n", 1)[1].rstrip("\n") == printed.rstrip("\n")
    assert '"billable_seconds": 3600' in printed and "10800" not in printed
    # the 2h committed after the invoice's commit are an adjustment already
    assert report(ff, *NOV)["adjustments"] == [adj("12", 7200, 1)]


def test_a_signed_tag_verifies_with_git(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo = initialised
    key = tmp_path / "alice_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key, "-C", "alice"])
    git(repo, "config", "user.signingkey", str(key))
    record(ff, repo, ("12", "1h", "2026-11-03T09:00:00Z"))
    set_now(monkeypatch, AFTER)
    result = ff("close", "2026-11")
    assert result.code == 0
    assert "in the tag ffhooks/closed/2026-11 (signed with SHA256:" in result.out
    signers = tmp_path / "allowed_signers"
    signers.write_text(f'alice namespaces="git" {key.with_suffix(".pub").read_text()}')
    checked = subprocess.run(
        ("git", "-c", f"gpg.ssh.allowedSignersFile={signers}", "tag", "-v", TAG),
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0 and 'Good "git" signature for alice' in checked.stderr
    # the signature after the report does not spoil its hash
    assert ff("verify", "--closed").code == 0
    late(ff, repo)
    assert report(ff, *NOV)["adjustments"] == [adj("12", 7200, 1)]


def test_amend_closes_again_as_the_next_revision(closed: Path, ff: Any) -> None:
    late(ff, closed)
    assert "added since" in ff("verify", "--closed").out
    result = ff("close", "2026-11", "--amend")
    assert result.code == 0 and "ffhooks/closed/2026-11.2" in result.out
    assert ff("verify").code == 0
    doc = report(ff, *NOV)
    assert figures(doc)[("alice", "12")] == 10800 and "adjustments" not in doc
    assert "--amend" in ff("close", "2026-11").err
    result = ff("add", "12", "15m", "--start", "2026-11-06T09:00:00Z")
    assert "ffhooks/closed/2026-11.2" in result.err and f"{TAG} " not in result.err
    assert ff("aggregate").code == 0 and commit(closed, "-m", "later").returncode == 0
    warned = ff("verify")
    assert warned.code == 0 and "ffhooks/closed/2026-11.2: alice task 12 added" in warned.out
    assert "(billable +0:15:00, sessions +1)" in warned.out
    assert "`ffhooks close 2026-11 --amend` closes the period again" in warned.out
    assert ff("close", "2026-11", "--amend").code == 0
    assert closed_tags(closed) == [TAG, f"{TAG}.2", f"{TAG}.3"]
    assert "added since" not in ff("verify").out


def test_refusals_are_one_line_and_write_no_tag(closed: Path, ff: Any) -> None:
    for args, expected in [
        (("2026-11",), "--amend"),
        (("--from", "2026-11-20", "--to", "2026-12-01"), "overlaps the closed period 2026-11"),
        (("2026-10", "--amend"), "not closed"),
        (("2026-13",), "YYYY-MM"),
        (("2026-11-15",), "YYYY-MM"),
        (("--from", "2026-12-10", "--to", "2026-12-01"), "in order"),
        (("--from", "2026-12-01"), "--to"),
        (("2026-10", "-m", "see ffhooks-report"), "ffhooks-report"),
        (("2026-12",), "has not ended yet"),  # today is 2026-12-02
        (("--from", "2026-11-20", "--to", "2026-12-03"), "has not ended yet"),
    ]:
        result = ff("close", *args)
        assert result.code == 1, args
        assert expected in result.err and len(result.err.splitlines()) == 1, result.err
        assert "Traceback" not in result.err and result.out == ""
    assert closed_tags(closed) == [TAG]
    assert ff("close", "--from", "2026-12-01", "--to", "2026-12-01").code == 0
    assert closed_tags(closed) == [TAG, "ffhooks/closed/2026-12-01_2026-12-01"]


def test_add_edit_remove_warn_only_inside_a_closed_period(closed: Path, ff: Any) -> None:
    def warned(result: Any) -> bool:
        assert result.code == 0, result.err
        return "closed period" in result.err and TAG in result.err

    assert not warned(ff("add", "12", "1h", "--start", "2026-12-01T09:00:00Z"))
    assert warned(ff("add", "12", "1h", "--start", "2026-11-30T09:00:00Z"))
    ids = {s["start"][:10]: s["id"] for s in ff("log", "--all", "--json").json()["sessions"]}
    december, november = ids["2026-12-01"], ids["2026-11-30"]
    assert not warned(ff("edit", december, "--start", "2026-12-01T10:00:00Z", "--end", "11:00"))
    assert warned(ff("edit", december, "--start", "2026-11-29T10:00:00Z", "--end", "11:00"))
    assert warned(ff("edit", november, "--task", "15"))
    assert warned(ff("remove", november))
    assert warned(ff("remove", december))  # now on Nov 29
    assert not warned(ff("add", "12", "1h", "--start", "2026-12-01T13:00:00Z"))
    december = ff("log", "--all", "--json").json()["sessions"][-1]["id"]
    assert not warned(ff("remove", december))


@pytest.mark.parametrize(
    ("close_args", "start", "warns"),
    [
        (("2026-11",), "2026-11-01T02:00:00Z", True),  # Nov 1 -> Oct 31 in New York
        (("2026-11",), "2026-12-02T02:00:00Z", False),  # Dec 2 -> Dec 1: November unchanged
        (
            ("--from", "2026-11-01", "--to", "2026-11-15"),
            "2026-11-25T02:00:00Z",  # Nov 25 -> Nov 24, after the closed days
            False,
        ),
    ],
)
def test_recut_warns_when_it_changes_a_closed_period(
    initialised: Path,
    ff: Any,
    monkeypatch: pytest.MonkeyPatch,
    close_args: tuple[str, ...],
    start: str,
    warns: bool,
) -> None:
    record(ff, initialised, ("12", "1h", "2026-11-10T12:00:00Z"))  # midday: stays put
    set_now(monkeypatch, AFTER)
    record(ff, initialised, ("12", "1h", start))
    assert ff("close", *close_args).code == 0
    result = ff("timezone", "America/New_York", "--recut")
    assert result.code == 0 and "change" in result.out and "no month" not in result.out
    assert ff("aggregate").code == 0 and commit(initialised, "-m", "recut").returncode == 0
    (tag,) = closed_tags(initialised)
    assert (ff("verify", "--closed").code == 1) is warns  # the closed days changed, or not
    assert ("closed period" in result.err and tag in result.err) is warns, result.err


def test_packed_tags_are_still_closed_periods(closed: Path, ff: Any) -> None:
    git(closed, "pack-refs", "--all")
    assert not (closed / ".git" / "refs" / "tags" / TAG).exists()
    assert f"refs/tags/{TAG}\n" in (closed / ".git" / "packed-refs").read_text()
    assert "--amend" in ff("close", "2026-11").err
    late(ff, closed)  # warns, from the packed ref
    result = ff("verify")
    assert result.code == 0 and f"{TAG}: alice task 12 added" in result.out
    assert report(ff, *NOV)["adjustments"] == [adj("12", 7200, 1)]
    assert ff("close", "2026-11", "--amend").code == 0 and ff("verify").code == 0


def test_broken_tags_fail_verify_and_report_with_one_line(closed: Path, ff: Any) -> None:
    real = git(closed, "cat-file", "tag", TAG)
    message = real.split("\n\n", 1)[1].replace(
        '"billable_seconds": 3600', '"billable_seconds": 36000'
    )
    (closed.parent / "forged").write_text(message)
    cases = [
        (("tag", "ffhooks/closed/2026-10"), "ffhooks/closed/2026-10", "not an annotated tag"),
        (
            ("tag", "-f", "-a", "--cleanup=verbatim", "-F", str(closed.parent / "forged"), TAG),
            TAG,
            "does not match its recorded sha256",
        ),
        (("tag", "-f", "-a", "-m", "hand made", TAG), TAG, "holds no ffhooks report"),
    ]
    for tag_args, name, problem in cases:
        git(closed, *tag_args)
        checked = ff("verify")
        assert checked.code == 1
        assert [line for line in checked.out.splitlines() if name in line and problem in line]
        failed = ff("report", *NOV)
        assert failed.code == 1 and failed.out == "" and "Traceback" not in failed.err
        assert len(failed.err.splitlines()) == 1 and name in failed.err and problem in failed.err
        git(closed, "tag", "-d", name)
    assert ff("report", *NOV).code == 0  # all gone: no closed period left


def test_partial_overlap_counts_closed_days_then_todays(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = initialised
    record(ff, repo, ("12", "1h", "2026-11-03T09:00:00Z"), ("12", "1h", "2026-11-20T09:00:00Z"))
    set_now(monkeypatch, AFTER)
    record(ff, repo, ("12", "1h", "2026-12-01T09:00:00Z"))
    assert ff("close", "2026-11").code == 0
    record(
        ff,
        repo,
        ("12", "30m", "2026-11-20T14:00:00Z"),
        ("12", "15m", "2026-11-04T09:00:00Z"),
        ("12", "2h", "2026-12-01T13:00:00Z"),
    )
    span = ("--from", "2026-11-15", "--to", "2026-12-10", "--by", "day")
    doc = report(ff, *span)
    assert figures(doc) == {("2026-11-20",): 3600, ("2026-12-01",): 10800}
    assert doc["adjustments"] == [adj("12", 1800, 1)]  # Nov 4 is outside the range
    assert figures(report(ff, *span, "--ignore-closed"))[("2026-11-20",)] == 5400


def test_a_fresh_clone_fetching_the_tag_sees_the_closed_period(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo, remote, clone = initialised, tmp_path / "remote.git", tmp_path / "clone"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "add", "-A")
    record(ff, repo, ("12", "1h", "2026-11-03T09:00:00Z"))
    git(repo, "push", "-q", "origin", "main")
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    set_now(monkeypatch, AFTER)
    closing = ff("close", "2026-11").out
    late(ff, repo)
    git(repo, "push", "-q", "origin", "main")
    push = re.search(r"Share it: `git (push origin \S+)`", closing)
    assert push is not None
    git(repo, *push[1].split())
    monkeypatch.chdir(clone)
    git(clone, "pull", "-q", "--no-tags", "origin", "main")
    before = report(ff, *NOV)
    assert figures(before) == {("alice", "12"): 10800} and "adjustments" not in before
    git(clone, "fetch", "-q", "--tags", "origin")
    after = report(ff, *NOV)
    assert figures(after) == {("alice", "12"): 3600}
    assert after["adjustments"] == [adj("12", 7200, 1)]
    result = ff("verify", "--closed")
    assert result.code == 0 and f"{TAG}: alice task 12 added" in result.out
