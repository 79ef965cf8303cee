"""Add-only summaries (issue 24): a commit only adds summaries, and the git workflows around
it (reset, amend, IDE locks, cherry-picks, squash merges) stay exact and leave nothing
unstaged; `compact` deletes superseded files on the default branch only. Tombstones (issue
12), which older versions wrote into the commit that superseded a file, are still read:
readers skip them by blob id, `verify` accepts burials a newer live summary justifies, the
fold puts back ones a `git reset` left unstaged, `compact` deletes them, `resolve` and the
merge driver settle their conflicts. Merges are in tests/scenarios/merges_test.py."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, commit, git, set_now, store_dir, tree_total

from ffhooks.summary import TOMBSTONE, TOMBSTONE_BLOB


def files(repo: Path, ref: str = "HEAD") -> dict[str, str]:
    """Path -> blob id of the summaries at `ref`."""
    out = git(repo, "ls-tree", "-r", ref, "--", SUMMARIES)
    return {line.split("\t")[1]: line.split()[2] for line in out.splitlines()}


def buried(repo: Path, ref: str = "HEAD") -> list[str]:
    return sorted(p for p, blob in files(repo, ref).items() if blob == TOMBSTONE_BLOB)


def settled(repo: Path) -> bool:
    """Nothing under the summaries differs from HEAD."""
    return git(repo, "status", "--porcelain", "--", SUMMARIES) == ""


def work(ff: Any, repo: Path, hour: str, *, day: str = "2026-11-20") -> None:
    assert ff("add", "205", "1h", "--start", f"{day} {hour}").code == 0


def cloned(ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone of a bare remote, set up through the hooks, as the current folder."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(remote), str(repo))
    monkeypatch.chdir(repo)
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    set_now(monkeypatch, "2026-11-20T17:00:00Z")
    assert ff("init").code == 0
    subprocess.run(("pre-commit", "install"), cwd=repo, check=True, capture_output=True)
    git(repo, "add", "-A")
    assert commit(repo, "-m", "set up").returncode == 0
    git(repo, "push", "-q", "origin", "HEAD:main")
    return repo


def folds(ff: Any, repo: Path, *hours: str) -> None:
    """A fold and a commit (no hook) per hour of work."""
    for hour in hours:
        work(ff, repo, hour)
        ff("aggregate")
        git(repo, "commit", "-qm", hour, "--no-verify")


def by_seq(paths: Iterable[str]) -> list[str]:
    return sorted(paths, key=lambda p: int(p.rsplit("-", 1)[1].removesuffix(".json")))


def fold_commit_reset(ff: Any, repo: Path, *how: str) -> None:
    """Two commits of one month through the hooks (the second supersedes the first file),
    and `git reset HOW HEAD~1` of the second."""
    work(ff, repo, "09:00")
    assert commit(repo, "--allow-empty", "-m", "one").returncode == 0
    work(ff, repo, "11:00")
    assert commit(repo, "--allow-empty", "-m", "two").returncode == 0
    git(repo, "reset", "-q", *how, "HEAD~1")


def pull_rebase_works(repo: Path, tmp_path: Path) -> None:
    """A teammate pushed meanwhile: `git pull --rebase` goes through (git refuses it while
    anything is unstaged)."""
    other = tmp_path / "teammate"
    git(tmp_path, "clone", "-q", str(tmp_path / "remote.git"), str(other))
    (other / "theirs.txt").write_text("t\n")
    git(other, "add", "theirs.txt")
    git(other, "commit", "-qm", "theirs", "--no-verify")
    git(other, "push", "-q", "origin", "HEAD:main")
    pulled = subprocess.run(
        ("git", "pull", "-q", "--rebase", "origin", "main"),
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert (repo / "theirs.txt").is_file() and settled(repo)


def test_the_tombstone_is_what_its_blob_id_says() -> None:
    blob = subprocess.run(
        ("git", "hash-object", "--stdin"), input=TOMBSTONE, capture_output=True, check=True
    )
    assert blob.stdout.decode().strip() == TOMBSTONE_BLOB
    assert len(TOMBSTONE) < 64 and json.loads(TOMBSTONE) == {"ffhooks": "tombstone"}


@pytest.mark.slow
def test_each_commit_only_adds_and_readers_take_the_highest_seq(hooked: Path, ff: Any) -> None:
    repo = hooked
    for n, hour in enumerate(("08:00", "10:00", "12:00"), 1):
        work(ff, repo, hour)
        assert commit(repo, "--allow-empty", "-m", f"work {n}").returncode == 0
        changed = git(repo, "show", "--name-status", "--format=", "HEAD").split("\n")
        assert [line[0] for line in changed if line] == ["A"]  # nothing edited or deleted
    # three commits, three files, one of them live; nothing buried
    assert len(files(repo)) == 3 and buried(repo) == []
    assert tree_total(repo) == 3 * 3600
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 3 * 3600
    assert ff("verify").code == 0
    assert ff("recover", "--json").json()["conditions"] == []
    assert settled(repo)


def test_verify_names_a_tombstone_above_the_live_file(initialised: Path, ff: Any) -> None:
    repo = initialised
    work(ff, repo, "09:00")
    ff("aggregate")
    git(repo, "commit", "-qm", "one", "--no-verify")
    [path] = files(repo)
    (repo / path).write_bytes(TOMBSTONE)  # a hand-made burial of the only live file
    git(repo, "commit", "-qam", "buried", "--no-verify")
    result = ff("verify")
    assert result.code == 1 and "tombstone above its store's live summary" in result.out
    since = ff("verify", "--since", "HEAD~1")
    assert since.code == 1 and "was made a tombstone since" in since.out
    report = ff("report", "--ref", "HEAD")  # no live summary: no zero invoice either
    assert report.code == 1 and "HEAD holds no summaries" in report.err


def test_verify_since_accepts_burials_under_a_newer_file(initialised: Path, ff: Any) -> None:
    """A history an older ffhooks wrote: the superseded file made a tombstone."""
    repo = initialised
    folds(ff, repo, "09:00")
    [first] = files(repo)
    work(ff, repo, "11:00")
    ff("aggregate")
    (repo / first).write_bytes(TOMBSTONE)
    git(repo, "add", "-A", SUMMARIES)
    git(repo, "commit", "-qm", "two, as an older ffhooks made it", "--no-verify")
    assert buried(repo) == [first] and tree_total(repo) == 2 * 3600
    assert ff("verify", "--since", "HEAD~1").code == 0
    assert ff("validate", first).code == 0


@pytest.mark.slow
def test_reset_of_a_folding_commit_then_commit_one_file_then_pull_rebase(
    ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 24: `git reset HEAD~1`, then `git add FILE && git commit` through the real
    pre-commit: the new summary, untracked after the reset, goes into the commit; nothing
    of ffhooks is left changed, and `git pull --rebase` works."""
    repo = cloned(ff, tmp_path, monkeypatch)
    fold_commit_reset(ff, repo)
    assert git(repo, "status", "--porcelain", "--", SUMMARIES).startswith("??")
    (repo / "a.txt").write_text("a\n")
    git(repo, "add", "a.txt")
    result = commit(repo, "-m", "two again")
    assert result.returncode == 0, result.stdout + result.stderr
    assert settled(repo) and buried(repo) == []
    assert tree_total(repo) == 2 * 3600 and ff("verify").code == 0
    git(repo, "push", "-q", "origin", "HEAD:main")
    pull_rebase_works(repo, tmp_path)
    assert tree_total(repo) == 2 * 3600


