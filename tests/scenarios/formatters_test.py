"""Other hooks and filters (issue 24, item 5): a JSON formatter in the same pre-commit config,
before or after ffhooks' hook, or a clean filter on `*.json` rewrites summaries and tombstones
in other whitespace and key order. Readers judge them by content: every commit goes through,
`verify` passes, and the report is exact; the guard lets a reformat of the same content through
and still refuses one that lowers time.
`init` keeps filters off ffhooks' files (`-filter`, below the team's own line)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SUMMARIES, commit, git, tree_total

from ffhooks import summary
from ffhooks.fold.compact import merge_file
from ffhooks.summary import TOMBSTONE, TOMBSTONE_BLOB
from ffhooks.trust import changes as summary_changes

# What prettier or `pretty-format-json --autofix` does to JSON: indent, sort keys, escape
# (given files, it rewrites them in place and fails if it changed one; given none, it is a
# clean filter, stdin to stdout)
FORMATTER = """\
import json, sys

def pretty(data):
    return (json.dumps(json.loads(data), indent=4, sort_keys=True) + "\\n").encode()

if len(sys.argv) == 1:
    sys.stdout.buffer.write(pretty(sys.stdin.buffer.read()))
    sys.exit(0)
changed = 0
for name in sys.argv[1:]:
    with open(name, "rb") as f:
        data = f.read()
    if pretty(data) != data:
        with open(name, "wb") as f:
            f.write(pretty(data))
        changed = 1
