from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

from ffhooks.records import NamedTuple


class Point(NamedTuple):
    """A record."""

    x: int
    y: int = 2

    @property
    def total(self) -> int:
        return self.x + self.y

    @classmethod
    def origin(cls) -> Point:
        return cls(0, 0)


def test_records_behave_like_typing_namedtuple() -> None:
    p = Point(1)
    assert p == (1, 2) and p.total == 3 and p._replace(y=5).total == 6
    assert Point.origin() == Point(0, 0) and Point._fields == ("x", "y")
    assert Point.__doc__ == "A record." and Point.__qualname__ == "Point"
    assert repr(p) == "Point(x=1, y=2)"


def imported(calls: str, heavy: tuple[str, ...]) -> list[str]:
    """Which of `heavy` a fresh interpreter imports to run `calls` (main([...]) lines)."""
    code = (
        "import sys; before = set(sys.modules); from ffhooks.main import main; "
        f"{calls}; print(sorted(m for m in {heavy!r} if m in sys.modules and m not in before))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    found: list[str] = ast.literal_eval(out.stdout.strip().splitlines()[-1])
    return found


def test_timer_commands_import_nothing_heavy(repo: Path) -> None:
    calls = "main(['start', '1', '--at', '09:00']); main(['stop'])"
    heavy = ("typing", "jsonschema", "git", "filelock", "subprocess", "shutil", "yaml")
    assert imported(calls, heavy) == []


def test_the_commit_hook_imports_nothing_it_does_not_use(repo: Path, ff: Any) -> None:
    """`ffhooks hook` on a commit that folds a new session: no argument parser (it has no
    options), no jsonschema (ffhooks' schemas have their own validator), no signing."""
    assert ff("init").code == 0 and ff("add", "1", "1h", "--start", "09:00").code == 0
    heavy = (
        "argparse", "typing", "jsonschema", "git", "filelock", "yaml", "cryptography", "shutil",
        "tempfile", "subprocess", "ffhooks.trust.signing", "ffhooks.trust.sshsig",
        "ffhooks.trust.verify", "ffhooks.report.report",
    )  # fmt: skip
    assert imported("assert main(['hook']) == 0", heavy) == []
    assert subprocess.run(
        ("git", "diff", "--cached", "--name-only"), capture_output=True, text=True, check=True
    ).stdout.startswith(".flowforge/team/summaries/alice/")  # it did fold the session


def test_the_commit_hook_of_a_teammate_without_a_store_imports_no_fold(repo: Path, ff: Any) -> None:
    """Nothing to fold, nothing of ffhooks' staged: no clock or zones, no store, no schema
    checker (the team config is read, not validated, when it names no globs)."""
    assert ff("init").code == 0
    heavy = (
        "zoneinfo",
        "ffhooks.clock",
        "ffhooks.store.store",
        "ffhooks.validator.schema",
        "ffhooks.summary",
    )
    assert imported("assert main(['hook']) == 0", heavy) == []
