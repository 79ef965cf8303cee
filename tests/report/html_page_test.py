"""The HTML report in a real browser (headless Chromium, as `.ci/run` installs it): for 3 and
for 20 users over 13 weeks the page fits a 1280 px window, every table the browser shows adds
up as shown, the page names the commit it was read from, and printed to PDF every week's
label is on the page. The page itself carries no script: the width probe is added to a copy."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import git

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
    assert ff("config", "set", "tasks.100.title", "Kick-off <workshop>").code == 0
    assert (
        ff("config", "set", "tasks.100.link", "https://tracker.example.com/100?a=1&b=2").code == 0
    )
    for u in range(users):
        monkeypatch.setenv("FFHOOKS_USER", f"developer-{u:02d}")
        for w in range(13):
            day = FIRST + timedelta(weeks=w, days=u % 5)
            hours = 2 + (u * 7 + w * 3) % 9
            minutes = (u * 13 + w * 7) % 60  # and odd minutes and seconds: no luck in sums
            spent = f"{hours}h{minutes}m{(u + w) % 60}s"
            assert ff("add", str(100 + w), spent, "--start", f"{day} 08:00").code == 0
        assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "time", "--no-verify")
    page = repo / "report.html"
    args = ("--from", str(FIRST), "--to", "2026-11-15", "--by", "user,task")
    result = ff("report", "--format", "html", *args, "--title", "Project X", "-o", str(page))
    assert result.code == 0, result.err
    return page


class Tables(HTMLParser):
    """The tables of a page as the browser's DOM holds them: rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def seconds(shown: str) -> int:
    """h:mm:ss as shown; anything else (decimal hours) fails the test."""
    hours, minutes, secs = re.fullmatch(r"(\d+):([0-5]\d):([0-5]\d)", shown).groups()  # type: ignore[union-attr]
    return int(hours) * 3600 + int(minutes) * 60 + int(secs)


def check_adds_up(dom: str) -> int:
    """Every displayed table: each time row and column adds up as shown. Returns the
    billable total both tables show."""
    parser = Tables()
    parser.feed(dom)
    weeks, totals = parser.tables
    head, *body, foot = weeks
    assert head[0] == "user" and head[-1] == "total" and foot[0] == "TOTAL"
    for row in [*body, foot]:  # each user's weeks add up to their total, and the totals'
        assert sum(seconds(c) for c in row[1:-1]) == seconds(row[-1]), row
    for i in range(1, len(head)):  # each week's users add up to its total
        assert sum(seconds(r[i]) for r in body) == seconds(foot[i]), head[i]
    head, *body, foot = totals
    assert head[:4] == ["user", "task", "title", "billable"] and foot[0] == "TOTAL"
    for i in (3, 4):
        assert sum(seconds(r[i]) for r in body) == seconds(foot[i]), head[i]
    assert sum(int(r[5]) for r in body) == int(foot[5])
    assert seconds(foot[3]) == seconds(weeks[-1][-1])
    return seconds(foot[3])


@pytest.mark.parametrize("users", [3, 20])
def test_the_page_fits_the_window_and_prints_every_week(
    ff: Any, repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, users: int
) -> None:
    page = team_page(ff, repo, monkeypatch, users)
    text = page.read_text()
    assert "<script" not in text and "src=" not in text
    # the one link: the task's, escaped
    assert (
        re.findall(r"href=\"[^\"]*\"", text)
        == ['href="https://tracker.example.com/100?a=1&amp;b=2"'] * users
    )
    assert "Kick-off &lt;workshop&gt;</a>" in text
    assert "Project X, 2026-08-17 to 2026-11-15" in text
    head = git(repo, "rev-parse", "HEAD").strip()
    branch = git(repo, "branch", "--show-current").strip()
    assert f'<p class="source">Read from the work tree of {branch} (commit {head[:12]})' in text
    dom = browser("--dump-dom", page.as_uri())
    billable = check_adds_up(dom)
    assert (
        billable
        == ff("report", "--from", str(FIRST), "--to", "2026-11-15", "--format", "json").json()[
            "totals"
        ]["billable_seconds"]
    )
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
