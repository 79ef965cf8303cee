"""The commit hook as one pipeline over the commit being made (`Committing`, resolved once):
refuse what must not be committed (hook/guard.py), fold every store into the team summaries
and stage them, then check the staged files a schema covers (hook/validate.py). Nothing here
prints: what the hook has to say is gathered in `Said`, which `commands/hook.py` prints."""

from __future__ import annotations

import os

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo, staged_changes, start_git
from ffhooks.layout import HEAD_QUERY, STAGED_QUERY, SUMMARIES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime

    from ffhooks.config import TeamConfig


class Said:
    """What the hook has to say: `out`, its lines of what it folded and the staged files'
    problems; `err`, its notices (each printed after `ffhooks: `); `refusals`, every reason
    the commit cannot happen (the hook fails with the last)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []
        self.refusals: list[FatalError] = []


class Committing:
    """One commit, resolved once: the repository (carrying the git queries started ahead for
    it) and the team config, read when first needed and then never again."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._config: TeamConfig | FatalError | None = None

    def config(self) -> TeamConfig:
        """The team config (its refusal, raised again at each ask, if it cannot be read)."""
        if self._config is None:
            from ffhooks.config import load_config

            try:
                self._config = load_config(self.repo.flowforge)
            except FatalError as exc:
                self._config = exc
        if isinstance(self._config, FatalError):
            raise self._config
        return self._config

    def config_read(self) -> bool:
        return self._config is not None


def run(repo: Repo) -> Said:
    """The whole hook: every refusal and notice in what it returns."""
    from ffhooks import caller
    from ffhooks.git.ahead import Ahead
    from ffhooks.store.identity import stores

    ahead = caller.ahead or Ahead()
    commit = Committing(repo._replace(ahead=ahead))
    said = Said()
    try:
        # git answers what the guard and the first fold will ask while Python imports the rest
        start_git(commit.repo, STAGED_QUERY)
        users, odd = stores(repo)
        if users:
            start_git(commit.repo, [*HEAD_QUERY, f"{SUMMARIES}/{users[0]}/"])
            import ffhooks.fold.run  # noqa: F401  (the fold's imports, on this core meanwhile)
        _run(commit, users, odd, said)
    finally:
        ahead.forget()
    return said


def _run(commit: Committing, users: list[str], odd: list[str], said: Said) -> None:
    from ffhooks.hook.guard import compaction, refuse

    changes = staged_changes(commit.repo)
    names = {path for _, status, path in changes if status != "D"}
    try:
        refuse(commit.repo, changes)
    except FatalError as exc:
        said.refusals.append(exc)  # nothing is folded into a commit that will not happen
    else:
        # never fails (failures are queued); what it writes itself is valid by construction,
        # what it stages as found (the index had lost it) is checked like the user's
        if compaction(commit.repo, changes):
            said.err.append(
                "this commit only deletes superseded summaries (compaction): nothing is folded "
                "into it; your time goes into your next commit"
            )
        elif users or odd:  # the fold's modules (clock, zones, dates) only for a store
            from ffhooks.clock import now_from_env

            names.update(fold_every_store(commit, users, odd, now_from_env(os.environ), said))
    try:
        validate_staged(commit, names, said)  # every problem is named, the guard's and the files'
    except FatalError as exc:
        said.refusals.append(exc)


def fold_every_store(
    commit: Committing, users: list[str], odd: list[str], now: datetime, said: Said
) -> list[str]:
    """Fold every store of the work tree, each under its own user's name (an IDE's commit
    without FFHOOKS_USER must not leave anyone's time behind). Never fails: a store that
    cannot be folded is queued, its time safe in it. Returns the files staged as found (the
    index had lost them), which the hook validates like the user's."""
    from ffhooks.git.merge_config import merge_settings

    if odd:
        said.err.append(odd_store(odd))
    changed = merge_settings(commit.repo) if users else []
    if changed:
        said.err.append(
            f"set up this clone's merges of summaries ({', '.join(changed)}), so that merges, "
            "cherry-picks and rebases settle them by themselves"
        )
    touched = []
    for user in users:
        try:
            touched += _fold(commit, user, now, said)
        except Exception as exc:
            from ffhooks.queue import queued

            where = queued(commit.repo.state_dir, "aggregate", user, exc, now)
            said.err.append(f"time of {user} not aggregated {where}")
    return touched


def _fold(commit: Committing, user: str, now: datetime, said: Said) -> list[str]:
    # imported here: a teammate who tracks nothing pays for a `listdir`, not for these
    from ffhooks.context import Context
    from ffhooks.fold import notices
    from ffhooks.fold.run import fold_store

    config = commit.config()
    done = fold_store(Context(repo=commit.repo, user=user, now=now, team=config))
    said.err += notices.warnings(user, done, config)
    line = notices.billed(user, done)
    if line:
        said.out.append(line)
    return [p for p in done.staged if p not in done.written]


def odd_store(odd: list[str]) -> str:
    return (
        f".flowforge/user/{odd[0]} is not a store ffhooks can fold (user folders are 1-64 of "
        "a-z 0-9 . _ -): rename it to the user's name in lower case"
    )


def validate_staged(commit: Committing, names: set[str], said: Said) -> None:
    """Check the staged files (`names`) that a schema covers, ffhooks' own and the team's
    globs: nothing said when all are valid, else each problem and one refusal."""
    from ffhooks.hook.validate import to_check

    paths = to_check(commit, names)
    if not paths:
        return
    from ffhooks.trust.policy import checked
    from ffhooks.validator.checks import counted

    results, warnings = checked(commit.repo, set(paths), config=commit.config)
    said.out += [str(p) for r in results for p in r.problems]
    said.out += [f"warning: {p}" for p in warnings]
    if any(r.problems for r in results):
        raise FatalError(counted(results))
