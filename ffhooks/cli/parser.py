"""The command line's parser: every command with its heading in `ffhooks --help` and its
one-line help, and `build_parser`.

Each command's options are added by a function of `cli/user_options.py` (a user's own time and
store) or `cli/team_options.py` (the team's files, the repository, the clone). `main` runs the
parsed command; `ffhooks completion` reads this parser.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from ffhooks import __version__
from ffhooks.cli import team_options as team
from ffhooks.cli import user_options as user

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


# The headings of `ffhooks --help`, in the order a user needs them. PLUMBING is what git and
# pre-commit run: those commands work as any other, but neither --help nor completion offers them.
TRACKING = "tracking your time"
TEAM = "team and billing"
REPAIR = "recovery and repair"
SETUP = "setup"
PLUMBING = ""

# command: (heading, one-line help, what adds its options); listed in this order
COMMANDS: dict[str, tuple[str, str, Callable[[argparse.ArgumentParser], None]]] = {
    "start": (TRACKING, "start a timer (stops the running one at the same instant)", user.start),
    "stop": (TRACKING, "end the running timer", user.timer_options),
    "status": (TRACKING, "your timer, time not yet committed, what needs you", user.json_only),
    "pause": (TRACKING, "end the current session and remember its task", user.pause),
    "resume": (TRACKING, "start a new session on the paused task", user.resume),
    "add": (TRACKING, "record a session after the fact", user.add),
    "log": (TRACKING, "list your sessions (default: the last 7 days)", user.log),
    "edit": (
        TRACKING,
        "correct a recorded session, or the running timer (ID `current`)",
        user.edit,
    ),
    "cancel": (
        TRACKING,
        "drop the running or paused timer: nothing is recorded",
        user.nothing,
    ),
    "restart": (TRACKING, "start the task of the last session again", user.restart),
    "remove": (
        TRACKING,
        "delete a recorded session (asks on a terminal, unless --yes)",
        user.remove,
    ),
    "rename": (
        TRACKING,
        "rename a task in your sessions and timer (all, or --from/--to)",
        user.rename,
    ),
    "undo": (
        TRACKING,
        "take back your last change to sessions or timer (--list, --redo)",
        user.undo,
    ),
    "import": (TRACKING, "load sessions from JSON lines, Watson or Timewarrior", user.import_),
    "timezone": (
        TRACKING,
        "show or set the time zone in which your days are cut",
        user.timezone,
    ),
    "report": (TEAM, "the team's billable time from the committed summaries", team.report),
    "tasks": (
        TEAM,
        "the tasks the summaries know, with titles, first and last use, and totals",
        team.tasks,
    ),
    "collect": (
        TEAM,
        "an organisation's dataset: many repositories' summaries as Parquet and JSON lines",
        team.collect,
    ),
    "close": (
        TEAM,
        "record a billed period's report as a git tag; later changes show apart",
        team.close,
    ),
    "export": (
        TEAM,
        "your time or the team's for Jira, Tempo, CSV or a calendar; --me: all about you",
        user.export,
    ),
    "erase": (
        TEAM,
        "a person's name out of ffhooks: store and snapshots deleted, summaries pseudonymised",
        team.erase,
    ),
    "verify": (TEAM, "CI check of the committed summaries at a ref", team.verify),
    "audit": (
        TEAM,
        "every change to the billed record on a branch: who, when, how much, signed by whom",
        team.audit,
    ),
    "aggregate": (
        TEAM,
        "fold every store here into the team summaries and stage them",
        team.aggregate,
    ),
    "compact": (
        TEAM,
        "bound the history: delete superseded summaries, on the default branch",
        team.compact,
    ),
    "validate": (TEAM, "check ffhooks JSON files against their schemas", team.validate),
    "config": (
        TEAM,
        "read or change the team config (rates, currency, ...), checked before it is written",
        team.config,
    ),
    "recover": (
        REPAIR,
        "queue, snapshots and summaries: status, retry, restore, rebuild, verify",
        user.recover,
    ),
    "store": (REPAIR, "your store's identity; fork a copied one, or say it moved", user.store),
    "snapshot": (
        REPAIR,
        "recovery snapshots of your private store: list, create, verify",
        user.snapshot,
    ),
    "prune": (
        REPAIR,
        "remove your private detail older than the team's retention, once it is committed",
        user.prune,
    ),
    "resolve": (
        REPAIR,
        "settle merge conflicts over summaries (then commit or --continue)",
        user.nothing,
    ),
    "daemon": (REPAIR, "background snapshots and retries for this clone (optional)", user.daemon),
    "health": (REPAIR, "what the daemon last did", user.json_only),
    "init": (SETUP, "set up this repository, or your clone of it (safe to run again)", team.init),
    "demo": (
        SETUP,
        "a throw-away team: a week of work through the real hooks, then the report",
        team.demo,
    ),
    "migrate": (
        SETUP,
        "bring legacy FlowForge time and JSON-lines exports into the summaries",
        team.migrate,
    ),
    "completion": (SETUP, "print a completion script: bash, zsh or fish", team.completion),
    "schema": (SETUP, "print a JSON Schema of an ffhooks file, or --list them", team.schema),
    "server": (SETUP, "the optional commit-hook server: on, off, status, stop", user.server),
    "hook": (
        PLUMBING,
        "the commit hook in one process: guard, aggregate, validate staged",
        user.nothing,
    ),
    "guard": (PLUMBING, "hook: refuse a commit that would publish private time", user.nothing),
    "merge-summary": (
        PLUMBING,
        "git merge driver for summaries (set up by init and the hook)",
        team.merge_summary,
    ),
    "branch-timer": (
        PLUMBING,
        "hook: a running timer follows a branch switch",
        user.branch_timer,
    ),
}


# Commands that act for no user in particular (report's own --user filters, and repeats).
_FOR_NO_ONE = (
    "completion",
    "report",
    "tasks",
    "collect",
    "audit",
    "demo",
    "schema",
    "migrate",
    "validate",
    "config",
    "verify",
    "close",
    "erase",  # names its user, and acts for the team
    "compact",
    "resolve",
    "merge-summary",
    "health",
    "aggregate",  # folds every store of the work tree, each under its own user
    "hook",  # the same
    "guard",
    "server",  # a setting of the person at the keyboard, and their interpreter's server
)


def _version() -> str:
    """What runs: the version, and the package and Python it runs from (a pipx install, a
    virtualenv, a checkout: two installs on one machine are told apart)."""
    where = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the package
    python = ".".join(map(str, sys.version_info[:3]))
    return f"ffhooks {__version__}\nfrom {where} (Python {python}, {sys.executable})"


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

    class _Version(argparse.Action):
        """argparse's own version action would wrap the paths."""

        def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
            print(_version())
            parser.exit()

    parser = argparse.ArgumentParser(
        prog="ffhooks",
        usage="%(prog)s [-h] [--version] COMMAND ...",
        description="Billable time tracking through git hooks.",
        epilog="`ffhooks COMMAND --help` says what a command takes.",
        formatter_class=_Formatter,
    )
    parser.add_argument(
        "--version",
        action=_Version,
        nargs=0,
        default=argparse.SUPPRESS,
        help="which ffhooks runs, and from where",
    )
    # The commands are listed under their headings below, not as one list here.
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, prog="ffhooks", help=argparse.SUPPRESS
    )
    for name, (_, text, add_arguments) in COMMANDS.items():
        if only is None or name == only:
            p = sub.add_parser(name, description=text, formatter_class=_Formatter)
            if name not in _FOR_NO_ONE:
                p.add_argument("--user", help="whose time (default: FFHOOKS_USER, git config)")
            add_arguments(p)
    if only is None:
        _list_commands(parser)
    return parser


def _list_commands(parser: argparse.ArgumentParser) -> None:
    """A section of the help for each heading, one line per command under it (lines that
    only the help shows: argparse parses nothing of a group but what was added to it)."""
    import argparse

    groups: dict[str, argparse._ArgumentGroup] = {}
    for name, (heading, text, _) in COMMANDS.items():
        if heading != PLUMBING:
            if heading not in groups:
                groups[heading] = parser.add_argument_group(heading)
            line = argparse.Action(option_strings=[], dest=name, help=text)
            groups[heading]._group_actions.append(line)
