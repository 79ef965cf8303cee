"""The options of the commands on the team's files, the repository and the clone (`init`,
`report`, `verify`, `compact`, ...): each function adds one command's arguments to its parser.

As in `cli/user_options.py`, each option's `dest` is its command function's keyword.
"""

from __future__ import annotations

from ffhooks.cli.user_options import JSON, tag_filter
from ffhooks.clock import RANGE_FORMS

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def init(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hooks-repo", metavar="URL", help="use hooks from this git URL or path")
    p.add_argument("--rev", help="the tag or commit of --hooks-repo to use")
    p.add_argument("--branch-timer", action="store_true", help="also the opt-in post-checkout hook")
    p.add_argument(
        "--no-hook",
        dest="install_hook",
        action="store_false",
        help="install no git hook in this clone (for scripts and CI; run init without it later)",
    )
    p.add_argument(
        "--signing",
        action="store_true",
        help="check your SSH signing key and add it to .flowforge/team/allowed_signers",
    )
    p.add_argument(
        "--closing",
        action="store_true",
        help="check your SSH signing key and add it to .flowforge/team/allowed_closers "
        "(who may close periods)",
    )


def audit(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        help=f"changes that entered the branch from this day on (commit date): {RANGE_FORMS}",
    )
    p.add_argument("--to", dest="end", metavar="DATE", help="up to this day (the same forms)")
    p.add_argument(
        "--user",
        dest="users",
        action="append",
        default=[],
        metavar="USER",
        help="only these users' summaries: repeat, or a comma list (alice,bob)",
    )
    p.add_argument("--ref", default="HEAD", help="the branch or commit whose history (HEAD)")
    p.add_argument(
        "--format", dest="fmt", default="table", choices=("table", "json", "csv"), help="(table)"
    )


def aggregate(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--all", dest="rebuild", action="store_true", help="rebuild every month, not only changes"
    )
    p.add_argument("--hook", action="store_true", help="as the commit hook: never fail")


def report(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", metavar="DATE", help=f"first day: {RANGE_FORMS}")
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
    tag_filter(p)
    p.add_argument(
        "--by",
        default="user,task",
        metavar="DIMS",
        help="of user,task,day,week,month,tag, and repo with --dataset (user,task)",
    )
    p.add_argument(
        "--format",
        dest="fmt",
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
        help="round each user's time per task and day to this many minutes before adding "
        "up, e.g. 15; 0 not at all (default: the team config's report.round_minutes)",
    )
    p.add_argument(
        "--round-mode",
        choices=("up", "nearest"),
        help="how --round rounds (default: the team config's report.round_mode, else up)",
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
    p.add_argument("--dataset", metavar="DIR", help="report from a dataset `ffhooks collect` wrote")
    p.add_argument(
        "--repo",
        dest="repos",
        action="append",
        default=[],
        metavar="NAME",
        help="with --dataset: only these repositories (repeat, or a comma list)",
    )


def collect(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "repos",
        nargs="+",
        metavar="REPO_OR_URL",
        help="clones, bare mirrors, URLs, or files of lines PATH_OR_URL [ref=REF] [name=NAME]",
    )
    p.add_argument("--ref", help="read each at this ref (default: its default branch)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="the dataset's folder")
    p.add_argument(
        "--include-unverified",
        action="store_true",
        help="count summaries that fail a team's signature check (named in the manifest)",
    )
    p.add_argument(
        "--prune", action="store_true", help="remove repositories of the dataset no longer named"
    )
    p.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="repositories read at once, each in a process (default: one per processor)",
    )


def tasks(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from", dest="start", metavar="DATE", help=f"use from this day on: {RANGE_FORMS}"
    )
    p.add_argument("--to", dest="end", metavar="DATE", help="up to this day (the same forms)")
    p.add_argument("--ref", help="read the summaries of this git ref instead of the work tree")
    p.add_argument(
        "--format", dest="fmt", default="table", choices=("table", "json"), help="(table)"
    )


def validate(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="files, e.g. .flowforge/team/config.json"
    )
    p.add_argument(
        "--all",
        dest="everything",
        action="store_true",
        help="every ffhooks file of the repository",
    )
    p.add_argument(
        "--format", dest="fmt", default="text", choices=("text", "json"), help="(default text)"
    )


def config(p: argparse.ArgumentParser) -> None:
    p.epilog = (
        "KEY is dotted: rates.default, rates.users.alice, rates.tasks.205; quote a part that "
        'holds a dot as JSON: rates.tasks."1.2". VALUE is JSON when it is (95.5, true, '
        '{"bob": 80}, "205"), else text (EUR).'
    )
    p.add_argument(
        "action",
        nargs="?",
        default="get",
        choices=("get", "set", "unset"),
        help="get prints a value (without KEY, the whole config); set and unset change it",
    )
    p.add_argument("key", nargs="?", metavar="KEY", help="e.g. rates.users.alice")
    p.add_argument("value", nargs="?", metavar="VALUE", help="for set, e.g. 95 or EUR")


def verify(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ref", default="HEAD", help="the commit to check (default HEAD)")
    p.add_argument(
        "--since",
        metavar="REF",
        help="also refuse any summary lost, lowered or edited since the merge base with REF "
        "(a pull request's base branch; all zeros: a new branch, since the default branch)",
    )
    p.add_argument(
        "--before",
        metavar="COMMIT",
        help="a push: also refuse any summary lost, lowered or edited since COMMIT itself, "
        "what the branch held before the push (all zeros: a new branch, as --since)",
    )
    p.add_argument(
        "--format", dest="fmt", default="text", choices=("text", "json"), help="(default text)"
    )
    p.add_argument(
        "--closed",
        dest="closed_only",
        action="store_true",
        help="only check that closed periods are unchanged",
    )


def compact(p: argparse.ArgumentParser) -> None:
    from argparse import SUPPRESS  # the parser imported it already

    p.add_argument(  # what compaction always does; kept so that older jobs' lines still run
        "--delete",
        dest="tombstones",
        action="store_false",
        help="(the default) delete the superseded summaries, in one commit",
    )
    # older versions' modes, refused with what to do instead
    p.add_argument("--tombstones", action="store_true", help=SUPPRESS)
    p.add_argument("--older-than", type=int, metavar="DAYS", help=SUPPRESS)
    p.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    p.add_argument("--json", dest="as_json", action="store_true", help=JSON)
    p.set_defaults(tombstones=False)


def close(p: argparse.ArgumentParser) -> None:
    p.add_argument("month", nargs="?", metavar="PERIOD", help="the month, YYYY-MM")
    p.add_argument("--from", dest="start", metavar="DATE", help=f"or the first day: {RANGE_FORMS}")
    p.add_argument("--to", dest="end", metavar="DATE", help="and the last day (the same forms)")
    p.add_argument("--ref", default="HEAD", help="the commit whose summaries are billed")
    p.add_argument("--message", "-m", metavar="TEXT", help="e.g. the invoice number")
    p.add_argument(
        "--amend",
        action="store_true",
        help="close a closed period again with today's figures (its adjustments were billed)",
    )


def merge_summary(p: argparse.ArgumentParser) -> None:
    for name in ("base", "ours", "theirs"):
        p.add_argument(name, help=f"the {name} version (git's %%O %%A %%B)")


def completion(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", choices=("bash", "zsh", "fish"), help="which shell's script")


def schema(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="e.g. summary, daily, team-config")
    p.add_argument("--list", dest="listing", action="store_true", help="list the schemas")


def migrate(p: argparse.ArgumentParser) -> None:
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
    p.add_argument("--json", dest="as_json", action="store_true", help="print the outcome as JSON")
    p.add_argument(
        "--runs", action="store_true", help="list the recorded runs (what --rollback takes)"
    )
    p.add_argument(
        "--rollback",
        nargs="?",
        const="",
        metavar="RUN",
        help="take back exactly what a run added (default: the latest; with --source, that "
        "source's part only)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="with --rollback: even where later commits or changes built on the run",
    )


def demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", nargs="?", metavar="DIR", help="where (default: a new temp folder)")


def erase(p: argparse.ArgumentParser) -> None:
    p.epilog = (
        "On this machine: USER's private store, snapshots and queue entries are deleted. In the "
        "repository: their summaries move under a pseudonym (former-1, ...) in a commit of its "
        "own, figures unchanged. Git history keeps the name until it is rewritten."
    )
    p.add_argument("user", metavar="USER", help="the user name to erase, e.g. alice")
    p.add_argument("--yes", action="store_true", help="do not ask on a terminal")
