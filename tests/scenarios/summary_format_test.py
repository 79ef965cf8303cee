"""Summary format 2 (team config `summary_format`): cells as arrays `[billable_seconds,
non_billable_seconds, sessions]`, files several times smaller. Written through the real
pre-commit hook, read by every report and check as format 1 is; the checksum and the
signature cover what the file says, whatever its whitespace or line endings; months keep
their format until their figures change; a format or a key of a newer ffhooks is named."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import SUMMARIES, commit, git, set_now
from helpers import CONFIG, keygen, set_config

from ffhooks import summary

FORMATS = ("table", "json", "csv", "markdown", "html")
WORK: list[tuple[str, str, str, tuple[str, ...]]] = [  # task, duration, start, tags
    ("205", "1h", "2026-11-03T09:00:00Z", ("+api",)),
    ("205", "30m", "2026-11-03T11:00:00Z", ()),
    ("206", "2h", "2026-11-04T09:00:00Z", ("+ui", "+api")),
    ("ops", "45m", "2026-11-04T13:00:00Z", ()),
    ("205", "3h", "2026-10-30T22:00:00Z", ("+api",)),  # across midnight into a second day
]


def files(repo: Path) -> list[Path]:
    return sorted((repo / SUMMARIES).rglob("*.json"))


def track(ff: Any, work: list[tuple[str, str, str, tuple[str, ...]]]) -> None:
    for task, duration, start, tags in work:
        done = ff("add", task, duration, *tags, "--start", start)
        assert done.code == 0, done.err


def committed(repo: Path, message: str) -> None:
    (repo / "notes.txt").write_text(message)
    git(repo, "add", "notes.txt")
    done = commit(repo, "-m", message)
    assert done.returncode == 0, done.stdout + done.stderr


def reports(repo: Path, ff: Any) -> dict[str, str]:
    """Every report format, and `verify`'s verdict, as this clone gives them; the commit
    they name (another in each repository) as COMMIT."""
    head = git(repo, "rev-parse", "HEAD").strip()
    found = {}
    for by in ("user,task", "tag"):
        for fmt in FORMATS:
            result = ff(
                "report", "--from", "2026-10-01", "--to", "2026-11-30", "--by", by, "--format", fmt
            )
            assert result.code == 0, result.err
            found[f"{by} {fmt}"] = re.sub(
                "[0-9a-f]{7,40}", lambda m: "COMMIT" if head.startswith(m[0]) else m[0], result.out
            )
    found["verify"] = str(ff("verify").code)
    return found


def a_team(repo: Path, ff: Any, summary_format: int | None) -> dict[str, str]:
    """`repo` set up as the README says (`ffhooks init`, its hook), the team's format set
    (None: as init writes it), tags split; WORK committed; its reports."""
    assert ff("init").code == 0
    if summary_format is not None:
        assert ff("config", "set", "summary_format", str(summary_format)).code == 0
    assert ff("config", "set", "summary_detail.tags", "true").code == 0
    git(repo, "add", CONFIG)
    track(ff, WORK)
    committed(repo, "work")
    return reports(repo, ff)


def test_a_format_2_team_reports_what_a_format_1_team_does(
    hooked: Path, ff: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same sessions, committed through the real hook in a team of each format: every
    report format and `verify` say the same, byte for byte; the files differ in their cells'
    form only."""
    assert json.loads((hooked / CONFIG).read_text())["summary_format"] == 2  # init's
    two = a_team(hooked, ff, None)
    other = tmp_path / "format-1"
    other.mkdir()
    git(other, "init", "-q")
    monkeypatch.chdir(other)
    one = a_team(other, ff, 1)
    assert two == one
    assert two["verify"] == "0" and "205" in two["user,task table"] and "api+ui" in two["tag table"]
    new, old = files(hooked), files(other)
    assert [p.relative_to(hooked).parent for p in new] == [p.relative_to(other).parent for p in old]
    for path_2, path_1 in zip(new, old, strict=True):
        data_2, data_1 = path_2.read_bytes(), path_1.read_bytes()
        raw_2, raw_1 = json.loads(data_2), json.loads(data_1)
        assert (raw_2["version"], raw_1["version"]) == (2, 1)
        assert b"billable_seconds" in data_1 and b"billable_seconds" not in data_2
        assert data_2 == summary.dumps(raw_2)  # one line per day, as format 1
        cells = [c for tasks in raw_2["totals"].values() for c in tasks.values()]
        assert cells and all(type(c) is list and len(c) == 3 for c in cells)
        split = [c for t in raw_2["tags"].values() for s in t.values() for c in s.values()]
        assert split and all(type(c) is list and len(c) == 3 for c in split)
        expanded = summary.loads(data_2, str(path_2), "")
        assert expanded["totals"] == raw_1["totals"] and expanded["tags"] == raw_1["tags"]
        assert len(data_2) < len(data_1)  # several times smaller in a month of days: bench/


