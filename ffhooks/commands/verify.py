from __future__ import annotations

import json

from ffhooks.errors import FatalError
from ffhooks.git.objects import resolve_commit
from ffhooks.git.plumbing import Repo
from ffhooks.report import closers
from ffhooks.trust.policy import cache_file
from ffhooks.trust.verify import (
    Finding,
    added_unverified,
    losses_since,
    policy_changes,
    shallow,
    since_base,
    since_fork,
    verify_commit,
)


def closed_changes(
    repo: Repo, commit: str, untrusted: frozenset[str] = frozenset()
) -> list[Finding]:
    """Each user and task whose time in a closed period differs at `commit` from what the
    period's tag recorded (not for `untrusted` tags: their figures blame no one)."""
    from ffhooks.report import closing
    from ffhooks.report import report as rep
    from ffhooks.trust import record
    from ffhooks.validator.digest import DigestCache

    try:
        closed = closing.closed_periods(repo)
        if not closed:
            return []
        spans = [rep.months_within(c.span.first, c.span.last) for c in closed]
        listed = record.listing(repo.top, commit, lambda month: any(s(month) for s in spans))
        digests = record.digests(listed, DigestCache(repo.state_dir))
        # a month a closed period covers in part is counted by day; any other by its digests
        by_day = lambda month: any(c.span.cuts(month) for c in closed)  # noqa: E731
        cells = [u.cell() for u in rep.units(listed, digests, by_day)]
    except FatalError as exc:
        return [Finding("ffhooks/closed/", str(exc))]
    held_whole = {d.month for d in digests.values() if d.month_level and d.tasks}
    found = [Finding(c.closed.span.tag, c.problem) for c in closing.cuts(closed, held_whole)]
    for c in closed:
        if c.span.tag in untrusted:
            continue
        now = [x for x in cells if c.span.holds(x.period)]
        for a in closing.adjustments(c.span.label, closing.cells_of(c.report), now):
            found.append(
                Finding(
                    c.span.tag,
                    f"{a.user} task {a.task} changed since the period was closed "
                    f"({a.change()}): "
                    "reports show it as an adjustment; once billed, `ffhooks close "
                    f"{c.span.label.partition('.')[0]} --amend` closes the period again",
                )
            )
    return found


def closings_trusted(repo: Repo, commit: str) -> tuple[list[Finding], list[Finding]]:
    """(problems, warnings): each closing that counts and that the policy at `commit` does
    not accept; or, where closings need no signature, that anyone can revise them."""
    from ffhooks.report import closing

    try:
        closed = closing.closed_periods(repo)
    except FatalError:
        return [], []  # named by closed_changes
    policy = closers.policy_at(repo.top, commit)
    found = closers.refused(closed, policy, cache_file(repo.state_dir))
    unguarded = closers.warning(closed, policy)
    return [Finding(*u) for u in found], [Finding(*unguarded)] if unguarded else []


def verify(
    repo: Repo,
    *,
    ref: str,
    since: str | None,
    fmt: str,
    closed_only: bool = False,
    before: str | None = None,
) -> int:
    """CI: the committed summaries at `ref` are intact, no private file was committed,
    (with `since`) nothing after `since` took billed time out of the record, and no closed
    period changed. With JSON, a check that could not be made is JSON too (and its one line
    on stderr)."""
    try:
        return _verify(repo, ref, since, before, fmt=fmt, closed_only=closed_only)
    except FatalError as exc:
        if fmt == "json":
            error: dict[str, object] = {"ref": ref, "since": since, "before": before}
            error.update(ok=False, exit_code=exc.exit_code)
            print(json.dumps({**error, "error": str(exc)}, indent=2))
        raise


def _verify(
    repo: Repo, ref: str, since: str | None, before: str | None, *, fmt: str, closed_only: bool
) -> int:
    if since is not None and before is not None:
        raise FatalError("give --since (a pull request's base) or --before (a push), not both")
    commit = resolve_commit(repo.top, ref)
    fork, shown = "", ""
    given, option = (since, "--since") if since is not None else (before, "--before")
    if given is not None and not closed_only:  # first: what the clone lacks ends it at once
        base, shown = since_base(repo, given, option=option)
        if option == "--before" and given.strip("0"):
            # a push: against the branch as it was, even where the push rewound or rewrote it
            fork, shown = base, f"{given[:12]} (the branch before the push)"
        else:  # a pull request's base, or a new branch's: from where the two lines part
            fork = since_fork(repo.top, base, commit, shown)
    checked, found, warnings = 0, list[Finding](), list[Finding]()
    if not closed_only:
        checked, found, warnings = verify_commit(repo.top, commit, repo.state_dir)
    problems, notices = closings_trusted(repo, commit)
    found += closed_changes(repo, commit, frozenset(f.path for f in problems)) + problems
    warnings += notices
    if fork:
        found += losses_since(repo.top, fork, commit, shown)
        problems, notices = added_unverified(repo.top, fork, commit, shown)
        found += problems
        warnings += notices
        problems, notices = policy_changes(repo.top, fork, commit, shown)
        found += problems
        warnings += notices
        removed, added = closers.changes(repo.top, fork, commit, shown)
        found += [Finding(*u) for u in removed]
        warnings += [Finding(*u) for u in added]
    elif shallow(repo.top):
        warnings.append(
            Finding(
                "ffhooks/closed/",
                "this clone is shallow: closed periods whose tags it did not fetch are not "
                "checked (`git fetch --unshallow --tags origin`)",
            )
        )
    if fmt == "json":
        result = {
            "ref": ref,
            "since": since,
            "before": before,
            "commit": commit,
            "files_checked": checked,
            "ok": not found,
            "problems": [{"path": f.path, "problem": f.problem} for f in found],
            "warnings": [{"path": f.path, "problem": f.problem} for f in warnings],
        }
        print(json.dumps(result, indent=2))
        return 1 if found else 0
    for finding in found:
        print(finding)
    for finding in warnings:
        print(f"warning: {finding}")
    if found:
        raise FatalError(f"{len(found)} problem(s) in the team record at {ref} ({commit[:12]})")
    if closed_only:
        print(f"{ref} ({commit[:12]}): every closed period unchanged")
    else:
        print(f"{ref} ({commit[:12]}): {checked} file(s) under .flowforge/, all valid")
    return 0
