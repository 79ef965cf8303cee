"""What copying every change of a store outside the work tree costs `ffhooks stop` (issue 24).

Since issue 24, each change to a store (a `stop` among them) is snapshotted before it is
written. This times `ffhooks stop` with that code and with the code from just before it, in
the same run, alternately, as fresh processes of this interpreter (`python -m ffhooks`, the
package found through PYTHONPATH: the work tree of this project, and the older code taken
from git with `git archive` into the temporary directory):

    python3 bench/store_copy.py --rounds 31
    python3 bench/store_copy.py --base <commit> --json

`--base` defaults to the parent of the first commit towards copying each change. Two stores
for each version, in repositories of their own: `fresh` (the store `ffhooks start` makes)
and `year` (300 days of imported history, 600 sessions in 300 daily files: a change scans
the store's folder, so its size matters). Each round runs, for each store and version in
an order rotated every round, `ffhooks start` (untimed) then `ffhooks stop` (timed), one
minute later. Printed: the median, p90 and min of each, and for each store the ratio of the
medians, new over old, and the median over rounds of each round's ratio and difference
(paired in a round, a slow stretch of a shared machine hits both). `ffhooks start` is a
change too and costs the same; it is not timed here. The team's retention is the default
(50 + 30 snapshots): a change prunes only once 50 more than that have gathered, which is
after 65 rounds (a start and a stop each), and then once in 25.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _common import (
    BenchError,
    child_environ,
    iso,
    run,
    sample_rounds,
    stats,
    stderr_logger,
    table_header,
    table_row,
    temp_root,
    timed,
)

PROJECT = Path(__file__).resolve().parent.parent
BASE_INSTANT = datetime(2027, 1, 4, 9, 0, 0, tzinfo=timezone.utc)  # after the history
HISTORY_FROM = datetime(2026, 1, 1, 9, 0, 0, tzinfo=timezone.utc)
HISTORY_DAYS = 300
ROUND_SECONDS = 120
STORES = ("fresh", "year")
WHERE = "import os, ffhooks; print(os.path.dirname(ffhooks.__file__))"
VERSIONS = ("old", "new")


def default_base() -> str:
    """The parent of the first commit towards copying every change of a store (the one
    that gave snapshots the reason "change")."""
    out = run(
        ["git", "log", "--format=%H", "--reverse", "-S", 'REASONS = ("change"', "--", "ffhooks"],
        cwd=PROJECT,
        env=child_environ({}),
        what="git log",
    ).stdout.split()
    if not out:
        raise BenchError("no commit of this project snapshots each change: give --base")
    return f"{out[0]}^"


def extract(base: str, into: Path) -> Path:
    """The package and schemas of `base`, unpacked into `into`."""
    into.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", base, "ffhooks", "schemas"],
        cwd=PROJECT,
        capture_output=True,
    )
    if archive.returncode != 0:
        raise BenchError(f"git archive {base} failed: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def environ(home: Path, code: Path) -> dict[str, str]:
    return child_environ(
        {
            "HOME": str(home),
            "PYTHONPATH": str(code),
            "FFHOOKS_USER": "bench",
            "FFHOOKS_HOOK_SERVER": "off",
            "GIT_CONFIG_NOSYSTEM": "1",
            "TZ": "UTC",
        },
        drop=("FFHOOKS_NOW", "XDG_CONFIG_HOME"),
    )


def history(path: Path) -> Path:
    lines = []
    for day in range(HISTORY_DAYS):
        for k in range(2):
            start = HISTORY_FROM + timedelta(days=day, hours=3 * k)
            end = start + timedelta(minutes=40 + day % 7)
            lines.append(
                json.dumps({"task": str(200 + day % 5), "start": iso(start), "end": iso(end)})
            )
    path.write_text("\n".join(lines) + "\n")
    return path


def set_up(root: Path, base: str) -> dict[tuple[str, str], tuple[Path, dict[str, str]]]:
    """A repository per (store, version), each with `ffhooks init` run by its version."""
    home = root / "home"
    home.mkdir()
    codes = {"old": extract(base, root / "old-code"), "new": PROJECT}
    imported = history(root / "history.jsonl")
    made = {}
    for store in STORES:
        for version in VERSIONS:
            repo = root / f"{store}-{version}"
            repo.mkdir()
            env = environ(home, codes[version])
            where = run([sys.executable, "-c", WHERE], cwd=repo, env=env).stdout.strip()
            if Path(where) != codes[version] / "ffhooks":
                raise BenchError(f"the {version} code imports ffhooks from {where}")
            run(["git", "init", "-q"], cwd=repo, env=env)
            ff = [sys.executable, "-m", "ffhooks"]
            run([*ff, "init"], cwd=repo, env=env, what=f"ffhooks init ({version})")
            if store == "year":
                now = {**env, "FFHOOKS_NOW": iso(BASE_INSTANT)}
                run([*ff, "import", imported], cwd=repo, env=now, what="ffhooks import")
            made[(store, version)] = (repo, env)
    return made


def one_round(
    made: Mapping[tuple[str, str], tuple[Path, dict[str, str]]], round_no: int
) -> dict[str, float]:
    keys = list(made)
    shift = round_no % len(keys)
    out = {}
    at = BASE_INSTANT + timedelta(seconds=round_no * ROUND_SECONDS)
    for store, version in keys[shift:] + keys[:shift]:
        repo, env = made[(store, version)]
        ff = [sys.executable, "-m", "ffhooks"]
        run([*ff, "start", "205"], cwd=repo, env={**env, "FFHOOKS_NOW": iso(at)}, what="start")
        stop_env = {**env, "FFHOOKS_NOW": iso(at + timedelta(seconds=60))}
        out[f"{store} {version}"] = timed([*ff, "stop"], cwd=repo, env=stop_env, what="stop")
    return out


def summarize(samples: Mapping[str, Sequence[float]]) -> dict[str, object]:
    table = {name: stats(values) for name, values in samples.items()}
    ratios, paired, added = {}, {}, {}
    for store in STORES:
        new, old = samples[f"{store} new"], samples[f"{store} old"]
        ratios[store] = round(statistics.median(new) / statistics.median(old), 3)
        paired[store] = round(statistics.median(n / o for n, o in zip(new, old, strict=True)), 3)
        added[store] = round(statistics.median(n - o for n, o in zip(new, old, strict=True)), 2)
    return {
        "commands": table,
        "ratio_new_over_old": ratios,
        "paired_ratio": paired,
        "paired_added_ms": added,
    }


def render(result: Mapping[str, object]) -> str:
    commands, ratios = result["commands"], result["ratio_new_over_old"]
    paired, added = result["paired_ratio"], result["paired_added_ms"]
    assert isinstance(commands, dict) and isinstance(ratios, dict)
    assert isinstance(paired, dict) and isinstance(added, dict)
    lines = [
        f"{result['rounds']} rounds, `ffhooks stop` wall time per process; old: {result['base']}",
        table_header("store, code", 14),
    ]
    lines += [table_row(name, commands[name], 14) for name in sorted(commands)]
    lines.append("")
    lines += [
        f"{store:<6} new/old: ratio of medians {ratios[store]:.2f}, median of each round's "
        f"ratio {paired[store]:.2f} ({added[store]:+.1f} ms)"
        for store in STORES
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=31, help="timed rounds (default 31)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--base", help="the older code's commit (default: just before the copies)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0:
        parser.error("--rounds must be at least 1 and --warmup at least 0")
    say = stderr_logger(not args.json)
    with temp_root("ffhooks-store-copy-", keep=args.keep) as root:
        try:
            base = args.base or default_base()
            say(f"setting up (old code: {base})")
            made = set_up(root, base)
            samples = sample_rounds(
                lambda n: one_round(made, n), rounds=args.rounds, warmup=args.warmup, say=say
            )
            result = summarize(samples)
            result.update(rounds=args.rounds, base=base, python=sys.version.split()[0])
        except BenchError as exc:
            print(f"store_copy: {exc}", file=sys.stderr)
            return 1
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
