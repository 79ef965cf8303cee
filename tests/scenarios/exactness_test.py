"""Six developers (two of them from two clones each), one bare remote, random work through the
real hooks and the git workflows that go wrong in real life: `reset HEAD~1`, `reset --hard`,
`revert`, `stash`, `--amend`, an IDE holding the index or committing as someone else, timers
committed while running and stopped earlier, forgotten timers, a store wiped between commits
and restored, a clone with CRLF checkouts and a JSON formatter as a clean filter. The report
from a fresh clone equals, to the second, what the developers recorded.

FFHOOKS_SIM_SEED and FFHOOKS_SIM_STEPS override the fixed seed and length (to shake out
problems locally; CI runs the defaults).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import run_in

DEVELOPERS = ("ana", "ben", "cleo", "dan", "eve", "finn")
TWO_CLONES = ("ben", "eve")  # each works from a second clone too: two stores, both counted
SEED = int(os.environ.get("FFHOOKS_SIM_SEED", "20261122"))
STEPS = int(os.environ.get("FFHOOKS_SIM_STEPS", "240"))
START = datetime(2026, 10, 26, 8, 0, tzinfo=timezone.utc)  # spans a month boundary
MONTH_END = datetime(2026, 11, 1)  # in each clone's own time zone
TIMEZONES = {"cleo": "Europe/Berlin", "eve-2": "America/New_York"}  # the others: UTC
MAX_SESSION = timedelta(hours=12)  # the team's max_session_hours (the default)
SUMMARIES = ".flowforge/team/summaries"

# "An IDE" holds .git/index.lock while the ffhooks hooks run, in the commits where this marker
# exists: a hook before them takes the lock, one after them gives it back. A plain `git commit`
# takes the lock only after its pre-commit hooks; `set -C` fails the commit rather than
# clobber a lock git itself holds.
IDE_MARKER = ".git/ide-holds-index"
IDE_HOOKS = (
    {
        "id": "ide-takes-index-lock",
        "name": "an IDE holds the index (simulation)",
        "entry": f"sh -c 'set -C; if [ -e {IDE_MARKER} ]; then : > .git/index.lock; fi'",
        "language": "system",
        "pass_filenames": False,
        "always_run": True,
        "stages": ["pre-commit"],
    },
    {
        "id": "ide-releases-index-lock",
        "name": "the IDE lets go of the index (simulation)",
        "entry": f"sh -c 'if [ -e {IDE_MARKER} ]; then rm .git/index.lock {IDE_MARKER}; fi'",
        "language": "system",
        "pass_filenames": False,
        "always_run": True,
        "stages": ["pre-commit"],
    },
)


def stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Dev:
    """One clone of one developer, with its own store and its own timeline."""

    def __init__(self, name: str, label: str, clone: Path, seen: Counter[str]) -> None:
        self.name = name
        self.label = label  # unique per clone: note files never collide
        self.clone = clone
        self.seen = seen
        self.cursor = START  # this clone's own timeline: its sessions never overlap
        self.branches: list[str] = []
        self.counter = 0
        self.forgotten: datetime | None = None  # start of a timer left running for hours
        self.tz = ZoneInfo(TIMEZONES.get(label, "UTC"))
        self.boundary_done = False

    def env(self, now: datetime, *, user: bool = True) -> dict[str, str]:
        env = {**os.environ, "FFHOOKS_NOW": stamp(now)}
        if user:
            env["FFHOOKS_USER"] = self.name
        return env

    def run(
        self, now: datetime, *args: str, ok: bool = True, user: bool = True, terminal: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """`args` in the clone; with `terminal`, typed at a terminal (what it shows is in
        `stdout`); else as an IDE or a script runs it, with no terminal."""
        proc = run_in(self.clone, args, self.env(now, user=user), terminal=terminal)
        if ok and proc.returncode != 0:
            raise AssertionError(f"{self.label}: {' '.join(args)}\n{proc.stdout}{proc.stderr}")
        return proc

    def git(self, now: datetime, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(now, "git", *args, ok=ok)

    def branch(self, now: datetime) -> str:
        return self.git(now, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()

    def pushed(self, now: datetime) -> bool:
        """Whether HEAD is on the remote (feature branches are never pushed)."""
        proc = self.git(now, "merge-base", "--is-ancestor", "HEAD", "origin/main", ok=False)
        return proc.returncode == 0

    def adds_summaries(self, now: datetime, user: str = "") -> bool:
        """Whether HEAD (a commit with one parent) added summary files (of `user`)."""
        where = f"{SUMMARIES}/{user}" if user else SUMMARIES
        added = self.git(
            now,
            "diff-tree",
            "--no-commit-id",
            "-r",
            "--name-only",
            "--diff-filter=A",
            "HEAD",
            "--",
            where,
        )
        return bool(added.stdout.strip())

    def missing_from_head(self, now: datetime) -> list[str]:
        """This store's newest summary of each month it ever summarised, where HEAD lacks it:
        after any commit whose hook could write the index, there must be none."""
        try:
            header = json.loads(
                (self.clone / f".flowforge/user/{self.name}/store.json").read_text()
            )
        except FileNotFoundError:
            return []
        folder = f"{SUMMARIES}/{self.name}"
        want = {
            f"{folder}/{month}/{header['store']}-{seq}.json"
            for month, seq in header.get("summaries", {}).items()
        }
        listed = self.git(now, "ls-tree", "-r", "--name-only", "HEAD", "--", f"{folder}/")
        return sorted(want - set(listed.stdout.split()))

    def note(self, now: datetime, message: str) -> None:
        """A new, staged note file: a new path each time, so any conflict is one under
        .flowforge."""
        self.counter += 1
        path = self.clone / "notes" / f"{self.label}-{self.counter}-{now:%d%H%M}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"{message}\n")
        self.git(now, "add", str(path.relative_to(self.clone)))

    def commit(
        self, now: datetime, *args: str, ide_user: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """`git commit` through the hooks; afterwards HEAD carries every newest summary."""
        before = ("-c", "user.email=ide@example.com") if ide_user else ()
        # a developer at a terminal sees what the hook says; an IDE's commit has none
        proc = self.run(
            now, "git", *before, "commit", "-q", *args, user=not ide_user, terminal=not ide_user
        )
        out = proc.stdout + proc.stderr
        assert "not aggregated" not in out, f"{self.label}: commit {args}\n{out}"
        missing = self.missing_from_head(now)
        assert not missing, f"{self.label}: commit {args}: HEAD lacks {missing}\n{out}"
        return proc

    def edit_and_commit(
        self, now: datetime, message: str, *, ide_user: bool = False
    ) -> subprocess.CompletedProcess[str]:
        self.note(now, message)
        return self.commit(now, "-m", f"{self.label}: {message}", ide_user=ide_user)

    def tidy(self, now: datetime) -> None:
        """Nothing of ffhooks' is left unstaged, whatever happened (`git reset HEAD~1` of a
        folding commit included): git would refuse a pull, a rebase or a revert (issue 24)."""
        changed = self.git(now, "status", "--porcelain", "--", SUMMARIES).stdout
        assert all(line.startswith("??") for line in changed.splitlines()), changed
        assert not self.git(now, "diff", "--name-only", "--", SUMMARIES).stdout, changed

    def pull(self, now: datetime) -> None:
        settle(
            self, now, self.git(now, "pull", "-q", "--rebase", "origin", "main", ok=False), "rebase"
        )

    def sync_main(self, now: datetime) -> None:
        self.tidy(now)
        self.git(now, "checkout", "-q", "main")
        self.pull(now)

    def push(self, now: datetime) -> None:
        self.tidy(now)
        for _ in range(5):
            if self.git(now, "push", "-q", "origin", "main", ok=False).returncode == 0:
                return
            self.pull(now)
        raise AssertionError(f"{self.label} could not push")

    def room(self, now: datetime) -> int:
        """Minutes free on this clone's timeline before `now`."""
        if self.forgotten is not None:
            return 0  # a session now would overlap the running timer
        if self.cursor < now - timedelta(hours=3):
            self.cursor = now - timedelta(hours=3)
        return int((now - self.cursor).total_seconds()) // 60

    def add_work(self, now: datetime, rng: random.Random) -> bool:
        """Record a past session, if there is room; returns whether it did."""
        room = self.room(now)
        if room < 2:
            return False
        minutes = rng.randint(1, min(room - 1, 120))
        start = self.cursor + timedelta(minutes=rng.randint(0, room - minutes))
        flag = [] if rng.random() < 0.8 else ["--no-billable"]
        task = str(rng.choice([101, 102, 205, 317]))
        self.run(now, "ffhooks", "add", task, f"{minutes}m", "--start", start.isoformat(), *flag)
        self.cursor = start + timedelta(minutes=minutes)
        return True

    def timer_committed_while_running(
        self,
        now: datetime,
        rng: random.Random,
        start: datetime | None = None,
        earlier_than: datetime | None = None,
    ) -> None:
        """A timer runs into a commit, then ends later, earlier (before `earlier_than`), or
        at its own start."""
        if start is None:
            room = self.room(now)
            if room < 2:
                return
            start = self.cursor + timedelta(minutes=rng.randint(0, room - 1))
        flag = [] if rng.random() < 0.8 else ["--no-billable"]
        self.run(now, "ffhooks", "start", str(rng.choice([101, 205])), "--at", stamp(start), *flag)
        self.edit_and_commit(now, "timer running")
        if start.astimezone(self.tz).month != now.astimezone(self.tz).month:
            self.seen["timer committed across a month boundary"] += 1
        later = now + timedelta(minutes=rng.randint(1, 30))
        how = rng.choice(["later", "earlier", "at its start"])
        self.seen[f"timer stopped {how}"] += 1
        if how == "later":
            end = later
        elif how == "earlier":  # the commit counted more than the session: withdrawn
            span = (min(now, earlier_than or now) - start).total_seconds()
            end = start + timedelta(seconds=rng.randint(1, int(span) - 1))
        else:  # 0 seconds: nothing recorded, the commit's count is withdrawn entirely
            end = start
        self.run(later, "ffhooks", "stop", "--at", stamp(end))
        self.cursor = later

    def across_month_end(self, now: datetime, rng: random.Random) -> None:
        """Once, just after this clone's month ends: a timer from the old month committed
        in the new one, then stopped later, at its start or back in the old month (the new
        month's count is withdrawn)."""
        self.boundary_done = True
        end = MONTH_END.replace(tzinfo=self.tz)
        earliest = max(
            self.cursor, end - timedelta(hours=2), now - MAX_SESSION + timedelta(hours=1)
        )
        if self.forgotten is None and earliest < end - timedelta(minutes=1):
            room = int((end - earliest).total_seconds()) // 60
            start = earliest + timedelta(minutes=rng.randint(0, room - 1))
            self.timer_committed_while_running(now, rng, start, earlier_than=end)

    def end_forgotten(self, now: datetime, rng: random.Random) -> None:
        """Stop a timer forgotten for more than max_session_hours: with its real end, or
        with --force some time later (then the whole span is billed)."""
        assert self.forgotten is not None
        if self.forgotten.astimezone(self.tz).month != now.astimezone(self.tz).month:
            self.seen["forgotten timer across a month boundary"] += 1
        if rng.random() < 0.6:
            end = self.forgotten + timedelta(
                seconds=rng.randint(60, int(MAX_SESSION.total_seconds()))
            )
            self.run(now, "ffhooks", "stop", "--at", stamp(end))
            self.seen["forgotten timer stopped at its real end"] += 1
        else:
            self.run(now + timedelta(minutes=rng.randint(1, 20)), "ffhooks", "stop", "--force")
            self.seen["forgotten timer stopped later with --force"] += 1
        self.forgotten = None
        self.cursor = now + timedelta(hours=1)

    def expected(self, now: datetime) -> tuple[int, int]:
        log = json.loads(self.run(now, "ffhooks", "log", "--all", "--json").stdout)
        billable: int = log["billable_seconds"]
        return billable, log["total_seconds"] - billable


