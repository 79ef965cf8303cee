"""The team's signature policy (team config `signatures`): which live summaries it accepts.

`off` checks nothing; `warn` and `required` check that each live summary of a month from
`signatures_from` on is signed by a key that `.flowforge/team/allowed_signers` allows for the
summary's user. Callers decide what a problem means: a warning, or a refusal.
"""

from __future__ import annotations

from pathlib import Path

from ffhooks import summary
from ffhooks.config import TeamConfig
from ffhooks.errors import FatalError
from ffhooks.records import Any, NamedTuple
from ffhooks.trust.sshformat import ALLOWED_SIGNERS, signature_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterable

    from ffhooks.git.plumbing import Repo
    from ffhooks.trust.signing import SigningKey
    from ffhooks.validator.checks import FileResult, Problem

MODES = ("off", "warn", "required")  # team config `signatures`, weakest first
UNSIGNED_FIX = (
    "its writer runs `ffhooks init --signing`, then `ffhooks aggregate --all`, and commits"
)


class Unverified(NamedTuple):
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def cache_file(state_dir: Path) -> Path:
    return state_dir / "verified-signatures"


def worktree_signers(top: Path) -> bytes | None:
    return worktree_trust_file(top, ALLOWED_SIGNERS)


def worktree_trust_file(top: Path, name: str) -> bytes | None:
    """A file that says who is trusted, as the work tree holds it (None if absent). A link is
    refused: it would make another file (a summary signer's list, say) the one trusted."""
    path = top / name
    if path.is_symlink():
        raise FatalError(f"{name} is a symbolic link: {_LINK_FIX}")
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def trust_files_at(top: Path, commit: str, names: list[str]) -> dict[str, bytes]:
    """The files among `names` that a commit holds, by name; a link among them is refused,
    as in the work tree."""
    from ffhooks.git.objects import read_objects
    from ffhooks.git.plumbing import run_git

    listed = run_git(["--literal-pathspecs", "ls-tree", "-z", commit, "--", *names], top)
    blobs = {}
    for entry in listed.split("\0"):
        meta, _, path = entry.partition("\t")
        if not path:
            continue
        mode, kind, blob = meta.split()
        if mode == "120000" or kind != "blob":
            raise FatalError(f"{path} at {commit[:12]} is not a plain file ({mode}): {_LINK_FIX}")
        blobs[path] = blob
    return dict(zip(blobs, read_objects(top, list(blobs.values())), strict=True))


_LINK_FIX = (
    "a file that says who is trusted must hold its own lines; replace the link with the "
    "file itself (`git rm` it, write the file, commit it, reviewed)"
)


CHECKS_AT_ONCE = 1000


def unverified(
    config: TeamConfig,
    allowed: bytes | None,
    docs: Iterable[tuple[str, dict[str, Any]]],
    cache: Path | None,
    erased: Container[str] = (),
) -> list[Unverified]:
    """The summaries among `docs` (path, content) that the policy does not accept. Signatures
    are checked `CHECKS_AT_ONCE` at a time, so that a history of thousands of signed
    summaries is never all in memory. A summary whose name was erased is unsigned (no
    signature outlives the name it covered): accepted where the erasure record lists its
    checksum (`erased`, trust/erased.py)."""
    if config.signatures == "off":
        return []
    from ffhooks.trust import sshsig  # ssh-keygen's processes: only for teams that sign

    found: list[Unverified] = []
    checks: list[sshsig.Check] = []
    signers: dict[str, str] = {}

    def check() -> None:
        if checks and allowed is not None:
            failed = sshsig.verify(checks, allowed, cache)
            found.extend(Unverified(p, f"{problem}{signers[p]}") for p, problem in failed.items())
        checks.clear()

    for path, doc in docs:
        if config.signatures_from and doc["month"] < config.signatures_from:
            continue
        signature = doc.get("signature")
        signers[path] = f" (signed by {doc['signed_by']})" if doc.get("signed_by") else ""
        if signature is None and doc.get("sha256") in erased:
            continue
        if signature is None:
            problem = f"unsigned, and the team asks for signatures: {UNSIGNED_FIX}"
            found.append(Unverified(path, problem))
        elif allowed is None:
            problem = (
                f"signed{signers[path]}, but there is no {ALLOWED_SIGNERS} to check it "
                "against: `ffhooks init --signing` adds your key's line to it"
            )
            found.append(Unverified(path, problem))
        else:
            checks.append(
                sshsig.Check(
                    path=path,
                    principal=doc["user"],
                    message=summary.canonical(doc),
                    signature=signature,
                )
            )
            if len(checks) >= CHECKS_AT_ONCE:
                check()
    check()
    return sorted(found)


def of_projects(
    config: TeamConfig, named: Iterable[tuple[str, str | None]]
) -> tuple[list[Unverified], list[Unverified]]:
    """(foreign, unmarked) among summaries given as (path, the project it names), where the
    team config names a
    project: the summaries that name another (copied from another repository: refused
    everywhere, signed or not), and those that name none (written before ffhooks 0.5: told,
    as nothing in them says which project they were signed for). A config that names none
    tells nothing apart (`verify` says so; removing the id is a change `verify --since`
    refuses)."""
    if config.project is None:
        return [], []
    foreign, unmarked = [], []
    for path, project in named:
        if project is None:
            unmarked.append(Unverified(path, f"names no project: {UNMARKED_FIX}"))
        elif project != config.project:
            problem = (
                f"a summary of project {project}, and this project is {config.project}: copied "
                "from another repository, it would bill that project's time here; `git rm` it"
            )
            foreign.append(Unverified(path, problem))
    return sorted(foreign), sorted(unmarked)


