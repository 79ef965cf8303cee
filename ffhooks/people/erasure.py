"""`ffhooks erase USER`: a person's name and details out of what ffhooks holds, their billed
time kept (billing records must be, by commercial and tax law).

On this machine (this clone): their private store, the copies of it set aside, their
snapshots, their queue entries, and the caches that repeat names (digests, verified
signatures), deleted. In the repository: their committed summaries moved under a pseudonym
(`former-N`) in a commit of its own, the figures unchanged, so every report totals the same;
the record `.flowforge/team/erased.json` (trust/erased.py) keeps no name, only a salted hash
of it. What git history and other clones still hold is the history rewrite's
(see Exports and personal data)."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime
from pathlib import Path

from ffhooks import summary
from ffhooks.errors import FatalError
from ffhooks.fsio import atomic_write
from ffhooks.git.objects import read_objects, tree_blobs
from ffhooks.git.plumbing import Repo, run_git
from ffhooks.layout import PRIVATE, SUMMARIES, TOMBSTONE_BLOB
from ffhooks.people.personal import set_aside
from ffhooks.records import NamedTuple
from ffhooks.store import snapshot_area
from ffhooks.trust import erased

USER = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
CACHES = ("digests", "verified-signatures")  # rebuilt by the next report or verify


class Local(NamedTuple):
    """What this clone holds of a person, outside the repository's history."""

    store: Path | None
    set_aside: list[Path]
    snapshots: int
    queue: list[Path]

    def any(self) -> bool:
        return bool(self.store or self.set_aside or self.snapshots or self.queue)

    def described(self) -> list[str]:
        found = []
        if self.store is not None:
            found.append(f"the private store {self.store}")
        if self.set_aside:
            found.append(f"{len(self.set_aside)} copy(ies) of it set aside (quarantined, forked)")
        if self.snapshots:
            found.append(f"{self.snapshots} snapshot(s)")
        if self.queue:
            found.append(f"{len(self.queue)} queue entr(ies)")
        return found


def check_name(user: str) -> None:
    if not USER.fullmatch(user):
        raise FatalError(f"{user!r} is no user name of ffhooks (lower case, a-z 0-9 . _ -)")
    if erased.PSEUDONYM.fullmatch(user):
        raise FatalError(f"{user} is a pseudonym already: its name was erased")


def local(repo: Repo, user: str) -> Local:
    from ffhooks.queue import entries

    root = repo.top / PRIVATE / user
    theirs = 0
    for snapshot_id in snapshot_area.all_ids(repo.state_dir):
        try:
            manifest = snapshot_area.load_naming(repo.state_dir, snapshot_id, user)
        except FatalError:
            continue
        theirs += manifest is not None and manifest.user == user
    return Local(
        store=root if root.is_dir() else None,
        set_aside=[folder for _, folder in set_aside(repo.state_dir, user)],
        snapshots=theirs,
        queue=[path for path, entry in entries(repo.state_dir) if entry.get("user") == user],
    )


def uncommitted(repo: Repo, user: str, now: datetime) -> int:
    """Seconds the person's store here holds that no commit does (deleting them would lose
    billable time)."""
    from ffhooks.config import load_config
    from ffhooks.fold.uncommitted import uncommitted_seconds
    from ffhooks.store.open import open_store

    if not (repo.top / PRIVATE / user).is_dir():
        return 0
    with open_store(repo.top, repo.state_dir, user, now, missing_ok=True) as store:
        return uncommitted_seconds(store, repo, load_config(repo.flowforge))


def remove_local(repo: Repo, user: str, found: Local) -> None:
    """Delete what `local` found, and the caches that repeat names."""
    for folder in [*([found.store] if found.store else []), *found.set_aside]:
        shutil.rmtree(folder)
    snapshot_area.forget(repo.state_dir, user)
    for path in found.queue:
        path.unlink(missing_ok=True)
    for name in CACHES:
        cache = repo.state_dir / name
        if cache.is_dir():
            shutil.rmtree(cache)
        elif cache.exists():
            cache.unlink()


class Moved(NamedTuple):
    """What the erasure commit did: the pseudonym, the summaries moved, the commit."""

    pseudonym: str
    paths: int
    commit: str | None


def committed(repo: Repo, user: str) -> dict[str, str]:
    """Path -> blob id of every file under the person's summaries folder at HEAD."""
    head = run_git(["rev-parse", "--verify", "--quiet", "HEAD"], repo.top, check=False).strip()
    return tree_blobs(repo.top, head, [f"{SUMMARIES}/{user}/"]) if head else {}


