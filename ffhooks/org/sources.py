"""The repositories an organisation's dataset is collected from: local clones, bare mirrors,
URLs (mirrored into the dataset's folder) and list files naming any of them, each with the
name its partitions take and the ref it is read at."""

from __future__ import annotations

import re
from pathlib import Path

from ffhooks.errors import FatalError
from ffhooks.git.plumbing import Repo, find_bare, find_repo, run_git
from ffhooks.records import NamedTuple

# A partition's name: what every file system, object store and Hive reader takes as it is.
SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[^/\s]+@[^/\s]+:")
LIST_FORM = "one repository a line: PATH_OR_URL [ref=REF] [name=NAME], # for comments"
MIRRORS = ".mirrors"  # under the dataset's folder: the bare mirrors of the URLs named


class Repository(NamedTuple):
    """One repository as named: where (a path or a URL), at which ref (None: its default
    branch), under which partition name, and where it was named (for errors)."""

    name: str
    where: str
    ref: str | None
    named_in: str


def sources(given: list[str], ref: str | None) -> list[Repository]:
    """The repositories `given` names (a file among them is a list of them), in order, each
    at `ref` unless its line names one. Two of one name are refused: their partitions would
    be one."""
    found: list[Repository] = []
    for item in given:
        path = Path(item)
        if not _URL.match(item) and path.is_file():
            found += _listed(path, ref)
        else:
            found.append(_source(item, ref, None, "the command line"))
    seen: dict[str, Repository] = {}
    for s in found:
        other = seen.setdefault(s.name, s)
        if other is not s:
            raise FatalError(
                f"two repositories would be named {s.name!r} ({other.where}, {s.where}): "
                f"list them in a file with a name each ({LIST_FORM}), e.g. "
                f"`{s.where} name={s.name}-2`"
            )
    if not found:
        raise FatalError("no repositories named: give paths, URLs or a list file")
    return found


def _listed(path: Path, ref: str | None) -> list[Repository]:
    """The repositories a list file names; a relative path is relative to the file's folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FatalError(f"{path}: cannot be read ({exc}): give a list, {LIST_FORM}") from None
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        where = f"{path}:{number}"
        options = dict(w.partition("=")[::2] for w in words[1:])
        unknown = set(options) - {"ref", "name"}
        if unknown or not all(options.values()):
            raise FatalError(f"{where}: {line.strip()!r}: write {LIST_FORM}")
        item = words[0]
        if not _URL.match(item) and not Path(item).is_absolute():
            item = str(path.parent / item)
        found.append(_source(item, options.get("ref", ref), options.get("name"), where))
    return found


def _source(item: str, ref: str | None, name: str | None, named_in: str) -> Repository:
    if name is not None and not SAFE.fullmatch(name):
        raise FatalError(
            f"{named_in}: name={name!r}: a repository's name is letters, digits, '.', '_' "
            "and '-' (it names its folders), e.g. name=billing-api"
        )
    name = name or safe_name(item, named_in)
    return Repository(name=name, where=item, ref=ref, named_in=named_in)


def safe_name(item: str, named_in: str) -> str:
    """The partition name of a path or URL: its last part without `.git`, any character a
    folder or a Hive reader could take for something else made a '-'."""
    last = re.split(r"[/\\:]", item.rstrip("/\\"))[-1].removesuffix(".git")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", last).strip(".-")[:100]
    if not SAFE.fullmatch(name):
        raise FatalError(
            f"{named_in}: {item!r} gives no usable name: list it in a file with one "
            f"({LIST_FORM}), e.g. `{item} name=billing-api`"
        )
    return name


def opened(source: Repository, folder: Path) -> Repo:
    """The repository of a source: a local clone or bare repository at its path exactly (a
    folder inside another repository is not that repository), or for a URL its mirror under
    `folder`, cloned once and fetched on every later collection."""
    if _URL.match(source.where):
        return _mirror(source, folder.resolve() / MIRRORS / f"{source.name}.git")
    path = Path(source.where)
    if not path.is_dir():
        raise FatalError(f"{source.named_in}: {source.where}: no such folder: check the path")
    here = path.resolve()
    repo = find_repo(path)
    if repo is None or repo.top.resolve() != here:
        repo = find_bare(path)
    if repo is None or repo.top.resolve() != here:
        raise FatalError(
            f"{source.named_in}: {source.where} is not a git repository's top folder: name "
            "a clone or a bare mirror"
        )
    return repo


def _mirror(source: Repository, mirror: Path) -> Repo:
    if mirror.is_dir():
        run_git(["fetch", "--prune", "--quiet", "origin"], mirror)
    else:
        mirror.parent.mkdir(parents=True, exist_ok=True)
        run_git(["clone", "--mirror", "--quiet", source.where, str(mirror)], mirror.parent)
    bare = find_bare(mirror)
    if bare is None:  # git said it cloned: a bug, not bad input
        raise RuntimeError(f"{mirror}: no bare repository after `git clone --mirror`")
    return bare


def default_ref(repo: Repo) -> str:
    """The ref a repository is read at when none is named: a clone's idea of its remote's
    default branch (what was published), else its HEAD (a mirror's HEAD is the default
    branch it mirrors)."""
    remote_head = "refs/remotes/origin/HEAD"
    if not repo.bare:
        found = run_git(["rev-parse", "--verify", "--quiet", remote_head], repo.top, check=False)
        if found.strip():
            return remote_head
    return "HEAD"
