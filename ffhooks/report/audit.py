"""The audit trail: every change to the billed record on a ref, from git history alone.

The record at a commit is what `report --ref` counts there: per (user, store, month) the live
summary (highest seq, tombstones aside). Walking the ref's first-parent history oldest first,
with the summaries' path -> blob map kept up to date from one `git log --raw`, a change is a
commit at which a live file changed: its figures are the new file's totals minus the old
one's, per period (day, or month) and task. Differences over one line of commits telescope,
so the changes of a range add up, to the second, to the report at its end minus the report at
its start, through merges, reverts, squashes and compaction (a pure delete of superseded files
changes no live file) alike.

Only blobs of changes the audit shows are read (one `git cat-file --batch`), so a year of a
team's history, tens of thousands of summaries, takes seconds (`bench/audit.py`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ffhooks import summary
from ffhooks.errors import FatalError, Unverifiable
from ffhooks.git.plumbing import Repo, run_git
from ffhooks.layout import TOMBSTONE_BLOB
from ffhooks.records import Any, NamedTuple

MEASURES = ("billable_seconds", "non_billable_seconds", "sessions")
_FIELDS = "%H%x1f%P%x1f%ct%x1f%cI%x1f%an <%ae>%x1f%aI"
_RAW = ("--raw", "--no-renames", "--no-abbrev", "-z", f"--format=%x01{_FIELDS}")
_NO_BLOB = "0" * 40
# the branch's first-parent history, oldest first, a merge diffed against its first parent
_LINE = ("log", "--first-parent", "--diff-merges=first-parent", "--root", *_RAW, "--reverse")
_ADDS = ("log", "--diff-filter=A", *_RAW)  # every commit's added files (merges: none)


class Commit(NamedTuple):
    sha: str
    merge: bool  # more than one parent
    committed: int  # committer date, Unix seconds: when it entered the branch
    date: str  # the same, ISO-8601 as git gives it
    author: str  # "Name <email>"
    authored: str  # author date, ISO-8601


class TaskChange(NamedTuple):
    """How one task's figures in one period (a day, or a whole month) changed."""

    period: str
    task: str
    billable_seconds: int
    non_billable_seconds: int
    sessions: int


class Change(NamedTuple):
    """A new live summary of one store and month (or none: its file left the record)."""

    via: Commit  # the first-parent commit of the ref through which it entered
    origin: Commit  # the commit that wrote the new file (`via`, unless a merge brought it)
    user: str
    store: str
    month: str
    before: str | None  # the live file before, and after (paths)
    after: str | None
    signer: str  # who signed the new state: a principal, a key fingerprint, or "unsigned"
    key: str | None  # the signing key's fingerprint
    verified: bool | None  # its signature checks against the ref's allowed signers
    closed: tuple[str, ...]  # tags of closed periods it changed after they were closed
    problem: str | None  # what is wrong with the new file (a report at it would refuse it)
    rows: tuple[TaskChange, ...]

    def totals(self) -> dict[str, int]:
        return {m: sum(getattr(r, m) for r in self.rows) for m in MEASURES}


class Trail(NamedTuple):
    ref: str
    commit: str  # what `ref` names
    start: str | None  # the commit whose record the range starts from (None: an empty one)
    end: str | None  # the last commit of the range (None: no commit up to --to)
    changes: list[Change]

    def totals(self) -> dict[str, int]:
        sums = [c.totals() for c in self.changes]
        return {m: sum(s[m] for s in sums) for m in MEASURES}


class _Step(NamedTuple):
    """A live file changed at `via`: (path, blob) before and after, None for none."""

    via: Commit
    key: tuple[str, str, str]
    before: tuple[str, str] | None
    after: tuple[str, str] | None
    added: bool  # `via` added the new file itself (a merge: it was written elsewhere)


