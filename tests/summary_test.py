"""Pure functions of ffhooks.summary: totals cut into days and months (the seconds add up
exactly, a session counts once), checksums and seals, the names of summary files, and which
file is live, buried, or taken away by a change of the tree (path -> blob id)."""

from __future__ import annotations

import hashlib
import json
import operator
from datetime import datetime, timezone
from functools import reduce
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ffhooks import summary
from ffhooks.clock import ZoneHistory
from ffhooks.summary import TOMBSTONE_BLOB as DEAD
from ffhooks.summary import Interval, SummaryPath
from ffhooks.trust import changes as summary_changes

ZULU, BERLIN = ZoneInfo("UTC"), ZoneInfo("Europe/Berlin")
TOKYO, LOS_ANGELES = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")
STORE, OTHER = "0123456789abcdef", "fedcba9876543210"
ROOT = ".flowforge/team/summaries"
NOV, DEC = f"{ROOT}/alice/2026-11", f"{ROOT}/alice/2026-12"
A, B, C = "a" * 40, "b" * 40, "c" * 40  # blob ids of three different contents


def at(text: str) -> datetime:
    """A UTC instant written without its `Z`: `2026-11-20T17:00`."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def name(seq: int | str, store: str = STORE, folder: str = NOV) -> str:
    return f"{folder}/{store}-{seq}.json"


def sp(seq: int, store: str = STORE, month: str = "2026-11", user: str = "alice") -> SummaryPath:
    return SummaryPath(user, month, store, seq)


N1, N2, N3, N4, N5 = (name(seq) for seq in range(1, 6))


def cell(billable: int = 0, non_billable: int = 0, sessions: int = 0) -> dict[str, int]:
    return dict(zip(summary.TOTAL_KEYS, (billable, non_billable, sessions), strict=True))


def work(start: str, end: str, task: str = "205", billable: bool = True) -> Interval:
    return Interval(task, at(start), at(end), billable)


def by_day(intervals: list[Interval], month: str, tz: ZoneInfo | ZoneHistory) -> Any:
    return summary.totals(intervals, month, tz, per_task=False, by_day=True)


def test_totals_split_an_interval_at_midnight_and_count_its_session_once() -> None:
    """23:30 to 00:30 UTC: half an hour on each day, one session, on the first."""
    found = by_day([work("2026-11-10T23:30", "2026-11-11T00:30")], "2026-11", ZULU)
    assert found == {"2026-11-10": {"*": cell(1800, 0, 1)}, "2026-11-11": {"*": cell(1800)}}


@pytest.mark.parametrize(("tz", "cut"), [(ZULU, 7200), (BERLIN, 3600)])
def test_totals_split_an_interval_at_the_month_end(tz: ZoneInfo, cut: int) -> None:
    """22:00 to 02:00 UTC across October's end (23:00 to 03:00 in Berlin): each month holds
    its own seconds, together the whole 4 hours, and the session counts once, in October."""
    interval = [work("2026-10-31T22:00", "2026-11-01T02:00", billable=False)]
    october, november = (by_day(interval, month, tz) for month in ("2026-10", "2026-11"))
    assert october == {"2026-10-31": {"*": cell(0, cut, 1)}}
    assert november == {"2026-11-01": {"*": cell(0, 4 * 3600 - cut, 0)}}
    whole = summary.totals(interval, "2026-10", tz, per_task=False, by_day=False)
    assert whole == {"2026-10": {"*": cell(0, cut, 1)}}


def test_totals_in_a_zone_give_the_dst_days_23_and_25_hours() -> None:
    """Whole Berlin days, from midnight to midnight: 82,800 and 90,000 seconds."""
    spring = by_day([work("2026-03-28T23:00", "2026-03-29T22:00")], "2026-03", BERLIN)
    autumn = by_day([work("2026-10-24T22:00", "2026-10-25T23:00")], "2026-10", BERLIN)
    assert spring == {"2026-03-29": {"*": cell(23 * 3600, 0, 1)}}
    assert autumn == {"2026-10-25": {"*": cell(25 * 3600, 0, 1)}}


def test_totals_per_task_sort_the_tasks_and_without_add_them_up() -> None:
    """Two tasks on one day: apart, sorted by name; together under `*`, two sessions."""
    day = [work("2026-11-20T09:00", "2026-11-20T10:00", "b-task")]
    day.append(work("2026-11-20T11:00", "2026-11-20T11:30", "a-task", billable=False))
    apart = summary.totals(day, "2026-11", ZULU, per_task=True, by_day=True)
    assert apart == {"2026-11-20": {"a-task": cell(0, 1800, 1), "b-task": cell(3600, 0, 1)}}
    assert list(apart["2026-11-20"]) == ["a-task", "b-task"]
    assert by_day(day, "2026-11", ZULU) == {"2026-11-20": {"*": cell(3600, 1800, 2)}}
    assert by_day(day, "2026-10", ZULU) == {}  # nothing of it in another month
    assert by_day([work("2026-10-31T23:00", "2026-11-01T00:00")], "2026-11", ZULU) == {}


# Tokyo until 2026-12-01T00:00Z (09:00 on the 1st there), then Los Angeles (16:00 on the 30th):
# the change moves local time back into November, so December has a gap.
MOVED = ZoneHistory((TOKYO, LOS_ANGELES), (at("2026-12-01T00:00"),))


def test_month_bounds_in_a_zone_and_in_a_history() -> None:
    """Midnights in the zone (DST included); with a history, the earliest and latest instant
    the month holds in the zone in effect."""
    bounds = summary.month_bounds
    assert bounds("2026-11", ZULU) == (at("2026-11-01T00:00"), at("2026-12-01T00:00"))
    assert bounds("2026-12", ZULU) == (at("2026-12-01T00:00"), at("2027-01-01T00:00"))
    berlin_march = (at("2026-02-28T23:00"), at("2026-03-31T22:00"))
    assert bounds("2026-03", BERLIN) == bounds("2026-03", ZoneHistory((BERLIN,))) == berlin_march
    assert bounds("2026-11", MOVED) == (at("2026-10-31T15:00"), at("2026-12-01T08:00"))
    assert bounds("2026-12", MOVED) == (at("2026-11-30T15:00"), at("2027-01-01T08:00"))
    forward = ZoneHistory((LOS_ANGELES, TOKYO), (at("2026-11-15T00:00"),))
    assert bounds("2026-11", forward) == (at("2026-11-01T07:00"), at("2026-11-30T15:00"))
    assert summary.month_zone("2026-11", MOVED) == "America/Los_Angeles"
    assert summary.month_zone("2026-10", MOVED) == "Asia/Tokyo"
    march = by_day([work("2026-02-28T23:00", "2026-03-31T22:00")], "2026-03", BERLIN)
    assert sum(c["*"]["billable_seconds"] for c in march.values()) == 31 * 86400 - 3600


def test_totals_with_a_history_cut_each_instant_in_the_zone_in_effect() -> None:
    """14:00Z to 02:00Z: 23:00-00:00 on Nov 30 in Tokyo, then December there until the change,
    then 16:00-18:00 on Nov 30 in Los Angeles; 12 hours in all, one session."""
    interval = [work("2026-11-30T14:00", "2026-12-01T02:00")]
    november, december = (by_day(interval, m, MOVED) for m in ("2026-11", "2026-12"))
    assert november == {"2026-11-30": {"*": cell(3 * 3600, 0, 1)}}
    assert december == {"2026-12-01": {"*": cell(9 * 3600, 0, 0)}}


def test_canonical_and_checksum_leave_out_exactly_sha256_and_signature() -> None:
    """Sorted keys, no spaces, UTF-8 as is; `signed_by` and every other key count."""
    doc = {"b": [1, 2], "a": "Zürich", "sha256": "x", "signature": "y", "signed_by": "bob"}
    body = '{"a":"Zürich","b":[1,2],"signed_by":"bob"}'.encode()
    assert summary.canonical(doc) == body
    assert summary.checksum(doc) == hashlib.sha256(body).hexdigest()
    assert summary.checksum({**doc, "sha256": "z", "signature": "w"}) == summary.checksum(doc)
    for key in ("signed_by", "a", "b"):
        assert summary.checksum({**doc, key: "other"}) != summary.checksum(doc)


def test_version_1_canonical_is_what_ffhooks_0_8_signed() -> None:
    """Summaries written before format 2, their checksums and signatures, verify as they did:
    the bytes and the checksum of a version 1 summary are pinned."""
    assert summary.canonical(doc_of()) == (
        b'{"detail":{"per_task":true,"period":"day"},"month":"2026-11","seq":3,'
        b'"store":"0123456789abcdef","timezone":"UTC","totals":{"2026-11-20":{"205":'
        b'{"billable_seconds":3600,"non_billable_seconds":0,"sessions":1}}},"user":"alice",'
        b'"version":1}'
    )
    assert doc_of()["sha256"] == "9b63e0422eada3659181299754cb789f28c8ca61c7ae06320ada444c5e2a5d95"


def v2_of(**more: Any) -> dict[str, Any]:
    """`doc_of()` in format 2, as readers hold it (cells as objects)."""
    detail = {"per_task": True, "period": "day"}
    periods = {"2026-11-20": {"205": cell(3600, 0, 1)}}
    return summary.build(**ALICE_NOVEMBER, seq=3, detail=detail, periods=periods, version=2, **more)


def test_version_2_is_written_and_covered_with_its_cells_as_arrays() -> None:
    """The file says `[3600,0,1]`; canonical() gives the file's own content (its JSON with
    sorted keys, no whitespace, no sha256) from the summary as readers hold it and as the
    file holds it; loads() gives readers the objects back."""
    doc = v2_of()
    data = summary.dumps(doc)
    assert b'    "2026-11-20": {"205":[3600,0,1]}\n' in data and b"billable" not in data
    raw = json.loads(data)
    body = {k: v for k, v in raw.items() if k != "sha256"}
    own = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    assert summary.canonical(doc) == summary.canonical(raw) == own
    assert raw["sha256"] == hashlib.sha256(own).hexdigest() == doc["sha256"]
    assert summary.loads(data, "x", "") == doc
    assert summary.problems(summary.loads(data, "x", ""), summary.parse_path(name(3))) == []
    assert summary.same_content(doc, doc_of()) and doc["sha256"] != doc_of()["sha256"]


def test_version_2_tag_split_cells_are_arrays_too() -> None:
    split = {"2026-11-20": {"205": {"-": cell(600, 0, 0), "api": cell(3000, 0, 1)}}}
    doc = v2_of(tags=split)
    doc["detail"]["tags"] = True
    summary.seal(doc)
    data = summary.dumps(doc)
    assert b'{"205":{"-":[600,0,0],"api":[3000,0,1]}}' in data
    raw = json.loads(data)
    assert summary.plainly_valid(raw) and summary.loads(data, "x", "") == doc
    assert summary.problems(summary.expanded(raw), None) == []


@pytest.mark.parametrize(
    ("version", "cells", "plainly"),
    [
        (2, [3600, 0, 1], True), (2, cell(3600, 0, 1), False), (1, [3600, 0, 1], False),
        (2, [3600, 0], False), (2, [3600, 0, 1, 0], False), (2, [-1, 0, 1], False),
        (2, [3600, 0, True], False), (3, [3600, 0, 1], False), ("2", [3600, 0, 1], False),
    ],
)  # fmt: skip
def test_plainly_valid_takes_each_version_in_its_one_form(
    version: Any, cells: Any, plainly: bool
) -> None:
    raw = {**doc_of(), "version": version, "totals": {"2026-11-20": {"205": cells}}}
    assert summary.plainly_valid(raw) is plainly


def test_a_version_above_2_is_from_a_newer_ffhooks() -> None:
    at, message = summary.too_new({**doc_of(), "version": 3}) or ("", "")
    assert at == "$.version" and "newer ffhooks" in message and "pip install -U ffhooks" in message
    assert summary.too_new(v2_of()) is None and summary.too_new({"version": "3"}) is None


ALICE_NOVEMBER: dict[str, Any] = {
    "user": "alice",
    "store": STORE,
    "month": "2026-11",
    "timezone": "UTC",
}


def doc_of() -> dict[str, Any]:
    """A sealed summary of alice's November, named `name(3)`."""
    detail = {"per_task": True, "period": "day"}
    periods = {"2026-11-20": {"205": cell(3600, 0, 1)}}
    return summary.build(**ALICE_NOVEMBER, seq=3, detail=detail, periods=periods)


