"""Add-only summaries under every way git combines branches (DESIGN.md, "Conflict-free by
construction"; issue 24): two branches that fold the same months combine without a conflict by
merge, server-side `merge-tree`, squash, rebase, cherry-pick and revert, with no merge driver
configured; compaction on main (pure deletes of superseded files) merges cleanly with branches
forked before or after it; a fold that reaches main twice (picked, compacted, picked again)
applies cleanly. Each time the report equals, to the second, what the developers recorded, and
`ffhooks verify` passes. A `git revert` of a fold after compaction, which no hook sees, fails
`ffhooks verify --since` with the month and the fix.

Developers commit through the real pre-commit hooks. Branches are combined in fresh clones of
the remote, as a server or a CI job would: no private store there, no hook installed and no
merge driver configured, so nothing but git shapes the result.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import SUMMARIES, git

from ffhooks.summary import TOMBSTONE_BLOB

NOW = "2026-11-20T17:00:00Z"
Row = tuple[int, int, int]  # billable seconds, non-billable seconds, sessions


def at(day: str, clock: str = "17:00") -> str:
    """An instant in UTC: `at("10-26", "09:00")` is 2026-10-26T09:00:00Z."""
    return f"2026-{day}T{clock}:00Z"


class Clone:
    """A work tree; every command runs at an instant (ffhooks' clock and git's dates)."""

    def __init__(self, path: Path, label: str) -> None:
        self.path = path
        self.label = label
        self.commits = 0

    def run(
        self, now: str, *args: str, user: str = "alice", ok: bool = True
    ) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "FFHOOKS_NOW": now,
            "FFHOOKS_USER": user,
            "GIT_AUTHOR_DATE": now,
            "GIT_COMMITTER_DATE": now,
        }
        proc = subprocess.run(
            args, cwd=self.path, env=env, capture_output=True, text=True, check=False
        )
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        if ok and proc.returncode != 0:
            raise AssertionError(f"{self.label}: {' '.join(args)}\n{proc.stdout}{proc.stderr}")
        return proc

    def git(self, now: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(now, "git", *args, ok=ok)

    def ff(
        self, now: str, *args: str, user: str = "alice", ok: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return self.run(now, "ffhooks", *args, user=user, ok=ok)

    def add(self, now: str, user: str, length: str, start: str, *, task: str = "205") -> None:
        """Record a session; task 301 is non-billable."""
        billable = ["--no-billable"] if task == "301" else []
        self.ff(now, "add", task, length, "--start", start, *billable, user=user)

    def commit(self, now: str) -> None:
        """A real change, committed through the hooks: a new file each time, so that only
        summaries can make branches conflict."""
        self.commits += 1
        note = self.path / f"{self.label}-{self.commits}.txt"
        note.write_text(f"{self.label}: change {self.commits}\n")
        self.git(now, "add", note.name)
        self.git(now, "commit", "-q", "-m", f"{self.label} {self.commits}")

    def blobs(self, ref: str) -> dict[str, str]:
        """The summaries of `ref`: path -> blob id."""
        out = git(self.path, "ls-tree", "-r", "-z", ref, "--", SUMMARIES)
        found = {}
        for entry in filter(None, out.split("\0")):
            meta, _, path = entry.partition("\t")
            found[path] = meta.split()[2]
        return found

    def billed(self, *args: str) -> dict[str, Row]:
        """`ffhooks report --format json --by user ARGS`, per user."""
        out = json.loads(self.ff(NOW, "report", "--format", "json", "--by", "user", *args).stdout)
        return {
            row["user"]: (row["billable_seconds"], row["non_billable_seconds"], row["sessions"])
            for row in out["rows"]
        }

    def verify(self, ref: str = "HEAD", *since: str) -> str:
        """`ffhooks verify --ref REF [--since S]` for each S (or none); problems found, or ''."""
        found = ""
        for extra in [(), *(("--since", s) for s in since)]:
            proc = self.ff(NOW, "verify", "--ref", ref, *extra, ok=False)
            if proc.returncode != 0:
                found += f"verify --ref {ref} {' '.join(extra)}: {proc.stdout}{proc.stderr}"
        return found

    def unmerged(self) -> str:
        return git(self.path, "ls-files", "-u")


def recorded(dev: Clone, users: tuple[str, ...]) -> dict[str, Row]:
    """Per user, the sessions of the user's store (`ffhooks log --all`)."""
    totals = {}
    for user in users:
        found = json.loads(dev.ff(NOW, "log", "--all", "--json", user=user).stdout)["sessions"]
        billable = sum(s["seconds"] for s in found if s["billable"])
        other = sum(s["seconds"] for s in found if not s["billable"])
        totals[user] = (billable, other, len(found))
    return totals


