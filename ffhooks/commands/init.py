from __future__ import annotations

import os
import re
from pathlib import Path

from ffhooks.config import DEFAULTS, NEW_TEAM_FORMAT, config_path, indexed
from ffhooks.errors import FatalError
from ffhooks.fsio import atomic_write, write_json
from ffhooks.git.merge_config import merge_settings
from ffhooks.git.plumbing import Repo, run_git, user_dir_ignored
from ffhooks.hook.definitions import (
    DEFAULT_HOOK_IDS,
    SPLIT_HOOK_IDS,
    local_repo_block,
    remote_repo_block,
)
from ffhooks.store.identity import resolve_user

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.trust.signing import SigningKey

IGNORE_LINE = ".flowforge/user/"
# What `init` writes for the whole team, to be committed once
TEAM_FILES = (
    ".gitignore",
    ".gitattributes",
    ".pre-commit-config.yaml",
    ".flowforge/team/config.json",
)


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


# The entries of local hooks that 0.3 wrote: they fail every commit of a teammate without
# ffhooks ("Executable `ffhooks` not found").
_BARE_ENTRY = re.compile(r"^([ \t]+entry:[ \t]*)(ffhooks (hook|branch-timer))[ \t]*$", re.M)


def _tolerant(text: str, hint: str | None) -> str:
    """Local hooks as 0.3 wrote them, made to let anyone commit without ffhooks."""
    from ffhooks.hook.definitions import tolerant_entry, yaml_value

    def fix(m: re.Match[str]) -> str:
        entry = tolerant_entry(m[2], hint, commits=m[3] == "hook")
        return m[1] + yaml_value(entry)

    return _BARE_ENTRY.sub(fix, text)


def install_hint(hooks_repo: str | None) -> str | None:
    """How a person installs the ffhooks that runs now: from --hooks-repo, else from the
    repository its package names."""
    from importlib import metadata

    from ffhooks import __version__
    from ffhooks.hook.definitions import install_hint as hint

    url = hooks_repo
    if url is None:
        try:
            urls = metadata.metadata("ffhooks").get_all("Project-URL") or []
        except metadata.PackageNotFoundError:
            urls = []
        named = dict(u.split(", ", 1) for u in urls if ", " in u)
        url = named.get("Repository")
    return hint(url, __version__) if url else None


def ensure_precommit(
    repo: Repo, hooks_repo: str | None, rev: str | None, ids: tuple[str, ...]
) -> str:
    """Add the ffhooks hooks to .pre-commit-config.yaml; an existing ffhooks entry stays
    (local hooks of 0.3 are made to let anyone commit without ffhooks)."""
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
    split = sorted(str(i) for i in hook_ids if str(i) in SPLIT_HOOK_IDS)
    has_commit_hook = "ffhooks" in hook_ids or bool(split)
    ids = tuple(i for i in ids if i not in hook_ids and not (i == "ffhooks" and has_commit_hook))
    if not ids:
        hints = []
        if len(split) > 1:
            hints.append(
                f"{', '.join(split)} can become the one hook `ffhooks` (entry `ffhooks hook`), "
                "one process per commit instead of one each"
            )
        verbose = sorted(
            str(h["id"])
            for r in before.get("repos") or []
            for h in r.get("hooks") or []
            if h.get("id") in ("ffhooks", "ffhooks-aggregate") and h.get("verbose") is True
        )
        if verbose:
            hints.append(
                f"`verbose: true` of {', '.join(verbose)} can go: it only adds pre-commit's "
                "`- hook id:` and `- duration:` lines, the hook shows its line by itself"
            )
        tolerant = _tolerant(text, install_hint(hooks_repo))
        if tolerant != text and yaml.safe_load(tolerant) is not None:
            atomic_write(path, tolerant.encode("utf-8"))
            hints.insert(0, "its local hooks now let anyone commit without ffhooks installed")
            return f"updated ({'; '.join(hints)})"
        if hints:
            return f"unchanged (it has ffhooks hooks; {'; '.join(hints)})"
        return "unchanged (it already has the ffhooks hooks)"
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
    added = ", ".join(ids)
    return f"added the hooks {added}" if text else f"created it with the hooks {added}"