def set_up(tmp_path: Path, remote: Path, now: datetime, seen: Counter[str]) -> list[Dev]:
    import yaml

    devs: list[Dev] = []
    clones = [(n, n) for n in DEVELOPERS] + [(n, f"{n}-2") for n in TWO_CLONES]
    for i, (name, label) in enumerate(clones):
        clone = tmp_path / label
        subprocess.run(
            ("git", "clone", "-q", str(remote), str(clone)), check=True, capture_output=True
        )
        dev = Dev(name, label, clone, seen)
        dev.git(now, "config", "user.email", f"{name}@example.com")
        if i == 0:
            dev.git(now, "checkout", "-q", "-b", "main")
            attributes = clone / ".gitattributes"
            attributes.write_text("*.json filter=fmt\n")
            dev.run(now, "ffhooks", "init")
            assert attributes.read_text().startswith("*.json filter=fmt\n")
            config_path = clone / ".pre-commit-config.yaml"
            config = yaml.safe_load(config_path.read_text())
            [local] = [r for r in config["repos"] if r["repo"] == "local"]
            local["hooks"] = [IDE_HOOKS[0], *local["hooks"], IDE_HOOKS[1]]
            config_path.write_text(yaml.safe_dump(config, sort_keys=False))
            dev.run(now, "pre-commit", "install")
            dev.git(now, "add", "-A")
            dev.git(now, "commit", "-q", "-m", "set up ffhooks")
            dev.git(now, "push", "-q", "origin", "main")
        else:
            dev.git(now, "pull", "-q", "origin", "main")
            dev.run(now, "pre-commit", "install")
        if label == CRLF_FORMATTER_CLONE:
            dev.git(now, "config", "core.autocrlf", "true")
            dev.git(now, "config", "filter.fmt.clean", FORMATTER)
        if label in TIMEZONES:  # days and months are cut in this zone
            dev.run(now, "ffhooks", "timezone", TIMEZONES[label])
        devs.append(dev)
    return devs


