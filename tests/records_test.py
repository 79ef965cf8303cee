from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_timer_commands_import_nothing_heavy(repo: Path) -> None:
    code = (
        "import sys; before = set(sys.modules); from ffhooks.main import main; "
        "main(['start', '1', '--at', '09:00']); main(['stop']); heavy = "
        "('typing', 'jsonschema', 'git', 'filelock', 'subprocess', 'shutil', 'yaml'); "
        "print(sorted(m for m in heavy if m in sys.modules and m not in before))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")
