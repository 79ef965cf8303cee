from __future__ import annotations

from ffhooks.clock import zone
from ffhooks.context import Context
from ffhooks.store import months_of


def timezone(ctx: Context, *, name: str | None) -> int:
    with ctx.store(create=name is not None, timezone=name) as store:
        if name is None:
            print(store.header["timezone"] if store.header else f"{store.tz.key} (no store yet)")
            return 0
        zone(name)
        if store.header and store.header["timezone"] != name:
            # every month is cut into days afresh, so every month must be summarised again
            months = set(store.header["dirty"])
            tz = zone(name)
            for s in store.all_sessions():
                months |= months_of(s.start, s.end, tz) | months_of(s.start, s.end, store.tz)
            store.set_header(timezone=name, dirty=sorted(months))
        print(f"Days are cut in {name}")
    return 0
