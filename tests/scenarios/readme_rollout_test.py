"""The README's team rollout, word for word: its commands are read from the README and run as
each person would (a lead, two developers of whom one forgets to set up his clone at first, a
manager, a CI job), through a shared remote, real git and the real pre-commit. The manager's
report equals both developers' logs to the second."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from conftest import git

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def block(heading: str) -> list[str]:
    """The commands of the first code block under a README heading (a `$ ` prompt, where
    the block shows one, marks a command; comments go)."""
    section = README.split(f"\n### {heading}\n", 1)[1].split("\n## ", 1)[0].split("\n### ")[0]
    code = re.search(r"```(?:sh)?\n(.*?)```", section, re.S)
    assert code is not None, heading
    lines = code.group(1).splitlines()
    if any(line.startswith("$ ") for line in lines):
        lines = [line[2:] for line in lines if line.startswith("$ ")]
    return [line for line in lines if line.strip()]


class Person:
    def __init__(self, clone: Path, email: str) -> None:
        self.clone = clone
        self.env = {k: v for k, v in os.environ.items() if k != "FFHOOKS_USER"}
        git(clone, "config", "user.email", email)

    def run(self, command: str, at: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            command,
            shell=True,
            cwd=self.clone,
            env={**self.env, "FFHOOKS_NOW": at},
            capture_output=True,
            text=True,
            start_new_session=True,  # no terminal, so nothing asks
        )
        assert not check or done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
        return done

    def push(self, at: str) -> None:
        self.run("git pull -q --rebase && git push -q origin HEAD:main", at)


def test_the_readme_rollout(tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))

    def clone(name: str, email: str) -> Person:
        git(tmp_path, "clone", "-q", str(origin), str(tmp_path / name))
        return Person(tmp_path / name, email)

    lead = clone("lead", "lead@example.com")
    for command in block("The lead, once per repository"):
        lead.run(command, "2026-11-16T08:00:00Z")
    lead.run("git push -q origin HEAD:main", "2026-11-16T08:00:00Z")

    alice, bob = clone("alice", "alice@example.com"), clone("bob", "bob@example.com")
    [setup] = block("Each developer, once per clone")
    said = alice.run(setup, "2026-11-16T08:30:00Z").stdout
    assert said.splitlines()[-1].startswith("A `git commit` here runs the ffhooks hook")
    # the example under it: start, stop, commit
    shown = README.split("Then track time and commit", 1)[1]
    start, stop, commit = re.findall(r"\n\$ (.*?)(?:\s+#.*)?(?=\n)", shown)[:3]
    assert (start.split()[:2], stop, commit.split()[:2]) == (
        ["ffhooks", "start"],
        "ffhooks stop",
        ["git", "commit"],
    )

    # alice works as the README shows; bob forgot his clone's set-up
    for person, day in ((alice, "17"), (bob, "17"), (alice, "18"), (bob, "18")):
        (person.clone / f"{person.clone.name}-{day}.txt").write_text("work\n")
        person.run("git add -A", f"2026-11-{day}T09:00:00Z")
        person.run(start, f"2026-11-{day}T09:00:00Z")
        person.run(stop, f"2026-11-{day}T10:30:17Z")
        person.run(commit, f"2026-11-{day}T10:31:00Z")
        person.push(f"2026-11-{day}T10:32:00Z")
        if person is bob and day == "17":
            status = bob.run("ffhooks status", "2026-11-17T10:33:00Z")
            assert "not yet in any commit: 1h30m " in status.stdout
            assert "`ffhooks init` fixes it" in status.stderr + status.stdout
            told = bob.run("ffhooks recover status", "2026-11-17T10:33:00Z", check=False)
            assert told.returncode == 1 and "fix: ffhooks init" in told.stdout
            bob.run(setup, "2026-11-17T10:34:00Z")  # the fix it named

    logs = 0
    for person in (alice, bob):
        log = json.loads(person.run("ffhooks log --all --json", "2026-11-19T09:00:00Z").stdout)
        assert len(log["sessions"]) == 2
        logs += sum(s["seconds"] for s in log["sessions"])
        status = person.run("ffhooks status", "2026-11-19T09:00:00Z")
        assert "warning" not in status.stdout + status.stderr
        assert "not yet in any commit" not in status.stdout

    manager = clone("manager", "manager@example.com")
    for command in block("The manager"):
        manager.run(command, "2026-12-02T09:00:00Z")
    report = json.loads(manager.run("ffhooks report --format json", "2026-12-02T09:00:00Z").stdout)
    assert report["totals"]["billable_seconds"] == logs == 4 * (90 * 60 + 17)
    assert {row["user"] for row in report["rows"]} == {"alice", "bob"}

    # CI: the shipped workflow's check of a push, in a fresh clone, against the commit the
    # branch held before the last push
    workflow = (ROOT / "docs/github-actions-verify.yml").read_text()
    checks = re.findall(r"run: (ffhooks verify --ref HEAD --since .*)\n", workflow)
    assert checks, "the workflow runs no ffhooks verify on a push"
    ci = clone("ci", "ci@example.com")
    before = git(ci.clone, "rev-parse", "HEAD~1").strip()
    for command in checks:
        command = command.replace("${{ github.event.before }}", before)
        command = command.replace("origin/${{ github.base_ref }}", "origin/main")
        ci.run(command, "2026-12-02T09:00:00Z")