def test_months_keep_their_format_until_they_change(hooked: Path, ff: Any) -> None:
    """A format 1 team switches to 2: nothing is rewritten; a month is written in format 2
    at its next change, beside format 1 months of the same store; reports count both."""
    repo = hooked
    assert ff("config", "set", "summary_format", "1").code == 0
    git(repo, "add", CONFIG)
    track(ff, [w for w in WORK if not w[3]])  # October and November, format 1
    track(ff, [("205", "1h", "2026-10-05T09:00:00Z", ())])
    committed(repo, "format 1")
    before = {p: p.read_bytes() for p in files(repo)}
    assert {json.loads(d)["version"] for d in before.values()} == {1} and len(before) == 2
    total = ff("report", "--from", "2026-10-01", "--to", "2026-11-30", "--format", "json")
    assert ff("config", "set", "summary_format", "2").code == 0
    git(repo, "add", CONFIG)
    committed(repo, "switch")
    assert {p: p.read_bytes() for p in files(repo)} == before  # no month rewritten
    assert ff("aggregate", "--all").code == 0 and len(files(repo)) == 2
    track(ff, [("207", "2h", "2026-11-05T09:00:00Z", ())])
    committed(repo, "more November")
    after = files(repo)
    assert len(after) == 3
    (added,) = set(after) - set(before)
    assert "2026-11" in added.parent.name and json.loads(added.read_bytes())["version"] == 2
    versions = {p.parent.name: json.loads(p.read_bytes())["version"] for p in after}
    assert versions == {"2026-10": 1, "2026-11": 2}
    more = ff("report", "--from", "2026-10-01", "--to", "2026-11-30", "--format", "json")
    seconds = [r.json()["totals"]["billable_seconds"] for r in (total, more)]
    assert seconds[1] - seconds[0] == 2 * 3600
    assert ff("verify").code == 0 and ff("validate", "--all").code == 0
    assert ff("audit", "--user", "alice").code == 0


