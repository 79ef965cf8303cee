"""The hooks ffhooks offers: one definition for `.pre-commit-hooks.yaml` and `ffhooks init`."""

from __future__ import annotations

import re

from ffhooks.records import Any

# What the hooks that fold time have in common.
_FOLDING: dict[str, Any] = {
    "pass_filenames": False,
    "always_run": True,
    "require_serial": True,
    # without it, a post-checkout install (the branch timer) runs it on every switch
    "stages": ["pre-commit"],
    "minimum_pre_commit_version": "3.2.0",  # the stage names of today
}

HOOKS: list[dict[str, Any]] = [
    {
        "id": "ffhooks",
        "name": "ffhooks: guard, fold time into team summaries, validate",
        "entry": "ffhooks hook",
        **_FOLDING,
    },
    {
        "id": "ffhooks-guard",
        "name": "ffhooks: keep private time files out of commits",
        "entry": "ffhooks guard",
        "pass_filenames": False,
        "always_run": True,
        "stages": ["pre-commit"],
        "minimum_pre_commit_version": "3.2.0",
    },
    {
        "id": "ffhooks-aggregate",
        "name": "ffhooks: fold tracked time into team summaries",
        "entry": "ffhooks aggregate --hook",
        **_FOLDING,
    },
    {
        "id": "ffhooks-validate",
        "name": "ffhooks: validate .flowforge JSON",
        "entry": "ffhooks validate",
        "files": r"^\.flowforge/.*\.json$",
        "require_serial": True,
        "stages": ["pre-commit"],
        "minimum_pre_commit_version": "3.2.0",  # the stage names of today
    },
    {
        "id": "ffhooks-branch-timer",
        "name": "ffhooks: a running timer follows the branch",
        "entry": "ffhooks branch-timer",
        "stages": ["post-checkout"],
        "minimum_pre_commit_version": "3.2.0",
        "pass_filenames": False,
        "always_run": True,
    },
]

# One process per commit; the three parts stay available as hooks of their own.
DEFAULT_HOOK_IDS = ("ffhooks",)
SPLIT_HOOK_IDS = ("ffhooks-guard", "ffhooks-aggregate", "ffhooks-validate")


def yaml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    special = any(c in text for c in ":#{}[],&*!|>'\"%@`\\^")
    return "'" + text.replace("'", "''") + "'" if special else text


# What pre-commit's `shlex.split` of an entry and `sh -c` both take as one plain word.
_PLAIN = re.compile(r"[A-Za-z0-9+:/@._~%=-]+")


def install_hint(url: str, version: str) -> str:
    """The command that installs this version of ffhooks for a person."""
    return f"pipx install git+{url}@v{version}"


def tolerant_entry(entry: str, hint: str | None, *, commits: bool = True) -> str:
    """`entry` where ffhooks is installed; where it is not (a teammate who tracks no time,
    an IDE started without the shell's PATH), exit 0, so nobody's commit fails for want of
    ffhooks: with one line of notice at a commit (`commits`), on the terminal (under the
    row pre-commit has begun), where pre-commit would hide a passing hook's output.
    `hint`: how to install, if it is plain words."""
    script = f"command -v ffhooks >/dev/null 2>&1 && exec {entry}"
    if not commits:
        return f"sh -c '{script}; exit 0'"
    plain = hint is not None and all(_PLAIN.fullmatch(w) for w in hint.split())
    how = f" (to track time: {hint})" if plain else ""
    notice = f"ffhooks is not installed here, so this commit carries no tracked time{how}"
    shown = '{ printf "\\n%s\\n" "$m" >/dev/tty; } 2>/dev/null || echo "$m"'
    return f"sh -c '{script}; m=\"{notice}\"; {shown}'"


def local_repo_block(indent: str, ids: tuple[str, ...], hint: str | None) -> str:
    """A `repo: local` entry calling the installed `ffhooks`, as YAML list item text; it
    lets anyone commit without ffhooks (see `tolerant_entry`)."""
    lines = [f"{indent}- repo: local", f"{indent}  hooks:"]
    for hook in HOOKS:
        if hook["id"] not in ids:
            continue
        lines.append(f"{indent}  - id: {hook['id']}")
        for key, value in hook.items():
            if key == "entry":
                value = tolerant_entry(value, hint, commits="pre-commit" in hook["stages"])
            if key != "id":
                lines.append(f"{indent}    {key}: {yaml_value(value)}")
        lines.append(f"{indent}    language: system")
    return "\n".join(lines) + "\n"


def remote_repo_block(indent: str, ids: tuple[str, ...], url: str, rev: str) -> str:
    lines = [f"{indent}- repo: {yaml_value(url)}", f"{indent}  rev: {yaml_value(rev)}"]
    lines.append(f"{indent}  hooks:")
    lines += [f"{indent}  - id: {hook_id}" for hook_id in ids]
    return "\n".join(lines) + "\n"