def test_seal_signs_exactly_the_canonical_bytes_with_signed_by_in_them() -> None:
    """The signer gets `canonical(doc)` once, with `signed_by`; the checksum covers the same
    bytes; sealing again signs content without the old signature."""
    signed: list[bytes] = []

    def sign(data: bytes) -> str:
        signed.append(data)
        return f"sig{len(signed)}"

    sealed = summary.seal(doc_of(), sign, signed_by="bob")
    assert signed == [summary.canonical(sealed)] and b'"signed_by":"bob"' in signed[0]
    assert sealed["signature"] == "sig1"
    assert sealed["sha256"] == hashlib.sha256(signed[0]).hexdigest()
    again = summary.seal(sealed, sign)
    assert signed[1] == signed[0] and again["signature"] == "sig2"
    plain = summary.seal(doc_of())
    assert "signature" not in plain and "signed_by" not in plain
    assert summary.problems(plain, summary.parse_path(name(3))) == []


# fmt: off
EDITS: list[tuple[str, Any, bool]] = [
    ("version", 2, True), ("seq", 4, True), ("sha256", "0" * 64, True), ("signature", "x", True),
    ("signed_by", "bob", True), ("timezone", "Europe/Berlin", False),
    ("writer", "0a1b2c3d", False), ("totals", {}, False),
]
# fmt: on


