"""Layer 3: what CI checks in the committed team record at any commit."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ffhooks import summary
from ffhooks.config import CONFIG
from ffhooks.errors import Unverifiable
from ffhooks.git.objects import read_blobs, read_objects, stream_objects, tree_blobs
from ffhooks.git.plumbing import Repo, remote_default, run_git
from ffhooks.layout import PRIVATE
from ffhooks.records import NamedTuple
from ffhooks.trust import changes as summary_changes
from ffhooks.trust import erased, record
from ffhooks.trust.policy import (
    MODES,
    NO_PROJECT_FIX,
    cache_file,
    of_projects,
    policy_at,
    unverified,
)
from ffhooks.validator.checks import check_bytes, read_bytes
from ffhooks.validator.digest import Digest, DigestCache, read, remember


class Finding(NamedTuple):
    path: str
    problem: str

    def __str__(self) -> str:
        return (
            f"{self.path}::{self.problem}"
            if self.problem.startswith("$")
            else (f"{self.path}: {self.problem}")
        )


class RecordVerdict(NamedTuple):
    checked: int  # files under .flowforge/
    problems: list[Finding]
    warnings: list[Finding]  # what the team's policy only warns about


def verify_commit(top: Path, commit: str, state_dir: Path | None = None) -> RecordVerdict:
    """What is wrong in the `.flowforge/` tree of a commit, by the team config and allowed
    signers of that commit. Tombstones are known by their blob id and never read; a summary
    whose blob the clone's digest cache (in `state_dir`) knows as valid is not read either."""
    blobs = tree_blobs(top, commit, [".flowforge"])
    paths = list(blobs)
    dead = summary.tombstones(blobs)
    found = [
        Finding(p, "private time file committed: `git rm --cached` it (it stays on disk)")
        for p in paths
        if p.startswith(f"{PRIVATE}/")
    ]
    team = [
        p
        for p in paths
        if not p.startswith(f"{PRIVATE}/") and p.endswith(".json") and p not in dead
    ]
    cache = DigestCache(state_dir)
    inside = f"{summary.SUMMARIES}/"
    digests: dict[str, Digest] = {}
    for path in team:
        d = read(cache, path, blobs[path], None) if path.startswith(inside) else None
        if d is not None:
            digests[path] = d
    unread = [p for p in team if p not in digests]
    try:
        for path, data in zip(unread, stream_objects(top, [blobs[p] for p in unread]), strict=True):
            # tombstones that a formatter, a filter or a line-ending conversion made other bytes of
            if path.startswith(inside) and summary.is_tombstone_data(data):
                dead.add(path)
                continue
            result, doc = read_bytes(path, data)
            found += [Finding(path, f"{p.at}: {p.message}") for p in result.problems]
            if result.schema == "summary" and not result.problems:
                digests[path] = remember(cache, blobs[path], doc)
    finally:
        cache.save()
    live = {w.path for w in summary.live(blobs, dead).values()}
    writers: dict[str, list[tuple[int, str, str]]] = {}
    for path in team:
        d = digests.get(path)
        if d is not None and d.writer:
            writers.setdefault(d.store, []).append((d.seq, d.writer, path))
    found += diverged(paths) + taking_turns(writers)
    found += [
        Finding(
            p,
            "a tombstone above its store's live summary of the month: billed time was "
            "buried; restore the file from the commit that made it a tombstone",
        )
        for p in summary_changes.buried_above_live(blobs, dead)
    ]
    counted = {p: d for p, d in digests.items() if p in live}
    listed = record.Listing(top=top, commit=commit, blobs={p: blobs[p] for p in counted})
    found += [Finding(path, problem) for path, problem in record.crowded(listed, counted)]
    config, allowed = policy_at(top, commit)
    foreign, unmarked = of_projects(config, [(p, d.project) for p, d in counted.items()])
    found += [Finding(u.path, u.problem) for u in foreign]
    warnings = [Finding(u.path, u.problem) for u in unmarked]
    if config.project is None and counted:
        warnings.append(Finding(CONFIG, f"names no project: {NO_PROJECT_FIX}"))
    docs = record.documents(listed, counted) if config.signatures != "off" else ()
    cached = None if state_dir is None else cache_file(state_dir)
    gone = erased.from_blob(top, blobs.get(erased.PATH))
    written = gone.written()
    users = {d.user for d in counted.values()}
    warnings += [Finding(erased.PATH, note) for note in erased.notes(gone, users)]
    found += [
        Finding(
            f"{summary.SUMMARIES}/{u}/",
            f"summaries under a name erased as {gone.pseudonym_of(u)} (brought back by a late "
            f"branch?): `ffhooks erase {u}` moves them under the pseudonym too",
        )
        for u in sorted(users)
        if gone.pseudonym_of(u)
    ]
    signatures = [
        Finding(u.path, u.problem) for u in unverified(config, allowed, docs, cached, written)
    ]
    if config.signatures == "required":
        return RecordVerdict(len(paths), found + signatures, warnings)
    return RecordVerdict(len(paths), found, warnings + signatures)