def trail(
    repo: Repo,
    ref: str,
    *,
    since: datetime | None,
    until: datetime | None,
    users: list[str],
    cache: Path | None,
) -> Trail:
    """The changes to the record on `ref` that entered it from `since` (an instant) until
    before `until`, by the date their first-parent commit was made (committer date);
    `users` keeps only theirs (none: everyone's). `cache` remembers signatures that passed."""
    from ffhooks.git.objects import resolve_commit, tree_blobs
    from ffhooks.trust.verify import shallow

    commit = resolve_commit(repo.top, ref)
    if shallow(repo.top):
        raise Unverifiable(
            "this clone is shallow: the history the audit trail is read from is cut off; "
            "fetch all of it (`git fetch --unshallow --tags origin`; in GitHub Actions, "
            "`fetch-depth: 0` on actions/checkout)"
        )
    start, end = _ends(repo.top, commit, since, until)
    if end is None or end == start:
        return Trail(ref=ref, commit=commit, start=start, end=end, changes=[])
    span = [end, f"^{start}"] if start else [end]
    # who wrote what a merge brings is asked of every commit of the range, on the other
    # core while the first-parent history is read and walked
    with _Later(repo.top, [*_ADDS, *span, "--", summary.SUMMARIES]) as adds:
        line = _log(run_git([*_LINE, *span, "--", summary.SUMMARIES], repo.top))
        before = tree_blobs(repo.top, start, [summary.SUMMARIES]) if start else {}
        steps, known = _walk(before, line, set(users))
        unknown = [u for u in users if u not in known]
        if unknown:
            shown = ", ".join(sorted(known)[:20]) + (", ..." if len(known) > 20 else "")
            raise FatalError(f"no summaries for user {unknown[0]!r} (known: {shown or 'none'})")
        wanted = {s.after for s in steps if s.added and s.via.merge and s.after}
        origins = _origins(adds.output() if wanted else "", wanted, {c.sha for c, _ in line})
    return Trail(
        ref=ref,
        commit=commit,
        start=start,
        end=end,
        changes=_changes(repo, commit, steps, origins, cache),
    )


class _Later:
    """A git query run in the background, its output in a temporary file (a pipe nobody
    reads would stop it); ended when not asked for."""

    def __init__(self, top: Path, args: list[str]) -> None:
        self.top, self.args = top, args

    def __enter__(self) -> _Later:
        import subprocess
        import tempfile

        self.sink = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(
                ["git", *self.args], cwd=self.top, stdout=self.sink, stderr=subprocess.PIPE
            )
        except FileNotFoundError:
            self.sink.close()
            raise FatalError("git is not installed or not on PATH") from None
        return self

    def output(self) -> str:
        from ffhooks.git.plumbing import git_failed

        _, err = self.proc.communicate()
        if self.proc.returncode != 0:
            raise git_failed(self.args, self.proc.returncode, err)
        self.sink.seek(0)
        return self.sink.read().decode(errors="surrogateescape")

    def __exit__(self, *_: object) -> None:
        if self.proc.returncode is None:  # not asked for: ended, and waited for
            self.proc.kill()
            self.proc.communicate()
        self.sink.close()


def _ends(
    top: Path, commit: str, since: datetime | None, until: datetime | None
) -> tuple[str | None, str | None]:
    """The range's ends: the last first-parent commit made before `since` (None: the empty
    record before the first commit), and the last made before `until`. A clock set wrong can
    make dates go back along a branch: the range is still the commits between its ends, in
    the branch's order."""
    if since is None and until is None:
        return None, commit
    listed = run_git(["rev-list", "--first-parent", "--timestamp", "--reverse", commit], top)
    line = [(int(ts), sha) for ts, sha in (x.split() for x in listed.splitlines())]
    first = since.timestamp() if since else None
    last = until.timestamp() if until else None
    start = max(
        (i for i, (ts, _) in enumerate(line) if first is not None and ts < first), default=-1
    )
    end = max(
        start, max((i for i, (ts, _) in enumerate(line) if last is None or ts < last), default=-1)
    )
    return (line[start][1] if start >= 0 else None), (line[end][1] if end >= 0 else None)


def _log(out: str) -> list[tuple[Commit, list[list[str]]]]:
    """A `git log --raw` of the summaries: each commit and its entries
    `[status, path, new blob]`."""
    found = []
    for record in out.split("\x01")[1:]:
        head, _, raw = record.partition("\0")
        sha, parents, committed, date, author, authored = head.split("\x1f")
        fields = raw.lstrip("\n").split("\0")
        entries = [
            [meta.rpartition(" ")[2], path, meta.split(" ")[3]]
            for meta, path in zip(fields[0::2], fields[1::2], strict=False)
            if meta.startswith(":")
        ]
        merge = len(parents.split()) > 1
        found.append(
            (
                Commit(
                    sha=sha,
                    merge=merge,
                    committed=int(committed),
                    date=date,
                    author=author,
                    authored=authored,
                ),
                entries,
            )
        )
    return found


