"""What the ffhooks commit hook adds to a `git commit`, next to a no-op hook installed the same way.

Builds a team repository in a temporary directory with the real commands: the committer has
a year of sessions (10 per working day, about 2,500; `--years N`: N years, a daily file each
working day: does the hook's cost grow with the committer's own history?) and 50 teammates
have 12 months of summaries each, all committed (and with `--generated USERSxMONTHS` that
many more, written as `bench/scale.py` writes them: does the hook's cost grow with the tree?
The no-op's commit carries the same index). Its clones are the committer's working copies,
one set for each framework (`pre-commit`, and `prek` when it is installed) and each install way:

- `local`: the `repo: local` block `ffhooks init` writes, hook id `ffhooks` (entry `ffhooks
  hook`, `language: system`: the `ffhooks` of this interpreter), against a `repo: local`,
  `language: system` no-op hook (`python3 -c pass`);
- `repo+rev`: `repo: <path>` + `rev: <sha>` (`ffhooks init --hooks-repo --rev`), hook id
  `ffhooks` from the project's `.pre-commit-hooks.yaml`, `language: python`: the framework
  builds an environment of its own with ffhooks installed from a `git clone` of this project
  at its committed HEAD (not editable); against a no-op hook installed the same way, from a
  small hook repository made here (`.pre-commit-hooks.yaml` with hook `noop`, `entry:
  noop-hook`, `language: python`; a package whose console script `noop-hook` does nothing).

For each framework and install way there are three clones, `ff` (the committer's private
store), `nostore` (none) and `noop` (the no-op hook and the store), and for `pre-commit` with
the `local` install a fourth, `signed`. Each gets `<framework> install` and `install-hooks`
(the environments are built then, untimed), then one untimed commit that must show the one
hook of its config passing. Each round then commits, in an order rotated by one every round,
one change to a tracked file in every variant:

- `one changed month`: `ff`, after `ffhooks add` of one new session: the hook folds one month;
- `the same, hook server off`: `ff` again, with `FFHOOKS_HOOK_SERVER=off`: the hook runs in
  its own process, importing what it needs: what a commit costs by default;
- `nothing changed`: `ff` again, no new session since its last commit;
- `no store`: `nostore`, a teammate who tracks nothing;
- `signed` (pre-commit, local only): `signed`, where the team config says `"signatures":
  "required"` and git has an SSH signing key: as `one changed month`, and the new summary is
  signed (`ssh-keygen -Y sign`) and its signature checked by the hook;
- `no-op`: `noop` (with the same untimed `ffhooks add` first).

The hook server (`ffhooks/server/server.py`, off by default) is turned on for the other variants
(`FFHOOKS_HOOK_SERVER=on`): the first commit of each installation (untimed) starts it, and the
hook process of every later commit has a fork of it run the hook. Its sockets are in the
temporary directory (`XDG_RUNTIME_DIR`); each installation must have had one (the local installs
share this interpreter's), and they are
stopped at the end. Only the `git commit` process is timed. Each commit must have added
exactly one summary, under the month of the new session (`one changed month`, `the same, hook
server off`, `signed`, the latter with a signature) or none (the others); the hook may
queue no failure. Printed for each framework and install way: median, p90 and min per
variant, what it adds over that set's no-op (the median over rounds of the difference to the
no-op's commit of the same round: pre-commit's own commit varies by tens of milliseconds,
and a slow stretch then hits both) and the ratio of the medians, against the targets: one
changed month at most +40 ms (goal +25 ms), nothing changed at most +30 ms, no store at most
+20 ms. Run from the project root:

    python3 bench/commit_overhead.py --rounds 15
    python3 bench/commit_overhead.py --frameworks pre-commit --json
    python3 bench/commit_overhead.py --frameworks pre-commit --generated 500x60
    python3 bench/commit_overhead.py --frameworks pre-commit --years 5

The interpreter running this script must have ffhooks and pre-commit (and prek, to measure
it) installed; its scripts folder goes first on PATH so the local hooks call `ffhooks` and
`python3` directly, not through a pyenv shim or another installation. `PYTHON*`, `PREK_*` and
`PRE_COMMIT*` variables of the calling shell are dropped (`PYTHONDONTWRITEBYTECODE` would make
every hook process compile ffhooks from source); `PRE_COMMIT_HOME` and `PREK_HOME` are fresh
folders in the temporary directory, so the `repo+rev` environments are built there (a
package index must be reachable). The warm-up round (`--warmup`, default 1) lets the first
import of each environment write its bytecode, which uv (prek) does not compile at install.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from _common import (
    BenchError,
    iso,
    run,
    scripts_environ,
    stats,
    stderr_logger,
    table_header,
    table_row,
    temp_root,
    timed,
)

PROJECT = Path(__file__).resolve().parent.parent  # cloned for the repo+rev installs

FRAMEWORKS = ("pre-commit", "prek")
LOCAL = "local"
REPO = "repo+rev"
WAYS = (LOCAL, REPO)
WAY_TEXT = {
    LOCAL: "repo: local, language: system",
    REPO: "repo: <path> + rev: <sha>, language: python",
}

MONTH = "one changed month"
OWN = "own process"
UNCHANGED = "nothing changed"
NOSTORE = "no store"
SIGNED = "signed"
NOOP = "no-op"
KIND_CLONE = {
    MONTH: "ff",
    OWN: "ff",
    UNCHANGED: "ff",
    NOSTORE: "nostore",
    SIGNED: "signed",
    NOOP: "noop",
}
KIND_TEXT = {
    MONTH: "one changed month",
    OWN: "  the same, hook server off",
    UNCHANGED: "nothing changed",
    NOSTORE: "no store",
    SIGNED: "signed (one changed month)",
    NOOP: "no-op hook",
}
NOOP_TEXT = {LOCAL: "no-op hook (python3 -c pass)", REPO: "no-op hook (noop-hook, python)"}
# (target, goal) of the median added over the no-op, ms
TARGETS: dict[str, tuple[float, float | None]] = {
    MONTH: (40.0, 25.0),
    UNCHANGED: (30.0, None),
    NOSTORE: (20.0, None),
}
PYTHON = "python3 -c pass"

NOW = datetime(2026, 11, 20, 17, 0, 0, tzinfo=timezone.utc)
FIRST_DAY = date(2025, 11, 20)  # the committer's year: FIRST_DAY .. the day before NOW
TEAM_FIRST_DAY = date(2025, 12, 1)  # teammates: 12 months
ROUND_BASE = datetime(2026, 11, 20, 8, 0, 0, tzinfo=timezone.utc)  # new sessions, one per round
ROUND_STEP = timedelta(minutes=2)
MAX_ROUNDS = 240  # ROUND_BASE + MAX_ROUNDS * ROUND_STEP stays before NOW
COMMITTER = "dev"
SUMMARIES = ".flowforge/team/summaries"
TASKS = ("205", "206", "311", "412", "ops")

FF_HOOK_NAME = "ffhooks: guard, fold time into team summaries, validate"
NOOP_HOOK_NAME = "no-op"

NOOP_LOCAL_CONFIG = f"""\
repos:
- repo: local
  hooks:
  - id: noop
    name: {NOOP_HOOK_NAME}
    entry: {PYTHON}
    language: system
    always_run: true
    pass_filenames: false
