"""Reports by tag (`--by tag`, `--tag`): each session counted once, under its whole tag set,
so the rows add up to the total and to the total by task, amounts to the cent; refused where
the summaries hold no tags and over closed periods; rounded per user, task and day as any
report is."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import git, set_now

from ffhooks.report.tags import split


@pytest.fixture
def team(repo: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """alice and bob, tagged and untagged time over two weeks, in summaries with tags."""
    assert ff("init").code == 0
    assert ff("config", "set", "summary_detail.tags", "true").code == 0
    assert ff("config", "set", "rates.default", "97.13").code == 0
    for user, entries in {
        "alice": [
            ("205", "1h", "2026-11-09 09:00", ("+api", "+review")),
            ("205", "20m", "2026-11-09 11:00", ()),
            ("205", "7m13s", "2026-11-09 12:00", ("+api",)),
            ("206", "2h", "2026-11-17 09:00", ("+api",)),
        ],
        "bob": [
            ("205", "45m", "2026-11-09 13:00", ("+review",)),
            ("207", "3h", "2026-11-18 10:00", ()),
        ],
    }.items():
        monkeypatch.setenv("FFHOOKS_USER", user)
        for task, duration, start, tags in entries:
            assert ff("add", task, duration, *tags, "--start", start).code == 0
        assert ff("add", "ops", "30m", "+meeting", "--start", "2026-11-19 08:00", "--no-billable")
        assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "time", "--no-verify")
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    return repo


def report(ff: Any, *args: str) -> dict[str, Any]:
    result = ff("report", "--format", "json", *args)
    assert result.code == 0, result.err
    found: dict[str, Any] = result.json()
    return found


def added_up(found: dict[str, Any]) -> None:
    """The rows of a report add up to its total, figure by figure, amount to the cent."""
    for measure in ("billable_seconds", "non_billable_seconds", "sessions", "amount_cents"):
        assert sum(r[measure] for r in found["rows"]) == found["totals"][measure], measure


@pytest.mark.usefixtures("team")
def test_by_tag_counts_each_session_once_under_its_tag_set(ff: Any) -> None:
    found = report(ff, "--by", "tag")
    got = {
        r["tag"]: (r["billable_seconds"], r["non_billable_seconds"], r["sessions"])
        for r in found["rows"]
    }
    assert got == {
        "(no tags)": (20 * 60 + 3 * 3600, 0, 2),
        "api": (433 + 7200, 0, 2),
        "api+review": (3600, 0, 1),
        "meeting": (0, 3600, 2),
        "review": (2700, 0, 1),
    }
    added_up(found)
    by_task = report(ff)
    assert found["totals"] == by_task["totals"]  # the same time, the same amount to the cent


@pytest.mark.usefixtures("team")
@pytest.mark.parametrize("by", ["user,tag", "tag,week", "user,task,tag,day", "tag,month"])
def test_by_tag_with_other_dimensions_adds_up_to_the_same_total(ff: Any, by: str) -> None:
    found = report(ff, "--by", by)
    added_up(found)
    assert found["totals"] == report(ff)["totals"]
    assert all(set(by.split(",")) <= set(r) for r in found["rows"])


@pytest.mark.usefixtures("team")
def test_user_and_week_split_the_tag_sets(ff: Any) -> None:
    rows = report(ff, "--by", "user,tag,week")["rows"]
    got = {(r["user"], r["tag"], r["week"]): r["billable_seconds"] for r in rows}
    assert got[("alice", "api", "2026-W46")] == 433
    assert got[("alice", "api", "2026-W47")] == 7200
    assert got[("bob", "review", "2026-W46")] == 2700


@pytest.mark.usefixtures("team")
def test_tag_filter_keeps_the_sessions_carrying_it(ff: Any) -> None:
    found = report(ff, "--tag", "api", "--by", "user,task")
    got = {(r["user"], r["task"]): r["billable_seconds"] for r in found["rows"]}
    assert got == {("alice", "205"): 3600 + 433, ("alice", "206"): 7200}
    added_up(found)
    both = report(ff, "--tag", "+review,meeting", "--by", "tag")
    assert [r["tag"] for r in both["rows"]] == ["api+review", "meeting", "review"]


@pytest.mark.usefixtures("team")
@pytest.mark.parametrize("mode", ["up", "nearest"])
def test_rounding_by_tag_bills_what_rounding_by_task_bills(ff: Any, mode: str) -> None:
    """Time is rounded per user, task and day, then shared among the tag sets: alice's
    1h27m13s of 205 on the 9th is 1h30m by tag as by task, not 1h + 30m + 15m."""
    rounding = ("--round", "15", "--round-mode", mode)
    found = report(ff, "--by", "user,task,day,tag", *rounding)
    added_up(found)
    assert found["totals"] == report(ff, *rounding)["totals"]
    day = [r for r in found["rows"] if (r["user"], r["day"]) == ("alice", "2026-11-09")]
    assert sum(r["billable_seconds"] for r in day) == 5400


@pytest.mark.usefixtures("team")
def test_the_html_week_table_by_tag_bills_what_its_totals_bill(ff: Any, team: Path) -> None:
    """The page's weeks round a user's day whole, as its totals (and a report by task) do:
    alice's 1h27m13s of 205 on the 9th is 1h30m in both, not 1h + 30m + 15m."""
    page = team / "r.html"
    args = ("--by", "tag", "--round", "15", "--format", "html", "-o", str(page))
    assert ff("report", *args).code == 0
    text = page.read_text()
    week_total = text.split('<table class="weeks">')[1].split("</table>")[0]
    total = report(ff, "--round", "15")["totals"]["billable_seconds"]
    hours, rest = divmod(total, 3600)
    shown = f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    assert f'<td class="num">{shown}</td></tr></tfoot>' in week_total


