"""Small pieces the command modules share: limits, instants from options, display."""

from __future__ import annotations

from datetime import datetime

from ffhooks.clock import format_duration, parse_instant
from ffhooks.context import Context
from ffhooks.store import Session, Store
from ffhooks.timer import Limits


def limits(ctx: Context, force: bool) -> Limits:
    return Limits(ctx.config().max_session_seconds, force)


def instant(text: str | None, store: Store, default: datetime) -> datetime:
    """An option's time, read in the store's zone; clock-only times take `default`'s day."""
    return default if text is None else parse_instant(text, default, store.tz)


def hhmm(dt: datetime, store: Store) -> str:
    return dt.astimezone(store.tz).strftime("%H:%M")


def describe(s: Session, store: Store) -> str:
    local = s.start.astimezone(store.tz)
    kind = "billable" if s.billable else "non-billable"
    return (
        f"{s.task} {local:%Y-%m-%d} {hhmm(s.start, store)}-{hhmm(s.end, store)} "
        f"({format_duration(s.seconds)}, {kind}, id {s.id})"
    )
