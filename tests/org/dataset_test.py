"""`ffhooks collect` and `ffhooks report --dataset`: an organisation's dataset from real
repositories (clones, bare mirrors, URLs, list files), whose reports equal the sum of the
repositories' own, to the second and to the cent, read by DuckDB or, without it, in Python."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, git
from helpers import set_config

from ffhooks.errors import FatalError
from ffhooks.org.sources import sources

duckdb = pytest.importorskip("duckdb")

# Who worked on what in each repository: (user, task, duration, start)
WORK = {
    "api": [
        ("alice", "205", "1h07m", "2026-10-05 09:00"),
        ("alice", "205", "20m", "2026-11-10 09:00"),
        ("bob", "206", "2h13m", "2026-11-17 09:00"),
        ("bob", "205", "7m", "2026-11-17 14:00"),
    ],
    "web": [
        ("alice", "9", "44m", "2026-11-09 13:00"),
        ("carol", "10", "3h01m", "2026-11-18 10:00"),
    ],
    "tools": [("dave", "x,y", "50m", "2026-11-02 08:00")],  # a task with a comma in its name
}
RATES = {
    "api": {"default": 100, "users": {"bob": 80.5}, "tasks": {"206": 133.33}},
    "web": {"default": 97.77},
}
MONTHLY = {"tools"}  # summaries of whole months: rows without a day
# the teams' minimum billable increments: their reports round to them without --round
INCREMENTS = {"api": {"round_minutes": 15}, "web": {"round_minutes": 6, "round_mode": "nearest"}}


def make_repo(path: Path, ff: Any, monkeypatch: pytest.MonkeyPatch, name: str) -> Path:
    """A repository with WORK[name] recorded through ffhooks and committed, priced in euros
    by RATES[name] where it has rates."""
    path.mkdir(parents=True)
    git(path, "init", "-q")
    monkeypatch.chdir(path)
    assert ff("init", "--no-hook").code == 0
    if name in RATES:
        set_config(path, rates=RATES[name], currency="EUR")
    if name in INCREMENTS:
        set_config(path, report=INCREMENTS[name])
    if name in MONTHLY:
        set_config(path, summary_detail={"per_task": True, "period": "month"})
    for user, task, duration, start in WORK[name]:
        monkeypatch.setenv("FFHOOKS_USER", user)
        assert ff("add", task, duration, "--start", start).code == 0
    assert ff("add", "ops", "30m", "--start", "2026-11-19 08:00", "--no-billable").code == 0
    add_commit(path, ff)
    return path


def add_commit(path: Path, ff: Any) -> None:
    os.chdir(path)
    assert ff("aggregate").code == 0
    git(path, "add", "-A")
    git(path, "commit", "-qm", "time", "--no-verify")


@pytest.fixture
def org(tmp_path: Path, ff: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Three repositories; `web` read from a bare mirror, as a server holds it."""
    monkeypatch.setenv("FFHOOKS_NOW", NOW)
    found = {name: make_repo(tmp_path / "src" / name, ff, monkeypatch, name) for name in WORK}
    mirror = tmp_path / "mirrors" / "web.git"
    git(tmp_path, "clone", "-q", "--mirror", str(found["web"]), str(mirror))
    monkeypatch.chdir(tmp_path)
    return {**found, "web.git": mirror}


def run(cwd: Path, *argv: str, duck: bool = True) -> subprocess.CompletedProcess[str]:
    """`ffhooks ARGV` as a process; without `duck`, one in which DuckDB cannot be imported
    (as where the `dataset` extra is not installed)."""
    block = "" if duck else "import sys; sys.modules['duckdb'] = None; "
    code = f"{block}import sys; from ffhooks.main import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        (sys.executable, "-c", code, *argv), cwd=cwd, capture_output=True, text=True, check=False
    )


def report(cwd: Path, *argv: str, duck: bool = True) -> dict[str, Any]:
    done = run(cwd, "report", "--format", "json", *argv, duck=duck)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def collect(cwd: Path, *argv: str, duck: bool = True) -> subprocess.CompletedProcess[str]:
    done = run(cwd, "collect", *argv, duck=duck)
    assert done.returncode == 0, done.stderr
    return done


