"""Who is tracking time: the user name, resolved once per command."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ffhooks.errors import FatalError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.gitio import Repo

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
    from ffhooks.gitio import config_values

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
