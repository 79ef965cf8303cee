"""The README and the documentation site say only what a user can follow: the README stays a
short page for newcomers, and every relative link and every repository path the pages name
exists. The site's own build (`mkdocs build --strict`, in .ci/run) checks links between pages
and their anchors; these checks also cover the README and paths written as code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
DOCUMENTS = [README, *sorted(DOCS.rglob("*.md"))]
MAX_README_LINES = 250
QUICK_START = (
    "python3 -m pip install '.[demo]' && ffhooks demo",
    "python3 -m pip install -e '.[test]' && python3 -m pytest",
)

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
# Paths of this repository a page may name as code; `ffhooks/` only as a module or a folder
# (`ffhooks/closed/2026-11` is a tag name, not a path).
_FOLDERS = {"docs", "hooks", "schemas", "bench", "tests", ".ci"}
_PLACEHOLDER = re.compile(r"<[^<>/]*>|…|\.\.\.")
_INTERNAL = (re.compile(r"DESIGN\.md"), re.compile(r"\bissues?\s*#?\d+", re.I))


def code(text: str) -> list[str]:
    """The text of every fenced block and every code span."""
    blocks = [m.group(0) for m in _FENCE.finditer(text)]
    return blocks + [m.group(2) for m in _SPAN.finditer(_FENCE.sub("", text))]


def prose(text: str) -> str:
    """The text with its code taken out: a link written as code is not a link."""
    return _SPAN.sub("", _FENCE.sub("", text))


def relative_links(text: str) -> list[str]:
    """Link and image targets that point into the repository, without their anchors."""
    found = []
    body = prose(text)
    for target in [*_LINK.findall(body), *_REFERENCE.findall(body)]:
        path = target.split("#", 1)[0].split("?", 1)[0]
        if path and not _SCHEME.match(target):
            found.append(path)
    return found


def repository_paths(text: str) -> list[str]:
    """Words in code that name a file or folder of this repository."""
    found = []
    for snippet in code(text):
        for word in snippet.split():
            word = word.strip("\"'(),;:`{}[]")
            top = word.split("/", 1)[0]
            module = top == "ffhooks" and word.endswith((".py", "/"))
            if "/" in word and (top in _FOLDERS or module):
                found.append(word)
    return found


def exists(path: str, base: Path) -> bool:
    """Whether `path` (relative to `base`, placeholders such as `<user>` or `…` matching any
    name) names something inside the repository."""
    pattern = _PLACEHOLDER.sub("*", path)
    if "*" in pattern or "?" in pattern or "[" in pattern:
        folder = base.resolve()
        try:
            prefix = folder.relative_to(ROOT)
        except ValueError:
            return False
        return any(True for _ in ROOT.glob(str(prefix / pattern)))
    target = (base / path).resolve()
    return target.is_relative_to(ROOT) and target.exists()


def internal_notes(text: str) -> list[str]:
    return [m.group(0) for pattern in _INTERNAL for m in pattern.finditer(text)]


def section(text: str, title: str) -> str:
    """The text of the `## title` section ("" if there is none)."""
    start = text.find(f"\n## {title}\n")
    if start == -1:
        return ""
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def readme_length(text: str) -> list[str]:
    lines = len(text.splitlines())
    return [f"{lines} lines: move detail to docs/pages/"] if lines > MAX_README_LINES else []


def quick_start_gaps(text: str) -> list[str]:
    """What the README's quick start lacks of the two commands and why they need a
    virtualenv (Debian's Python refuses a bare pip)."""
    quick_start = section(text, "Quick start")
    wanted = [*QUICK_START, "Debian"]
    return [words for words in wanted if words not in quick_start]


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_readme_is_a_short_page() -> None:
    assert readme_length(README.read_text(encoding="utf-8")) == []


def test_the_quick_start_is_the_two_commands() -> None:
    assert quick_start_gaps(README.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=_id)
def test_no_internal_notes(document: Path) -> None:
    assert internal_notes(document.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=_id)
def test_every_relative_link_exists(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    missing = [link for link in relative_links(text) if not exists(link, document.parent)]
    assert missing == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=_id)
def test_every_repository_path_in_code_exists(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    missing = [path for path in repository_paths(text) if not exists(path, ROOT)]
    assert missing == []


def test_every_page_is_in_the_site_navigation() -> None:
    import yaml

    config = yaml.safe_load((DOCS / "mkdocs.yml").read_text(encoding="utf-8"))
    pages = DOCS / config["docs_dir"]
    listed = {page for entry in config["nav"] for page in entry.values()}
    assert listed == {str(p.relative_to(pages)) for p in pages.rglob("*.md")}


def test_the_checks_find_what_they_look_for() -> None:
    """Each check above fails on the mistake it is there for (and not on code or anchors)."""
    page = (
        "See [the hooks](hooks.md#top), [nothing](nowhere.md), ![a picture](gone.png),\n"
        "[the web](https://example.com/x.md) and [here](#top). `[not](a-link.md)`\n"
        "Run `python3 bench/nothing.py` or `python3 bench/migrate.py`; tags like\n"
        "`ffhooks/closed/2026-11` are no paths, `ffhooks/nothing.py` is one.\n"
        "```sh\ncp hooks/gone ~/x\n```\n"
        "As DESIGN.md says (issue 12, Issue #7), no issues 2 fix.\n"
    )
    links = relative_links(page)
    assert links == ["hooks.md", "nowhere.md", "gone.png"]
    assert [link for link in links if not exists(link, DOCS / "pages")] == links[1:]
    paths = repository_paths(page)
    assert sorted(paths) == sorted(
        ["hooks/gone", "bench/nothing.py", "bench/migrate.py", "ffhooks/nothing.py"]
    )
    assert [path for path in paths if not exists(path, ROOT)] == [
        "hooks/gone",
        "bench/nothing.py",
        "ffhooks/nothing.py",
    ]
    assert exists("schemas/<name>.schema.json", ROOT)
    assert not exists("schemas/<name>.nothing", ROOT)
    assert not exists("../../outside.md", DOCS)
    assert internal_notes(page) == ["DESIGN.md", "issue 12", "Issue #7", "issues 2"]
    readme = f"# x\n\n## Quick start\n\nDebian\n{QUICK_START[1]}\n\n## Next\n{QUICK_START[0]}\n"
    assert readme_length(readme) == [] and quick_start_gaps(readme) == [QUICK_START[0]]
    assert readme_length(readme + "line\n" * 250) == ["259 lines: move detail to docs/pages/"]