sys.exit(changed)
"""


def formatter(tmp_path: Path) -> str:
    script = tmp_path / "pretty_json.py"
    script.write_text(FORMATTER)
    return f"{sys.executable} {script}"


def work(ff: Any, hour: str) -> None:
    assert ff("add", "205", "1h", "--start", f"2026-11-20 {hour}").code == 0


def committed(repo: Path, *args: str) -> None:
    result = commit(repo, *args)
    assert result.returncode == 0, result.stdout + result.stderr


def blobs(repo: Path) -> dict[str, str]:
    out = git(repo, "ls-tree", "-r", "HEAD", "--", SUMMARIES)
    return {line.split("\t")[1]: line.split()[2] for line in out.splitlines()}


def healthy(repo: Path, ff: Any, since: str) -> None:
    assert ff("verify").code == 0, ff("verify").out
    assert ff("verify", "--since", since).code == 0, ff("verify", "--since", since).out
    assert ff("validate", "--all").code == 0, ff("validate", "--all").out
    assert ff("recover", "--json").json()["conditions"] == []


@pytest.mark.slow
@pytest.mark.parametrize("place", ["before", "after"])
def test_a_formatter_hook_beside_ffhooks_breaks_nothing(
    place: str, hooked: Path, ff: Any, tmp_path: Path
) -> None:
    repo = hooked
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    hook = {"id": "pretty-json", "name": "pretty json", "language": "system", "files": r"\.json$"}
    block = {"repo": "local", "hooks": [{**hook, "entry": formatter(tmp_path)}]}
    config["repos"].insert(0 if place == "before" else 1, block)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    git(repo, "add", "-A")
    commit(repo, "-m", "setup")  # the formatter rewrites the team config: add it again
    git(repo, "add", "-A")
    committed(repo, "-m", "setup")
    first = git(repo, "rev-parse", "HEAD").strip()
    for hour in ("08:00", "10:00"):
        work(ff, hour)
        committed(repo, "--allow-empty", "-m", hour)
    assert len(blobs(repo)) == 2 and TOMBSTONE_BLOB not in blobs(repo).values()

    # `pre-commit run --all-files` (a developer, pre-commit.ci) formats every summary
    subprocess.run(("pre-commit", "run", "--all-files"), cwd=repo, capture_output=True)
    changed = git(repo, "status", "--porcelain", "--", SUMMARIES).splitlines()
    assert len(changed) == 2  # the live file and the superseded one
    work(ff, "12:00")
    result = commit(repo, "-am", "formatted")
    # ffhooks changes no file that was staged (it only adds files, which pre-commit did not
    # list for the formatter), so the formatter, before or after it, lets the commit through
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_total(repo) == 3 * 3600
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 3 * 3600
    assert git(repo, "status", "--porcelain", "--", SUMMARIES) == ""
    healthy(repo, ff, first)


@pytest.mark.slow
def test_a_clean_filter_on_json_breaks_nothing_and_init_takes_it_off(
    hooked: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = hooked
    git(repo, "config", "filter.pretty.clean", formatter(tmp_path))
    with (repo / ".gitattributes").open("a") as f:
        f.write("*.json filter=pretty\n")  # the team's line, below ffhooks': it wins
    for name in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
        monkeypatch.setenv(name, "2026-06-01T12:00:00Z")
    git(repo, "add", "-A")
    committed(repo, "-m", "setup")
    first = git(repo, "rev-parse", "HEAD").strip()
    for month, hour in (("06", "08:00"), ("07", "10:00"), ("10", "12:00")):
        for name in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
            monkeypatch.setenv(name, f"2026-{month}-20T{hour}:00Z")
        work(ff, hour)
        committed(repo, "--allow-empty", "-m", hour)
    written = sorted((int(p.rpartition("-")[2].removesuffix(".json")), p) for p in blobs(repo))
    assert len(written) == 3 and tree_total(repo) == 3 * 3600
    healthy(repo, ff, first)
    # compaction deletes the superseded files, formatted as they are
    deleted = ff("compact", "--json").json()
    assert deleted["paths"] == sorted(p for _, p in written[:2])
    assert tree_total(repo) == 3 * 3600 and ff("verify").code == 0
    live = written[2][1]

    # init again puts ffhooks' line below the team's: the filter no longer applies, and
    # what it made of the files this clone wrote is committed as they are (hooks.md): the
    # same content in other bytes, which the guard lets through
    assert ff("init").code == 0
    assert "filter: unset" in git(repo, "check-attr", "filter", "--", live)
    git(repo, "add", "--renormalize", ".flowforge")
    git(repo, "add", ".gitattributes")
    work(ff, "14:00")
    committed(repo, "-m", "ffhooks' files as written")
    assert len(blobs(repo)) == 2 and TOMBSTONE_BLOB not in blobs(repo).values()
    assert tree_total(repo) == 4 * 3600
    healthy(repo, ff, first)


@pytest.mark.slow
def test_a_reformat_that_lowers_time_is_still_refused(hooked: Path, ff: Any) -> None:
    repo = hooked
    git(repo, "add", "-A")
    committed(repo, "-m", "setup")
    work(ff, "08:00")
    committed(repo, "--allow-empty", "-m", "one")
    [path] = blobs(repo)
    doc = summary.loads((repo / path).read_bytes(), path, "")
    for tasks in doc["totals"].values():
        for cell in tasks.values():
            cell["billable_seconds"] -= 600
    doc = summary.written_form(summary.seal(doc))  # even with its checksum made to match
    (repo / path).write_text(json.dumps(doc, indent=4, sort_keys=True) + "\n")
    result = commit(repo, "-am", "lowered")
    said = result.stdout + result.stderr
    assert result.returncode == 1 and f"this commit edits {path}" in said
    git(repo, "commit", "-qam", "lowered", "--no-verify")
    since = ff("verify", "--since", "HEAD~1")
    assert since.code == 1 and "a committed summary was edited since" in since.out


def test_verify_names_a_reformatted_tombstone_above_the_live_file(
    initialised: Path, ff: Any
) -> None:
    repo = initialised
    work(ff, "09:00")
    assert ff("aggregate").code == 0
    git(repo, "commit", "-qm", "one", "--no-verify")
    [path] = blobs(repo)
    (repo / path).write_bytes(TOMBSTONES[2])  # the only live file, buried in other bytes
    git(repo, "commit", "-qam", "buried", "--no-verify")
    result = ff("verify")
    assert result.code == 1 and "tombstone above its store's live summary" in result.out
    since = ff("verify", "--since", "HEAD~1")
    assert since.code == 1 and "was made a tombstone since" in since.out


def test_the_fold_leaves_a_reformatted_tombstone_alone(initialised: Path, ff: Any) -> None:
    """A history an older ffhooks wrote (a tombstone), which a formatter rewrote in the work
    tree: no leftover burial to put back, no edit to refuse; the fold goes on and the
    commit carries no churn."""
    repo = initialised
    for hour in ("08:00", "10:00"):
        work(ff, hour)
        assert ff("aggregate").code == 0
        git(repo, "commit", "-qm", hour, "--no-verify")
    dead = min(blobs(repo), key=lambda p: int(p.rpartition("-")[2].removesuffix(".json")))
    (repo / dead).write_bytes(TOMBSTONE)
    git(repo, "commit", "-qam", "buried, as an older ffhooks did", "--no-verify")
    (repo / dead).write_bytes(TOMBSTONES[2])
    work(ff, "12:00")
    result = ff("aggregate")
    assert result.code == 0, result.err
    staged = git(repo, "diff", "--cached", "--name-status").split()
    assert dead not in staged and staged[::2] == ["A"]  # only the new file
    assert (repo / dead).read_bytes() == TOMBSTONES[2]
    git(repo, "commit", "-qm", "12:00", "--no-verify")
    assert tree_total(repo) == 3 * 3600 and ff("verify").code == 0


# -- content, not bytes ------------------------------------------------------------------------

DOC = {"version": 1, "user": "alice", "totals": {"2026-11-20": {"205": {"sessions": 1}}}}
AS_WRITTEN = (json.dumps(DOC, indent=2) + "\n").encode()
FORMATTED = (json.dumps(DOC, indent=4, sort_keys=True) + "\n").encode().replace(b"\n", b"\r\n")
TOMBSTONES = [
    TOMBSTONE,
    TOMBSTONE.replace(b"\n", b"\r\n"),
    b'{\n    "ffhooks": "tombstone"\n}\n',
    b'{ "ffhooks": "tombstone" }',
]


def test_a_tombstone_is_known_in_any_whitespace_and_nothing_else_is_one(tmp_path: Path) -> None:
    for data in TOMBSTONES:
        assert summary.is_tombstone_data(data)
        (tmp_path / "t.json").write_bytes(data)
        assert summary.is_tombstone(tmp_path / "t.json")
    for data in (
        b'{"ffhooks":"tomb stone"}',
        b'{"ffhooks":"tombstone","ffhooks":"tombstone"}',
        b'\xef\xbb\xbf{"ffhooks":"tombstone"}',
        b'["ffhooks","tombstone"]',
        AS_WRITTEN,
        b"",
    ):
        assert not summary.is_tombstone_data(data), data


def test_same_data_is_the_same_json_not_the_same_bytes() -> None:
    assert summary.same_data(AS_WRITTEN, FORMATTED)
    assert summary.same_data(TOMBSTONES[1], TOMBSTONES[3])
    assert not summary.same_data(AS_WRITTEN, TOMBSTONE)
    assert not summary.same_data(AS_WRITTEN, AS_WRITTEN.replace(b": 1", b": 1.0", 1))
    assert not summary.same_data(AS_WRITTEN, AS_WRITTEN.replace(b": 1", b": true", 1))
    assert not summary.same_data(b"{broken", b"{broken ")


def test_lowered_reads_what_changed_blob_ids_hold() -> None:
    """Given the contents, a reformat is no edit, a reformatted burial of the live file is a
    loss, and a reformatted tombstone under a newer file is a tombstone; without them, any
    other blob id of a live file is an edit."""
    folder = f"{SUMMARIES}/alice/2026-11/0123456789abcdef"
    one, two = f"{folder}-1.json", f"{folder}-2.json"
    content = {"a": AS_WRITTEN, "a2": FORMATTED, "b": AS_WRITTEN.replace(b"1", b"2")}
    content |= {"dead2": TOMBSTONES[2], TOMBSTONE_BLOB: TOMBSTONE}

    def read(ids: list[str]) -> list[bytes]:
        return [content[i] for i in ids]

    def problems(before: dict[str, str], after: dict[str, str], reader: Any = read) -> list[str]:
        return [x.problem for x in summary_changes.lowered(before, after, reader)[0]]

    assert problems({one: "a"}, {one: "a2"}) == []
    assert problems({one: "a"}, {one: "a2"}, None) == ["a committed summary was edited"]
    assert problems({one: "a"}, {one: "b"}) == ["a committed summary was edited"]
    assert problems({one: "a"}, {one: "dead2"}) == [
        "the live summary of alice 2026-11 was made a tombstone"
    ]
    assert problems({one: "a", two: "b"}, {one: "dead2", two: "b"}) == []
    assert problems({one: "a"}, {one: "a", two: "dead2"}) == [
        "made a tombstone with no newer live summary of its store and month"
    ]
    assert summary_changes.dead_after({one: "a"}, {one: "dead2", two: "b"}, read) == {one}


def test_the_merge_driver_reads_tombstones_and_summaries_in_any_bytes(tmp_path: Path) -> None:
    other = b'{"b": 2}\n'

    def merged(base: bytes, ours: bytes, theirs: bytes) -> tuple[bool, bytes]:
        paths = [tmp_path / name for name in ("base", "ours", "theirs")]
        for path, data in zip(paths, (base, ours, theirs), strict=True):
            path.write_bytes(data)
        return merge_file(*paths), paths[1].read_bytes()

    crlf, formatted = TOMBSTONES[1], TOMBSTONES[2]
    assert merged(b"", crlf, FORMATTED) == (True, TOMBSTONE)  # the file itself, added again
    assert merged(AS_WRITTEN, formatted, other) == (True, other)  # git paired another file
    assert merged(b"", AS_WRITTEN, FORMATTED) == (True, AS_WRITTEN)  # the same, formatted
    assert merged(TOMBSTONE, crlf, formatted) == (True, crlf)  # a tombstone either way
    assert merged(crlf, formatted, AS_WRITTEN)[0] is False


def test_format_2_summaries_are_judged_by_content_in_merges(tmp_path: Path) -> None:
    """A format 2 file as ffhooks writes it and as a formatter rewrote it (CRLF, indented,
    sorted) is the same file to `same_data` and the merge driver; the same figures in format
    1 are another file (another checksum), and so is another figure."""
    cell = {"billable_seconds": 3600, "non_billable_seconds": 0, "sessions": 1}
    build: dict[str, Any] = {
        "user": "alice", "store": "0123456789abcdef", "month": "2026-11", "timezone": "UTC",
        "seq": 1, "detail": {"per_task": True, "period": "day"},
        "periods": {"2026-11-20": {"205": cell}},
    }  # fmt: skip
    written = summary.dumps(summary.build(**build, version=2))
    in_format_1 = summary.dumps(summary.build(**build))
    assert b'{"205":[3600,0,1]}' in written
    formatted = (json.dumps(json.loads(written), indent=4, sort_keys=True) + "\n").encode()
    formatted = formatted.replace(b"\n", b"\r\n")
    assert summary.same_data(written, formatted)
    assert not summary.same_data(written, in_format_1)
    assert not summary.same_data(written, written.replace(b"[3600,", b"[3660,", 1))
    paths = [tmp_path / name for name in ("base", "ours", "theirs")]
    for path, data in zip(paths, (b"", written, formatted), strict=True):
        path.write_bytes(data)
    assert merge_file(*paths) and paths[1].read_bytes() == written  # the same, formatted
    for path, data in zip(paths, (written, TOMBSTONE, formatted), strict=True):
        path.write_bytes(data)
    assert merge_file(*paths) and paths[1].read_bytes() == TOMBSTONE  # buried on one side
