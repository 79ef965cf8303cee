"""`ffhooks aggregate`: summaries that never conflict and never lose or double a second."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import git, set_now, stderr_on_a_terminal, store_dir
from helpers import read_summary

SUMMARIES = Path(".flowforge/team/summaries")


def summary_files(repo: Path, user: str = "alice") -> list[Path]:
    return sorted((repo / SUMMARIES / user).rglob("*.json"))


def only_summary(repo: Path, month: str = "2026-11") -> dict[str, Any]:
    """The newest summary of alice's one store for `month`."""
    paths = (repo / SUMMARIES / "alice" / month).glob("*.json")
    newest = max(paths, key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return read_summary(newest)


def staged(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--", ".flowforge/team/summaries")


def test_summary_holds_only_billing_totals(ff: Any, initialised: Path) -> None:
    repo = initialised
    ff("add", "205", "1h", "--start", "2026-11-19 09:00", "--note", "secret client name")
    ff("add", "206", "30m", "--start", "2026-11-19 11:00", "--no-billable")
    ff("add", "205", "15m", "--start", "2026-11-20 09:00")
    assert ff("aggregate").code == 0
    doc = only_summary(repo)
    assert doc["totals"] == {
        "2026-11-19": {
            "205": {"billable_seconds": 3600, "non_billable_seconds": 0, "sessions": 1},
            "206": {"billable_seconds": 0, "non_billable_seconds": 1800, "sessions": 1},
        },
        "2026-11-20": {"205": {"billable_seconds": 900, "non_billable_seconds": 0, "sessions": 1}},
    }
    text = json.dumps(doc)
    assert "secret" not in text and "09:00" not in text  # no notes, no start/stop times
    assert doc["user"] == "alice" and doc["seq"] == 1 and doc["month"] == "2026-11"
    header = json.loads((store_dir(repo) / "store.json").read_text())
    assert doc["store"] == header["store"] and header["dirty"] == []
    assert ff("validate", *map(str, summary_files(repo))).code == 0
    assert staged(repo).startswith("A  ")


def test_nothing_changed_writes_nothing(ff: Any, initialised: Path) -> None:
    repo = initialised
    ff("add", "1", "1h", "--start", "09:00")
    ff("aggregate")
    before = {p: p.read_bytes() for p in repo.rglob("*.json")}
    result = ff("aggregate")
    assert result.code == 0 and "up to date" in result.out
    assert {p: p.read_bytes() for p in repo.rglob("*.json")} == before


def test_a_change_adds_a_file_with_a_higher_seq(ff: Any, initialised: Path) -> None:
    """Never delete or edit: a change adds a new path and leaves the one it supersedes."""
    repo = initialised
    ff("add", "1", "1h", "--start", "09:00")
    ff("aggregate")
    git(repo, "commit", "-qm", "one", "--no-verify")
    before = summary_files(repo)[0].read_bytes()
    ff("add", "1", "1h", "--start", "11:00")
    ff("aggregate")
    old, new = summary_files(repo)
    assert old.name.endswith("-1.json") and new.name.endswith("-2.json")
    assert old.read_bytes() == before
    status = git(repo, "status", "--porcelain", "--", str(SUMMARIES))
    assert status == f"A  {new.relative_to(repo)}\n"
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 7200


def test_running_timer_counts_up_to_now(ff: Any, initialised: Path, monkeypatch: Any) -> None:
    repo = initialised
    ff("start", "7", "--at", "16:00")
    ff("aggregate")
    assert only_summary(repo)["totals"]["2026-11-20"]["7"]["billable_seconds"] == 3600
    set_now(monkeypatch, "2026-11-20T17:30:00Z")
    ff("aggregate")
    assert only_summary(repo)["totals"]["2026-11-20"]["7"]["billable_seconds"] == 5400
    ff("stop", "--at", "17:10")
    ff("aggregate")
    assert only_summary(repo)["totals"]["2026-11-20"]["7"]["billable_seconds"] == 4200


def test_session_across_midnight_and_month_end_is_one_session(ff: Any, initialised: Path) -> None:
    repo = initialised
    ff("add", "9", "3h", "--start", "2026-10-31 22:30")
    ff("add", "9", "2h", "--start", "2026-11-02 23:00")
    ff("aggregate")
    october, november = only_summary(repo, "2026-10"), only_summary(repo, "2026-11")
    # the seconds fall on both days (and months); the session counts once, where it starts
    assert october["totals"] == {
        "2026-10-31": {"9": {"billable_seconds": 5400, "non_billable_seconds": 0, "sessions": 1}}
    }
    assert november["totals"]["2026-11-01"] == {
        "9": {"billable_seconds": 5400, "non_billable_seconds": 0, "sessions": 0}
    }
    assert november["totals"]["2026-11-03"]["9"]["sessions"] == 0
    report = ff("report", "--from", "2026-10-01", "--to", "2026-11-30", "--format", "json")
    assert report.json()["totals"]["sessions"] == 2
    assert report.json()["totals"]["billable_seconds"] == 5 * 3600


def test_days_are_cut_in_the_users_timezone(ff: Any, initialised: Path) -> None:
    repo = initialised
    ff("timezone", "America/New_York")
    ff("add", "1", "2h", "--start", "2026-11-20T04:00:00Z")  # 23:00 to 01:00 in New York
    ff("aggregate")
    totals = only_summary(repo)["totals"]
    assert {d: t["1"]["billable_seconds"] for d, t in totals.items()} == {
        "2026-11-19": 3600,
        "2026-11-20": 3600,
    }


def test_team_config_can_lower_the_detail(ff: Any, initialised: Path) -> None:
    repo = initialised
    config = repo / ".flowforge/team/config.json"
    config.write_text(json.dumps({"summary_detail": {"per_task": False, "period": "month"}}))
    ff("add", "1", "1h", "--start", "2026-11-18 09:00")
    ff("add", "2", "2h", "--start", "2026-11-19 09:00", "--no-billable")
    ff("aggregate")
    doc = only_summary(repo)
    assert doc["detail"] == {"per_task": False, "period": "month"}
    assert doc["totals"] == {
        "2026-11": {"*": {"billable_seconds": 3600, "non_billable_seconds": 7200, "sessions": 2}}
    }
    report = ff("report", "--format", "json", "--by", "user,task,day").json()
    assert report["rows"] == [
        {
            "user": "alice",
            "task": "*",
            "day": None,
            "billable_seconds": 3600,
            "non_billable_seconds": 7200,
            "sessions": 2,
        }
    ]
    assert any("whole months" in n for n in report["notes"])


def test_removed_sessions_are_removed_from_the_summary(ff: Any, initialised: Path) -> None:
    repo = initialised
    ff("add", "1", "1h", "--start", "09:00")
    ff("aggregate")
    session = ff("log", "--json").json()["sessions"][0]["id"]
    ff("remove", session)
    ff("aggregate")
    assert only_summary(repo)["totals"] == {}
    assert ff("report", "--format", "json").json()["totals"]["billable_seconds"] == 0


def test_all_rebuilds_every_month(ff: Any, initialised: Path) -> None:
    repo = initialised
    ff("add", "1", "1h", "--start", "2026-09-10 09:00")
    ff("add", "1", "1h", "--start", "2026-11-10 09:00")
    ff("aggregate")
    assert "up to date" in ff("aggregate", "--all").out  # same content: nothing to write
    (repo / ".flowforge/team/config.json").write_text('{"summary_detail": {"period": "month"}}')
    assert "up to date" in ff("aggregate").out  # incremental: the store did not change
    result = ff("aggregate", "--all")
    assert result.code == 0 and "2 written" in result.out
    assert only_summary(repo, "2026-09")["detail"]["period"] == "month"
    assert only_summary(repo, "2026-11")["detail"]["period"] == "month"


def test_time_from_another_branch_reaches_the_next_commit(ff: Any, initialised: Path) -> None:
    """Work recorded while on an abandoned branch is carried by the next commit elsewhere."""
    repo = initialised
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init", "--no-verify")
    git(repo, "checkout", "-qb", "feature/abandoned")
    ff("add", "1", "1h", "--start", "09:00")
    ff("aggregate")
    git(repo, "commit", "-qm", "wip", "--no-verify")
    git(repo, "checkout", "-q", "main")
    assert summary_files(repo) == []
    ff("aggregate")  # nothing new in the store, but main lacks its last summary
    assert only_summary(repo)["totals"]["2026-11-20"]["1"]["billable_seconds"] == 3600


def test_unstaged_edit_of_a_summary_is_left_alone(ff: Any, initialised: Path) -> None:
    repo = initialised
    ff("add", "1", "1h", "--start", "09:00")
    ff("aggregate")
    git(repo, "commit", "-qm", "one", "--no-verify")
    [path] = summary_files(repo)
    path.write_text(path.read_text().replace("3600", "7200"))
    ff("add", "1", "1h", "--start", "11:00")
    result = ff("aggregate")
    assert result.code == 1 and "has unstaged edits" in result.err
    assert path.exists() and "7200" in path.read_text()


def test_hook_failure_is_queued_and_never_blocks(ff: Any, hooked: Path) -> None:
    repo = hooked
    ff("add", "1", "1h", "--start", "09:00")
    (repo / SUMMARIES).mkdir(parents=True)
    (repo / SUMMARIES / "alice").write_text("in the way")
    result = ff("aggregate", "--hook")
    assert result.code == 0
    assert "ffhooks recover" in result.err and len(result.err.strip().splitlines()) == 1
    [entry] = (repo / ".git/ffhooks/queue").glob("*.json")
    queued = json.loads(entry.read_text())
    assert queued["operation"] == "aggregate" and queued["user"] == "alice"
    assert "alice" in queued["reason"]
    assert ff("aggregate", "--hook").code == 0
    assert json.loads(entry.read_text())["attempts"] == 2
    status = ff("recover")
    assert status.code == 1 and "aggregate for alice" in status.out
    assert ff("recover", "retry").code == 1  # the obstacle is still there
    (repo / SUMMARIES / "alice").unlink()
    retry = ff("recover", "retry", "--json")
    assert retry.code == 0
    [retried] = retry.json()["retried"]
    assert (retried["operation"], retried["user"]) == ("aggregate", "alice")
    assert not list((repo / ".git/ffhooks/queue").glob("*.json"))
    assert only_summary(repo)["totals"]["2026-11-20"]["1"]["billable_seconds"] == 3600
    assert "summaries" in git(repo, "diff", "--cached", "--name-only")
    assert ff("recover").code == 0


def test_teammate_without_a_store_pays_nothing(ff: Any, initialised: Path) -> None:
    result = ff("aggregate", "--hook")
    assert result.code == 0 and result.err == ""
    assert not (initialised / SUMMARIES).exists()


def test_guard_refuses_staged_private_files(ff: Any, initialised: Path) -> None:
    repo = initialised
    ff("add", "1", "1h")
    assert ff("guard").code == 0
    git(repo, "add", "-f", ".flowforge/user/alice/store.json")
    result = ff("guard")
    assert result.code == 1 and "git rm -r --cached .flowforge/user/" in result.err
    git(repo, "rm", "-q", "--cached", ".flowforge/user/alice/store.json")
    (repo / ".gitignore").write_text("")
    result = ff("guard")
    assert result.code == 1 and "ffhooks init" in result.err


def test_aggregate_all_shows_progress_on_a_terminal_only(initialised: Path, ff: Any) -> None:
    for month in range(1, 12):  # January to November (it is November now)
        assert ff("add", "205", "1h", "--start", f"2026-{month:02d}-03 09:00").code == 0
    quiet = ff("aggregate", "--all")
    assert quiet.code == 0 and "\r" not in quiet.err  # captured, not a terminal: no bar
    drawn = stderr_on_a_terminal(initialised, "aggregate", "--all")
    assert "\rsummarising alice [" in drawn and drawn.endswith("\r\x1b[K")