ACTIONS = {  # action: weight
    "work": 5,
    "timer": 2,
    "commit": 5,
    "branch": 2,
    "merge": 2,
    "squash": 1,
    "cherry": 1,
    "rebase": 2,
    "abandon": 1,
    "reset": 1,  # git reset HEAD~1 right after a commit that carried a summary
    "reset-hard": 1,  # git reset --hard HEAD~1 of an unpushed commit
    "revert": 1,  # git revert --no-edit HEAD of a summary-carrying commit, pushed or not
    "stash": 1,  # ffhooks aggregate, git stash, commit, git stash pop
    "amend": 1,  # git commit --amend --no-edit of an unpushed commit
    "ide-lock": 1,  # an IDE holds .git/index.lock during the hook
    "ide-user": 1,  # an IDE commits without FFHOOKS_USER, as ide@example.com
    "forget": 1,  # a timer left running overnight
    "wipe": 1,  # time recorded, then the store wiped (rm -rf, git clean -fdx), then restored
}
# The team formats every .json file with a clean filter (its .gitattributes, above the line
# `ffhooks init` writes, which keeps ffhooks' files out of it); dan's clone defines that
# filter, and checks files out with CRLF.
CRLF_FORMATTER_CLONE = "dan"
FORMATTER = (
    "python3 -c 'import json, sys; json.dump(json.load(sys.stdin), sys.stdout, indent=1, "
    "sort_keys=True); print()'"
)


