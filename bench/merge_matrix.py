"""Tombstones or add-only: which way of retiring superseded summaries survives every way git
combines branches, and what each leaves in the tree after a year (DESIGN.md, "Conflict-free by
construction"; issue 24).

Both schemes write `.flowforge/team/summaries/<user>/<YYYY-MM>/<store>-<seq>.json`, a reader
keeping the highest seq per (store, month); they differ in what happens to the files a fold
supersedes:

- T, tombstones (ffhooks today): the folding commit also overwrites the store's superseded
  files of that month that the default branch has with `{"ffhooks":"tombstone"}`; a file only
  the branch has stays as it is. `compact --delete` on main deletes tombstones 90 days old.
- A, add-only (DESIGN's proposal): a folding commit only adds; superseded files leave the tree
  only in pure-delete commits on main (`ffhooks compact`, a weekly CI job).

No ffhooks runs here: the script writes summary-like files itself (indented JSON with per-day
per-task numbers, the real layout; about 40-60 lines, and as "similar" to git as the real
ones: the similarity it gets is printed), each fold in a commit of its own with a code change,
in real git repositories with default settings and no merge driver (a server-side merge runs
none). The seq is the store's counter or the highest seq of the store in the tree, plus one;
one developer's store is shared by all their branches, so a later fold holds everything.

Part 1, the matrix. From a base on main (four stores of three users, October and November
folded, November twice), two branches A and B each fold twice, in three set-ups: one
developer's store on both branches, two developers (alice on A, bob on B), one person with two
clones (two stores in one month folder). Then, in both directions: merge, squash merge,
rebase, cherry-pick of the branch's first fold, revert of that fold after a merge, revert of
the merge, and `git merge-tree --write-tree`. Then: a squash-merged branch that goes on and
is merged again; compaction on main meeting a branch that folded meanwhile (T's compaction in
two flavours: only tombstones older than the branch, the usual case, and all of them, a
branch older than 90 days; A's deletes every superseded file); reverts after a compaction, of
a compaction, a compaction run on a branch too, a month's first fold reverted on main, a fold
cherry-picked to main and later merged or picked again. Each cell says whether git stopped on
a conflict (and git's kind of conflict) or, if not, whether the result is right: per (user,
month, store) the highest seq that is not a tombstone must be the highest seq either side
knew (a revert: the one the reverted commit's parent had), with its exact bytes, and nothing
may appear elsewhere (the judge is first shown a wrong tree, which it must call wrong).
Everything runs twice: default settings, then `merge.directoryRenames=false` in the
repository's config (as ffhooks sets it per clone); the second run prints only the cells that
change, each also run with `=true` for comparison.

Part 2, a year: `--developers` (20) x `--days` working days from 2025-01-01 (250) x
`--per-day` folds a day (2), one commit per fold through `git fast-import` on main, each
superseding the month's previous file; T with a weekly `compact --delete --older-than
--older-than` (90), A with a weekly compaction deleting every superseded file; both weekly
jobs run on Saturdays; the year ends with the last working day's folds. Printed: the files
and blob bytes of HEAD's tree (right after the last weekly job too, and the peak over the
year), and the packed repository (`git count-objects -vH` after `git gc`). No code changes
are committed with the folds, and no branches: every fold is on main at once.

    python3 bench/merge_matrix.py                    # both parts, under a minute
    python3 bench/merge_matrix.py --no-year          # the matrix alone
    python3 bench/merge_matrix.py --no-matrix --developers 10 --days 60

Exits 1 if git fails in a way the script does not expect; conflicts and wrong results are
findings, not failures.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

from _common import GIT_IDENTITY, BenchError, child_environ, failure, stderr_logger, temp_root

SUMMARIES = ".flowforge/team/summaries"
TOMBSTONE = b'{"ffhooks":"tombstone"}\n'
PATH = re.compile(
    rf"{re.escape(SUMMARIES)}/(?P<user>[^/]+)/(?P<month>[0-9]{{4}}-[0-9]{{2}})/"
    r"(?P<store>[0-9a-f]{16})-(?P<seq>[0-9]+)\.json"
)
CONFLICT = re.compile(r"CONFLICT \(([^)]+)\)")
# a team's tasks, the common ones more often (as in a sprint), and the usual session lengths
TASKS = ("205",) * 5 + ("206",) * 3 + ("311",) * 2 + ("review",) * 2 + ("ops",)
NON_BILLABLE = ("ops", "review")
MINUTES = (30, 45, 60, 60, 90, 90, 120, 180)
ZONE = "Europe/Berlin"
T, A = "T", "A"
SCHEMES = (T, A)
TITLE = {T: "T (tombstones)", A: "A (add-only)"}
OCT, NOV, DEC = "2026-10", "2026-11", "2026-12"
DIR_RENAMES = "merge.directoryRenames"  # git's default: "conflict"

Key = tuple[str, str, str]  # user, month, store


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


TOMBSTONE_ID = blob_id(TOMBSTONE)


def parse(path: str) -> tuple[Key, int] | None:
    m = PATH.fullmatch(path)
    if m is None:
        return None
    return (m["user"], m["month"], m["store"]), int(m["seq"])


def highest(paths: Iterable[str]) -> dict[Key, int]:
    found: dict[Key, int] = {}
    for path in paths:
        parsed = parse(path)
        if parsed is not None:
            key, seq = parsed
            found[key] = max(seq, found.get(key, 0))
    return found


def working_days(first: date, count: int) -> list[date]:
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass
class Store:
    """One private store: its counter and everything it recorded, per month, day and task
    (billable seconds, non-billable seconds, sessions)."""

    user: str
    sid: str
    rng: random.Random
    counter: int = 0
    next_day: date = date(2026, 10, 1)
    totals: dict[str, dict[str, dict[str, list[int]]]] = field(default_factory=dict)

    def record(self, day: date, sessions: int) -> None:
        tasks = self.totals.setdefault(f"{day:%Y-%m}", {}).setdefault(day.isoformat(), {})
        for _ in range(sessions):
            task = self.rng.choice(TASKS)
            row = tasks.setdefault(task, [0, 0, 0])
            row[1 if task in NON_BILLABLE else 0] += self.rng.choice(MINUTES) * 60
            row[2] += 1

    def work(self, sessions: int = 2) -> None:
        """Sessions on the store's next working day."""
        while self.next_day.weekday() >= 5:
            self.next_day += timedelta(days=1)
        self.record(self.next_day, sessions)
        self.next_day += timedelta(days=1)

    def render(self, month: str, seq: int) -> bytes:
        """The summary of `month` as ffhooks lays it out: `json.dumps(indent=2)`, with the
        SHA-256 of the canonical form."""
        totals = {
            day: {
                task: {"billable_seconds": b, "non_billable_seconds": n, "sessions": s}
                for task, (b, n, s) in sorted(tasks.items())
            }
            for day, tasks in sorted(self.totals.get(month, {}).items())
        }
        doc: dict[str, object] = {
            "version": 1,
            "user": self.user,
            "store": self.sid,
            "month": month,
            "timezone": ZONE,
            "seq": seq,
            "detail": {"per_task": True, "period": "day"},
            "totals": totals,
        }
        canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        doc["sha256"] = hashlib.sha256(canonical.encode()).hexdigest()
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


