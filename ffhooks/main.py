"""The `ffhooks` command line: parses arguments, resolves the context once, dispatches.

Command modules are imported only when chosen, so `ffhooks stop` pays for nothing else.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ffhooks import __version__
from ffhooks.error_handler import SIGPIPE_EXIT, run

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


TIME_FORMS = (
    "TIME: 14:30 (today), 2026-11-21 14:30 (your zone) or 2026-11-21T14:30:00+01:00. "
    "DURATION: 1h30m, 90m, 1.5h, 45s, 1:30 or 1:00:30. DATE: 2026-11-21, today or yesterday."
)
BILLABLE = "not billed to the client (default: billable)"
JSON = "print JSON instead of text"
DATES = "YYYY-MM-DD, today, yesterday, this-week, last-week, this-month or last-month"


def _add_timer_options(p: argparse.ArgumentParser, *, note: bool = True) -> None:
    p.epilog = TIME_FORMS
    p.add_argument("--at", metavar="TIME", help="when it happened, e.g. 14:30 (default: now)")
    if note:
        p.add_argument("--note", metavar="TEXT", help="free text, kept private")
    p.add_argument("--force", action="store_true", help="allow a session past max_session_hours")


def _new_store(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--new-store",
        action="store_true",
        help="start a new store even though this clone has snapshots of a lost one",
    )


def _init(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hooks-repo", metavar="URL", help="use hooks from this git URL or path")
    p.add_argument("--rev", help="the tag or commit of --hooks-repo to use")
    p.add_argument("--branch-timer", action="store_true", help="also the opt-in post-checkout hook")
    p.add_argument(
        "--signing",
        action="store_true",
        help="check your SSH signing key and add it to .flowforge/team/allowed_signers",
    )


def _start(p: argparse.ArgumentParser) -> None:
    p.add_argument("task", nargs="?", help="the task (default: taken from the branch name)")
    p.add_argument("--no-billable", dest="billable", action="store_false", help=BILLABLE)
    _add_timer_options(p)
    _new_store(p)


def _pause(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reason", metavar="TEXT", help="why, kept with the session, e.g. lunch")
    _add_timer_options(p, note=False)


def _resume(p: argparse.ArgumentParser) -> None:
    p.add_argument("--at", metavar="TIME", help="when it happened (default: now)")


def _json_only(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help=JSON)


def _add(p: argparse.ArgumentParser) -> None:
    p.epilog = TIME_FORMS
    p.add_argument("task", help="the task, e.g. 205 or an issue key")
    p.add_argument("duration", help="how long, e.g. 1h30m, 90m, 1.5h, 45s or 1:30")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--start", metavar="TIME", help="when it started (default: it just ended)")
    when.add_argument("--date", metavar="DATE", help="the day (first free slot from 09:00)")
    p.add_argument("--no-billable", dest="billable", action="store_false", help=BILLABLE)
    p.add_argument("--note", metavar="TEXT", help="free text, kept private")
    p.add_argument("--force", action="store_true", help="allow a session past max_session_hours")
    _new_store(p)


def _log(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", metavar="DATE", help=f"first day: {DATES}")
    p.add_argument("--to", dest="end", metavar="DATE", help="last day (the same forms)")
    p.add_argument("--all", action="store_true", help="every session ever recorded")
    p.add_argument(
        "--task", action="append", default=[], metavar="TASK", help="only this task (repeat)"
    )
    p.add_argument("--json", action="store_true", help=JSON)


def _edit(p: argparse.ArgumentParser) -> None:
    p.epilog = TIME_FORMS
    p.add_argument("id", help="the session id (at least 4 characters of it), or `current`")
    p.add_argument("--start", metavar="TIME", help="the right start, e.g. 09:15")
    p.add_argument("--end", metavar="TIME", help="the right end, e.g. 17:30 (its start's day)")
    p.add_argument("--task", help="the right task, e.g. 205")
    billable = p.add_mutually_exclusive_group()
    billable.add_argument(
        "--billable", dest="billable", action="store_true", default=None, help="billed after all"
    )
    billable.add_argument("--no-billable", dest="billable", action="store_false", help=BILLABLE)
    p.add_argument("--note", metavar="TEXT", help="new note ('' clears it)")
    p.add_argument("--force", action="store_true", help="allow a session past max_session_hours")


def _restart(p: argparse.ArgumentParser) -> None:
    _add_timer_options(p, note=False)


def _remove(p: argparse.ArgumentParser) -> None:
    _session_id(p)
    p.add_argument("--yes", action="store_true", help="do not ask on a terminal")


def _session_id(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", help="the session id (at least 4 characters of it)")


def _import(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="the export, e.g. ~/.config/watson/frames or sessions.jsonl")
    p.add_argument(
        "--format",
        choices=("jsonl", "watson", "timewarrior"),
        help="what FILE is (default: told from its content)",
    )
    p.add_argument("--force", action="store_true", help="allow sessions past max_session_hours")
    _new_store(p)


def _timezone(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="an IANA name such as Europe/Berlin")
    p.add_argument(
        "--recut",
        action="store_true",
        help="cut all recorded time in NAME, changing the months already summarised "
        "(without it, only time from now on uses NAME)",
    )
    _new_store(p)


def _completion(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", choices=("bash", "zsh", "fish"), help="which shell's script")


def _nothing(p: argparse.ArgumentParser) -> None:
    pass


def _report(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", metavar="DATE", help=f"first day: {DATES}")
    p.add_argument("--to", dest="end", metavar="DATE", help="last day (the same forms)")
    p.add_argument(
        "--user",
        dest="users",
        action="append",
        default=[],
        metavar="USER",
        help="only these users: repeat, or a comma list (alice,bob)",
    )
    p.add_argument(
        "--task",
        dest="tasks",
        action="append",
        default=[],
        metavar="TASK",
        help="only these tasks: repeat, or a comma list (205,207)",
    )
    p.add_argument(
        "--by", default="user,task", metavar="DIMS", help="of user,task,day,week,month (user,task)"
    )
    p.add_argument(
        "--format",
        default="table",
        choices=("table", "json", "csv", "markdown", "html"),
        help="(default table; html is one page to forward)",
    )
    p.add_argument("--ref", help="read the summaries of this git ref instead of the work tree")
    p.add_argument(
        "--round",
        dest="round_minutes",
        type=int,
        metavar="MINUTES",
        help="round each user's time per task and day, e.g. 15",
    )
    p.add_argument(
        "--round-mode", default="up", choices=("up", "nearest"), help="with --round (up)"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write it here, e.g. report.html")
    p.add_argument(
        "--title", metavar="TEXT", help="the HTML page's title (default: the team config's)"
    )
    p.add_argument(
        "--include-unverified",
        action="store_true",
        help="total summaries that fail the team's signature check (marked) instead of refusing",
    )
    p.add_argument(
        "--ignore-closed",
        action="store_true",
        help="today's figures for closed periods too, without their adjustments",
    )


def _demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", nargs="?", metavar="DIR", help="where (default: a new temp folder)")


def _branch_timer(p: argparse.ArgumentParser) -> None:
    default = os.environ.get("PRE_COMMIT_CHECKOUT_TYPE", "1")  # set by pre-commit
    p.add_argument("--checkout-type", default=default, help="git's third post-checkout argument")


def _recover(p: argparse.ArgumentParser) -> None:
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
    p.add_argument("--json", action="store_true", help=JSON)


def _store(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        nargs="?",
        default="show",
        choices=("show", "fork", "moved"),
        help="fork: this folder is a copy, give it a new empty store; moved: the same clone, "
        "moved here",
    )
    p.add_argument("--json", action="store_true", help=JSON)


def _schema(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="e.g. summary, daily, team-config")
    p.add_argument("--list", dest="listing", action="store_true", help="list the schemas")


def _validate(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="files, e.g. .flowforge/team/config.json"
    )
    p.add_argument("--all", action="store_true", help="every ffhooks file of the repository")
    p.add_argument("--format", default="text", choices=("text", "json"), help="(default text)")


def _migrate(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--source",
        dest="sources",
        action="append",
        default=[],
        metavar="PATH",
        help="a legacy .task-times.json, time-tracking.json or JSON-lines file (repeatable; "
        "default: the legacy files of this repository)",
    )
    p.add_argument("--timezone", metavar="TZ", help="IANA zone in which days are cut (default UTC)")
    p.add_argument("--dry-run", action="store_true", help="show what would be written")
    p.add_argument("--backup", action="store_true", help="snapshot each source first")
    p.add_argument("--verify", action="store_true", help="re-read and compare after writing")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")


def _snapshot(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=("list", "create", "verify"),
        help="list (default), create one now, or verify one's checksums",
    )
    p.add_argument("id", nargs="?", type=int, metavar="ID", help="the snapshot (verify)")
    p.add_argument("--json", action="store_true", help=JSON)


def _verify(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ref", default="HEAD", help="the commit to check (default HEAD)")
    p.add_argument(
        "--since",
        metavar="REF",
        help="also refuse any summary lost, lowered or edited since REF (e.g. the base branch)",
    )
    p.add_argument("--format", default="text", choices=("text", "json"), help="(default text)")
    p.add_argument(
        "--closed", action="store_true", help="only check that closed periods are unchanged"
    )


def _compact(p: argparse.ArgumentParser) -> None:
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--tombstones",
        action="store_true",
        help="make every superseded summary a tombstone, in one commit (safe on any branch)",
    )
    what.add_argument(
        "--delete",
        action="store_true",
        help="delete old tombstones, in one commit (one CI job on the main branch)",
    )
    p.add_argument(
        "--older-than",
        type=int,
        metavar="DAYS",
        help="with --delete: tombstones on this branch for this many days "
        "(default: the team config's compact.delete_after_days, 90)",
    )
    p.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    p.add_argument("--json", action="store_true", help=JSON)


def _close(p: argparse.ArgumentParser) -> None:
    p.add_argument("month", nargs="?", metavar="PERIOD", help="the month, YYYY-MM")
    p.add_argument("--from", dest="start", metavar="DATE", help="or the first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", metavar="DATE", help="and the last day")
    p.add_argument("--ref", default="HEAD", help="the commit whose summaries are billed")
    p.add_argument("--message", "-m", metavar="TEXT", help="e.g. the invoice number")
    p.add_argument(
        "--amend",
        action="store_true",
        help="close a closed period again with today's figures (its adjustments were billed)",
    )


def _merge_summary(p: argparse.ArgumentParser) -> None:
    for name in ("base", "ours", "theirs"):
        p.add_argument(name, help=f"the {name} version (git's %O %A %B)")


def _daemon(p: argparse.ArgumentParser) -> None:
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.add_argument(
        "--interval", type=float, default=300.0, metavar="SECONDS", help="between rounds (300)"
    )


def _aggregate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all", action="store_true", help="rebuild every month, not only changes")
    p.add_argument("--hook", action="store_true", help="as the commit hook: never fail")


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "init": ("set up ffhooks in this repository (safe to run again)", _init),
    "start": ("start a timer (stops the running one at the same instant)", _start),
    "pause": ("end the current session and remember its task", _pause),
    "resume": ("start a new session on the paused task", _resume),
    "stop": ("end the running timer", _add_timer_options),
    "status": ("show the running or paused timer", _json_only),
    "add": ("record a session after the fact", _add),
    "log": ("list your sessions (default: the last 7 days)", _log),
    "edit": ("correct a recorded session, or the running timer (ID `current`)", _edit),
    "cancel": ("drop the running or paused timer: nothing is recorded", _nothing),
    "restart": ("start the task of the last session again", _restart),
    "remove": ("delete a recorded session (asks on a terminal, unless --yes)", _remove),
    "import": ("load sessions from JSON lines, Watson or Timewarrior", _import),
    "timezone": ("show or set the time zone in which your days are cut", _timezone),
    "aggregate": ("fold every store here into the team summaries and stage them", _aggregate),
    "report": ("the team's billable time from the committed summaries", _report),
    "validate": ("check ffhooks JSON files against their schemas", _validate),
    "recover": (
        "queue, snapshots and summaries: status, retry, restore, rebuild, verify",
        _recover,
    ),
    "store": ("your store's identity; fork a copied one, or say it moved", _store),
    "snapshot": ("recovery snapshots of your private store: list, create, verify", _snapshot),
    "verify": ("CI check of the committed summaries at a ref", _verify),
    "compact": (
        "bound the history: tombstones for superseded summaries, or old ones gone",
        _compact,
    ),
    "close": ("record a billed period's report as a git tag; later changes show apart", _close),
    "resolve": ("settle merge conflicts over summaries (then commit or --continue)", _nothing),
    "merge-summary": (
        "git merge driver for summaries (set up by init and the hook)",
        _merge_summary,
    ),
    "daemon": ("background snapshots and retries for this clone", _daemon),
    "health": ("what the daemon last did", _json_only),
    "completion": ("print a completion script: bash, zsh or fish", _completion),
    "schema": ("print a JSON Schema of an ffhooks file, or --list them", _schema),
    "migrate": ("bring legacy FlowForge time and JSON-lines exports into the summaries", _migrate),
    "demo": ("a throw-away team: a week of work through the real hooks, then the report", _demo),
    "hook": ("the commit hook in one process: guard, aggregate, validate staged", _nothing),
    "guard": ("hook: refuse a commit that would publish private time", _nothing),
    "branch-timer": ("hook: a running timer follows a branch switch", _branch_timer),
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


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "merge-summary":  # run by git in the middle of a merge: no repository
        from ffhooks.commands.compact import merge_summary

        return merge_summary(args.base, args.ours, args.theirs)
    if args.command == "demo":
        from ffhooks.commands.demo import demo

        return demo(folder=args.folder)
    if args.command == "completion":
        from ffhooks.commands.completion import completion

        return completion(args.shell)
    if args.command == "schema":
        from ffhooks.commands.schema import schema

        return schema(name=args.name, listing=args.listing)
    from ffhooks.gitio import require_repo

    repo = require_repo(Path.cwd())
    if args.command == "init":
        from ffhooks.commands.init import init
        from ffhooks.identity import resolve_user

        return init(
            repo,
            hooks_repo=args.hooks_repo,
            rev=args.rev,
            branch_timer=args.branch_timer,
            signing_for=resolve_user(args.user, os.environ, repo.top) if args.signing else None,
        )
    if args.command == "guard":
        from ffhooks.commands.guard import guard

        return guard(repo)
    if args.command == "validate":
        from ffhooks.commands.validate import validate

        return validate(repo, paths=args.paths, everything=args.all, fmt=args.format)
    if args.command == "verify":
        from ffhooks.commands.verify import verify

        return verify(
            repo, ref=args.ref, since=args.since, fmt=args.format, closed_only=args.closed
        )
    if args.command == "close":
        from ffhooks.clock import now_from_env
        from ffhooks.commands.close import close

        return close(
            repo,
            now_from_env(os.environ),
            month=args.month,
            start=args.start,
            end=args.end,
            ref=args.ref,
            message=args.message,
            amend=args.amend,
        )
    if args.command == "compact":
        from ffhooks.clock import now_from_env
        from ffhooks.commands.compact import compact

        return compact(
            repo,
            now_from_env(os.environ),
            tombstones=args.tombstones,
            older_than=args.older_than,
            dry_run=args.dry_run,
            as_json=args.json,
        )
    if args.command == "resolve":
        from ffhooks.commands.compact import resolve

        return resolve(repo)
    if args.command == "health":
        from ffhooks.commands.health import health

        return health(repo, as_json=args.json)
    if args.command == "report":
        from ffhooks.clock import now_from_env
        from ffhooks.commands.report import report

        return report(
            repo,
            now_from_env(os.environ),
            start=args.start,
            end=args.end,
            users=args.users,
            tasks=args.tasks,
            by=args.by,
            fmt=args.format,
            ref=args.ref,
            round_minutes=args.round_minutes,
            round_mode=args.round_mode,
            output=args.output,
            include_unverified=args.include_unverified,
            ignore_closed=args.ignore_closed,
            title=args.title,
        )

    if args.command == "aggregate":
        from ffhooks.clock import now_from_env
        from ffhooks.commands.aggregate import aggregate, aggregate_hook

        now = now_from_env(os.environ)
        if args.hook:
            return aggregate_hook(repo, now)
        return aggregate(repo, now, rebuild=args.all)
    if args.command == "migrate":
        from ffhooks.clock import now_from_env
        from ffhooks.commands.migrate import migrate

        return migrate(
            repo,
            now_from_env(os.environ),
            sources=args.sources,
            timezone=args.timezone,
            dry_run=args.dry_run,
            backup=args.backup,
            verify=args.verify,
            as_json=args.json,
        )

    from ffhooks.clock import now_from_env
    from ffhooks.context import Context
    from ffhooks.identity import resolve_user

    def context() -> Context:
        user = resolve_user(args.user, os.environ, repo.top)
        return Context(repo, user, now_from_env(os.environ), getattr(args, "new_store", False))

    ctx = context()
    if args.command == "start":
        from ffhooks.commands.start import start

        return start(
            ctx,
            task=args.task,
            billable=args.billable,
            note=args.note,
            at=args.at,
            force=args.force,
        )
    if args.command == "pause":
        from ffhooks.commands.pause import pause

        return pause(ctx, reason=args.reason, at=args.at, force=args.force)
    if args.command == "resume":
        from ffhooks.commands.resume import resume

        return resume(ctx, at=args.at)
    if args.command == "stop":
        from ffhooks.commands.stop import stop

        return stop(ctx, note=args.note, at=args.at, force=args.force)
    if args.command == "status":
        from ffhooks.commands.status import status

        return status(ctx, as_json=args.json)
    if args.command == "add":
        from ffhooks.commands.add import add

        return add(
            ctx,
            task=args.task,
            duration=args.duration,
            start=args.start,
            day=args.date,
            billable=args.billable,
            note=args.note,
            force=args.force,
        )
    if args.command == "log":
        from ffhooks.commands.log import log

        return log(
            ctx,
            start=args.start,
            end=args.end,
            tasks=args.task,
            everything=args.all,
            as_json=args.json,
        )
    if args.command == "edit":
        from ffhooks.commands.edit import edit

        return edit(
            ctx,
            session_id=args.id,
            start=args.start,
            end=args.end,
            task=args.task,
            billable=args.billable,
            note=args.note,
            force=args.force,
        )
    if args.command == "remove":
        from ffhooks.commands.remove import remove

        return remove(ctx, session_id=args.id, yes=args.yes)
    if args.command == "cancel":
        from ffhooks.commands.cancel import cancel

        return cancel(ctx)
    if args.command == "restart":
        from ffhooks.commands.restart import restart

        return restart(ctx, at=args.at, force=args.force)
    if args.command == "import":
        from ffhooks.commands.import_ import import_

        return import_(ctx, path=args.file, fmt=args.format, force=args.force)
    if args.command == "branch-timer":
        from ffhooks.commands.branch_timer import branch_timer

        return branch_timer(ctx, checkout_type=args.checkout_type)
    if args.command == "recover":
        from ffhooks.commands.recover import recover

        return recover(
            ctx,
            action=args.action,
            target=args.target,
            dry_run=args.dry_run,
            as_json=args.json,
            merge=args.merge,
        )
    if args.command == "store":
        from ffhooks.commands.store import store_command

        return store_command(ctx, action=args.action, as_json=args.json)
    if args.command == "snapshot":
        from ffhooks.commands.snapshot import snapshot

        return snapshot(ctx, action=args.action, snapshot_id=args.id, as_json=args.json)
    if args.command == "daemon":
        from ffhooks.commands.daemon import daemon

        return daemon(ctx, once=args.once, interval=args.interval)
    if args.command == "timezone":
        from ffhooks.commands.timezone import timezone

        return timezone(ctx, name=args.name, recut=args.recut)
    raise NotImplementedError(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == ["hook"]:  # every commit: no parser to build (`bench/commit_overhead.py`)
        return run(_hook)
    chosen = argv[0] if argv and argv[0] in COMMANDS else None
    args = build_parser(chosen).parse_args(argv)
    return run(lambda: _dispatch(args))


def _hook() -> int:
    from ffhooks.clock import now_from_env
    from ffhooks.commands.hook import hook
    from ffhooks.gitio import require_repo

    return hook(require_repo(Path.cwd()), now_from_env(os.environ))


def cli() -> int:
    """The console script: like `main`, then leave at once. Tearing down the interpreter's
    modules costs milliseconds that a timer command and a commit hook should not pay."""
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = code or SIGPIPE_EXIT
    sys.stderr.flush()
    os._exit(code)
