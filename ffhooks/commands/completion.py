"""`ffhooks completion bash|zsh|fish`: a completion script for the shell, made from the
command line's own parser (every command, its options and the values they choose from). The
plumbing that git and pre-commit run is left out, as `ffhooks --help` leaves it out."""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from ffhooks.records import Any, NamedTuple


class Command(NamedTuple):
    name: str
    help: str
    words: list[str]  # its options and the choices of its arguments
    described: list[tuple[str, str]]  # (long option, help)


def commands() -> list[Command]:
    from ffhooks.cli.parser import COMMANDS, PLUMBING, build_parser

    parser = build_parser()
    sub: Any = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    found = []
    for name, command in sub.choices.items():
        heading, text, _ = COMMANDS[name]
        if heading == PLUMBING:
            continue
        words: list[str] = []
        described = []
        for action in command._actions:
            if action.dest == "help":
                continue
            words += action.option_strings or [str(c) for c in action.choices or ()]
            longs = [o for o in action.option_strings if o.startswith("--")]
            if longs:
                described.append((longs[0][2:], action.help or ""))
        found.append(Command(name=name, help=text, words=words, described=described))
    return found


def bash(found: Iterable[Command]) -> str:
    found = list(found)
    cases = "".join(f"        {c.name}) words={shlex.quote(' '.join(c.words))} ;;\n" for c in found)
    names = " ".join(c.name for c in found)
    return f"""# ffhooks completion for bash: `source <(ffhooks completion bash)` in ~/.bashrc
_ffhooks() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} words
    if [ "$COMP_CWORD" -eq 1 ]; then
        words="{names} --help --version"
    else
        case "${{COMP_WORDS[1]}}" in
{cases}        *) words="" ;;
        esac
    fi
    COMPREPLY=($(compgen -W "$words --help" -- "$cur"))
}}
complete -o default -F _ffhooks ffhooks
"""


def zsh(found: Iterable[Command]) -> str:
    return (
        "# ffhooks completion for zsh: `source <(ffhooks completion zsh)` in ~/.zshrc\n"
        "autoload -U +X compinit && compinit\n"
        "autoload -U +X bashcompinit && bashcompinit\n" + bash(found)
    )


def fish(found: Iterable[Command]) -> str:
    lines = [
        "# ffhooks completion for fish: "
        "`ffhooks completion fish > ~/.config/fish/completions/ffhooks.fish`"
    ]
    for c in found:
        lines.append(
            f"complete -c ffhooks -f -n __fish_use_subcommand -a {c.name} -d {shlex.quote(c.help)}"
        )
        for option, text in c.described:
            lines.append(
                f"complete -c ffhooks -n '__fish_seen_subcommand_from {c.name}' "
                f"-l {option} -d {shlex.quote(text)}"
            )
    return "\n".join(lines) + "\n"


def completion(shell: str) -> int:
    print({"bash": bash, "zsh": zsh, "fish": fish}[shell](commands()), end="")
    return 0