"""

NOOP_REPO_CONFIG = """\
repos:
- repo: {path}
  rev: {rev}
  hooks:
  - id: noop
"""

NOOP_HOOKS_YAML = f"""\
- id: noop
  name: {NOOP_HOOK_NAME}
  entry: noop-hook
  language: python
  always_run: true
  pass_filenames: false
"""

NOOP_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "noop-hook"
version = "0.0.0"

[project.scripts]
noop-hook = "noop_hook:main"

[tool.setuptools]
packages = ["noop_hook"]
"""

NOOP_MODULE = '''\
"""A pre-commit hook that does nothing."""


def main() -> int:
    return 0
'''


@dataclass(frozen=True)
class Variant:
    framework: str
    way: str
    kind: str

    @property
    def label(self) -> str:
        return f"{self.framework}, {self.way}: {self.kind}"

    @property
    def role(self) -> str:
        """Which clone of the framework and install way: ff, nostore, noop or signed."""
        return KIND_CLONE[self.kind]

    @property
    def clone(self) -> str:
        return f"{self.framework}-{self.way}-{self.role}"


def kinds(framework: str, way: str) -> tuple[str, ...]:
    signed = (SIGNED,) if (framework, way) == ("pre-commit", LOCAL) else ()
    return (MONTH, OWN, UNCHANGED, NOSTORE, *signed, NOOP)


