"""`ffhooks store [show|fork|moved]`: a store's identity, and what to do with a copied one.

A store records the work tree it was made in. A copy of the folder (a second checkout made
with `cp -r`) refuses to write until the user says what it is: a copy (`fork`: a new, empty
store id; the copied sessions stay billed by the original) or the same clone moved (`moved`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.store.store import Store


def _shown(store: Store) -> dict[str, object]:
    header = store.header or {}
    return {
        "user": store.user,
        "store": header.get("store"),
        "home": header.get("home"),
        "here": str(store.top),
        "timezone": header.get("timezone"),
        "seq": header.get("seq"),
        "writer": header.get("writer"),
        "quarantined": [m["file"] for m in header.get("quarantined", ())],
    }


def _foreign(store: Store) -> bool:
    home = (store.header or {}).get("home")
    return home is not None and Path(home) != store.top


def show(ctx: Context, *, as_json: bool) -> int:
    with ctx.store() as store:
        if not store.exists:
            raise FatalError(f"{ctx.user} has no time store in this work tree")
        facts = _shown(store)
    if as_json:
        print(json.dumps(facts, indent=2))
        return 0
    print(f"{facts['user']}: store {facts['store']}, days cut in {facts['timezone']}")
    print(f"home: {facts['home']}" + ("" if facts["home"] == facts["here"] else " (not here)"))
    return 0


def fork(ctx: Context) -> int:
    """This folder is a copy: give it a new, empty store; keep the copied files aside."""
    with ctx.store(missing_ok=True) as store:
        if not store.exists:
            raise FatalError(
                f"{ctx.user} has no time store in this work tree: nothing to fork (if a fork "
                "was interrupted, the copied store is kept in the clone's ffhooks/forked/; "
                "`--new-store` on your next `ffhooks start` or `add` starts the new one)"
            )
        if not _foreign(store):
            raise FatalError(
                f"{ctx.user}'s store was made in this work tree: `ffhooks store fork` is for "
                "a copy of a clone, whose store was made elsewhere"
            )
        header = store.header or {}
        old = header["store"]
        kept = ctx.repo.state_dir / "forked" / f"{old}-{ctx.now:%Y%m%dT%H%M%SZ}"
        kept.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(store.root, kept)  # one rename: a crash leaves either store, whole
        except OSError:  # another file system
            shutil.move(str(store.root), str(kept))
    new_ctx = ctx._replace(new_store=True)
    with new_ctx.store(create=True, timezone=header["timezone"]) as fresh:
        new = (fresh.header or {})["store"]
    print(
        f"{ctx.user}: new store {new} for this work tree (empty); the copied store {old} stays "
        f"billed by the clone it came from, its files kept in {kept}"
    )
    return 0


def moved(ctx: Context) -> int:
    """The same clone, moved: this work tree is the store's home from now on."""
    with ctx.store() as store:
        if not store.exists:
            raise FatalError(f"{ctx.user} has no time store in this work tree")
        if not _foreign(store):
            print(f"{ctx.user}'s store already belongs to this work tree")
            return 0
        before = (store.header or {}).get("home")
        store.rehome()
    print(
        f"{ctx.user}'s store now belongs to {ctx.repo.top} (was {before}); if that clone "
        "still exists and tracks time, `ffhooks store fork` there"
    )
    return 0


def store_command(ctx: Context, *, action: str, as_json: bool) -> int:
    if action == "fork":
        return fork(ctx)
    if action == "moved":
        return moved(ctx)
    return show(ctx, as_json=as_json)
