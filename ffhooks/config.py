"""The team configuration, `.flowforge/team/config.json`, with its documented defaults."""

from __future__ import annotations

import re
from pathlib import Path

from ffhooks.errors import BrokenFile
from ffhooks.records import Any, NamedTuple

DEFAULTS: dict[str, Any] = {
    "version": 1,
    "max_session_hours": 12,
    "branch_task_pattern": r"\d+",
    "summary_detail": {"per_task": True, "period": "day"},
    "snapshots": {"keep_last": 50, "keep_daily_days": 30},
}
# Not written by `ffhooks init`: a config holding it is refused by ffhooks 0.1
COMPACT_DEFAULTS = {"delete_after_days": 90}
# Nor is `tags`: a config holding it is refused by ffhooks 0.7 and older
DETAIL_DEFAULTS = {**DEFAULTS["summary_detail"], "tags": False}
# The summaries' format (summary.py) where the config names none, so that a team whose
# members run ffhooks 0.8 never meets a version 2 summary: 0.8 refuses a config that names
# one. `ffhooks init` writes NEW_TEAM_FORMAT into a config it creates.
SUMMARY_FORMAT = 1
NEW_TEAM_FORMAT = 2


class Rule(NamedTuple):
    """A team's own JSON files: a glob from the repository top, and the schema file for them."""

    glob: str
    schema: str


class TeamConfig(NamedTuple):
    max_session_hours: float = 12
    branch_task_pattern: str = r"\d+"
    per_task: bool = True
    period: str = "day"
    tags: bool = False  # summaries split each task's time by the sessions' tags
    rates: dict[str, Any] | None = None
    currency: str | None = None
    validate: tuple[Rule, ...] = ()
    keep_last: int = 50
    keep_daily_days: int = 30
    delete_after_days: int = 90
    signatures: str = "off"  # off, warn or required (trust.MODES)
    signatures_from: str | None = None  # YYYY-MM: earlier months are not asked for signatures
    report_title: str | None = None  # the HTML report's title and client
    report_client: str | None = None
    round_minutes: int | None = None  # the minimum billable increment reports round to
    round_mode: str = "up"
    tasks: dict[str, dict[str, str]] | None = None  # task -> its title and link
    retention: dict[str, Any] | None = None  # {"days", "after"}: recovery/retention.py
    project: str | None = None  # the id every summary written here names (trust/policy.py)
    summary_format: int = SUMMARY_FORMAT  # the version of the summaries folds write

    @property
    def detail(self) -> dict[str, Any]:
        return {"per_task": self.per_task, "period": self.period}

    @property
    def max_session_seconds(self) -> int:
        return int(self.max_session_hours * 3600)


CONFIG = ".flowforge/team/config.json"


def config_path(flowforge: Path) -> Path:
    return flowforge / "team" / "config.json"


_FIX = "fix it (`ffhooks schema team-config` shows the format) or restore it with git"


def load_config(flowforge: Path) -> TeamConfig:
    """The team's settings; a repository without the file gets the defaults. A work tree
    without it (a sparse checkout that leaves `.flowforge/` out, a deletion not yet staged)
    reads what the index holds: folding under defaults would drop the team's signatures and
    detail settings."""
    try:
        data = config_path(flowforge).read_bytes()
    except FileNotFoundError:
        return config_at(indexed(flowforge.parent), "the index")
    return _settings(content(data, CONFIG))


def indexed(top: Path) -> bytes | None:
    """The config's bytes in the index, None when the index has none (no `subprocess`: a
    timer command in a repository without a config comes here)."""
    from ffhooks.git.plumbing import run_git

    blob = run_git(["rev-parse", "--verify", "--quiet", f":{CONFIG}"], top, check=False).strip()
    if not blob:
        return None
    return run_git(["cat-file", "blob", blob], top).encode(errors="surrogateescape")


