"""Tombstones (issue 12): superseded summaries are buried in the commit that supersedes them,
readers skip them by blob id, the guard and `verify` accept exactly the burials that a newer
live summary justifies, `compact` converts and deletes, and the git workflows around them
(reset, IDE locks, cherry-picks) stay exact. Merges of branches that bury the same files,
and the single deleter, are in tombstone_merges_test.py."""

from __future__ import annotations

import json
import subprocess
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


def test_the_tombstone_is_what_its_blob_id_says() -> None:
    blob = subprocess.run(
        ("git", "hash-object", "--stdin"), input=TOMBSTONE, capture_output=True, check=True
    )
    assert blob.stdout.decode().strip() == TOMBSTONE_BLOB
    assert len(TOMBSTONE) < 64 and json.loads(TOMBSTONE) == {"ffhooks": "tombstone"}


@pytest.mark.slow
def test_each_commit_buries_what_it_supersedes_and_readers_skip_it(hooked: Path, ff: Any) -> None:
    repo = hooked
    for n, hour in enumerate(("08:00", "10:00", "12:00"), 1):
        work(ff, repo, hour)
        assert commit(repo, "--allow-empty", "-m", f"work {n}").returncode == 0
    # three commits, one live file, two tombstones; the last commit buried the second file
    assert len(files(repo)) == 3 and len(buried(repo)) == 2
    changed = git(repo, "show", "--name-status", "--format=", "HEAD").split("\n")
    assert [line[0] for line in changed if line] == ["M", "A"]
    assert tree_total(repo) == 3 * 3600
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 3 * 3600
    assert ff("verify").code == 0
    assert ff("validate", *buried(repo)).code == 0
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
    repo = initialised
    work(ff, repo, "09:00")
    ff("aggregate")
    git(repo, "commit", "-qm", "one", "--no-verify")
    work(ff, repo, "11:00")
    ff("aggregate")
    git(repo, "commit", "-qm", "two", "--no-verify")
    assert len(buried(repo)) == 1
    assert ff("verify", "--since", "HEAD~1").code == 0


def burying_commit_reset(ff: Any, repo: Path) -> None:
    """Two commits of one month through the hooks (the second buries the first file), and
    `git reset HEAD~1` of the second."""
    work(ff, repo, "09:00")
    assert commit(repo, "--allow-empty", "-m", "one").returncode == 0
    work(ff, repo, "11:00")
    assert commit(repo, "--allow-empty", "-m", "two").returncode == 0
    git(repo, "reset", "-q", "HEAD~1")


@pytest.mark.slow
def test_reset_of_a_burying_commit_then_commit_all(hooked: Path, ff: Any) -> None:
    """`git reset HEAD~1` leaves the burial unstaged and the new file untracked; `git commit
    -a` stages the burial only, and the commit still carries the newer file."""
    repo = hooked
    burying_commit_reset(ff, repo)
    (repo / "a.txt").write_text("a\n")
    git(repo, "add", "a.txt")
    result = commit(repo, "-am", "two again")
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_total(repo) == 2 * 3600 and len(buried(repo)) == 1
    assert settled(repo)


@pytest.mark.slow
def test_reset_of_a_burying_commit_then_a_partial_commit(
    hooked_by: Path, ff: Any, request: pytest.FixtureRequest
) -> None:
    """Committing other files only: pre-commit (or prek) stashes the unstaged burial away
    from the hooks, which leave it alone and say how to stage it (on the terminal, where
    pre-commit runs them: prek shows a passing hook's words only with `verbose: true`); the
    time is committed either way."""
    repo = hooked_by
    burying_commit_reset(ff, repo)
    work(ff, repo, "13:00")
    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "b.txt")
    result = commit(repo, "-m", "three", terminal=True)
    out = result.stdout
    assert result.returncode == 0, out
    said = f"git add -u {SUMMARIES}" in out
    assert said == (request.node.callspec.params["hooked_by"] == "pre-commit"), out
    assert tree_total(repo) == 3 * 3600
    git(repo, "add", "-u", SUMMARIES)
    assert commit(repo, "-m", "the tombstone").returncode == 0
    # the second file, untracked when the third was written, went in whole: it is buried
    # at the month's next write
    assert settled(repo) and len(buried(repo)) == 1
    assert tree_total(repo) == 3 * 3600 and ff("verify").code == 0