def _walk(
    before: dict[str, str], commits: list[tuple[Commit, list[list[str]]]], users: set[str]
) -> tuple[list[_Step], set[str]]:
    """The live files that changed at each of `commits` (oldest first) from the summaries
    `before` (path -> blob), of `users` (empty: everyone), and every user named.

    Per (user, store, month) the files are kept by seq: the live one is the highest seq that
    is not a tombstone (as `summary.live` says, which would split every path of the folder
    again at each commit)."""
    files: dict[tuple[str, str, str], dict[int, tuple[str, str]]] = {}
    live: dict[tuple[str, str, str], tuple[str, str] | None] = {}

    def put(status: str, path: str, blob: str) -> tuple[str, str, str] | None:
        where = summary.parse_path(path)
        if where is None:
            return None  # not a summary's name: no report counts it
        key = (where.user, where.store, where.month)
        folder = files.setdefault(key, {})
        if status == "D" or blob == _NO_BLOB:
            folder.pop(where.seq, None)
        else:
            folder[where.seq] = (path, blob)
        return key

    for path, blob in before.items():
        put("A", path, blob)
    for key in files:
        live[key] = _live(files[key])
    known = {key[0] for key in files}
    steps: list[_Step] = []
    for via, entries in commits:
        touched: set[tuple[str, str, str]] = set()
        added: set[str] = set()
        for status, path, blob in entries:
            changed = put(status, path, blob)
            if changed is not None:
                touched.add(changed)
                added.update([path] if status == "A" else [])
        known.update(user for user, _, _ in touched)
        for key in sorted(touched):
            after, before_ = _live(files[key]), live.get(key)
            if after == before_:
                continue
            live[key] = after
            if not users or key[0] in users:
                new_file = after is not None and after[0] in added
                steps.append(_Step(via=via, key=key, before=before_, after=after, added=new_file))
    return steps, known


def _live(folder: dict[int, tuple[str, str]]) -> tuple[str, str] | None:
    """The (path, blob) of the highest seq that is not a tombstone."""
    for seq in sorted(folder, reverse=True):
        if folder[seq][1] != TOMBSTONE_BLOB:
            return folder[seq]
    return None


def _changes(
    repo: Repo,
    commit: str,
    steps: list[_Step],
    origins: dict[tuple[str, str], Commit],
    cache: Path | None,
) -> list[Change]:
    from ffhooks.git.objects import read_objects

    blobs = sorted({s[1] for step in steps for s in (step.before, step.after) if s})
    read = dict(zip(blobs, read_objects(repo.top, blobs), strict=True))
    paths = {s[1]: s[0] for step in steps for s in (step.before, step.after) if s}
    states = {blob: _state(paths[blob], data) for blob, data in read.items()}
    news = {step.after[1] for step in steps if step.after}
    signers = _Signers(repo, commit, {b: s for b, s in states.items() if b in news}, cache)
    closed = _Closings(repo, commit, steps)
    out = []
    for step in steps:
        old = states[step.before[1]] if step.before else _State({}, None, None)
        new = states[step.after[1]] if step.after else None
        rows = _difference(old.totals, new.totals if new else {})
        origin = step.via
        if step.added and step.after is not None:
            origin = origins.get(step.after, step.via)
        signer, key, verified = signers.of(step.after[1]) if step.after else ("-", None, None)
        out.append(
            Change(
                via=step.via,
                origin=origin,
                user=step.key[0],
                store=step.key[1],
                month=step.key[2],
                before=step.before[0] if step.before else None,
                after=step.after[0] if step.after else None,
                signer=signer,
                key=key,
                verified=verified,
                closed=closed.touched(step.via.sha, rows),
                problem=new.problem if new else None,
                rows=rows,
            )
        )
    return out


class _State(NamedTuple):
    """A summary file as the audit counts it: its totals, its content, what is wrong."""

    totals: dict[str, Any]
    doc: dict[str, Any] | None
    problem: str | None


def _state(path: str, data: bytes) -> _State:
    """What a live file counts. One that a report would refuse is shown with its problem,
    and counts what it holds where that is readable (nothing otherwise): every version of a
    blob counts the same, so a range's changes still add up to the difference of its ends."""
    from ffhooks.fsio import parse_json

    if summary.is_tombstone_data(data):
        return _State({}, None, "a tombstone in another form than ffhooks wrote: counts nothing")
    try:
        raw = parse_json(data, path, "")
    except FatalError as exc:
        return _State({}, None, f"{exc}: counts nothing")
    if not summary.plainly_valid(raw):
        return _State({}, None, "not a summary as ffhooks writes it: counts nothing")
    doc = summary.expanded(raw)
    found = summary.problems(doc, summary.parse_path(path))
    return _State(doc["totals"], doc, found[0] if found else None)