def config_at(data: bytes | None, commit: str) -> TeamConfig:
    """The team's settings as a commit holds them (`data`: the file's bytes, None if absent)."""
    if data is None:
        return _settings({})
    shown = f"{CONFIG} in {commit}" if commit == "the index" else f"{CONFIG} at {commit[:12]}"
    return _settings(content(data, shown))


# A number of 16 digits or more, which a binary float may not hold as written: only a config
# with one is walked for such numbers on every read (the walk imports `decimal`).
_LONG_NUMBER = re.compile(rb"[0-9][0-9.eE+-]{15,}").search


def content(data: bytes, shown: str) -> dict[str, Any]:
    """The config's content as readers take it (numbers as binary floats); a config with any
    of its `problems` is refused, naming every one, the file as `shown`."""
    from ffhooks.fsio import parse_json
    from ffhooks.validator.schema import first_error

    try:
        raw: dict[str, Any] = parse_json(data, shown, _FIX)
    except BrokenFile:
        raise refusal(shown, problems(data)) from None
    # the common case told fast; `problems` walks for every one only when there is one
    if first_error("team-config", raw) is None and not _LONG_NUMBER(data):
        try:
            re.compile(raw.get("branch_task_pattern", ""))
            return raw
        except re.error:
            pass
    found = problems(data)
    if found:
        raise refusal(shown, found)
    return raw


def problems(data: bytes) -> list[tuple[str, str]]:
    """Every problem of a team config (its bytes), as (JSON path, message): not JSON, every
    place it breaks the schema, or what a schema cannot say (validator/checks.py: a pattern
    that is no regular expression, a number a float would not hold as written)."""
    from ffhooks.validator.checks import check_bytes

    return [(p.at, p.message) for p in check_bytes(CONFIG, data).problems]


def refusal(shown: str, found: list[tuple[str, str]]) -> BrokenFile:
    """The refusal of a config with `found` problems: one alone in its line; several one per
    line before it, the line naming their places."""
    if len(found) == 1:
        at, message = found[0]
        return BrokenFile(shown, message if at == "$" else f"{at}: {message}", _FIX)
    places = ", ".join(dict.fromkeys(at for at, _ in found))
    return BrokenFile(
        shown,
        f"{len(found)} problems (at {places})",
        _FIX,
        details=[f"{shown}::{at}: {message}" for at, message in found],
    )


def _settings(raw: dict[str, Any]) -> TeamConfig:
    merged = {**DEFAULTS, **raw}
    detail = {**DETAIL_DEFAULTS, **merged["summary_detail"]}
    kept = {**DEFAULTS["snapshots"], **merged["snapshots"]}
    compact = {**COMPACT_DEFAULTS, **merged.get("compact", {})}
    report = merged.get("report", {})
    return TeamConfig(
        max_session_hours=float(merged["max_session_hours"]),
        branch_task_pattern=merged["branch_task_pattern"],
        per_task=detail["per_task"],
        period=detail["period"],
        tags=detail["tags"],
        rates=merged.get("rates"),
        currency=merged.get("currency"),
        validate=tuple(Rule(r["files"], r["schema"]) for r in merged.get("validate", ())),
        keep_last=kept["keep_last"],
        keep_daily_days=kept["keep_daily_days"],
        delete_after_days=compact["delete_after_days"],
        signatures=merged.get("signatures", "off"),
        signatures_from=merged.get("signatures_from"),
        report_title=report.get("title"),
        report_client=report.get("client"),
        round_minutes=report.get("round_minutes"),
        round_mode=report.get("round_mode", "up"),
        tasks=merged.get("tasks"),
        retention=merged.get("retention"),
        project=merged.get("project"),
        summary_format=merged.get("summary_format", SUMMARY_FORMAT),
    )


def task_from_branch(branch: str, pattern: str) -> str | None:
    """The task named by a branch: the pattern searched in its last path part."""
    match = re.search(pattern, branch.rsplit("/", 1)[-1])
    if match is None:
        return None
    return match.group(1) if match.re.groups else match.group(0)