def test_a_failed_staging_leaves_no_burial_behind(initialised: Path, ff: Any) -> None:
    """With the index locked the burial cannot be staged: the file is put back, so the
    commit's hooks never leave an unstaged change (pre-commit would fail the commit)."""
    repo = initialised
    work(ff, repo, "09:00")
    ff("aggregate")
    git(repo, "commit", "-qm", "one", "--no-verify")
    [path] = files(repo)
    before = (repo / path).read_bytes()
    work(ff, repo, "11:00")
    (repo / ".git" / "index.lock").touch()
    result = ff("aggregate")
    assert result.code == 1 and "update-index" in result.err
    assert (repo / path).read_bytes() == before
    assert git(repo, "diff", "--name-only") == ""
    (repo / ".git" / "index.lock").unlink()
    assert ff("aggregate").code == 0  # stages the new file; the old one waits, whole
    git(repo, "commit", "-qm", "two", "--no-verify")
    assert buried(repo) == [] and tree_total(repo) == 7200
    work(ff, repo, "13:00")
    assert ff("aggregate").code == 0
    git(repo, "commit", "-qm", "three", "--no-verify")
    assert len(buried(repo)) == 2 and tree_total(repo) == 3 * 3600 and settled(repo)


def test_compact_tombstones_converts_an_older_repository(initialised: Path, ff: Any) -> None:
    repo = initialised
    for hour in ("08:00", "10:00", "12:00"):
        work(ff, repo, hour)
        ff("aggregate")
        git(repo, "commit", "-qm", hour, "--no-verify")
    # as an ffhooks before tombstones left it: every superseded file whole
    for path in buried(repo):
        first = git(repo, "log", "--diff-filter=A", "--format=%H", "--", path).split()[0]
        (repo / path).write_text(git(repo, "show", f"{first}:{path}"))
    git(repo, "commit", "-qam", "old style", "--no-verify")
    assert buried(repo) == [] and len(files(repo)) == 3
    dry = ff("compact", "--tombstones", "--dry-run", "--json").json()
    assert dry["count"] == 2 and dry["commit"] is None and buried(repo) == []
    (repo / "x.txt").write_text("x\n")
    git(repo, "add", "x.txt")
    refused = ff("compact", "--tombstones")
    assert refused.code == 1 and "x.txt is staged" in refused.err
    git(repo, "reset", "-q", "--", "x.txt")
    done = ff("compact", "--tombstones", "--json").json()
    assert done["count"] == 2 and done["commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert len(buried(repo)) == 2
    changed = git(repo, "show", "--name-status", "--format=", "HEAD").split()
    assert changed[::2] == ["M", "M"] and set(changed[1::2]) == set(buried(repo))
    assert tree_total(repo) == 3 * 3600 and ff("verify", "--since", "HEAD~1").code == 0
    assert settled(repo)
    assert "Nothing to compact" in ff("compact", "--tombstones").out


def test_compact_delete_deletes_only_old_tombstones(
    initialised: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = initialised

    def dated(day: str, hour: str) -> None:
        for name in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
            monkeypatch.setenv(name, f"{day}T{hour}:00Z")
        work(ff, repo, hour, day=day)
        ff("aggregate")
        git(repo, "commit", "-qm", f"{day} {hour}", "--no-verify")

    dated("2026-06-01", "08:00")
    dated("2026-06-01", "10:00")  # buries June's first file
    dated("2026-06-01", "12:00")  # and its second
    dated("2026-11-01", "08:00")
    dated("2026-11-01", "10:00")  # buries November's first file: a young tombstone
    assert len(buried(repo)) == 3
    refused = ff("compact", "--delete", "--older-than", "0")
    assert refused.code == 1 and "from 1 to 36500" in refused.err
    assert ff("compact", "--delete", "--older-than", "99999999").code == 1
    assert ff("compact", "--delete", "--older-than", "300").out.startswith("Nothing to compact")
    config = repo / ".flowforge/team/config.json"
    assert "compact" not in json.loads(config.read_text())  # ffhooks 0.1 would refuse it
    config.write_text(json.dumps({"compact": {"delete_after_days": 300}}))
    assert ff("compact", "--delete", "--dry-run", "--json").json()["days"] == 300
    config.write_text("{}")
    result = ff("compact", "--delete", "--json").json()  # FFHOOKS_NOW is 2026-11-20
    assert result["count"] == 2 and result["days"] == 90
    assert result["commit"] == git(repo, "rev-parse", "HEAD").strip()
    changed = git(repo, "show", "--name-status", "--format=", "HEAD").split()
    assert changed[::2] == ["D", "D"] and all("/2026-06/" in p for p in changed[1::2])
    assert tree_total(repo) == 5 * 3600 and ff("verify").code == 0
    assert len(buried(repo)) == 1 and len(files(repo)) == 3  # two live, one young tombstone
    assert settled(repo)
    assert "Nothing to compact" in ff("compact", "--delete").out


def test_compact_delete_refuses_a_shallow_clone(initialised: Path, ff: Any, tmp_path: Path) -> None:
    repo = initialised
    for hour in ("08:00", "10:00"):
        work(ff, repo, hour)
        ff("aggregate")
        git(repo, "commit", "-qm", hour, "--no-verify")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    result = subprocess.run(
        ("ffhooks", "compact", "--delete"), cwd=shallow, capture_output=True, text=True
    )
    assert result.returncode == 1 and "fetch-depth: 0" in result.stderr
    assert "Traceback" not in result.stderr


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


@pytest.mark.slow
def test_a_branch_keeps_its_own_files_whole_so_its_tip_picks_cleanly(
    ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a remote, only files on its default branch are buried: a feature commit that
    supersedes a file only the feature has cherry-picks onto main without a conflict."""
    repo = cloned(ff, tmp_path, monkeypatch)
    work(ff, repo, "08:00")
    assert commit(repo, "--allow-empty", "-m", "on main").returncode == 0
    git(repo, "push", "-q", "origin", "HEAD:main")
    git(repo, "checkout", "-q", "-b", "feature")
    work(ff, repo, "10:00")
    assert commit(repo, "--allow-empty", "-m", "feature 1").returncode == 0
    assert len(buried(repo)) == 1  # the file on origin/main
    work(ff, repo, "12:00")
    assert commit(repo, "--allow-empty", "-m", "feature 2").returncode == 0
    assert len(buried(repo)) == 1  # feature 1's file is the feature's own: kept whole
    git(repo, "checkout", "-q", "main")
    picked = subprocess.run(
        ("git", "cherry-pick", "feature"), cwd=repo, capture_output=True, text=True
    )
    assert picked.returncode == 0, picked.stdout + picked.stderr
    assert tree_total(repo) == 3 * 3600
    # merged and pushed, the next commit of the month buries the feature's files too
    git(repo, "merge", "-q", "--no-edit", "feature")
    git(repo, "push", "-q", "origin", "main")
    work(ff, repo, "14:00")
    assert commit(repo, "--allow-empty", "-m", "after merge").returncode == 0
    assert len(files(repo)) - len(buried(repo)) == 1
    assert tree_total(repo) == 4 * 3600 and ff("verify").code == 0


@pytest.mark.slow
def test_resolve_settles_a_picked_burial_of_a_file_the_target_lacks(hooked: Path, ff: Any) -> None:
    """No remote: every committed superseded file is buried, so the tip of a branch buries
    a file main never had: modify/delete, settled by `ffhooks resolve`."""
    repo = hooked
    git(repo, "commit", "-q", "--allow-empty", "-m", "base", "--no-verify")
    git(repo, "checkout", "-q", "-b", "feature")
    work(ff, repo, "08:00")
    assert commit(repo, "--allow-empty", "-m", "one").returncode == 0
    work(ff, repo, "10:00")
    assert commit(repo, "--allow-empty", "-m", "two").returncode == 0
    git(repo, "checkout", "-q", "main")
    picked = subprocess.run(("git", "cherry-pick", "feature"), cwd=repo, capture_output=True)
    assert picked.returncode == 1
    unmerged = ff("resolve")
    assert unmerged.code == 0 and "Settled 1" in unmerged.out
    git(repo, "-c", "core.editor=true", "cherry-pick", "--continue")
    assert buried(repo) == [] and tree_total(repo) == 2 * 3600
    assert ff("verify").code == 0 and settled(repo)
    assert "No conflicted summary" in ff("resolve").out


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


def test_migration_buries_what_a_rerun_supersedes(initialised: Path, ff: Any) -> None:
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
    assert len(buried(repo)) == 1 and len(files(repo)) == 2 and tree_total(repo) == 3600
    assert ff("verify", "--since", "HEAD~1").code == 0 and settled(repo)
    assert not store_dir(repo, "bob").exists()  # a legacy store lives only in summaries


@pytest.mark.slow
def test_the_compact_workflow_runs_as_written(
    initialised: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The `run` steps of docs/github-actions-compact.yml (all but the install) in a fresh
    full clone, as the CI runner has it: old tombstones go, in one pushed commit."""
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
        (Path(__file__).parent.parent / "docs/github-actions-compact.yml").read_text()
    )
    assert workflow["concurrency"]["group"] and "schedule" in workflow[True]
    steps = workflow["jobs"]["compact"]["steps"]
    assert any(s.get("with", {}).get("fetch-depth") == 0 for s in steps)
    runs = [s["run"] for s in steps if "run" in s and "pip install" not in s["run"]]
    for script in runs:
        for line in script.splitlines():
            done = subprocess.run(shlex.split(line), cwd=runner, capture_output=True, text=True)
            assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    pushed = git(remote, "log", "-1", "--format=%s", "main")
    assert pushed.startswith("ffhooks compact: 1 tombstones deleted")
    june, november = buried(repo)  # the young one stays
    assert buried(runner, "origin/main") == [november] and "/2026-06/" in june
    assert tree_total(runner, "origin/main") == 4 * 3600


@pytest.mark.slow
def test_a_branch_squashed_then_merged_again_settles_by_the_merge_driver(
    ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Squash-merged, the branch's summaries are adds on main too; main buries them at its
    next write, so merging the branch again meets the tombstone against the same file
    (add/add). The clone's merge driver keeps the tombstone; without it, `ffhooks resolve`."""
    repo = cloned(ff, tmp_path, monkeypatch)
    git(repo, "checkout", "-q", "-b", "feature")
    for hour in ("08:00", "10:00"):
        work(ff, repo, hour)
        assert commit(repo, "--allow-empty", "-m", f"feature {hour}").returncode == 0
    assert buried(repo) == []  # the feature's own files: none on origin/main
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--squash", "feature")
    assert commit(repo, "-m", "squashed").returncode == 0
    git(repo, "push", "-q", "origin", "main")
    work(ff, repo, "12:00")
    assert commit(repo, "--allow-empty", "-m", "on main").returncode == 0
    assert len(buried(repo)) == 2
    git(repo, "branch", "-q", "main-before-merge")
    merged = subprocess.run(
        ("git", "merge", "--no-edit", "feature"), cwd=repo, capture_output=True, text=True
    )
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert len(buried(repo)) == 2 and tree_total(repo) == 3 * 3600 and ff("verify").code == 0
    # the same merge in a clone without the driver (as a server merges): add/add
    git(repo, "reset", "-q", "--hard", "main-before-merge")
    git(repo, "config", "--remove-section", "merge.ffhooks")
    merged = subprocess.run(
        ("git", "merge", "--no-edit", "feature"), cwd=repo, capture_output=True, text=True
    )
    assert "CONFLICT (add/add)" in merged.stdout
    assert "Settled 2" in ff("resolve").out
    git(repo, "commit", "-q", "--no-edit")
    assert len(buried(repo)) == 2 and tree_total(repo) == 3 * 3600 and ff("verify").code == 0


def test_the_merge_driver_decides_only_a_tombstone_against_content(tmp_path: Path) -> None:
    from ffhooks.compact import merge_file

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
