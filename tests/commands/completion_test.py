"""`ffhooks completion bash|zsh|fish`: scripts made from the parser, completing commands,
their options and their choices in a real shell."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest


def complete_bash(script: str, *words: str) -> list[str]:
    """What bash offers for the last of `words`, with the script sourced."""
    quoted = " ".join(f"'{w}'" for w in ("ffhooks", *words))
    program = (
        f"{script}\nCOMP_WORDS=({quoted}); COMP_CWORD={len(words)}; _ffhooks; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    out = subprocess.run(("bash", "-c", program), capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_bash_completes_commands_options_and_choices(ff: Any) -> None:
    result = ff("completion", "bash")
    assert result.code == 0
    assert complete_bash(result.out, "rep") == ["report"]
    assert complete_bash(result.out, "re") == [
        "resume",
        "restart",
        "remove",
        "rename",
        "report",
        "recover",
        "resolve",
    ]
    assert complete_bash(result.out, "report", "--fo") == ["--format"]
    assert complete_bash(result.out, "recover", "re") == ["retry", "restore", "rebuild"]
    assert "--new-store" in complete_bash(result.out, "start", "--")


def test_the_plumbing_is_not_offered(ff: Any) -> None:
    """What git and pre-commit run (hook, guard, merge-summary, branch-timer) is left out,
    as `ffhooks --help` leaves it out."""
    bash = ff("completion", "bash").out
    assert complete_bash(bash, "h") == ["health"]
    assert complete_bash(bash, "g") == complete_bash(bash, "me") == []
    assert complete_bash(bash, "b") == []
    assert complete_bash(bash, "st") == ["start", "stop", "status", "store"]
    fish = ff("completion", "fish").out
    for name in ("hook", "guard", "merge-summary", "branch-timer"):
        assert f"-a {name} " not in fish and f"from {name}'" not in fish
    assert "-a health " in fish


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_loads_it(ff: Any) -> None:
    script = ff("completion", "zsh").out
    subprocess.run(("zsh", "-c", script), check=True)


def test_fish_names_every_command_and_option(ff: Any) -> None:
    script = ff("completion", "fish").out
    assert "-n __fish_use_subcommand -a report -d 'the team" in script
    assert "-n '__fish_seen_subcommand_from report' -l include-unverified" in script
    if shutil.which("fish"):
        subprocess.run(("fish", "--no-execute", "-c", script), check=True)
