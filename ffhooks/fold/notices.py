"""What a fold of one store has to tell the person committing (`FoldOutcome`), in the words
both `ffhooks aggregate` and the commit hook print: files staged as found, tombstones of an
older ffhooks, unsigned summaries, a timer past max_session_hours, and the time billed."""

from __future__ import annotations

from ffhooks.config import TeamConfig
from ffhooks.fold.aggregate import FoldOutcome
from ffhooks.layout import SUMMARIES


def warnings(user: str, done: FoldOutcome, config: TeamConfig) -> list[str]:
    """The lines for stderr, each to be printed after `ffhooks: `."""
    said = []
    lost = [p for p in done.staged if p not in done.written]
    if lost:
        said.append(
            f"staged {len(lost)} summary file(s) of {user} that the index had lost (e.g. after "
            f"`git reset`): {lost[0]}"
        )
    if done.restored:
        said.append(
            f"put back {len(done.restored)} superseded summary file(s) of {user} that an older "
            f"ffhooks made tombstones and `git reset` unstaged, e.g. {done.restored[0]}: "
            "summaries are no longer buried (`ffhooks compact` deletes them on the default "
            "branch)"
        )
    if done.waiting:
        said.append(
            f"{len(done.waiting)} superseded summary file(s) of {user} are tombstones an older "
            f"ffhooks left unstaged (after `git reset`?), e.g. {done.waiting[0]}: summaries are "
            f"no longer buried; `git restore -- {SUMMARIES}` discards them"
        )
    if done.unsigned:
        said.append(
            f"{user}'s summaries are unsigned and the team asks for signatures (team config "
            "`signatures`): `ffhooks init --signing` sets up your SSH key"
        )
    if done.capped:
        hours = f"{config.max_session_hours:g}h"
        said.append(
            f"{user}'s timer on {done.capped} has run past max_session_hours ({hours}): the "
            f"summaries count {hours} of it until you stop it (`ffhooks stop --at TIME` with the "
            "real end, or --force if it really ran that long)"
        )
    return said


def billed(user: str, done: FoldOutcome) -> str | None:
    """The commit hook's one line of what it folded (each month it wrote, with the change of
    its billable time), None if it wrote no month."""
    if not done.billed:
        return None
    from ffhooks.clock import format_duration

    months = ", ".join(
        f"{'+' if change > 0 else '-'}{format_duration(abs(change))} billable in {month}"
        if change
        # a rename, or a change of non-billable time: the summary changed all the same
        else f"{month} written again (billable unchanged)"
        for month, change in done.billed
    )
    return f"ffhooks: {user} {months}, staged"