def new_store(label: str, user: str) -> Store:
    sid = hashlib.sha256(label.encode()).hexdigest()[:16]
    return Store(user=user, sid=sid, rng=random.Random(label))


def git_environ(home: Path) -> dict[str, str]:
    """Default git: no system or global config (an empty HOME), a fixed identity."""
    home.mkdir(parents=True, exist_ok=True)
    return child_environ(
        {"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", **GIT_IDENTITY, "TZ": "UTC"},
        drop_prefixes=("PYTHON", "GIT_"),
    )


# -- part 1: the matrix ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    kinds: tuple[str, ...] = ()  # git's conflict kinds; empty: git did not stop
    verdict: str = ""  # with no conflict: "ok" or what is wrong
    step: str = ""  # a preparing step that went wrong, if it was not the case's own

    def cell(self) -> str:
        where = f" (at: {self.step})" if self.step else ""
        if self.kinds:
            return f"CONFLICT {'+'.join(self.kinds)}{where}"
        return f"{self.verdict}{where}"

    @property
    def bad(self) -> bool:
        return bool(self.kinds) or self.verdict != "ok"


class Blocked(Exception):
    """A preparing step conflicted or went wrong: the case ends there."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.cell())
        self.outcome = outcome


class Lab:
    """A repository, the scheme its folds follow, and the private stores of its developers."""

    def __init__(self, top: Path, scheme: str, env: dict[str, str]) -> None:
        self.top = top
        self.scheme = scheme
        self.env = env
        self.stores: dict[str, Store] = {}
        self.registry: dict[str, bytes] = {}  # every summary ever written, by path
        self.marks: dict[str, str] = {}
        self.branch = "main"
        self.clock = datetime(2026, 11, 2, 8, tzinfo=timezone.utc)
        self.changes = 0

    def copy(self, top: Path) -> Lab:
        shutil.copytree(self.top, top, symlinks=True)
        other = copy.copy(self)
        other.top = top
        other.restore_state(self)
        return other

    def restore_state(self, saved: Lab) -> None:
        self.stores = copy.deepcopy(saved.stores)
        self.registry = dict(saved.registry)
        self.marks = dict(saved.marks)
        self.branch, self.clock, self.changes = saved.branch, saved.clock, saved.changes

    def refs(self) -> dict[str, str]:
        out = self.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/")
        return dict(line.split() for line in out.stdout.splitlines())

    def reset(self, saved: Lab, refs: dict[str, str]) -> None:
        """Back to `saved`'s state (this is a copy of it whose branches were `refs`): no
        operation in progress, the same branches, main checked out, no extra config. Cheaper
        than a fresh copy (a copy and its removal cost ~0.3 s; this, ~5 git processes)."""
        git_dir = self.top / ".git"
        for name in ("rebase-merge", "rebase-apply", "sequencer"):
            shutil.rmtree(git_dir / name, ignore_errors=True)
        for name in (
            "MERGE_HEAD", "MERGE_MSG", "MERGE_MODE", "SQUASH_MSG", "AUTO_MERGE",
            "CHERRY_PICK_HEAD", "REVERT_HEAD", "ORIG_HEAD",
        ):  # fmt: skip
            (git_dir / name).unlink(missing_ok=True)
        self.git("symbolic-ref", "HEAD", "refs/heads/main")
        now = self.refs()
        script = [f"update {ref} {sha}" for ref, sha in refs.items() if now.get(ref) != sha]
        script += [f"delete {ref}" for ref in now if ref not in refs]
        if script:
            subprocess.run(
                ["git", "update-ref", "--stdin"],
                input="\n".join(script) + "\n",
                cwd=self.top,
                env=self.env,
                capture_output=True,
                text=True,
                check=True,
            )
        self.git("reset", "-q", "--hard")
        self.git("clean", "-qfdx")
        self.git("config", "--unset-all", DIR_RENAMES, check=False)
        self.restore_state(saved)

    # git

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        self.clock += timedelta(minutes=1)
        stamp = self.clock.strftime("%Y-%m-%dT%H:%M:%S+0000")
        env = {**self.env, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        cmd = ["git", *args]
        proc = subprocess.run(cmd, cwd=self.top, env=env, capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise BenchError(failure("git", cmd, proc))
        return proc

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").stdout.strip()

    def switch(self, branch: str, start: str | None = None) -> None:
        self.git("switch", "-q", *(("-c", branch, start) if start else (branch,)))
        self.branch = branch

    def blobs(self, treeish: str) -> dict[str, str]:
        out = self.git("ls-tree", "-r", "-z", treeish, "--", SUMMARIES).stdout
        found = {}
        for entry in filter(None, out.split("\0")):
            meta, _, path = entry.partition("\t")
            found[path] = meta.split()[2]
        return found

    def versions(self, treeish: str) -> set[str]:
        """The summaries `treeish` knows of, tombstones included (a tombstone keeps a
        version's path; its content is in the registry)."""
        return {p for p in self.blobs(treeish) if parse(p) is not None}

    def attempt(self, *args: str) -> tuple[str, ...]:
        """Run a combining command; git's conflict kinds if it stopped on conflicts."""
        proc = self.git(*args, check=False)
        if proc.returncode == 0:
            return ()
        kinds = tuple(sorted(set(CONFLICT.findall(proc.stdout + proc.stderr))))
        if kinds:
            return kinds
        if self.git("ls-files", "-u").stdout.strip():
            return ("unmerged",)
        raise BenchError(failure("git", ["git", *args], proc))

    # what developers and the CI job do

    def fold(self, label: str, month: str) -> str:
        """Commit a code change with the store's summary of `month`, as the hook would."""
        store = self.stores[label]
        present = [
            int(p.stem.rsplit("-", 1)[1])
            for p in (self.top / SUMMARIES).glob(f"*/*/{store.sid}-*.json")
        ]
        seq = max([store.counter, *present]) + 1
        store.counter = seq
        folder = f"{SUMMARIES}/{store.user}/{month}"
        rel = f"{folder}/{store.sid}-{seq}.json"
        data = store.render(month, seq)
        self.registry[rel] = data
        (self.top / folder).mkdir(parents=True, exist_ok=True)
        (self.top / rel).write_bytes(data)
        if self.scheme == T:  # bury what the default branch has of the store's month
            published = set(self.git("ls-tree", "--name-only", "main", f"{folder}/").stdout.split())
            for path in sorted((self.top / folder).glob(f"{store.sid}-*.json")):
                name = f"{folder}/{path.name}"
                if name != rel and name in published and path.read_bytes() != TOMBSTONE:
                    path.write_bytes(TOMBSTONE)
        self.changes += 1
        code = self.top / "src" / f"{self.branch}-{self.changes}.txt"
        code.parent.mkdir(exist_ok=True)
        code.write_text(f"change {self.changes} on {self.branch}\n")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", f"{self.branch}: change; {store.user} {month} seq {seq}")
        return self.head()

    def work_and_fold(self, label: str, month: str, sessions: int = 2) -> str:
        self.stores[label].work(sessions)
        return self.fold(label, month)

    def compact(self, *, since: str | None = None) -> str:
        """The scheme's compaction commit on the current branch, deleting only: A, every
        superseded summary; T, every tombstone, or with `since` those that were tombstones
        there already (what `compact --delete` reaches in a branch's lifetime)."""
        blobs = self.blobs("HEAD")
        if self.scheme == A:
            live = highest(blobs)
            doomed = [p for p in blobs if (k := parse(p)) is not None and k[1] < live[k[0]]]
        else:
            dead = {p for p, b in blobs.items() if b == TOMBSTONE_ID}
            if since is not None:
                dead &= {p for p, b in self.blobs(since).items() if b == TOMBSTONE_ID}
            doomed = sorted(dead)
        if not doomed:
            raise BenchError(f"nothing to compact on {self.branch}")
        self.git("rm", "-q", "--", *doomed)
        self.git("commit", "-q", "-m", "compact")
        return self.head()

    # combining, each judged

    def judge(self, treeish: str, expected: set[str]) -> str:
        want = highest(expected)
        by_blob = {blob_id(data): path for path, data in self.registry.items()}
        got: dict[Key, int] = {}
        problems = []
        for path, blob in sorted(self.blobs(treeish).items()):
            parsed = parse(path)
            if parsed is None or blob == TOMBSTONE_ID:
                continue
            key, seq = parsed
            if path in self.registry and blob == blob_id(self.registry[path]):
                got[key] = max(seq, got.get(key, 0))
            elif blob in by_blob:
                problems.append(f"MOVED {by_blob[blob].split('/', 3)[3]} to {key[0]}/")
                got.setdefault(key, 0)
            else:
                problems.append(f"CORRUPT {key[0]} seq {seq}")
        for key in sorted(want.keys() | got.keys()):
            w, g = want.get(key, 0), got.get(key, 0)
            if g < w:
                shown = f"seq {g}" if g else "no file left"
                problems.append(f"LOST {key[0]} {key[1]}: {shown}, want seq {w}")
            elif g > w:
                problems.append(f"EXTRA {key[0]} {key[1]}: seq {g}, want {w or 'none'}")
        return "; ".join(problems) if problems else "ok"

    def outcome(self, kinds: tuple[str, ...], treeish: str, expected: set[str]) -> Outcome:
        return Outcome(kinds) if kinds else Outcome((), self.judge(treeish, expected))

    def merge(self, dst: str, src: str, *, squash: bool = False) -> Outcome:
        expected = self.versions(dst) | self.versions(src)
        self.switch(dst)
        if squash:
            kinds = self.attempt("merge", "--squash", src)
            if not kinds:
                self.git("commit", "-q", "--allow-empty", "-m", f"{src} (squashed)")
        else:
            kinds = self.attempt("merge", "--no-ff", "--no-edit", src)
        return self.outcome(kinds, "HEAD", expected)

    def rebase(self, branch: str, onto: str) -> Outcome:
        expected = self.versions(branch) | self.versions(onto)
        self.switch(branch)
        return self.outcome(self.attempt("rebase", onto), "HEAD", expected)

    def pick(self, dst: str, commit: str) -> Outcome:
        mine, parent = self.versions(commit), self.versions(f"{commit}^")
        expected = (self.versions(dst) | (mine - parent)) - (parent - mine)
        self.switch(dst)
        kinds = self.attempt("cherry-pick", "--keep-redundant-commits", commit)
        return self.outcome(kinds, "HEAD", expected)

    def revert(self, dst: str, commit: str, mainline: int | None = None) -> Outcome:
        """Expected: what `dst` knows without what `commit` added, and for every month it
        touched what its (mainline) parent knew."""
        mine, parent = self.versions(commit), self.versions(f"{commit}^{mainline or 1}")
        touched = {parsed[0] for p in mine ^ parent if (parsed := parse(p)) is not None}
        restored = {p for p in parent if (parsed := parse(p)) is not None and parsed[0] in touched}
        expected = (self.versions(dst) - (mine - parent)) | restored
        self.switch(dst)
        args = ("-m", str(mainline)) if mainline else ()
        return self.outcome(self.attempt("revert", "--no-edit", *args, commit), "HEAD", expected)

    def merge_tree(self, ours: str, theirs: str) -> Outcome:
        expected = self.versions(ours) | self.versions(theirs)
        proc = self.git("merge-tree", "--write-tree", ours, theirs, check=False)
        if proc.returncode == 1:
            kinds = tuple(sorted(set(CONFLICT.findall(proc.stdout))))
            return Outcome(kinds or ("unmerged",))
        if proc.returncode != 0:
            raise BenchError(failure("git", ["git", "merge-tree", ours, theirs], proc))
        return self.outcome((), proc.stdout.split()[0], expected)


def must(outcome: Outcome, step: str) -> None:
    if outcome.bad:
        raise Blocked(Outcome(outcome.kinds, outcome.verdict, step))


# set-ups: the base, then two branches that fold

ONE_STORE, TWO_USERS, TWO_STORES = "one store", "two users", "two stores"
SETUPS = {
    ONE_STORE: ("alice#1", "alice#1"),
    TWO_USERS: ("alice#1", "bob#1"),
    TWO_STORES: ("alice#1", "alice#2"),
}
SETUP_TITLE = {
    ONE_STORE: "one developer, one store, on both branches",
    TWO_USERS: "two developers: alice folds on A, bob on B",
    TWO_STORES: "one person, two clones: two stores of alice in one month folder",
}


def build(top: Path, scheme: str, env: dict[str, str], setup: str) -> Lab:
    lab = Lab(top, scheme, env)
    top.mkdir(parents=True)
    lab.git("init", "-q", "-b", "main")
    (top / "README.md").write_text("a project\n")
    lab.git("add", "-A")
    lab.git("commit", "-q", "-m", "start")
    for label, user in (("alice#1", "alice"), ("alice#2", "alice"), ("bob#1", "bob")):
        lab.stores[label] = new_store(label, user)
    lab.stores["carol#1"] = new_store("carol#1", "carol")
    for label, store in lab.stores.items():
        for _ in range(6):
            store.work()
        lab.fold(label, OCT)
        store.next_day = date(2026, 11, 2)
        for _ in range(3):
            store.work()
        lab.fold(label, NOV)
        lab.work_and_fold(label, NOV)  # November's first file is superseded at the base
    lab.marks["base"] = lab.head()
    on_a, on_b = SETUPS[setup]
    lab.switch("A", "main")
    lab.switch("B", "main")
    for n in (1, 2):
        for branch, label in (("A", on_a), ("B", on_b)):
            lab.switch(branch)
            lab.marks[f"{branch}{n}"] = lab.work_and_fold(label, NOV)
    lab.switch("main")
    return lab


@dataclass(frozen=True)
class Case:
    section: str
    setup: str
    label: str
    run: Callable[[Lab], Outcome]
    t_only: bool = False  # a variant of T's compaction: A's cells are those of the case above


def pair_cases(setup: str) -> list[Case]:
    section = f"Two branches fold November: {SETUP_TITLE[setup]}"
    cases = []

    def add(label: str, run: Callable[[Lab], Outcome]) -> None:
        cases.append(Case(section, setup, label, run))

    def revert_fold(x: str, y: str) -> Callable[[Lab], Outcome]:
        def run(lab: Lab) -> Outcome:
            must(lab.merge(y, x), f"merge {x} into {y}")
            return lab.revert(y, lab.marks[f"{x}1"])

        return run

    def revert_merge(x: str, y: str) -> Callable[[Lab], Outcome]:
        def run(lab: Lab) -> Outcome:
            must(lab.merge(y, x), f"merge {x} into {y}")
            return lab.revert(y, "HEAD", 1)

        return run

    ops: list[tuple[str, Callable[[str, str], Callable[[Lab], Outcome]]]] = [
        ("merge {x} into {y}", lambda x, y: lambda lab: lab.merge(y, x)),
        ("squash-merge {x} into {y}", lambda x, y: lambda lab: lab.merge(y, x, squash=True)),
        ("rebase {x} onto {y}", lambda x, y: lambda lab: lab.rebase(x, y)),
        ("cherry-pick {x}1 onto {y}", lambda x, y: lambda lab: lab.pick(y, lab.marks[f"{x}1"])),
        ("merge {x} into {y}, revert {x}1", revert_fold),
        ("merge {x} into {y}, revert the merge", revert_merge),
        ("merge-tree --write-tree {y} {x}", lambda x, y: lambda lab: lab.merge_tree(y, x)),
    ]
    for label, make in ops:
        for x, y in (("A", "B"), ("B", "A")):
            add(label.format(x=x, y=y), make(x, y))
    return cases


def squash_again_cases() -> list[Case]:
    section = "A squash-merged into main, A folds again, then A and main meet again (one store)"
    cases = []
    for compacted in (False, True):

        def prepare(lab: Lab, compacted: bool = compacted) -> None:
            must(lab.merge("main", "A", squash=True), "squash-merge A into main")
            lab.switch("A")
            lab.work_and_fold("alice#1", NOV)
            if compacted:
                lab.switch("main")
                lab.compact()

        def merge_in(lab: Lab, prepare: Callable[[Lab], None] = prepare) -> Outcome:
            prepare(lab)
            return lab.merge("main", "A")

        def merge_out(lab: Lab, prepare: Callable[[Lab], None] = prepare) -> Outcome:
            prepare(lab)
            return lab.merge("A", "main")

        def server(lab: Lab, prepare: Callable[[Lab], None] = prepare) -> Outcome:
            prepare(lab)
            return lab.merge_tree("main", "A")

        then = ", compaction on main" if compacted else ""
        for label, run in (
            ("merge A into main", merge_in),
            ("merge main into A", merge_out),
            ("merge-tree --write-tree main A", server),
        ):
            cases.append(Case(section, ONE_STORE, f"{label}{then}", run))
    return cases


YOUNG, OLD = "young", "old"
FLAVOUR = {
    YOUNG: "T deletes the tombstones older than B (B < 90 days old)",
    OLD: "T deletes every tombstone (B > 90 days old)",
}


def compaction_cases(setup: str, flavour: str) -> list[Case]:
    section = (
        f"A merged into main, then compaction on main (C) meets B, which folded meanwhile "
        f"({setup}; {FLAVOUR[flavour]})"
    )

    def compacted(lab: Lab) -> None:
        must(lab.merge("main", "A"), "merge A into main")
        lab.marks["C"] = lab.compact(since=lab.marks["base"] if flavour == YOUNG else None)

    def step(op: Callable[[Lab], Outcome]) -> Callable[[Lab], Outcome]:
        def run(lab: Lab) -> Outcome:
            compacted(lab)
            return op(lab)

        return run

    ops: list[tuple[str, Callable[[Lab], Outcome]]] = [
        ("merge B into main", lambda lab: lab.merge("main", "B")),
        ("merge main into B", lambda lab: lab.merge("B", "main")),
        ("squash-merge B into main", lambda lab: lab.merge("main", "B", squash=True)),
        ("rebase B onto main", lambda lab: lab.rebase("B", "main")),
        ("cherry-pick B1 onto main", lambda lab: lab.pick("main", lab.marks["B1"])),
        ("cherry-pick C onto B", lambda lab: lab.pick("B", lab.marks["C"])),
        ("merge-tree --write-tree main B", lambda lab: lab.merge_tree("main", "B")),
    ]
    return [Case(section, setup, label, step(op), flavour == OLD) for label, op in ops]


def edge_cases() -> list[Case]:
    """What DESIGN does not say for add-only: reverts around compaction, compaction off
    main, a month folder emptied on main, a fold that reaches main twice."""
    cases: list[Case] = []

    def add(section: str, label: str, run: Callable[[Lab], Outcome], t_only: bool = False) -> None:
        cases.append(Case(section, ONE_STORE, label, run, t_only))

    for flavour in (YOUNG, OLD):
        section = f"Reverts after a compaction (one store; {FLAVOUR[flavour]})"

        def merged_compacted(lab: Lab, flavour: str = flavour) -> str:
            must(lab.merge("main", "A"), "merge A into main")
            merge = lab.head()
            since = lab.marks["base"] if flavour == YOUNG else None
            lab.marks["C"] = lab.compact(since=since)
            return merge

        def revert_merge(lab: Lab, prepare: Callable[[Lab], str] = merged_compacted) -> Outcome:
            return lab.revert("main", prepare(lab), 1)

        def revert_last(lab: Lab, prepare: Callable[[Lab], str] = merged_compacted) -> Outcome:
            prepare(lab)
            return lab.revert("main", lab.marks["A2"])

        def revert_c(lab: Lab, prepare: Callable[[Lab], str] = merged_compacted) -> Outcome:
            prepare(lab)
            return lab.revert("main", lab.marks["C"])

        def revert_c_merge(lab: Lab, prepare: Callable[[Lab], str] = merged_compacted) -> Outcome:
            prepare(lab)
            must(lab.revert("main", lab.marks["C"]), "revert C")
            return lab.merge("main", "B")

        old = flavour == OLD
        add(section, "revert the merge of A (after C)", revert_merge, old)
        add(section, "revert A2, A's last fold (after C)", revert_last, old)
        add(section, "revert C, the compaction", revert_c, old)
        add(section, "revert C, then merge B into main", revert_c_merge, old)

    section = "Compaction run on branch B too (forced), after main's (one store)"

    def both_compacted(lab: Lab) -> None:
        must(lab.merge("main", "A"), "merge A into main")
        lab.compact()
        lab.switch("B")
        lab.compact()

    for label, op in (
        ("merge B into main", lambda lab: lab.merge("main", "B")),
        ("merge main into B", lambda lab: lab.merge("B", "main")),
        ("rebase B onto main", lambda lab: lab.rebase("B", "main")),
        ("merge-tree --write-tree main B", lambda lab: lab.merge_tree("main", "B")),
    ):

        def run(lab: Lab, op: Callable[[Lab], Outcome] = op) -> Outcome:
            both_compacted(lab)
            return op(lab)

        add(section, label, run)

    section = (
        "A month folder emptied on main: alice's first December fold (PR X) reverted after "
        "bob's (PR Y) was merged; D, forked after X, folds alice's December again"
    )

    def december(lab: Lab) -> None:
        lab.switch("X", "main")
        for label in ("alice#1", "bob#1"):  # a week of December before either PR
            lab.stores[label].next_day = date(2026, 12, 1)
            for _ in range(5):
                lab.stores[label].work()
        lab.fold("alice#1", DEC)
        must(lab.merge("main", "X"), "merge X into main")
        merged = lab.head()
        lab.switch("D", "main")
        lab.switch("Y", "main")
        lab.fold("bob#1", DEC)
        must(lab.merge("main", "Y"), "merge Y into main")
        must(lab.revert("main", merged, 1), "revert the merge of X")
        lab.switch("D")
        lab.work_and_fold("alice#1", DEC, 2)

    for label, op in (
        ("merge D into main", lambda lab: lab.merge("main", "D")),
        ("merge main into D", lambda lab: lab.merge("D", "main")),
        ("rebase D onto main", lambda lab: lab.rebase("D", "main")),
        ("merge-tree --write-tree main D", lambda lab: lab.merge_tree("main", "D")),
    ):

        def run(lab: Lab, op: Callable[[Lab], Outcome] = op) -> Outcome:
            december(lab)
            return op(lab)

        add(section, label, run)

    section = "A fold that reaches main twice (one store)"

    def picked_then_merged(lab: Lab) -> Outcome:
        must(lab.pick("main", lab.marks["A1"]), "cherry-pick A1 onto main")
        lab.work_and_fold("alice#1", NOV)  # on main: T buries what main has
        return lab.merge("main", "A")

    def merged_then_picked(lab: Lab) -> Outcome:
        must(lab.merge("main", "A"), "merge A into main")
        lab.work_and_fold("alice#1", NOV)
        return lab.pick("main", lab.marks["A1"])

    def merged_compacted_picked(lab: Lab) -> Outcome:
        must(lab.merge("main", "A"), "merge A into main")
        lab.work_and_fold("alice#1", NOV)
        lab.compact()
        return lab.pick("main", lab.marks["A1"])

    add(section, "cherry-pick A1 to main, main folds, merge A", picked_then_merged)
    add(section, "merge A, main folds, cherry-pick A1 again", merged_then_picked)
    add(section, "merge A, main folds, compaction, pick A1", merged_compacted_picked)
    return cases


def all_cases() -> list[Case]:
    cases = []
    for setup in SETUPS:
        cases += pair_cases(setup)
    cases += squash_again_cases()
    for setup in (ONE_STORE, TWO_USERS):
        for flavour in (YOUNG, OLD):
            cases += compaction_cases(setup, flavour)
    return cases + edge_cases()


def similarity(env: dict[str, str], where: Path, pairs: Sequence[tuple[bytes, bytes]]) -> list[int]:
    """git's similarity index (%) of each pair, as `git diff -M` scores a rename."""
    lab = Lab(where, A, env)
    where.mkdir(parents=True)
    lab.git("init", "-q", "-b", "main")
    scores = []
    for old, new in pairs:
        trees = []
        for name, data in (("old.json", old), ("new.json", new)):
            (where / "x").write_bytes(data)
            blob = lab.git("hash-object", "-w", "x").stdout.strip()
            tree = subprocess.run(
                ["git", "mktree"],
                input=f"100644 blob {blob}\t{name}\n",
                cwd=where,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            trees.append(tree)
        out = lab.git("diff-tree", "-r", "-M1%", "--name-status", *trees).stdout
        found = re.match(r"R(\d+)", out)
        scores.append(int(found.group(1)) if found else 0)
    return scores


def similarity_line(env: dict[str, str], where: Path) -> str:
    """The similarity git sees: one store's successive folds of November (its base and both
    branches'), and at the base each store's November next to alice's first store's."""
    lab = build(where / "base", A, env, ONE_STORE)

    def path(label: str, seq: int) -> str:
        store = lab.stores[label]
        return f"{SUMMARIES}/{store.user}/{NOV}/{store.sid}-{seq}.json"

    reg = lab.registry
    mine = [path("alice#1", seq) for seq in range(2, lab.stores["alice#1"].counter + 1)]
    successive = similarity(env, where / "s1", [(reg[a], reg[b]) for a, b in pairwise(mine)])
    users = similarity(
        env, where / "s2", [(reg[mine[1]], reg[path(u, 3)]) for u in ("bob#1", "carol#1")]
    )
    stores = similarity(env, where / "s3", [(reg[mine[1]], reg[path("alice#2", 3)])])
    lines = sorted(len(data.splitlines()) for data in reg.values())
    return (
        f"summaries of {lines[0]}-{lines[-1]} lines; git's similarity (`git diff -M`): "
        f"successive folds of one store {min(successive)}-{max(successive)} %, "
        f"two users' November {min(users)}-{max(users)} %, two stores of one user {stores[0]} %"
    )


Found = dict[tuple[int, str, str], Outcome]  # (case, scheme, merge.directoryRenames or "")


def run_matrix(root: Path, jobs: int, say: Callable[[str], None]) -> tuple[list[Case], Found]:
    env = git_environ(root / "home")
    cases = all_cases()
    built: dict[tuple[str, str], Lab] = {}
    for scheme in SCHEMES:
        for setup in SETUPS:
            where = root / f"{scheme}-{setup.replace(' ', '-')}"
            built[scheme, setup] = build(where, scheme, env, setup)
            lab = built[scheme, setup]
            if not lab.judge("main", lab.versions("A")).startswith("LOST"):
                raise BenchError("the judge calls main right although it lacks A's folds")
    tasks = [
        (index, scheme, config)
        for config in ("", "false")
        for index, case in enumerate(cases)
        for scheme in SCHEMES
        if scheme == T or not case.t_only
    ]
    say(f"{len(tasks)} runs of {len(cases)} cases")
    refs = {key: lab.refs() for key, lab in built.items()}
    idle: dict[tuple[str, str], list[Lab]] = {key: [] for key in built}
    lock = threading.Lock()
    copies = [0]

    def one(task: tuple[int, str, str]) -> Outcome:
        index, scheme, config = task
        key = (scheme, cases[index].setup)
        with lock:
            lab = idle[key].pop() if idle[key] else None
            copies[0] += 1
            where = root / "runs" / str(copies[0])
        if lab is None:
            lab = built[key].copy(where)
        try:
            if config:
                lab.git("config", DIR_RENAMES, config)
            return cases[index].run(lab)
        except Blocked as blocked:
            return blocked.outcome
        finally:
            lab.reset(built[key], refs[key])
            with lock:
                idle[key].append(lab)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        found = dict(zip(tasks, pool.map(one, tasks), strict=True))
        # where "false" changed something, what "true" (rename directories silently) does
        again = [(i, s, "true") for i, s, c in tasks if c and found[i, s, c] != found[i, s, ""]]
        found.update(zip(again, pool.map(one, again), strict=True))
    return cases, found


AS_ABOVE = "(as above: A's compaction has no age)"


def matrix_lines(cases: list[Case], found: Found) -> list[str]:
    width = max(len(c.label) for c in cases) + 2
    col = max(len(o.cell()) for (_, _, c), o in found.items() if not c) + 2
    lines: list[str] = []
    changed: list[str] = []
    section = changed_section = ""
    tally = {(s, c): [0, 0, 0] for s in SCHEMES for c in ("", "false")}  # cases, stops, wrong
    for index, case in enumerate(cases):
        if case.section != section:
            section = case.section
            lines += ["", f"== {section}", f"{'case':<{width}}{TITLE[T]:<{col}}{TITLE[A]}"]
        cells = [found[index, T, ""].cell(), AS_ABOVE]
        if not case.t_only:
            cells[1] = found[index, A, ""].cell()
        lines.append(f"{case.label:<{width}}{cells[0]:<{col}}{cells[1]}".rstrip())
        for s in SCHEMES:
            if (index, s, "") not in found:
                continue
            for c in ("", "false"):
                o = found[index, s, c]
                tally[s, c][0] += 1
                tally[s, c][1 if o.kinds else 2] += 1 if o.bad else 0
            before, after = found[index, s, ""], found[index, s, "false"]
            if before != after:
                if changed_section != section:
                    changed_section = section
                    changed.append(f"  == {section}")
                then = found[index, s, "true"].cell()
                changed.append(
                    f"  {TITLE[s]:<16}{case.label:<{width}}{before.cell()} -> {after.cell()}"
                    f"  (=true: {then})"
                )
    lines += ["", f"with {DIR_RENAMES}=false in the repository's config (=true for comparison):"]
    lines += changed or ["  no cell changes"]
    lines.append("")
    for c, name in (("", "default settings"), ("false", f"{DIR_RENAMES}=false")):
        for s in SCHEMES:
            n, stops, wrong = tally[s, c]
            lines.append(
                f"{name}, {TITLE[s]}: {n} cases, {stops} stop on a conflict, "
                f"{wrong} combine cleanly into a wrong result"
            )
    return lines


# -- part 2: a year ----------------------------------------------------------------------------


@dataclass
class Year:
    scheme: str
    commits: int = 0
    compactions: int = 0
    files: int = 0
    tombstones: int = 0
    superseded: int = 0
    tree_bytes: int = 0
    peak_files: int = 0
    last_job: str = ""  # when the last weekly job ran
    after_last_job: int = 0  # files in the tree right after it
    size_pack: str = ""
    size_pack_kib: int = 0
    seconds: float = 0.0


def simulate_year(
    root: Path,
    scheme: str,
    *,
    developers: int,
    days: int,
    per_day: int,
    older_than: int,
    say: Callable[[str], None],
) -> Year:
    t0 = time.perf_counter()
    env = git_environ(root / "home")
    top = root / f"year-{scheme}.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(top)], env=env, check=True)
    importer = subprocess.Popen(
        ["git", "fast-import", "--quiet"], cwd=top, env=env, stdin=subprocess.PIPE
    )
    assert importer.stdin is not None
    out = importer.stdin
    out.write(b"blob\nmark :1\ndata %d\n%s\n" % (len(TOMBSTONE), TOMBSTONE))
    stores = [new_store(f"dev{i:02d}#1", f"dev{i:02d}") for i in range(1, developers + 1)]
    live: dict[Key, str] = {}
    sizes: dict[str, int] = {}
    buried: dict[str, datetime] = {}  # T: tombstone -> when
    stale: set[str] = set()  # A: superseded, not deleted yet
    fig = Year(scheme)

    def commit(at: datetime, message: str, body: bytes) -> None:
        stamp = int(at.timestamp())
        msg = message.encode()
        out.write(
            b"commit refs/heads/main\ncommitter Bench Dev <dev@example.com> %d +0000\n"
            b"data %d\n%s\n%s\n" % (stamp, len(msg), msg, body)
        )
        fig.commits += 1
        fig.peak_files = max(fig.peak_files, len(sizes))

    def compaction(at: datetime) -> None:
        if scheme == T:
            doomed = sorted(p for p, when in buried.items() if when <= at - timedelta(older_than))
        else:
            doomed = sorted(stale)
        if not doomed:
            return
        for path in doomed:
            buried.pop(path, None)
            stale.discard(path)
            del sizes[path]
        commit(at, "compact", b"".join(b"D %s\n" % p.encode() for p in doomed))
        fig.compactions += 1
        fig.last_job, fig.after_last_job = f"{at:%a %Y-%m-%d}", len(sizes)

    calendar = working_days(date(2025, 1, 1), days)
    for number, day in enumerate(calendar):
        if number and day.weekday() < calendar[number - 1].weekday():  # a new week
            saturday = day - timedelta(days=day.weekday() - 5 + 7)
            compaction(
                datetime(saturday.year, saturday.month, saturday.day, 3, tzinfo=timezone.utc)
            )
        month = f"{day:%Y-%m}"
        for round_no in range(per_day):
            for index, store in enumerate(stores):
                at = datetime(day.year, day.month, day.day, 10 + 4 * round_no, tzinfo=timezone.utc)
                at += timedelta(minutes=index)
                store.record(day, store.rng.randint(1, 3))
                store.counter += 1
                path = f"{SUMMARIES}/{store.user}/{month}/{store.sid}-{store.counter}.json"
                data = store.render(month, store.counter)
                body = b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)
                old = live.get((store.user, month, store.sid))
                if old is not None:
                    if scheme == T:
                        body += b"M 100644 :1 %s\n" % old.encode()
                        buried[old] = at
                        sizes[old] = len(TOMBSTONE)
                    else:
                        stale.add(old)
                live[store.user, month, store.sid] = path
                sizes[path] = len(data)
                commit(at, f"{store.user}: work", body)
        if number % 50 == 49:
            say(f"  {scheme}: {number + 1}/{len(calendar)} days")
    out.close()
    if importer.wait() != 0:
        raise BenchError(f"git fast-import failed for scheme {scheme}")
    tree = subprocess.run(
        ["git", "ls-tree", "-r", "-l", "HEAD"], cwd=top, env=env, capture_output=True, text=True
    ).stdout.splitlines()
    fig.files = len(tree)
    fig.tree_bytes = sum(int(line.split()[3]) for line in tree)
    fig.tombstones = len(buried)
    fig.superseded = len(stale)
    if fig.files != len(sizes) or fig.tree_bytes != sum(sizes.values()):
        raise BenchError(f"scheme {scheme}: HEAD's tree is not what was simulated")
    say(f"  {scheme}: git gc")
    subprocess.run(["git", "gc", "-q"], cwd=top, env=env, check=True)
    counted = subprocess.run(
        ["git", "count-objects", "-vH"], cwd=top, env=env, capture_output=True, text=True
    ).stdout
    fig.size_pack = re.search(r"size-pack: (.+)", counted).group(1)  # type: ignore[union-attr]
    plain = subprocess.run(
        ["git", "count-objects", "-v"], cwd=top, env=env, capture_output=True, text=True
    ).stdout
    fig.size_pack_kib = int(re.search(r"size-pack: (\d+)", plain).group(1))  # type: ignore[union-attr]
    fig.seconds = time.perf_counter() - t0
    return fig


def year_lines(
    years: list[Year], developers: int, days: int, per_day: int, older: int
) -> list[str]:
    t, a = years
    live = developers * len({f"{d:%Y-%m}" for d in working_days(date(2025, 1, 1), days)})
    lines = [
        f"A year: {developers} developers x {days} working days x {per_day} folds a day = "
        f"{t.commits - t.compactions:,} folding commits, {live} live summaries at the end",
        f"{'':<44}{TITLE[T]:>18}{TITLE[A]:>18}",
    ]

    def row(label: str, x: object, y: object) -> None:
        fx = f"{x:,}" if isinstance(x, int) else str(x)
        fy = f"{y:,}" if isinstance(y, int) else str(y)
        lines.append(f"{label:<44}{fx:>18}{fy:>18}")

    row("weekly compaction commits", t.compactions, a.compactions)
    row("files in HEAD's tree", t.files, a.files)
    row("  of which tombstones / superseded", t.tombstones, a.superseded)
    row("  right after the last weekly job", t.after_last_job, a.after_last_job)
    row("bytes of HEAD's tree blobs", t.tree_bytes, a.tree_bytes)
    row("peak files in the tree over the year", t.peak_files, a.peak_files)
    row("packed repository (count-objects size-pack)", t.size_pack, a.size_pack)
    row("  KiB", t.size_pack_kib, a.size_pack_kib)
    row("simulation + gc, s", f"{t.seconds:.1f}", f"{a.seconds:.1f}")
    end = working_days(date(2025, 1, 1), days)[-1]
    lines.append(
        f"T: `compact --delete --older-than {older}` weekly; A: every superseded file weekly; "
        f"both on Saturdays at 03:00 (the last: {a.last_job or t.last_job}); the year ends "
        f"on {end:%a %Y-%m-%d}, after its last folds"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--developers", type=int, default=20, help="the year's team (20)")
    parser.add_argument("--days", type=int, default=250, help="working days in the year (250)")
    parser.add_argument("--per-day", type=int, default=2, help="folds a developer a day (2)")
    parser.add_argument("--older-than", type=int, default=90, help="T's compact --delete (90)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="cases at once")
    parser.add_argument("--no-matrix", action="store_true", help="skip part 1")
    parser.add_argument("--no-year", action="store_true", help="skip part 2")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    if min(args.developers, args.days, args.per_day, args.older_than, args.jobs) < 1:
        parser.error("every number must be at least 1")
    say = stderr_logger(not args.quiet)
    version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    with temp_root("ffhooks-merge-matrix-", keep=args.keep) as root:
        try:
            if not args.no_matrix:
                t0 = time.perf_counter()
                env = git_environ(root / "home")
                print(f"{version}, default settings, no merge driver")
                print(similarity_line(env, root / "similarity"))
                cases, found = run_matrix(root, args.jobs, say)
                print("\n".join(matrix_lines(cases, found)))
                print(f"(matrix: {time.perf_counter() - t0:.0f} s)")
            if not args.no_year:
                if not args.no_matrix:
                    print()
                years = []
                for scheme in SCHEMES:
                    say(f"simulating a year, scheme {scheme}")
                    years.append(
                        simulate_year(
                            root,
                            scheme,
                            developers=args.developers,
                            days=args.days,
                            per_day=args.per_day,
                            older_than=args.older_than,
                            say=say,
                        )
                    )
                print(
                    "\n".join(
                        year_lines(years, args.developers, args.days, args.per_day, args.older_than)
                    )
                )
        except BenchError as exc:
            print(f"merge_matrix: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