@pytest.mark.parametrize(("key", "value", "same"), EDITS)
def test_same_content_ignores_only_seq_checksum_signature_and_format(
    key: str, value: Any, same: bool
) -> None:
    """Only version, seq, sha256, signature and signed_by may differ for the totals to be the
    same: a team that switches its summary format rewrites no month that did not change."""
    assert summary.same_content(doc_of(), {**doc_of(), key: value}) is same


DROP = object()
WHOLE = "$.totals['2026-11-20']: a figure is not a whole number"
CELL = "totals/2026-11-20/205/"
# fmt: off
CHECKS: list[tuple[str, Any, bool, bool, list[str]]] = [
    # where (keys from the top, /-separated), new value, seal again, plainly_valid, problems
    ("version", 1, True, True, []), ("writer", "0a1b2c3d", True, True, []),
    (CELL + "billable_seconds", -1, True, False, []),
    (CELL + "sessions", True, True, False, [WHOLE]),
    (CELL + "billable_seconds", 1.0, True, False, [WHOLE]),
    (CELL + "sessions", DROP, True, False, []),
    (CELL + "idle_seconds", 0, True, False, []), ("totals/2026-11-2", {}, True, False, []),
    ("totals/2026-11-20/" + "t" * 100, cell(1), True, True, []), ("extra", 1, True, False, []),
    ("totals/2026-11-20/" + "t" * 101, cell(1), True, False, []),
    ("totals/2026-11-20/ 205", cell(1), True, False, []),
    ("sha256", DROP, False, False, ["$.sha256: does not match"]),
    (CELL + "billable_seconds", 7200, False, True, ["$.sha256: does not match"]),
    ("totals/2026-12-01", {}, True, True, ["$.totals['2026-12-01']: outside the month 2026-11"]),
    ("seq", 4, True, True, ["$.seq: 4 disagrees with the file name"]),
    # impossible figures, checksum recomputed (anyone can): a day holds at most 25 h
    (CELL + "billable_seconds", 90_000, True, True, []),
    (CELL + "billable_seconds", 90_001, True, True, ["$.totals['2026-11-20']: 90,001 seconds"]),
    (CELL + "billable_seconds", 10**20, True, False, ["$.totals['2026-11-20']: 100,000,"]),
    (CELL + "non_billable_seconds", 1e20, True, False, [WHOLE]),
    ("totals/2026-11-20/other", cell(0, 86_401), True, True, ["$.totals['2026-11-20']: 90,001"]),
    ("totals/2026-11", {"*": cell(30 * 86_400 + 3_600)}, True, True, []),
    ("totals/2026-11", {"*": cell(30 * 86_400 + 3_601)}, True, True, ["$.totals['2026-11']: 2"]),
    ("totals/2026-11-31", {"205": cell(60)}, True, True, ["$.totals['2026-11-31']: no such day"]),
]
# fmt: on


