"""Git plumbing that the hot paths need, without GitPython.

Finding the repository and the branch reads `.git` directly (no subprocess): that is most of
what `ffhooks start`/`stop` need, and a `git` process costs several milliseconds. What commits,
trees and the index hold is asked in git/objects.py.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.git.ahead import Ahead, collect, spawn
from ffhooks.records import NamedTuple


class Repo(NamedTuple):
    top: Path  # the work tree (a bare repository's: its git dir, where git runs)
    git_dir: Path  # this work tree's git dir (holds HEAD and the index)
    common_dir: Path  # shared by every linked worktree of the clone
    # the queries the commit hook started ahead for this commit (`ask_git`); None elsewhere
    ahead: Ahead | None = None

    @property
    def bare(self) -> bool:
        """A bare repository (a mirror, a server's copy): no work tree, no index; only
        what reads a ref works in it."""
        return self.top == self.git_dir

    @property
    def flowforge(self) -> Path:
        return self.top / ".flowforge"

    @property
    def state_dir(self) -> Path:
        """This clone's machine state: never committed, survives `git clean -fdx`."""
        return self.common_dir / "ffhooks"


def run_git(
    args: Sequence[str],
    cwd: Path,
    *,
    check: bool = True,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Run git; `env` adds to (not replaces) the environment."""
    environ = {**os.environ, **env} if env else dict(os.environ)
    argv = ["git", "-C", str(cwd), *args]
    try:
        if stdin is None:
            code, out, err = collect(*spawn(argv, environ))
        else:
            import subprocess

            proc = subprocess.run(
                ("git", *args),
                cwd=cwd,
                input=stdin.encode(errors="surrogateescape"),
                capture_output=True,
                env=environ,
            )
            code, out, err = proc.returncode, proc.stdout, proc.stderr
    except FileNotFoundError:
        raise FatalError("git is not installed or not on PATH") from None
    if check and code != 0:
        raise git_failed(args, code, err)
    return out.decode(errors="surrogateescape")


def git_failed(args: Sequence[str], code: int, err: bytes) -> FatalError:
    """`git ARGS` exited with `code`: one line, with the last of what git said."""
    detail = err.decode(errors="replace").strip().splitlines()
    return FatalError(f"git {' '.join(args)} failed: {detail[-1] if detail else code}")


def ask_git(repo: Repo, args: Sequence[str]) -> str:
    """`run_git(args, repo.top)`, answered by the query if the commit hook started it ahead
    (`start_git`)."""
    argv = ["git", "-C", str(repo.top), *args]
    given = repo.ahead.answer(argv) if repo.ahead is not None else None
    if given is None:
        return run_git(args, repo.top)
    code, out, err = given
    if code != 0:
        raise git_failed(args, code, err)
    return out.decode(errors="surrogateescape")


def staged_changes(repo: Repo) -> list[tuple[str, str, str]]:
    """(new blob id, status letter, path) of everything the commit would change: one `git
    diff --cached` that the commit hook's guard, its fold and its validation all read."""
    from ffhooks.layout import STAGED_QUERY

    fields = ask_git(repo, STAGED_QUERY).split("\0")
    # entries `:old_mode new_mode old_blob new_blob status`, then the path
    return [
        (meta.split()[3], meta.split()[4], path)
        for meta, path in zip(fields[::2], fields[1::2], strict=False)
        if meta
    ]


def start_git(repo: Repo, args: Sequence[str]) -> None:
    """Start the query `git args` in the work tree now, for the `ask_git` that asks it later:
    git works on the other core while Python imports the rest (`bench/commit_overhead.py`).
    Only for a query whose answer nothing done before it is asked can change; whatever
    could (staging) drops the answers first (`Ahead.forget`)."""
    if repo.ahead is not None:
        repo.ahead.start(["git", "-C", str(repo.top), *args], os.environ)


def _read_gitfile(dotgit: Path) -> Path | None:
    """Resolve a `.git` file (`gitdir: ...`), as linked worktrees and submodules have."""
    try:
        text = dotgit.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    return (dotgit.parent / text[len("gitdir:") :].strip()).resolve()


def _common_dir(git_dir: Path) -> Path:
    try:
        rel = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return git_dir
    return (git_dir / rel).resolve()


def find_repo(start: Path) -> Repo | None:
    if "GIT_DIR" in os.environ:  # set by git for some hooks; let git itself interpret it
        out = run_git(
            ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"],
            start,
            check=False,
        ).splitlines()
        if len(out) != 3:
            return None
        git_dir = Path(out[1])
        return Repo(top=Path(out[0]), git_dir=git_dir, common_dir=(git_dir / out[2]).resolve())
    here = start.resolve()
    for folder in (here, *here.parents):
        dotgit = folder / ".git"
        if dotgit.is_dir():
            return Repo(top=folder, git_dir=dotgit, common_dir=_common_dir(dotgit))
        if dotgit.is_file():
            linked = _read_gitfile(dotgit)
            if linked is not None:
                return Repo(top=folder, git_dir=linked, common_dir=_common_dir(linked))
    return None


def find_bare(start: Path) -> Repo | None:
    """The bare repository `start` is in, if it is in one: asked of git, and only where no
    work tree was found (the commands of a work tree never pay for it)."""
    out = run_git(
        ["rev-parse", "--is-bare-repository", "--absolute-git-dir"], start, check=False
    ).splitlines()
    if len(out) != 2 or out[0] != "true":
        return None
    git_dir = Path(out[1])
    return Repo(top=git_dir, git_dir=git_dir, common_dir=_common_dir(git_dir))


def require_repo(start: Path, *, bare_ok: bool = False) -> Repo:
    """The repository `start` is in; a bare one only if `bare_ok` (the commands that read a
    ref: `report --ref`, `verify`, `audit`)."""
    repo = find_repo(start)
    if repo is not None:
        return repo
    bare = find_bare(start)
    if bare is not None and bare_ok:
        return bare
    if bare is not None:
        raise FatalError(
            f"{bare.top} is a bare repository (no work tree): run this in a clone with a "
            "work tree; in a bare one only `ffhooks report --ref REF`, `ffhooks verify "
            "--ref REF` and `ffhooks audit` work"
        )
    raise FatalError(
        f"{start} is not inside a git repository: run this in your project's clone "
        "(or `git init` first)"
    )


def user_dir_ignored(repo: Repo) -> bool:
    """Whether git ignores `.flowforge/user/` (whatever .gitignore line does it). Asked on
    every commit: the line `ffhooks init` writes, in a top .gitignore that re-includes
    nothing (no `!` line) and no deeper .gitignore that could, answers without git."""
    try:
        text = (repo.top / ".gitignore").read_bytes().decode("utf-8")  # no newline translation
    except (OSError, UnicodeDecodeError):
        text = ""
    # as git reads it: lines end at \n only; only trailing spaces (and a \r) go
    lines = [line.removesuffix("\r").rstrip(" ") for line in text.split("\n")]
    deeper = (repo.flowforge / ".gitignore", repo.flowforge / "user" / ".gitignore")
    plain = not any(line.startswith("!") for line in lines) and not any(p.exists() for p in deeper)
    if plain and any(line in _IGNORING for line in lines):
        return True
    probe = ".flowforge/user/someone/store.json"  # named back when ignored
    return bool(run_git(["check-ignore", "--no-index", probe], repo.top, check=False).strip())


_IGNORING = (".flowforge/user/", "/.flowforge/user/", ".flowforge/user", "/.flowforge/user")


def current_branch(repo: Repo) -> str | None:
    """The checked-out branch, or None on a detached HEAD."""
    try:
        head = (repo.git_dir / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    prefix = "ref: refs/heads/"
    return head[len(prefix) :] if head.startswith(prefix) else None


def remote_default(repo: Repo) -> str | None:
    """The remote's default branch as this clone last fetched it (`origin/HEAD`, else
    `origin/main` or `origin/master`), read from the ref files; None without one."""
    refs = repo.common_dir / "refs" / "remotes" / "origin"
    try:
        head = (refs / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        head = ""
    if head.startswith("ref: refs/remotes/origin/"):
        return head[len("ref: ") :]
    try:
        packed = (repo.common_dir / "packed-refs").read_text(encoding="utf-8")
    except OSError:
        packed = ""
    for name in ("main", "master"):
        ref = f"refs/remotes/origin/{name}"
        if (refs / name).is_file() or f" {ref}\n" in packed:
            return ref
    return None


def ref_commit(repo: Repo, ref: str) -> str | None:
    """The object a full ref name points at, from the ref files (no git process); None if
    it cannot be told that way (a symbolic ref, a reftable)."""
    try:
        text = (repo.common_dir / ref).read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    if len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text):
        return text
    if text:
        return None
    try:
        packed = (repo.common_dir / "packed-refs").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in packed.splitlines():
        sha, _, name = line.partition(" ")
        if name == ref and len(sha) in (40, 64):
            return sha
    return None


def config_values(cwd: Path, pattern: str) -> dict[str, str]:
    """`git config --get-regexp PATTERN` as a dict (one process for several keys)."""
    out = run_git(["config", "--get-regexp", pattern], cwd, check=False)
    values: dict[str, str] = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        values[key.lower()] = value
    return values


def other_worktree(top: Path, common_dir: Path, recorded: str | None) -> bool:
    """Whether `recorded` (the work tree a snapshot or store names) is another place than
    `top`: a linked worktree of this clone (git keeps their places), or a work tree still
    there (the clone this one was copied from). A place that is gone was the main work
    tree's, before it moved: this one's if this is the main one."""
    if recorded is None or recorded == str(top):
        return False
    try:
        entries = list((common_dir / "worktrees").iterdir())
    except OSError:
        entries = []
    for entry in entries:
        try:
            if str(Path((entry / "gitdir").read_text(encoding="utf-8").strip()).parent) == recorded:
                return True
        except OSError:
            continue
    if (Path(recorded) / ".git").exists():
        return True  # a work tree still there: the clone this one was copied from
    return not (top / ".git").is_dir()
