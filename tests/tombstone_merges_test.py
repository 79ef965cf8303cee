"""Tombstones under every way git combines branches (DESIGN.md, "Conflict-free by
construction"): two branches that bury the same files combine without a conflict by merge,
server-side `merge-tree`, squash, rebase and cherry-pick; old tombstones deleted by the single
deleter on main merge cleanly with a branch forked after they were buried; the one documented
conflict (a branch forked before the burial buries the file main deleted since) and a commit
picked again after its summary was buried are settled by `ffhooks resolve`. Each time the
report equals, to the second, what the developers recorded, and `ffhooks verify` passes.

Developers commit through the real pre-commit hooks. Branches are combined in fresh clones of
the remote, as a server or a CI job would: no private store there, no hook installed, so
nothing but git and `ffhooks resolve` shapes the result.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import SUMMARIES, git

from ffhooks.summary import TOMBSTONE, TOMBSTONE_BLOB

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
def test_two_branches_burying_the_same_files_combine_every_way_without_conflict(
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
    # only what origin/main has is buried: A's own superseded file stays as it is
    [alices] = [p for p in first_on_a if "/alice/2026-11/" in p]
    assert on_a[alices] != TOMBSTONE_BLOB

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

    # both branches made every summary of main a tombstone: the same change on both
    for branch in ("A", "B"):
        blobs = dev.blobs(branch)
        assert {p: blobs[p] for p in published} == dict.fromkeys(published, TOMBSTONE_BLOB)
        assert dev.verify(branch, "main") == ""
    assert all((dev.path / p).read_bytes() == TOMBSTONE for p in published)  # A's work tree
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
        if any(result.get(p) != TOMBSTONE_BLOB for p in published):
            failed.append(f"{way}: a buried file is not a tombstone in the result")
        failed.append(place.verify("HEAD", "origin/A", "origin/B"))

    # B's last commit alone, onto A: it buried nothing B alone had, so it applies cleanly (it
    # lacks the time of B's first commit, which the next commit brings: no exact report)
    place = fresh(tmp_path, remote, "pick-one")
    place.git(NOW, "switch", "-q", "A")
    proc = place.git(NOW, "cherry-pick", "origin/B", ok=False)
    if proc.returncode != 0 or place.unmerged():
        failed.append(f"cherry-pick of B's last commit: {proc.stdout}{proc.stderr}")
    failed.append(place.verify("HEAD", "origin/A"))

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


# -- 2. the single deleter on main --------------------------------------------------------------


@pytest.mark.slow
def test_deleting_old_tombstones_on_main_merges_cleanly_with_a_later_branch(
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
    now = at("07-22")  # ...buried 121 days before NOW
    for user in users:
        dev.add(now, user, "1h", at("07-22", "09:00"))
    dev.commit(now)
    dev.git(now, "push", "-q", "origin", "HEAD:main")
    assert {p: dev.blobs("HEAD")[p] for p in july} == dict.fromkeys(july, TOMBSTONE_BLOB)
    october: set[str] = set()
    for day in ("10-01", "10-02"):  # a tombstone 49 days old, on 10-02
        now = at(day)
        dev.add(now, "alice", "1h", at(day, "09:00"))
        dev.commit(now)
        dev.git(now, "push", "-q", "origin", "HEAD:main")
        october |= {p for p in dev.blobs("HEAD") if "/2026-10/" in p}
    young = {p for p, blob in dev.blobs("HEAD").items() if blob == TOMBSTONE_BLOB} - july
    assert len(young) == 1 and young < october

    # a feature branch forked after the burying keeps committing time
    now = at("11-10")
    dev.git(now, "switch", "-q", "-c", "feature")
    dev.add(now, "alice", "30m", at("07-23", "09:00"))  # a late entry for July
    dev.add(now, "alice", "2h", at("11-10", "09:00"))
    dev.add(now, "bob", "1h", at("11-10", "09:00"))
    dev.commit(now)

    # meanwhile CI on main deletes the old tombstones, in a commit of their own
    ci = fresh(tmp_path, remote, "ci")
    dry = json.loads(ci.ff(NOW, "compact", "--delete", "--dry-run", "--json").stdout)
    assert set(dry["paths"]) == july and dry["commit"] is None
    before = ci.blobs("HEAD")
    done = json.loads(ci.ff(NOW, "compact", "--delete", "--json").stdout)
    assert set(done["paths"]) == july and done["count"] == 2
    assert done["commit"] == git(ci.path, "rev-parse", "HEAD").strip()
    changes = git(ci.path, "show", "--name-status", "--format=", "HEAD").splitlines()
    assert sorted(changes) == sorted(f"D\t{p}" for p in july)
    assert all(before[p] == TOMBSTONE_BLOB for p in july)
    after = ci.blobs("HEAD")
    live = {p for p, blob in after.items() if blob != TOMBSTONE_BLOB}
    assert live == {p for p, blob in before.items() if blob != TOMBSTONE_BLOB}
    assert set(after) == live | young
    assert ci.verify("HEAD", "HEAD~1") == ""
    again = ci.ff(NOW, "compact", "--delete")
    assert "Nothing to compact" in again.stdout
    ci.git(NOW, "push", "-q", "origin", "HEAD:main")

    # the feature goes on (it has not fetched), and is merged back both ways
    now = at("11-19")
    dev.add(now, "alice", "1h", at("11-19", "09:00"))
    dev.add(now, "bob", "15m", at("07-24", "09:00"), task="301")
    dev.commit(now)
    dev.git(now, "push", "-q", "origin", "feature")
    expected = recorded(dev, users)
    assert expected["bob"] == (4 * 3600, 15 * 60, 4)

    for n, (here, other) in enumerate((("main", "feature"), ("feature", "main"))):
        place = fresh(tmp_path, remote, f"merge-{n}")
        place.git(NOW, "switch", "-q", here)
        merged = place.git(NOW, "merge", "--no-edit", f"origin/{other}", ok=False)
        assert merged.returncode == 0, merged.stdout + merged.stderr
        assert "CONFLICT" not in merged.stdout and place.unmerged() == ""
        assert place.billed("--ref", "HEAD") == expected
        assert place.verify("HEAD", "origin/main", "origin/feature") == ""
        assert not july & set(place.blobs("HEAD"))  # what was deleted stays deleted


# -- 3. the documented conflict: buried on a branch forked before, deleted on main --------------


@pytest.mark.slow
def test_a_branch_forked_before_the_burying_conflicts_and_resolve_settles_it(
    tmp_path: Path, hooked: Path
) -> None:
    remote, dev = team(tmp_path, hooked, at("07-01"))
    now = at("07-20")
    dev.add(now, "alice", "2h", at("07-20", "09:00"))
    dev.commit(now)
    dev.git(now, "push", "-q", "origin", "HEAD:main")
    [x] = dev.blobs("HEAD")
    dev.git(now, "branch", "old")  # forked while X is alice's live July summary
    now = at("07-22")
    dev.add(now, "alice", "1h", at("07-22", "09:00"))
    dev.commit(now)
    dev.git(now, "push", "-q", "origin", "HEAD:main")
    assert dev.blobs("HEAD")[x] == TOMBSTONE_BLOB

    ci = fresh(tmp_path, remote, "ci")
    done = json.loads(ci.ff(NOW, "compact", "--delete", "--json").stdout)
    assert done["paths"] == [x]
    ci.git(NOW, "push", "-q", "origin", "HEAD:main")

    # alice, not having fetched, works on the old branch: X is still on her origin/main
    now = at("11-19")
    dev.git(now, "switch", "-q", "old")
    dev.add(now, "alice", "30m", at("07-21", "09:00"))
    dev.add(now, "alice", "1h", at("11-19", "09:00"))
    dev.commit(now)
    assert dev.blobs("HEAD")[x] == TOMBSTONE_BLOB
    dev.git(now, "push", "-q", "origin", "old")
    expected = recorded(dev, ("alice",))
    assert expected == {"alice": (int(4.5 * 3600), 0, 4)}

    happened = []
    for n, (here, other) in enumerate((("main", "old"), ("old", "main"))):
        place = fresh(tmp_path, remote, f"merge-{n}")
        place.git(NOW, "switch", "-q", here)
        merged = place.git(NOW, "merge", "--no-edit", f"origin/{other}", ok=False)
        said = merged.stdout + merged.stderr
        if merged.returncode == 0:
            happened.append(f"{here} <- {other}: clean")
        else:
            conflicts = [line for line in said.splitlines() if line.startswith("CONFLICT")]
            assert conflicts and place.unmerged(), said
            happened.append(f"{here} <- {other}: {'; '.join(conflicts)}")
            settled = place.ff(NOW, "resolve", ok=False)
            assert settled.returncode == 0, settled.stdout + settled.stderr
            assert "Settled" in settled.stdout
            assert place.unmerged() == ""
            place.git(NOW, "commit", "--no-edit")
        assert len(git(place.path, "rev-list", "--parents", "-1", "HEAD").split()) == 3
        assert git(place.path, "status", "--porcelain") == ""
        assert place.billed("--ref", "HEAD") == expected
        assert place.billed() == expected
        assert place.verify("HEAD", "origin/main", "origin/old") == ""
        assert x not in place.blobs("HEAD")  # what was deleted stays deleted
    # Either outcome is exact. Git 2.39 pairs main's deletion of X with main's newer July
    # summary (a rename), so alice's tombstone lands on that file: a content conflict there,
    # in both directions, rather than the modify/delete on X itself.
    print("\n".join(happened))


# -- 4. a commit picked again after its summary was buried ------------------------------------


@pytest.mark.slow
def test_a_commit_picked_again_after_its_summary_was_buried(tmp_path: Path, hooked: Path) -> None:
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
    dev.git(now, "push", "-q", "origin", "HEAD:main")
    now = at("11-03")
    dev.add(now, "alice", "2h", at("11-03", "09:00"))
    dev.commit(now)  # buries the picked summary
    assert dev.blobs("HEAD")[first] == TOMBSTONE_BLOB
    dev.git(now, "rm", "-q", "feature.txt")  # the feature is taken out again...
    dev.git(now, "commit", "-q", "-m", "not yet")
    dev.git(now, "push", "-q", "origin", "HEAD:main")
    expected = recorded(dev, ("alice",))
    assert expected == {"alice": (3 * 3600, 0, 2)}

    place = fresh(tmp_path, remote, "integrator")  # ...and brought back by picking it again
    picked = place.git(NOW, "cherry-pick", "origin/feature", ok=False)
    assert picked.returncode != 0 and "CONFLICT (add/add)" in picked.stdout, picked.stdout
    assert first in place.unmerged()
    settled = place.ff(NOW, "resolve")
    assert "Settled 1 conflict" in settled.stdout
    staged = git(place.path, "ls-files", "-s", "--", first).split()
    assert staged[1] == TOMBSTONE_BLOB and staged[2] == "0"
    assert (place.path / first).read_bytes() == TOMBSTONE
    assert place.billed() == expected
    done = place.git(NOW, "-c", "core.editor=true", "cherry-pick", "--continue", ok=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (place.path / "feature.txt").read_text() == "the feature\n"
    assert git(place.path, "status", "--porcelain") == ""
    assert place.billed("--ref", "HEAD") == expected
    assert place.verify("HEAD", "origin/main") == ""
    # a second run finds nothing left to settle
    assert "No conflicted summary" in place.ff(NOW, "resolve").stdout
