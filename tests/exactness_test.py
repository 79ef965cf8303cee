"""Six developers, one bare remote, random work through the real hooks: the report from a
fresh clone equals, to the second, what the developers recorded, with zero conflicts."""

from __future__ import annotations

import json
import os
import random
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

DEVELOPERS = ("ana", "ben", "cleo", "dan", "eve", "finn")
STEPS = 160
START = datetime(2026, 10, 26, 8, 0, tzinfo=timezone.utc)  # spans a month boundary


class Dev:
    def __init__(self, name: str, clone: Path) -> None:
        self.name = name
        self.clone = clone
        self.cursor = START  # this developer's own timeline: sessions never overlap
        self.branches: list[str] = []
        self.counter = 0

    def env(self, now: datetime) -> dict[str, str]:
        return {
            **os.environ,
            "FFHOOKS_USER": self.name,
            "FFHOOKS_NOW": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def run(self, now: datetime, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            args, cwd=self.clone, env=self.env(now), capture_output=True, text=True, check=False
        )
        if ok and proc.returncode != 0:
            raise AssertionError(f"{self.name}: {' '.join(args)}\n{proc.stdout}{proc.stderr}")
        return proc

    def git(self, now: datetime, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(now, "git", *args, ok=ok)

    def branch(self, now: datetime) -> str:
        return self.git(now, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()

    def edit_and_commit(self, now: datetime, message: str) -> None:
        self.counter += 1
        # a new file each time: any conflict would be one under .flowforge
        path = self.clone / "notes" / f"{self.name}-{self.counter}-{now:%H%M}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"{message}\n")
        self.git(now, "add", str(path.relative_to(self.clone)))
        self.git(now, "commit", "-q", "-m", f"{self.name}: {message} {self.counter}")

    def sync_main(self, now: datetime) -> None:
        self.git(now, "checkout", "-q", "main")
        self.git(now, "pull", "-q", "--rebase", "origin", "main")

    def push(self, now: datetime) -> None:
        for _ in range(5):
            if self.git(now, "push", "-q", "origin", "main", ok=False).returncode == 0:
                return
            self.git(now, "pull", "-q", "--rebase", "origin", "main")
        raise AssertionError(f"{self.name} could not push")


@pytest.mark.slow
def test_six_developers_report_is_exact(tmp_path: Path) -> None:
    rng = random.Random(20261122)
    remote = tmp_path / "remote.git"
    subprocess.run(("git", "init", "-q", "--bare", "-b", "main", str(remote)), check=True)
    now = START
    devs: list[Dev] = []
    for i, name in enumerate(DEVELOPERS):
        clone = tmp_path / name
        subprocess.run(
            ("git", "clone", "-q", str(remote), str(clone)), check=True, capture_output=True
        )
        dev = Dev(name, clone)
        dev.git(now, "config", "user.email", f"{name}@example.com")
        if i == 0:
            dev.git(now, "checkout", "-q", "-b", "main")
            dev.run(now, "ffhooks", "init")
            dev.run(now, "pre-commit", "install")
            dev.git(now, "add", "-A")
            dev.git(now, "commit", "-q", "-m", "set up ffhooks")
            dev.git(now, "push", "-q", "origin", "main")
        else:
            dev.git(now, "pull", "-q", "origin", "main")
            dev.run(now, "pre-commit", "install")
        devs.append(dev)

    for _ in range(STEPS):
        now += timedelta(minutes=rng.randint(20, 90))
        dev = rng.choice(devs)
        if dev.cursor < now - timedelta(hours=3):
            dev.cursor = now - timedelta(hours=3)
        action = rng.choices(
            ["work", "timer", "commit", "branch", "merge", "squash", "cherry", "rebase", "abandon"],
            weights=[5, 2, 5, 2, 2, 1, 1, 2, 1],
        )[0]
        if action in ("work", "timer"):
            room = int((now - dev.cursor).total_seconds()) // 60
            if room >= 2:
                minutes = rng.randint(1, min(room - 1, 120))
                start = dev.cursor + timedelta(minutes=rng.randint(0, room - minutes))
                task = str(rng.choice([101, 102, 205, 317]))
                flag = [] if rng.random() < 0.8 else ["--no-billable"]
                if action == "work":
                    dev.run(
                        now,
                        "ffhooks",
                        "add",
                        task,
                        f"{minutes}m",
                        "--start",
                        start.isoformat(),
                        *flag,
                    )
                    dev.cursor = start + timedelta(minutes=minutes)
                else:  # a timer left running into the next commit, stopped later
                    dev.run(now, "ffhooks", "start", task, "--at", start.isoformat(), *flag)
                    dev.cursor = now
                    dev.edit_and_commit(now, "timer running")
                    stop = now + timedelta(minutes=rng.randint(1, 30))
                    dev.run(stop, "ffhooks", "stop", "--at", stop.isoformat())
                    dev.cursor = stop
        elif action == "commit":
            dev.edit_and_commit(now, "work")
            if dev.branch(now) == "main" and rng.random() < 0.6:
                dev.push(now)
        elif action == "branch":
            name = f"feature/{rng.randint(100, 999)}-{dev.name}"
            if name not in dev.branches:
                dev.git(now, "checkout", "-q", "-b", name)
                dev.branches.append(name)
                dev.edit_and_commit(now, "start feature")
        elif action in ("merge", "squash", "cherry") and dev.branches:
            feature = rng.choice(dev.branches)
            dev.sync_main(now)
            if action == "merge":
                dev.git(now, "merge", "-q", "--no-edit", "--no-ff", feature)
            elif action == "squash":
                dev.git(now, "merge", "-q", "--squash", feature)
                dev.edit_and_commit(now, "squashed")
            else:
                tip = dev.git(now, "rev-parse", feature).stdout.strip()
                dev.git(now, "cherry-pick", "--allow-empty", "--keep-redundant-commits", tip)
            dev.push(now)
        elif action == "rebase":
            if dev.branch(now) == "main":
                dev.git(now, "pull", "-q", "--rebase", "origin", "main")
            else:
                dev.git(now, "fetch", "-q", "origin")
                dev.git(now, "rebase", "-q", "origin/main")
        elif action == "abandon" and dev.branches:
            doomed = dev.branches.pop(rng.randrange(len(dev.branches)))
            dev.git(now, "checkout", "-q", "main")
            dev.git(now, "branch", "-q", "-D", doomed)

    # everyone ends on main with one more commit: their last state reaches the remote
    now += timedelta(hours=1)
    expected = {}
    for dev in devs:
        dev.sync_main(now)
        dev.edit_and_commit(now, "end of week")
        dev.push(now)
        log = json.loads(dev.run(now, "ffhooks", "log", "--all", "--json").stdout)
        expected[dev.name] = (
            log["billable_seconds"],
            log["total_seconds"] - log["billable_seconds"],
        )
    assert sum(b for b, _ in expected.values()) > 0

    fresh = tmp_path / "manager"
    subprocess.run(("git", "clone", "-q", str(remote), str(fresh)), check=True)
    proc = subprocess.run(
        ("ffhooks", "report", "--format", "json", "--by", "user"),
        cwd=fresh,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "FFHOOKS_NOW": now.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    report = json.loads(proc.stdout)
    got = {r["user"]: (r["billable_seconds"], r["non_billable_seconds"]) for r in report["rows"]}
    assert got == {name: seconds for name, seconds in expected.items() if seconds != (0, 0)}
    ref = subprocess.run(
        ("ffhooks", "report", "--format", "json", "--by", "user", "--ref", "origin/main"),
        cwd=fresh,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(ref.stdout)["totals"] == report["totals"]