def test_by_tag_is_refused_where_the_summaries_hold_no_tags(
    repo: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ff("init").code == 0
    assert ff("add", "205", "1h", "+api", "--start", "2026-11-09 09:00").code == 0
    assert ff("aggregate").code == 0
    committed = (repo / ".flowforge/team/summaries/alice/2026-11").iterdir()
    assert all(b"api" not in p.read_bytes() for p in committed)  # private by default
    for args in (("--by", "tag"), ("--tag", "api")):
        result = ff("report", *args)
        assert result.code == 1, result.out
        assert result.err == (
            "ffhooks: the team's summaries hold no tags (summary_detail.tags is off, for "
            "privacy): `ffhooks config set summary_detail.tags true`, commit it, then each "
            "person's `ffhooks aggregate --all` and commit write them\n"
        )
    # turned on, months written before show apart, and the report still adds up
    assert ff("config", "set", "summary_detail.tags", "true").code == 0
    monkeypatch.setenv("FFHOOKS_NOW", "2026-12-02T12:00:00Z")
    assert ff("add", "205", "1h", "+api", "--start", "2026-12-01 09:00").code == 0
    assert ff("aggregate").code == 0
    found = report(ff, "--by", "tag,month")
    got = {(r["tag"], r["month"]): r["billable_seconds"] for r in found["rows"]}
    assert got == {("(no tag detail)", "2026-11"): 3600, ("api", "2026-12"): 3600}
    assert found["notes"] == [
        "summaries written before the team turned summary_detail.tags on (alice 2026-11) hold "
        "no tags: their time is shown as (no tag detail); `ffhooks aggregate --all` by their "
        "writers adds the split"
    ]
    filtered = report(ff, "--tag", "api")
    assert filtered["totals"]["billable_seconds"] == 3600
    assert "their time is left out of this report (--tag)" in filtered["notes"][0]
    assert ff("aggregate", "--all").code == 0
    assert report(ff, "--tag", "api")["totals"]["billable_seconds"] == 7200


@pytest.mark.parametrize(
    ("cents", "weights", "shares"),
    [
        (15738, [1800, 433, 3600], [4857, 1168, 9713]),
        (100, [1, 1, 1], [34, 33, 33]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (7, [0, 0], [7, 0]),
        (0, [5, 5], [0, 0]),
    ],
)
def test_split_shares_an_amount_to_the_cent(
    cents: int, weights: list[int], shares: list[int]
) -> None:
    assert split(cents, weights) == shares
    assert sum(split(cents, weights)) == cents


def test_amounts_by_tag_add_up_to_the_amount_by_task(ff: Any, team: Path) -> None:
    by_tag = report(ff, "--by", "user,task,tag")
    by_task = report(ff, "--by", "user,task")
    amounts: dict[tuple[str, str], Decimal] = {}
    for r in by_tag["rows"]:
        key = (r["user"], r["task"])
        amounts[key] = amounts.get(key, Decimal(0)) + Decimal(r["amount"])
    assert amounts == {(r["user"], r["task"]): Decimal(r["amount"]) for r in by_task["rows"]}


@pytest.mark.usefixtures("team")
def test_by_tag_over_a_closed_period_is_refused(ff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A closed period records its figures by user, task and day, without tags."""
    set_now(monkeypatch, "2026-12-02T12:00:00Z")
    assert ff("close", "2026-11", "-m", "invoice INV-7").code == 0
    result = ff("report", "--by", "tag")
    assert result.code == 1, result.out
    assert result.err == (
        "ffhooks: closed period 2026-11 records no tags: report by tag from after it (--from) "
        "or leave the closed figures out (--ignore-closed)\n"
    )
    assert report(ff, "--by", "tag", "--ignore-closed")["totals"] == report(ff)["totals"]
