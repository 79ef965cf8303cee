from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from ffhooks.clock import detect_timezone, local_date, zone
from ffhooks.errors import FatalError
from ffhooks.git.objects import resolve_commit
from ffhooks.git.plumbing import Repo
from ffhooks.git.provenance import Provenance
from ffhooks.report import closers, closing
from ffhooks.report import report as rep
from ffhooks.report.billing import Scope, bound, compute
from ffhooks.report.render import hms
from ffhooks.trust import record
from ffhooks.validator.digest import DigestCache


def close(
    repo: Repo,
    now: datetime,
    *,
    month: str | None,
    start: str | None,
    end: str | None,
    ref: str,
    message: str | None,
    amend: bool = False,
) -> int:
    """Record the report of a period as the annotated tag ffhooks/closed/<period> on `ref`;
    `amend` records a closed period again (its next revision), once its adjustments are
    billed."""
    span = closing.span(month, bound(start, now, end=False), bound(end, now, end=True))
    today = local_date(now, zone(detect_timezone()))
    if span.last > today:
        raise FatalError(
            f"{span.label} has not ended yet (its last day is {span.last}, today is {today}): "
            "time can still be added to it; close it once it is over"
        )
    for other in closing.closed_spans(repo):
        if (other.first, other.last) == (span.first, span.last):
            if not amend:
                raise FatalError(
                    f"{span.label} is already closed (tag {other.tag}): once its adjustments "
                    f"are billed, `ffhooks close {span.label} --amend` closes it again with "
                    "today's figures"
                )
            span = other.next_revision()
        elif other.first <= span.last and other.last >= span.first:
            raise FatalError(
                f"{span.label} overlaps the closed period {other.label} (tag {other.tag}): "
                "a day is closed once; close the days after it instead"
            )
    if amend and span.revision == 1:
        raise FatalError(f"{span.label} is not closed yet: leave out --amend")
    commit = resolve_commit(repo.top, ref)
    listed = record.listing(repo.top, commit, rep.months_within(span.first, span.last))
    found = record.digests(listed, DigestCache(repo.state_dir))
    closing.check_grain(span, rep.touching(found, span.first, span.last, []).values(), commit)
    # who may close: as reports of the ref, and of this work tree, will check it
    policies = [closers.policy_at(repo.top, commit)]
    if not repo.bare:
        policies.append(closers.worktree_policy(repo))
    scope = Scope(first=span.first, last=span.last, users=[], tasks=[])
    result, _, extra, _ = compute(repo, commit, scope, closing.BY, False, True)
    # the source as `ffhooks report --ref <the tag>` will name it
    result = result._replace(source=Provenance(ref=span.tag, commit=commit))
    report_json = rep.dumps(result, **extra) + "\n"
    with tempfile.TemporaryDirectory(prefix="ffhooks-close-") as scratch:
        if any(p.required for p in policies):
            closers.check_key(closing.ssh_key(repo, Path(scratch)), policies)
        how = closing.write_tag(
            repo,
            span,
            commit,
            closing.message(span, message, report_json, policies[0].project),
            Path(scratch),
        )
    _check_written(repo, span, commit, policies)
    print(
        f"Closed {span.label} ({span.first} to {span.last}) at {commit[:12]}: "
        f"{hms(result.totals['billable_seconds'])} billable, in the tag {span.tag} ({how})"
    )
    print(f"Share it: `git push origin {span.tag}`")
    return 0


def _check_written(
    repo: Repo, span: closing.Span, commit: str, policies: list[closers.Policy]
) -> None:
    """The new tag as reports will check it: one they would refuse is deleted at once."""
    from ffhooks.git.objects import read_objects
    from ffhooks.git.plumbing import run_git
    from ffhooks.trust.policy import cache_file

    if not any(p.required for p in policies):
        return
    (raw,) = read_objects(repo.top, [f"refs/tags/{span.tag}"])
    written = closing.Closed(span=span, commit=commit, report=None, tag_object=raw)
    for policy in policies:
        found = closers.refused([written], policy, cache_file(repo.state_dir))
        if found:
            run_git(["tag", "-d", span.tag], repo.top)
            raise FatalError(
                f"tag {span.tag} was not written: git signed it so that reports would refuse "
                f"it ({found[0].problem.partition(';')[0]}): check `git config gpg.format` and "
                "ffhooks.signingkey"
            )