def variants(frameworks: Sequence[str]) -> list[Variant]:
    return [Variant(fw, way, kind) for fw in frameworks for way in WAYS for kind in kinds(fw, way)]


@dataclass
class HookRepos:
    """The hook repositories of the repo+rev installs and the revisions used."""

    ffhooks: Path
    ffhooks_rev: str
    noop: Path
    noop_rev: str


@dataclass
class Bench:
    root: Path
    environ: dict[str, str]
    frameworks: list[str]
    versions: dict[str, str]
    hook_repos: HookRepos
    sessions: int
    summaries: int
    clones: dict[str, Path] = field(default_factory=dict)  # Variant.clone -> path


def clean_environ(home: Path) -> dict[str, str]:
    env = scripts_environ(
        home,
        user=COMMITTER,
        now=iso(NOW),
        tools=("ffhooks", "python3", "git"),
        PRE_COMMIT_HOME=str(home / "pre-commit"),
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    env = {k: v for k, v in env.items() if not k.startswith("PREK_")}
    env["PREK_HOME"] = str(home / "prek")
    # the hook servers' sockets: here, so that they stop when this folder goes
    env["XDG_RUNTIME_DIR"] = str(home.parent / "run")
    (home.parent / "run").mkdir()
    env["FFHOOKS_HOOK_SERVER"] = "on"  # the opt-in wing, for every variant but OWN's
    return env


def working_days(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def write_sessions(path: Path, days: Sequence[date], per_day: int) -> int:
    """JSON lines for `import`: `per_day` sessions of 40 minutes every 45 from 07:00 UTC."""
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for day in days:
            base = datetime(day.year, day.month, day.day, 7, 0, 0, tzinfo=timezone.utc)
            for i in range(per_day):
                start = base + timedelta(minutes=45 * i)
                line = {
                    "task": TASKS[(count + i) % len(TASKS)],
                    "start": iso(start),
                    "end": iso(start + timedelta(minutes=40)),
                    "billable": i % 4 != 3,
                }
                handle.write(json.dumps(line) + "\n")
            count += per_day
    return count


def head_sha(path: Path, env: Mapping[str, str]) -> str:
    return run(["git", "rev-parse", "HEAD"], cwd=path, env=env).stdout.strip()


def make_hook_repos(root: Path, env: Mapping[str, str]) -> HookRepos:
    """A clone of this project (its committed HEAD) and the no-op hook repository."""
    ffhooks = root / "ffhooks-src"
    run(["git", "clone", "-q", PROJECT, ffhooks], cwd=root, env=env, what="clone of ffhooks")
    noop = root / "noop-hook"
    (noop / "noop_hook").mkdir(parents=True)
    (noop / ".pre-commit-hooks.yaml").write_text(NOOP_HOOKS_YAML, encoding="utf-8")
    (noop / "pyproject.toml").write_text(NOOP_PYPROJECT, encoding="utf-8")
    (noop / "noop_hook" / "__init__.py").write_text(NOOP_MODULE, encoding="utf-8")
    run(["git", "init", "-q", "-b", "main"], cwd=noop, env=env)
    run(["git", "add", "-A"], cwd=noop, env=env)
    run(["git", "commit", "-q", "-m", "no-op hook"], cwd=noop, env=env)
    return HookRepos(ffhooks, head_sha(ffhooks, env), noop, head_sha(noop, env))


def build_origin(
    root: Path,
    env: Mapping[str, str],
    *,
    teammates: int,
    per_day: int,
    generated: str | None,
    years: int = 1,
) -> int:
    """The team repository with `ffhooks init` (local hooks), and with `generated`
    (USERSxMONTHS) that many more summaries, as `bench/scale.py` writes them; the committer's
    sessions of `years` years."""
    origin = root / "origin"
    origin.mkdir()
    last_day = NOW.date() - timedelta(days=1)
    run(["git", "init", "-q", "-b", "main"], cwd=origin, env=env)
    run(["ffhooks", "init", "--no-hook"], cwd=origin, env=env)
    (origin / "work.txt").write_text("round 0\n", encoding="utf-8")
    jsonl = root / "sessions.jsonl"
    team_days = working_days(TEAM_FIRST_DAY, last_day)
    for n in range(teammates):
        user = {**env, "FFHOOKS_USER": f"mate{n:02d}"}
        write_sessions(jsonl, team_days, 2)
        run(["ffhooks", "import", jsonl], cwd=origin, env=user)
        run(["ffhooks", "aggregate"], cwd=origin, env=user)
        shutil.rmtree(origin / ".flowforge" / "user" / f"mate{n:02d}")  # on their machines
    if generated:
        import scale

        users, months = (int(n) for n in generated.split("x"))
        project = json.loads((origin / ".flowforge/team/config.json").read_text())["project"]
        scale.write_summaries(origin, users, scale.months_back(months, "2026-10"), project)
    first_day = FIRST_DAY.replace(year=FIRST_DAY.year + 1 - years)
    sessions = write_sessions(jsonl, working_days(first_day, last_day), per_day)
    run(["ffhooks", "import", jsonl], cwd=origin, env=env)
    run(["ffhooks", "aggregate"], cwd=origin, env=env)
    run(["git", "add", "-A"], cwd=origin, env=env)
    run(["git", "commit", "-q", "--no-verify", "-m", "team fixture"], cwd=origin, env=env)
    return sessions


def set_up(
    root: Path,
    *,
    requested: Sequence[str],
    teammates: int,
    per_day: int,
    log: bool,
    generated: str | None = None,
    years: int = 1,
) -> Bench:
    """The team repository (origin), the hook repositories and the clones, each installed
    with its framework, environments built and one untimed commit made. Frameworks of
    `requested` that are not installed are left out of `Bench.frameworks`."""
    say = stderr_logger(log)
    home = root / "home"
    home.mkdir()
    env = clean_environ(home)
    frameworks = [fw for fw in requested if shutil.which(fw, path=env["PATH"]) is not None]
    if not frameworks:
        raise BenchError(f"none of {', '.join(requested)} is installed")
    needs = ["ssh-keygen"] if "pre-commit" in frameworks else []
    for tool in needs:
        if shutil.which(tool, path=env["PATH"]) is None:
            raise BenchError(f"`{tool}` is not on PATH")
    versions = {fw: run([fw, "--version"], cwd=root, env=env).stdout.strip() for fw in frameworks}

    history = "year" if years == 1 else f"{years} years"
    say(f"building the team repository ({teammates} teammates, then the committer's {history})")
    sessions = build_origin(
        root, env, teammates=teammates, per_day=per_day, generated=generated, years=years
    )
    origin = root / "origin"
    listed = run(["git", "ls-files", SUMMARIES], cwd=origin, env=env)
    say(f"hook repositories: a clone of {PROJECT} and the no-op hook")
    hook_repos = make_hook_repos(root, env)
    bench = Bench(root, env, frameworks, versions, hook_repos, sessions, len(listed.stdout.split()))
    for variant in variants(frameworks):
        if variant.clone not in bench.clones:
            say(f"clone {variant.clone}: {variant.framework} install, install-hooks, a commit")
            bench.clones[variant.clone] = set_up_clone(bench, variant)
    return bench


def set_up_clone(bench: Bench, variant: Variant) -> Path:
    """The clone of `variant` with its store (or none), its config, the framework's hook
    installed, the environments built and one untimed commit made."""
    env, root = bench.environ, bench.root
    fw, way, role, name = variant.framework, variant.way, variant.role, variant.clone
    path = root / name
    run(["git", "clone", "-q", root / "origin", path], cwd=root, env=env)
    store = root / "origin" / ".flowforge" / "user" / COMMITTER
    if role != "nostore":
        shutil.copytree(store, path / ".flowforge" / "user" / COMMITTER)
        # a copied store refuses to write until told; each clone stands alone here
        run(["ffhooks", "store", "moved"], cwd=path, env=env)
    config = path / ".pre-commit-config.yaml"
    repos = bench.hook_repos
    if role == "signed":
        sign_summaries(root, path, env)
    elif way == REPO and role != "noop":
        config.unlink()  # origin's is the local block; init writes the repo+rev one
        hooks_repo = ["--hooks-repo", str(repos.ffhooks), "--rev", repos.ffhooks_rev]
        run(["ffhooks", "init", "--no-hook", *hooks_repo], cwd=path, env=env)
        commit_setup(path, env, "ffhooks from repo + rev")
    else:
        run(
            ["ffhooks", "init", "--no-hook"], cwd=path, env=env
        )  # merge settings, as every teammate
    if role == "noop":
        text = (
            NOOP_LOCAL_CONFIG
            if way == LOCAL
            else NOOP_REPO_CONFIG.format(path=repos.noop, rev=repos.noop_rev)
        )
        config.write_text(text, encoding="utf-8")
        commit_setup(path, env, "no-op hook")
    run([fw, "install"], cwd=path, env=env, what=f"{fw} install in {name}")
    run([fw, "install-hooks"], cwd=path, env=env, what=f"{fw} install-hooks in {name}")
    first_commit(path, env, name, NOOP_HOOK_NAME if role == "noop" else FF_HOOK_NAME)
    return path


def commit_setup(path: Path, env: Mapping[str, str], message: str) -> None:
    run(["git", "add", "-A"], cwd=path, env=env)
    run(["git", "commit", "-q", "--no-verify", "-m", message], cwd=path, env=env)


def first_commit(path: Path, env: Mapping[str, str], name: str, hook: str) -> None:
    """An untimed commit through the hooks, which must show `hook`, and only it, passing."""
    with open(path / "work.txt", "a", encoding="utf-8") as handle:
        handle.write("set-up\n")
    run(["git", "add", "work.txt"], cwd=path, env=env)
    proc = run(["git", "commit", "-m", "set-up"], cwd=path, env=env, what=f"commit in {name}")
    output = proc.stdout + proc.stderr
    passed = re.findall(r"^(.+?)\.*Passed$", output, re.MULTILINE)
    if passed != [hook]:
        raise BenchError(
            f"first commit in {name}: expected the hook {hook!r} alone to pass, "
            f"saw {passed}:\n{output.strip()}"
        )


def sign_summaries(root: Path, clone: Path, env: Mapping[str, str]) -> None:
    """The team requires signatures; the committer has an SSH key, allowed for them."""
    key = root / "dev_key"
    if not key.exists():
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], cwd=root, env=env)
    run(["git", "config", "user.signingkey", str(key)], cwd=clone, env=env)
    config = clone / ".flowforge" / "team" / "config.json"
    settings = json.loads(config.read_text(encoding="utf-8"))
    config.write_text(json.dumps({**settings, "signatures": "required"}), encoding="utf-8")
    run(["ffhooks", "init", "--no-hook", "--signing"], cwd=clone, env=env)
    commit_setup(clone, env, "signatures")