@pytest.mark.parametrize(("where", "value", "reseal", "plainly", "found"), CHECKS)
def test_plainly_valid_checks_the_totals_and_problems_the_rest(
    where: str, value: Any, reseal: bool, plainly: bool, found: list[str]
) -> None:
    """plainly_valid: the shape of the totals and the top keys; problems: checksum, name and
    month. Each edit trips exactly the check that covers it."""
    doc = doc_of()
    *path, last = where.split("/")
    folder = reduce(operator.getitem, path, doc)
    if value is DROP:
        del folder[last]
    else:
        folder[last] = value
    if reseal:
        summary.seal(doc)
    assert summary.plainly_valid(doc) is plainly
    problems = summary.problems(doc, summary.parse_path(name(3)))
    assert len(problems) == len(found) and all(map(str.startswith, problems, found)), problems
    assert not summary.plainly_valid([doc]) and not summary.plainly_valid(None)


def test_parse_path_reads_a_summary_name_and_gives_it_back() -> None:
    """User, month, store and seq, as written; `.path` is the name it was read from."""
    for user, seq in (("alice", 1), ("a.b_c-9", 42), ("u" * 64, int("9" * 18))):
        path = name(seq, folder=f"{ROOT}/{user}/2026-11")
        assert summary.parse_path(path) == sp(seq, user=user)
        assert summary.parse_path(path).path == path  # type: ignore[union-attr]