def test_checksum_and_signature_verdicts_do_not_depend_on_whitespace(
    hooked: Path, ff: Any, tmp_path: Path
) -> None:
    """A signed format 2 summary: its signature covers canonical(), the file's own content;
    written compact, indented by a formatter or with CRLF line endings it verifies alike; a
    figure changed in its array fails the checksum, and re-sealed, the signature."""
    repo = hooked
    git(repo, "config", "user.signingkey", str(keygen(tmp_path, "alice")))
    set_config(repo, signatures="required")
    assert ff("init", "--signing").code == 0
    git(repo, "add", "-A")
    track(ff, WORK[:3])
    committed(repo, "signed")
    (path,) = (p for p in files(repo) if p.parent.name == "2026-11")
    raw = json.loads(path.read_bytes())
    assert raw["version"] == 2 and "signature" in raw
    own = {k: v for k, v in raw.items() if k not in ("sha256", "signature")}
    content = json.dumps(own, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert summary.canonical(raw) == summary.canonical(summary.expanded(raw)) == content.encode()
    assert raw["sha256"] == hashlib.sha256(content.encode()).hexdigest()  # from the file alone
    signed = git(repo, "config", "user.signingkey").strip() + ".pub"
    principal = tmp_path / "signers"
    principal.write_text(f"alice {Path(signed).read_text()}")
    (tmp_path / "signature").write_text(sshsig_armor(raw["signature"]))
    checked = git_ssh_verify(principal, tmp_path / "signature", content.encode())
    assert checked.returncode == 0, checked.stderr  # ssh-keygen itself, on the file's content

    def verdicts() -> tuple[int, int, Any]:
        shown = ff("report", "--format", "json")  # its source: the commit, each time another
        return ff("verify").code, shown.code, shown.code or {**shown.json(), "source": None}

    compact = verdicts()
    assert compact[:2] == (0, 0)
    for form in (
        json.dumps(raw, indent=2) + "\n",
        summary.dumps(raw).decode().replace("\n", "\r\n"),
        json.dumps(raw, indent=4, sort_keys=True).replace("\n", "\r\n"),
    ):
        path.write_bytes(form.encode())
        git(repo, "commit", "-qam", "reformatted", "--no-verify")
        assert verdicts() == compact
    day = next(iter(raw["totals"]))
    task = next(iter(raw["totals"][day]))
    raw["totals"][day][task][0] += 60
    path.write_text(json.dumps(raw, indent=2))
    git(repo, "commit", "-qam", "a minute more", "--no-verify")
    refused = ff("verify")
    assert refused.code == 1 and f"{path.relative_to(repo).as_posix()}" in refused.out
    assert "$.sha256: does not match the content" in refused.out
    raw["sha256"] = summary.checksum(raw)  # anyone can recompute it; not the signature
    path.write_text(json.dumps(raw, indent=2))
    git(repo, "commit", "-qam", "resealed", "--no-verify")
    resealed = ff("verify")
    assert resealed.code == 1 and "signature" in resealed.out + resealed.err


def sshsig_armor(base64: str) -> str:
    body = "\n".join(base64[i : i + 70] for i in range(0, len(base64), 70))
    return f"-----BEGIN SSH SIGNATURE-----\n{body}\n-----END SSH SIGNATURE-----\n"


def git_ssh_verify(signers: Path, signature: Path, message: bytes) -> Any:
    import subprocess

    return subprocess.run(
        (
            "ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "alice",
            "-n", "ffhooks-summary", "-s", str(signature),
        ),
        input=message,
        capture_output=True,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("cell", "version", "said"),
    [
        ({"billable_seconds": 60, "non_billable_seconds": 0, "sessions": 1}, 2, "expected array"),
        ([60, 0, 1], 1, "expected object, got [60, 0, 1]"),
        ([60, 0], 2, "needs at least 3 items"),
        ([60, 0, 1, 0], 2, "has more than 3 items"),
        ([-60, 0, 1], 2, "[0]: -60 is less than the minimum 0"),
    ],
)
def test_a_cell_in_the_wrong_form_is_refused_naming_file_and_place(
    hooked: Path, ff: Any, cell: Any, version: int, said: str
) -> None:
    """Sealed again (anyone can): only the schema tells; `report` and `verify` name the file
    and the JSON path of the cell."""
    track(ff, WORK[:1])
    committed(repo=hooked, message="one hour")
    (path,) = files(hooked)
    raw = json.loads(path.read_bytes())
    raw["version"] = version
    raw["totals"]["2026-11-03"]["205"] = cell
    raw["sha256"] = summary.checksum(raw)
    path.write_text(json.dumps(raw, indent=2))
    git(hooked, "commit", "-qam", "edited", "--no-verify")
    rel = path.relative_to(hooked).as_posix()
    report = ff("report")
    assert report.code == 1 and f"{rel}: $.totals['2026-11-03']['205']" in report.err
    assert said in report.err and "Traceback" not in report.err
    verify = ff("verify")
    assert verify.code == 1 and f"{rel}" in verify.out and said in verify.out


def test_a_summary_of_a_newer_format_says_upgrade(hooked: Path, ff: Any) -> None:
    track(ff, WORK[:1])
    committed(hooked, "one hour")
    (path,) = files(hooked)
    raw = json.loads(path.read_bytes())
    raw["version"] = 3
    raw["totals"]["2026-11-03"]["205"] = {"seconds": 3600}
    path.write_text(json.dumps(raw))
    git(hooked, "commit", "-qam", "from the future", "--no-verify")
    report = ff("report")
    rel = path.relative_to(hooked).as_posix()
    assert report.code == 1 and len(report.err.strip().splitlines()) == 1
    assert f"{rel}: $.version: 3: a format this ffhooks does not read" in report.err
    assert "newer ffhooks" in report.err and "pip install -U ffhooks" in report.err
    assert "newer ffhooks" in ff("verify").out


def test_a_config_key_of_a_newer_ffhooks_says_upgrade(hooked: Path, ff: Any) -> None:
    set_config(hooked, summary_compression="zstd")
    result = ff("report")
    assert result.code == 1 and "unknown property 'summary_compression'" in result.err
    assert "newer ffhooks" in result.err and "pip install -U ffhooks" in result.err


def test_the_first_commit_of_a_month_after_a_pause_keeps_now(
    hooked: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A format 2 month folded again later with nothing new writes nothing (its content
    is judged in memory, cells as objects, against the file's arrays)."""
    track(ff, WORK[:2])
    committed(hooked, "work")
    before = {p: p.read_bytes() for p in files(hooked)}
    set_now(monkeypatch, "2026-11-27T17:00:00Z")
    committed(hooked, "a week later")
    assert {p: p.read_bytes() for p in files(hooked)} == before
