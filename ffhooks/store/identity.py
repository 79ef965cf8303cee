"""Who is tracking time: the user name, resolved once per command."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ffhooks.errors import FatalError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.git.plumbing import Repo

USER_PATTERN = r"[a-z0-9][a-z0-9._-]{0,63}"


def check_user(name: str, source: str) -> str:
    """A user name that is safe as a single folder name under `.flowforge/user/`."""
    user = name.strip().lower()
    if not re.fullmatch(USER_PATTERN, user) or user in {".", ".."}:
        raise FatalError(
            f"user name {name!r} (from {source}) is not allowed: use 1-64 characters of "
            "a-z 0-9 . _ - starting with a letter or digit, e.g. --user alice or "
            "`git config ffhooks.user alice`"
        )
    return user


def resolve_user(
    explicit: str | None, environ: dict[str, str] | os._Environ[str], cwd: Path
) -> str:
    """--user, then FFHOOKS_USER, then git config ffhooks.user, user.email, then the login."""
    if explicit is not None:
        return check_user(explicit, "--user")
    if environ.get("FFHOOKS_USER") is not None:
        return check_user(environ["FFHOOKS_USER"], "FFHOOKS_USER")
    from ffhooks.git.plumbing import config_values

    values = config_values(cwd, r"^(ffhooks\.user|user\.email)$")
    if "ffhooks.user" in values:
        return check_user(values["ffhooks.user"], "git config ffhooks.user")
    if values.get("user.email", "").partition("@")[0]:
        return check_user(values["user.email"].partition("@")[0], "git config user.email")
    import getpass

    try:
        login = getpass.getuser()
    except (OSError, KeyError):
        login = ""
    return check_user(login, "the login name")


def stores(repo: Repo) -> tuple[list[str], list[str]]:
    """The users with a store in this work tree, and folders there that cannot be a store.
    A teammate who tracks nothing pays for one `listdir`."""
    folder = repo.flowforge / "user"
    try:
        names = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return [], []
    users: list[str] = []
    odd: list[str] = []
    for name in names:
        if (folder / name).is_dir():
            (users if re.fullmatch(USER_PATTERN, name) else odd).append(name)
    return users, odd


def stranger(repo: Repo, user: str, environ: dict[str, str] | os._Environ[str]) -> str | None:
    """The refusal to give before a store is made for `user`, a name given with --user,
    when it names nobody this clone or its team knows (None when it does): a typo must not
    start a new person in the team's record. Known: a store here, a user folder of the
    team's summaries (in the work tree, else at HEAD), and whoever this clone tracks as
    without --user. Cheapest first: a teammate who tracks here costs one `stat`."""
    summaries = repo.flowforge / "team" / "summaries"
    if _tracks_here(repo.flowforge / "user" / user) or (summaries / user).is_dir():
        return None
    own = _own(environ, repo.top)
    if user == own:
        return None
    committed = _committed(repo)
    if user in committed:
        return None
    import difflib  # only on the way to a refusal

    here = [u for u in stores(repo)[0] if _tracks_here(repo.flowforge / "user" / u)]
    known = {*_folders(summaries), *committed, *here, *([own] if own else [])}
    near = difflib.get_close_matches(user, sorted(known), n=3)
    if near:
        hint = f"did you mean {' or '.join(near)}?"
    elif known:
        names = sorted(known)
        hint = (
            "known: " + ", ".join(names[:8]) + (f" and {len(names) - 8} more" if names[8:] else "")
        )
    else:
        hint = "no one tracks time here yet"
    return (
        f"--user {user}: nobody of that name tracks time in this team ({hint}); to start "
        f"tracking a new person named {user}, run the command again with --new-user"
    )


def _own(environ: dict[str, str] | os._Environ[str], cwd: Path) -> str | None:
    """Who this clone tracks as without --user (None if that name is not allowed, which
    is why --user was given)."""
    try:
        return resolve_user(None, environ, cwd)
    except FatalError:
        return None


def _tracks_here(root: Path) -> bool:
    """A store in this folder: its header, or sessions whose header was lost (which opening
    it reports). A folder holding only a lock, left by a command that found nothing, is not
    one."""
    return (root / "store.json").is_file() or (root / "time").is_dir()


def _folders(folder: Path) -> list[str]:
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [n for n in names if re.fullmatch(USER_PATTERN, n) and (folder / n).is_dir()]


def _committed(repo: Repo) -> list[str]:
    """The user folders of the team's summaries at HEAD: a sparse checkout, or a work tree
    whose summaries were deleted, still has a team (one `git` process, on this rare path)."""
    from ffhooks.git.plumbing import run_git

    out = run_git(
        ["ls-tree", "--name-only", "HEAD:.flowforge/team/summaries"], repo.top, check=False
    )
    return [n for n in out.splitlines() if re.fullmatch(USER_PATTERN, n)]
