"""What a report or a check needs of one committed summary, found once per blob id.

Checking a summary (its schema, checksum and figures) and adding up its days costs a
thousand times more than reading its blob. A `Digest` is what is left of a valid summary
once checked: its header and, per task, the month's sessions and the day figures as
(seconds, how many days) pairs, exactly what rounding and prices per day need. A blob's
digest depends on its bytes only, so it is kept in the clone's machine state (`DigestCache`,
a file per month), keyed by the blob id git gives those bytes (git's SHA-1 detects the
known collision attacks), and a second report over the same history reads no summary again.

The cache only saves work, it never decides a total by itself: each file is sealed with an
HMAC under a key of this clone's (`digests.key`); a file that fails its seal is ignored
whole, and a malformed entry is left out (the summaries are read and checked again). An
entry binds its blob id, so one blob's digest cannot stand for another's; and a digest's
user, month, store and seq are compared with the path it is read under (a summary's name is
part of it).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from sys import intern

from ffhooks import summary
from ffhooks.errors import BrokenFile
from ffhooks.fsio import parse_json
from ffhooks.records import Any, NamedTuple

FORMAT = b"ffhooks-digests 1"
FIX = "run `ffhooks validate` on it and restore it from git history"
# day figures of one task in one month: (seconds, how many days had exactly that many)
Figures = tuple[tuple[int, int], ...]


class TaskMonth(NamedTuple):
    """One task's month in one summary: its sessions, and its day figures (or the month's
    one figure, in a month-level summary) written as `packed` writes them: a history of
    thousands of digests is held as a few strings each, not as thousands of numbers."""

    sessions: int
    billable: str
    non_billable: str


def packed(figures: dict[int, int]) -> str:
    """Figures (seconds: how many days) as text: `3600*2 5400`, the count left out at 1."""
    return " ".join(f"{s}*{n}" if n != 1 else str(s) for s, n in sorted(figures.items()))


def unpacked(text: str) -> Figures:
    """The (seconds, count) pairs `packed` wrote."""
    return tuple((int(s), int(n or 1)) for s, _, n in (f.partition("*") for f in text.split()))


class Digest(NamedTuple):
    user: str
    month: str
    store: str
    seq: int
    timezone: str
    project: str | None
    writer: str | None
    capped: bool
    signed: bool
    # its periods are whole months (summary_detail.period month, today or when it was written)
    month_level: bool
    tasks: dict[str, TaskMonth]

    def fits(self, where: summary.SummaryPath) -> bool:
        """Whether the summary was read under its own name."""
        return (self.user, self.month, self.store, self.seq) == (
            where.user,
            where.month,
            where.store,
            where.seq,
        )


def checked(path: str, data: bytes) -> dict[str, Any]:
    """The summary at `path` parsed (its cells as objects: `summary.loads`), after checking
    it is what ffhooks wrote (else BrokenFile naming the first problem)."""
    from ffhooks.validator.schema import first_error

    raw = parse_json(data, path, FIX)
    newer = summary.too_new(raw)
    if newer is not None:
        raise BrokenFile(path, ": ".join(newer), "")
    # the full schema walk is slow for thousands of files (`bench/scale.py`): check the bulk
    # fast, the rest in full; both as the file holds it (a version's cells in its one form)
    shell = {**raw, "totals": {}} if summary.plainly_valid(raw) else raw
    if "tags" in raw and shell is not raw:
        shell["tags"] = {}
    problem = first_error("summary", shell)
    doc = summary.expanded(raw)
    problem = problem or next(iter(summary.problems(doc, summary.parse_path(path))), None)
    if problem:
        raise BrokenFile(path, problem, FIX)
    return doc


def of(doc: dict[str, Any]) -> Digest:
    """The digest of a summary that passed `checked`."""
    tasks: dict[str, list[Any]] = {}
    for cells in doc["totals"].values():
        for task, t in cells.items():
            slot = tasks.setdefault(task, [0, {}, {}])
            slot[0] += t["sessions"]
            for at, key in ((1, "billable_seconds"), (2, "non_billable_seconds")):
                value = t[key]
                slot[at][value] = slot[at].get(value, 0) + 1
    return Digest(
        user=doc["user"],
        month=doc["month"],
        store=doc["store"],
        seq=doc["seq"],
        timezone=doc["timezone"],
        project=doc.get("project"),
        writer=doc.get("writer"),
        capped=bool(doc.get("capped")),
        signed="signature" in doc,
        month_level=doc["detail"].get("period") == "month"
        or any(len(p) == 7 for p in doc["totals"]),
        tasks={t: TaskMonth(s, packed(b), packed(nb)) for t, (s, b, nb) in sorted(tasks.items())},
    )


def _entry(d: Digest) -> list[Any]:
    tasks = {t: [m.sessions, m.billable, m.non_billable] for t, m in d.tasks.items()}
    return [*d[:10], tasks]


def _digest(entry: Any) -> Digest:
    """An entry of the cache file (ValueError, TypeError, KeyError if it is malformed). The
    names a history repeats thousands of times are held once (`sys.intern`)."""
    user, month, store, seq, zone, project, writer, *flags, tasks = entry
    if not all(type(v) is str for v in (user, month, store, zone)) or type(seq) is not int:
        raise TypeError("not a digest")
    named = [intern(v) if type(v) is str else v for v in (project, writer)]
    months = {intern(t): TaskMonth(*m) for t, m in tasks.items()}
    d = Digest._make(
        [intern(user), intern(month), store, seq, intern(zone), *named, *flags, months]
    )
    for m in d.tasks.values():
        if type(m.sessions) is not int or not all(map(_FIGURES, m[1:])):
            raise TypeError("not a digest")
    return d


_FIGURES = re.compile(r"(?:[0-9]{1,8}(?:\*[0-9]{1,3})?(?: (?=[0-9])|$))*").fullmatch


class _Month:
    """One month's file of the cache: its entries as the file holds them until used, and
    the digests used or added this run."""

    def __init__(self, entries: dict[str, Any], *, rewrite: bool) -> None:
        self.entries = entries
        self.used: dict[str, Digest] = {}
        self.rewrite = rewrite  # added to, or the file did not hold: written again


class DigestCache:
    """The digests of this clone's blobs, a file per month of the summaries (`digests/
    <YYYY-MM>` in its machine state), each read when a summary of its month is first asked
    for: a report of one month reads one. `get` takes a digest only from a file whose seal
    holds, and an entry only when it is well formed; `save` writes the months added to,
    each with the digests used and added this run and up to `KEEP` others."""

    KEEP = 100_000  # a month's digests: every summary of a month of a team of thousands

    def __init__(self, state_dir: Path | None) -> None:
        self.folder = None if state_dir is None else state_dir / "digests"
        self.months: dict[str, _Month] = {}
        self._key: bytes | None = None

    def _seal(self, body: bytes) -> str:
        import hmac

        return hmac.new(self._secret(), body, "sha256").hexdigest()

    def _secret(self) -> bytes:
        if self._key is not None:
            return self._key
        assert self.folder is not None
        key_file = self.folder.with_name("digests.key")
        try:
            key = key_file.read_bytes()
        except FileNotFoundError:
            key = b""
        if len(key) != 32:
            key = os.urandom(32)
            key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(key)
        self._key = key
        return key

    def _month(self, month: str) -> _Month:
        held = self.months.get(month)
        if held is None:
            held = self.months[month] = self._load(month)
        return held

    def _load(self, month: str) -> _Month:
        if self.folder is None or not _MONTH(month):
            return _Month({}, rewrite=False)
        try:
            data = (self.folder / month).read_bytes()
        except OSError:
            return _Month({}, rewrite=False)
        head, _, body = data.partition(b"\n")
        try:
            import hmac

            fmt, _, seal = head.rpartition(b" ")
            if fmt != FORMAT or not hmac.compare_digest(seal.decode(), self._seal(body)):
                raise ValueError("seal")
            entries = json.loads(body)
            if type(entries) is not dict:
                raise ValueError("entries")
        except (ValueError, UnicodeDecodeError, OSError):  # written again, sealed
            return _Month({}, rewrite=True)
        return _Month(entries, rewrite=False)

    def get(self, blob: str, month: str) -> Digest | None:
        """The digest of `blob`, a summary of `month`, if the cache holds one that is well
        formed (one that is not is left out when the file is written again)."""
        held = self._month(month)
        d = held.used.get(blob)
        if d is not None:
            return d
        entry = held.entries.pop(blob, None)  # held once: as a Digest from now on
        if entry is None:
            return None
        try:
            d = _digest(entry)
        except (ValueError, TypeError, KeyError, AttributeError):
            held.rewrite = True
            return None
        held.used[blob] = d
        return d

    def put(self, blob: str, month: str, d: Digest) -> None:
        held = self._month(month)
        held.used[blob] = d
        held.rewrite = True

    def save(self) -> None:
        """Write the months this run added to; a cache that cannot be written only costs
        time next run."""
        if self.folder is None:
            return
        from ffhooks.fsio import atomic_write

        for month, held in self.months.items():
            if not held.rewrite or not _MONTH(month):
                continue
            kept = {blob: _entry(d) for blob, d in held.used.items()}
            for blob, entry in held.entries.items():
                if len(kept) >= self.KEEP:
                    break
                kept.setdefault(blob, entry)
            body = json.dumps(kept, separators=(",", ":"), ensure_ascii=False).encode()
            try:
                seal = self._seal(body)
                data = FORMAT + b" " + seal.encode() + b"\n" + body
                atomic_write(self.folder / month, data, fsync=False)
            except OSError:
                return


_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}").fullmatch


def read(cache: DigestCache, path: str, blob: str, data: bytes | None) -> Digest | None:
    """The digest of the summary `path` whose blob is `blob`: from the cache, else from
    `data` (checked; BrokenFile if it is not valid); None when the cache does not have it
    and `data` was not given."""
    where = summary.parse_path(path)
    d = None if where is None else cache.get(blob, where.month)
    if d is not None and where is not None and d.fits(where):
        return d
    if data is None:
        return None
    return remember(cache, blob, checked(path, data))


def remember(cache: DigestCache, blob: str, doc: dict[str, Any]) -> Digest:
    """The digest of a summary found valid (`checked`), kept under its blob id."""
    d = of(doc)
    cache.put(blob, d.month, d)
    return d
