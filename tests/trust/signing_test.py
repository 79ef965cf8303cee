"""Signed summaries: `ssh-keygen -Y sign` with git's user.signingkey, checked by `verify`,
`report` and `validate` against the team's allowed_signers and config at each commit.

Real keys made here, real clones of a bare remote, commits through the real pre-commit
hooks where the hooks matter; a forger commits with --no-verify."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, SUMMARIES, commit, git, tree_total
from helpers import keygen, read_summary, summary_json

from ffhooks.summary import TOMBSTONE, seal

ALLOWED = ".flowforge/team/allowed_signers"
NAMESPACE = "ffhooks-summary"


def public(key: Path) -> str:
    return " ".join(Path(f"{key}.pub").read_text().split()[:2])


def fingerprint(key: Path) -> str:
    """As ssh-keygen itself prints it, to compare with what ffhooks names."""
    out = subprocess.run(("ssh-keygen", "-l", "-f", f"{key}.pub"), capture_output=True, text=True)
    return out.stdout.split()[1]


def signed_with(top: Path, path: str) -> str:
    """The base64 public key inside a summary's signature, read by hand (PROTOCOL.sshsig:
    "SSHSIG", a uint32 version, then the key as a uint32-length string)."""
    blob = base64.b64decode(json.loads((top / path).read_text())["signature"])
    assert blob[:6] == b"SSHSIG"
    return base64.b64encode(blob[14 : 14 + int.from_bytes(blob[10:14], "big")]).decode()


def configure(top: Path, **settings: Any) -> None:
    path = top / ".flowforge/team/config.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **settings}, indent=2) + "\n")


def newest(top: Path, user: str, month: str = "2026-11") -> str:
    """The live summary of a user's month in the work tree (one store), found by hand."""
    files = [
        p for p in (top / SUMMARIES / user / month).glob("*.json") if p.read_bytes() != TOMBSTONE
    ]
    live = max(files, key=lambda p: int(p.stem[17:]))
    return live.relative_to(top).as_posix()


def ssh_sign(key: Path, namespace: str, message: bytes) -> str:
    """`ssh-keygen -Y sign`, as one line of base64 (the form summaries carry)."""
    args = ("ssh-keygen", "-Y", "sign", "-n", namespace, "-f", str(key))
    armored = subprocess.run(args, input=message, capture_output=True, check=True).stdout
    return "".join(armored.decode().splitlines()[1:-1])


def forge(
    top: Path, path: str, seq: int, key: Path | None, *, keep: bool = False, ns: str = NAMESPACE
) -> str:
    """A summary of the same store and month at `seq` claiming 10 h: signed with `key` (in
    namespace `ns`), or unsigned, or (`keep`) carrying the original's signature; sealed
    (sha256) with ffhooks' own code, as a forger would."""
    doc = read_summary(top / path)
    if not keep:
        doc.pop("signature", None)
    doc["seq"] = seq
    cell = {"billable_seconds": 36000, "non_billable_seconds": 0, "sessions": 1}
    doc["totals"] = {f"{doc['month']}-20": {"205": cell}}
    sign = partial(ssh_sign, key, ns) if key else None
    out = f"{path.rpartition('/')[0]}/{doc['store']}-{seq}.json"
    (top / out).write_text(summary_json(seal(doc, sign), indent=2) + "\n")
    return out


def signs(repo: Path, ff: Any, key: Path | str) -> None:
    """git signs with `key` (a file or a `key::` literal), the team requires signatures,
    and `ffhooks init --signing` allows the key."""
    git(repo, "config", "user.signingkey", str(key))
    configure(repo, signatures="required")
    assert ff("init", "--signing").code == 0


def fold(repo: Path, ff: Any, *args: str) -> None:
    """`ffhooks aggregate ARGS`, and everything committed without the hooks."""
    assert ff("aggregate", *args).code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", f"aggregate {' '.join(args)}", "--no-verify")


