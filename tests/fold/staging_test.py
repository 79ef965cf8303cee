"""What the index lacks of a user's summaries folder, told without reading the index
(`index_lacks`: HEAD's tree, the staged changes and the files on disk), as `git status` tells
it; and where only git can tell, told by `git status`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from conftest import SUMMARIES, commit, git

from ffhooks.fold.staging import _by_content, _by_status, index_lacks
from ffhooks.git.plumbing import find_repo
from ffhooks.layout import TOMBSTONE


def committed_months(ff: Any, repo: Path) -> list[Path]:
    """alice's summaries of three months, folded and committed (no hook: `--no-verify`)."""
    for day in ("2026-09-10", "2026-10-12", "2026-11-16"):
        assert ff("add", "1", "1h", "--start", f"{day}T09:00:00Z").code == 0
    assert ff("aggregate").code == 0
    git(repo, "commit", "-qm", "months", "--no-verify")
    return sorted((repo / SUMMARIES / "alice").rglob("*.json"))


def both_ways(repo: Path, folders: list[str]) -> tuple[Any, Any]:
    where = find_repo(repo)
    assert where is not None
    user_dir = repo / SUMMARIES / "alice"
    rel = f"{SUMMARIES}/alice/"
    return _by_content(where, user_dir, rel, folders), _by_status(where, rel)


def test_the_index_of_the_folder_is_told_as_git_status_tells_it(ff: Any, initialised: Path) -> None:
    """Untracked files (an ignored one too), a staged new file, a staged deletion left on
    disk, a file deleted from the work tree and a leftover tombstone: the same answer as
    `git status`, for the folders asked about, with no git process reading the index."""
    repo = initialised
    september, october, november = committed_months(ff, repo)
    folder = september.parent
    (folder / f"{'a' * 16}-7.json").write_text("{}\n")  # untracked
    (repo / ".gitignore").write_text((repo / ".gitignore").read_text() + "*-8.json\n")
    (folder / f"{'a' * 16}-8.json").write_text("{}\n")  # untracked and ignored
    staged_new = october.parent / f"{'b' * 16}-3.json"
    staged_new.write_text("{}\n")
    git(repo, "add", "--", str(staged_new))
    git(repo, "rm", "-q", "--cached", "--", str(october))  # deleted in the index, on disk
    november.unlink()  # deleted in the work tree
    september.write_bytes(TOMBSTONE)  # what an older ffhooks left after `git reset`
    asked = [f"{SUMMARIES}/alice/2026-11/"]
    fast, slow = both_ways(repo, asked)
    assert fast is not None
    assert fast.untracked == sorted(slow.untracked)
    rel = lambda p: p.relative_to(repo).as_posix()  # noqa: E731
    assert set(fast.untracked) == {
        rel(folder / f"{'a' * 16}-7.json"),
        rel(folder / f"{'a' * 16}-8.json"),
        rel(october),
    }
    # status names every difference; the fast way, those under the folders asked and the
    # tombstones anywhere: all that `edited` and `leftover_tombstones` read
    assert set(fast.modified) == {rel(november), rel(september)} <= set(slow.modified)
    where = find_repo(repo)
    assert where is not None
    assert fast.edited(where, asked) == slow.edited(where, asked) == [rel(november)]
    store = september.name.split("-")[0]
    assert fast.leftover_tombstones(where, store, ()) == [rel(september)]
    assert slow.leftover_tombstones(where, store, ()) == [rel(september)]


def test_where_the_bytes_are_not_the_index_git_status_decides(ff: Any, initialised: Path) -> None:
    """A summary edited by hand in a month being written: the bytes are not the index's
    blob, and the fast way does not guess whether that is an edit or a conversion git would
    not count (a line ending); `git status` tells, and an edit is refused as before. Before
    the first commit there is no HEAD to read: `git status` again."""
    repo = initialised
    _, _, november = committed_months(ff, repo)
    asked = [f"{november.parent.relative_to(repo).as_posix()}/"]
    assert both_ways(repo, asked)[0] is not None
    november.write_text(november.read_text().replace('"seq"', ' "seq"'))
    fast, slow = both_ways(repo, asked)
    assert fast is None and slow.modified == [november.relative_to(repo).as_posix()]
    where = find_repo(repo)
    assert where is not None
    assert index_lacks(where, repo / SUMMARIES / "alice", asked) == slow
    ff("add", "1", "1h", "--start", "2026-11-17T09:00:00Z")
    result = ff("aggregate")
    assert result.code == 1 and "has unstaged edits" in result.err
    git(repo, "checkout", "--", str(november))
    assert both_ways(repo, asked)[0] is not None
    (november.parent / "link.json").symlink_to(november.name)  # git's rules for links
    fast, slow = both_ways(repo, asked)
    assert fast is None and slow.untracked == [f"{asked[0]}link.json"]

    fresh = repo.parent / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q")
    shutil.copytree(repo / SUMMARIES, fresh / SUMMARIES)
    os.chdir(fresh)
    assert both_ways(fresh, [])[0] is None  # no HEAD yet
    where = find_repo(fresh)
    assert where is not None
    copied = sorted(p.relative_to(fresh).as_posix() for p in (fresh / SUMMARIES).rglob("*.json"))
    assert index_lacks(where, fresh / SUMMARIES / "alice").untracked == copied


def test_a_commit_reads_the_index_only_to_stage(
    ff: Any, hooked: Path, monkeypatch: Any, tmp_path: Path
) -> None:
    """Through the real hook, one changed month: git is asked what the commit changes and
    what HEAD holds of the folder, then stages; no `git status` (each git process that reads
    the index pays for every summary in the tree). After `git reset HEAD~1` the summaries
    the undone commit carried are on disk and in no index: the next commit carries them."""
    repo = hooked
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    git(repo, "add", "-A")
    assert commit(repo, "-m", "set up").returncode == 0  # no HEAD before: `git status` asked
    ff("add", "1", "1h", "--start", "2026-11-16T09:00:00Z")
    (repo / "work.txt").write_text("one\n")
    git(repo, "add", "work.txt")
    trace.unlink(missing_ok=True)
    done = commit(repo, "-m", "one")
    assert done.returncode == 0, done.stderr
    assert "status" not in ran_by_git(trace)
    carried = git(repo, "ls-tree", "-r", "--name-only", "HEAD", "--", SUMMARIES).split()
    assert len(carried) == 1
    git(repo, "reset", "-q", "HEAD~1")
    assert git(repo, "ls-files", "--", SUMMARIES) == ""
    git(repo, "add", "work.txt")
    trace.unlink()
    again = commit(repo, "-m", "one again")
    assert again.returncode == 0, again.stderr
    assert git(repo, "ls-tree", "-r", "--name-only", "HEAD", "--", SUMMARIES).split() == carried
    assert "status" not in ran_by_git(trace)


def ran_by_git(trace: Path) -> list[str]:
    """The git commands a `GIT_TRACE` file shows run (their first word after options), the
    hook's among them: it asks what the commit changes and what HEAD holds of the folder,
    and stages."""
    ran = [
        line.split("built-in: git ", 1)[1].split()
        for line in trace.read_text().splitlines()
        if "built-in: git " in line
    ]
    words = [next(w for w in argv if not w.startswith("-")) for argv in ran]
    assert {"diff", "ls-tree", "update-index"} <= set(words), words
    return words