@pytest.mark.slow
@pytest.mark.parametrize("how", ["--soft", "--mixed", "--hard"])
def test_reset_of_a_folding_commit_then_commit_all(hooked: Path, ff: Any, how: str) -> None:
    """Any reset, then `git commit -a`: the commit carries the month's newest file (after
    `--hard` the fold writes it again), and nothing is left unstaged."""
    repo = hooked
    fold_commit_reset(ff, repo, how)
    (repo / "a.txt").write_text("a\n")
    git(repo, "add", "a.txt")
    result = commit(repo, "-am", "two again")
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_total(repo) == 2 * 3600 and buried(repo) == []
    assert settled(repo) and ff("verify").code == 0


@pytest.mark.slow
def test_amend_of_a_folding_commit(hooked: Path, ff: Any) -> None:
    repo = hooked
    work(ff, repo, "09:00")
    assert commit(repo, "--allow-empty", "-m", "one").returncode == 0
    work(ff, repo, "11:00")
    assert commit(repo, "--allow-empty", "-m", "two").returncode == 0
    work(ff, repo, "13:00")
    result = commit(repo, "--amend", "--allow-empty", "-m", "two, amended")
    assert result.returncode == 0, result.stdout + result.stderr
    changed = git(repo, "show", "--name-status", "--format=", "HEAD").split()
    assert changed[::2] == ["A", "A"]  # the amended commit's file and the newer one
    assert tree_total(repo) == 3 * 3600 and settled(repo) and ff("verify").code == 0


