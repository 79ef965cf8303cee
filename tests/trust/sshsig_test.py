"""Batched signature checks (ffhooks/trust/sshsig.py): what the in-process Ed25519 path accepts,
ssh-keygen accepts too, and everything it cannot decide goes to ssh-keygen. Real keys, real
ssh-keygen signatures; batches of at least IN_PROCESS_FROM use the in-process path."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ffhooks.errors import FatalError
from ffhooks.trust import sshformat, sshsig
from ffhooks.trust.signing import SigningKey, sign


def keygen(folder: Path, name: str, kind: str = "ed25519") -> SigningKey:
    path = folder / name
    subprocess.run(("ssh-keygen", "-q", "-t", kind, "-N", "", "-f", path, "-C", name), check=True)
    public = " ".join(Path(f"{path}.pub").read_text().split()[:2])
    return SigningKey(path, public, False)


def line(principals: str, key: SigningKey, options: str = "") -> str:
    return f"{principals} {options} {key.public}\n".replace("  ", " ")


def batch(key: SigningKey, principal: str, count: int) -> list[sshsig.Check]:
    return [
        sshsig.Check(
            f"s{i}.json", principal, f"summary {i}".encode(), sign(key, f"summary {i}".encode())
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [1, sshsig.IN_PROCESS_FROM + 2])
def test_a_batch_passes_and_each_forgery_fails(tmp_path: Path, count: int) -> None:
    alice, mallory = keygen(tmp_path, "alice"), keygen(tmp_path, "mallory")
    allowed = line("alice", alice, 'namespaces="ffhooks-summary,git"').encode()
    checks = batch(alice, "alice", count)
    assert sshsig.verify(checks, allowed, None) == {}
    first = checks[0]
    forged = [
        first._replace(path="edited", message=b"summary 0, edited"),
        first._replace(path="other-key", signature=sign(mallory, first.message)),
        first._replace(path="for-bob", principal="bob"),
        first._replace(path="garbage", signature="U1NIU0lHbm90"),
    ]
    git_namespace = subprocess.run(
        ("ssh-keygen", "-Y", "sign", "-n", "git", "-f", alice.file),
        input=first.message,
        capture_output=True,
        check=True,
    ).stdout.decode()
    body = "".join(git_namespace.split(sshformat.ARMOR[0])[1].split(sshformat.ARMOR[1])[0].split())
    forged.append(first._replace(path="git-namespace", signature=body))
    failed = sshsig.verify(checks + forged, allowed, None)
    assert sorted(failed) == ["edited", "for-bob", "garbage", "git-namespace", "other-key"]
    assert "does not verify" in failed["edited"] and alice.fingerprint in failed["edited"]
    assert "does not allow for alice" in failed["other-key"]
    assert mallory.fingerprint in failed["other-key"]
    assert "does not allow for bob" in failed["for-bob"]
    assert "not an SSH signature" in failed["garbage"]
    assert "does not verify" in failed["git-namespace"]


def test_what_only_ssh_keygen_can_decide_goes_to_it(tmp_path: Path) -> None:
    ecdsa = keygen(tmp_path, "carol", "ecdsa")
    ed = keygen(tmp_path, "dave")
    allowed = (
        line("carol", ecdsa)
        + line("dave", ed, 'valid-before="20200101"')  # expired: ssh-keygen refuses it
        + line("erin", ed, 'namespaces="git"')  # not for summaries
    ).encode()
    count = sshsig.IN_PROCESS_FROM
    assert sshsig.verify(batch(ecdsa, "carol", count), allowed, None) == {}
    expired = sshsig.verify(batch(ed, "dave", count), allowed, None)
    assert len(expired) == count and all("does not verify" in p for p in expired.values())
    other = sshsig.verify(batch(ed, "erin", count), allowed, None)
    assert all("does not allow for erin" in p for p in other.values())


def test_principal_patterns_as_ssh_reads_them(tmp_path: Path) -> None:
    key = keygen(tmp_path, "team")
    allowed = line("*,!mallory", key).encode()
    checks = batch(key, "alice", 1) + [
        c._replace(path="m", principal="mallory") for c in batch(key, "x", 1)
    ]
    assert sorted(sshsig.verify(checks, allowed, None)) == ["m"]
    # only * and ? are special to ssh: brackets are literal, so this allows no "alice"
    literal = line("[ab]lice", key).encode()
    many = batch(key, "alice", sshsig.IN_PROCESS_FROM)
    assert all("does not allow" in p for p in sshsig.verify(many, literal, None).values())
    assert len(sshsig.verify(many, literal, None)) == len(many)


def test_passes_are_remembered_and_only_passes(tmp_path: Path) -> None:
    alice = keygen(tmp_path, "alice")
    allowed = line("alice", alice).encode()
    cache = tmp_path / "cache"
    checks = batch(alice, "alice", sshsig.IN_PROCESS_FROM)
    bad = checks[0]._replace(path="bad", message=b"changed")
    assert list(sshsig.verify([*checks, bad], allowed, cache)) == ["bad"]
    assert len(cache.read_text().split()) == len(checks)
    assert list(sshsig.verify([*checks, bad], allowed, cache)) == ["bad"]
    assert len(cache.read_text().split()) == len(checks)
    # the same checks against another allowed_signers are checked again: alice is gone
    other = line("bob", alice).encode()
    assert len(sshsig.verify(checks, other, cache)) == len(checks)


def test_a_batch_of_plain_ed25519_needs_no_ssh_keygen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = keygen(tmp_path, "alice")
    allowed = line("alice", alice).encode()
    checks = batch(alice, "alice", sshsig.IN_PROCESS_FROM)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))  # no ssh-keygen from here on
    assert sshsig.verify(checks, allowed, None) == {}  # all decided in this process
    with pytest.raises(FatalError, match="ssh-keygen is not installed"):
        sshsig.verify(checks[:1], allowed, None)  # too few to import cryptography for
    edited = checks[0]._replace(message=b"edited")  # a rejection is ssh-keygen's to make
    with pytest.raises(FatalError, match="ssh-keygen is not installed"):
        sshsig.verify([*checks[1:], edited], allowed, None)