# fmt: off
HOSTILE = [
    f"{ROOT}/../2026-11/{STORE}-1.json", f"{ROOT}/alice/../{STORE}-1.json",
    f"{ROOT}/alice/2026-11/../{STORE}-1.json", f"{ROOT}/.alice/2026-11/{STORE}-1.json",
    f"{ROOT}/Alice/2026-11/{STORE}-1.json", f"{ROOT}/al ice/2026-11/{STORE}-1.json",
    f"{ROOT}/{'u' * 65}/2026-11/{STORE}-1.json", f"{ROOT}/alice/2026-11/sub/{STORE}-1.json",
    f"{ROOT}/alice/2026-13/{STORE}-1.json", f"{ROOT}/alice/2026-00/{STORE}-1.json",
    f"{ROOT}/alice/2026-1/{STORE}-1.json", name(1, STORE.upper()), name(1, STORE[:15]),
    name(1, STORE + "0"), name(0), name("01"), name("1" * 19), name("1 "), name("-1"),
    "./" + name(1), name(1) + ".orig", name(1) + "\n",
]
# fmt: on


@pytest.mark.parametrize("path", HOSTILE)
def test_parse_path_refuses_every_other_name(path: str) -> None:
    """Dot folders, capitals, spaces, seq 0, leading zeros, 19 digits, bad months: no summary."""
    assert summary.PATH.fullmatch(path) is None
    assert summary.parse_path(path) is None


def test_parse_path_refuses_a_month_in_other_digits() -> None:
    """A second name for November 2026 (fullwidth digits) would be a second live summary of
    the same store and month."""
    path = name(1, folder=f"{ROOT}/alice/\uff12\uff10\uff12\uff16-11")
    assert summary.parse_path(path) is None


def test_live_keeps_the_highest_seq_of_each_user_store_and_month() -> None:
    """Seqs compare as numbers; tombstones and files outside the summaries are skipped."""
    bob = f"{ROOT}/bob/2026-11"
    paths = [N2, name(10), name(9), name(4, OTHER), name(1, folder=DEC), name(7, folder=bob)]
    paths += [".flowforge/team/config.json", f"{ROOT}/README.md", f"{NOV}/notes.json"]
    found = summary.live(paths)
    assert found == {
        (w.user, w.store, w.month): w
        for w in (sp(10), sp(4, OTHER), sp(1, month="2026-12"), sp(7, user="bob"))
    }
    assert summary.live(paths, {name(10)})[("alice", STORE, "2026-11")] == sp(9)
    assert len(summary.live(paths, {N2, name(9), name(10)})) == 3


# fmt: off
ODD = [
    name("0099"), name("1" * 19), name(99, folder=f"{NOV}/sub"), name(99, "xyz"),
    name(9, STORE.upper()),
]
# fmt: on


@pytest.mark.parametrize("odd", ODD)
def test_live_falls_back_to_the_parser_when_a_newest_name_is_odd(odd: str) -> None:
    """A newest file that is not a summary's name is no summary: the one below it is live."""
    found = summary.live([N1, odd, N3, name(5, OTHER)])
    assert found == {("alice", STORE, "2026-11"): sp(3), ("alice", OTHER, "2026-11"): sp(5, OTHER)}


def test_tombstones_are_known_by_blob_id_inside_the_summaries_only() -> None:
    """Exactly the tombstone's blob id, and only under the summaries folder."""
    blobs = {name(1): DEAD, name(2): A, ".flowforge/team/x.json": DEAD, name(3): DEAD.upper()}
    assert summary.tombstones(blobs) == {name(1)}


# fmt: off
BURIED = [
    ({N1: DEAD, N2: DEAD, N3: A}, []),
    ({N1: DEAD, N3: A, N4: DEAD}, [N4]),
    ({N1: DEAD, N2: DEAD}, [N1, N2]),
    ({N3: A, name(1, OTHER): DEAD}, [name(1, OTHER)]),
    ({N3: A, name(1, folder=DEC): DEAD}, [f"{DEC}/{STORE}-1.json"]),
]
# fmt: on


