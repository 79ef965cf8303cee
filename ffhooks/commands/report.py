from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ffhooks.clock import ordered
from ffhooks.config import TeamConfig
from ffhooks.errors import FatalError
from ffhooks.fsio import atomic_write
from ffhooks.git.plumbing import Repo
from ffhooks.report import report as rep
from ffhooks.report.billing import Scope, bound, compute, team_config


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
    repo: Repo | None,
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
    round_mode: str | None,
    output: str | None,
    include_unverified: bool = False,
    ignore_closed: bool = False,
    title: str | None = None,
    tags: Sequence[str] = (),
    dataset: str | None = None,
    repos: list[str] | None = None,
) -> int:
    group_by = tuple(d.strip() for d in by.split(",") if d.strip())
    dimensions = rep.DIMENSIONS if dataset is None else rep.DATASET_DIMENSIONS
    unknown = [d for d in group_by if d not in dimensions]
    if unknown or len(set(group_by)) != len(group_by):
        raise FatalError(
            f"--by {by!r}: use distinct names among {', '.join(dimensions)}, "
            "e.g. --by user,week" + (" (repo with --dataset)" if "repo" in unknown else "")
        )
    if round_minutes is not None and not 0 <= round_minutes <= 1440:
        raise FatalError(
            f"--round {round_minutes}: give minutes between 1 and 1440 (0: not rounded)"
        )
    if repo is not None and repo.bare and ref is None:
        raise FatalError(
            f"{repo.top} is a bare repository: it has no work tree to report from; name the "
            "branch to report, e.g. `ffhooks report --ref main`"
        )
    target = None if output is None else writable(output)
    first, last = bound(start, now, end=False), bound(end, now, end=True)
    ordered(first, last)
    wanted = tuple(t.strip().lstrip("+") for v in tags for t in v.split(",") if t.strip())
    # --round and --round-mode as given: without them, the team's minimum billable increment
    scope = Scope(
        first=first,
        last=last,
        users=users,
        tasks=tasks,
        round_minutes=round_minutes,
        round_mode=round_mode or "up",
        tags=wanted,
    )
    if repo is None or dataset is not None:  # main gives no repository with --dataset
        from ffhooks.org import dataset as org

        org.refuse_options(ref, include_unverified, ignore_closed)
        if wanted or "tag" in group_by:
            raise FatalError("a dataset holds no tags: --tag and --by tag read one repository")
        # each repository's rows round as its own team's increment says
        result, cells, extra, scope, config = org.compute(
            Path(dataset or "."),
            scope,
            group_by,
            repos or [],
            keep_cells=fmt == "html",
            round_mode=round_mode,
        )
    else:
        if repos:
            raise FatalError("--repo chooses repositories of a dataset: give --dataset DIR")
        config = team_config(repo, ref)
        scope = scope._replace(
            round_minutes=(config.round_minutes if round_minutes is None else round_minutes)
            or None,
            round_mode=round_mode or config.round_mode,
        )
        result, cells, extra, scope = compute(
            repo, ref, scope, group_by, include_unverified, ignore_closed, keep_cells=fmt == "html"
        )
    if fmt == "json":
        text = rep.dumps(result, **extra) + "\n"
    elif fmt == "html":
        text = _page(config, result, cells, scope, now, title)
    else:
        from ffhooks.report import render

        text = {"table": render.table, "csv": render.to_csv, "markdown": render.markdown}[fmt](
            result
        )
    if ref is None and repo is not None:
        _warn_if_lost(repo)
    if target is not None:
        try:
            atomic_write(target, text.encode("utf-8"))
        except OSError as exc:
            raise FatalError(f"cannot write {output}: {exc.strerror}") from None
        print(f"Wrote {output}")
    else:
        print(text, end="")
    return 0


def _warn_if_lost(repo: Repo) -> None:
    """A report of the work tree, where the time store of the person running it is lost:
    the summaries lack what it recorded since it was last folded, until it is restored."""
    import os

    from ffhooks.store.identity import resolve_user
    from ffhooks.store.open import missing

    try:
        user = resolve_user(None, os.environ, repo.top)
    except FatalError:
        return  # nobody to name: a report needs no user
    lost = missing(repo.top, repo.state_dir, user)
    if lost is not None:
        print(
            f"ffhooks: warning: {lost.what}: this report lacks what it recorded since it was "
            f"last folded; `{lost.fix}` brings it back",
            file=sys.stderr,
        )


def _page(
    config: TeamConfig,
    result: rep.Report,
    cells: list[rep.Cell],
    scope: Scope,
    now: datetime,
    title: str | None,
) -> str:
    """The HTML page: its title names the first and last day it covers (the data's, where
    the range is open) and the team config's title and client."""
    from ffhooks.report import html_page

    counted = [rep.period_of(c.period) for c in cells if scope.holds(c)]
    first = scope.first or min((p.first for p in counted), default=None)
    last = scope.last or max((p.last for p in counted), default=None)
    heading = html_page.Heading(
        first=first, last=last, title=title or config.report_title, client=config.report_client
    )
    if not scope.tags:  # a user's day is rounded whole, as the totals round it by task
        cells = [c._replace(tag=rep.UNTAGGED) for c in cells]
    weekly = rep.build(cells, group_by=("user", "week"), **scope.options(config))
    return html_page.page(result, html_page.weekly_hours(weekly.rows), now.date(), heading)
