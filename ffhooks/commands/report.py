from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from ffhooks import report as rep
from ffhooks.clock import detect_timezone, local_date, parse_date, zone
from ffhooks.config import load_config
from ffhooks.errors import FatalError
from ffhooks.fsio import atomic_write
from ffhooks.gitio import Repo

RANGES = ("this-week", "last-week", "this-month", "last-month")


def date_range(word: str, today: date) -> tuple[date, date]:
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    if word == "this-week":
        return monday, monday + timedelta(days=6)
    if word == "last-week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if word == "this-month":
        following = (first_of_month + timedelta(days=32)).replace(day=1)
        return first_of_month, following - timedelta(days=1)
    last_month_end = first_of_month - timedelta(days=1)
    return last_month_end.replace(day=1), last_month_end


def bound(text: str | None, now: datetime, *, end: bool) -> date | None:
    if text is None:
        return None
    tz = zone(detect_timezone())
    word = text.strip().lower()
    if word in RANGES:
        return date_range(word, local_date(now, tz))[1 if end else 0]
    return parse_date(text, now, tz, f"YYYY-MM-DD, today, yesterday or {', '.join(RANGES)}")


def writable(output: str) -> Path:
    """The file `-o` names, refused up front when it is a folder or its folder is missing
    (ffhooks creates no folders for a report)."""
    target = Path(output)
    if target.is_dir():
        raise FatalError(f"-o {output}: is a folder: give a file name, e.g. -o report.html")
    folder = target.parent
    if not folder.is_dir():
        raise FatalError(
            f"-o {output}: the folder {folder} does not exist: create it first or write "
            "the report elsewhere"
        )
    return target


def report(
    repo: Repo,
    now: datetime,
    *,
    start: str | None,
    end: str | None,
    users: list[str],
    tasks: list[str],
    by: str,
    fmt: str,
    ref: str | None,
    round_minutes: int | None,
    round_mode: str,
    output: str | None,
) -> int:
    group_by = tuple(d.strip() for d in by.split(",") if d.strip())
    unknown = [d for d in group_by if d not in rep.DIMENSIONS]
    if unknown or len(set(group_by)) != len(group_by):
        raise FatalError(
            f"--by {by!r}: use distinct names among {', '.join(rep.DIMENSIONS)}, "
            "e.g. --by user,week"
        )
    if round_minutes is not None and not 1 <= round_minutes <= 1440:
        raise FatalError(f"--round {round_minutes}: give minutes between 1 and 1440")
    target = None if output is None else writable(output)
    first, last = bound(start, now, end=False), bound(end, now, end=True)
    if first and last and last < first:
        raise FatalError(f"--to {last} is before --from {first}")
    files = rep.read_ref(repo.top, ref) if ref else rep.read_worktree(repo.top)
    capped: list[str] = []
    cells = rep.cells(files, capped)
    config = load_config(repo.flowforge)
    options = dict(
        first=first,
        last=last,
        users=users,
        tasks=tasks,
        round_minutes=round_minutes,
        round_mode=round_mode,
        rates=config.rates,
        currency=config.currency,
    )
    result = rep.build(cells, group_by=group_by, **options)  # type: ignore[arg-type]
    if capped:
        result.notes.append(
            f"a running timer is counted only up to max_session_hours ({', '.join(capped)}): "
            "the rest is billed once it is stopped with its real end"
        )
    if fmt == "json":
        text = rep.dumps(result) + "\n"
    else:
        from ffhooks import render

        if fmt == "html":
            weekly = rep.build(cells, group_by=("user", "week"), **options)  # type: ignore[arg-type]
            text = render.page(result, render.weekly_hours(weekly.rows), now.date())
        else:
            text = {"table": render.table, "csv": render.to_csv, "markdown": render.markdown}[fmt](
                result
            )
    if target is not None:
        try:
            atomic_write(target, text.encode("utf-8"))
        except OSError as exc:
            raise FatalError(f"cannot write {output}: {exc.strerror}") from None
        print(f"Wrote {output}")
    else:
        print(text, end="")
    return 0