def _committed_summaries(bench: Bench, clone: Path) -> list[tuple[str, str]]:
    """(status, path) of the summaries the last commit added (A) or deleted (D)."""
    out = run(
        ["git", "show", "--no-renames", "--name-status", "--format=", "HEAD", "--", SUMMARIES],
        cwd=clone,
        env=bench.environ,
    )
    return [(line[0], line.split("\t", 1)[1]) for line in out.stdout.splitlines() if line]


def _check_commit(bench: Bench, clone: Path, variant: Variant) -> None:
    """A commit after a new session must add one summary for its month (older files of that
    month may go or stay); a commit without new time, or without the hook, must touch none."""
    changed = _committed_summaries(bench, clone)
    month = f"{SUMMARIES}/{COMMITTER}/{NOW:%Y-%m}/"
    added = [path for status, path in changed if status == "A"]
    folds = variant.kind in (MONTH, OWN, SIGNED)
    if folds:
        ok = len(added) == 1 and all(path.startswith(month) for _, path in changed)
    else:
        ok = not changed
    if ok and variant.kind == SIGNED:
        ok = "signature" in json.loads((clone / added[0]).read_text(encoding="utf-8"))
    if not ok:
        want = f"one added under {month}" if folds else "none"
        if variant.kind == SIGNED:
            want += ", signed"
        raise BenchError(f"commit ({variant.label}) changed summaries {changed}; expected {want}")


