"""The daemon as users run it: a real `ffhooks daemon` process on a real clone."""

from __future__ import annotations

import configparser
import json
import plistlib
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, git, wait_for

from ffhooks import queue
from ffhooks.clock import parse_iso
from ffhooks.validator.schema import first_error

ROOT = Path(__file__).resolve().parents[2]
STATE = Path(".git/ffhooks")
MANIFESTS = STATE / "snapshots" / "manifests"


def health_file(repo: Path) -> dict[str, Any] | None:
    try:
        doc: dict[str, Any] = json.loads((repo / STATE / "health.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return doc


def manifests(repo: Path) -> list[str]:
    folder = repo / MANIFESTS
    return sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else []


def ffhooks(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ("ffhooks", *args), cwd=repo, capture_output=True, text=True, check=False, timeout=30
    )


@pytest.fixture
def start(repo: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start `ffhooks daemon --interval 0.2` in the repository (the environment carries
    FFHOOKS_USER and FFHOOKS_NOW); wait until its first round is recorded."""
    started: list[subprocess.Popen[str]] = []

    def run(*extra: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            ("ffhooks", "daemon", "--interval", "0.2", *extra),
            cwd=repo,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        wait_for(
            lambda: (
                proc.poll() is not None
                or ((h := health_file(repo)) and h["pid"] == proc.pid and h["rounds"] >= 1)
            ),
            "the first round",
        )
        assert proc.poll() is None, proc.communicate()
        return proc

    yield run
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> int:
    proc.send_signal(sig)
    proc.communicate(timeout=10)
    return proc.returncode


def test_snapshots_each_change_and_leaves_the_team_folder_alone(
    repo: Path, ff: Any, start: Any
) -> None:
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    copied = manifests(repo)  # a change copies itself: the daemon has nothing new to keep
    proc = start()
    wait_for(lambda: (h := health_file(repo)) and h["rounds"] > 1, "two rounds")
    assert manifests(repo) == copied
    # a change made outside ffhooks (an editor, a script) is the daemon's to keep
    daily = repo / ".flowforge/user/alice/time/daily/2026-11-20.json"
    doc = json.loads(daily.read_text())
    doc["sessions"][0]["note"] = "edited by hand"
    daily.write_text(json.dumps(doc))
    both = wait_for(lambda: len(m := manifests(repo)) > len(copied) and m, "a snapshot of it")
    time.sleep(0.5)  # rounds of an unchanged store add nothing
    assert manifests(repo) == both and both[: len(copied)] == copied
    newest = json.loads((repo / MANIFESTS / both[-1]).read_text())
    assert newest["reason"] == "daemon" and newest["user"] == "alice"
    assert stop(proc) == 0
    assert not (repo / ".flowforge" / "team").exists()
    assert (
        git(repo, "status", "--porcelain", "--untracked-files=all", "--", ".flowforge/team") == ""
    )
    health = health_file(repo)
    assert health is not None and first_error("health", health) is None
    assert health["last_snapshot"]["id"] == int(both[-1][:-5])


def test_retries_a_queued_snapshot_once_the_obstacle_is_gone(
    repo: Path, ff: Any, start: Any
) -> None:
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    state = repo / STATE
    shutil.rmtree(state / "snapshots")
    (state / "snapshots").write_text("in the way\n")  # no snapshot can be written now
    queue.record(state, "snapshot", "alice", "test", parse_iso(NOW))
    queue.record(state, "aggregate", "bob", "test", parse_iso(NOW))  # the daemon leaves it
    proc = start()
    health = wait_for(lambda: (h := health_file(repo)) and h["last_error"] and h, "a failed round")
    assert "snapshot" in health["last_error"]["message"] and health["queue_length"] == 2
    failing = ffhooks(repo, "health")
    assert failing.returncode == 1 and "problem: its last round failed" in failing.stdout
    (state / "snapshots").unlink()
    wait_for(lambda: len(queue.entries(state)) == 1, "the retry")
    [(_, left)] = queue.entries(state)
    assert left["operation"] == "aggregate"
    assert manifests(repo)
    result = ffhooks(repo, "health", "--json")
    report = json.loads(result.stdout)
    assert report["queue_length"] == 1 and report["running"] is True
    assert report["problems"] == ["1 failed operation waits in the queue: run `ffhooks recover`"]
    assert result.returncode == 1
    queue.done(next(iter(queue.entries(state)))[0])
    wait_for(lambda: health_file(repo)["queue_length"] == 0, "an empty queue")  # type: ignore[index]
    result = ffhooks(repo, "health", "--json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["queue_length"] == 0
    assert stop(proc) == 0
    log = (state / "daemon.log").read_text()
    assert "retried snapshot for alice: done" in log
    assert log.count("failed: snapshot") == 1  # the same failure every round: logged once


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_it_cleanly(repo: Path, ff: Any, start: Any, sig: int) -> None:
    proc = start()
    assert stop(proc, sig) == 0
    health = health_file(repo)
    assert health is not None and first_error("health", health) is None
    assert health["stopped"]["signal"] == signal.Signals(sig).name
    assert f"stopped by {signal.Signals(sig).name}" in (repo / STATE / "daemon.log").read_text()
    told = ffhooks(repo, "health")
    assert told.returncode == 1 and "the daemon is not running" in told.stdout
    again = ffhooks(repo, "daemon", "--once")  # the lock was released
    assert again.returncode == 0, again.stderr


def test_the_sleep_ends_at_once_on_a_signal(repo: Path, start: Any) -> None:
    proc = start("--interval", "300")  # argparse keeps the last --interval
    began = time.monotonic()
    assert stop(proc) == 0
    assert time.monotonic() - began < 5


def test_a_second_daemon_refuses_while_the_first_runs(repo: Path, start: Any) -> None:
    proc = start()
    second = ffhooks(repo, "daemon", "--interval", "0.2")
    assert second.returncode == 1
    assert second.stderr.count("\n") == 1
    assert f"a daemon already runs for this clone (pid {proc.pid}" in second.stderr
    assert proc.poll() is None
    assert stop(proc) == 0


def test_once(repo: Path, ff: Any) -> None:
    assert ff("daemon", "--once").code == 0  # no store yet: nothing to keep, not a failure
    assert health_file(repo)["last_snapshot"] is None  # type: ignore[index]
    assert ff("add", "205", "1h", "--start", "09:00").code == 0  # copied: snapshots 1, 2
    result = ff("daemon", "--once")
    assert result.code == 0 and result.out == result.err == ""
    assert manifests(repo) == ["00000001.json", "00000002.json"]  # nothing new to keep
    health = health_file(repo)
    assert health is not None and first_error("health", health) is None
    assert health["rounds"] == 1 and health["stopped"] is None
    assert health["updated"] == NOW and health["last_success"] == NOW
    told = ff("health")
    assert told.code == 1 and "ran with --once" in told.out
    assert "last snapshot: 2 at 2026-11-20T17:00:00Z" in told.out


def test_once_fails_on_a_broken_store_and_says_why(repo: Path, ff: Any) -> None:
    assert ff("add", "205", "1h", "--start", "09:00").code == 0
    (repo / ".flowforge" / "user" / "alice" / "store.json").write_text('{"version": ')
    result = ff("daemon", "--once")
    assert result.code == 1
    assert "store.json" in result.err and result.err.count("\n") == 1
    health = health_file(repo)
    assert health is not None and health["last_error"]["round"] == 1
    assert health["last_success"] is None


def test_health_of_a_daemon_that_never_ran_is_fine(repo: Path, ff: Any) -> None:
    """The daemon is optional: a clone where it never ran is healthy, unless failures wait
    in the queue that it would have retried."""
    result = ff("health")
    assert result.code == 0 and result.err == ""
    assert result.out.startswith("daemon: never ran in this clone (it is optional: ")
    assert "`ffhooks daemon`" in result.out and "problem" not in result.out
    told = ff("health", "--json")
    assert told.code == 0 and told.json() == {"running": False, "problems": []}
    queue.record(repo / STATE, "snapshot", "alice", "disk full", parse_iso(NOW))
    result = ff("health")
    assert result.code == 1
    assert "\nproblem: 1 failure(s) of ffhooks wait in this clone's queue" in result.out
    told = ff("health", "--json")
    assert told.code == 1 and "`ffhooks recover`" in told.json()["problems"][0]


def test_health_of_a_daemon_that_stopped_updating(
    repo: Path, ff: Any, start: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = start()
    assert ffhooks(repo, "health").returncode == 0
    monkeypatch.setenv("FFHOOKS_NOW", "2026-11-20T17:00:10Z")  # 10 s > 3 x 0.2 s + slack
    told = ffhooks(repo, "health")
    assert told.returncode == 1
    assert "problem: the daemon is not running: its last round was at" in told.stdout
    assert stop(proc) == 0


def test_a_broken_health_file_is_named(repo: Path, ff: Any) -> None:
    assert ff("daemon", "--once").code == 0
    path = repo / STATE / "health.json"
    path.write_text(path.read_text().replace('"rounds": 1', '"rounds": -1'))
    result = ff("health", "--json")
    assert result.code == 1 and "health.json: $.rounds: -1 is less than the minimum" in result.err


def test_the_log_is_bounded(repo: Path, ff: Any) -> None:
    log = repo / STATE / "daemon.log"
    log.parent.mkdir(parents=True)
    log.write_text("x" * 1_000_100 + "\n")
    assert ff("daemon", "--once").code == 0
    assert (repo / STATE / "daemon.log.1").stat().st_size > 1_000_000
    lines = log.read_text().splitlines()
    assert 1 <= len(lines) < 5
    for line in lines:
        stamp, _, event = line.partition(" ")
        assert datetime.fromisoformat(stamp.replace("Z", "+00:00")) and event
    assert "started: pid" in lines[0]


def test_a_bad_interval_is_refused(repo: Path, ff: Any) -> None:
    result = ff("daemon", "--interval", "0")
    assert result.code == 1 and "--interval 0 is not a positive number" in result.err


def test_systemd_unit_has_what_systemd_needs() -> None:
    [unit_file] = (ROOT / "hooks").glob("ffhooks-daemon*.service")
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(unit_file.read_text())
    assert unit.sections() == ["Unit", "Service", "Install"]
    service = unit["Service"]
    assert re.search(r"(^|/| )ffhooks daemon( |$)", service["ExecStart"])
    assert service["WorkingDirectory"]
    assert service["Restart"] == "on-failure"
    assert service.get("KillSignal", "SIGTERM") == "SIGTERM"
    assert unit["Install"]["WantedBy"] == "default.target"  # a user service


def test_launchd_agent_has_what_launchd_needs() -> None:
    agent = plistlib.loads((ROOT / "hooks" / "dev.ffhooks.daemon.plist").read_bytes())
    assert agent["Label"] == "dev.ffhooks.daemon"
    args = agent["ProgramArguments"]
    assert args[args.index("ffhooks") + 1] == "daemon"
    assert agent["WorkingDirectory"].startswith("/")
    assert agent["RunAtLoad"] is True and agent["KeepAlive"]
    assert agent["StandardOutPath"] and agent["StandardErrorPath"]
