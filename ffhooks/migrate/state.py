"""What `ffhooks migrate` keeps in the clone's machine state (`<state dir>/migrate/`).

- `ledger/<source sha256>.json` (schema `migrate-ledger`) and the `.keys` file it names: the
  sessions, as (user, start, end), that a migration of that content carried, and its stores.
  A later migration of other content counts those sessions once, as long as the stores are
  in the work tree.
- `checkpoint/state.json` (schema `migrate-checkpoint`) and the binary tables it names: the
  tally of an interrupted run, from which the next run on the same sources resumes.

A broken ledger is refused with a message naming it; a broken checkpoint is dropped (the run
starts over). The tally itself, and what it means, is `ffhooks.migrate.tally`'s; sessions are
known by `migrate/cells.session_key` here as there.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from array import array
from datetime import datetime
from pathlib import Path

from ffhooks import summary
from ffhooks.clock import to_iso
from ffhooks.errors import BrokenFile
from ffhooks.fsio import atomic_write, write_json
from ffhooks.git.plumbing import Repo
from ffhooks.migrate.cells import packed, session_key, unpacked
from ffhooks.migrate.sources import store_id
from ffhooks.migrate.tally import Tally
from ffhooks.records import Any
from ffhooks.validator.schema import read_json

CHECKPOINT_VERSION = 1


def state_folder(repo: Repo) -> Path:
    return repo.state_dir / "migrate"


def _has_store_files(user_dir: Path, store: str) -> bool:
    try:
        months = os.listdir(user_dir)
    except OSError:
        return False
    prefix = f"{store}-"
    for month in months:
        try:
            if any(n.startswith(prefix) for n in os.listdir(user_dir / month)):
                return True
        except OSError:
            continue
    return False


def load_ledgers(repo: Repo, tally: Tally) -> list[str]:
    """Sessions carried by earlier migrations of other content, so they are not counted
    again; an earlier migration whose summaries are not in this work tree is ignored."""
    folder = state_folder(repo) / "ledger"
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    except OSError:
        return []
    ours = {s.sha256 for s in tally.sources}
    used = []
    for name in names:
        sha = name[:-5]
        if sha in ours:
            continue  # this run recomputes it
        shown = str(folder / name)
        fix = (
            "move it away (it only keeps overlapping files from being counted twice) and run again"
        )
        doc = read_json(folder / name, shown, fix, "migrate-ledger")
        try:
            keys = array("Q")
            keys.frombytes((folder / doc["keys"]).read_bytes())
            if doc["byteorder"] != sys.byteorder:
                keys.byteswap()
            users, stores = doc["users"], doc["stores"]
            if len(keys) != 3 * doc["sessions"]:
                raise ValueError("wrong length")
        except (OSError, KeyError, TypeError, ValueError) as exc:
            raise BrokenFile(shown, f"is damaged ({exc})", fix) from None
        present = set()
        for user, store in stores.items():
            if _has_store_files(repo.top / summary.SUMMARIES / user, store):
                present.add(users.index(user))
            else:
                tally.notes.append(
                    f"the earlier migration of {doc['source']} for {user} is not in this work "
                    "tree (never committed?): its sessions are counted again here"
                )
        label = len(tally.labels)
        tally.labels.append(f"an earlier migration of {doc['source']}")
        mapping = {n: tally.intern_user(user) for n, user in enumerate(users) if n in present}
        seen = tally.seen
        for n in range(0, len(keys), 3):
            u = mapping.get(keys[n])
            if type(u) is int:
                seen.setdefault(session_key(u, keys[n + 1], keys[n + 2]), label)
        used.append(f"{sha}:{','.join(sorted(users[n] for n in present))}")
    return used


def save_ledgers(repo: Repo, tally: Tally, now: datetime) -> None:
    """Per source: the sessions it carried, as (user, start, end), and its stores. The keys
    file is named by its content and written first, so the JSON never names a partial one."""
    folder = state_folder(repo) / "ledger"
    for i, src in enumerate(tally.sources):
        keys = tally.keys[i]
        data = keys.tobytes()
        name = f"{src.sha256}-{hashlib.sha256(data).hexdigest()[:16]}.keys"
        atomic_write(folder / name, data)
        users = sorted({tally.users[keys[n]] for n in range(0, len(keys), 3)})
        index = folder / f"{src.sha256}.json"
        try:
            old = json.loads(index.read_bytes()).get("keys")
        except (OSError, ValueError, AttributeError):
            old = None
        write_json(
            index,
            {
                "version": 1,
                "source": src.shown,
                "size": src.size,
                "migrated": to_iso(now),
                "users": tally.users,
                "stores": {u: store_id(src.sha256, u) for u in users},
                "sessions": len(keys) // 3,
                "keys": name,
                "byteorder": sys.byteorder,
            },
        )
        if isinstance(old, str) and old != name:
            (folder / old).unlink(missing_ok=True)


class Checkpoint:
    """The state of an interrupted run: `state.json` plus binary tables it names. Tables
    are written first, `state.json` last (atomically), so a crash at any point leaves the
    previous checkpoint whole."""

    def __init__(self, folder: Path, run: str) -> None:
        self.folder = folder
        self.run = run
        self.gen = 0
        self.flushed: list[int] = []

    def load(self, tally: Tally) -> dict[str, Any] | None:
        path = self.folder / "state.json"
        try:
            # a broken or foreign checkpoint only costs the time to read the sources again
            doc = read_json(path, str(path), "", "migrate-checkpoint")
        except (OSError, BrokenFile):
            return None
        if doc["run"] != self.run:
            return None
        try:
            cells = array("Q")
            cells.frombytes((self.folder / f"cells-{doc['gen']}.bin").read_bytes())
            key_arrays = []
            for n, length in enumerate(doc["keys"]):
                keys = array("Q")
                path = self.folder / f"keys-{n}.bin"
                if length:
                    with open(path, "rb") as handle:
                        keys.fromfile(handle, length)
                key_arrays.append(keys)
        except (OSError, EOFError, KeyError, ValueError):
            return None
        if doc["byteorder"] != sys.byteorder:
            cells.byteswap()
            for keys in key_arrays:
                keys.byteswap()
        tally.restore(doc["tally"])
        tally.cells = unpacked(cells)
        for i, keys in enumerate(key_arrays):
            tally.keys[i] = keys
            for n in range(0, len(keys), 3):
                tally.seen[session_key(keys[n], keys[n + 1], keys[n + 2])] = i
        self.gen = doc["gen"]
        self.flushed = list(doc["keys"])
        for n, length in enumerate(self.flushed):
            path = self.folder / f"keys-{n}.bin"
            if path.exists():
                os.truncate(path, length * 8)
        return dict(doc)

    def save(self, tally: Tally, source: int, position: dict[str, Any] | None, now: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        gen = self.gen + 1
        atomic_write(self.folder / f"cells-{gen}.bin", packed(tally.cells).tobytes())
        while len(self.flushed) < len(tally.keys):
            self.flushed.append(0)
        for n, keys in enumerate(tally.keys):
            if len(keys) > self.flushed[n]:
                with open(self.folder / f"keys-{n}.bin", "ab") as handle:
                    keys[self.flushed[n] :].tofile(handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                self.flushed[n] = len(keys)
        write_json(
            self.folder / "state.json",
            {
                "version": CHECKPOINT_VERSION,
                "run": self.run,
                "now": now,
                "source": source,
                "position": position,
                "gen": gen,
                "keys": self.flushed,
                "byteorder": sys.byteorder,
                "tally": tally.to_json(),
            },
        )
        (self.folder / f"cells-{self.gen}.bin").unlink(missing_ok=True)
        self.gen = gen

    def clear(self) -> None:
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)