def _difference(old: dict[str, Any], new: dict[str, Any]) -> tuple[TaskChange, ...]:
    rows = []
    for period in sorted(old.keys() | new.keys()):
        before, after = old.get(period, {}), new.get(period, {})
        if before == after:  # most of a month is as it was: compared at C speed
            continue
        for task in sorted(before.keys() | after.keys()):
            a, b = after.get(task, {}), before.get(task, {})
            delta = [a.get(m, 0) - b.get(m, 0) for m in MEASURES]
            if any(delta):
                billable, non_billable, sessions = delta
                rows.append(
                    TaskChange(
                        period=period,
                        task=task,
                        billable_seconds=billable,
                        non_billable_seconds=non_billable,
                        sessions=sessions,
                    )
                )
    return tuple(rows)


class _Signers:
    """Who signed each new state: the principal the ref's allowed signers give the key in
    its signature (`signed_by` when the file names one), the key's fingerprint when they do
    not know it; and whether the signature verifies for the summary's user."""

    def __init__(
        self, repo: Repo, commit: str, states: dict[str, _State], cache: Path | None
    ) -> None:
        from ffhooks.trust import sshsig
        from ffhooks.trust.policy import policy_at
        from ffhooks.trust.sshformat import allowed_signers

        self.allowed = policy_at(repo.top, commit)[1]
        self.lines = allowed_signers((self.allowed or b"").decode(errors="replace"))
        self.states = states
        checks = [
            sshsig.Check(
                path=blob,
                principal=s.doc["user"],
                message=summary.canonical(s.doc),
                signature=s.doc["signature"],
            )
            for blob, s in states.items()
            if s.doc is not None and isinstance(s.doc.get("signature"), str)
        ]
        self.failed = sshsig.verify(checks, self.allowed, cache) if self.allowed else {}

    def of(self, blob: str) -> tuple[str, str | None, bool | None]:
        from ffhooks.trust.sshformat import allows, fingerprint, signature_key

        doc = self.states[blob].doc
        signature = None if doc is None else doc.get("signature")
        if doc is None or not isinstance(signature, str):
            return "unsigned", None, None
        key = signature_key(signature)
        if key is None:
            return "not an SSH signature", None, False
        verified = None if self.allowed is None else blob not in self.failed
        if doc.get("signed_by"):
            return str(doc["signed_by"]), fingerprint(key), verified
        if allows(self.lines, doc["user"], key):
            return doc["user"], fingerprint(key), verified
        named = [line.principals for line in self.lines if line.key == key]
        return (named[0] if named else fingerprint(key)), fingerprint(key), verified


def _origins(
    out: str, wanted: set[tuple[str, str]], line: set[str]
) -> dict[tuple[str, str], Commit]:
    """Per file a merge brought into the ref (`wanted`: path and blob), the commit that added
    it on the merged side with that content: the newest one off the first-parent `line`, in
    a `git log --raw` of adds. A file the merge itself rewrote has none: the merge wrote it."""
    found: dict[tuple[str, str], Commit] = {}
    for adder, entries in reversed(_log(out)):  # newest first in the log: oldest first here
        if adder.sha not in line:
            found.update(
                ((path, blob), adder) for _, path, blob in entries if (path, blob) in wanted
            )
    return found


class _Closings:
    """The closed periods (`ffhooks/closed/*` tags) and, per tag, the first-parent commits
    of the ref that its closing does not contain: what they changed in its days came
    after it was closed."""

    def __init__(self, repo: Repo, commit: str, steps: list[_Step]) -> None:
        from ffhooks.report.closing import TAGS, closed_labels, span_of

        self.after: list[tuple[str, Any, set[str]]] = []
        spans = [s for s in map(span_of, closed_labels(repo) if steps else []) if s]
        if not spans:
            return
        names = [f"{TAGS}{s.label}" for s in spans]
        fields = "%(refname) %(objectname) %(*objectname)"
        listed = run_git(["for-each-ref", f"--format={fields}", *names], repo.top)
        targets = {line.split()[0]: line.split()[-1] for line in listed.splitlines()}
        for s, name in zip(spans, names, strict=True):
            if name in targets:  # a tag of a commit: annotated (peeled) or not
                later = run_git(
                    ["rev-list", "--first-parent", commit, "--not", targets[name]], repo.top
                )
                self.after.append((s.tag, s, set(later.split())))

    def touched(self, via: str, rows: tuple[TaskChange, ...]) -> tuple[str, ...]:
        """The closed periods whose days `rows` changed after their closing (per period,
        its latest revision closed before the change)."""
        latest: dict[tuple[Any, Any], tuple[int, str]] = {}
        for tag, span, later in self.after:
            if via in later and any(span.holds(r.period) for r in rows):
                known = latest.get((span.first, span.last))
                if known is None or span.revision > known[0]:
                    latest[(span.first, span.last)] = (span.revision, tag)
        return tuple(sorted(tag for _, tag in latest.values()))
