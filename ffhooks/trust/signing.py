"""SSH signatures on summaries: `ssh-keygen -Y sign` with the key git signs commits with
(`user.signingkey`), checked against the team's allowed signers by `sshsig`.

The signature covers the summary's canonical content (every key but `sha256` and `signature`)
and travels inside the file, so it survives the squash merges, rebases and cherry-picks that
drop commit signatures.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.records import NamedTuple
from ffhooks.trust.sshformat import ARMOR, NAMESPACE, NO_SSH_KEYGEN, fingerprint


class SigningKey(NamedTuple):
    """The key `user.signingkey` names: `-f` for ssh-keygen, and its public half."""

    file: Path  # a private key, or a public one whose private half is in the ssh-agent
    public: str  # "ssh-ed25519 AAAA..."
    literal: bool  # `key::` in git config: file is a temporary copy of the public key

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public.split()[1])

    def signer(self) -> Callable[[bytes], str]:
        """What `summary.seal` signs with."""
        return partial(sign, self)


def configured_key(top: Path, scratch: Path) -> SigningKey | None:
    """The SSH key to sign with here: `ffhooks.signingkey`, else the key git signs with
    (`user.signingkey`, as for `gpg.format=ssh`); None if neither is set. A `key::` literal
    is written to `scratch` so ssh-keygen can find it in the agent."""
    from ffhooks.git.plumbing import config_values

    found = config_values(top, r"^(ffhooks|user)\.signingkey$")
    setting = "ffhooks.signingkey" if "ffhooks.signingkey" in found else "user.signingkey"
    value = found.get(setting, "").strip()
    if not value:
        return None
    if value.startswith("key::"):
        public = value[5:].strip()
        _check_public(public, f"{setting} (key::)")
        scratch.mkdir(parents=True, exist_ok=True)  # a fresh clone has no state folder yet
        file = scratch / "signing_key.pub"
        file.write_text(public + "\n", encoding="utf-8")
        return SigningKey(file, public, True)
    file = Path(os.path.expanduser(value))
    if not file.is_absolute():
        file = top / file
    fix = (
        "ffhooks signs with an SSH key: `git config ffhooks.signingkey ~/.ssh/id_ed25519` "
        "names one (it wins over user.signingkey, e.g. a GPG key for commits)"
    )
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise FatalError(f"{setting} {value}: {exc.strerror}; {fix}") from None
    if text.startswith("ssh-") or text.startswith("ecdsa-"):
        public = text.strip()
    else:  # a private key: its .pub beside it, else derived (no passphrase asked here)
        try:
            public = Path(f"{file}.pub").read_text(encoding="utf-8").strip()
        except OSError:
            public = _derive_public(file, f"{setting} {value}", fix)
    _check_public(public, f"{setting} {value}")
    return SigningKey(file, " ".join(public.split()[:2]), False)


def _derive_public(file: Path, shown: str, fix: str) -> str:
    proc = subprocess.run(
        ["ssh-keygen", "-y", "-f", str(file)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise FatalError(f"{shown} is not an SSH key ssh-keygen can read; {fix}")
    return proc.stdout.strip()


def _check_public(public: str, shown: str) -> None:
    parts = public.split()
    try:
        ok = len(parts) >= 2 and bool(base64.b64decode(parts[1], validate=True))
    except ValueError:
        ok = False
    if not ok:
        raise FatalError(f"{shown}: not an SSH public key (`ssh-keygen -y -f KEY` prints one)")


def sign(key: SigningKey, message: bytes) -> str:
    """The signature of `message`: the base64 of ssh-keygen's armored output, on one line."""
    args = ["ssh-keygen", "-Y", "sign", "-n", NAMESPACE, "-f", str(key.file)]
    if key.literal:
        args.insert(3, "-U")  # the private half is in the agent
    try:
        proc = subprocess.run(args, input=message, capture_output=True, check=False, timeout=120)
    except FileNotFoundError:
        raise FatalError(NO_SSH_KEYGEN) from None
    except subprocess.TimeoutExpired:
        raise FatalError(f"ssh-keygen -Y sign with {key.file} timed out") from None
    text = proc.stdout.decode(errors="replace")
    if proc.returncode != 0 or ARMOR[0] not in text:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        raise FatalError(
            f"cannot sign with {key.file} "
            f"({detail[-1] if detail else proc.returncode}): add the key to ssh-agent "
            "(`ssh-add`) or name a key without a passphrase"
        )
    body = text.split(ARMOR[0], 1)[1].split(ARMOR[1], 1)[0]
    return "".join(body.split())