def one_commit(bench: Bench, variant: Variant, round_no: int) -> float:
    """Prepare (untimed), then time one `git commit` through the installed hooks, in ms."""
    clone = bench.clones[variant.clone]
    env = bench.environ
    with open(clone / "work.txt", "a", encoding="utf-8") as handle:
        handle.write(f"round {round_no}: {variant.kind}\n")
    run(["git", "add", "work.txt"], cwd=clone, env=env)
    if variant.kind in (MONTH, OWN, SIGNED, NOOP):
        later = ROUND_STEP / 2 if variant.kind == OWN else timedelta(0)  # MONTH's clone too
        start = iso(ROUND_BASE + round_no * ROUND_STEP + later)
        run(["ffhooks", "add", "205", "1m", "--start", start], cwd=clone, env=env)
    if variant.kind == OWN:
        env = {**env, "FFHOOKS_HOOK_SERVER": "off"}
    cmd = ["git", "commit", "-q", "-m", f"round {round_no}"]
    elapsed = timed(cmd, cwd=clone, env=env, what=f"commit ({variant.label})")
    _check_commit(bench, clone, variant)
    return elapsed


def python_startup(bench: Bench) -> float:
    """One bare `python3` process as a hook gets it: the floor of every hook process, in ms."""
    return timed(["python3", "-c", "pass"], cwd=bench.root, env=bench.environ, what=PYTHON)