def settle(dev: Dev, now: datetime, done: subprocess.CompletedProcess[str], how: str) -> None:
    """A merge, rebase, squash or cherry-pick (`how`) that stopped: commits only add
    summaries, so only a `git revert` (which runs no hook) deletes one, and git may pair
    that deletion with a similar file on the other side (docs/pages/history.md, "The revert
    conflict"): only summaries may conflict, and `ffhooks resolve` settles them all.
    Anything else fails the simulation."""
    while done.returncode:
        said = done.stdout + done.stderr
        conflicted = dev.git(now, "diff", "--name-only", "--diff-filter=U").stdout.split()
        assert conflicted, f"{dev.label}: {how}: {said}"
        assert all(p.startswith(f"{SUMMARIES}/") for p in conflicted), said
        dev.run(now, "ffhooks", "resolve")
        dev.seen[f"{how} conflict over summaries, settled by `ffhooks resolve`"] += 1
        if how == "squash":
            return  # the squash is committed by the caller
        if how == "merge":
            done = dev.git(now, "commit", "-q", "--no-edit", ok=False)
        elif dev.git(now, "diff", "--cached", "--quiet", ok=False).returncode:
            done = dev.git(now, "-c", "core.editor=true", how, "--continue", ok=False)
        else:  # the resolution left nothing of this commit to apply
            done = dev.git(now, how, "--skip", ok=False)


