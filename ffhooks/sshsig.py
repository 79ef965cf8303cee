"""Checking SSH signatures (ssh-keygen's SSHSIG format, PROTOCOL.sshsig) in batches.

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
import re
import struct
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.records import NamedTuple

NAMESPACE = "ffhooks-summary"
ALLOWED_SIGNERS = ".flowforge/team/allowed_signers"
NO_SSH_KEYGEN = "ssh-keygen is not installed: install OpenSSH (8.2 or later)"
ARMOR = ("-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----")
IN_PROCESS_FROM = 8  # importing cryptography costs what a few ssh-keygen runs do


def fingerprint(key_base64: str) -> str:
    """`SHA256:...`, as ssh-keygen prints a key's fingerprint."""
    digest = hashlib.sha256(base64.b64decode(key_base64)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def armored(signature: str) -> str:
    lines = [signature[i : i + 70] for i in range(0, len(signature), 70)]
    return "\n".join([ARMOR[0], *lines, ARMOR[1]]) + "\n"


class Signature(NamedTuple):
    key: bytes  # the signer's public key blob
    namespace: bytes
    reserved: bytes
    hash_alg: bytes
    signature: bytes  # string key type, string signature bytes


def _strings(data: bytes, count: int) -> list[bytes]:
    """`count` SSH strings (uint32 length, bytes) from the start of `data`, exactly."""
    out, pos = [], 0
    for _ in range(count):
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        out.append(data[pos + 4 : pos + 4 + size])
        pos += 4 + size
        if pos > len(data):
            raise ValueError("truncated")
    if pos != len(data):
        raise ValueError("trailing bytes")
    return out


def _string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def parse(signature: str) -> Signature | None:
    """The parts of a signature (the armor's base64), or None if it is not one."""
    try:
        blob = base64.b64decode(signature, validate=True)
        if blob[:6] != b"SSHSIG" or blob[6:10] != b"\0\0\0\1":
            return None
        parts = _strings(blob[10:], 5)
        return Signature(*parts) if parts[0] else None
    except (ValueError, struct.error):
        return None


def signature_key(signature: str) -> str | None:
    """The base64 public key a signature names, or None if it is not an SSH signature."""
    parsed = parse(signature)
    return None if parsed is None else base64.b64encode(parsed.key).decode()


class Signer(NamedTuple):
    principals: str
    options: str
    key: str  # base64


def allowed_signers(text: str) -> list[Signer]:
    """The lines of an allowed-signers file (ssh-keygen(1), ALLOWED SIGNERS)."""
    found = []
    for line in text.splitlines():
        fields = _fields(line)
        if len(fields) < 3:
            continue
        principals, rest = fields[0], fields[1:]
        options = ""
        if not rest[0].startswith(("ssh-", "ecdsa-", "sk-")):
            options, rest = rest[0], rest[1:]
        if len(rest) >= 2:
            found.append(Signer(principals, options, rest[1]))
    return found


def _fields(line: str) -> list[str]:
    """Whitespace-separated fields, double quotes keeping spaces (options may quote)."""
    line = line.strip()
    if not line or line.startswith("#"):
        return []
    out, current, quoted = [], "", False
    for c in line:
        if c == '"':
            quoted = not quoted
        if c.isspace() and not quoted:
            if current:
                out.append(current)
            current = ""
        else:
            current += c
    return [*out, current] if current else out


def _options(text: str) -> dict[str, str]:
    """`name[="value"]` options, comma-separated (a quoted value may hold commas)."""
    found, current, quoted = {}, "", False
    for c in text + ",":
        if c == '"':
            quoted = not quoted
        if c == "," and not quoted:
            name, _, value = current.partition("=")
            if name.strip():
                found[name.strip().lower()] = value.strip('"')
            current = ""
        else:
            current += c
    return found


def _matches(patterns: str, value: str) -> bool:
    """ssh's pattern lists: comma-separated, `*` and `?` (nothing else is special), `!`
    negates."""
    items = patterns.strip('"').split(",")
    if any(_glob(p[1:], value) for p in items if p.startswith("!")):
        return False
    return any(_glob(p, value) for p in items if not p.startswith("!"))


def _glob(pattern: str, value: str) -> bool:
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, re.DOTALL) is not None


def allows(signers: Iterable[Signer], principal: str, key: str) -> bool | None:
    """Whether the file allows `key` to sign for `principal` in our namespace: True, False,
    or None when only ssh-keygen can say (a line with other options: validity, CAs)."""
    verdict: bool | None = False
    for signer in signers:
        if "cert-authority" in signer.options:
            verdict = None  # a certificate's key is not the CA's: ssh-keygen decides
            continue
        if signer.key != key or not _matches(signer.principals, principal):
            continue
        options = _options(signer.options)
        if options.keys() - {"namespaces"}:
            verdict = None
        elif "namespaces" not in options or _matches(options["namespaces"], NAMESPACE):
            return True
    return verdict


class Check(NamedTuple):
    """One signed summary to verify: `signature` over `message`, for `principal`."""

    path: str
    principal: str
    message: bytes
    signature: str


def verify(checks: list[Check], allowed: bytes, cache: Path | None) -> dict[str, str]:
    """Problems (path -> text naming the key) of the checks that fail (see the module)."""

    def digest(check: Check) -> str:
        parts = (check.principal.encode(), allowed, check.message, check.signature.encode())
        return hashlib.sha256(b"\0".join(hashlib.sha256(p).digest() for p in parts)).hexdigest()

    known = _read_cache(cache)
    todo = [c for c in checks if digest(c) not in known]
    signers = allowed_signers(allowed.decode(errors="replace"))
    quick = _in_process() if len(todo) >= IN_PROCESS_FROM else None
    failed: dict[str, str] = {}
    passed, slow = [], []
    for check in todo:
        parsed = parse(check.signature)
        if parsed is None:
            failed[check.path] = "its signature is not an SSH signature"
            continue
        key = base64.b64encode(parsed.key).decode()
        verdict = allows(signers, check.principal, key)
        if verdict is False:
            failed[check.path] = (
                f"signed with key {fingerprint(key)}, which {ALLOWED_SIGNERS} does not allow "
                f"for {check.principal}"
            )
        elif verdict and quick and quick(parsed, check.message):
            passed.append(check)
        else:
            slow.append(check)
    for check, ok in zip(slow, _ssh_keygen(slow, allowed), strict=True):
        if ok:
            passed.append(check)
        else:
            shown = fingerprint(signature_key(check.signature) or "")
            failed[check.path] = (
                f"its signature (key {shown}) does not verify: the content was changed after "
                "signing, or the key's line in allowed_signers restricts it"
            )
    _remember(cache, [digest(c) for c in passed])
    return failed


def _in_process() -> Callable[[Signature, bytes], bool] | None:
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None

    def check(sig: Signature, message: bytes) -> bool:
        """True only for a valid Ed25519 signature of `message` in our namespace."""
        try:
            key_type, key = _strings(sig.key, 2)
            sig_type, raw = _strings(sig.signature, 2)
        except (ValueError, struct.error):
            return False
        if key_type != sig_type or key_type != b"ssh-ed25519":
            return False
        if sig.hash_alg not in (b"sha256", b"sha512"):
            return False
        signed = b"SSHSIG" + b"".join(
            _string(part)
            for part in (
                NAMESPACE.encode(),  # ours, not the signature's: another namespace fails
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


def _ssh_keygen(checks: list[Check], allowed: bytes) -> list[bool]:
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
            args = ["ssh-keygen", "-Y", "verify", "-n", NAMESPACE, "-f", str(allowed_file)]
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
