"""The `ffhooks` command line: parses arguments, resolves the context once, dispatches.

`cli/parser.py` builds the parser (only the chosen command's part); `RUNS` names the function of
`ffhooks/commands/` that does each command, and what it is given besides its options, which
it takes as keywords (each option's `dest` is its keyword). A command's module is imported
only when chosen, so `ffhooks stop` pays for nothing else.
"""

from __future__ import annotations

import gc
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

# What a command function is given before its options.
NOTHING = "nothing"  # no repository: git runs merge-summary in the middle of a merge
REPO = "repo"  # the repository
REPO_NOW = "repo, now"  # and the instant it acts at
NOW = "now"  # no repository, the instant (`report --dataset`: a collected dataset)
CONTEXT = "context"  # a user's Context: the repository, the user, now, their store

RUNS: dict[str, tuple[str, str]] = {  # command: (module.function of ffhooks/commands/, given)
    "init": ("init.init", REPO),
    "start": ("start.start", CONTEXT),
    "pause": ("pause.pause", CONTEXT),
    "resume": ("resume.resume", CONTEXT),
    "stop": ("stop.stop", CONTEXT),
    "status": ("status.status", CONTEXT),
    "add": ("add.add", CONTEXT),
    "log": ("log.log", CONTEXT),
    "edit": ("edit.edit", CONTEXT),
    "cancel": ("cancel.cancel", CONTEXT),
    "restart": ("restart.restart", CONTEXT),
    "remove": ("remove.remove", CONTEXT),
    "rename": ("rename.rename", CONTEXT),
    "undo": ("undo.undo", CONTEXT),
    "import": ("import_.import_", CONTEXT),
    "timezone": ("timezone.timezone", CONTEXT),
    "aggregate": ("aggregate.aggregate", REPO_NOW),
    "report": ("report.report", REPO_NOW),  # with --dataset: NOW (no repository)
    "tasks": ("tasks.tasks", REPO_NOW),
    "collect": ("collect.collect", NOTHING),
    "validate": ("validate.validate", REPO),
    "config": ("config.config", REPO),
    "recover": ("recover.recover", CONTEXT),
    "store": ("store.store_command", CONTEXT),
    "snapshot": ("snapshot.snapshot", CONTEXT),
    "prune": ("prune.prune", CONTEXT),
    "verify": ("verify.verify", REPO),
    "audit": ("audit.audit", REPO_NOW),
    "compact": ("compact.compact", REPO_NOW),
    "close": ("close.close", REPO_NOW),
    "export": ("export.export", CONTEXT),
    "erase": ("erase.erase", REPO_NOW),
    "resolve": ("compact.resolve", REPO),
    "merge-summary": ("compact.merge_summary", NOTHING),
    "daemon": ("daemon.daemon", CONTEXT),
    "health": ("health.health", REPO),
    "completion": ("completion.completion", NOTHING),
    "schema": ("schema.schema", NOTHING),
    "migrate": ("migrate.migrate", REPO_NOW),
    "demo": ("demo.demo", NOTHING),
    "hook": ("hook.hook", REPO),  # it asks the time only if it folds
    "guard": ("guard.guard", REPO),
    "branch-timer": ("branch_timer.branch_timer", CONTEXT),
    "server": ("ffhooks.server.command.server", NOTHING),  # the opt-in wing's own command
}


# Commands that read only a ref, so work in a bare repository (a mirror, a server's copy).
READ_REF = {"report", "verify", "audit", "tasks"}


