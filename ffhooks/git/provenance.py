"""Where a report's figures come from: the ref and commit read, and how that branch stands
against its upstream as this clone last fetched it. A manager who forgot to pull must see
it on the page before the client does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from ffhooks.git.plumbing import Repo, current_branch, run_git
from ffhooks.records import NamedTuple
from ffhooks.summary import SUMMARIES


class Provenance(NamedTuple):
    """The ref a report read (None: the work tree) and its commit (None before the first
    one); for a local branch, its upstream and how many commits each side has that the other
    lacks; when this clone last fetched (UTC, to the minute), for a branch with an upstream
    or a remote-tracking ref."""

    ref: str | None
    commit: str | None
    branch: str | None = None
    uncommitted: int = 0  # the work tree's summary files that its commit does not hold so
    upstream: str | None = None
    ahead: int = 0
    behind: int = 0
    fetched: str | None = None

    def said(self) -> list[str]:
        """The source in words: where the figures were read, then (if it is so) that they
        may be stale."""
        at = f"commit {self.commit[:12]}" if self.commit else "no commit yet"
        if self.ref is None:
            where = f"the work tree of {self.branch}" if self.branch else "the work tree"
            waiting = self.uncommitted
            more = f", {waiting} summary file(s) not committed yet" if waiting else ""
            lines = [f"Read from {where} ({at}{more})"]
        else:
            lines = [f"Read from {self.ref} ({at})"]
        when = f"as last fetched {self.fetched} UTC" if self.fetched else "(never fetched)"
        if self.upstream:
            name = self.branch or self.ref
            if self.behind:
                lines.append(
                    f"WARNING: {name} is {self.behind} commit(s) behind {self.upstream} "
                    f"{when}: pull (`git pull`) and report again for the latest figures"
                )
            else:
                lines.append(f"{name} is up to date with {self.upstream} {when}")
            if self.ahead:
                lines.append(f"{name} has {self.ahead} commit(s) not pushed to {self.upstream}")
        elif self.fetched and self.ref:
            lines.append(
                f"{self.ref} is as this clone last fetched it ({self.fetched} UTC): "
                "`git fetch` for the latest figures"
            )
        return lines


_FORMAT = "%(refname)%00%(upstream)%00%(upstream:short)%00%(upstream:track)"


def source_of(
    repo: Repo, ref: str | None, commit: str | None, months: Iterable[str] = ()
) -> Provenance:
    """The source of a report of `ref` (None: the work tree) that read `commit` (the work
    tree's HEAD is looked up here) in `months` (the work tree's summary files not committed
    are counted in those only: a report of a month does not stat the whole record)."""
    if ref is None:
        branch = current_branch(repo)
        head = run_git(["rev-parse", "--verify", "--quiet", "HEAD"], repo.top, check=False)
        full = f"refs/heads/{branch}" if branch else ""
        waiting = _uncommitted(repo, sorted(set(months)))
        commit = head.strip() or None
    else:
        full = run_git(["rev-parse", "--symbolic-full-name", ref], repo.top, check=False).strip()
        branch = full[len("refs/heads/") :] if full.startswith("refs/heads/") else None
        waiting = 0
    found = Provenance(ref=ref, commit=commit, branch=branch, uncommitted=waiting)
    if full.startswith("refs/remotes/"):
        return found._replace(fetched=_fetched(repo, full))
    if branch is None:
        return found
    line = run_git(
        ["for-each-ref", f"--format={_FORMAT}", full],
        repo.top,
        check=False,
    )
    for entry in line.splitlines():
        name, upstream, short, track = entry.split("\0")
        if name == full and upstream and track != "[gone]":
            ahead, behind = _counts(track)
            fetched = _fetched(repo, upstream)
            return found._replace(upstream=short, ahead=ahead, behind=behind, fetched=fetched)
    return found


def _uncommitted(repo: Repo, months: list[str]) -> int:
    """How many of the work tree's summary files of `months` are not as HEAD holds them
    (staged, changed or new)."""
    if not months:
        return 0
    status = ["--no-optional-locks", "status", "--porcelain", "-z", "--no-renames"]
    folders = [f":(glob){SUMMARIES}/*/{m}/*" for m in months]
    out = run_git([*status, "--untracked-files=all", "--", *folders], repo.top, check=False)
    return sum(1 for entry in out.split("\0") if entry)


def _counts(track: str) -> tuple[int, int]:
    """`[ahead 2, behind 3]` as (2, 3); `` (up to date) as (0, 0)."""
    counts = {"ahead": 0, "behind": 0}
    for part in track.strip("[]").split(","):
        word, _, number = part.strip().partition(" ")
        if word in counts and number.isdigit():
            counts[word] = int(number)
    return counts["ahead"], counts["behind"]


def _fetched(repo: Repo, tracking: str) -> str | None:
    """When this clone last heard from the remote of `tracking` (a remote-tracking ref):
    its last fetch (FETCH_HEAD's time), or the ref's last update (its reflog: the clone, a
    fetch or a push), whichever is later; UTC to the minute, None if it cannot be told."""
    times = [
        (folder / "FETCH_HEAD").stat().st_mtime
        for folder in {repo.git_dir, repo.common_dir}
        if (folder / "FETCH_HEAD").is_file()
    ]
    remote_head = tracking.rpartition("/")[0] + "/HEAD"  # a clone logs only this one
    for ref in (tracking, remote_head):
        try:
            with open(repo.common_dir / "logs" / ref, "rb") as log:
                last = log.read().rstrip(b"\n").rpartition(b"\n")[2]
            times.append(int(last.partition(b"\t")[0].split()[-2]))
        except (OSError, IndexError, ValueError):
            pass  # no reflog (core.logAllRefUpdates off, a bare mirror)
    if not times:
        return None
    return datetime.fromtimestamp(max(times), timezone.utc).strftime("%Y-%m-%d %H:%M")
