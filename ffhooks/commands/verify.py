from __future__ import annotations

import json

from ffhooks.errors import FatalError
from ffhooks.git.objects import resolve_commit
from ffhooks.git.plumbing import Repo
from ffhooks.records import NamedTuple
from ffhooks.report import closers
from ffhooks.report.closing import Adjustment
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


class ToBill(NamedTuple):
    """Time added to a closed period since it was closed: an adjustment to bill."""

    tag: str
    adjustment: Adjustment
    currency: str | None  # of its amount, from the team config at the commit verified

    def __str__(self) -> str:
        a, base = self.adjustment, self.tag.removeprefix("ffhooks/closed/").partition(".")[0]
        return (
            f"{self.tag}: {a.user} task {a.task} added since the period was closed "
            f"({a.change(self.currency)}): an adjustment to bill; once billed, `ffhooks close "
            f"{base} --amend` closes the period again"
        )


def closed_changes(
    repo: Repo, commit: str, untrusted: frozenset[str] = frozenset()
) -> tuple[list[Finding], list[ToBill]]:
    """Each user and task whose time in a closed period differs at `commit` from what the
    period's tag recorded (not for `untrusted` tags: their figures blame no one): where a
    figure went down on some day, a problem naming it; where time was only added, an
    adjustment to bill, priced by the team config at `commit`."""
    from ffhooks.report import closing
    from ffhooks.report import report as rep
    from ffhooks.trust import record
    from ffhooks.trust.policy import policy_at
    from ffhooks.validator.digest import DigestCache

    try:
        closed = closing.closed_periods(repo)
        if not closed:
            return [], []
        spans = [rep.months_within(c.span.first, c.span.last) for c in closed]
        listed = record.listing(repo.top, commit, lambda month: any(s(month) for s in spans))
        digests = record.digests(listed, DigestCache(repo.state_dir))
        # a month a closed period covers in part, or whose summaries changed since it was
        # closed, is counted by day; any other by its digests
        changed = closing.changed_months(closed, listed)
        by_day = lambda m: m in changed or any(c.span.cuts(m) for c in closed)  # noqa: E731
        units = list(rep.units(listed, digests, by_day))
        config = policy_at(repo.top, commit)[0]
    except FatalError as exc:
        return [Finding("ffhooks/closed/", str(exc))], []
    held_whole = {d.month for d in digests.values() if d.month_level and d.tasks}
    found = [Finding(c.closed.span.tag, c.problem) for c in closing.cuts(closed, held_whole)]
    added = []
    prices = rep.Prices(config.rates, None, "up")
    for c in closed:
        if c.span.tag in untrusted:
            continue
        then = rep.merged(closing.cells_of(c.report))
        now = [u for u in units if c.span.holds(u.period)]
        for a in closing.adjustments(c.span.label, then, now, prices):
            if not a.lowered:
                added.append(ToBill(c.span.tag, a, config.currency))
                continue
            base = c.span.label.partition(".")[0]
            found.append(
                Finding(
                    c.span.tag,
                    f"{a.user} task {a.task} lowered since the period was closed "
                    f"({a.lowering()}; in all: {a.change(config.currency)}): billed time was "
                    "taken out; if by mistake, record it again where it was tracked; if the "
                    f"invoice billed too much, credit it, then `ffhooks close {base} --amend`",
                )
            )
    return found, added


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
    lowered, to_bill = closed_changes(repo, commit, frozenset(f.path for f in problems))
    found += lowered + problems
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
            "adjustments": [
                {"tag": t.tag, **t.adjustment.to_json(), "notice": str(t)} for t in to_bill
            ],
        }
        priced = [t.currency for t in to_bill if t.adjustment.amount_cents is not None]
        if any(priced):  # one team config: one currency
            result["currency"] = next(c for c in priced if c)
        print(json.dumps(result, indent=2))
        return 1 if found else 0
    for finding in found:
        print(finding)
    for finding in warnings:
        print(f"warning: {finding}")
    for addition in to_bill:
        print(f"warning: {addition}")
    if found:
        raise FatalError(f"{len(found)} problem(s) in the team record at {ref} ({commit[:12]})")
    billed = f"; {len(to_bill)} adjustment(s) to bill in closed periods (above)" if to_bill else ""
    if closed_only:
        state = "no closed period lowered" if to_bill else "every closed period unchanged"
        print(f"{ref} ({commit[:12]}): {state}{billed}")
    else:
        print(f"{ref} ({commit[:12]}): {checked} file(s) under .flowforge/, all valid{billed}")
    return 0
