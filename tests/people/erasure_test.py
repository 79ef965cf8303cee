"""`ffhooks erase USER` (GDPR article 17): on this machine the person's store, snapshots and
queue entries are deleted; in the repository their summaries move under a pseudonym in a
commit of its own, so every report totals the same and says the name was erased, `verify`
and the guard accept it, closed periods read the same; and the documented history rewrite,
with plain git, leaves no trace of the name."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git, set_now
from helpers import keygen, read_summary, set_config, track

from ffhooks.clock import parse_iso
from ffhooks.queue import record
from ffhooks.summary import dumps, seal

SUMMARIES = ".flowforge/team/summaries"
NOV = ("--from", "2026-11-01", "--to", "2026-11-30")


@pytest.fixture
def team(initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """alice and zed in November (closed on Dec 2), alice again in December; a failure of
    each queued."""
    track(ff, initialised, "alice", ("205", "1h", "2026-11-18T09:00:00Z"))
    track(ff, initialised, "zed", ("205", "2h", "2026-11-18T10:00:00Z"))
    track(ff, initialised, "alice", ("PAY-7", "30m", "2026-11-19T09:00:00Z"))
    set_now(monkeypatch, "2026-12-02T12:00:00Z")
    assert ff("close", "2026-11").code == 0
    track(ff, initialised, "alice", ("205", "45m", "2026-12-01T09:00:00Z"))
    state = initialised / ".git" / "ffhooks"
    for user in ("alice", "zed"):
        record(state, "aggregate", user, "index.lock held", parse_iso("2026-12-02T12:00:00Z"))
    return initialised


def report(ff: Any, *args: str) -> dict[str, Any]:
    result = ff("report", "--format", "json", "--by", "user,task,day", *args)
    assert result.code == 0, result.err
    found: dict[str, Any] = result.json()
    return found


def renamed(doc: dict[str, Any], old: str, new: str) -> list[dict[str, Any]]:
    """The rows of a report with one name replaced, in a fixed order."""
    rows = [{**r, "user": new if r["user"] == old else r["user"]} for r in doc["rows"]]
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))


def test_erase_keeps_every_total_and_the_report_says_the_name_was_erased(
    team: Path, ff: Any
) -> None:
    before = {args: report(ff, *args) for args in ((), NOV, ("--ignore-closed",))}
    head = git(team, "rev-parse", "HEAD").strip()
    result = ff("erase", "alice", "--yes")
    assert result.code == 0, result.err
    assert "summary file(s) to former-1 in commit" in result.out, result.out
    assert "1 closed period(s) still hold the name in their tags (ffhooks/closed/2026-11)" in (
        result.out
    )
    # one commit of its own, naming no one: the name out of the tree, the figures as they were
    assert git(team, "rev-parse", "HEAD~1").strip() == head
    assert "alice" not in git(team, "log", "-1", "--format=%B")
    changed = git(team, "show", "--no-renames", "--name-only", "--format=", "HEAD").split()
    assert all("summaries/alice/" in c or "former-1" in c or "erased.json" in c for c in changed)
    found = subprocess.run(
        ("git", "grep", "-I", "alice", "HEAD", "--", ".flowforge"), cwd=team, capture_output=True
    )
    assert found.returncode == 1 and not found.stdout  # no file at HEAD holds the name
    for args, doc in before.items():
        after = report(ff, *args)
        assert renamed(after, "x", "x") == renamed(doc, "alice", "former-1")
        assert after["totals"] == doc["totals"]
        assert "adjustments" not in after  # closed November reads the same
        assert any(n.startswith("former-1: name erased on 2026-12-02") for n in after["notes"])
    # verify accepts the change and says the name was erased
    for verify_args in ((), ("--since", head), ("--closed",)):
        checked = ff("verify", *verify_args)
        assert checked.code == 0, checked.out + checked.err
    assert "former-1: name erased on 2026-12-02" in ff("verify").out
    assert "erased.json: changed since" in ff("verify", "--since", head).out
    record = json.loads((team / ".flowforge/team/erased.json").read_text())
    assert b"alice" not in (team / ".flowforge/team/erased.json").read_bytes()
    assert [p["pseudonym"] for p in record["people"]] == ["former-1"]


def test_erase_deletes_what_this_machine_holds_and_only_that_person_s(
    team: Path, ff: Any, tmp_path: Path
) -> None:
    state = team / ".git" / "ffhooks"
    theirs = json.loads((team / ".flowforge/user/zed/store.json").read_text())["store"]
    assert ff("erase", "alice", "--yes").code == 0
    assert not (team / ".flowforge/user/alice").exists()
    manifests = [json.loads(p.read_text()) for p in (state / "snapshots/manifests").iterdir()]
    assert manifests and {m["user"] for m in manifests} == {"zed"}
    assert ff("snapshot", "verify", "--user", "zed").code == 0  # zed's copies are whole
    queued = [json.loads(p.read_text())["user"] for p in (state / "queue").iterdir()]
    assert queued == ["zed"]
    assert not (state / "digests").exists()  # a cache that repeated names: rebuilt
    kept = b"".join(p.read_bytes() for p in state.rglob("*") if p.is_file())
    assert b'"alice"' not in kept and theirs.encode() in kept
    # zed's own data is all there
    mine = tmp_path / "zed"
    assert ff("export", "--me", "--user", "zed", "-o", str(mine)).code == 0
    assert json.loads((mine / "private-store/sessions.json").read_text())


def test_what_erase_refuses(team: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    result = ff("erase", "alice")  # no terminal to ask on
    assert result.code == 1 and "add --yes to confirm" in result.err
    assert (team / ".flowforge/user/alice").is_dir()
    for name, said in (
        ("nobody", "ffhooks holds nothing about nobody"),
        ("former-1", "is a pseudonym already"),
        ("Alice Smith", "is no user name"),
    ):
        result = ff("erase", name, "--yes")
        assert result.code == 1 and said in result.err, result.err
    assert ff("add", "205", "10m", "--start", "2026-12-02T08:00:00Z").code == 0
    result = ff("erase", "alice", "--yes")
    assert result.code == 1 and "holds 10m that no commit holds yet" in result.err, result.err
    track(ff, team, "alice")
    (team / "notes.txt").write_text("x")
    git(team, "add", "notes.txt")
    result = ff("erase", "alice", "--yes")
    assert result.code == 1 and "notes.txt is staged: erasure makes a commit of its own" in (
        result.err
    )
    assert (team / ".flowforge/user/alice").is_dir()  # nothing was done
    assert git(team, "status", "--short", "--", ".flowforge") == ""


def test_a_late_branch_is_named_and_erasing_again_gives_the_same_pseudonym(
    team: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = tmp_path / "laptop"  # alice's other clone: a branch not merged yet
    git(tmp_path, "clone", "-q", str(team), str(laptop))
    monkeypatch.chdir(laptop)
    git(laptop, "switch", "-q", "-c", "late")
    track(ff, laptop, "alice", ("205", "15m", "2026-12-02T09:00:00Z"))
    monkeypatch.chdir(team)
    git(team, "fetch", "-q", str(laptop), "late:late")
    fork = git(team, "merge-base", "main", "late").strip()
    totals = report(ff)["totals"]
    assert ff("erase", "zed", "--yes").code == 0
    assert ff("erase", "alice", "--yes").code == 0
    assert git(team, "merge", "-q", "--no-ff", "--no-commit", "late") == ""
    assert ff("guard").code == 0  # the merge takes no billed time away
    assert commit(team, "-m", "merge").returncode == 0
    result = ff("verify")
    assert result.code == 1
    assert "summaries under a name erased as former-2" in result.out
    assert ff("verify", "--since", fork).code == 1
    assert ff("erase", "alice", "--yes").code == 0
    assert ff("verify", "--since", fork).code == 0
    doc = report(ff)
    assert {r["user"] for r in doc["rows"]} == {"former-1", "former-2"}
    assert doc["totals"]["billable_seconds"] == totals["billable_seconds"] + 900


def test_the_documented_history_rewrite_leaves_no_trace_of_the_name(team: Path, ff: Any) -> None:
    before = report(ff)
    assert ff("erase", "alice", "--yes").code == 0
    env = {**os.environ, "FILTER_BRANCH_SQUELCH_WARNING": "1"}

    def sh(script: str) -> None:
        done = subprocess.run(
            ("sh", "-ec", script), cwd=team, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr

    # as docs/pages/exports.md gives them, USER alice, PERIOD 2026-11
    sh(
        "git filter-branch --force --index-filter "
        "'git rm -r -q --cached --ignore-unmatch -- .flowforge/team/summaries/alice' "
        "--tag-name-filter cat -- --all"
    )
    sh("git tag -d ffhooks/closed/2026-11")
    sh("ffhooks close 2026-11 --ref \"$(git log -1 --format=%H --grep='^ffhooks erase:')\"")
    sh(
        "git for-each-ref --format='delete %(refname)' refs/original/ | git update-ref --stdin\n"
        "git reflog expire --expire=now --all\n"
        "git gc -q --prune=now"
    )
    objects = git(team, "rev-list", "--all", "--objects").split("\n")
    ids = "\n".join(line.split()[0] for line in objects if line)
    held = subprocess.run(
        ("git", "cat-file", "--batch"), cwd=team, input=(ids + "\n").encode(), capture_output=True
    ).stdout
    assert len(held) > 1000 and b"alice" not in held
    assert renamed(report(ff), "x", "x") == renamed(before, "alice", "former-1")
    assert "adjustments" not in report(ff, *NOV)
    assert ff("verify").code == 0


def test_with_signatures_required_the_erased_summaries_count_and_only_they(
    initialised: Path, ff: Any, tmp_path: Path
) -> None:
    key = keygen(tmp_path, "alice")
    git(initialised, "config", "user.signingkey", str(key))
    set_config(initialised, signatures="required")
    assert ff("init", "--signing").code == 0
    track(ff, initialised, "alice", ("205", "1h", "2026-11-18T09:00:00Z"))
    path = git(initialised, "ls-files", SUMMARIES).split()[0]
    assert "signature" in json.loads((initialised / path).read_text())
    before = report(ff)
    assert ff("erase", "alice", "--yes").code == 0
    after = report(ff)  # no refusal: the record vouches for what erasure wrote
    assert renamed(after, "x", "x") == renamed(before, "alice", "former-1")
    result = ff("verify")
    assert result.code == 0, result.out + result.err
    assert "former-1: name erased on 2026-11-20" in result.out
    # an unsigned summary under the pseudonym that erasure did not write is refused
    moved = git(initialised, "ls-files", f"{SUMMARIES}/former-1").split()[0]
    doc = read_summary(initialised / moved)
    doc["seq"] += 1
    doc["totals"]["2026-11-18"]["205"]["billable_seconds"] += 3600
    forged = moved.replace(f"-{doc['seq'] - 1}.json", f"-{doc['seq']}.json")
    (initialised / forged).write_bytes(dumps(seal(doc)))
    git(initialised, "add", forged)
    git(initialised, "commit", "-qm", "more", "--no-verify")
    result = ff("verify")
    assert result.code == 1 and f"{forged}: unsigned" in result.out, result.out
    assert ff("report").code == 1
