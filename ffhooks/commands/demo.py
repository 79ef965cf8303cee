"""`ffhooks demo`: a throw-away team, a week of work through the real hooks, the report."""

from __future__ import annotations

import os
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


class Team:
    def __init__(self, root: Path) -> None:
        self.root = root
        scripts = sysconfig.get_path("scripts")
        self.path = os.pathsep.join([scripts, os.environ.get("PATH", "")])

    def run(self, who: str, *args: str, now: str = "2026-11-16T08:00:00Z") -> str:
        env = {
            **os.environ,
            "PATH": self.path,
            "FFHOOKS_USER": who,
            "FFHOOKS_NOW": now,
            "GIT_AUTHOR_NAME": who,
            "GIT_COMMITTER_NAME": who,
            "GIT_AUTHOR_EMAIL": f"{who}@example.com",
            "GIT_COMMITTER_EMAIL": f"{who}@example.com",
        }
        if args[0] == "ffhooks":
            args = (sys.executable, "-m", "ffhooks", *args[1:])
        elif args[0] == "pre-commit":
            args = (sys.executable, "-m", "pre_commit", *args[1:])
        proc = subprocess.run(
            args,
            cwd=self.root / who if who else self.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise FatalError(
                f"demo step failed: {' '.join(args)}: "
                f"{(proc.stderr or proc.stdout).strip().splitlines()[-1:]}"
            )
        return proc.stdout

    def commit_and_push(self, who: str, now: str, message: str, *, push: bool = True) -> None:
        note = self.root / who / "src" / f"{who}.txt"
        note.parent.mkdir(exist_ok=True)
        with open(note, "a") as handle:
            handle.write(f"{now} {message}\n")
        self.run(who, "git", "add", "src", now=now)
        self.run(who, "git", "commit", "-q", "-m", message, now=now)
        if push:
            self.run(who, "git", "pull", "-q", "--rebase", "origin", "main", now=now)
            self.run(who, "git", "push", "-q", "origin", "HEAD:main", now=now)


def demo(*, folder: str | None) -> int:
    import importlib.util

    if importlib.util.find_spec("pre_commit") is None:
        raise FatalError(
            "the demo commits through the real pre-commit hooks, and pre-commit is not "
            "installed here: `python3 -m pip install 'ffhooks[demo]'`"
        )
    root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="ffhooks-demo-"))
    if root.exists() and any(root.iterdir()):
        raise FatalError(f"{root} is not empty: give a new or empty folder")
    root.mkdir(parents=True, exist_ok=True)
    team = Team(root)
    print(f"Demo team in {root}")
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
        team.run(who, "pre-commit", "install")
    team.run("ben", "git", "checkout", "-q", "-b", "feature/42-export")
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
            team.commit_and_push(who, evening, f"{who}'s work on {day}", push=not on_branch)
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
    print(f"Also: {root / 'report.html'} (a page to forward), and the clones ana, ben, cleo")
    return 0
