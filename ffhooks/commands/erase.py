"""`ffhooks erase USER`: a person's name and details out of what ffhooks holds (GDPR article
17), their billed time kept: on this machine their store, snapshots and queue entries go;
in the repository their summaries become a pseudonym's, in a commit of its own."""

from __future__ import annotations

import sys
from datetime import datetime

from ffhooks.clock import format_duration
from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo
from ffhooks.people import erasure


def erase(repo: Repo, now: datetime, *, user: str, yes: bool = False) -> int:
    erasure.check_name(user)
    found = erasure.local(repo, user)
    summaries = erasure.committed(repo, user)
    if not found.any() and not summaries:
        raise FatalError(f"ffhooks holds nothing about {user} here (no store, no summaries)")
    unbilled = erasure.uncommitted(repo, user, now)
    if unbilled:
        raise FatalError(
            f"{user}'s store here holds {format_duration(unbilled)} that no commit holds yet: "
            "billable time would be lost; commit it first (`ffhooks aggregate`, then `git "
            "commit`), then erase"
        )
    plan = found.described()
    if summaries:
        plan.append(
            f"{len(summaries)} committed summary file(s) moved under a pseudonym, in a commit "
            "of its own (figures unchanged)"
        )
    print(f"Erasing {user}: {'; '.join(plan)}.")
    if not yes:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise FatalError("erasure deletes for good: add --yes to confirm")
        answer = input("Erase? This cannot be undone [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing erased.")
            return 1
    moved = erasure.pseudonymise(repo, user, now.date().isoformat())
    erasure.remove_local(repo, user, found)
    if moved.commit is not None:
        print(
            f"Moved {moved.paths} summary file(s) to {moved.pseudonym} in commit "
            f"{moved.commit[:12]}; reports total the same, and say the name was erased. "
            "Push it: `git push`"
        )
    if found.any():
        print(f"Deleted from this clone: {'; '.join(found.described())}.")
    tags = erasure.closed_naming(repo, user)
    if tags:
        print(
            f"{len(tags)} closed period(s) still hold the name in their tags ({', '.join(tags)}):"
            f" reports read them as {moved.pseudonym or 'the pseudonym'}; a full erasure closes "
            "them again (see Exports and personal data)"
        )
    print(
        "Still holding the name: git history (the commits before this one), other clones and "
        "the hosts' copies; `ffhooks.log` here if it named it. A full erasure rewrites history "
        "(see Exports and personal data)."
    )
    return 0
