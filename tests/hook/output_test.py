"""What a commit shows of the ffhooks hook: one line on a terminal, in pre-commit's own row,
no `- hook id:`/`- duration:` lines; nothing in an IDE's commit, where a queued failure is
then told by `ffhooks status`; prek's rows as prek draws them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import commit, git, install_hooks, on_terminal

from ffhooks.hook.output import ROW, _over_the_row

pytestmark = pytest.mark.slow

FOLDED = "ffhooks: alice +1h00m billable in 2026-11, staged"


def ffhooks_rows(shown: str) -> list[str]:
    return [line for line in shown.splitlines() if "ffhooks" in line or line.startswith("-")]


def test_a_commit_on_a_terminal_shows_one_line_in_pre_commits_row(hooked: Path, ff: Any) -> None:
    repo = hooked
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    done = commit(repo, "--allow-empty", "-m", "work", terminal=True)
    assert done.returncode == 0, done.stdout
    [row] = ffhooks_rows(done.stdout)
    assert row.startswith(f"{FOLDED}...") and row.endswith(".Passed"), done.stdout
    assert git(repo, "ls-tree", "-r", "--name-only", "HEAD", ".flowforge/team").count("\n") == 1
    # nothing new: pre-commit's own row, `Passed` where it was
    again = commit(repo, "--allow-empty", "-m", "more", terminal=True)
    assert ffhooks_rows(again.stdout) == [
        "ffhooks: guard, fold time into team summaries, validate".ljust(len(row) - 6, ".")
        + "Passed"
    ], again.stdout


def test_an_ide_commit_shows_nothing_and_status_tells_a_queued_failure(
    hooked: Path, ff: Any
) -> None:
    repo = hooked
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    done = commit(repo, "--allow-empty", "-m", "from the IDE")  # no terminal
    assert done.returncode == 0
    assert done.stdout == "" and "billable" not in done.stderr, done.stderr
    assert "alice" in git(repo, "ls-tree", "-r", "--name-only", "HEAD", ".flowforge/team")
    daily = repo / ".flowforge/user/alice/time/daily/2026-11-19.json"
    assert ff("add", "205", "1h", "--start", "2026-11-19T11:00:00Z").code == 0
    daily.write_text("{ broken")  # the next fold fails: queued, the commit goes through
    failed = commit(repo, "--allow-empty", "-m", "again from the IDE")
    assert failed.returncode == 0 and "recover" not in failed.stdout + failed.stderr
    told = ff("status")
    assert told.code == 0 and "1 failure(s) of ffhooks wait" in told.out, told.out
    assert "ffhooks recover" in told.out
    for command in (("start", "205", "--at", "13:00"), ("stop", "--at", "14:00")):
        done = ff(*command)
        assert done.code == 0 and "ffhooks recover" in done.err, done.err
    # on a terminal the same failure is told by the commit itself, above pre-commit's row
    on_tty = commit(repo, "--allow-empty", "-m", "at the terminal", terminal=True)
    rows = ffhooks_rows(on_tty.stdout)
    assert "2026-11-19.json" in rows[0] and "ffhooks recover" in on_tty.stdout, on_tty.stdout
    assert rows[-1] == f"{'ffhooks'.ljust(ROW, '.')}Passed"


def test_under_prek_the_terminal_shows_preks_row(repo: Path, ff: Any) -> None:
    install_hooks(repo, ff, "prek")
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    done = commit(repo, "--allow-empty", "-m", "work", terminal=True)
    assert done.returncode == 0, done.stdout
    rows = ffhooks_rows(done.stdout)
    assert len(rows) == 1 and rows[0].startswith("ffhooks: guard, fold time"), done.stdout
    assert rows[0].endswith("Passed") and "billable" not in done.stdout
    assert "alice" in git(repo, "ls-tree", "-r", "--name-only", "HEAD", ".flowforge/team")


def test_only_pre_commit_on_a_terminal_gets_the_row(tmp_path: Path) -> None:
    """The choice itself, on a real terminal: pre-commit yes; prek (its hook stage set, or
    its process as the parent), a dumb terminal, or no framework: printed as any output."""
    import os
    import sys

    probe = "from ffhooks.hook.output import _terminal; print(_terminal() is not None)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "PREK"))}
    cases = [
        ({"PRE_COMMIT": "1", "TERM": "xterm"}, "True"),
        ({"PRE_COMMIT": "1", "TERM": "xterm", "PREK_HOOK_STAGE": "pre-commit"}, "False"),
        ({"PRE_COMMIT": "1", "TERM": "dumb"}, "False"),
        ({"TERM": "xterm"}, "False"),
    ]
    for extra, drawn in cases:
        shown = on_terminal((sys.executable, "-c", probe), tmp_path, {**env, **extra})
        assert shown.stdout.strip() == drawn, (extra, shown.stdout)


def test_the_plain_git_hook_prints_its_line(initialised: Path, ff: Any) -> None:
    """Without a framework (hooks/pre-commit: `exec ffhooks hook`) the line is printed as
    any command prints, on a terminal or not."""
    repo = initialised
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text((Path(__file__).parents[2] / "hooks/pre-commit").read_text())
    hook.chmod(0o755)
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    shown = on_terminal(("git", "commit", "-q", "--allow-empty", "-m", "work"), repo)
    assert shown.returncode == 0 and shown.stdout.strip() == FOLDED, shown.stdout
    assert ff("add", "205", "1h", "--start", "11:00").code == 0
    piped = commit(repo, "--allow-empty", "-m", "more")
    assert (piped.stdout + piped.stderr).strip() == FOLDED, piped.stderr


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([FOLDED], f"\0337\r{FOLDED.ljust(ROW, '.')}\0338"),
        (["ffhooks: a warning", FOLDED], f"\r\033[Kffhooks: a warning\n{FOLDED.ljust(ROW, '.')}"),
        (["x" * ROW], f"\r\033[K{'x' * ROW}\n{'ffhooks'.ljust(ROW, '.')}"),
    ],
)
def test_over_the_row(lines: list[str], expected: str) -> None:
    assert _over_the_row(lines) == expected
