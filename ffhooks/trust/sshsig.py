"""Checking SSH signatures (ssh-keygen's SSHSIG format, parsed by `trust/sshformat.py`) in batches.

ssh-keygen is the authority: every signature it is asked about costs a process, so
a report of hundreds of summaries would take seconds. Two things make batches cheap:

- a signature that passed is remembered (a digest of the principal, the whole allowed
  signers file, the message and the signature), and never checked again;
- in a batch, a plain Ed25519 signature whose key a plain allowed-signers line (no options
  but `namespaces`) allows is checked in this process with `cryptography`, over the exact
  bytes ssh-keygen signs. Only a pass is taken from it: anything it cannot decide, or
  rejects, goes to `ssh-keygen -Y verify`.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.records import NamedTuple
from ffhooks.trust.sshformat import (
    ALLOWED_SIGNERS,
    NAMESPACE,
    NO_SSH_KEYGEN,
    Signature,
    allowed_signers,
    allows,
    armored,
    fingerprint,
    parse,
    signature_key,
    string,
    strings,
)

IN_PROCESS_FROM = 8  # importing cryptography costs what a few ssh-keygen runs do


class Check(NamedTuple):
    """One signed summary to verify: `signature` over `message`, for `principal`."""

    path: str
    principal: str
    message: bytes
    signature: str


def verify(
    checks: list[Check],
    allowed: bytes,
    cache: Path | None,
    *,
    namespace: str = NAMESPACE,
    policy: str = ALLOWED_SIGNERS,
) -> dict[str, str]:
    """Problems (path -> text naming the key) of the checks that fail (see the module);
    `policy` names the allowed-signers file in them."""

    def digest(check: Check) -> str:
        parts: tuple[bytes, ...] = (
            check.principal.encode(),
            allowed,
            check.message,
            check.signature.encode(),
        )
        if namespace != NAMESPACE:  # a pass in one namespace is none in another
            parts += (namespace.encode(),)
        return hashlib.sha256(b"\0".join(hashlib.sha256(p).digest() for p in parts)).hexdigest()

    known = _read_cache(cache)
    todo = [c for c in checks if digest(c) not in known]
    signers = allowed_signers(allowed.decode(errors="replace"))
    quick = _in_process(namespace) if len(todo) >= IN_PROCESS_FROM else None
    failed: dict[str, str] = {}
    passed, slow = [], []
    for check in todo:
        parsed = parse(check.signature)
        if parsed is None:
            failed[check.path] = "its signature is not an SSH signature"
            continue
        key = base64.b64encode(parsed.key).decode()
        verdict = allows(signers, check.principal, key, namespace)
        if verdict is False:
            failed[check.path] = (
                f"signed with key {fingerprint(key)}, which {policy} does not allow "
                f"for {check.principal}"
            )
        elif verdict and quick and quick(parsed, check.message):
            passed.append(check)
        else:
            slow.append(check)
    for check, ok in zip(slow, _ssh_keygen(slow, allowed, namespace), strict=True):
        if ok:
            passed.append(check)
        else:
            shown = fingerprint(signature_key(check.signature) or "")
            failed[check.path] = (
                f"its signature (key {shown}) does not verify: the content was changed after "
                f"signing, or the key's line in {policy.rpartition('/')[2]} restricts it"
            )
    _remember(cache, [digest(c) for c in passed])
    return failed


def _in_process(namespace: str) -> Callable[[Signature, bytes], bool] | None:
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None

    def check(sig: Signature, message: bytes) -> bool:
        """True only for a valid Ed25519 signature of `message` in our namespace."""
        try:
            key_type, key = strings(sig.key, 2)
            sig_type, raw = strings(sig.signature, 2)
        except (ValueError, struct.error):
            return False
        if key_type != sig_type or key_type != b"ssh-ed25519":
            return False
        if sig.hash_alg not in (b"sha256", b"sha512"):
            return False
        signed = b"SSHSIG" + b"".join(
            string(part)
            for part in (
                namespace.encode(),  # ours, not the signature's: another namespace fails
                sig.reserved,
                sig.hash_alg,
                hashlib.new(sig.hash_alg.decode(), message).digest(),
            )
        )
        try:
            Ed25519PublicKey.from_public_bytes(key).verify(raw, signed)
        except (InvalidSignature, ValueError):
            return False
        return True

    return check


def _ssh_keygen(checks: list[Check], allowed: bytes, namespace: str) -> list[bool]:
    """`ssh-keygen -Y verify` of each check, several at a time."""
    if not checks:
        return []
    from concurrent.futures import ThreadPoolExecutor

    with tempfile.TemporaryDirectory(prefix="ffhooks-verify-") as scratch:
        allowed_file = Path(scratch) / "allowed_signers"
        allowed_file.write_bytes(allowed)

        def run(item: tuple[int, Check]) -> bool:
            i, check = item
            sig = Path(scratch) / f"{i}.sig"
            sig.write_text(armored(check.signature), encoding="ascii")
            args = ["ssh-keygen", "-Y", "verify", "-n", namespace, "-f", str(allowed_file)]
            args += ["-I", check.principal, "-s", str(sig)]
            proc = subprocess.run(args, input=check.message, capture_output=True, check=False)
            return proc.returncode == 0

        workers = min(8, 2 * (os.cpu_count() or 1), len(checks))
        try:
            with ThreadPoolExecutor(workers) as pool:
                return list(pool.map(run, enumerate(checks)))
        except FileNotFoundError:
            raise FatalError(NO_SSH_KEYGEN) from None


def _read_cache(cache: Path | None) -> set[str]:
    if cache is None:
        return set()
    try:
        return set(cache.read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):
        return set()


def _remember(cache: Path | None, digests: list[str]) -> None:
    """Append what passed; a cache that cannot be written only costs time next run."""
    if cache is None or not digests:
        return
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with open(cache, "a", encoding="ascii") as out:
            out.write("".join(f"{d}\n" for d in digests))
    except OSError:
        pass