def check_rev(repo: Repo, hooks_repo: str, rev: str) -> None:
    """Refuse a --rev that --hooks-repo does not have (pre-commit would fail at every
    developer's first commit instead): a tag, a branch, or a commit."""
    try:
        listed = run_git(["ls-remote", "--", hooks_repo], repo.top)
    except FatalError as exc:
        raise FatalError(f"--hooks-repo {hooks_repo}: cannot be read ({exc}); check it") from None
    refs = {}
    for line in listed.splitlines():
        sha, _, name = line.partition("\t")
        refs[name] = sha
    names = {rev, f"refs/tags/{rev}", f"refs/heads/{rev}"}
    if names & refs.keys() or (len(rev) >= 7 and any(s.startswith(rev) for s in refs.values())):
        return
    local = Path(hooks_repo)
    if local.is_dir():
        found = run_git(
            ["-C", str(local), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
            repo.top,
            check=False,
        )
        if found.strip():
            return
    elif re.fullmatch(r"[0-9a-f]{40}", rev):
        return  # a commit no ref names: only a fetch could tell, and pre-commit will do it
    tags = sorted(n[len("refs/tags/") :] for n in refs if n.startswith("refs/tags/"))
    shown = ", ".join(t for t in tags if not t.endswith("^{}"))[-200:] or "none"
    raise FatalError(
        f"--rev {rev}: {hooks_repo} has no such tag, branch or commit (its tags: {shown})"
    )


def _block(indent: str, ids: tuple[str, ...], hooks_repo: str | None, rev: str | None) -> str:
    if hooks_repo:
        return remote_repo_block(indent, ids, hooks_repo, rev or "")
    return local_repo_block(indent, ids, install_hint(None))


def init(
    repo: Repo,
    *,
    hooks_repo: str | None,
    rev: str | None,
    branch_timer: bool,
    signing: bool = False,
    closing: bool = False,
    user: str | None = None,
    install_hook: bool = True,
) -> int:
    """Set up the repository; with `signing`, also `user`'s SSH signing key (`user` as
    given by --user, else FFHOOKS_USER or git config); with `closing`, that key as one that
    may close periods."""
    signing_for = resolve_user(user, os.environ, repo.top) if signing or closing else None
    ids = DEFAULT_HOOK_IDS + (("ffhooks-branch-timer",) if branch_timer else ())
    if (hooks_repo is None) != (rev is None):
        raise FatalError(
            "--hooks-repo and --rev go together: give both, or neither for local hooks"
        )
    if hooks_repo is not None and rev is not None:
        check_rev(repo, hooks_repo, rev)
    print(".gitignore: " + ("added .flowforge/user/" if ensure_ignored(repo) else "unchanged"))
    path = config_path(repo.flowforge)
    if path.exists():
        print(".flowforge/team/config.json: " + ensure_project(repo, path))
    elif indexed(repo.top) is not None:  # a sparse checkout leaves the team's out
        print(".flowforge/team/config.json: unchanged (in the index, not in this checkout)")
    else:
        import secrets

        write_json(
            path,
            {**DEFAULTS, "summary_format": NEW_TEAM_FORMAT, "project": secrets.token_hex(8)},
        )
        print(".flowforge/team/config.json: created with the defaults and a project id")
    print(".pre-commit-config.yaml: " + ensure_precommit(repo, hooks_repo, rev, ids))
    print(".gitattributes: " + ("added" if ensure_attributes(repo) else "unchanged"))
    if signing_for is not None and signing:
        set_up_signing(repo, signing_for)
    if signing_for is not None and closing:
        set_up_closing(repo, signing_for)
    return set_up_clone(repo, user, install_hook)


def ensure_project(repo: Repo, path: Path) -> str:
    """Give a team config written before ffhooks 0.5 a project id, as a line of its own (the
    rest of the file as it was). The id comes from the repository's first commit, so two
    teammates who both run `init` write the same line, and their changes merge."""
    import json

    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    try:
        raw = json.loads(text)
    except ValueError:
        return "unchanged (not valid JSON: `ffhooks validate --all` says why)"
    if not isinstance(raw, dict) or "project" in raw:
        return "unchanged"
    if run_git(["rev-parse", "--is-shallow-repository"], repo.top).strip() == "true":
        # its oldest commits are where the clone was cut, not the repository's first
        return "unchanged (this clone is shallow: `git fetch --unshallow`, then `ffhooks init`)"
    roots = run_git(["rev-list", "--max-parents=0", "HEAD"], repo.top, check=False).split()
    if roots:
        project = min(roots)[:16]
    else:
        import secrets

        project = secrets.token_hex(8)
    if not raw:
        write_json(path, {"project": project})
    else:  # a line of its own, indented as the next key is: the rest stays byte for byte
        opening = text.index("{") + 1
        indent = re.match(r"[ \t]*", text[opening:].lstrip("\r\n"))
        shown = indent[0] if indent and indent[0] else "  "
        newline = "\r\n" if "\r\n" in text else "\n"
        line = f'{newline}{shown}"project": "{project}",'
        atomic_write(
            path, (text[:opening] + line + text[opening:]).encode(errors="surrogateescape")
        )
    return (
        f"added the project id {project} (commit it once everyone runs ffhooks 0.5 or later: "
        "older versions refuse a config that names a project)"
    )


def set_up_clone(repo: Repo, user: str | None, install_hook: bool) -> int:
    """What every clone needs besides the committed files; exit 1 while a commit here
    still does not run the hook (unless told to install none)."""
    from ffhooks.hook import clone_setup

    print("user name: " + clone_setup.record_user(repo, resolve_user(user, os.environ, repo.top)))
    changed = merge_settings(repo)
    print("merge settings for summaries: " + (", ".join(changed) if changed else "unchanged"))
    done, wiring = clone_setup.install_hook(repo, install_hook)
    print(f"git hook: {done}")
    pending = run_git(["status", "--porcelain", "--", *TEAM_FILES], repo.top)
    if pending.strip():
        names = " ".join(line[3:] for line in pending.splitlines())
        print(f"Next: commit {names}, for the whole team")
    if wiring.runs:
        print(f"A `git commit` here runs the ffhooks hook ({wiring.what}).")
        return 0
    print(f"A `git commit` here does NOT run the ffhooks hook ({wiring.what}): `{wiring.fix}`")
    return 1 if install_hook else 0


# Summaries are for the report, not for review: GitHub folds them as generated files, and
# `git diff`, `git log -p` and pull-request diffs show one line for each. ffhooks' files are
# checked out and committed as written (LF), whatever converts other files (core.autocrlf,
# `* text=auto eol=crlf`, a JSON formatter as a clean filter). `text eol=lf` rather than
# `-text`: a file a clone checked out with CRLF before stays unmodified to git (with `-text`
# it would show as edited, and stop the fold). The last line that sets an attribute wins,
# so AS_WRITTEN goes below any other line that sets one of these.
ATTRIBUTES = "/.flowforge/team/summaries/** linguist-generated=true -diff"
AS_WRITTEN = "/.flowforge/** text eol=lf -filter"
_AS_WRITTEN_NOTE = "# ffhooks: its files keep LF line endings and pass through no filter"
_CONVERTING = {"text", "crlf", "eol", "filter"}


def ensure_attributes(repo: Repo) -> bool:
    """Add the ATTRIBUTES and AS_WRITTEN lines to .gitattributes unless there, the latter
    below (or moved below) every line that sets a converting attribute."""
    path = repo.top / ".gitattributes"
    # bytes as they are: line endings, and any that are not UTF-8, are kept
    text = path.read_bytes().decode("utf-8", "surrogateescape") if path.exists() else ""
    lines = text.splitlines(keepends=True)
    bare = [line.strip() for line in lines]
    added = [] if ATTRIBUTES in bare else ["# ffhooks: billing summaries are generated", ATTRIBUTES]
    last = len(bare) - bare[::-1].index(AS_WRITTEN) if AS_WRITTEN in bare else None
    if last is None or any(_converts(line) for line in bare[last:]):
        lines = [line for line in lines if line.strip() not in (AS_WRITTEN, _AS_WRITTEN_NOTE)]
        added += [_AS_WRITTEN_NOTE, AS_WRITTEN]
    if not added:
        return False
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    new = "".join([*lines, *(f"{line}\n" for line in added)])
    atomic_write(path, new.encode("utf-8", "surrogateescape"))
    return True


def _converts(line: str) -> bool:
    """Whether a .gitattributes line sets (or unsets) what converts a file's bytes."""
    if line.startswith(("#", "[attr]")):
        return False
    return any(word.lstrip("-!").split("=")[0] in _CONVERTING for word in line.split()[1:])


def set_up_signing(repo: Repo, user: str) -> None:
    """Check that git's signing key signs, and allow it for `user` in allowed_signers
    (staged, for the team to review)."""
    from ffhooks.config import load_config
    from ffhooks.trust import sshformat

    key = _allow(repo, user, sshformat.ALLOWED_SIGNERS, sshformat.NAMESPACE, "--signing")
    mode = load_config(repo.flowforge).signatures
    print(
        f"Your summaries are signed with {key.fingerprint} while the team config says "
        f'"signatures": "warn" or "required" (now {mode!r}); `ffhooks aggregate --all` '
        "signs the months already summarised"
    )


def set_up_closing(repo: Repo, user: str) -> None:
    """Check that git's signing key signs, and list it in allowed_closers for `user`
    (staged, for the team to review): closings signed with it are then accepted."""
    from ffhooks.report import closers

    key = _allow(repo, user, closers.ALLOWED_CLOSERS, closers.NAMESPACE, "--closing")
    print(
        f"`ffhooks close` signs with {key.fingerprint}. Once {closers.ALLOWED_CLOSERS} is "
        "committed, reports and `ffhooks verify` refuse any closing not signed by a key it lists"
    )


def _allow(repo: Repo, user: str, file: str, namespace: str, option: str) -> SigningKey:
    """Check that git's signing key signs, and allow it for `user` in `namespace` in `file`
    (allowed-signers format), staged for the team to review; the key."""
    from ffhooks.trust import signing, sshformat

    key = signing.configured_key(repo.top, repo.state_dir)
    if key is None:
        raise FatalError(
            "git has no user.signingkey: `git config user.signingkey ~/.ssh/id_ed25519` names "
            "your SSH key (`ssh-keygen -t ed25519` makes one), then run this again"
        )
    signing.sign(key, f"ffhooks init {option}".encode())  # the key works: agent, passphrase
    path = repo.top / file
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    public = key.public.split()
    # summary keys also sign git's tags and commits with the same file (`git tag -v`)
    namespaces = f"{namespace},git" if namespace != "git" else namespace
    line = f'{user} namespaces="{namespaces}" {public[0]} {public[1]}'
    if sshformat.allows(sshformat.allowed_signers(text), user, public[1], namespace):
        print(f"{file}: unchanged (it allows {key.fingerprint} for {user})")
        return key
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write(path, (text + line + "\n").encode("utf-8"))
    run_git(["add", "--", file], repo.top)
    print(f"{file}: added and staged, for review:\n  {line}")
    return key