@pytest.mark.slow
def test_reset_of_a_folding_commit_then_a_partial_commit(hooked_by: Path, ff: Any) -> None:
    """Committing other files only, under pre-commit and prek: the untracked summary goes
    into the commit with the newer one, and the work tree is clean after it."""
    repo = hooked_by
    fold_commit_reset(ff, repo)
    work(ff, repo, "13:00")
    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "b.txt")
    result = commit(repo, "-m", "three", terminal=True)
    assert result.returncode == 0, result.stdout
    assert tree_total(repo) == 3 * 3600 and settled(repo) and ff("verify").code == 0


@pytest.mark.slow
def test_a_tombstone_an_older_version_left_unstaged_is_put_back(
    hooked_by: Path, ff: Any, request: pytest.FixtureRequest
) -> None:
    """An older ffhooks buried a file and `git reset HEAD~1` unstaged the burial. Under
    pre-commit (or prek) the framework stashes it away from the hooks, which leave it and
    say how to discard it (pre-commit shows a passing hook's words); `ffhooks aggregate`
    outside a framework puts it back as the index has it."""
    repo = hooked_by
    work(ff, repo, "09:00")
    assert commit(repo, "--allow-empty", "-m", "one").returncode == 0
    [first] = files(repo)
    (repo / first).write_bytes(TOMBSTONE)  # what `git reset` of an older burial leaves
    work(ff, repo, "11:00")
    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "b.txt")
    result = commit(repo, "-m", "two", terminal=True)
    out = result.stdout
    assert result.returncode == 0, out
    said = f"git restore -- {SUMMARIES}" in out
    assert said == (request.node.callspec.params["hooked_by"] == "pre-commit"), out
    assert tree_total(repo) == 2 * 3600 and buried(repo) == []
    done = ff("aggregate")
    assert done.code == 0 and "put back 1 superseded" in done.err
    assert settled(repo) and (repo / first).read_bytes() != TOMBSTONE


def test_a_failed_staging_changes_nothing_committed(initialised: Path, ff: Any) -> None:
    """With the index locked the new file cannot be staged: the committed file is left as
    it is, and the next fold stages the new one."""
    repo = initialised
    folds(ff, repo, "09:00")
    [path] = files(repo)
    before = (repo / path).read_bytes()
    work(ff, repo, "11:00")
    (repo / ".git" / "index.lock").touch()
    result = ff("aggregate")
    assert result.code == 1 and "update-index" in result.err
    assert (repo / path).read_bytes() == before
    assert git(repo, "diff", "--name-only") == ""
    (repo / ".git" / "index.lock").unlink()
    assert ff("aggregate").code == 0  # stages the new file
    git(repo, "commit", "-qm", "two", "--no-verify")
    assert buried(repo) == [] and tree_total(repo) == 7200 and settled(repo)


def test_compact_deletes_superseded_files_and_old_tombstones_in_one_commit(
    initialised: Path, ff: Any
) -> None:
    repo = initialised
    folds(ff, repo, "08:00", "10:00")
    first, second = by_seq(files(repo))
    (repo / first).write_bytes(TOMBSTONE)  # as an older ffhooks left it
    git(repo, "commit", "-qam", "old style", "--no-verify")
    folds(ff, repo, "12:00")
    assert len(files(repo)) == 3 and buried(repo) == [first]
    assert "no longer made tombstones" in ff("compact", "--tombstones").err
    assert "--older-than is gone" in ff("compact", "--older-than", "90").err
    dry = ff("compact", "--dry-run", "--json").json()
    assert dry["count"] == 2 and dry["commit"] is None and len(files(repo)) == 3
    (repo / "x.txt").write_text("x\n")
    git(repo, "add", "x.txt")
    refused = ff("compact")
    assert refused.code == 1 and "x.txt is staged" in refused.err
    git(repo, "reset", "-q", "--", "x.txt")
    done = ff("compact", "--delete", "--json").json()  # --delete: older jobs' line
    assert done["count"] == 2 and done["commit"] == git(repo, "rev-parse", "HEAD").strip()
    changed = git(repo, "show", "--name-status", "--format=", "HEAD").split()
    assert changed[::2] == ["D", "D"] and set(changed[1::2]) == {first, second}
    assert len(files(repo)) == 1 and tree_total(repo) == 3 * 3600
    assert ff("verify", "--since", "HEAD~1").code == 0 and settled(repo)
    assert "Nothing to compact" in ff("compact").out


