from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import ffhooks.commands.status


def test_usage_error_exits_2(ff: Any, repo: Path) -> None:
    result = ff("start", "--bogus")
    assert result.code == 2 and "usage:" in result.err
    assert ff("frobnicate").code == 2


def test_bug_exits_3_with_the_traceback_in_the_log(
    ff: Any, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> int:
        return 1 // 0

    monkeypatch.setattr(ffhooks.commands.status, "status", broken)
    result = ff("status")
    assert result.code == 3
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    log = repo / ".git" / "ffhooks" / "ffhooks.log"
    assert str(log) in result.err
    assert "ZeroDivisionError" in log.read_text() and "Traceback" in log.read_text()


def test_bad_ffhooks_now(ff: Any, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FFHOOKS_NOW", "tomorrow-ish")
    result = ff("status")
    assert result.code == 1 and "FFHOOKS_NOW" in result.err


def test_python_dash_m_and_console_script(repo: Path) -> None:
    for argv in ([sys.executable, "-m", "ffhooks", "--version"], ["ffhooks", "--version"]):
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        assert proc.returncode == 0 and proc.stdout.startswith("ffhooks ")


def test_broken_team_config_is_one_line(ff: Any, repo: Path) -> None:
    (repo / ".flowforge/team").mkdir(parents=True)
    (repo / ".flowforge/team/config.json").write_text('{"max_session_hours": "twelve"}')
    result = ff("add", "1", "1h")
    assert result.code == 1
    assert ".flowforge/team/config.json: $.max_session_hours: expected number" in result.err
    (repo / ".flowforge/team/config.json").write_text('{"branch_task_pattern": "("}')
    assert "not a valid regular expression" in ff("add", "1", "1h").err


def test_schema_command(ff: Any) -> None:
    listing = ff("schema", "--list")
    assert listing.code == 0 and "summary" in listing.out and "team-config" in listing.out
    one = ff("schema", "summary")
    assert one.code == 0 and '"$id"' in one.out
    assert ff("schema", "nope").code == 1


def test_every_command_and_option_says_what_it_takes() -> None:
    from ffhooks.cli.parser import build_parser

    parser = build_parser()
    commands: Any = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    silent = [
        f"{name} {action.option_strings or action.dest}"
        for name, sub in commands.choices.items()
        for action in sub._actions
        if action.dest != "help" and not action.help
    ]
    assert silent == []
    for sub in commands.choices.values():
        assert sub.format_help()  # argparse formats each help with %: a stray one breaks it
    help_text = " ".join(commands.choices["add"].format_help().split())
    for form in ("14:30", "1h30m", "1.5h", "1:30", "2026-11-21", "yesterday"):
        assert form in help_text


def test_every_command_function_takes_its_options_as_keywords() -> None:
    """`main` passes a command's parsed options to its function by their `dest`: each is a
    parameter of it, and each parameter without a default is an option."""
    import importlib
    import inspect

    from ffhooks.cli.parser import COMMANDS, build_parser
    from ffhooks.main import CONTEXT, NOTHING, REPO, REPO_NOW, RUNS, located

    assert sorted(RUNS) == sorted(COMMANDS)
    commands: Any = next(
        a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction"
    )
    leading = {NOTHING: 0, REPO: 1, REPO_NOW: 2, CONTEXT: 1}
    for name, (target, given) in RUNS.items():
        module, function = located(target)
        run = getattr(importlib.import_module(module), function)
        params = list(inspect.signature(run).parameters.values())[leading[given] :]
        dests = {a.dest for a in commands.choices[name]._actions if a.dest != "help"}
        if given == CONTEXT:
            assert {"user"} <= dests, name  # whose store
            dests -= {"user", "new_store", "new_user"}
        assert dests <= {p.name for p in params}, name
        assert {p.name for p in params if p.default is p.empty} <= dests, name


def test_help_lists_the_commands_under_headings_and_not_the_plumbing(ff: Any) -> None:
    import re

    from ffhooks.cli.parser import COMMANDS

    result = ff("--help")
    assert result.code == 0
    listed = {  # heading: the commands under it
        heading[:-1]: re.findall(r"^  ([a-z-]+)", rest, re.MULTILINE)
        for heading, _, rest in (block.partition("\n") for block in result.out.split("\n\n"))
        if heading.endswith(":") and heading != "options:"
    }
    assert list(listed) == [
        "tracking your time",
        "team and billing",
        "recovery and repair",
        "setup",
    ]
    assert listed["tracking your time"][:3] == ["start", "stop", "status"]
    assert listed["setup"][:2] == ["init", "demo"]
    plumbing = {"hook", "guard", "merge-summary", "branch-timer"}
    assert sorted(n for names in listed.values() for n in names) == sorted(set(COMMANDS) - plumbing)
    assert "`ffhooks COMMAND --help`" in result.out
    for name in plumbing:
        assert not re.search(rf"(?<![\w-]){name}(?![\w-])", result.out)
        told = ff(name, "--help")  # still there for git and pre-commit, and says what it is
        assert told.code == 0 and told.out.startswith(f"usage: ffhooks {name} ")
        assert COMMANDS[name][1] in " ".join(told.out.split())