class Dev:
    """A developer's clone: every command a subprocess, as that user, at NOW."""

    def __init__(self, path: Path, user: str) -> None:
        self.path, self.user, self.changes = path, user, 0
        self.key = path.parent / f"{user}_ed25519"

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "FFHOOKS_USER": self.user, "FFHOOKS_NOW": NOW}
        proc = subprocess.run(args, cwd=self.path, env=env, capture_output=True, text=True)
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        assert proc.returncode == 0 or not ok, f"{args}\n{proc.stdout}{proc.stderr}"
        return proc

    def ff(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("ffhooks", *args, ok=ok)

    def git(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("git", *args, ok=ok)

    def work(self, task: str, length: str, start: str) -> None:
        """Time recorded, and a change committed through the hooks."""
        self.ff("add", task, length, "--start", start)
        self.commit()

    def commit(self, *extra: str) -> subprocess.CompletedProcess[str]:
        """A change of a file of this developer's, committed (through the hooks unless
        `extra` says --no-verify)."""
        self.changes += 1
        (self.path / f"{self.user}-{self.changes}.txt").write_text("a change\n")
        self.git("add", "-A")
        return self.git("commit", "-q", "-m", f"{self.user} {self.changes}", *extra)

    def billed(self, *args: str) -> dict[str, int]:
        out = json.loads(self.ff("report", "--format", "json", "--by", "user", *args).stdout)
        return {row["user"]: row["billable_seconds"] for row in out["rows"]}


def team(tmp_path: Path) -> dict[str, Dev]:
    """A bare remote; each user clones it, signs with a key of their own, runs `ffhooks init
    --signing` and `pre-commit install`, and pushes; the first also asks for signatures."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    devs: dict[str, Dev] = {}
    for user in ("alice", "bob"):
        git(tmp_path, "clone", "-q", str(remote), user)
        dev = devs[user] = Dev(tmp_path / user, user)
        dev.git("config", "user.signingkey", str(keygen(tmp_path, user)))
        dev.git("config", "pull.rebase", "false")
        dev.ff("init", "--signing")
        if len(devs) == 1:
            configure(dev.path, signatures="required")
        dev.run("pre-commit", "install")
        dev.git("add", "-A")
        dev.git("commit", "-q", "-m", f"{user} joins")
        dev.git("push", "-q", "-u", "origin", "main")
    for dev in devs.values():
        dev.git("pull", "-q")
    return devs


@pytest.mark.slow
def test_two_developers_sign_through_the_hooks_and_a_fresh_clone_verifies(tmp_path: Path) -> None:
    devs = team(tmp_path)
    alice, bob = devs["alice"], devs["bob"]
    for dev, task, length, start in [
        (alice, "205", "2h", "09:00"),
        (bob, "301", "90m", "10:00"),
        (alice, "205", "30m", "13:00"),
    ]:
        dev.git("pull", "-q")
        dev.work(task, length, start)
        dev.git("push", "-q")
    git(tmp_path, "clone", "-q", str(tmp_path / "remote.git"), "ci")
    ci = Dev(tmp_path / "ci", "ci")
    assert "all valid" in ci.ff("verify").stdout
    assert ci.billed() == {"alice": 9000, "bob": 5400}
    allowed = (ci.path / ALLOWED).read_text().splitlines()
    assert allowed == [
        f'{d.user} namespaces="ffhooks-summary,git" {public(d.key)}' for d in (alice, bob)
    ]
    for dev in (alice, bob):  # each summary signed with its own user's key
        assert signed_with(ci.path, newest(ci.path, dev.user)) == public(dev.key).split()[1]


@pytest.mark.slow
def test_forged_unsigned_and_edited_summaries_are_refused(tmp_path: Path) -> None:
    devs = team(tmp_path)
    alice, bob = devs["alice"], devs["bob"]
    alice.work("205", "1h", "09:00")
    alice.git("push", "-q")
    bob.git("pull", "-q")
    assert bob.ff("verify").returncode == 0  # alice's file passes, and is now in the cache
    real = newest(bob.path, "alice")
    seq = int(real.rpartition("-")[2][:-5])
    by_bob = f"signed with key {fingerprint(bob.key)}, which {ALLOWED} does not allow for alice"
    cases = [  # (key, keep alice's signature, what verify says)
        (bob.key, False, by_bob),
        (None, False, "unsigned, and the team asks for signatures"),
        (None, True, f"its signature (key {fingerprint(alice.key)}) does not verify"),
    ]
    for n, (key, keep, said) in enumerate(cases, 1):
        forged = forge(bob.path, real, seq + n, key, keep=keep)
        bob.commit("--no-verify")
        verdict = bob.ff("verify", ok=False)
        assert verdict.returncode == 1 and f"{forged}: {said}" in verdict.stdout, verdict.stdout
        found = json.loads(bob.ff("verify", "--format", "json", ok=False).stdout)
        assert [(p["path"], said in p["problem"]) for p in found["problems"]] == [(forged, True)]
        refused = bob.ff("report", ok=False)
        assert refused.returncode == 1 and refused.stdout == "" and forged in refused.stderr
        marked = json.loads(bob.ff("report", "--format", "json", "--include-unverified").stdout)
        assert marked["totals"]["billable_seconds"] == 36000
        assert [u["path"] for u in marked["unverified"]] == [forged]
        assert f"note: UNVERIFIED {forged}: " in bob.ff("report", "--include-unverified").stdout
        checked = bob.ff("validate", forged, ok=False)
        assert checked.returncode == 1 and f"{forged}::$.signature: {said}" in checked.stdout


@pytest.mark.slow
def test_signatures_survive_a_squash_merge_and_a_rebase(tmp_path: Path) -> None:
    devs = team(tmp_path)
    alice, bob = devs["alice"], devs["bob"]
    alice.git("checkout", "-q", "-b", "feature/7")
    alice.work("7", "1h", "09:00")
    alice.work("7", "1h", "11:00")
    alice.git("checkout", "-q", "main")
    alice.git("merge", "-q", "--squash", "feature/7")
    alice.git("commit", "-q", "-m", "feature 7, squashed")
    assert alice.ff("verify").returncode == 0 and alice.billed() == {"alice": 7200}
    alice.git("push", "-q")
    alice.git("checkout", "-q", "-b", "feature/8")
    alice.work("8", "45m", "14:00")
    bob.git("pull", "-q")
    bob.work("205", "30m", "15:00")
    bob.git("push", "-q")
    alice.git("checkout", "-q", "main")
    alice.git("pull", "-q")
    alice.work("205", "15m", "16:00")  # main buries the file feature/8 forked from, too
    alice.git("checkout", "-q", "feature/8")
    alice.git("rebase", "-q", "main")
    assert "all valid" in alice.ff("verify").stdout
    assert alice.billed() == {"alice": 7200 + 2700 + 900, "bob": 1800}
    assert signed_with(alice.path, newest(alice.path, "alice")) == public(alice.key).split()[1]


def test_warn_mode_reports_unsigned_summaries_marked(initialised: Path, ff: Any) -> None:
    repo = initialised
    configure(repo, signatures="warn")
    ff("add", "205", "1h", "--start", "09:00")
    folded = ff("aggregate")
    assert folded.code == 0 and "unsigned and the team asks for signatures" in folded.err
    path = newest(repo, "alice")
    assert "signature" not in json.loads((repo / path).read_text())
    fold(repo, ff)
    verdict = ff("verify")
    assert verdict.code == 0 and f"warning: {path}: unsigned" in verdict.out
    found = ff("verify", "--format", "json").json()
    assert found["problems"] == [] and [w["path"] for w in found["warnings"]] == [path]
    assert f"note: UNVERIFIED {path}: unsigned" in ff("report").out
    assert tree_total(repo) == 3600
    assert [u["path"] for u in ff("report", "--format", "json").json()["unverified"]] == [path]
    checked = ff("validate", path)
    assert checked.code == 0 and f"warning: {path}::$.signature: unsigned" in checked.out


@pytest.mark.slow
def test_required_without_a_key_commits_and_queues_then_signs(
    hooked: Path, ff: Any, tmp_path: Path
) -> None:
    repo = hooked
    configure(repo, signatures="required")
    git(repo, "add", "-A")
    assert commit(repo, "-m", "base").returncode == 0
    ff("add", "205", "1h", "--start", "09:00")
    result = commit(repo, "--allow-empty", "-m", "work", terminal=True)
    said = result.stdout + result.stderr
    assert result.returncode == 0 and "ffhooks recover" in said and "user.signingkey" in said
    assert not list((repo / SUMMARIES).rglob("*.json"))
    assert git(repo, "ls-tree", "-r", "HEAD", "--", SUMMARIES) == ""
    by_hand = ff("aggregate")
    assert by_hand.code == 1 and by_hand.err.count("\n") == 1 and "init --signing" in by_hand.err
    git(repo, "config", "user.signingkey", str(keygen(tmp_path, "alice")))
    assert ff("init", "--signing").code == 0
    result = commit(repo, "-m", "signing set up")
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_total(repo) == 3600
    assert ff("verify").code == 0


@pytest.fixture
def agent(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An ssh-agent of this test's own, in the environment of every command."""
    folder = tempfile.mkdtemp(prefix="ffagent-")  # a short path: sockets have a length limit
    out = subprocess.run(
        ("ssh-agent", "-s", "-a", f"{folder}/sock"), capture_output=True, text=True, check=True
    ).stdout
    found = dict(re.findall(r"(SSH_AUTH_SOCK|SSH_AGENT_PID)=([^;]+);", out))
    try:
        for name, value in found.items():
            monkeypatch.setenv(name, value)
        yield
    finally:
        os.kill(int(found["SSH_AGENT_PID"]), signal.SIGTERM)
        shutil.rmtree(folder, ignore_errors=True)


def key_in_agent(tmp_path: Path) -> str:
    """A key added to the agent, then deleted: only the agent can sign with it."""
    key = keygen(tmp_path, "alice")
    subprocess.run(("ssh-add", "-q", str(key)), check=True, capture_output=True)
    literal = public(key)
    key.unlink()
    Path(f"{key}.pub").unlink()
    return literal


def test_key_literal_signs_through_ssh_agent(
    initialised: Path, ff: Any, tmp_path: Path, agent: None
) -> None:
    repo = initialised
    ff("add", "205", "1h", "--start", "09:00")
    fold(repo, ff)  # signatures off: an unsigned summary
    literal = key_in_agent(tmp_path)
    signs(repo, ff, f"key::{literal}")
    assert f'alice namespaces="ffhooks-summary,git" {literal}\n' == (repo / ALLOWED).read_text()
    fold(repo, ff, "--all")
    path = newest(repo, "alice")
    assert path.endswith("-2.json") and signed_with(repo, path) == literal.split()[1]
    assert ff("verify").code == 0 and tree_total(repo) == 3600


def test_key_literal_in_a_fresh_clone(repo: Path, ff: Any, tmp_path: Path, agent: None) -> None:
    assert ff("init").code == 0
    literal = key_in_agent(tmp_path)
    git(repo, "config", "user.signingkey", f"key::{literal}")
    configure(repo, signatures="required")
    result = ff("init", "--signing")
    assert result.code == 0, result.err
    ff("add", "205", "1h", "--start", "09:00")
    assert ff("aggregate").code == 0
    assert signed_with(repo, newest(repo, "alice")) == literal.split()[1]


def test_months_before_signatures_from_are_not_checked(initialised: Path, ff: Any) -> None:
    repo = initialised
    ff("add", "205", "1h", "--start", "2026-10-15 09:00")
    ff("add", "205", "2h", "--start", "09:00")
    fold(repo, ff)  # signatures off: both months unsigned
    configure(repo, signatures="required", signatures_from="2026-11")
    git(repo, "commit", "-qam", "signatures from November", "--no-verify")
    october, november = newest(repo, "alice", "2026-10"), newest(repo, "alice", "2026-11")
    verdict = ff("verify")
    assert verdict.code == 1 and f"{november}: unsigned" in verdict.out
    assert october not in verdict.out
    refused = ff("report")
    assert refused.code == 1 and november in refused.err and october not in refused.err
    earlier = ff("report", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "json")
    assert earlier.code == 0 and earlier.json()["totals"]["billable_seconds"] == 3600
    assert "unverified" not in earlier.json()
    configure(repo, signatures_from="2026-12")  # the work tree's config, not yet committed
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 10800
    assert ff("report", "--ref", "HEAD").code == 1  # HEAD's config still checks November
    assert ff("verify").code == 1


def test_a_new_key_rewrites_every_month_with_aggregate_all(
    initialised: Path, ff: Any, tmp_path: Path
) -> None:
    repo = initialised
    old, new = keygen(tmp_path, "old"), keygen(tmp_path, "new")
    signs(repo, ff, old)
    ff("add", "205", "1h", "--start", "2026-10-15 09:00")
    ff("add", "205", "2h", "--start", "09:00")
    fold(repo, ff)
    assert ff("verify").code == 0
    signs(repo, ff, new)
    allowed = repo / ALLOWED
    allowed.write_text(
        "".join(x for x in allowed.read_text().splitlines(True) if public(old) not in x)
    )
    git(repo, "commit", "-qam", "rotate alice's key", "--no-verify")
    months = [newest(repo, "alice", m) for m in ("2026-10", "2026-11")]
    verdict = ff("verify")
    assert verdict.code == 1
    said = f"signed with key {fingerprint(old)}, which {ALLOWED} does not"
    assert all(f"{path}: {said}" in verdict.out for path in months)
    assert ff("aggregate").code == 0 and newest(repo, "alice") == months[1]  # nothing changed
    fold(repo, ff, "--all")
    rewritten = [newest(repo, "alice", m) for m in ("2026-10", "2026-11")]
    assert all(signed_with(repo, p) == public(new).split()[1] for p in rewritten)
    assert not set(rewritten) & set(months)
    assert ff("verify").code == 0 and tree_total(repo) == 10800


def test_init_signing_adds_the_line_once(initialised: Path, ff: Any, tmp_path: Path) -> None:
    repo = initialised
    refused = ff("init", "--signing")
    assert refused.code == 1 and "Traceback" not in refused.err
    assert refused.err.count("\n") == 1 and "user.signingkey" in refused.err
    assert not (repo / ALLOWED).exists()
    alice = keygen(tmp_path, "alice")
    git(repo, "config", "user.signingkey", str(alice))
    added = ff("init", "--signing")
    assert added.code == 0 and fingerprint(alice) in added.out
    line = f'alice namespaces="ffhooks-summary,git" {public(alice)}\n'
    assert (repo / ALLOWED).read_text() == line
    assert git(repo, "diff", "--cached", "--name-only") == f"{ALLOWED}\n"
    again = ff("init", "--signing")
    assert again.code == 0 and f"{ALLOWED}: unchanged" in again.out
    assert (repo / ALLOWED).read_text() == line


def test_init_signing_adds_a_line_when_the_key_is_allowed_for_git_only(
    initialised: Path, ff: Any, tmp_path: Path
) -> None:
    repo = initialised
    key = keygen(tmp_path, "alice")
    (repo / ALLOWED).parent.mkdir(parents=True, exist_ok=True)
    (repo / ALLOWED).write_text(f'alice namespaces="git" {public(key)}\n')  # git's own file
    signs(repo, ff, key)
    assert (
        (repo / ALLOWED).read_text().splitlines()[1].startswith(f'alice namespaces="{NAMESPACE},')
    )
    ff("add", "205", "1h", "--start", "09:00")
    fold(repo, ff)
    verdict = ff("verify")
    assert verdict.code == 0, verdict.out


def test_the_cache_does_not_hide_a_changed_allowed_signers(
    initialised: Path, ff: Any, tmp_path: Path
) -> None:
    repo = initialised
    alice = keygen(tmp_path, "alice")
    signs(repo, ff, alice)
    ff("add", "205", "1h", "--start", "09:00")
    fold(repo, ff)
    path = newest(repo, "alice")
    assert ff("verify").code == 0
    cache = Path(git(repo, "rev-parse", "--git-common-dir").strip(), "ffhooks/verified-signatures")
    assert len((repo / cache).read_text().split()) == 1
    other = keygen(tmp_path, "other")
    (repo / ALLOWED).write_text(f'alice namespaces="ffhooks-summary,git" {public(other)}\n')
    refused = ff("report")  # the work tree's allowed_signers no longer allows alice's key
    assert refused.code == 1 and path in refused.err
    assert ff("report", "--ref", "HEAD").code == 0  # HEAD's still does
    said = f"signed with key {fingerprint(alice)}, which {ALLOWED} does not allow for alice"
    checked = ff("validate", path)
    assert checked.code == 1 and f"{path}::$.signature: {said}" in checked.out
    git(repo, "commit", "-qam", "alice's key dropped", "--no-verify")
    verdict = ff("verify")
    assert verdict.code == 1 and f"{path}: {said}" in verdict.out
    assert ff("verify", "--ref", "HEAD~1").code == 0


def test_migrated_summaries_need_the_migrators_key_allowed(
    initialised: Path, ff: Any, tmp_path: Path
) -> None:
    repo = initialised
    alice = keygen(tmp_path, "alice")
    signs(repo, ff, alice)
    shutil.copyfile(
        Path(__file__).parents[1] / "fixtures/legacy/task-times.json", repo / ".task-times.json"
    )
    migrated = ff("migrate", "--json")
    assert migrated.code == 1, migrated.err  # 1: the fixture's broken entries were skipped
    written = json.loads(migrated.out)["written"]
    docs = {p: json.loads((repo / p).read_text()) for p in written}
    assert {d["user"] for d in docs.values()} == {"alice", "bob", "carol"}
    assert {d["signed_by"] for d in docs.values()} == {"alice"}
    assert {signed_with(repo, p) for p in docs} == {public(alice).split()[1]}
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "migrated", "--no-verify")
    verdict = ff("verify")
    assert verdict.code == 1
    for path, doc in docs.items():  # alice's key is allowed for alice only, so far
        named = rf"{re.escape(path)}: signed with key {re.escape(fingerprint(alice))}.*for "
        found = re.search(rf"^{named}{doc['user']} \(signed by alice\)$", verdict.out, re.M)
        assert bool(found) == (doc["user"] != "alice"), verdict.out
    with (repo / ALLOWED).open("a") as out:
        out.write(f'bob,carol namespaces="ffhooks-summary" {public(alice)}\n')
    git(repo, "commit", "-qam", "alice migrated bob's and carol's time", "--no-verify")
    assert ff("verify").code == 0


def test_a_large_batch_is_checked_as_strictly(initialised: Path, ff: Any, tmp_path: Path) -> None:
    """Nine live summaries, none verified before (ffhooks checks a batch of 8 or more its
    own way): a month edited after signing, and one signed in git's namespace, still fail."""
    repo = initialised
    alice = keygen(tmp_path, "alice")
    signs(repo, ff, alice)
    months = [f"2026-{m:02d}" for m in range(3, 12)]
    for month in months:
        ff("add", "205", "1h", "--start", f"{month}-10 09:00")
    fold(repo, ff)
    bad = [
        forge(repo, newest(repo, "alice", months[0]), 2, None, keep=True),
        forge(repo, newest(repo, "alice", months[1]), 2, alice, ns="git"),
    ]
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "two bad months", "--no-verify")
    verdict = ff("verify")
    named = sorted(line.split(": ")[0] for line in verdict.out.splitlines() if ": its " in line)
    assert verdict.code == 1 and named == sorted(bad), verdict.out
    assert f"(key {fingerprint(alice)}) does not verify" in verdict.out
    assert ff("verify", "--ref", "HEAD~1").code == 0


