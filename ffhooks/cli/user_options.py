"""The options of the commands a user runs on their own time and store (`start`, `log`,
`snapshot`, ...): each function adds one command's arguments to its parser.

Each option's `dest` is the keyword its `ffhooks/commands/` function takes (`--json` is
`as_json`), so `main` passes the parsed options on as they are.
"""

from __future__ import annotations

import os

from ffhooks.clock import DAY_FORMS, RANGE_FORMS, TIME_FORMS

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


# What the commands that take times say under their options: the forms the parser reads.
FORMS = (
    f"TIME (your time zone's, unless it has an offset): {TIME_FORMS}. DURATION: 1h30m, 90m, "
    f"1.5h, 45s, 1:30 or 1:00:30. DATE: {DAY_FORMS} (the latest, today included)."
)
BILLABLE = "not billed to the client (default: billable)"
JSON = "print JSON instead of text"


def timer_options(p: argparse.ArgumentParser, *, note: bool = True) -> None:
    p.epilog = FORMS
    p.add_argument(
        "--at", metavar="TIME", help="when it happened, e.g. 14:30 or '5m ago' (default: now)"
    )
    if note:
        p.add_argument("--note", metavar="TEXT", help="free text, kept private")
    p.add_argument("--force", action="store_true", help="allow a session past max_session_hours")


def _new_store(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--new-store",
        action="store_true",
        help="start a new store even though this clone has snapshots of a lost one",
    )


def _new_user(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--new-user",
        action="store_true",
        help="--user names a person new to the team: start their store (without it, a name "
        "that is neither yours nor in the team's summaries is refused, so a typo starts no one)",
    )