def queued_failures(bench: Bench) -> list[str]:
    found = []
    for name, clone in bench.clones.items():
        folder = clone / ".git" / "ffhooks" / "queue"
        if folder.is_dir():
            found += [f"{name}: {p.name}" for p in folder.iterdir()]
    return found


def stop_servers(root: Path) -> int:
    """Remove the hook servers' sockets, so that the servers stop; how many there were."""
    sockets = list((root / "run").glob("ffhooks-*/*.sock"))
    for path in sockets:
        path.unlink()
    return len(sockets)


def verdict(kind: str, added: float) -> str | None:
    if kind not in TARGETS:
        return None
    target, goal = TARGETS[kind]
    if goal is not None and added <= goal:
        return "meets the goal"
    return "ok" if added <= target else "OVER TARGET"


def summarize(bench: Bench, samples: Mapping[str, Sequence[float]]) -> dict[str, object]:
    """Per framework and install way: each kind's stats, what it adds over that set's no-op
    (the median, over rounds, of its commit minus the no-op's commit of the same round: the
    machine's drift during a run cancels, which a difference of medians leaves in), the
    ratio of the medians and the verdict against the kind's target."""
    results: dict[str, dict[str, object]] = {}
    for fw in bench.frameworks:
        results[fw] = {}
        for way in WAYS:
            med = {k: statistics.median(samples[Variant(fw, way, k).label]) for k in kinds(fw, way)}
            base = med[NOOP]
            others = [k for k in kinds(fw, way) if k != NOOP]
            noop = samples[Variant(fw, way, NOOP).label]
            added = {
                k: round(
                    statistics.median(
                        a - b for a, b in zip(samples[Variant(fw, way, k).label], noop, strict=True)
                    ),
                    2,
                )
                for k in others
            }
            results[fw][way] = {
                "install": WAY_TEXT[way],
                "commits": {k: stats(samples[Variant(fw, way, k).label]) for k in kinds(fw, way)},
                "added_median_ms": added,
                "ratio_to_noop": {k: round(med[k] / base, 3) for k in others},
                "verdicts": {k: v for k in others if (v := verdict(k, added[k])) is not None},
            }
    return {"results": results, "python_startup": stats(samples[PYTHON])}