def listing(tmp: Path, org: dict[str, Path]) -> Path:
    """A list file: api by a relative path at its main branch, web's mirror, tools."""
    listed = tmp / "repos.txt"
    listed.write_text(
        "# the organisation's repositories\n"
        "src/api ref=main\n"
        f"{org['web.git']}   # the server's mirror\n"
        f"{org['tools']} name=tools\n"
    )
    return listed


OPTIONS = [
    (),
    ("--round", "0"),
    ("--round-mode", "nearest"),
    ("--by", "repo"),
    ("--by", "day,user"),
    ("--by", "week", "--round", "15"),
    ("--by", "month,task", "--round", "6", "--round-mode", "nearest"),
    ("--from", "2026-11-10", "--to", "2026-11-18", "--by", "user"),
]


@pytest.mark.parametrize("options", OPTIONS)
def test_totals_are_the_sum_of_each_repository_report(
    org: dict[str, Path], tmp_path: Path, options: tuple[str, ...]
) -> None:
    collect(tmp_path, str(listing(tmp_path, org)), "-o", "data")
    whole = report(tmp_path, "--dataset", "data", *options)
    own = [o for o in options if o != "repo"] if "repo" in options else list(options)
    if own[:1] == ["--by"] and not own[1:2]:
        own = []
    apart = [report(org[name], "--ref", "HEAD", *own)["totals"] for name in WORK]
    for measure in ("billable_seconds", "non_billable_seconds", "sessions", "amount_cents"):
        assert whole["totals"][measure] == sum(t.get(measure, 0) for t in apart), measure
    assert whole["totals"]["amount_cents"] > 0 and whole["currency"] == "EUR"
    assert [r["repo"] for r in whole["repos"]] == ["api", "tools", "web"]
    # the same figures without DuckDB: the JSON-lines copy read in Python
    assert report(tmp_path, "--dataset", "data", *options, duck=False) == whole


def test_by_repo_rows_are_each_repository_report(org: dict[str, Path], tmp_path: Path) -> None:
    collect(tmp_path, str(org["api"]), str(org["web.git"]), str(org["tools"]), "-o", "data")
    rows = report(tmp_path, "--dataset", "data", "--by", "repo", "--round", "15")["rows"]
    for row in rows:
        own = report(org[row["repo"]], "--ref", "HEAD", "--round", "15")["totals"]
        # a row without rates shows 0.00 where others have some, as in one repository's report
        assert {k: row[k] for k in own} == own
        assert row["amount_cents"] == own.get("amount_cents", 0)
    assert [r["repo"] for r in rows] == ["api", "tools", "web"]
    # the other formats print the same report
    table = run(tmp_path, "report", "--dataset", "data", "--by", "repo,user")
    assert table.returncode == 0 and "carol" in table.stdout and "tools" in table.stdout
    # where the figures come from: each repository's commit as collected
    commit = git(org["api"], "rev-parse", "HEAD").strip()
    assert "note: from the dataset data: 3 repositories" in table.stdout
    assert "note: read api at " in table.stdout and f"(commit {commit[:12]})" in table.stdout
    page = run(tmp_path, "report", "--dataset", "data", "--format", "html", "-o", "r.html")
    assert page.returncode == 0 and "carol" in (tmp_path / "r.html").read_text()


def test_parquet_loads_in_duckdb_as_the_json_lines_copy(
    org: dict[str, Path], tmp_path: Path
) -> None:
    collect(tmp_path, str(listing(tmp_path, org)), "-o", "data")
    data = tmp_path / "data"
    parts = sorted(p.relative_to(data / "parquet") for p in data.glob("parquet/*/*/*.parquet"))
    assert [str(p.parent) for p in parts] == [
        "repo=api/month=2026-10",
        "repo=api/month=2026-11",
        "repo=tools/month=2026-11",
        "repo=web/month=2026-11",
    ]
    loaded = duckdb.sql(
        f'SELECT repo, month, "user", task, day, billable_seconds, amount_cents, rate '
        f"FROM read_parquet('{data}/parquet/*/*/*.parquet', hive_partitioning = true) "
        "ORDER BY ALL"
    ).fetchall()
    lines = [
        json.loads(line) for path in sorted(data.glob("jsonl/*.jsonl")) for line in path.open()
    ]
    assert loaded == sorted(
        (
            r["repo"],
            r["month"],
            r["user"],
            r["task"],
            r["day"] and date.fromisoformat(r["day"]),
            r["billable_seconds"],
            r["amount_cents"],
            r["rate"],
        )
        for r in lines
    )
    assert ("tools", "2026-11", "dave", "x,y", None) in [x[:5] for x in loaded]
    manifest = json.loads((data / "manifest.json").read_text())
    web = manifest["repos"]["web"]
    assert web["commit"] == git(org["web"], "rev-parse", "HEAD").strip()
    assert web["source"] == str(org["web.git"]) and web["ref"] == "HEAD"
    assert manifest["repos"]["api"]["ref"] == "main"
    assert web["signatures"] == {
        "policy": "off",
        "checked": False,
        "summaries": 2,
        "signed": 0,
        "unverified": [],
    }