def step(dev: Dev, action: str, now: datetime, rng: random.Random) -> None:
    seen = dev.seen
    if action in ("rebase", "revert", "stash", "amend", "abandon"):
        dev.tidy(now)
    if action == "work":
        dev.add_work(now, rng)
    elif action == "timer":
        dev.timer_committed_while_running(now, rng)
    elif action == "forget" and dev.cursor <= now:
        dev.run(now, "ffhooks", "start", str(rng.choice([102, 317])))
        dev.forgotten = now
    elif action == "commit":
        dev.edit_and_commit(now, "work")
        if dev.branch(now) == "main" and rng.random() < 0.6:
            dev.push(now)
    elif action == "branch":
        name = f"feature/{rng.randint(100, 999)}-{dev.label}"
        if name not in dev.branches:
            dev.git(now, "checkout", "-q", "-b", name)
            dev.branches.append(name)
            dev.edit_and_commit(now, "start feature")
    elif action in ("merge", "squash", "cherry") and dev.branches:
        feature = rng.choice(dev.branches)
        dev.sync_main(now)
        if action == "merge":
            merged = dev.git(now, "merge", "-q", "--no-edit", "--no-ff", feature, ok=False)
            settle(dev, now, merged, "merge")
        elif action == "squash":
            settle(dev, now, dev.git(now, "merge", "-q", "--squash", feature, ok=False), "squash")
            dev.edit_and_commit(now, "squashed")
        else:
            tip = dev.git(now, "rev-parse", feature).stdout.strip()
            parents = dev.git(now, "rev-list", "--parents", "-n1", tip).stdout.split()
            mainline = ["-m", "1"] if len(parents) > 2 else []  # a reset left a merge as tip
            pick = ("cherry-pick", "--allow-empty", "--keep-redundant-commits", *mainline, tip)
            settle(dev, now, dev.git(now, *pick, ok=False), "cherry-pick")
        dev.push(now)
    elif action == "rebase":
        if dev.branch(now) == "main":
            dev.pull(now)
        else:
            dev.git(now, "fetch", "-q", "origin")
            settle(dev, now, dev.git(now, "rebase", "-q", "origin/main", ok=False), "rebase")
    elif action == "abandon" and dev.branches:
        doomed = dev.branches.pop(rng.randrange(len(dev.branches)))
        dev.git(now, "checkout", "-q", "main")
        dev.git(now, "branch", "-q", "-D", doomed)
    elif action == "reset":
        dev.add_work(now, rng)
        dev.edit_and_commit(now, "undone by reset")
        if dev.adds_summaries(now):  # the summary is now untracked; the next commit carries it
            dev.git(now, "reset", "-q", "HEAD~1")
            seen["reset HEAD~1 of a summary commit"] += 1
    elif action == "reset-hard":
        if dev.pushed(now):  # never rewrite pushed history: make an unpushed commit first
            dev.add_work(now, rng)
            dev.edit_and_commit(now, "undone by reset --hard")
        carried = dev.adds_summaries(now)
        dev.git(now, "reset", "-q", "--hard", "HEAD~1")  # its summaries leave the disk too
        seen["reset --hard HEAD~1" + (" of a summary commit" if carried else "")] += 1
    elif action == "revert":
        on_main = dev.branch(now) == "main"
        if rng.random() < 0.6 or not dev.adds_summaries(now):
            # else HEAD as it is: the summary may be anyone's, its time healed by its owner
            dev.add_work(now, rng)
            dev.edit_and_commit(now, "to be reverted")
            if on_main and rng.random() < 0.5:
                dev.push(now)
        if dev.adds_summaries(now):
            pushed = "pushed" if dev.pushed(now) else "unpushed"
            whose = "own" if dev.adds_summaries(now, dev.name) else "someone else's"
            dev.git(now, "revert", "--no-edit", "HEAD")  # runs no pre-commit hook
            seen[f"revert of {whose} {pushed} summary commit"] += 1
            if on_main and rng.random() < 0.5:
                dev.push(now)
    elif action == "stash":
        dev.add_work(now, rng)
        dev.run(now, "ffhooks", "aggregate")
        if dev.git(now, "diff", "--cached", "--quiet", "--", SUMMARIES, ok=False).returncode:
            dev.git(now, "stash", "-q")  # the staged summary goes into the stash
            dev.edit_and_commit(now, "while stashed")
            dev.git(now, "stash", "pop", "-q")  # resolving nothing by hand
            dev.edit_and_commit(now, "after stash pop")  # with the popped (older) summary
            seen["stash around a staged summary"] += 1
    elif action == "amend":
        if dev.pushed(now):
            dev.edit_and_commit(now, "to be amended")
        dev.add_work(now, rng)
        dev.commit(now, "--amend", "--no-edit")
        seen["amend"] += 1
    elif action == "ide-lock":
        if dev.add_work(now, rng) or dev.forgotten is not None:
            (dev.clone / IDE_MARKER).touch()
            dev.note(now, "while the IDE holds the index")
            message = f"{dev.label}: IDE holds the index"
            proc = dev.run(now, "git", "commit", "-q", "-m", message, terminal=True)
            out = proc.stdout + proc.stderr
            assert "not aggregated" in out and "ffhooks recover" in out, out
            assert not (dev.clone / ".git/index.lock").exists()
            assert dev.missing_from_head(now), out  # queued: the next commit carries it
            seen["commit while an IDE holds index.lock"] += 1
    elif action == "wipe":
        dev.add_work(now, rng)  # recorded since the last commit: only the copies hold it
        if rng.random() < 0.5:
            shutil.rmtree(dev.clone / ".flowforge" / "user" / dev.name)
            how = "rm -rf of the store"
        else:
            dev.git(now, "clean", "-fdxq")
            how = "git clean -fdx"
        assert dev.run(now, "ffhooks", "status", ok=False).returncode == 1  # says it is missing
        dev.run(now, "ffhooks", "recover", "restore")
        seen[f"wipe ({how}), then restore"] += 1
    elif action == "ide-user":
        dev.add_work(now, rng)
        dev.edit_and_commit(now, "from the IDE", ide_user=True)
        seen["commit without FFHOOKS_USER as ide@example.com"] += 1


