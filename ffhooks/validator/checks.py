"""Checking ffhooks files: each against the schema its place names, then what a schema cannot
say (checksums, file names against content, time order, overlaps between files).

Results are plain data; `ffhooks validate` prints them. jsonschema is imported only for a
team's own schemas: ffhooks' schemas are checked by the small validator in `validator/schema.py`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from ffhooks.errors import BrokenFile
from ffhooks.fsio import parse_json
from ffhooks.layout import PRIVATE, TOMBSTONE_MAX
from ffhooks.records import Any, NamedTuple
from ffhooks.validator.schema import every_error

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ffhooks.config import Rule

MAX_BYTES = 32 * 1024 * 1024  # far above any file ffhooks writes; bigger is not ours
_USER = r"[a-z0-9][a-z0-9._-]{0,63}"
KINDS = [
    (r"\.flowforge/team/config\.json", "team-config"),
    (r"\.flowforge/team/erased\.json", "erased"),
    (r"\.flowforge/team/summaries/.+\.json", "summary"),
    (rf"\.flowforge/user/{_USER}/store\.json", "store"),
    (rf"\.flowforge/user/{_USER}/journal\.json", "journal"),
    (rf"\.flowforge/user/{_USER}/time/current\.json", "current"),
    (rf"\.flowforge/user/{_USER}/time/daily/[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}\.json", "daily"),
]
LEGACY = ".flowforge/billing/time-tracking.json"
LEGACY_PROBLEM = (
    "is a FlowForge legacy file: `ffhooks migrate` carries its time into the summaries; "
    "then remove it"
)
# Sessions are filed by the local day they start; readers look this far around it.
FILING_SLACK_DAYS = 1


class Problem(NamedTuple):
    path: str
    at: str  # JSON path, `$` for the whole file
    message: str

    def __str__(self) -> str:
        return f"{self.path}::{self.at}: {self.message}"


class FileResult(NamedTuple):
    path: str
    schema: str | None
    problems: list[Problem]


def glob_regex(glob: str) -> str:
    """A glob as a regular expression over `/`-separated paths: `*` and `?` stay within one
    folder, `**/` spans any number of them."""
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        else:
            c = glob[i]
            out.append("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c))
            i += 1
    return "".join(out)


def kind_of(rel: str, rules: Iterable[Rule] = ()) -> str | None:
    """The schema for a repository-relative path: an ffhooks schema name, or a team's schema
    file (as `file:<path>`); None when nothing covers it."""
    for pattern, name in KINDS:
        if re.fullmatch(pattern, rel):
            return name
    for rule in rules:
        if re.fullmatch(glob_regex(rule.glob), rel):
            return f"file:{rule.schema}"
    return None


def hook_files_pattern(rules: Iterable[Rule]) -> str:
    """The `files:` regex for the validate hook: ffhooks' files and the team's globs."""
    return "^(?:" + "|".join([r"\.flowforge/.*\.json", *(glob_regex(r.glob) for r in rules)]) + ")$"


def semantic_problems(kind: str, doc: Any, rel: str) -> list[tuple[str, str]]:
    """What a schema cannot say about a file that passed it, as (json path, message)."""
    found: list[tuple[str, str]] = []
    if kind == "summary":
        from ffhooks import summary  # hashlib: not for the timer commands' daily files

        where = summary.parse_path(rel)
        if where is None:
            found.append(
                ("$", "not named <user>/<YYYY-MM>/<store>-<seq>.json, so no report reads it")
            )
        for text in summary.problems(doc, where):
            at, _, message = text.partition(": ")
            found.append((at, message))
    elif kind == "daily":
        named = rel.rsplit("/", 1)[-1][:-5]
        if doc["date"] != named:
            found.append(("$.date", f"{doc['date']} disagrees with the file name"))
        day = date.fromisoformat(doc["date"])
        for i, s in enumerate(doc["sessions"]):
            if s["end"] <= s["start"]:  # one fixed format, so text order is time order
                found.append((f"$.sessions[{i}]", f"session {s['id']} ends at or before its start"))
            started = date.fromisoformat(s["start"][:10])
            if abs(started - day) > timedelta(days=FILING_SLACK_DAYS):
                problem = (
                    f"session {s['id']} starts on {started}, too far from this file's day "
                    "to be found: sessions are filed under the day they start"
                )
                found.append((f"$.sessions[{i}]", problem))
    elif kind == "current" and doc["running"] and doc["paused"]:
        found.append(("$", "has both a running and a paused timer"))
    elif kind == "team-config" and "branch_task_pattern" in doc:
        pattern = doc["branch_task_pattern"]
        try:
            re.compile(pattern)
        except re.error as exc:
            problem = f"{pattern!r} is not a valid regular expression ({exc})"
            found.append(("$.branch_task_pattern", problem))
    elif kind == "store":
        owner = rel.split("/")[2] if rel.startswith(f"{PRIVATE}/") else doc["user"]
        if doc["user"] != owner:
            found.append(("$.user", f"{doc['user']!r} disagrees with the folder {owner!r}"))
        if not _known_zone(doc["timezone"]):
            found.append(("$.timezone", f"{doc['timezone']!r} is not a known IANA time zone"))
        found += _zone_history_problems(doc)
    return found


def _zone_history_problems(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """A store's zone history must be in time order and end with its current zone: else
    the days of recorded time would be cut in some other zone than they were."""
    entries = doc.get("zones", [])
    found = []
    for i, entry in enumerate(entries):
        if not _known_zone(entry["timezone"]):
            problem = f"{entry['timezone']!r} is not a known IANA time zone"
            found.append((f"$.zones[{i}].timezone", problem))
        if i:
            previous = entries[i - 1]["since"]
            # the first `since` only records when the store began: the first change may share it
            if entry["since"] < previous or (i > 1 and entry["since"] == previous):
                problem = f"{entry['since']} is not after the change before it"
                found.append((f"$.zones[{i}].since", problem))
    if entries and entries[-1]["timezone"] != doc["timezone"]:
        problem = (
            f"ends with {entries[-1]['timezone']!r}, not the current zone {doc['timezone']!r}: "
            f"`ffhooks timezone {doc['timezone']}` records the change"
        )
        found.append(("$.zones", problem))
    return found


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, LookupError, OSError):
        return False
    return True


class _TeamSchemas:
    """A team's schema files, loaded and compiled once per run (jsonschema only when used)."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.validators: dict[str, Any] = {}

    def problems(self, schema_file: str, doc: Any) -> list[tuple[str, str]]:
        validator = self.validators.get(schema_file)
        if validator is None:
            import jsonschema

            data = (self.top / schema_file).read_bytes()
            schema = parse_json(data, schema_file, "")
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
            self.validators[schema_file] = validator
        return [
            (error.json_path, error.message)
            for error in sorted(validator.iter_errors(doc), key=lambda e: e.json_path)
        ]


