"""Everything ffhooks holds about one person, as they may ask for it (GDPR articles 15 and
20): their private store in this clone (and copies of it set aside here: quarantined,
forked, retired), its recovery snapshots, their entries in the failure queue, every
committed summary under their name in the repository's history, and their rows of each
closed period; each in JSON and CSV, with a note of what it is for and how long it is kept.
Nothing of anyone else: every part is chosen by the person's name or their store's files."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from ffhooks.clock import to_iso
from ffhooks.config import TeamConfig
from ffhooks.errors import BrokenFile, FatalError
from ffhooks.fsio import atomic_write, parse_json
from ffhooks.git.plumbing import Repo, run_git
from ffhooks.layout import PRIVATE, SUMMARIES
from ffhooks.records import Any, NamedTuple
from ffhooks.store import snapshot_area
from ffhooks.store.sessions import Session

# The clone's machine state where a person's store files are set aside: moved there whole by
# `ffhooks store fork` (forked/<store>-<when>/) and by a restore (retired/<store>/), or one
# broken file at a time (quarantine/<when>/<path from the top>).
SET_ASIDE = ("forked", "retired")


class Held(NamedTuple):
    """One part of what is held: its files' stem, what it is for, and how long it is kept."""

    name: str
    what: str
    kept: str


def parts(config: TeamConfig) -> list[Held]:
    """What the note says of each part: ffhooks' own retention, in this team's settings."""
    return [
        Held(
            name="private-store",
            what="your time store in this clone (`.flowforge/user/<you>/`, never committed): "
            "sessions with their real start and end and notes, the running timer, the store's "
            "id, time zones and bookkeeping; the source of your committed summaries",
            kept="until you delete it (`ffhooks erase`, or removing the folder); ffhooks "
            "deletes none of it by itself. Copies set aside after an accident (a broken file "
            "quarantined, a copied clone forked, a store restored) are kept until removed",
        ),
        Held(
            name="snapshots",
            what="recovery copies of your store, taken at each change and commit, outside the "
            "work tree (so that no second is lost to `git clean`, `rm -rf` or a crash); the "
            "list, and each distinct file content they hold (snapshots/<sha256>)",
            kept=f"pruned by the team's rule: the newest {config.keep_last}, one a day for "
            f"{config.keep_daily_days} days, and the newest of each store (`ffhooks snapshot`)",
        ),
        Held(
            name="queue",
            what="operations of yours that failed (a fold, a snapshot) and wait to be retried, "
            "with the reason",
            kept="until retried successfully (`ffhooks recover retry`)",
        ),
        Held(
            name="summaries",
            what="every version of your committed summaries in the repository's history (per "
            "day and task: billable and non-billable seconds and sessions; no times of day, "
            "no notes): the billing record the team's reports and invoices are made from",
            kept="as long as the repository's history: billing records are kept as commercial "
            "and tax law require (commonly 6 to 10 years). `ffhooks erase` replaces your name "
            "with a pseudonym; removing it from history too takes a history rewrite",
        ),
        Held(
            name="closed-periods",
            what="your rows in the reports of invoiced periods, as recorded in their tags "
            "(ffhooks/closed/<period>)",
            kept="as long as the tags: they are the record of what was invoiced",
        ),
    ]


def store_files(top: Path, state_dir: Path, user: str) -> Iterator[tuple[str, bytes]]:
    """(name in the export, bytes) of every file of the person's private store, and of the
    copies of it set aside in this clone's machine state."""
    yield from _files(top / PRIVATE / user, "private-store")
    for label, folder in set_aside(state_dir, user):
        yield from _files(folder, f"private-store/{label}")


def set_aside(state_dir: Path, user: str) -> Iterator[tuple[str, Path]]:
    """(label, folder) of each copy of the person's store files set aside in this clone's
    machine state: quarantined/<when> (the files moved then), forked/<store>-<when> or
    retired/<store> (a whole store)."""
    quarantine = state_dir / "quarantine"
    for stamp in sorted(quarantine.iterdir()) if quarantine.is_dir() else ():
        if (stamp / PRIVATE / user).is_dir():
            yield f"quarantined/{stamp.name}", stamp / PRIVATE / user
    for kind in SET_ASIDE:
        folder = state_dir / kind
        for kept in sorted(folder.iterdir()) if folder.is_dir() else ():
            if _owner(kept / "store.json") == user:
                yield f"{kind}/{kept.name}", kept


def _files(root: Path, prefix: str) -> Iterator[tuple[str, bytes]]:
    """The files under `root` but its lock, by their path under `prefix`."""
    for folder, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            if name != ".lock":
                path = Path(folder) / name
                yield f"{prefix}/{path.relative_to(root).as_posix()}", path.read_bytes()