def _given(
    given: str, options: dict[str, Any], *, bare_ok: bool = False, words: Sequence[str] = ()
) -> list[Any]:
    """What a command function takes before its options; a Context takes `user`,
    `new_user` and `new_store` out of them, and the `words` typed (for `ffhooks undo`)."""
    if given == NOTHING:
        return []
    if given == NOW:
        from ffhooks.clock import now_from_env

        return [None, now_from_env(os.environ)]
    from pathlib import Path

    from ffhooks.git.plumbing import require_repo

    repo = require_repo(Path.cwd(), bare_ok=bare_ok)
    if given == REPO:
        return [repo]
    from ffhooks.clock import now_from_env

    if given == REPO_NOW:
        return [repo, now_from_env(os.environ)]
    from ffhooks.context import Context
    from ffhooks.store.identity import resolve_user, stranger

    named = options.pop("user")
    new_user = options.pop("new_user", False)
    user = resolve_user(named, os.environ, repo.top)
    # only a name given with --user can be a typo: who one is without it is oneself
    vouched = named is None or new_user
    return [
        Context(
            repo=repo,
            user=user,
            now=now_from_env(os.environ),
            new_store=options.pop("new_store", False),
            stranger=None if vouched else stranger(repo, user, os.environ),
            words=tuple(words),
        )
    ]


def located(target: str) -> tuple[str, str]:
    """(module, function) of a RUNS target: under ffhooks/commands/, unless named in full."""
    module, _, name = target.rpartition(".")
    return (module if module.startswith("ffhooks.") else f"ffhooks.commands.{module}"), name


def _dispatch(options: dict[str, Any], words: Sequence[str] = ()) -> int:
    """Run the command `options["command"]` with the rest of `options` as its keywords;
    `words`: the command line it was parsed from."""
    command = options.pop("command")
    target, given = RUNS[command]
    if options.get("dataset") is not None:  # many repositories' rows, not this one's
        given = NOW
    first = _given(given, options, bare_ok=command in READ_REF, words=words)
    module, name = located(target)
    # __import__ rather than importlib, which no other path imports
    function = getattr(__import__(module, fromlist=[name]), name)
    code: int = function(*first, **options)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    from ffhooks.error_handler import run

    argv = sys.argv[1:] if argv is None else list(argv)
    # Every git that ffhooks runs reads objects as they are: a `refs/replace/` ref (which
    # anyone who can push a ref can add, and a mirror fetches) would make a summary read as
    # other bytes than the ones committed.
    os.environ["GIT_NO_REPLACE_OBJECTS"] = "1"
    if argv == ["hook"]:  # every commit: no parser to build (`bench/commit_overhead.py`)
        return run(lambda: _dispatch({"command": "hook"}))
    from ffhooks.cli.parser import build_parser

    chosen = argv[0] if argv and argv[0] in RUNS else None
    options = vars(build_parser(chosen).parse_args(argv))
    return run(lambda: _dispatch(options, argv))


def cli() -> int:
    """The console script: like `main`, then leave at once. Tearing down the interpreter's
    modules costs milliseconds that a timer command and a commit hook should not pay. The
    commit hook runs in the hook server where the user turned it on and it is running
    (server/client.py)."""
    hook = sys.argv[1:] == ["hook"]
    if hook:
        # A commit hook's process lives some tens of milliseconds and makes almost no cyclic
        # garbage, but the cycle collector's passes over what its imports create cost it 1.6
        # to 2.9 ms (docs/pages/performance.md): reference counting frees the rest.
        gc.disable()
    from ffhooks.hook.server_switch import wanted

    to_server = hook and wanted(os.environ, os.getcwd())
    if to_server:  # the opt-in wing: imported only by those who turned it on
        from ffhooks.server import client as hook_client

        served = hook_client.served(sys.argv)
        if served >= 0:
            os._exit(served)
    code = flushed(main())
    if to_server and served == hook_client.REPLACE:
        hook_client.start_server()
    os._exit(code)


def flushed(code: int) -> int:
    """`code`, once what was printed is out (141 if the reader of stdout has gone)."""
    from ffhooks.error_handler import SIGPIPE_EXIT

    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = code or SIGPIPE_EXIT
    import contextlib

    with contextlib.suppress(OSError):  # a closed stderr: nothing more can be said
        sys.stderr.flush()
    return code
