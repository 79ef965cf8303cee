"""One store, one writer: a copied clone, a moved clone, a lost store and a quarantined file
never double or drop time."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, commit, git, store_dir, tree_total


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(("ffhooks", *args), cwd=cwd, capture_output=True, text=True, check=False)


def store_id(repo: Path, user: str = "alice") -> str:
    return str(json.loads((store_dir(repo, user) / "store.json").read_text())["store"])


@pytest.fixture
def team(tmp_path: Path, hooked: Path, ff: Any) -> tuple[Path, Path]:
    """A clone with one committed hour of alice, pushed to a bare remote."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    ff("add", "205", "1h", "--start", "09:00")
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "time").returncode == 0
    git(hooked, "remote", "add", "origin", str(remote))
    git(hooked, "push", "-q", "origin", "HEAD:main")
    return hooked, remote


def manager_total(tmp_path: Path, remote: Path) -> int:
    fresh = tmp_path / "manager"
    shutil.rmtree(fresh, ignore_errors=True)
    git(tmp_path, "clone", "-q", str(remote), str(fresh))
    return tree_total(fresh)


@pytest.mark.slow
def test_a_copied_clone_refuses_until_forked_and_then_both_count(
    team: tuple[Path, Path], tmp_path: Path
) -> None:
    repo, remote = team
    copy = tmp_path / "copy"
    subprocess.run(("cp", "-r", str(repo), str(copy)), check=True)
    refused = run(copy, "add", "300", "2h", "--start", "12:00")
    assert refused.returncode == 1
    assert "ffhooks store fork" in refused.stderr and "ffhooks store moved" in refused.stderr
    status = run(copy, "recover", "--json")
    assert status.returncode == 1
    kinds = {c["kind"] for c in json.loads(status.stdout)["conditions"]}
    assert "copied-store" in kinds
    # a commit from the copy queues the refusal, writes nothing under the shared id
    (copy / "x.txt").write_text("x\n")
    git(copy, "add", "x.txt")
    result = commit(copy, "-m", "from the copy", terminal=True)
    assert result.returncode == 0 and "store fork" in result.stdout
    forked = run(copy, "store", "fork")
    assert forked.returncode == 0, forked.stderr
    assert store_id(copy) != store_id(repo)
    assert json.loads(run(copy, "log", "--all", "--json").stdout)["sessions"] == []
    assert run(copy, "add", "300", "2h", "--start", "12:00").returncode == 0
    assert commit(copy, "--allow-empty", "-m", "copy works").returncode == 0
    git(copy, "push", "-q", "origin", "HEAD:main")
    git(repo, "pull", "-q", "--rebase", "origin", "main")
    assert run(repo, "add", "205", "1h", "--start", "15:00").returncode == 0
    assert commit(repo, "--allow-empty", "-m", "original goes on").returncode == 0
    git(repo, "push", "-q", "origin", "HEAD:main")
    # 1 h + 1 h in the original, 2 h in the fork: nothing lost, nothing twice
    assert manager_total(tmp_path, remote) == 4 * 3600
    assert run(repo, "verify").returncode == 0


def test_a_moved_clone_says_so_once(initialised: Path, ff: Any, tmp_path: Path) -> None:
    ff("add", "205", "1h", "--start", "09:00")
    ff("aggregate")
    before = json.loads((store_dir(initialised) / "store.json").read_text())
    moved = tmp_path / "moved"
    initialised.rename(moved)
    assert run(moved, "add", "205", "1h", "--start", "11:00").returncode == 1
    result = run(moved, "store", "moved")
    assert result.returncode == 0, result.stderr
    after = json.loads((store_dir(moved) / "store.json").read_text())
    assert after["store"] == before["store"] and after["writer"] != before["writer"]
    assert after["home"] == str(moved)
    assert run(moved, "add", "205", "1h", "--start", "11:00").returncode == 0
    assert run(moved, "aggregate").returncode == 0
    assert run(moved, "store", "fork").returncode == 1  # its own home: nothing to fork