def _owner(header: Path) -> str | None:
    """Whose store a store.json set aside names (None: none, or unreadable)."""
    try:
        owner = parse_json(header.read_bytes(), str(header), "").get("user")
    except (OSError, BrokenFile, AttributeError):
        return None
    return owner if isinstance(owner, str) else None


def sessions(files: Iterable[tuple[str, bytes]]) -> list[Session]:
    """The sessions of the daily files of the private store (not the copies set aside)."""
    found = []
    for name, data in files:
        if name.startswith("private-store/time/daily/") and name.endswith(".json"):
            fix = "`ffhooks recover` sets it right; then export again"
            for raw in parse_json(data, name, fix)["sessions"]:
                found.append(Session.from_json(raw))
    return sorted(found, key=lambda s: s.start)


def snapshots(state_dir: Path, user: str) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """The person's snapshots (when, why, of which store, the files each holds and, for a
    change, what they held before it) and the distinct contents of those, by SHA-256."""
    listed, contents = [], {}
    for snapshot_id in snapshot_area.all_ids(state_dir):
        manifest = snapshot_area.load_naming(state_dir, snapshot_id, user)
        if manifest is None or manifest.user != user:
            continue
        listed.append(
            {
                "id": manifest.id,
                "created": to_iso(manifest.created),
                "reason": manifest.reason,
                "command": list(manifest.change.command)
                if manifest.change and manifest.change.command
                else None,
                "store": manifest.store,
                "worktree": manifest.worktree,
                "files": [
                    {"path": e.path, "size": e.size, "sha256": e.sha256} for e in manifest.files
                ],
            }
        )
        before = manifest.change.before if manifest.change else {}
        listed[-1]["before_change"] = before
        for digest in [e.sha256 for e in manifest.files] + [d for d in before.values() if d]:
            path = snapshot_area.object_path(state_dir, digest)
            if digest not in contents and path.is_file():  # a missing one: `ffhooks snapshot`
                contents[digest] = path.read_bytes()
    return listed, contents


def summary_history(top: Path, user: str) -> list[dict[str, Any]]:
    """Every version of every summary under the person's folder that any commit of any ref
    added or changed (`git log --all`): the commit, its date, the path and what it held."""
    from ffhooks.git.objects import read_objects

    log = ["log", "--all", "--no-renames", "--raw", "--no-abbrev", "--format=commit %H %cI"]
    out = run_git([*log, "--", f"{SUMMARIES}/{user}/"], top)
    versions = []
    commit = when = ""
    for line in out.splitlines():
        if line.startswith("commit "):
            _, commit, when = line.split(" ", 2)
        elif line.startswith(":"):
            meta, _, path = line.partition("\t")
            blob, status = meta.split()[3], meta.split()[4]
            if status != "D":
                versions.append({"commit": commit, "date": when, "path": path, "blob": blob})
    blobs = sorted({v["blob"] for v in versions})
    by_blob = dict(zip(blobs, read_objects(top, blobs), strict=True))
    for v in versions:
        text = by_blob[v["blob"]].decode("utf-8", errors="replace")
        try:
            v["content"] = json.loads(text)
        except ValueError:
            v["content"] = text
    return versions


def closed_rows(repo: Repo, user: str) -> list[dict[str, Any]]:
    """The person's rows in the report of every closed period, each revision's (a tag that
    holds no report ffhooks made is left out: `ffhooks verify` names it)."""
    from ffhooks.git.objects import read_objects
    from ffhooks.report.closing import closed_labels, recorded

    labels = closed_labels(repo)
    names = [f"refs/tags/ffhooks/closed/{label}" for label in labels]
    found = []
    for label, raw in zip(labels, read_objects(repo.top, names) if names else [], strict=True):
        tag = f"ffhooks/closed/{label}"
        text = raw.decode(errors="replace")
        try:
            report = recorded(tag, text)
        except FatalError:
            continue
        commit = text.split("\n", 1)[0].removeprefix("object ")
        found += [
            {"period": label, "tag": tag, "commit": commit, **row}
            for row in report["rows"]
            if row.get("user") == user
        ]
    return found