def test_a_signed_summary_with_tags_verifies_and_an_edited_split_does_not(
    initialised: Path, ff: Any, tmp_path: Path
) -> None:
    """The signature covers the tag split as it covers the totals: moving time from one
    tag set to another, even with the checksum made again, breaks it."""
    repo = initialised
    signs(repo, ff, keygen(tmp_path, "alice"))
    configure(repo, signatures="required", summary_detail={"tags": True})
    ff("add", "205", "1h", "+api", "--start", "09:00")
    ff("add", "205", "30m", "+docs", "--start", "11:00")
    fold(repo, ff)
    path = newest(repo, "alice")
    doc = read_summary(repo / path)
    assert set(doc["tags"]["2026-11-20"]["205"]) == {"api", "docs"} and "signature" in doc
    assert ff("verify").code == 0
    assert ff("report", "--by", "tag").code == 0
    split = doc["tags"]["2026-11-20"]["205"]
    split["api"]["billable_seconds"], split["docs"]["billable_seconds"] = 1800, 3600
    doc["sha256"] = seal({k: v for k, v in doc.items() if k != "signature"})["sha256"]
    (repo / path).write_text(summary_json(doc))
    git(repo, "commit", "-qam", "forged", "--no-verify")
    verdict = ff("verify")
    assert (
        verdict.code == 1
        and "does not verify: the content was changed after signing" in verdict.out
    )
