"""`ffhooks demo`: a throw-away team, a week of work through the real hooks, the report.

Every step runs away from the person's terminal (in a session of its own), so that no hook
writes on it, but one commit, on a pseudo-terminal of its own: the demo shows what it showed.
The hook server is off: a demo leaves no process behind.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from ffhooks.errors import FatalError

WEEK = ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"]
# per developer, each day: (task, start, end, extra options); ben works on feature/42-export
# until Wednesday evening, when he merges it
PLAN: dict[str, list[tuple[str, ...]]] = {
    "ana": [
        ("101", "09:00", "12:30"),
        ("admin", "13:30", "14:00", "--no-billable"),
        ("102", "14:00", "17:15"),
    ],
    "ben": [("42", "08:30", "12:00"), ("42", "13:00", "16:45")],
    "cleo": [("205", "10:00", "13:00"), ("317", "14:00", "18:00")],
}

FIRST_COMMIT = """\
The hook folded her day's time into a summary for 2026-11 (the file under
.flowforge/team/summaries/) and staged it in the same commit. Her sessions themselves stay
private in her clone (.flowforge/user/, which git ignores)."""
NEXT_STEPS = """
Next steps, in a repository of your own:

    ffhooks init          # the lead, once: the team's files, with the hook's config
    git add -A && git commit -m "Track time with ffhooks"
    ffhooks init          # each developer, once per clone: the git hook and the user name
    ffhooks start TASK    # then `ffhooks stop`, and commit as usual
    ffhooks report        # the team's billable time, from any clone

`ffhooks --help` lists the commands; the README and docs/ of ffhooks' source say the rest."""


class Team:
    def __init__(self, root: Path) -> None:
        self.root = root
        scripts = sysconfig.get_path("scripts")
        self.path = os.pathsep.join([scripts, os.environ.get("PATH", "")])

    def run(
        self, who: str, *args: str, now: str = "2026-11-16T08:00:00Z", terminal: bool = False
    ) -> str:
        """What `args` printed, run in `who`'s clone at `now`; with `terminal`, what a
        terminal of its own shows at the end (POSIX; elsewhere what it printed)."""
        env = {
            **os.environ,
            "PATH": self.path,
            "FFHOOKS_USER": who,
            "FFHOOKS_NOW": now,
            "FFHOOKS_HOOK_SERVER": "off",  # the first commit would leave one running
            "GIT_AUTHOR_NAME": who,
            "GIT_COMMITTER_NAME": who,
            "GIT_AUTHOR_EMAIL": f"{who}@example.com",
            "GIT_COMMITTER_EMAIL": f"{who}@example.com",
        }
        if args[0] == "ffhooks":
            args = (sys.executable, "-m", "ffhooks", *args[1:])
        elif args[0] == "pre-commit":
            args = (sys.executable, "-m", "pre_commit", *args[1:])
        cwd = self.root / who if who else self.root
        if terminal and os.name == "posix":
            # the hook writes on no "dumb" terminal; `rendered` plays out what it writes
            code, out = on_a_terminal(args, cwd, {**env, "TERM": "xterm"})
            err = out
        else:
            proc = subprocess.run(
                args,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                check=False,
                start_new_session=True,  # no hook writes on the person's terminal
            )
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        if code != 0:
            said = (err or out).strip().splitlines() or [f"exit code {code}"]
            raise FatalError(f"demo step failed: {' '.join(args)}: {said[-1]}")
        return out

    def commit_and_push(
        self, who: str, now: str, message: str, *, push: bool = True, terminal: bool = False
    ) -> str:
        """Commit a change and push it; what the commit printed, with `terminal` as a
        terminal of its own shows it (the commit hook's line first)."""
        note = self.root / who / "src" / f"{who}.txt"
        note.parent.mkdir(exist_ok=True)
        with open(note, "a") as handle:
            handle.write(f"{now} {message}\n")
        self.run(who, "git", "add", "src", now=now)
        quiet = () if terminal else ("-q",)
        out = self.run(who, "git", "commit", *quiet, "-m", message, now=now, terminal=terminal)
        if push:
            self.run(who, "git", "pull", "-q", "--rebase", "origin", "main", now=now)
            self.run(who, "git", "push", "-q", "origin", "HEAD:main", now=now)
        return out


