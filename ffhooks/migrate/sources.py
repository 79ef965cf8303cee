"""The files `ffhooks migrate` reads: found, told apart, hashed and backed up.

- `.task-times.json` (v1) and `.flowforge/billing/time-tracking.json` (2.0.x): one JSON object
  whose task-number keys hold `status`, `current_session` and `sessions`; "legacy".
- JSON lines: one session per line in the `ffhooks log --json` shape plus `user`; "jsonl".

A source is known by the SHA-256 of its content: two paths with the same bytes are read once,
and each user's time from it goes to one frozen store whose id derives from that hash
(`store_id`), so running again on the same content writes nothing new.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from ffhooks.errors import BrokenFile, FatalError
from ffhooks.git.plumbing import Repo
from ffhooks.migrate.jsonscan import FIX_SOURCE
from ffhooks.migrate.jsonstream import CHUNK
from ffhooks.records import Any, NamedTuple

DEFAULT_SOURCES = (".task-times.json", ".flowforge/billing/time-tracking.json")


class Source(NamedTuple):
    path: Path
    shown: str  # relative to the repository's top when inside it, else absolute
    sha256: str
    size: int
    mtime_ns: int
    kind: str  # "legacy" or "jsonl"


def store_id(source_sha256: str, user: str) -> str:
    """The frozen store holding one user's time from one source's content."""
    return hashlib.sha256(f"ffhooks-migrate\0{source_sha256}\0{user}".encode()).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def file_kind(path: Path, shown: str) -> str:
    """Legacy JSON object or JSON lines, from the first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    text = head.lstrip()
    if not text:
        raise BrokenFile(shown, "is empty", FIX_SOURCE)
    if text.startswith(b"\xef\xbb\xbf"):
        raise BrokenFile(shown, "starts with a byte-order mark", "remove it and run again")
    if not text.startswith(b"{"):
        raise BrokenFile(
            shown,
            "is neither a legacy FlowForge time file (a JSON object of tasks) nor JSON lines "
            "(one session object per line)",
            "check the path given to --source",
        )
    if path.suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    lines = text.split(b"\n", 2)
    if lines[0].strip() == b"{":
        return "legacy"
    for line in lines[:2]:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return "jsonl" if {"start", "end", "task", "user"} & value.keys() else "legacy"
    return "legacy"


def _shown(path: Path, top: Path) -> str:
    try:
        return path.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def find_sources(repo: Repo, given: list[str]) -> tuple[list[Source], list[str]]:
    """The sources to migrate, in a fixed order (smallest first, then by content), and notes.

    Without `given`, the legacy files of the repository. A missing or unreadable file is a
    FatalError naming it; two paths with the same content are migrated once.
    """
    if given:
        paths = [Path(p) for p in given]
    else:
        paths = [repo.top / p for p in DEFAULT_SOURCES if (repo.top / p).is_file()]
        if not paths:
            raise FatalError(
                f"no legacy time file in this repository ({', '.join(DEFAULT_SOURCES)}): name "
                "one with --source PATH"
            )
    found: dict[str, Source] = {}
    notes = []
    for path in paths:
        shown = _shown(path, repo.top)
        try:
            stat = path.stat()
            if not path.is_file():
                raise IsADirectoryError(21, "not a file")
            kind = file_kind(path, shown)
            digest = file_sha256(path)
        except FileNotFoundError:
            raise FatalError(f"{shown}: no such file: check the path given to --source") from None
        except OSError as exc:
            raise FatalError(
                f"{shown}: cannot read it ({exc.strerror}): check the path and its permissions"
            ) from None
        if digest in found:
            if found[digest].shown != shown:
                notes.append(f"{shown} has the same content as {found[digest].shown}: read once")
            continue
        found[digest] = Source(
            path=path,
            shown=shown,
            sha256=digest,
            size=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            kind=kind,
        )
    return sorted(found.values(), key=lambda s: (s.size, s.sha256)), notes


def backup(repo: Repo, sources: list[Source], *, user: str, now: datetime) -> Any:
    """Each source's bytes, with their SHA-256, in a snapshot (reason `migrate-backup`)."""
    from ffhooks.store import snapshot_area as snapshot

    files = []
    for src in sources:
        data = src.path.read_bytes()
        if hashlib.sha256(data).hexdigest() != src.sha256:
            raise FatalError(f"{src.shown} changed while being migrated: run the migration again")
        files.append((src.shown, data))
    return snapshot.save(repo.state_dir, files, reason="migrate-backup", user=user, now=now)