def test_compact_runs_on_the_default_branch_only(initialised: Path, ff: Any) -> None:
    """Compactions on two lines of history conflict when they meet (bench/merge_matrix.py):
    off the default branch, or detached, it refuses."""
    repo = initialised
    folds(ff, repo, "08:00", "10:00")
    git(repo, "checkout", "-q", "-b", "feature")
    refused = ff("compact")
    assert refused.code == 1 and "only on the default branch (main)" in refused.err
    assert "git switch main" in refused.err
    git(repo, "checkout", "-q", "--detach", "main")
    assert "detached HEAD" in ff("compact", "--dry-run").err
    git(repo, "checkout", "-q", "main")
    assert ff("compact", "--json").json()["count"] == 1


@pytest.mark.slow
def test_a_branch_tip_picks_cleanly_onto_main(
    ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feature commit that supersedes a file only the feature has only adds: it
    cherry-picks onto main without a conflict, and the feature merges later too."""
    repo = cloned(ff, tmp_path, monkeypatch)
    work(ff, repo, "08:00")
    assert commit(repo, "--allow-empty", "-m", "on main").returncode == 0
    git(repo, "push", "-q", "origin", "HEAD:main")
    git(repo, "checkout", "-q", "-b", "feature")
    for hour in ("10:00", "12:00"):
        work(ff, repo, hour)
        assert commit(repo, "--allow-empty", "-m", f"feature {hour}").returncode == 0
    git(repo, "checkout", "-q", "main")
    picked = subprocess.run(
        ("git", "cherry-pick", "feature"), cwd=repo, capture_output=True, text=True
    )
    assert picked.returncode == 0, picked.stdout + picked.stderr
    assert tree_total(repo) == 3 * 3600
    merged = subprocess.run(
        ("git", "merge", "-q", "--no-edit", "feature"), cwd=repo, capture_output=True, text=True
    )
    assert merged.returncode == 0, merged.stdout + merged.stderr
    work(ff, repo, "14:00")
    assert commit(repo, "--allow-empty", "-m", "after merge").returncode == 0
    assert buried(repo) == [] and tree_total(repo) == 4 * 3600 and ff("verify").code == 0
    assert settled(repo)


def test_resolve_settles_a_picked_burial_of_a_file_the_target_lacks(
    initialised: Path, ff: Any
) -> None:
    """A history an older ffhooks wrote: the tip of a branch buries a file main never had
    (modify/delete when picked), settled by `ffhooks resolve`."""
    repo = initialised
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base", "--no-verify")
    git(repo, "checkout", "-q", "-b", "feature")
    folds(ff, repo, "08:00")
    [first] = files(repo)
    work(ff, repo, "10:00")
    ff("aggregate")
    (repo / first).write_bytes(TOMBSTONE)
    git(repo, "add", "-A", SUMMARIES)
    git(repo, "commit", "-qm", "two, as an older ffhooks made it", "--no-verify")
    git(repo, "checkout", "-q", "main")
    picked = subprocess.run(("git", "cherry-pick", "feature"), cwd=repo, capture_output=True)
    assert picked.returncode == 1
    unmerged = ff("resolve")
    assert unmerged.code == 0 and "Settled 1" in unmerged.out
    git(repo, "-c", "core.editor=true", "cherry-pick", "--continue")
    assert buried(repo) == [] and tree_total(repo) == 2 * 3600
    assert ff("verify").code == 0 and settled(repo)
    assert "No conflicted summary" in ff("resolve").out


@pytest.mark.slow
def test_the_compact_workflow_runs_as_written(
    initialised: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The `run` steps of docs/github-actions-compact.yml (all but the install) in a fresh
    clone, as the CI runner has it: superseded files go, in one pushed commit."""
    import shlex

    import yaml

    repo = initialised
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "set up", "--no-verify")
    for day in ("2026-06-01", "2026-06-02", "2026-11-19", "2026-11-20"):
        for name in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
            monkeypatch.setenv(name, f"{day}T12:00:00Z")
        work(ff, repo, "09:00", day=day)
        ff("aggregate")
        git(repo, "commit", "-qm", day, "--no-verify")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(remote))
    runner = tmp_path / "runner"
    git(tmp_path, "clone", "-q", str(remote), str(runner))
    workflow = yaml.safe_load(
        (Path(__file__).parents[2] / "docs/github-actions-compact.yml").read_text()
    )
    assert workflow["concurrency"]["group"] and "schedule" in workflow[True]
    steps = workflow["jobs"]["compact"]["steps"]
    assert any(s.get("with", {}).get("ref") == "main" for s in steps)
    runs = [s["run"] for s in steps if "run" in s and "pip install" not in s["run"]]
    for script in runs:
        for line in script.splitlines():
            done = subprocess.run(shlex.split(line), cwd=runner, capture_output=True, text=True)
            assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    pushed = git(remote, "log", "-1", "--format=%s", "main")
    assert pushed.startswith("ffhooks compact: 2 superseded summaries deleted")
    assert len(files(runner, "origin/main")) == 2 and len(files(repo)) == 4
    assert tree_total(runner, "origin/main") == 4 * 3600