def taking_turns(writers: dict[str, list[tuple[int, str, str]]]) -> list[Finding]:
    """A store moved to another work tree changes its writer once; one store id whose writers
    take turns (A, then B, then A again) is written from two places, and whichever wrote
    last hides the other's time."""
    found = []
    for store, files in sorted(writers.items()):
        done: set[str] = set()
        previous = None
        for seq, writer, path in sorted(files):
            if writer != previous and writer in done:
                found.append(
                    Finding(
                        path,
                        f"store {store} is written from two places (writer {writer} again "
                        f"after {previous}, at seq {seq}): one is a copied folder; there, "
                        "`ffhooks store fork`, then `ffhooks recover rebuild` in the original",
                    )
                )
                break
            if previous is not None:
                done.add(previous)
            previous = writer
    return found


def diverged(paths: list[str]) -> list[Finding]:
    """A store writes each seq once; the same (store, seq) twice means two clones share a
    store id (a copied `.flowforge/user/` folder), and their time would be miscounted. The
    file name alone is (store, seq), tombstones' too: names are counted, not parsed."""
    inside = f"{summary.SUMMARIES}/"
    named = [(p.rpartition("/")[2], p) for p in paths if p.startswith(inside)]
    names = [name for name, _ in named]
    if len(set(names)) == len(names):
        return []  # the usual case, told at C speed
    twice = {name for name, count in Counter(names).items() if count > 1}
    seen: dict[str, str] = {}
    found = []
    for name, path in sorted((n, p) for n, p in named if n in twice):
        match = summary.NAME.fullmatch(name)
        first = seen.setdefault(name, path)
        if match is not None and first != path:
            found.append(
                Finding(
                    path,
                    f"store {match['store']} wrote seq {int(match['seq'])} twice (also {first}): "
                    "two clones share one store id; in the one that is a copy, `ffhooks store "
                    "fork`, then `ffhooks recover rebuild` in the original",
                )
            )
    return found


def losses(
    top: Path, before: dict[str, str], after: dict[str, str], *, check_newer: bool = True
) -> list[Finding]:
    """What a change of the summaries (path -> blob id) takes away from the report: a live
    summary deleted, edited or replaced by a lower seq, or (`check_newer`) by an invalid file."""

    lowered, newer = summary_changes.lowered(before, after, lambda ids: read_objects(top, ids))
    found = [Finding(x.path, x.problem) for x in lowered]
    if check_newer:
        for path, data in zip(newer, read_objects(top, [after[p] for p in newer]), strict=True):
            found += [
                Finding(path, f"replaces a live summary but is invalid: {p.at}: {p.message}")
                for p in check_bytes(path, data).problems
            ]
    return found


