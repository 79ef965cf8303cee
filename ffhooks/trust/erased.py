"""The record of names erased from the committed summaries (`ffhooks erase`),
`.flowforge/team/erased.json`:

    {"version": 1, "salt": "<hex>",
     "people": [{"pseudonym": "former-1", "name_sha256": "<hex>", "erased": "2026-12-04",
                 "summaries": {"<path under the pseudonym>": "<its sha256>"}}]}

It holds no name: only a salted hash of each, so that the same person erased again (their
summaries brought back by a late branch) gets the same pseudonym, and closed periods, whose
tags still hold the name, are read under it. Anyone who guesses the name can check the guess
against the hash: the record is pseudonymous, not anonymous (see Exports and personal data).
The summaries it lists are those erasure wrote, unsigned (a signature cannot outlive the
name it covered): the signature policy accepts exactly those, by checksum."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.fsio import parse_json
from ffhooks.records import Any, NamedTuple

PATH = ".flowforge/team/erased.json"
PSEUDONYM = re.compile(r"former-[1-9][0-9]{0,8}")
_FIX = f"restore it with git (`git log -p -- {PATH}`): it is written by `ffhooks erase` only"


class Erased(NamedTuple):
    pseudonym: str
    name_sha256: str
    erased: str  # the day, YYYY-MM-DD
    summaries: dict[str, str]  # path -> sha256 of each summary erasure wrote


class Erasures(NamedTuple):
    salt: str
    people: list[Erased]

    def hashed(self, name: str) -> str:
        return hashlib.sha256(f"{self.salt}:{name}".encode()).hexdigest()

    def pseudonym_of(self, name: str) -> str | None:
        """The pseudonym a name was erased to, None if it never was."""
        if not self.people or PSEUDONYM.fullmatch(name):
            return None
        digest = self.hashed(name)
        return next((p.pseudonym for p in self.people if p.name_sha256 == digest), None)

    def written(self) -> set[str]:
        """The checksums of every summary erasure wrote."""
        return {s for p in self.people for s in p.summaries.values()}

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "salt": self.salt,
            "people": [p._asdict() for p in self.people],
        }


NONE = Erasures(salt="", people=[])


def pseudonyms(users: Iterable[str]) -> set[str]:
    """The pseudonyms among user names."""
    return {u for u in users if PSEUDONYM.fullmatch(u)}


def notes(record: Erasures, users: set[str]) -> list[str]:
    """What a report or `verify` says of each pseudonym among `users`."""
    return [
        f"{p.pseudonym}: name erased on {p.erased} at the person's request (`ffhooks erase`); "
        "the time is theirs, unchanged (unsigned since: a signature cannot outlive the name)"
        for p in record.people
        if p.pseudonym in users
    ]


def renamed_rows(record: Erasures, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A closed report's rows with each erased name read as its pseudonym (a tag keeps the
    name it was made with: see Exports and personal data)."""
    if not record.people:
        return rows
    return [{**r, "user": record.pseudonym_of(r.get("user", "")) or r.get("user")} for r in rows]


def parse(data: bytes | None, shown: str = PATH) -> Erasures:
    """The record in `data` (NONE for no file); a record that is not one is refused."""
    if data is None:
        return NONE
    raw = parse_json(data, shown, _FIX)
    try:
        people = [
            Erased(
                pseudonym=p["pseudonym"],
                name_sha256=p["name_sha256"],
                erased=p["erased"],
                summaries=dict(p["summaries"]),
            )
            for p in raw["people"]
        ]
        record = Erasures(salt=raw["salt"], people=people)
    except (KeyError, TypeError, ValueError):
        raise FatalError(f"{shown}: not a record of erased names; {_FIX}") from None
    if not all(isinstance(p.pseudonym, str) and PSEUDONYM.fullmatch(p.pseudonym) for p in people):
        raise FatalError(f"{shown}: a pseudonym is not former-N; {_FIX}")
    return record


def in_worktree(top: Path) -> Erasures:
    try:
        return parse((top / PATH).read_bytes())
    except FileNotFoundError:
        return NONE


def at_commit(top: Path, commit: str) -> Erasures:
    """The record in a commit's tree (NONE where it has none)."""
    from ffhooks.git.plumbing import run_git

    listed = run_git(["ls-tree", commit, "--", PATH], top).split()
    return from_blob(top, listed[2] if len(listed) > 2 else None)


def from_blob(top: Path, blob: str | None) -> Erasures:
    """The record whose blob id a tree listing gave (NONE for None)."""
    if blob is None:
        return NONE
    from ffhooks.git.objects import read_objects

    return parse(read_objects(top, [blob])[0])


def of(top: Path, ref: str | None) -> Erasures:
    """The record a reader of the work tree (`ref` None) or of a ref follows."""
    if ref is None:
        return in_worktree(top)
    from ffhooks.git.objects import resolve_commit

    return at_commit(top, resolve_commit(top, ref))