def team(tmp_path: Path, hooked: Path, now: str) -> tuple[Path, Clone]:
    """A bare remote and a developer's clone set up as the README says, pushed at `now`."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    dev = Clone(hooked, "dev")
    dev.git(now, "add", "-A")
    dev.git(now, "commit", "-q", "-m", "ffhooks")
    dev.git(now, "remote", "add", "origin", str(remote))
    dev.git(now, "push", "-q", "origin", "HEAD:main")
    return remote, dev


def fresh(tmp_path: Path, remote: Path, name: str) -> Clone:
    """A new clone of the remote, as a server or CI job has: no store, no hooks."""
    git(tmp_path, "clone", "-q", str(remote), name)
    return Clone(tmp_path / name, name)


def store_of(dev: Clone, user: str) -> str:
    header = dev.path / ".flowforge" / "user" / user / "store.json"
    return str(json.loads(header.read_text())["store"])


# -- 1. two branches that supersede the same files ---------------------------------------------


@pytest.mark.slow
def test_two_branches_folding_the_same_months_combine_every_way_without_a_driver(
    tmp_path: Path, hooked: Path
) -> None:
    users = ("alice", "bob", "carol")
    remote, dev = team(tmp_path, hooked, at("10-26"))
    now = at("11-02")
    for i, user in enumerate(users):
        dev.add(now, user, f"{i + 1}h", at("10-27", "09:00"))
        dev.add(now, user, "30m", at("11-02", "09:00"), task="301")
    dev.commit(now)
    dev.git(now, "push", "-q", "origin", "HEAD:main")
    published = dev.blobs("HEAD")
    assert len(published) == 6 and TOMBSTONE_BLOB not in published.values()
    # the developer's clone too merges with no driver (a server-side merge runs none)
    dev.git(now, "config", "--unset", "merge.ffhooks.driver")

    # branch A: everyone's October and November change; then alice's November again
    dev.git(now, "switch", "-q", "-c", "A")
    now = at("11-03")
    for user in users:
        dev.add(now, user, "1h", at("10-28", "09:00"))
        dev.add(now, user, "2h", at("11-03", "09:00"))
    dev.commit(now)
    first_on_a = {p for p in dev.blobs("HEAD") if p not in published}
    now = at("11-04")
    dev.add(now, "alice", "45m", at("11-04", "09:00"))
    dev.commit(now)
    on_a = dev.blobs("HEAD")
    # A's own superseded file stays as it is
    [alices] = [p for p in first_on_a if "/alice/2026-11/" in p]
    assert on_a[alices] == dev.blobs("HEAD~1")[alices]

    # branch B, from the same base: the same stores (private, so they stay) record more
    dev.git(now, "switch", "-q", "-c", "B", "main")
    now = at("11-05")
    for user in users:
        dev.add(now, user, "20m", at("10-29", "09:00"))
        dev.add(now, user, "1h", at("11-05", "09:00"))
    dev.commit(now)
    now = at("11-06")
    dev.add(now, "bob", "3h", at("11-06", "09:00"))
    dev.commit(now)
    # and A once more
    dev.git(now, "switch", "-q", "A")
    now = at("11-07")
    dev.add(now, "carol", "1h30m", at("11-07", "09:00"), task="301")
    dev.commit(now)
    dev.git(now, "push", "-q", "origin", "A", "B")

    # both branches only added: every summary of main is as it was, and every commit of
    # either branch adds summaries and touches none
    for branch in ("A", "B"):
        blobs = dev.blobs(branch)
        assert {p: blobs[p] for p in published} == published
        assert dev.verify(branch, "main") == ""
        changes = git(dev.path, "log", "--format=", "--name-status", f"main..{branch}")
        assert {line[0] for line in changes.splitlines() if SUMMARIES in line} == {"A"}
    assert git(dev.path, "status", "--porcelain") == ""
    expected = recorded(dev, users)
    assert expected["alice"] == (5 * 3600 + 45 * 60 + 20 * 60, 30 * 60, 7)

    ways: dict[str, list[tuple[str, ...]]] = {
        "merge B into A": [("switch", "-q", "A"), ("merge", "--no-edit", "origin/B")],
        "merge A into B": [("switch", "-q", "B"), ("merge", "--no-edit", "origin/A")],
        "squash B onto A": [
            ("switch", "-q", "A"),
            ("merge", "--squash", "origin/B"),
            ("commit", "-q", "-m", "squashed B"),
        ],
        "rebase B onto A": [("switch", "-q", "B"), ("rebase", "origin/A")],
        "cherry-pick B's commits onto A": [
            ("switch", "-q", "A"),
            ("cherry-pick", "origin/main..origin/B"),
        ],
    }
    failed = []
    for n, (way, steps) in enumerate(ways.items()):
        place = fresh(tmp_path, remote, f"way-{n}")
        assert place.git(NOW, "config", "--get", "merge.ffhooks.driver", ok=False).stdout == ""
        said = ""
        for step in steps:
            proc = place.git(NOW, *step, ok=False)
            said += proc.stdout + proc.stderr
            if proc.returncode != 0:
                break
        if proc.returncode != 0 or "CONFLICT" in said or place.unmerged():
            failed.append(f"{way}: git {' '.join(step)} exited {proc.returncode}\n{said}")
            continue
        if place.billed() != expected or place.billed("--ref", "HEAD") != expected:
            failed.append(f"{way}: report {place.billed('--ref', 'HEAD')} != {expected}")
        result = place.blobs("HEAD")
        if any(result.get(p) != published[p] for p in published):
            failed.append(f"{way}: a file of main changed in the result")
        failed.append(place.verify("HEAD", "origin/A", "origin/B"))

    # B's last commit alone, onto A: it only adds, so it applies cleanly (it lacks the time
    # of B's first commit, which the next commit brings: no exact report)
    place = fresh(tmp_path, remote, "pick-one")
    place.git(NOW, "switch", "-q", "A")
    proc = place.git(NOW, "cherry-pick", "origin/B", ok=False)
    if proc.returncode != 0 or place.unmerged():
        failed.append(f"cherry-pick of B's last commit: {proc.stdout}{proc.stderr}")
    failed.append(place.verify("HEAD", "origin/A"))

    # a revert of B's last fold after merging B: only its file goes, with no conflict; A's
    # commit of 11-07 folded the store again (bob's newest file was missing on A), so
    # every month keeps a file holding all of it
    place = fresh(tmp_path, remote, "revert")
    place.git(NOW, "switch", "-q", "A")
    place.git(NOW, "merge", "--no-edit", "origin/B")
    reverted = place.git(NOW, "revert", "--no-edit", "origin/B", ok=False)
    if reverted.returncode != 0 or place.unmerged():
        failed.append(f"revert of B's last fold: {reverted.stdout}{reverted.stderr}")
    elif place.billed("--ref", "HEAD") != expected:
        failed.append(f"revert: report {place.billed('--ref', 'HEAD')} != {expected}")

    # what a server does: merge-tree, then a commit of the tree it wrote
    place = fresh(tmp_path, remote, "server")
    proc = place.git(NOW, "merge-tree", "--write-tree", "origin/A", "origin/B", ok=False)
    if proc.returncode != 0:
        failed.append(f"merge-tree exited {proc.returncode}\n{proc.stdout}{proc.stderr}")
    else:
        tree = proc.stdout.split()[0]
        made = place.git(NOW, "commit-tree", tree, "-p", "origin/A", "-p", "origin/B", "-m", "m")
        merged = made.stdout.strip()
        if place.billed("--ref", merged) != expected:
            failed.append(f"merge-tree: report {place.billed('--ref', merged)} != {expected}")
        failed.append(place.verify(merged, "origin/A", "origin/B"))
    assert [f for f in failed if f] == []


# -- 2. compaction on main, and branches forked before and after it ---------------------------


@pytest.mark.slow
def test_compaction_on_main_merges_cleanly_with_branches_forked_before_and_after(
    tmp_path: Path, hooked: Path
) -> None:
    users = ("alice", "bob")
    remote, dev = team(tmp_path, hooked, at("07-01"))
    now = at("07-20")  # July's first summaries...
    for user in users:
        dev.add(now, user, "2h", at("07-20", "09:00"))
    dev.commit(now)
    dev.git(now, "push", "-q", "origin", "HEAD:main")
    july = set(dev.blobs("HEAD"))
    dev.git(now, "branch", "old")  # forked while they are live
    now = at("07-22")  # ...superseded
    for user in users:
        dev.add(now, user, "1h", at("07-22", "09:00"))
    dev.commit(now)
    dev.git(now, "push", "-q", "origin", "HEAD:main")
    assert july < set(dev.blobs("HEAD"))

    # a feature branch forked after keeps committing time
    now = at("11-10")
    dev.git(now, "switch", "-q", "-c", "feature")
    dev.add(now, "alice", "30m", at("07-23", "09:00"))  # a late entry for July
    dev.add(now, "alice", "2h", at("11-10", "09:00"))
    dev.add(now, "bob", "1h", at("11-10", "09:00"))
    dev.commit(now)

    # meanwhile CI on main deletes the superseded files, in a commit of their own
    ci = fresh(tmp_path, remote, "ci")
    dry = json.loads(ci.ff(NOW, "compact", "--dry-run", "--json").stdout)
    assert set(dry["paths"]) == july and dry["commit"] is None
    before = ci.blobs("HEAD")
    done = json.loads(ci.ff(NOW, "compact", "--json").stdout)
    assert set(done["paths"]) == july and done["count"] == 2
    assert done["commit"] == git(ci.path, "rev-parse", "HEAD").strip()
    changes = git(ci.path, "show", "--name-status", "--format=", "HEAD").splitlines()
    assert sorted(changes) == sorted(f"D\t{p}" for p in july)
    assert ci.blobs("HEAD") == {p: b for p, b in before.items() if p not in july}
    assert ci.verify("HEAD", "HEAD~1") == ""
    assert "Nothing to compact" in ci.ff(NOW, "compact").stdout
    ci.git(NOW, "push", "-q", "origin", "HEAD:main")

    # the feature goes on (it has not fetched), and so does the old branch
    now = at("11-19")
    dev.add(now, "alice", "1h", at("11-19", "09:00"))
    dev.add(now, "bob", "15m", at("07-24", "09:00"), task="301")
    dev.commit(now)
    dev.git(now, "push", "-q", "origin", "feature")
    dev.git(now, "switch", "-q", "old")
    now = at("11-20", "10:00")
    dev.add(now, "alice", "30m", at("07-21", "09:00"))
    dev.commit(now)
    dev.git(now, "push", "-q", "origin", "old")
    expected = recorded(dev, users)
    assert expected["bob"] == (4 * 3600, 15 * 60, 4)

    # each branch merged with main both ways; then both into main
    for n, (here, other) in enumerate(
        (("main", "feature"), ("feature", "main"), ("main", "old"), ("old", "main"))
    ):
        place = fresh(tmp_path, remote, f"merge-{n}")
        place.git(NOW, "switch", "-q", here)
        merged = place.git(NOW, "merge", "--no-edit", f"origin/{other}", ok=False)
        assert merged.returncode == 0, merged.stdout + merged.stderr
        assert "CONFLICT" not in merged.stdout and place.unmerged() == ""
        if "feature" in (here, other):
            assert place.billed("--ref", "HEAD")["bob"] == expected["bob"]
        assert place.verify("HEAD", "origin/main", f"origin/{other}") == ""
        assert not july & set(place.blobs("HEAD"))  # what was deleted stays deleted
    place = fresh(tmp_path, remote, "both")
    for branch in ("feature", "old"):
        merged = place.git(NOW, "merge", "--no-edit", f"origin/{branch}", ok=False)
        assert merged.returncode == 0, merged.stdout + merged.stderr
    assert place.billed("--ref", "HEAD") == expected
    assert place.verify("HEAD", "origin/main") == ""


# -- 3. a revert of a fold after compaction: no hook sees it, verify does ----------------------


@pytest.mark.slow
def test_a_revert_of_a_fold_after_compaction_fails_verify(tmp_path: Path, hooked: Path) -> None:
    remote, dev = team(tmp_path, hooked, at("11-01"))
    for day in ("11-02", "11-03"):
        now = at(day)
        dev.add(now, "alice", "1h", at(day, "09:00"))
        dev.commit(now)
    dev.git(now, "push", "-q", "origin", "HEAD:main")
    ci = fresh(tmp_path, remote, "ci")
    assert json.loads(ci.ff(NOW, "compact", "--json").stdout)["count"] == 1
    ci.git(NOW, "push", "-q", "origin", "HEAD:main")
    place = fresh(tmp_path, remote, "reverter")
    place.git(NOW, "revert", "--no-edit", "HEAD~1")  # the second fold: its file goes
    assert place.blobs("HEAD") == {}  # the month is left with no file
    found = place.ff(NOW, "verify", "--since", "origin/main", ok=False)
    said = found.stdout + found.stderr
    assert found.returncode == 1, said
    assert "the live summary of alice 2026-11 was deleted since" in said, said
    assert "ffhooks recover rebuild" in said and "git revert" in said
    # the owner's next fold writes the month again
    dev.git(NOW, "pull", "-q", "--no-rebase", str(place.path), "HEAD")
    dev.add(NOW, "alice", "10m", at("11-20", "09:00"))
    dev.commit(NOW)
    assert dev.billed("--ref", "HEAD") == recorded(dev, ("alice",))


# -- 4. a fold that reaches main twice -------------------------------------------------------


@pytest.mark.slow
def test_a_commit_picked_again_after_its_summary_was_compacted(
    tmp_path: Path, hooked: Path
) -> None:
    remote, dev = team(tmp_path, hooked, at("11-01"))
    now = at("11-02")
    dev.git(now, "switch", "-q", "-c", "feature")
    dev.add(now, "alice", "1h", at("11-02", "09:00"))
    (dev.path / "feature.txt").write_text("the feature\n")
    dev.git(now, "add", "feature.txt")
    dev.git(now, "commit", "-q", "-m", "the feature, and an hour")
    [first] = dev.blobs("HEAD")
    assert first.endswith(f"/{store_of(dev, 'alice')}-1.json")
    dev.git(now, "push", "-q", "origin", "feature")
    dev.git(now, "switch", "-q", "main")
    dev.git(now, "cherry-pick", "feature")
    now = at("11-03")
    dev.add(now, "alice", "2h", at("11-03", "09:00"))
    dev.commit(now)  # supersedes the picked summary
    dev.git(now, "rm", "-q", "feature.txt")  # the feature is taken out again...
    dev.git(now, "commit", "-q", "-m", "not yet")
    dev.git(now, "push", "-q", "origin", "HEAD:main")
    expected = recorded(dev, ("alice",))
    assert expected == {"alice": (3 * 3600, 0, 2)}
    ci = fresh(tmp_path, remote, "ci")
    assert json.loads(ci.ff(NOW, "compact", "--json").stdout)["paths"] == [first]
    ci.git(NOW, "push", "-q", "origin", "HEAD:main")

    place = fresh(tmp_path, remote, "integrator")  # ...and brought back by picking it again
    picked = place.git(NOW, "cherry-pick", "origin/feature", ok=False)
    assert picked.returncode == 0, picked.stdout + picked.stderr
    assert (place.path / "feature.txt").read_text() == "the feature\n"
    assert first in place.blobs("HEAD")  # back, superseded: never counted
    assert git(place.path, "status", "--porcelain") == ""
    assert place.billed("--ref", "HEAD") == expected
    assert place.verify("HEAD", "origin/main") == ""