def render(result: Mapping[str, object]) -> str:
    results = result["results"]
    hook_repos = result["hook_repos"]
    versions = result["framework_versions"]
    python = result["python_startup"]
    skipped = result["skipped"]
    assert isinstance(results, dict) and isinstance(hook_repos, dict)
    assert isinstance(versions, dict) and isinstance(python, dict)
    assert isinstance(skipped, list)
    width = 34
    lines = [
        f"{result['rounds']} rounds after {result['warmup']} warm-up, all variants alternating: "
        f"wall time of `git commit` through the installed hook ({result['sessions']} sessions "
        f"in the committer's store, {result['summaries']} summaries in the tree)",
        f"{', '.join(versions.values())}; repo+rev: ffhooks at {hook_repos['ffhooks_rev'][:12]} "
        f"(a clone of {hook_repos['project']}), no-op hook at {hook_repos['noop_rev'][:12]}",
    ]
    lines += [f"note: {note}" for note in skipped]
    for fw, by_way in results.items():
        for way, res in by_way.items():
            commits, added, ratio, verdicts = (
                res["commits"],
                res["added_median_ms"],
                res["ratio_to_noop"],
                res["verdicts"],
            )
            lines.append("")
            lines.append(f"{fw}, {way} ({res['install']})")
            lines.append(table_header("commit", width) + f"{'added ms':>10}{'x no-op':>9}")
            for kind, figures in commits.items():
                label = "  " + (NOOP_TEXT[way] if kind == NOOP else KIND_TEXT[kind])
                row = table_row(label, figures, width)
                if kind != NOOP:
                    row += f"{added[kind]:>+10.1f}{ratio[kind]:>9.2f}"
                    if kind in TARGETS:
                        target, goal = TARGETS[kind]
                        aim = f", goal <= +{goal:.0f}" if goal is not None else ""
                        row += f"   target <= +{target:.0f}{aim}: {verdicts[kind]}"
                lines.append(row)
            if SIGNED in added:
                extra = added[SIGNED] - added[OWN]
                lines.append(
                    f"  signing the new summary and checking its signature: {extra:+.1f} ms "
                    "(signed vs one changed month with the hook server off: the server "
                    "leaves a team that signs to the hook's own process)"
                )
    lines.append("")
    lines.append(
        f"`{PYTHON}` (the floor of each hook process): median {python['median_ms']:.1f} ms; "
        "every config here runs one hook process per commit, which the hook server (forked "
        f"with ffhooks imported; {result['servers']} ran) spares the imports"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--teammates", type=int, default=50, help="teammates (default 50)")
    parser.add_argument(
        "--per-day", type=int, default=10, help="committer's sessions per working day (10)"
    )
    parser.add_argument(
        "--years", type=int, default=1, help="years of the committer's sessions (default 1)"
    )
    parser.add_argument(
        "--frameworks",
        nargs="+",
        choices=FRAMEWORKS,
        default=list(FRAMEWORKS),
        help="hook frameworks to measure (default: pre-commit and prek; one not installed "
        "is skipped with a note)",
    )
    parser.add_argument(
        "--generated",
        metavar="USERSxMONTHS",
        help="that many more summaries in the tree, written as bench/scale.py writes them "
        "(e.g. 200x12: 2,400; 500x60: 30,000), months ending 2026-10",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0 or args.warmup + args.rounds > MAX_ROUNDS:
        parser.error(f"need --rounds >= 1, --warmup >= 0 and at most {MAX_ROUNDS} in all")
    if not 1 <= args.per_day <= 12 or args.teammates < 0 or not 1 <= args.years <= 20:
        parser.error("--per-day must be 1 to 12, --teammates at least 0, --years 1 to 20")
    requested = list(dict.fromkeys(args.frameworks))
    say = stderr_logger(not args.json)

    with temp_root("ffhooks-commit-", keep=args.keep) as root:
        try:
            bench = set_up(
                root,
                requested=requested,
                teammates=args.teammates,
                per_day=args.per_day,
                log=not args.json,
                generated=args.generated,
                years=args.years,
            )
            order = variants(bench.frameworks)
            samples: dict[str, list[float]] = {v.label: [] for v in order}
            samples[PYTHON] = []
            total = args.warmup + args.rounds
            for round_no in range(total):
                shift = round_no % len(order)
                for variant in order[shift:] + order[:shift]:
                    ms = one_commit(bench, variant, round_no)
                    if round_no >= args.warmup:
                        samples[variant.label].append(ms)
                ms = python_startup(bench)
                if round_no >= args.warmup:
                    samples[PYTHON].append(ms)
                say(
                    f"round {round_no + 1}/{total}"
                    + (" (warm-up)" if round_no < args.warmup else "")
                )
            failures = queued_failures(bench)
            if failures:
                raise BenchError(f"the hook queued failures: {', '.join(failures)}")
            servers = stop_servers(root)
            if servers != 1 + len(bench.frameworks):  # local installs share one
                raise BenchError(f"{servers} hook servers ran; expected one per installation")
            result = summarize(bench, samples)
            skipped = [fw for fw in requested if fw not in bench.frameworks]
            result.update(
                rounds=args.rounds,
                warmup=args.warmup,
                sessions=bench.sessions,
                servers=servers,
                teammates=args.teammates,
                summaries=bench.summaries,
                python=sys.version.split()[0],
                frameworks=bench.frameworks,
                framework_versions=bench.versions,
                skipped=[f"{fw} is not installed (not on PATH): skipped" for fw in skipped],
                hook_repos={
                    "project": str(PROJECT),
                    "ffhooks_rev": bench.hook_repos.ffhooks_rev,
                    "noop_rev": bench.hook_repos.noop_rev,
                },
                targets={
                    kind: {"target_ms": target, "goal_ms": goal}
                    for kind, (target, goal) in TARGETS.items()
                },
            )
            if args.json:
                print(json.dumps(result, indent=2))
            else:
                print(render(result))
        except BenchError as exc:
            print(f"commit_overhead: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
