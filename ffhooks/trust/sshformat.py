"""What ssh-keygen reads and writes, parsed: SSHSIG signatures (PROTOCOL.sshsig), key
fingerprints, and allowed-signers files (ssh-keygen(1), ALLOWED SIGNERS).

Nothing here runs ssh-keygen or checks a signature: that is `trust/sshsig.py` (in batches) and
`trust/signing.py` (signing).
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections.abc import Iterable

from ffhooks.records import NamedTuple

NAMESPACE = "ffhooks-summary"
ALLOWED_SIGNERS = ".flowforge/team/allowed_signers"
NO_SSH_KEYGEN = "ssh-keygen is not installed: install OpenSSH (8.2 or later)"
ARMOR = ("-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----")


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


def strings(data: bytes, count: int) -> list[bytes]:
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


def string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def parse(signature: str) -> Signature | None:
    """The parts of a signature (the armor's base64), or None if it is not one."""
    try:
        blob = base64.b64decode(signature, validate=True)
        if blob[:6] != b"SSHSIG" or blob[6:10] != b"\0\0\0\1":
            return None
        parts = strings(blob[10:], 5)
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


def allows(
    signers: Iterable[Signer], principal: str, key: str, namespace: str = NAMESPACE
) -> bool | None:
    """Whether the file allows `key` to sign for `principal` in `namespace` (ours): True,
    False, or None when only ssh-keygen can say (a line with other options: validity, CAs)."""
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
        elif "namespaces" not in options or _matches(options["namespaces"], namespace):
            return True
    return verdict
