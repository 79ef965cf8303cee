"""Whether this commit hook goes to the hook server (server/): off unless the user turned it on,
with `FFHOOKS_HOOK_SERVER=on` in the environment or `git config [--global] ffhooks.hookServer
true` (`ffhooks server on`). `FFHOOKS_HOOK_SERVER=off` wins over the git config.

Asked by every commit hook before anything else is imported: it reads the few git config files
that could set the key (git is asked only when one of them names it) and imports only built-in
modules.
"""

from __future__ import annotations

import os

SWITCH = "FFHOOKS_HOOK_SERVER"
KEY = "ffhooks.hookServer"
_ON = ("on", "1", "true", "yes")
_OFF = ("off", "0", "false", "no", "")


def wanted(env: dict[str, str] | os._Environ[str], cwd: str) -> bool:
    """Whether the hook of a repository at `cwd` (a commit hook runs at its top) is served."""
    value = env.get(SWITCH)
    if value is not None and value.lower() in _ON + _OFF:
        return value.lower() in _ON
    asked = "GIT_CONFIG_COUNT" in env or "GIT_CONFIG_PARAMETERS" in env
    if not asked and not any(_names_key(path) for path in _config_files(env, cwd)):
        return False
    import subprocess

    done = subprocess.run(
        ["git", "config", "--type=bool", "--get", KEY],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() == "true"


def _names_key(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return b"hookserver" in handle.read().lower()
    except OSError:
        return False


def _config_files(env: dict[str, str] | os._Environ[str], cwd: str) -> list[str]:
    """The git config files that could set the key for a repository at `cwd`: its own (the
    common one, and its work tree's), the user's and the system's."""
    home = env.get("HOME") or os.path.expanduser("~")
    files = [
        env.get("GIT_CONFIG_GLOBAL") or os.path.join(home, ".gitconfig"),
        os.path.join(env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "git/config"),
        env.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig",
    ]
    git_dir = env.get("GIT_DIR") or os.path.join(cwd, ".git")
    if os.path.isfile(git_dir):  # a linked work tree, or a submodule: `gitdir: PATH`
        try:
            with open(git_dir, encoding="utf-8", errors="replace") as handle:
                line = handle.readline().strip()
        except OSError:
            line = ""
        git_dir = os.path.join(cwd, line.removeprefix("gitdir:").strip())
    common = git_dir
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as handle:
            common = os.path.join(git_dir, handle.read().strip())
    except OSError:
        pass
    return [*files, os.path.join(common, "config"), os.path.join(git_dir, "config.worktree")]