def test_a_seq_the_store_never_wrote_is_refused_and_rebuild_adopts(
    initialised: Path, ff: Any
) -> None:
    """A copy made before stores knew their home writes under the same id: the original
    finds a seq it never wrote in the tree (after a pull) and refuses to guess."""
    repo = initialised
    ff("add", "205", "1h", "--start", "09:00")
    ff("aggregate")
    [ours] = (repo / SUMMARIES / "alice").rglob("*.json")
    doc = json.loads(ours.read_text())
    from ffhooks.summary import checksum

    foreign = {**doc, "seq": 7}
    foreign["sha256"] = checksum(foreign)
    (ours.parent / f"{doc['store']}-7.json").write_text(json.dumps(foreign))
    ff("add", "205", "1h", "--start", "11:00")
    refused = ff("aggregate")
    assert refused.code == 1 and "never wrote" in refused.err and "store fork" in refused.err
    hook = ff("aggregate", "--hook")
    assert hook.code == 0 and "never wrote" in hook.err
    rebuilt = ff("recover", "rebuild")
    assert rebuilt.code == 0, rebuilt.err
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 7200
    assert list(ours.parent.glob("*-8.json"))


def test_verify_names_one_store_written_from_two_places(initialised: Path, ff: Any) -> None:
    repo = initialised
    ff("add", "205", "1h", "--start", "09:00")
    ff("aggregate")
    [first] = (repo / SUMMARIES / "alice").rglob("*.json")
    doc = json.loads(first.read_text())
    from ffhooks.summary import checksum

    for seq, writer in ((2, "0badc0de"), (3, doc["writer"])):
        other = {**doc, "seq": seq, "writer": writer}
        other["sha256"] = checksum(other)
        (first.parent / f"{doc['store']}-{seq}.json").write_text(json.dumps(other))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "two writers")
    result = ff("verify")
    assert result.code == 1 and "written from two places" in result.out


@pytest.mark.slow
def test_a_lost_store_is_not_replaced_silently(team: tuple[Path, Path], ff: Any) -> None:
    repo, _ = team
    old = store_id(repo)
    git(repo, "clean", "-q", "-fdx")
    refused = ff("add", "205", "1h", "--start", "11:00")
    assert refused.code == 1 and "ffhooks recover restore" in refused.err
    assert "--new-store" in refused.err
    assert not (store_dir(repo) / "store.json").exists()
    assert ff("start", "205", "--at", "11:00").code == 1
    restored = ff("recover", "restore")
    assert restored.code == 0, restored.err
    assert store_id(repo) == old
    assert ff("add", "205", "1h", "--start", "11:00").code == 0
    # or, knowingly, a new store
    git(repo, "clean", "-q", "-fdx")
    assert ff("add", "205", "1h", "--start", "13:00", "--new-store").code == 0
    assert store_id(repo) != old


def test_a_quarantined_file_blocks_folding_until_forgotten(initialised: Path, ff: Any) -> None:
    repo = initialised
    ff("add", "205", "1h", "--start", "2026-11-19 09:00")
    ff("add", "205", "2h", "--start", "09:00")
    ff("aggregate")
    day = store_dir(repo) / "time/daily/2026-11-19.json"
    day.write_text("{ broken")
    first = ff("log", "--all")
    assert first.code == 1 and "quarantine" in first.err
    # the next command works without that day, but nothing publishes the month without it
    assert ff("log", "--all").code == 0
    ff("add", "205", "1h", "--start", "13:00")
    refused = ff("aggregate")
    assert refused.code == 1 and "2026-11-19.json" in refused.err
    assert "ffhooks recover forget time/daily/2026-11-19.json" in refused.err
    status = ff("recover", "--json")
    assert status.code == 1
    assert any(c["kind"] == "quarantined" for c in status.json()["conditions"])
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 3 * 3600
    assert ff("recover", "forget", "time/daily/nope.json").code == 1
    forgot = ff("recover", "forget", "time/daily/2026-11-19.json")
    assert forgot.code == 0, forgot.err
    assert ff("aggregate").code == 0
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 3 * 3600
