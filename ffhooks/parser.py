"""The command line's parser: every command with its one-line help, and `build_parser`.

Each command's options are added by a function of `options_user.py` (a user's own time and
store) or `options_team.py` (the team's files, the repository, the clone). `main` runs the
parsed command; `ffhooks completion` reads this parser.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from ffhooks import __version__
from ffhooks import options_team as team
from ffhooks import options_user as user

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "init": ("set up ffhooks in this repository (safe to run again)", team.init),
    "start": ("start a timer (stops the running one at the same instant)", user.start),
    "pause": ("end the current session and remember its task", user.pause),
    "resume": ("start a new session on the paused task", user.resume),
    "stop": ("end the running timer", user.timer_options),
    "status": ("show the running or paused timer", user.json_only),
    "add": ("record a session after the fact", user.add),
    "log": ("list your sessions (default: the last 7 days)", user.log),
    "edit": ("correct a recorded session, or the running timer (ID `current`)", user.edit),
    "cancel": ("drop the running or paused timer: nothing is recorded", user.nothing),
    "restart": ("start the task of the last session again", user.restart),
    "remove": ("delete a recorded session (asks on a terminal, unless --yes)", user.remove),
    "import": ("load sessions from JSON lines, Watson or Timewarrior", user.import_),
    "timezone": ("show or set the time zone in which your days are cut", user.timezone),
    "aggregate": ("fold every store here into the team summaries and stage them", team.aggregate),
    "report": ("the team's billable time from the committed summaries", team.report),
    "validate": ("check ffhooks JSON files against their schemas", team.validate),
    "recover": (
        "queue, snapshots and summaries: status, retry, restore, rebuild, verify",
        user.recover,
    ),
    "store": ("your store's identity; fork a copied one, or say it moved", user.store),
    "snapshot": ("recovery snapshots of your private store: list, create, verify", user.snapshot),
    "verify": ("CI check of the committed summaries at a ref", team.verify),
    "compact": (
        "bound the history: tombstones for superseded summaries, or old ones gone",
        team.compact,
    ),
    "close": ("record a billed period's report as a git tag; later changes show apart", team.close),
    "resolve": ("settle merge conflicts over summaries (then commit or --continue)", user.nothing),
    "merge-summary": (
        "git merge driver for summaries (set up by init and the hook)",
        team.merge_summary,
    ),
    "daemon": ("background snapshots and retries for this clone", user.daemon),
    "health": ("what the daemon last did", user.json_only),
    "completion": ("print a completion script: bash, zsh or fish", team.completion),
    "schema": ("print a JSON Schema of an ffhooks file, or --list them", team.schema),
    "migrate": (
        "bring legacy FlowForge time and JSON-lines exports into the summaries",
        team.migrate,
    ),
    "demo": (
        "a throw-away team: a week of work through the real hooks, then the report",
        team.demo,
    ),
    "hook": ("the commit hook in one process: guard, aggregate, validate staged", user.nothing),
    "guard": ("hook: refuse a commit that would publish private time", user.nothing),
    "branch-timer": ("hook: a running timer follows a branch switch", user.branch_timer),
}


# Commands that act for no user in particular (report's own --user filters, and repeats).
_FOR_NO_ONE = (
    "completion",
    "report",
    "demo",
    "schema",
    "migrate",
    "validate",
    "verify",
    "close",
    "compact",
    "resolve",
    "merge-summary",
    "health",
    "aggregate",  # folds every store of the work tree, each under its own user
    "hook",  # the same
    "guard",
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that subcommand (building all of them costs more than a
    timer command may: `bench/cli_latency.py`)."""
    import argparse  # not imported by the commit hook, which has no options

    class _Formatter(argparse.HelpFormatter):
        """argparse's formatter imports shutil (and its compressors) for the terminal width on
        every `add_argument`; asking `os` directly costs nothing."""

        def __init__(self, prog: str) -> None:
            try:
                width = os.get_terminal_size(sys.stdout.fileno()).columns
            except (OSError, ValueError):
                width = int(os.environ.get("COLUMNS", "0") or 0) or 80
            super().__init__(prog, width=max(width - 2, 40))

    parser = argparse.ArgumentParser(
        prog="ffhooks",
        description="Billable time tracking through git hooks.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"ffhooks {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (text, add_arguments) in COMMANDS.items():
        if only is None or name == only:
            p = sub.add_parser(name, help=text, description=text, formatter_class=_Formatter)
            if name not in _FOR_NO_ONE:
                p.add_argument("--user", help="whose time (default: FFHOOKS_USER, git config)")
            add_arguments(p)
    return parser
