"""What every command resolves once: the repository, the user and the current instant."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from ffhooks.config import TeamConfig, load_config
from ffhooks.git.plumbing import Repo
from ffhooks.records import NamedTuple
from ffhooks.store.open import open_store
from ffhooks.store.store import Store


class Context(NamedTuple):
    repo: Repo
    user: str
    now: datetime
    new_store: bool = False  # --new-store: create a store even where snapshots of one exist
    # a name given with --user that nobody here has (without --new-user): the refusal to
    # give instead of creating a store for it; reading what it has creates nothing anyway
    stranger: str | None = None
    team: TeamConfig | None = None  # the team config, where the caller has read it already
    # the words typed after `ffhooks` (None: run by no command line, e.g. the commit hook),
    # recorded with each change of the store for `ffhooks undo` to name
    words: tuple[str, ...] | None = None

    def config(self) -> TeamConfig:
        return self.team if self.team is not None else load_config(self.repo.flowforge)

    @contextmanager
    def store(
        self, *, create: bool = False, timezone: str | None = None, missing_ok: bool = False
    ) -> Iterator[Store]:
        """The user's store, under its lock (see `open_store`: a lost one raises
        `MissingStore` unless `missing_ok`)."""
        with open_store(
            self.repo.top,
            self.repo.state_dir,
            self.user,
            self.now,
            create=create,
            timezone=timezone,
            new_store=self.new_store,
            stranger=self.stranger,
            missing_ok=missing_ok,
            command=self.words,
        ) as store:
            yield store