@pytest.mark.slow
def test_a_branch_squashed_then_merged_again_needs_no_driver(
    ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Squash-merged, the branch's summaries are adds on main too; main folds again, and
    merging the branch again adds the same files at the same paths: no conflict, with no
    merge driver (as a server merges), before and after a compaction."""
    repo = cloned(ff, tmp_path, monkeypatch)
    git(repo, "config", "--remove-section", "merge.ffhooks")
    git(repo, "checkout", "-q", "-b", "feature")
    for hour in ("08:00", "10:00"):
        work(ff, repo, hour)
        assert commit(repo, "--allow-empty", "-m", f"feature {hour}").returncode == 0
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--squash", "feature")
    assert commit(repo, "-m", "squashed").returncode == 0
    work(ff, repo, "12:00")
    assert commit(repo, "--allow-empty", "-m", "on main").returncode == 0
    git(repo, "branch", "-q", "main-before-merge")
    merged = subprocess.run(
        ("git", "merge", "--no-edit", "feature"), cwd=repo, capture_output=True, text=True
    )
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert buried(repo) == [] and tree_total(repo) == 3 * 3600 and ff("verify").code == 0
    git(repo, "reset", "-q", "--hard", "main-before-merge")
    assert ff("compact", "--json").json()["count"] == 2
    merged = subprocess.run(
        ("git", "merge", "--no-edit", "feature"), cwd=repo, capture_output=True, text=True
    )
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert tree_total(repo) == 3 * 3600 and ff("verify").code == 0 and settled(repo)


def test_resolve_leaves_other_conflicts_and_says_so(initialised: Path, ff: Any) -> None:
    repo = initialised
    (repo / "x.txt").write_text("a\n")
    git(repo, "add", "x.txt")
    git(repo, "commit", "-qm", "x", "--no-verify")
    work(ff, repo, "09:00")
    ff("aggregate")
    git(repo, "commit", "-qm", "one", "--no-verify")
    [path] = files(repo)
    git(repo, "checkout", "-q", "-b", "other", "HEAD~1")
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text("{}\n")  # a hand-made file at the same path
    git(repo, "add", path)
    git(repo, "commit", "-qm", "forged", "--no-verify")
    merged = subprocess.run(("git", "merge", "main"), cwd=repo, capture_output=True)
    assert merged.returncode == 1
    result = ff("resolve")
    assert result.code == 1 and path in result.err and "does not settle" in result.err


def test_migration_only_adds_what_a_rerun_supersedes(initialised: Path, ff: Any) -> None:
    """A second run after the team changed its summaries' detail writes each month anew."""
    repo = initialised
    source = repo / "legacy.jsonl"
    line = {"user": "bob", "task": "7", "start": "2026-10-01T09:00:00Z"}
    source.write_text(json.dumps({**line, "end": "2026-10-01T10:00:00Z"}) + "\n")
    assert ff("migrate", "--source", str(source)).code == 0
    git(repo, "commit", "-qm", "migrated", "--no-verify")
    config = repo / ".flowforge/team/config.json"
    doc = json.loads(config.read_text())
    doc["summary_detail"]["period"] = "month"
    config.write_text(json.dumps(doc))
    assert ff("migrate", "--source", str(source)).code == 0
    git(repo, "commit", "-qam", "migrated again", "--no-verify")
    assert buried(repo) == [] and len(files(repo)) == 2 and tree_total(repo) == 3600
    changed = git(repo, "show", "--name-status", "--format=", "HEAD").split()
    assert changed[::2] == ["A"]  # only added
    assert ff("verify", "--since", "HEAD~1").code == 0 and settled(repo)
    assert not store_dir(repo, "bob").exists()  # a legacy store lives only in summaries


def test_the_merge_driver_decides_only_a_tombstone_against_content(tmp_path: Path) -> None:
    from ffhooks.fold.compact import merge_file

    content, other = b'{"a": 1}\n', b'{"b": 2}\n'

    def merged(base: bytes, ours: bytes, theirs: bytes) -> tuple[bool, bytes]:
        paths = [tmp_path / name for name in ("base", "ours", "theirs")]
        for path, data in zip(paths, (base, ours, theirs), strict=True):
            path.write_bytes(data)
        return merge_file(*paths), paths[1].read_bytes()

    assert merged(b"", TOMBSTONE, content) == (True, TOMBSTONE)  # added on both sides
    assert merged(b"", content, TOMBSTONE) == (True, TOMBSTONE)
    assert merged(content, other, TOMBSTONE) == (True, other)  # git paired another file
    assert merged(content, TOMBSTONE, other) == (True, other)
    assert merged(content, other, b'{"c": 3}\n')[0] is False  # not a tombstone's doing
    assert merged(TOMBSTONE, TOMBSTONE, content)[0] is False


def test_the_merge_driver_refuses_missing_files(ff: Any, tmp_path: Path) -> None:
    result = ff("merge-summary", str(tmp_path / "gone"), "a", "b")
    assert result.code == 1 and "merge driver" in result.err


def test_live_splits_paths_and_parses_only_the_newest() -> None:
    """The fast reading of paths agrees with parsing each one, odd names included."""
    from ffhooks.summary import live, parse_path

    folder = f"{SUMMARIES}/alice/2026-11"
    store, other = "0123456789abcdef", "fedcba9876543210"
    paths = [
        f"{folder}/{store}-1.json",
        f"{folder}/{store}-9.json",
        f"{folder}/{store}-10.json",
        f"{folder}/{other}-3.json",
        f"{SUMMARIES}/bob/2026-10/{store}-4.json",
        f"{folder}/notes.json",
        ".flowforge/team/config.json",
    ]
    assert {k: w.seq for k, w in live(paths).items()} == {
        ("alice", store, "2026-11"): 10,
        ("alice", other, "2026-11"): 3,
        ("bob", store, "2026-10"): 4,
    }
    assert live(paths, {f"{folder}/{store}-10.json"})[("alice", store, "2026-11")].seq == 9
    # a newest name no summary has (a leading zero): the parser decides, and skips it
    odd = [*paths, f"{folder}/{store}-0011.json"]
    assert parse_path(odd[-1]) is None
    assert live(odd)[("alice", store, "2026-11")].seq == 10


@pytest.mark.slow
def test_a_pure_delete_commit_through_the_hook_stays_pure(hooked: Path, ff: Any) -> None:
    """`git rm` of a superseded summary committed by hand through the hook: the guard lets
    it through, and the fold adds nothing to it (no rename can be paired inside it); the
    time recorded meanwhile goes into the next commit."""
    repo = hooked
    for hour in ("08:00", "10:00"):
        work(ff, repo, hour)
        assert commit(repo, "--allow-empty", "-m", hour).returncode == 0
    first, _ = by_seq(files(repo))
    work(ff, repo, "12:00")
    git(repo, "rm", "-q", first)
    result = commit(repo, "-m", "compacted by hand", terminal=True)
    assert result.returncode == 0, result.stdout
    assert "nothing is folded into it" in result.stdout
    changed = git(repo, "show", "--name-status", "--format=", "HEAD").split()
    assert changed == ["D", first]
    assert tree_total(repo) == 2 * 3600
    assert commit(repo, "--allow-empty", "-m", "next").returncode == 0
    assert tree_total(repo) == 3 * 3600 and settled(repo) and ff("verify").code == 0
