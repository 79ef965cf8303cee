"""Who may close a period: the keys `.flowforge/team/allowed_closers` lists (ssh-keygen's
allowed-signers format). A closing is an annotated tag signed as git signs tags with SSH
(`gpg.format=ssh`, namespace `git`): the signature covers the tag object's text before its
signature block, which names the tag, the commit and the recorded report. `report` and
`verify` check it themselves on every closing that counts (the latest revision of each closed
period), with the policy of the commit reported or verified, never the tagged commit's (a
forger would tag a commit of their own that adds their key). Summary keys
(`allowed_signers`) do not close: a developer's key is there, with `git` among its namespaces.

Closings must be signed when the file is in the tree read, or when the team config says
`"signatures": "required"`; otherwise anyone who can push a tag can revise a closed period,
and `verify` says so.
"""

from __future__ import annotations

from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.records import NamedTuple
from ffhooks.report import closing
from ffhooks.trust import sshformat, sshsig
from ffhooks.trust.policy import Unverified, trust_files_at, worktree_trust_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.config import TeamConfig
    from ffhooks.git.plumbing import Repo
    from ffhooks.trust.signing import SigningKey

ALLOWED_CLOSERS = ".flowforge/team/allowed_closers"
NAMESPACE = "git"  # what `git tag -s` signs in, and `git tag -v` checks
SETUP = f"the person who closes runs `ffhooks init --closing` and commits {ALLOWED_CLOSERS}"
# the lines git takes for the start of a tag's signature (the last one counts)
_MARKERS = {
    b"-----BEGIN SSH SIGNATURE-----": "ssh",
    b"-----BEGIN PGP SIGNATURE-----": "gpg",
    b"-----BEGIN PGP MESSAGE-----": "gpg",
    b"-----BEGIN SIGNED MESSAGE-----": "x509",
}


class Policy(NamedTuple):
    required: bool  # closings must be signed by a key `closers` lists
    closers: bytes | None  # the file, None where there is none
    where: str  # where it was read: a commit, or the work tree
    project: str | None  # the team config's: a closing of another project never counts


def _policy(config: TeamConfig, closers: bytes | None, where: str) -> Policy:
    required = closers is not None or config.signatures == "required"
    return Policy(required=required, closers=closers, where=where, project=config.project)


def policy_at(top: Path, commit: str) -> Policy:
    """Who may close, as a commit holds it (its allowed_closers and team config)."""
    from ffhooks.config import CONFIG, config_at

    data = trust_files_at(top, commit, [CONFIG, ALLOWED_CLOSERS])
    config = config_at(data.get(CONFIG), commit)
    return _policy(config, data.get(ALLOWED_CLOSERS), commit[:12])


def worktree_policy(repo: Repo) -> Policy:
    from ffhooks.config import load_config

    closers = worktree_trust_file(repo.top, ALLOWED_CLOSERS)
    return _policy(load_config(repo.flowforge), closers, "the work tree")


class Signed(NamedTuple):
    payload: bytes  # what the signature covers
    kind: str  # ssh, gpg, x509, or "" when unsigned
    signature: str  # an SSH signature's base64, on one line


def split(tag_object: bytes) -> Signed:
    """A tag object's text cut where git cuts it: at the last line that starts a signature."""
    at, kind, pos = len(tag_object), "", 0
    for line in tag_object.splitlines(keepends=True):
        found = _MARKERS.get(line.rstrip(b"\r\n"))
        if found:
            at, kind = pos, found
        pos += len(line)
    block = tag_object[at:].decode(errors="replace")
    body = block.split(sshformat.ARMOR[0], 1)[-1].split(sshformat.ARMOR[1], 1)[0]
    return Signed(tag_object[:at], kind, "".join(body.split()) if kind == "ssh" else "")


def _named(payload: bytes) -> str:
    """The name a tag object gives itself (its `tag` header), which its signature covers."""
    for line in payload.split(b"\n\n", 1)[0].splitlines():
        if line.startswith(b"tag "):
            return line[4:].decode(errors="replace")
    return ""


def _principal(signers: list[sshformat.Signer], key: str) -> str | None:
    """A principal a line listing `key` names (one without patterns), None if none does."""
    for signer in signers:
        if signer.key == key:
            for name in signer.principals.strip('"').split(","):
                if name and not set(name) & set("*?!"):
                    return name
    return None


def _fix(c: closing.Closed) -> str:
    tag = c.span.tag
    again = closing.command(c.span)
    return (
        f"if no one allowed to close made it, delete it (`git tag -d {tag}`, and `git push "
        f"origin :refs/tags/{tag}`); if a closer did, they sign its figures again: "
        f"`{again} --amend --ref {tag}`"
    )