def pseudonymise(repo: Repo, user: str, today: str) -> Moved:
    """Move the person's committed summaries under their pseudonym, in a commit of its own
    (hooks skipped: the change is checked here as `verify` checks any, and must take no
    billed time away)."""
    from ffhooks.fold.compact import ready_to_commit

    blobs = committed(repo, user)
    if not blobs:
        return Moved(pseudonym="", paths=0, commit=None)
    ready_to_commit(repo, "erasure")
    record = erased.at_commit(repo.top, "HEAD")
    pseudonym = record.pseudonym_of(user) or _next_free(repo, record)
    touched = [f"{SUMMARIES}/{user}/", f"{SUMMARIES}/{pseudonym}/", erased.PATH]
    try:
        _move(repo, user, pseudonym, record, blobs, today)
    except BaseException:
        _undo(repo, touched)
        raise
    commit = run_git(["rev-parse", "HEAD"], repo.top).strip()
    return Moved(pseudonym=pseudonym, paths=len(blobs), commit=commit)


def _move(
    repo: Repo,
    user: str,
    pseudonym: str,
    record: erased.Erasures,
    blobs: dict[str, str],
    today: str,
) -> None:
    """Write the summaries under the pseudonym and the record, stage the move, check that
    it takes no billed time away, and commit it."""
    from ffhooks.git.objects import index_blobs
    from ffhooks.trust.verify import losses

    inside, outside = f"{SUMMARIES}/{user}/", f"{SUMMARIES}/{pseudonym}/"
    written: dict[str, str] = {}
    contents = read_objects(repo.top, list(blobs.values()))
    for (path, blob), data in zip(blobs.items(), contents, strict=True):
        target = outside + path[len(inside) :]
        new, checksum = _renamed(data, blob, pseudonym)
        if checksum is not None:
            written[target] = checksum
        atomic_write(repo.top / target, new)
    salt = record.salt or os.urandom(32).hex()
    before = next((p.summaries for p in record.people if p.pseudonym == pseudonym), {})
    entry = erased.Erased(
        pseudonym=pseudonym,
        name_sha256=erased.Erasures(salt, []).hashed(user),
        erased=today,
        summaries={**before, **written},
    )
    others = [p for p in record.people if p.pseudonym != pseudonym]
    updated = erased.Erasures(salt=salt, people=[*others, entry])
    atomic_write(repo.top / erased.PATH, (json.dumps(updated.to_json(), indent=2) + "\n").encode())
    run_git(["rm", "-q", "-r", "--", inside], repo.top)
    run_git(["add", "--", erased.PATH, outside], repo.top)
    folders = [inside, outside]
    found = losses(repo.top, tree_blobs(repo.top, "HEAD", folders), index_blobs(repo.top, folders))
    if found:
        raise FatalError(f"erasure would lower the record ({found[0]}): a bug; nothing changed")
    message = (
        f"ffhooks erase: summaries of a person who asked for their name to go, now "
        f"{pseudonym}'s (figures unchanged)"
    )
    run_git(["commit", "-q", "--no-verify", "-m", message], repo.top)


def _renamed(data: bytes, blob: str, pseudonym: str) -> tuple[bytes, str | None]:
    """A summary's bytes under the pseudonym, and its new checksum (a tombstone as it is,
    None): the name out, and the signature that covered it; the figures as they were."""
    if blob == TOMBSTONE_BLOB or summary.is_tombstone_data(data):
        return data, None
    doc = summary.loads(data, blob, "")  # kept in its version: its figures do not change
    doc["user"] = pseudonym
    for key in ("signature", "signed_by"):
        doc.pop(key, None)
    summary.seal(doc)
    return summary.dumps(doc), doc["sha256"]


def _next_free(repo: Repo, record: erased.Erasures) -> str:
    """former-N, N one more than any pseudonym the record or the summaries know."""
    folders = run_git(["ls-tree", "--name-only", "HEAD", f"{SUMMARIES}/"], repo.top).split()
    names = [f.rpartition("/")[2] for f in folders] + [p.pseudonym for p in record.people]
    taken = [int(n.split("-")[1]) for n in names if erased.PSEUDONYM.fullmatch(n)]
    return f"former-{max(taken, default=0) + 1}"


def _undo(repo: Repo, paths: list[str]) -> None:
    """Put `paths` back as HEAD has them, in the index and the work tree."""
    run_git(["reset", "-q", "HEAD", "--", *paths], repo.top, check=False)
    run_git(["checkout", "HEAD", "--", *paths], repo.top, check=False)
    run_git(["clean", "-q", "-f", "--", *paths], repo.top, check=False)


def closed_naming(repo: Repo, user: str) -> list[str]:
    """The closed periods whose tags hold the name (their reports are read under the
    pseudonym; the tags keep the name until closed again)."""
    from ffhooks.report.closing import closed_labels

    names = [f"refs/tags/ffhooks/closed/{label}" for label in closed_labels(repo)]
    if not names:
        return []
    texts = read_objects(repo.top, names)
    needle = f'"user": "{user}"'.encode()
    return [n[len("refs/tags/") :] for n, t in zip(names, texts, strict=True) if needle in t]