def check_file(
    top: Path, rel: str, rules: Iterable[Rule], team: _TeamSchemas
) -> tuple[FileResult, Any]:
    """One file of the work tree: its problems, and its content (None if unreadable)."""
    try:
        size = (top / rel).stat().st_size
        if size > MAX_BYTES:
            problem = (
                f"is {size:,} bytes, more than the {MAX_BYTES:,} any file validated here may have"
            )
            return FileResult(rel, kind_of(rel, rules), [Problem(rel, "$", problem)]), None
        data = (top / rel).read_bytes()
    except FileNotFoundError:
        return FileResult(rel, kind_of(rel, rules), [Problem(rel, "$", "file not found")]), None
    except IsADirectoryError:
        problem = "is a folder, not a file"
        return FileResult(rel, kind_of(rel, rules), [Problem(rel, "$", problem)]), None
    return check_data(rel, data, rules, team)


def check_bytes(rel: str, data: bytes) -> FileResult:
    """One ffhooks file given as bytes (from git or a snapshot), named by its path."""
    return read_bytes(rel, data)[0]


def read_bytes(rel: str, data: bytes) -> tuple[FileResult, Any]:
    """`check_bytes`, and the file's content where it parsed."""
    return check_data(rel, data, (), _TeamSchemas(Path()))  # no rules: no team schema