def json_only(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", dest="as_json", action="store_true", help=JSON)


def nothing(p: argparse.ArgumentParser) -> None:
    pass


def start(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "words",
        nargs="*",
        metavar="TASK +TAG",
        help="the task (default: taken from the branch name), then any tags, e.g. 12 +api +review",
    )
    p.add_argument("--no-billable", dest="billable", action="store_false", help=BILLABLE)
    timer_options(p)
    _new_store(p)
    _new_user(p)


def pause(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reason", metavar="TEXT", help="why, kept with the session, e.g. lunch")
    timer_options(p, note=False)


def resume(p: argparse.ArgumentParser) -> None:
    p.epilog = FORMS
    p.add_argument("--at", metavar="TIME", help="when it happened (default: now)")


def add(p: argparse.ArgumentParser) -> None:
    p.epilog = FORMS
    p.add_argument("task", help="the task, e.g. 205 or an issue key")
    p.add_argument("duration", help="how long, e.g. 1h30m, 90m, 1.5h, 45s or 1:30")
    p.add_argument("tags", nargs="*", metavar="+TAG", help="tags, e.g. +meeting")
    when = p.add_mutually_exclusive_group()
    when.add_argument(
        "--start",
        metavar="TIME",
        help="when it started, e.g. 'yesterday 14:00' (default: it just ended)",
    )
    when.add_argument(
        "--date",
        dest="day",
        metavar="DATE",
        help="the day, e.g. monday: the first free slot from 09:00 (today, if none has passed "
        "yet: ending now)",
    )
    p.add_argument("--no-billable", dest="billable", action="store_false", help=BILLABLE)
    p.add_argument("--note", metavar="TEXT", help="free text, kept private")
    p.add_argument("--force", action="store_true", help="allow a session past max_session_hours")
    _new_store(p)
    _new_user(p)


def _days_and_tasks(p: argparse.ArgumentParser) -> None:
    """--from, --to and --task, as `log` and `export` take them."""
    p.add_argument("--from", dest="start", metavar="DATE", help=f"first day: {RANGE_FORMS}")
    p.add_argument("--to", dest="end", metavar="DATE", help="last day (the same forms)")
    p.add_argument(
        "--task",
        dest="tasks",
        action="append",
        default=[],
        metavar="TASK",
        help="only this task (repeat)",
    )


def log(p: argparse.ArgumentParser) -> None:
    _days_and_tasks(p)
    p.add_argument(
        "--all", dest="everything", action="store_true", help="every session ever recorded"
    )
    tag_filter(p)
    json_only(p)


def tag_filter(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--tag",
        dest="tags",
        action="append",
        default=[],
        metavar="TAG",
        help="only sessions carrying one of these tags: repeat, or a comma list (api,review)",
    )


def edit(p: argparse.ArgumentParser) -> None:
    p.epilog = FORMS
    p.add_argument(
        "session_id",
        metavar="id",
        help="the session id (at least 4 characters of it), or `current`",
    )
    p.add_argument("tags", nargs="*", metavar="+TAG", help="tags to add, e.g. +api")
    p.add_argument(
        "--untag",
        action="append",
        default=[],
        metavar="TAG",
        help="a tag to take away (repeat)",
    )
    p.add_argument("--start", metavar="TIME", help="the right start, e.g. 09:15")
    p.add_argument(
        "--end", metavar="TIME", help="the right end, e.g. 17:30 (a time alone: its start's day)"
    )
    p.add_argument("--task", help="the right task, e.g. 205")
    billable = p.add_mutually_exclusive_group()
    billable.add_argument(
        "--billable", dest="billable", action="store_true", default=None, help="billed after all"
    )
    billable.add_argument("--no-billable", dest="billable", action="store_false", help=BILLABLE)
    p.add_argument("--note", metavar="TEXT", help="new note ('' clears it)")
    p.add_argument("--force", action="store_true", help="allow a session past max_session_hours")


def restart(p: argparse.ArgumentParser) -> None:
    timer_options(p, note=False)


def remove(p: argparse.ArgumentParser) -> None:
    p.add_argument("session_id", metavar="id", help="the session id (at least 4 characters of it)")
    p.add_argument("--yes", action="store_true", help="do not ask on a terminal")


def rename(p: argparse.ArgumentParser) -> None:
    p.add_argument("task", help="the task as your sessions name it now, e.g. 205")
    p.add_argument("new", help="its new name, e.g. PROJ-205 (an existing task: merged into it)")
    p.add_argument(
        "--from", dest="start", metavar="DATE", help=f"only sessions from this day: {RANGE_FORMS}"
    )
    p.add_argument("--to", dest="end", metavar="DATE", help="only sessions up to this day")


def undo(p: argparse.ArgumentParser) -> None:
    what = p.add_mutually_exclusive_group()
    what.add_argument(
        "--list",
        dest="listing",
        action="store_true",
        help="show what undo would take back, the next first, and change nothing",
    )
    what.add_argument("--redo", action="store_true", help="make again what undo took back last")


def import_(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "path", metavar="file", help="the export, e.g. ~/.config/watson/frames or sessions.jsonl"
    )
    p.add_argument(
        "--format",
        dest="fmt",
        choices=("jsonl", "watson", "timewarrior"),
        help="what FILE is (default: told from its content)",
    )
    p.add_argument("--force", action="store_true", help="allow sessions past max_session_hours")
    _new_store(p)
    _new_user(p)


def timezone(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="an IANA name such as Europe/Berlin")
    p.add_argument(
        "--recut",
        action="store_true",
        help="cut all recorded time in NAME, changing the months already summarised "
        "(without it, only time from now on uses NAME)",
    )
    _new_store(p)
    _new_user(p)


def branch_timer(p: argparse.ArgumentParser) -> None:
    default = os.environ.get("PRE_COMMIT_CHECKOUT_TYPE", "1")  # set by pre-commit
    p.add_argument("--checkout-type", default=default, help="git's third post-checkout argument")


def recover(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        nargs="?",
        default="status",
        choices=("status", "retry", "restore", "rebuild", "verify", "forget"),
        help="status (default): what is wrong and its fix; retry: the queued; restore: a "
        "snapshot; rebuild: every summary anew; verify: snapshots; forget: a quarantined file",
    )
    p.add_argument(
        "target",
        nargs="?",
        metavar="SNAPSHOT|FILE",
        help="restore: which snapshot; forget: the quarantined file whose loss you accept",
    )
    p.add_argument("--dry-run", action="store_true", help="restore: show, change nothing")
    p.add_argument(
        "--merge", action="store_true", help="restore: move this store's sessions into it"
    )
    json_only(p)


def store(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        nargs="?",
        default="show",
        choices=("show", "fork", "moved"),
        help="fork: this folder is a copy, give it a new empty store; moved: the same clone, "
        "moved here",
    )
    json_only(p)


def snapshot(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=("list", "create", "verify"),
        help="list (default), create one now, or verify one's checksums",
    )
    p.add_argument("snapshot_id", nargs="?", type=int, metavar="ID", help="the snapshot (verify)")
    json_only(p)


def prune(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="say what would go; remove nothing")
    json_only(p)


def daemon(p: argparse.ArgumentParser) -> None:
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.add_argument(
        "--interval", type=float, default=300.0, metavar="SECONDS", help="between rounds (300)"
    )


def server(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        choices=("status", "on", "off", "stop"),
        help="status: on or off, and this installation's server; on, off: for commits in this "
        "clone (with --global: all yours); stop: this installation's server",
    )
    p.add_argument(
        "--global",
        dest="everywhere",
        action="store_true",
        help="on, off: in your git config for every clone (git config --global)",
    )


def export(p: argparse.ArgumentParser) -> None:
    p.epilog = (
        "Your own sessions (real start and end times), or with --team the team's time per "
        "user, day and task as `ffhooks report` counts it. Every row has a stable id: "
        "importing an export again matches the rows already imported. --me writes "
        "everything ffhooks holds about you (JSON and CSV) to a folder."
    )
    p.add_argument(
        "--format",
        dest="fmt",
        choices=("csv", "jira-worklogs", "tempo", "ical"),
        help="what to write (required but with --me)",
    )
    p.add_argument(
        "--team", dest="of_team", action="store_true", help="the team's record, not your sessions"
    )
    p.add_argument("--me", action="store_true", help="everything ffhooks holds about you")
    _days_and_tasks(p)
    p.add_argument("--ref", help="with --team: the branch or commit to read (default: work tree)")
    p.add_argument(
        "--issue-prefix",
        metavar="KEY",
        help="Jira project key for tasks that are numbers: 205 is logged on KEY-205",
    )
    p.add_argument(
        "--include-unverified",
        action="store_true",
        help="with --team: as `ffhooks report --include-unverified`",
    )
    p.add_argument(
        "-o", "--output", metavar="PATH", help="a file (with --me a new folder; default: stdout)"
    )