def since_base(repo: Repo, since: str, option: str = "--since") -> tuple[str, str]:
    """(commit, how to name it) of a `--since` argument. All zeros is what a push event
    names as the commit before a new branch: the remote's default branch stands for it,
    and the new branch is checked from where it left that branch."""
    if since.strip("0") == "" and len(since) in (40, 64):
        default = remote_default(repo)
        if default is None:
            raise Unverifiable(
                f"{option} {since} (a new branch) is checked against the default branch, and "
                "this clone has none (origin/HEAD, origin/main, origin/master): "
                "`git remote set-head origin --auto`, or name the branch it was made from"
            )
        since = default.removeprefix("refs/remotes/")
        shown = f"{since} (the default branch: a new branch)"
    else:
        shown = since
    commit = run_git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{since}^{{commit}}"],
        repo.top,
        check=False,
    ).strip()
    if not commit:
        remote = remote_of(repo.top, since)
        name = since.removeprefix(f"{remote}/")
        raise Unverifiable(
            f"{option} {since} is not a commit in this clone: fetch it (`git fetch {remote} "
            f"{name}`), or check the name"
        )
    return commit, shown


def since_fork(top: Path, base: str, commit: str, shown: str) -> str:
    """The merge base of `commit` with `base` (named `shown`), from which `--since` counts.
    A shallow clone cannot tell it (the base may be cut off, or an older commit found in its
    place, and a deleted summary would pass unseen): Unverifiable, naming the fetch."""
    if shallow(top):
        raise Unverifiable(
            f"this clone is shallow, so what was taken out of the record since {shown} cannot "
            "be told: fetch the whole history (`git fetch --unshallow --tags "
            f"{remote_of(top, shown)}`; in GitHub Actions, `fetch-depth: 0` on actions/checkout)"
        )
    fork = run_git(["merge-base", base, commit], top, check=False).strip()
    if not fork:
        raise Unverifiable(
            f"{shown} and the commit checked share no history, so nothing can be compared: "
            "name the branch it was made from as --since"
        )
    return fork


def shallow(top: Path) -> bool:
    return run_git(["rev-parse", "--is-shallow-repository"], top).strip() == "true"


def remote_of(top: Path, ref: str) -> str:
    """The remote a ref such as `upstream/main` was fetched from; `origin` for any other."""
    remotes = run_git(["remote"], top, check=False).split()
    return next((r for r in remotes if ref.startswith(f"{r}/")), "origin")


def losses_since(top: Path, fork: str, commit: str, shown: str) -> list[Finding]:
    """Billed time that `commit` no longer shows but `fork` (its merge base with `shown`)
    did: what a pull request would take away from its target branch. (Every file's own
    validity is checked by `verify_commit`.)"""
    before = tree_blobs(top, fork, [summary.SUMMARIES])
    after = tree_blobs(top, commit, [summary.SUMMARIES])
    return [
        Finding(
            f.path, f"{f.problem} since {shown}{_REWRITE if 'live summary' in f.problem else ''}"
        )
        for f in losses(top, before, after, check_newer=False)
    ]


# what brings a month's time back when a change (a `git revert` of a fold, or of the merge that
# brought it, after compaction deleted what it superseded: no hook runs) took its live file
_REWRITE = (
    ": its owner's clone writes it again (`ffhooks recover rebuild`, then commit), or `git "
    "revert` the commit that took it"
)


