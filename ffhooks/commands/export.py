"""`ffhooks export`: the caller's own sessions, or with --team the team's time per user,
day and task as `ffhooks report` counts it, in a format another tool imports (Jira
worklogs, Tempo, CSV, iCalendar); with --me, everything ffhooks holds about the caller."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ffhooks.clock import ordered, range_bound
from ffhooks.context import Context
from ffhooks.errors import FatalError
from ffhooks.fsio import atomic_write
from ffhooks.people import formats
from ffhooks.people.worklogs import Worklog, own, project_identity, team


def export(
    ctx: Context,
    *,
    fmt: str | None,
    of_team: bool,
    me: bool,
    start: str | None,
    end: str | None,
    tasks: list[str],
    ref: str | None,
    output: str | None,
    issue_prefix: str | None,
    include_unverified: bool = False,
) -> int:
    if me:
        if of_team or fmt or start or end or tasks or ref or issue_prefix:
            raise FatalError(
                "--me exports everything ffhooks holds about you, in JSON and CSV: give it "
                "-o FOLDER at most (no --format, --team, dates, tasks or --ref)"
            )
        return _personal(ctx, output)
    if fmt is None:
        raise FatalError(f"--format: give one of {', '.join(formats.FORMATS)}, e.g. --format csv")
    if (ref is not None or include_unverified) and not of_team:
        raise FatalError("--ref and --include-unverified read the team record: add --team")
    if issue_prefix is not None and not re.fullmatch(r"[A-Z][A-Z0-9_]*", issue_prefix):
        raise FatalError(
            f"--issue-prefix {issue_prefix!r}: give a Jira project key (capitals, digits, _), "
            "e.g. --issue-prefix PAY"
        )
    rows = _team_rows(ctx, start, end, tasks, ref, include_unverified) if of_team else None
    if rows is None:
        rows = _own_rows(ctx, start, end, tasks)
    if fmt == "jira-worklogs":
        done = formats.jira(rows, issue_prefix)
    elif fmt == "tempo":
        done = formats.tempo(rows, issue_prefix)
    elif fmt == "ical":
        done = formats.ical(rows, ctx.now)
    else:
        done = formats.plain_csv(rows)
    if done.not_keys:
        shown = ", ".join(done.not_keys[:10]) + (", ..." if len(done.not_keys) > 10 else "")
        print(
            f"ffhooks: warning: {len(done.not_keys)} task(s) are no issue key and are given as "
            f"they are ({shown}): Jira and Tempo refuse those rows; rename the tasks "
            "(`ffhooks rename`) or give --issue-prefix KEY for tasks that are numbers",
            file=sys.stderr,
        )
    _write(done.text, output)
    if output is not None:
        print(f"Wrote {len(rows)} row(s) to {output}", file=sys.stderr)
    return 0


def _own_rows(ctx: Context, start: str | None, end: str | None, tasks: list[str]) -> list[Worklog]:
    """The caller's sessions that start in the range (the store's days), with real times."""
    with ctx.store() as store:
        if not store.exists:
            raise FatalError(
                f"{ctx.user} has no time recorded in this clone: nothing to export (`ffhooks "
                "export --team` exports the team's record)"
            )
        first = range_bound(start, ctx.now, store.tz, end=False)
        last = range_bound(end, ctx.now, store.tz, end=True)
        ordered(first, last)
        sessions = [s for s in store.started_between(first, last) if not tasks or s.task in tasks]
        if store.timer().running is not None:
            print(
                "ffhooks: the running timer is not exported: it is a session once stopped",
                file=sys.stderr,
            )
        return own(store, project_identity(ctx.repo.top, ctx.config().project), sessions)


def _team_rows(
    ctx: Context,
    start: str | None,
    end: str | None,
    tasks: list[str],
    ref: str | None,
    include_unverified: bool,
) -> list[Worklog]:
    """What `ffhooks report` counts, per user, task and day (closed periods as closed),
    from the work tree or `ref`; its notes go to stderr."""
    from ffhooks.report.billing import Scope, bound, compute, team_config

    first, last = bound(start, ctx.now, end=False), bound(end, ctx.now, end=True)
    ordered(first, last)
    scope = Scope(first=first, last=last, users=[], tasks=tasks)
    result, cells, extra, scope = compute(
        ctx.repo, ref, scope, ("user", "task", "day"), include_unverified, False, keep_cells=True
    )
    for note in result.notes:
        print(f"ffhooks: note: {note}", file=sys.stderr)
    if extra.get("adjustments"):
        print(
            "ffhooks: note: closed periods are exported as closed; their adjustments since "
            "(above) are not in the export until `ffhooks close --amend`",
            file=sys.stderr,
        )
    project = project_identity(ctx.repo.top, team_config(ctx.repo, ref).project)
    return team([c for c in cells if scope.holds(c)], project)


def _write(text: str, output: str | None) -> None:
    """`text` to the file `output` (written whole or not at all), else to stdout."""
    if output is None:
        print(text, end="")
        return
    target = Path(output)
    if target.is_dir():
        raise FatalError(f"-o {output}: is a folder: give a file name, e.g. -o worklogs.json")
    if not target.parent.is_dir():
        raise FatalError(f"-o {output}: no folder {target.parent}: create it, or write elsewhere")
    try:
        atomic_write(target, text.encode("utf-8"))
    except OSError as exc:
        raise FatalError(f"cannot write {output}: {exc.strerror}") from None


def _personal(ctx: Context, output: str | None) -> int:
    """Everything ffhooks holds about the caller, into a new folder outside the work tree
    (where `git add -A` would take it)."""
    from ffhooks.people.personal import write

    folder = Path(output) if output else Path.home() / f"ffhooks-data-{ctx.user}-{ctx.now:%Y-%m-%d}"
    top = ctx.repo.top.resolve()
    where = folder.resolve()
    if where == top or top in where.parents:
        raise FatalError(
            f"-o {folder}: is inside the work tree, where `git add -A` would commit your data: "
            f"give a folder outside it, e.g. -o ~/ffhooks-data-{ctx.user}"
        )
    with ctx.store(missing_ok=True):  # under its lock, a crashed change completed first
        counts = write(folder, ctx.repo, ctx.user, ctx.now, ctx.config())
    print(
        f"Wrote everything ffhooks holds about {ctx.user} to {folder}: "
        f"{counts['sessions']} session(s) in {counts['private-store']} private file(s), "
        f"{counts['snapshots']} snapshot(s), {counts['queue']} queue entr(ies), "
        f"{counts['summaries']} committed summary version(s), {counts['closed-periods']} "
        "row(s) of closed periods; README.txt says what each is and how long it is kept"
    )
    return 0