def check_data(
    rel: str, data: bytes, rules: Iterable[Rule], team: _TeamSchemas
) -> tuple[FileResult, Any]:
    kind = kind_of(rel, rules)
    if kind == "summary" and len(data) <= TOMBSTONE_MAX:
        from ffhooks.summary import is_tombstone_data

        if is_tombstone_data(data):  # a superseded summary, in any whitespace (summary.py)
            return FileResult(rel, kind, []), None

    def result(problems: list[tuple[str, str]], doc: Any = None) -> tuple[FileResult, Any]:
        return FileResult(rel, kind, [Problem(rel, at, m) for at, m in problems]), doc

    if kind is None:
        where = "under .flowforge/" if rel.startswith(".flowforge/") else "here"
        problem = f"no ffhooks schema covers a file {where} (misplaced or misnamed?)"
        return result([("$", LEGACY_PROBLEM if rel == LEGACY else problem)])
    try:
        doc = parse_json(data, rel, "")
    except BrokenFile as exc:
        return result([("$", exc.problem)])
    if kind.startswith("file:"):
        try:
            return result(team.problems(kind[5:], doc), doc)
        except Exception as exc:  # the team's schema itself: missing, unparsable or invalid
            why = getattr(exc, "problem", None) or getattr(exc, "message", None) or exc
            problem = f"its schema {kind[5:]} (from the team config's `validate`) cannot be used"
            return result([("$", f"{problem}: {why}")])
    if kind == "summary":
        from ffhooks.summary import too_new

        newer = too_new(doc)  # nothing else of it can be judged
        if newer is not None:
            return result([newer])
    schema_problems = every_error(kind, doc)
    if schema_problems:
        from ffhooks.validator.messages import explained

        return result([(at, explained(kind, at, m)) for at, m in schema_problems])
    if kind == "summary":  # past the schema, checked and read with its cells as objects
        from ffhooks.summary import expanded

        doc = expanded(doc)
    found = semantic_problems(kind, doc, rel)
    if kind == "team-config":
        found += inexact_numbers(data)
    return result(found, doc)


def inexact_numbers(data: bytes) -> list[tuple[str, str]]:
    """Numbers of a JSON file that its readers, which read binary floats, would not read as
    written, as (json path, message): a rate of 0.1000000000000000055 would bill 0.1. A float
    holds any number of at most 15 significant digits exactly as written."""
    from decimal import Decimal  # not on the commit hook's path, unless the config is staged

    from ffhooks.validator.messages import where

    found = []

    def walk(value: Any, keys: list[str | int]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, [key, *keys])
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, [i, *keys])
        elif isinstance(value, Decimal) and Decimal(repr(float(value))) != value:
            problem = (
                f"{value} would be read as {float(value)!r}: write it with at most 15 "
                "significant digits"
            )
            found.append(where([problem, *keys]))

    walk(parse_json(data, "", "", parse_float=Decimal), [])
    return found


def overlaps(daily: list[tuple[str, Any]]) -> list[Problem]:
    """Sessions of one store that overlap, across all its daily files given."""
    sessions = sorted(
        (s["start"], s["end"], s["id"], rel, i)
        for rel, doc in daily
        for i, s in enumerate(doc["sessions"])
    )
    found = []
    latest: tuple[str, str, str, str, int] | None = None
    for current in sessions:
        if latest is not None and current[0] < latest[1]:
            found.append(
                Problem(
                    current[3],
                    f"$.sessions[{current[4]}]",
                    f"session {current[2]} overlaps session {latest[2]} ({latest[3]}): time "
                    "would be counted twice; `ffhooks edit` or `ffhooks remove` one of them",
                )
            )
        if latest is None or current[1] > latest[1]:
            latest = current
    return found


def check(top: Path, rels: list[str], rules: list[Rule]) -> list[FileResult]:
    """Every file checked, then sessions compared across each store's daily files."""
    team = _TeamSchemas(top)
    results: list[FileResult] = []
    by_store: dict[str, list[tuple[str, Any]]] = {}
    for rel in rels:
        result, doc = check_file(top, rel, rules, team)
        results.append(result)
        if result.schema == "daily" and doc is not None and not result.problems:
            by_store.setdefault(rel.split("/time/daily/")[0], []).append((rel, doc))
    extra: dict[str, list[Problem]] = {}
    for daily in by_store.values():
        for problem in overlaps(daily):
            extra.setdefault(problem.path, []).append(problem)
    return [r._replace(problems=r.problems + extra.get(r.path, [])) for r in results]


def every_file(top: Path, rules: list[Rule], under: str = ".flowforge") -> list[str]:
    """Every JSON file under `under` (`.flowforge/`) and every file the team's globs name."""
    found: set[str] = set()
    for folder, dirs, files in os.walk(top / under):
        dirs.sort()
        rel_folder = Path(folder).relative_to(top).as_posix()
        found.update(f"{rel_folder}/{n}" for n in files if n.endswith(".json"))
    for rule in rules:
        for path in top.glob(rule.glob):
            rel = path.relative_to(top).as_posix()
            if path.is_file() and not rel.startswith(".git/"):
                found.add(rel)
    return sorted(found)


def counted(results: list[FileResult]) -> str:
    """What a check that found problems says last: how many, in how many files."""
    problems = sum(len(r.problems) for r in results)
    bad = sum(1 for r in results if r.problems)
    return f"{problems} problem(s) in {bad} of {len(results)} file(s)"
