from __future__ import annotations

import sys
from pathlib import Path

from ffhooks import progress
from ffhooks.commands._common import limits
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.store import importers, timer


def import_(ctx: Context, *, path: str, fmt: str | None, force: bool) -> int:
    source = Path(path)
    try:
        entries = list(importers.read(source, fmt, ctx.user))
    except OSError as exc:  # readers open the file lazily (a --format skips the sniffing)
        raise FatalError(f"{source}: cannot read it ({exc.strerror}): check the path") from None
    problems = [(where, what) for where, what in entries if isinstance(what, str)]
    sessions = [(where, s) for where, s in entries if not isinstance(s, str)]
    with ctx.store(create=True) as store, progress.bar("importing", "sessions") as drawn:
        added, skipped, refused = timer.import_sessions(
            store, sessions, limits(ctx, force), write=not problems, progress=drawn
        )
    order = {where: i for i, (where, _) in enumerate(entries)}
    problems = sorted(problems + refused, key=lambda p: order[p[0]])
    for where, what in problems:
        print(f"{where}: {what}", file=sys.stderr)
    if problems:
        raise FatalError(
            f"{len(problems)} entries of {source} cannot be imported (listed above); nothing "
            "was imported: fix or delete those entries and run the import again"
        )
    print(f"Imported {added} sessions from {source} ({skipped} already present)")
    return 0