@pytest.mark.slow
def test_six_developers_report_is_exact(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    seen: Counter[str] = Counter()
    remote = tmp_path / "remote.git"
    subprocess.run(("git", "init", "-q", "--bare", "-b", "main", str(remote)), check=True)
    now = START
    devs = set_up(tmp_path, remote, now, seen)

    for _ in range(STEPS):
        now += timedelta(minutes=rng.randint(20, 90))
        dev = rng.choice(devs)
        action = rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
        if not dev.boundary_done and now >= MONTH_END.replace(tzinfo=dev.tz):
            dev.across_month_end(now, rng)
        if dev.forgotten is not None:
            if now - dev.forgotten > MAX_SESSION:
                # committed while forgotten: the summaries count max_session_hours of it
                proc = dev.edit_and_commit(now, "timer forgotten")
                assert "max_session_hours" in proc.stdout + proc.stderr, proc.stdout
                dev.seen["commit of a forgotten timer (capped)"] += 1
                if rng.random() < 0.6:  # or it runs on, into more capped commits
                    dev.end_forgotten(now, rng)
                continue
            if action in ("work", "timer", "forget"):
                action = "commit"  # the timer still runs: the commit counts it so far
        step(dev, action, now, rng)
        seen[action] += 1

    # every timer stops; every clone ends on main with one more commit and pushes it
    now += timedelta(hours=1)
    for dev in devs:
        if dev.forgotten is not None and now - dev.forgotten > MAX_SESSION:
            dev.end_forgotten(now, rng)
        elif dev.forgotten is not None:
            dev.run(now, "ffhooks", "stop")
            dev.forgotten = None
    now += timedelta(hours=1)  # after every stop, even a --force one a little later
    expected: Counter[str] = Counter()
    non_billable: Counter[str] = Counter()
    for dev in devs:
        dev.tidy(now)
        dev.sync_main(now)
        dev.edit_and_commit(now, "end of week")
        dev.push(now)
        billable, other = dev.expected(now)
        expected[dev.name] += billable
        non_billable[dev.name] += other
    print(f"seed {SEED}, {STEPS} steps:", dict(sorted(seen.items())))
    assert sum(expected.values()) > 0

    fresh = tmp_path / "manager"
    subprocess.run(("git", "clone", "-q", str(remote), str(fresh)), check=True)
    proc = subprocess.run(
        ("ffhooks", "report", "--format", "json", "--by", "user"),
        cwd=fresh,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "FFHOOKS_NOW": stamp(now)},
    )
    report = json.loads(proc.stdout)
    got = {r["user"]: (r["billable_seconds"], r["non_billable_seconds"]) for r in report["rows"]}
    want = {n: (expected[n], non_billable[n]) for n in DEVELOPERS}
    assert got == {name: seconds for name, seconds in want.items() if seconds != (0, 0)}
    ref = subprocess.run(
        ("ffhooks", "report", "--format", "json", "--by", "user", "--ref", "origin/main"),
        cwd=fresh,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(ref.stdout)["totals"] == report["totals"]
    verify = subprocess.run(
        ("ffhooks", "verify", "--ref", "origin/main"), cwd=fresh, capture_output=True, text=True
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
