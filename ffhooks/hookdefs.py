"""The hooks ffhooks offers: one definition for `.pre-commit-hooks.yaml` and `ffhooks init`."""

from __future__ import annotations

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


def _yaml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return f"'{text}'" if any(c in text for c in ":#{}[],&*!|>'\"%@`\\^") else text


def local_repo_block(indent: str, ids: tuple[str, ...]) -> str:
    """A `repo: local` entry calling the installed `ffhooks`, as YAML list item text."""
    lines = [f"{indent}- repo: local", f"{indent}  hooks:"]
    for hook in HOOKS:
        if hook["id"] not in ids:
            continue
        lines.append(f"{indent}  - id: {hook['id']}")
        for key, value in hook.items():
            if key != "id":
                lines.append(f"{indent}    {key}: {_yaml_value(value)}")
        lines.append(f"{indent}    language: system")
    return "\n".join(lines) + "\n"


def remote_repo_block(indent: str, ids: tuple[str, ...], url: str, rev: str) -> str:
    lines = [f"{indent}- repo: {_yaml_value(url)}", f"{indent}  rev: {_yaml_value(rev)}"]
    lines.append(f"{indent}  hooks:")
    lines += [f"{indent}  - id: {hook_id}" for hook_id in ids]
    return "\n".join(lines) + "\n"
