"""The HTML report in a real browser (headless Chromium, as `.ci/run` installs it): for 3 and
for 20 users over 13 weeks the page fits a 1280 px window, and printed to PDF every week's
label is on the page. The page itself carries no script: the width probe is added to a copy."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None or shutil.which("pdftotext") is None,
        reason="needs chromium and pdftotext (.ci/run installs chromium and poppler-utils)",
    ),
]
FIRST = date(2026, 8, 17)  # a Monday: 13 weeks to Sunday 2026-11-15
WEEKS = [
    f"{(FIRST + timedelta(weeks=w)).isocalendar()[0]}-W"
    f"{(FIRST + timedelta(weeks=w)).isocalendar()[1]:02d}"
    for w in range(13)
]


def browser(*args: str) -> str:
    assert CHROMIUM is not None
    out = subprocess.run(
        (CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout


def team_page(ff: Any, repo: Path, monkeypatch: pytest.MonkeyPatch, users: int) -> Path:
    ff("init")
    for u in range(users):
        monkeypatch.setenv("FFHOOKS_USER", f"developer-{u:02d}")
        for w in range(13):
            day = FIRST + timedelta(weeks=w, days=u % 5)
            hours = 2 + (u * 7 + w * 3) % 9
            assert ff("add", str(100 + w), f"{hours}h", "--start", f"{day} 08:00").code == 0
        assert ff("aggregate").code == 0
    page = repo / "report.html"
    args = ("--from", str(FIRST), "--to", "2026-11-15", "--by", "user,week")
    result = ff("report", "--format", "html", *args, "--title", "Project X", "-o", str(page))
    assert result.code == 0, result.err
    return page


@pytest.mark.parametrize("users", [3, 20])
def test_the_page_fits_the_window_and_prints_every_week(
    ff: Any, repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, users: int
) -> None:
    page = team_page(ff, repo, monkeypatch, users)
    text = page.read_text()
    assert "<script" not in text and "src=" not in text and "href=" not in text
    assert "Project X, 2026-08-17 to 2026-11-15" in text
    probe = tmp_path / "probe.html"
    probe.write_text(
        text.replace(
            "</body>",
            "<script>document.body.dataset.fit = document.documentElement.scrollWidth + ' ' "
            "+ window.innerWidth</script></body>",
        )
    )
    dom = browser("--window-size=1280,900", "--dump-dom", probe.as_uri())
    scroll, width = map(int, re.search(r'data-fit="(\d+) (\d+)"', dom).groups())  # type: ignore[union-attr]
    assert width == 1280 and scroll == width  # no horizontal scrollbar
    pdf = tmp_path / "report.pdf"
    browser("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    printed = subprocess.run(
        ("pdftotext", "-layout", str(pdf), "-"), capture_output=True, text=True, check=True
    ).stdout
    for week in WEEKS:
        assert week in printed, week
    assert f"developer-{users - 1:02d}" in printed and "TOTAL" in printed
    shot = tmp_path / "report.png"
    browser("--window-size=1280,1400", f"--screenshot={shot}", page.as_uri())
    assert shot.stat().st_size > 10_000