def write(folder: Path, repo: Repo, user: str, now: datetime, config: TeamConfig) -> dict[str, int]:
    """Write the export into `folder` (new, or empty); how many items each part holds."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FatalError(f"{folder} exists and is not an empty folder: give -o a new folder")
    files = list(store_files(repo.top, repo.state_dir, user))
    mine = sessions(files)
    listed, contents = snapshots(repo.state_dir, user)
    queued = [entry for _, entry in _queue(repo.state_dir) if entry.get("user") == user]
    history = summary_history(repo.top, user)
    closed = closed_rows(repo, user)
    out: dict[str, bytes] = dict(files)
    out.update(_tables(mine, listed, queued, history, closed))
    out.update({f"snapshots/{digest}": data for digest, data in contents.items()})
    counts = {
        "private-store": len(files),
        "sessions": len(mine),
        "snapshots": len(listed),
        "queue": len(queued),
        "summaries": len(history),
        "closed-periods": len(closed),
    }
    out["README.txt"] = note(user, now, config, counts).encode()
    for name, data in sorted(out.items()):
        atomic_write(folder / name, data)
    return counts


def _tables(
    mine: list[Session],
    listed: list[dict[str, Any]],
    queued: list[dict[str, Any]],
    history: list[dict[str, Any]],
    closed: list[dict[str, Any]],
) -> dict[str, bytes]:
    """Each part as JSON and CSV, by file name."""
    out: dict[str, bytes] = {}
    out["private-store/sessions.json"] = _json(
        [{**s.to_json(), "seconds": s.seconds} for s in mine]
    )
    out["private-store/sessions.csv"] = _csv(
        ["id", "task", "start", "end", "seconds", "billable", "note", "reason"],
        (
            [
                s.id,
                s.task,
                to_iso(s.start),
                to_iso(s.end),
                s.seconds,
                s.billable,
                s.note or "",
                s.reason or "",
            ]
            for s in mine
        ),
    )
    out["snapshots.json"] = _json(listed)
    out["snapshots.csv"] = _csv(
        ["id", "created", "reason", "store", "path", "size", "sha256"],
        (
            [s["id"], s["created"], s["reason"], s["store"], f["path"], f["size"], f["sha256"]]
            for s in listed
            for f in s["files"]
        ),
    )
    out["queue.json"] = _json(queued)
    out["queue.csv"] = _csv(
        ["operation", "reason", "created", "last", "attempts"],
        (
            [e.get(k, "") for k in ("operation", "reason", "created", "last", "attempts")]
            for e in queued
        ),
    )
    out["summaries.json"] = _json(history)
    out["summaries.csv"] = _csv(
        [
            "commit",
            "date",
            "path",
            "period",
            "task",
            "billable_seconds",
            "non_billable_seconds",
            "sessions",
        ],
        _summary_rows(history),
    )
    out["closed-periods.json"] = _json(closed)
    keys = [
        "period",
        "tag",
        "commit",
        "user",
        "task",
        "day",
        "month",
        "billable_seconds",
        "non_billable_seconds",
        "sessions",
    ]
    out["closed-periods.csv"] = _csv(keys, ([r.get(k, "") for k in keys] for r in closed))
    return out


def _queue(state_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    from ffhooks.queue import entries

    return entries(state_dir)


def _summary_rows(history: list[dict[str, Any]]) -> Iterator[list[Any]]:
    """The figures of every version of the person's summaries, a row per period and task
    (the JSON export keeps each file's content as it is, in its own format)."""
    from ffhooks.summary import expanded

    for v in history:
        content = expanded(v["content"])
        totals = content.get("totals", {}) if isinstance(content, dict) else {}
        for period, tasks in totals.items():
            for task, cell in tasks.items():
                yield [
                    v["commit"],
                    v["date"],
                    v["path"],
                    period,
                    task,
                    cell.get("billable_seconds"),
                    cell.get("non_billable_seconds"),
                    cell.get("sessions"),
                ]


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    from ffhooks.report.render import spreadsheet_safe

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([v if isinstance(v, int) else spreadsheet_safe(v) for v in row])
    return buffer.getvalue().encode()


def note(user: str, now: datetime, config: TeamConfig, counts: dict[str, int]) -> str:
    """The README of the export: what each part is, what for, and how long it is kept."""
    lines = [
        f"Everything ffhooks holds about {user} in this clone and repository, {to_iso(now)}.",
        "Each part is in JSON and in CSV (the private store's own files as they are).",
        "",
    ]
    for part in parts(config):
        count = counts.get(part.name, 0)
        lines += [
            f"{part.name} ({count} item(s))",
            f"  What: {part.what}.",
            f"  Kept: {part.kept}.",
            "",
        ]
    lines += [
        "Not in this export: git's own record of commits (author names and e-mail addresses,",
        "`git log --author`), which is git's, not ffhooks'; what other clones hold (each person's",
        "store and snapshots are in their own clone: run `ffhooks export --me` there); and",
        "anyone else's data.",
    ]
    return "\n".join(lines) + "\n"