def refused(closed: list[closing.Closed], policy: Policy, cache: Path | None) -> list[Unverified]:
    """The closings among `closed` (each period's latest revision) that `policy` does not
    accept, each named by its tag, with the fix."""
    found = [
        Unverified(
            c.span.tag,
            f"a closing of project {named}, and this project is {policy.project}: fetched "
            f"from another repository, it would bill that project's figures here; `git tag "
            f"-d {c.span.tag}`",
        )
        for c in closed
        if (named := closing.project_of(c.tag_object))
        and policy.project
        and named != policy.project
    ]
    if not policy.required:
        return found
    foreign = {u.path for u in found}
    closed = [c for c in closed if c.span.tag not in foreign]
    at = f"{ALLOWED_CLOSERS} at {policy.where}"
    signers = sshformat.allowed_signers((policy.closers or b"").decode(errors="replace"))
    checks, by_tag = [], {}
    for c in closed:
        signed, tag = split(c.tag_object), c.span.tag
        by_tag[tag] = c
        key = sshformat.signature_key(signed.signature) if signed.kind == "ssh" else None
        name = _named(signed.payload)
        if signed.kind == "":
            problem = f"unsigned, and closings here must be signed by a closer ({at})"
        elif name != tag:
            problem = (
                f"is a copy of the closing {name or '(unnamed)'}: a closing counts under its "
                "own name only"
            )
        elif key is None:
            problem = (
                f"signed with {signed.kind.upper()}, and closings here must be signed with an "
                f"SSH key {at} lists"
            )
        elif policy.closers is None:
            problem = (
                "signed, but the team requires signatures (team config) and there is no "
                f"{ALLOWED_CLOSERS} at {policy.where} to check closings against: {SETUP}"
            )
        else:
            principal = _principal(signers, key)
            if principal is None:
                shown = sshformat.fingerprint(key)
                problem = f"signed with key {shown}, which {at} does not list as a closer"
            else:
                checks.append(
                    sshsig.Check(
                        path=tag,
                        principal=principal,
                        message=signed.payload,
                        signature=signed.signature,
                    )
                )
                continue
        found.append(Unverified(tag, f"{problem}; {_fix(c)}"))
    if checks and policy.closers is not None:
        failed = sshsig.verify(
            checks, policy.closers, cache, namespace=NAMESPACE, policy=ALLOWED_CLOSERS
        )
        found += [
            Unverified(tag, f"{problem} (at {policy.where}); {_fix(by_tag[tag])}")
            for tag, problem in failed.items()
        ]
    return sorted(found)


def warning(closed: list[closing.Closed], policy: Policy) -> Unverified | None:
    """What `verify` says of closings nobody has to sign."""
    if policy.required or not closed:
        return None
    return Unverified(
        "ffhooks/closed/",
        f"{len(closed)} closed period(s), and closings need no signature here: anyone who can "
        "push a tag can revise a closed period (a tag ffhooks/closed/<period>.2 with other "
        f"figures is billed as an adjustment); {SETUP}",
    )


def changes(
    top: Path, fork: str, commit: str, shown: str
) -> tuple[list[Unverified], list[Unverified]]:
    """(problems, warnings) about who may close since `fork`, the merge base with `shown`:
    the closers' file removed is a problem (any closing would do again); a closer added, a
    warning to review."""
    from ffhooks.git.objects import read_objects, tree_blobs

    before, after = (
        tree_blobs(top, c, [ALLOWED_CLOSERS]).get(ALLOWED_CLOSERS) for c in (fork, commit)
    )
    if before == after:
        return [], []
    if before is not None and after is None:
        problem = (
            f"removed since {shown}: closings would need no closer's signature, so anyone who "
            f"can push a tag could revise a closed period: change it on {shown} itself, reviewed"
        )
        return [Unverified(ALLOWED_CLOSERS, problem)], []
    texts = read_objects(top, [b for b in (before, after) if b is not None])
    old = set(texts[0].decode(errors="replace").splitlines()) if before else set()
    new = set(texts[-1].decode(errors="replace").splitlines())
    added = [line for line in new - old if sshformat.allowed_signers(line)]
    if not added:
        return [], []
    warning = (
        f"{len(added)} closer line(s) added since {shown}: review who may now close and "
        "revise closed periods"
    )
    return [], [Unverified(ALLOWED_CLOSERS, warning)]


def check_key(key: SigningKey | None, policies: list[Policy]) -> None:
    """Refuse, before a closing is written, a key the policies that ask for signed closings
    would not accept."""
    for policy in policies:
        if not policy.required:
            continue
        if key is None:
            raise FatalError(
                f"closings here must be signed by a closer ({ALLOWED_CLOSERS} at "
                f"{policy.where}) and git has no SSH signing key: {SETUP}"
            )
        signers = sshformat.allowed_signers((policy.closers or b"").decode(errors="replace"))
        public = key.public.split()[1]
        principal = _principal(signers, public)
        if principal is None or sshformat.allows(signers, principal, public, NAMESPACE) is False:
            raise FatalError(
                f"your key {key.fingerprint} may not close here ({ALLOWED_CLOSERS} at "
                f"{policy.where} does not list it for namespace git): {SETUP}"
            )