UNMARKED_FIX = (
    "written before ffhooks 0.5, nothing in it says it belongs here; its writer runs "
    "`ffhooks aggregate --all` and commits, which writes it again naming this project"
)
NO_PROJECT_FIX = (
    "summaries copied from another repository cannot be told apart from this one's; "
    "`ffhooks init` gives it an id (commit the change), and summaries written after name it"
)


def policy_at(top: Path, commit: str) -> tuple[TeamConfig, bytes | None]:
    """The team config and allowed signers as a commit holds them: what `verify --ref` and
    `report --ref` trust (both files are the team's root of trust: review their changes)."""
    from ffhooks.config import CONFIG, config_at

    data = trust_files_at(top, commit, [CONFIG, ALLOWED_SIGNERS])
    return config_at(data.get(CONFIG), commit), data.get(ALLOWED_SIGNERS)


def worktree_live(top: Path, paths: list[str]) -> list[str]:
    """Those of `paths` (summaries in the work tree) that are live: the newest file of
    their store and month that is not a tombstone."""
    import os

    folders = {p.rpartition("/")[0] for p in paths}
    present = [f"{f}/{n}" for f in folders for n in os.listdir(top / f) if n.endswith(".json")]
    buried = {p for p in present if summary.is_tombstone(top / p)}
    live = {w.path for w in summary.live(present, buried).values()}
    return [p for p in paths if p in live]


def signing_key(repo: Repo, config: TeamConfig) -> SigningKey | None:
    """The key to sign summaries with, when the team asks for signatures (None if it does
    not, or only warns and git has none)."""
    if config.signatures == "off":
        return None
    from ffhooks.trust import signing  # not for the teams that do not sign

    key = signing.configured_key(repo.top, repo.state_dir)
    if key is None and config.signatures == "required":
        raise FatalError(
            "the team requires signed summaries (team config `signatures`) and git has no "
            "user.signingkey: `ffhooks init --signing` sets one up"
        )
    return key


def signed_alike(doc: dict[str, Any], key: SigningKey | None) -> bool:
    """Whether a summary already carries the signature `key` would give it (any, or none,
    when there is no key): a new key, or signing turned on, writes the month again."""
    if key is None:
        return True
    return signature_key(doc.get("signature", "")) == key.public.split()[1]


def judged(
    repo: Repo, config: TeamConfig, results: list[FileResult]
) -> tuple[list[FileResult], list[Problem]]:
    """The valid live summaries among `results` as the team's trust sees them: one of another
    project is a problem; one that names none, a warning; the signature check's findings are
    problems when the team requires signatures, else warnings."""
    from ffhooks.validator.checks import Problem

    named = [r.path for r in results if r.schema == "summary" and not r.problems]
    if not named or (config.project is None and config.signatures == "off"):
        return results, []  # nothing to judge them by
    live = worktree_live(repo.top, named)
    docs = [(p, summary.loads((repo.top / p).read_bytes(), p, "")) for p in live]
    foreign, unmarked = of_projects(config, [(p, doc.get("project")) for p, doc in docs])
    refused = [Problem(u.path, "$.project", u.problem) for u in foreign]
    warnings = [Problem(u.path, "$.project", u.problem) for u in unmarked]
    signatures = [
        Problem(u.path, "$.signature", u.problem)
        for u in unverified(config, worktree_signers(repo.top), docs, cache_file(repo.state_dir))
    ]
    if config.signatures == "required":
        refused += signatures
    else:
        warnings += signatures
    extra: dict[str, list[Problem]] = {}
    for problem in refused:
        extra.setdefault(problem.path, []).append(problem)
    return [r._replace(problems=r.problems + extra.get(r.path, [])) for r in results], warnings


def checked(
    repo: Repo,
    rels: set[str],
    *,
    everything: bool = False,
    config: Callable[[], TeamConfig] | None = None,
) -> tuple[list[FileResult], list[Problem]]:
    """Every file of `rels` (paths from the repository top; with `everything`, every ffhooks
    file and the team's globs too) against its schema, then the valid live summaries as the
    team's trust judges them: (results, warnings). `config` gives the team config where the
    caller has read it already. A team config that cannot be read is checked itself, its
    globs unknown."""
    from ffhooks.config import CONFIG, load_config
    from ffhooks.validator.checks import check, every_file

    team: TeamConfig | None
    try:
        team = config() if config is not None else load_config(repo.flowforge)
        rules = list(team.validate)
    except FatalError:
        team, rules = None, []
        rels = rels | {CONFIG}
    if everything:
        rels = rels | set(every_file(repo.top, rules))
    results = check(repo.top, sorted(rels), rules)
    return judged(repo, team, results) if team is not None else (results, [])