def on_a_terminal(argv: tuple[str, ...], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run `argv` with a pseudo-terminal as its own: the exit code, and what it shows."""
    import fcntl
    import pty
    import select
    import termios

    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=follower,
            stdout=follower,
            stderr=follower,
            start_new_session=True,
            # the terminal becomes the controlling one: the hook finds it as /dev/tty
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
    finally:
        os.close(follower)
    drawn = b""
    try:
        while True:
            if select.select([leader], [], [], 0.1)[0]:
                try:
                    chunk = os.read(leader, 1 << 16)
                except OSError:  # EIO: every process holding the terminal has ended
                    break
                if not chunk:
                    break
                drawn += chunk
            elif proc.poll() is not None:  # a process it left behind holds the terminal
                break
    finally:
        os.close(leader)
    return proc.wait(), rendered(drawn.decode("utf-8", "replace"))


def rendered(drawn: str) -> str:
    """What a terminal shows once `drawn` is written on it: carriage returns, a saved and
    restored cursor and erased line ends played out, colours dropped (what pre-commit and
    the commit hook write)."""
    lines: list[str] = []
    line: list[str] = []
    column = saved = 0
    for token in re.findall(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b.?|\r|\n|[^\x1b\r\n]+", drawn):
        if token == "\n":
            lines.append("".join(line).rstrip())
            line, column = [], 0
        elif token == "\r":
            column = 0
        elif token == "\x1b7":
            saved = column
        elif token == "\x1b8":
            column = saved
        elif token == "\x1b[K":
            del line[column:]
        elif not token.startswith("\x1b"):
            line += [" "] * (column - len(line))
            line[column : column + len(token)] = token
            column += len(token)
    lines.append("".join(line).rstrip())
    return "\n".join(lines).strip("\n") + "\n"


def demo(*, folder: str | None) -> int:
    import importlib.util

    if importlib.util.find_spec("pre_commit") is None:
        raise FatalError(
            "the demo commits through the real pre-commit hooks, and pre-commit is not "
            "installed here: `python3 -m pip install 'ffhooks[demo]'`"
        )
    root = Path(folder).resolve() if folder else Path(tempfile.mkdtemp(prefix="ffhooks-demo-"))
    if root.exists() and any(root.iterdir()):
        raise FatalError(f"{root} is not empty: give a new or empty folder")
    root.mkdir(parents=True, exist_ok=True)
    team = Team(root)
    print(
        f"Demo team in {root}: a shared remote and the clones of ana, ben and cleo, set\n"
        "up as a team does it: `ffhooks init` by the lead, then in each developer's clone.\n"
    )
    team.run("", "git", "init", "-q", "--bare", "-b", "main", "remote.git")
    for i, who in enumerate(PLAN):
        team.run("", "git", "clone", "-q", "remote.git", who)
        if i == 0:
            team.run(who, "git", "checkout", "-q", "-b", "main")
            team.run(who, "ffhooks", "init")
            team.run(who, "git", "add", "-A")
            team.run(who, "git", "commit", "-q", "-m", "Set up ffhooks")
            team.run(who, "git", "push", "-q", "origin", "main")
        else:
            team.run(who, "git", "pull", "-q", "origin", "main")
            team.run(who, "ffhooks", "init")
    team.run("ben", "git", "checkout", "-q", "-b", "feature/42-export")
    print(
        f"A week of work, {WEEK[0]} to {WEEK[-1]}: each times tasks with `ffhooks start` and\n"
        "`ffhooks stop`, commits every evening and pushes (ben on a branch, which he merges\n"
        "on Wednesday). Ana's first commit, as her terminal shows it:\n"
    )
    for day in WEEK:
        for who, sessions in PLAN.items():
            for task, start, end, *flags in sessions:
                now = f"{day}T{end}:00Z"
                team.run(
                    who,
                    "ffhooks",
                    "start",
                    task,
                    "--at",
                    f"{day}T{start}:00Z",
                    *flags,
                    now=f"{day}T{start}:00Z",
                )
                team.run(who, "ffhooks", "stop", now=now)
            evening = f"{day}T18:30:00Z"
            on_branch = who == "ben" and day < "2026-11-19"
            message = f"{who}'s work on {day}"
            first = who == "ana" and day == WEEK[0]
            said = team.commit_and_push(who, evening, message, push=not on_branch, terminal=first)
            if first:
                print(f'    $ git commit -m "{message}"')
                print("".join(f"    {line}\n" for line in said.splitlines()))
                print(FIRST_COMMIT)
        if day == "2026-11-18":  # ben merges his feature branch into main
            now = f"{day}T19:00:00Z"
            team.run("ben", "git", "checkout", "-q", "main", now=now)
            team.run("ben", "git", "pull", "-q", "--rebase", "origin", "main", now=now)
            team.run(
                "ben",
                "git",
                "merge",
                "-q",
                "--no-ff",
                "-m",
                "Merge feature/42-export",
                "feature/42-export",
                now=now,
            )
            team.run("ben", "git", "push", "-q", "origin", "main", now=now)
    team.run("", "git", "clone", "-q", "remote.git", "manager")
    now = "2026-11-20T19:00:00Z"
    print("\nThe manager's report, from a fresh clone:\n")
    print(team.run("manager", "ffhooks", "report", "--by", "user,task", now=now))
    team.run(
        "manager",
        "ffhooks",
        "report",
        "--format",
        "html",
        "--by",
        "user,week",
        "-o",
        str(root / "report.html"),
        now=now,
    )
    print(f"Also: {root / 'report.html'} (a page to forward), and the clones ana, ben, cleo.")
    print(NEXT_STEPS)
    return 0