def test_collect_again_rewrites_only_the_repositories_that_moved(
    org: dict[str, Path], tmp_path: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = str(listing(tmp_path, org))
    collect(tmp_path, listed, "-o", "data")
    data = tmp_path / "data"

    def files() -> list[Path]:
        return [*data.glob("parquet/*/*/*.parquet"), *data.glob("jsonl/*")]

    for path in files():  # dated 1970: a file written again has a new date
        os.utime(path, (0, 0))
    monkeypatch.setenv("FFHOOKS_USER", "carol")
    monkeypatch.setenv("FFHOOKS_NOW", "2026-12-02T10:00:00Z")
    monkeypatch.chdir(org["web"])
    assert ff("add", "10", "1h", "--start", "2026-12-01 09:00").code == 0
    add_commit(org["web"], ff)
    git(org["web.git"], "fetch", "-q", "origin")
    again = collect(tmp_path, listed, "-o", "data")
    assert "unchanged api" in again.stdout and "unchanged tools" in again.stdout
    assert "collected web" in again.stdout
    moved = {str(p.relative_to(data)) for p in files() if p.stat().st_mtime > 0}
    assert moved == {
        "jsonl/web.jsonl",
        "parquet/repo=web/month=2026-11/data_0.parquet",
        "parquet/repo=web/month=2026-12/data_0.parquet",
    }
    web = report(org["web"], "--ref", "HEAD")["totals"]
    rows = report(tmp_path, "--dataset", "data", "--by", "repo")["rows"]
    assert {k: v for k, v in rows[-1].items() if k != "repo"} == web
    # a repository no longer listed is kept, and said so, until --prune
    kept = collect(tmp_path, str(org["api"]), "-o", "data")
    assert "kept 2 repositories no longer listed (tools, web)" in kept.stderr
    pruned = collect(tmp_path, str(org["api"]), "-o", "data", "--prune")
    assert "removed 2 repositories" in pruned.stdout
    assert sorted(p.name for p in (data / "parquet").iterdir()) == ["repo=api"]
    assert [r["repo"] for r in report(tmp_path, "--dataset", "data")["repos"]] == ["api"]


def test_closed_periods_count_as_in_the_repository(
    org: dict[str, Path], tmp_path: Path, ff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A closed November and time added to it since: the dataset counts the closed figures
    (as `report --ref` does) and names the adjustment."""
    api = org["api"]
    monkeypatch.chdir(api)
    monkeypatch.setenv("FFHOOKS_NOW", "2026-12-02T10:00:00Z")
    assert ff("close", "2026-11", "-m", "INV-1").code == 0
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    assert ff("add", "205", "2h", "--start", "2026-11-12 09:00").code == 0
    add_commit(api, ff)
    collect(tmp_path, str(api), "-o", "data")
    whole = report(tmp_path, "--dataset", "data", "--by", "user,day")
    own = report(api, "--ref", "HEAD", "--by", "user,day")
    assert whole["rows"] == own["rows"] and whole["totals"] == own["totals"]
    assert [a["repo"] for a in whole["adjustments"]] == ["api"]
    assert any(n.startswith("api: ADJUSTMENT to closed period 2026-11") for n in whole["notes"])
    rows = [json.loads(x) for x in (tmp_path / "data/jsonl/api.jsonl").open()]
    assert {r["closed"] for r in rows if r["month"] == "2026-11"} == {"2026-11"}
    assert {r["closed"] for r in rows if r["month"] == "2026-10"} == {None}


def test_without_duckdb_the_json_lines_copy_is_written_and_read(
    org: dict[str, Path], tmp_path: Path
) -> None:
    done = collect(tmp_path, str(listing(tmp_path, org)), "-o", "data", duck=False)
    assert "pip install 'ffhooks[dataset]'" in done.stderr
    assert not (tmp_path / "data/parquet").exists()
    apart = report(tmp_path, "--dataset", "data", "--by", "repo,user", duck=False)
    # DuckDB installed later: the next collection writes the Parquet table, same figures
    later = collect(tmp_path, str(listing(tmp_path, org)), "-o", "data")
    assert "collected api" in later.stdout
    again = report(tmp_path, "--dataset", "data", "--by", "repo,user")
    assert again["rows"] == apart["rows"] and again["totals"] == apart["totals"]


def test_urls_are_mirrored_and_fetched(org: dict[str, Path], tmp_path: Path) -> None:
    url = f"file://{org['tools']}"
    collect(tmp_path, url, "-o", "data")
    assert (tmp_path / "data/.mirrors/tools.git/HEAD").exists()
    assert "unchanged tools" in collect(tmp_path, url, "-o", "data").stdout
    # a hostile folder name: its partition's is safe
    hostile = tmp_path / "x=1 ..team"
    git(tmp_path, "clone", "-q", str(org["api"]), str(hostile))
    collect(tmp_path, str(hostile), "-o", "data")
    assert (tmp_path / "data/parquet/repo=x-1-..team/month=2026-10").is_dir()
    assert (tmp_path / "data/jsonl/x-1-..team.jsonl").is_file()
    manifest = json.loads((tmp_path / "data/manifest.json").read_text())
    assert manifest["repos"]["x-1-..team"]["ref"] == "refs/remotes/origin/HEAD"


def test_names_are_safe_and_never_shared(tmp_path: Path) -> None:
    assert [s.name for s in sources(["/x/a=b..c.git", "https://h/o/r%20x.git"], None)] == [
        "a-b..c",
        "r-20x",
    ]
    with pytest.raises(FatalError, match="two repositories would be named 'api'"):
        sources(["/team-a/api", "/team-b/api.git"], None)
    listed = tmp_path / "list"
    listed.write_text("/team-a/api\n/team-b/api name=b-api ref=v2\n")
    assert [(s.name, s.ref) for s in sources([str(listed)], "main")] == [
        ("api", "main"),
        ("b-api", "v2"),
    ]
    for line, problem in (("/x name=../up", "a repository's name is"), ("/x colour=red", "write")):
        listed.write_text(line + "\n")
        with pytest.raises(FatalError, match=problem):
            sources([str(listed)], None)
    with pytest.raises(FatalError, match="gives no usable name"):
        sources(["/x/..."], None)


def test_bad_input_is_one_line(org: dict[str, Path], tmp_path: Path) -> None:
    cases: list[tuple[tuple[str, ...], str]] = [
        (("collect", str(tmp_path / "nowhere"), "-o", "d"), "no such folder"),
        (("collect", str(org["api"] / ".flowforge"), "-o", "d"), "not a git repository's top"),
        (("collect", str(org["api"]), "--ref", "nope", "-o", "d"), "api ("),
        (("report", "--dataset", "src"), "no manifest.json"),
        (("report", "--by", "repo"), "(repo with --dataset)"),
    ]
    for argv, problem in cases:
        done = run(tmp_path if argv[0] == "collect" else org["api"], *argv)
        assert done.returncode in (1, 2) and problem in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    collect(tmp_path, str(org["api"]), str(org["web.git"]), "-o", "data")
    for argv, problem in (
        (("--user", "zed"), "no summaries for user 'zed'"),
        (("--repo", "nope"), "no repository 'nope'"),
        (("--ref", "HEAD"), "--ref does not apply to --dataset"),
    ):
        done = run(tmp_path, "report", "--dataset", "data", *argv)
        assert done.returncode == 1 and problem in done.stderr, done.stderr
    shutil.rmtree(tmp_path / "data/parquet/repo=web")
    done = run(tmp_path, "report", "--dataset", "data")
    assert done.returncode == 1 and "collect the dataset again" in done.stderr, done.stderr
    again = collect(tmp_path, str(org["api"]), str(org["web.git"]), "-o", "data")
    assert "unchanged api" in again.stdout and "collected web" in again.stdout
    (org["web"] / ".flowforge/team/config.json").write_text(
        json.dumps({"rates": {"default": 1}, "currency": "USD"})
    )
    collect(tmp_path, str(org["api"]), str(org["web"]), "-o", "usd")
    done = run(tmp_path, "report", "--dataset", "usd")
    assert "different currencies (EUR: api; USD: web)" in done.stderr
    assert report(tmp_path, "--dataset", "usd", "--repo", "web")["currency"] == "USD"


def test_signatures_are_checked_as_the_repository_report_checks_them(
    org: dict[str, Path], tmp_path: Path
) -> None:
    """A team requiring signatures whose summaries are unsigned: refused, naming the
    repository, unless --include-unverified; then counted and named in the manifest."""
    tools = org["tools"]
    set_config(tools, signatures="required")
    git(tools, "commit", "-qam", "sign from now on", "--no-verify")
    refused = run(tmp_path, "collect", str(org["api"]), str(tools), "-o", "data", "--jobs", "1")
    assert refused.returncode == 1
    assert "tools (" in refused.stderr and "fail the team's signature check" in refused.stderr
    manifest = json.loads((tmp_path / "data/manifest.json").read_text())
    assert list(manifest["repos"]) == ["api"]  # collected before it: kept
    collect(tmp_path, str(org["api"]), str(tools), "-o", "data", "--include-unverified")
    signatures = json.loads((tmp_path / "data/manifest.json").read_text())["repos"]["tools"][
        "signatures"
    ]
    assert signatures["policy"] == "required" and signatures["checked"]
    assert len(signatures["unverified"]) == signatures["summaries"] == 1
    whole = report(tmp_path, "--dataset", "data", "--repo", "tools")
    own = report(tools, "--ref", "HEAD", "--include-unverified")
    assert whole["totals"] == own["totals"]
    assert [u["repo"] for u in whole["unverified"]] == ["tools"]
    assert any(n.startswith("tools: UNVERIFIED") for n in whole["notes"])


def test_a_dataset_that_cannot_be_written_is_one_line(org: dict[str, Path], tmp_path: Path) -> None:
    """Here a file where the Parquet table's folder goes (as a full disk fails the same)."""
    collect(tmp_path, str(org["api"]), "-o", "data")
    shutil.rmtree(tmp_path / "data/parquet")
    (tmp_path / "data/parquet").write_text("")
    done = run(tmp_path, "collect", str(org["api"]), "-o", "data")
    assert done.returncode == 1 and "data: cannot be written (" in done.stderr, done.stderr


def test_a_row_per_store_and_a_person_s_stores_added_up_before_rounding(
    org: dict[str, Path], ff: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # alice's second laptop: another store, time on the same task and day as the first
    laptop = tmp_path / "laptop"
    git(tmp_path, "clone", "-q", str(org["api"]), str(laptop))
    monkeypatch.chdir(laptop)
    monkeypatch.setenv("FFHOOKS_USER", "alice")
    assert ff("init", "--no-hook").code == 0
    assert ff("add", "205", "8m", "--start", "2026-11-10 15:00").code == 0
    add_commit(laptop, ff)
    git(org["api"], "pull", "-q", "--no-rebase", str(laptop), "HEAD")
    monkeypatch.chdir(tmp_path)
    collect(tmp_path, str(org["api"]), "-o", "data")
    rows = [json.loads(line) for line in (tmp_path / "data/jsonl/api.jsonl").read_text().split()]
    day = [r for r in rows if (r["user"], r["task"], r["day"]) == ("alice", "205", "2026-11-10")]
    assert sorted(r["billable_seconds"] for r in day) == [480, 1200]
    assert len({r["store"] for r in day}) == 2 and all(r["store"] for r in day)
    # 20 + 8 minutes in one day: one unit, rounded up to 30 minutes once (not 30 + 15)
    own = report(org["api"], "--ref", "HEAD", "--by", "user,task,day")
    for duck in (True, False):
        got = report(tmp_path, "--dataset", "data", "--by", "user,task,day", duck=duck)
        assert got["rows"] == own["rows"] and got["totals"] == own["totals"], duck
    (alice,) = [r for r in own["rows"] if (r["user"], r["day"]) == ("alice", "2026-11-10")]
    assert alice["billable_seconds"] == 1800
