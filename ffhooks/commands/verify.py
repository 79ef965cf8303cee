from __future__ import annotations

import json

from ffhooks.errors import FatalError
from ffhooks.git.objects import resolve_commit
from ffhooks.git.plumbing import Repo
from ffhooks.trust.policy import cache_file
from ffhooks.trust.verify import (
    Finding,
    losses_since,
    policy_changes,
    shallow,
    signed_by_added_keys,
    since_base,
    since_fork,
    verify_commit,
)


def closed_changes(repo: Repo, commit: str) -> list[Finding]:
    """Each user and task whose time in a closed period differs at `commit` from what the
    period's tag recorded."""
    from ffhooks.report import closing
    from ffhooks.report import report as rep

    try:
        closed = closing.closed_periods(repo)
        if not closed:
            return []
        cells = rep.cells(rep.summaries(rep.read_ref(repo.top, commit)))
    except FatalError as exc:
        return [Finding("ffhooks/closed/", str(exc))]
    found = []
    for c in closed:
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


def verify(repo: Repo, *, ref: str, since: str | None, fmt: str, closed_only: bool = False) -> int:
    """CI: the committed summaries at `ref` are intact, no private file was committed,
    (with `since`) nothing after `since` took billed time out of the record, and no closed
    period changed."""
    commit = resolve_commit(repo.top, ref)
    fork, shown = "", ""
    if since is not None and not closed_only:  # first: what the clone lacks ends it at once
        base, shown = since_base(repo, since)
        fork = since_fork(repo.top, base, commit, shown)
    checked, found, warnings = 0, list[Finding](), list[Finding]()
    if not closed_only:
        checked, found, warnings = verify_commit(repo.top, commit, cache_file(repo.state_dir))
    found += closed_changes(repo, commit)
    if fork:
        found += losses_since(repo.top, fork, commit, shown)
        found += signed_by_added_keys(repo.top, fork, commit, shown)
        problems, notices = policy_changes(repo.top, fork, commit, shown)
        found += problems
        warnings += notices
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