@pytest.mark.parametrize(("blobs", "above"), BURIED)
def test_buried_above_live_finds_tombstones_over_their_store_and_months_live_file(
    blobs: dict[str, str], above: list[str]
) -> None:
    """Only a tombstone of the same store and month above its live seq (or with none) counts."""
    assert summary_changes.buried_above_live(blobs, summary.tombstones(blobs)) == above


GONE = "the live summary of alice 2026-11 was "
ORPHAN = "made a tombstone with no newer live summary of its store and month"
# fmt: off
CHANGES = [
    # before, after, lowerings, new live files to check
    ({N1: A}, {N1: A}, [], []),
    ({N1: A}, {}, [(N1, GONE + "deleted")], []),
    ({N1: A}, {N1: B}, [(N1, "a committed summary was edited")], []),
    ({N1: A}, {N1: DEAD}, [(N1, GONE + "made a tombstone")], []),
    ({N1: A}, {N1: DEAD, N2: B}, [], [N2]),
    ({N1: A}, {N1: B, N2: C}, [], [N2]),
    ({N1: A}, {N1: DEAD, N2: DEAD}, [(N1, GONE + "made a tombstone"), (N2, ORPHAN)], []),
    ({N1: A}, {N1: A, N5: DEAD}, [(N5, ORPHAN)], []),
    ({N1: A, N2: B}, {N1: A}, [(N2, GONE + "deleted")], []),
    ({N1: A, N2: B}, {N1: C, N2: B}, [], []),
    ({N1: A, N2: B}, {N2: B}, [], []),
    ({N1: A, N2: B}, {N1: DEAD, N2: B}, [], []),
    ({N1: DEAD, N2: B}, {N1: A, N2: B}, [], []),
    ({N1: A, name(1, OTHER): B}, {N1: A}, [(name(1, OTHER), GONE + "deleted")], []),
]
# fmt: on


@pytest.mark.parametrize(("before", "after", "lowerings", "check"), CHANGES)
def test_lowered_names_what_a_change_takes_from_the_report(
    before: dict[str, str], after: dict[str, str], lowerings: list[Any], check: list[str]
) -> None:
    """A live file deleted, edited or buried without a newer live one is a loss, and so is a
    new tombstone above the live seq; superseded files change freely; a newer live file is
    handed back to be checked."""
    found, newer = summary_changes.lowered(before, after)
    assert sorted(found) == sorted(summary_changes.Lowering(p, why) for p, why in lowerings)
    assert newer == check


def test_the_tag_split_adds_up_to_the_totals_across_midnight() -> None:
    """Each session is in one tag set, whatever its tags' order; a session across midnight
    splits its seconds over both days in its tag set too, and counts once, where it starts."""
    intervals = [
        Interval("205", at("2026-11-20T23:00"), at("2026-11-21T01:30"), True, ("api", "review")),
        Interval("205", at("2026-11-21T09:00"), at("2026-11-21T10:00"), True),
        Interval("205", at("2026-11-21T11:00"), at("2026-11-21T11:20"), False, ("api",)),
    ]
    grain = {"per_task": True, "by_day": True}
    totals = summary.totals(intervals, "2026-11", ZULU, **grain)
    split = summary.tag_split(intervals, "2026-11", ZULU, **grain)
    assert split["2026-11-20"]["205"] == {
        "api+review": {"billable_seconds": 3600, "non_billable_seconds": 0, "sessions": 1}
    }
    assert split["2026-11-21"]["205"] == {
        "-": {"billable_seconds": 3600, "non_billable_seconds": 0, "sessions": 1},
        "api": {"billable_seconds": 0, "non_billable_seconds": 1200, "sessions": 1},
        "api+review": {"billable_seconds": 5400, "non_billable_seconds": 0, "sessions": 0},
    }
    doc = summary.build(
        user="alice",
        store=STORE,
        month="2026-11",
        timezone="UTC",
        seq=1,
        detail={"per_task": True, "period": "day", "tags": True},
        periods=totals,
        tags=split,
    )
    assert summary.tag_problems(doc) == [] and summary.plainly_valid(doc)
    text = summary.dumps(doc).decode()
    assert '\n    "2026-11-21": {"205":{"-":' in text  # a period per line, as totals
    doc["tags"]["2026-11-21"]["205"]["api"]["sessions"] = 2
    assert summary.tag_problems(doc) == [
        "$.tags['2026-11-21']['205']: does not add up to $.totals['2026-11-21']['205'] "
        "(edited by hand?): restore the file from git history"
    ]
    del doc["tags"]
    assert summary.tag_problems(doc) == ["$.tags: missing, though detail.tags is true"]
