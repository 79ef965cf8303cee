from __future__ import annotations

import re

from ffhooks.config import DEFAULTS, config_path
from ffhooks.errors import FatalError
from ffhooks.fsio import atomic_write, write_json
from ffhooks.gitio import Repo, merge_settings, user_dir_ignored
from ffhooks.hookdefs import DEFAULT_HOOK_IDS, local_repo_block, remote_repo_block

IGNORE_LINE = ".flowforge/user/"


def ensure_ignored(repo: Repo) -> bool:
    """Add `.flowforge/user/` to .gitignore unless git already ignores it."""
    if user_dir_ignored(repo):
        return False
    path = repo.top / ".gitignore"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write(
        path,
        (text + f"# ffhooks: private time tracking stays on this machine\n{IGNORE_LINE}\n").encode(
            "utf-8"
        ),
    )
    return True


def ensure_precommit(
    repo: Repo, hooks_repo: str | None, rev: str | None, ids: tuple[str, ...]
) -> str:
    """Add the ffhooks hooks to .pre-commit-config.yaml; an existing ffhooks entry stays."""
    import yaml

    path = repo.top / ".pre-commit-config.yaml"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    shown = ".pre-commit-config.yaml"
    try:
        before = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise FatalError(
            f"{shown} is not valid YAML ({exc.__class__.__name__}); fix it first"
        ) from None
    if not isinstance(before, dict) or not isinstance(before.get("repos", []), list):
        raise FatalError(f"{shown} has no `repos:` list; fix it or move it aside and run again")
    hook_ids = {h.get("id") for r in before.get("repos") or [] for h in r.get("hooks") or []}
    if any(str(i).startswith("ffhooks-") for i in hook_ids):
        return "unchanged (it already has ffhooks hooks)"
    match = re.search(r"^repos:[ \t]*(\[\s*\])?[ \t]*(#.*)?$", text, re.MULTILINE)
    if match is None:
        block = _block("", ids, hooks_repo, rev)
        new = text + ("\n" if text and not text.endswith("\n") else "") + "repos:\n" + block
    else:
        following = text[match.end() :]
        item = re.search(r"^([ \t]*)- ", following, re.MULTILINE)
        indent = item.group(1) if item and not match.group(1) else ""
        block = _block(indent, ids, hooks_repo, rev)
        head = text[: match.start()] + "repos:\n"
        new = (
            head + block + following.lstrip("\n")
            if not match.group(1)
            else head + block + following
        )
    after = yaml.safe_load(new)
    if len(after.get("repos") or []) != len(before.get("repos") or []) + 1:
        raise FatalError(
            f"{shown}: cannot add the ffhooks hooks safely; add them by hand:\n{block}"
        )
    atomic_write(path, new.encode("utf-8"))
    return "added the ffhooks hooks" if text else "created it with the ffhooks hooks"


def _block(indent: str, ids: tuple[str, ...], hooks_repo: str | None, rev: str | None) -> str:
    if hooks_repo:
        return remote_repo_block(indent, ids, hooks_repo, rev or "")
    return local_repo_block(indent, ids)


def init(repo: Repo, *, hooks_repo: str | None, rev: str | None, branch_timer: bool) -> int:
    ids = DEFAULT_HOOK_IDS + (("ffhooks-branch-timer",) if branch_timer else ())
    if (hooks_repo is None) != (rev is None):
        raise FatalError(
            "--hooks-repo and --rev go together: give both, or neither for local hooks"
        )
    print(".gitignore: " + ("added .flowforge/user/" if ensure_ignored(repo) else "unchanged"))
    path = config_path(repo.flowforge)
    if path.exists():
        print(".flowforge/team/config.json: unchanged")
    else:
        write_json(path, DEFAULTS)
        print(".flowforge/team/config.json: created with the defaults")
    print(".pre-commit-config.yaml: " + ensure_precommit(repo, hooks_repo, rev, ids))
    changed = merge_settings(repo)
    print("merge settings for summaries: " + (", ".join(changed) if changed else "unchanged"))
    types = " --hook-type pre-commit --hook-type post-checkout" if branch_timer else ""
    print(f"Next: `pre-commit install{types}`, then commit these files")
    return 0