def policy_changes(
    top: Path, fork: str, commit: str, shown: str
) -> tuple[list[Finding], list[Finding]]:
    """(problems, warnings) about the root of trust since `fork`, the merge base with
    `shown`: the signature policy weakened is a problem; any change to who may sign for
    whom, a warning (to review: a key added for another user lets its holder sign for
    them)."""
    from ffhooks.trust.sshformat import ALLOWED_SIGNERS

    (before, signers_before), (after, signers_after) = policy_at(top, fork), policy_at(top, commit)
    problems, warnings = [], []
    weaker = MODES.index(after.signatures) < MODES.index(before.signatures)
    later = (after.signatures_from or "") > (before.signatures_from or "")
    if weaker or later:
        problems.append(
            Finding(
                ".flowforge/team/config.json",
                f"asks less of signatures than {shown} did (signatures {before.signatures!r} "
                f"from {before.signatures_from or 'the start'}, now {after.signatures!r} from "
                f"{after.signatures_from or 'the start'}): change it on {shown} itself, reviewed",
            )
        )
    if before.project is not None and after.project != before.project:
        problems.append(
            Finding(
                CONFIG,
                f"names project {after.project or 'none'}, and {shown} names "
                f"{before.project}: the summaries of {before.project} would be refused, or "
                f"those of {after.project} are copies from another repository; keep "
                f"{before.project}",
            )
        )
    if signers_before != signers_after:
        old = set((signers_before or b"").decode(errors="replace").splitlines())
        new = set((signers_after or b"").decode(errors="replace").splitlines())
        warnings.append(
            Finding(
                ALLOWED_SIGNERS,
                f"changed since {shown} ({len(new - old)} line(s) added, {len(old - new)} "
                "removed): review who may now sign for whom",
            )
        )
    gone_before, gone_after = erased.at_commit(top, fork), erased.at_commit(top, commit)
    if gone_before != gone_after:
        added = len(gone_after.written() - gone_before.written())
        warnings.append(
            Finding(
                erased.PATH,
                f"changed since {shown} ({added} summary checksum(s) added): names were erased; "
                "review it, as it decides which unsigned summaries under a pseudonym count",
            )
        )
    return problems, warnings


def added_unverified(
    top: Path, fork: str, commit: str, shown: str
) -> tuple[list[Finding], list[Finding]]:
    """(problems, warnings: as the signature mode has it) of the summaries added since
    `fork` (the merge base with `shown`), checked under the keys `fork` allowed and whatever
    their month: a change that adds a key and summaries signed with it vouches for itself,
    and `signatures_from` spares what was written before the team signed, not what is added
    now (ffhooks signs whatever it writes, old months too)."""
    from ffhooks.trust.sshformat import ALLOWED_SIGNERS, allowed_signers, fingerprint, signature_key

    (_, signers_before), (config, signers_after) = policy_at(top, fork), policy_at(top, commit)
    if config.signatures == "off":
        return [], []
    before = tree_blobs(top, fork, [summary.SUMMARIES])
    after = tree_blobs(top, commit, [summary.SUMMARIES])
    added = sorted(w.path for w in summary.live(after, summary.tombstones(after)).values())
    docs = [
        (path, summary.loads(data, path, ""))
        for path, data in read_blobs(top, commit, [p for p in added if p not in before])
        if not check_bytes(path, data).problems  # verify_commit names what is invalid
    ]
    written = erased.at_commit(top, commit).written()
    named = {u.path for u in unverified(config, signers_after, docs, None, written)}
    old = set(allowed_signers((signers_before or b"").decode(errors="replace")))
    gained = [
        s for s in allowed_signers((signers_after or b"").decode(errors="replace")) if s not in old
    ]
    signed = dict(docs)
    found = []
    for u in unverified(config._replace(signatures_from=None), signers_before, docs, None, written):
        if u.path in named:
            continue
        key = signature_key(signed[u.path].get("signature", "")) or ""
        lines = [s.principals for s in gained if s.key == key]
        if lines:
            problem = (
                f"signed with {fingerprint(key)}, a key this change adds to {ALLOWED_SIGNERS} "
                f"(for {', '.join(lines)}): a key is trusted once it is on {shown}; add it in "
                "a change of its own, reviewed and merged, then the summaries it signs"
            )
        else:
            problem = (
                f"{u.problem}; added since {shown}, it is checked whatever its month "
                "(signatures_from spares only what was written before the team signed)"
            )
        found.append(Finding(u.path, problem))
    return (found, []) if config.signatures == "required" else ([], found)
