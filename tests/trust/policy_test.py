"""The root of trust (issue 13): who may sign is decided by the team config and
allowed_signers, so `verify --since BASE` names a pull request that weakens the policy or
changes the signers; and ffhooks finds an SSH key where git signs commits with GPG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import commit, git
from helpers import CONFIG, SIGNERS, keygen, set_config


def signed_team(repo: Path, ff: Any, tmp_path: Path) -> None:
    """alice signs, the team requires it, and one month is summarised and committed."""
    git(repo, "config", "user.signingkey", str(keygen(tmp_path, "alice")))
    assert ff("init", "--signing").code == 0
    set_config(repo, signatures="required")
    assert ff("add", "205", "1h", "--start", "2026-11-20T09:00:00Z").code == 0
    assert ff("aggregate").code == 0
    git(repo, "add", "-A")
    assert commit(repo, "-m", "signed").returncode == 0
    git(repo, "branch", "base")


def test_a_weaker_policy_since_the_base_is_a_problem(
    initialised: Path, ff: Any, tmp_path: Path
) -> None:
    signed_team(initialised, ff, tmp_path)
    for weaker in ({"signatures": "warn"}, {"signatures_from": "2026-12"}):
        git(initialised, "checkout", "-q", "-B", "pr", "base")
        set_config(initialised, **weaker)
        assert commit(initialised, "-am", "weaker", "--no-verify").returncode == 0
        assert ff("verify").code == 0  # by its own config, the branch is fine
        result = ff("verify", "--since", "base")
        assert result.code == 1
        assert f"{CONFIG}: asks less of signatures than base did" in result.out
    git(initialised, "checkout", "-q", "-B", "pr", "base")
    set_config(initialised, max_session_hours=10)  # the policy itself unchanged
    assert commit(initialised, "-am", "other setting", "--no-verify").returncode == 0
    assert ff("verify", "--since", "base").code == 0


def test_a_changed_allowed_signers_is_a_warning_to_review(
    initialised: Path, ff: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    signed_team(initialised, ff, tmp_path)
    git(initialised, "checkout", "-q", "-b", "pr")
    git(initialised, "config", "user.signingkey", str(keygen(tmp_path, "mallory")))
    monkeypatch.setenv("FFHOOKS_USER", "mallory")
    assert ff("init", "--signing").code == 0  # staged: the line for review
    assert commit(initialised, "-m", "add mallory", "--no-verify").returncode == 0
    result = ff("verify", "--since", "base", "--format", "json")
    assert result.code == 0
    assert result.json()["warnings"] == [
        {
            "path": SIGNERS,
            "problem": "changed since base (1 line(s) added, 0 removed): review who may now "
            "sign for whom",
        }
    ]
    text = ff("verify", "--since", "base").out
    assert "warning: .flowforge/team/allowed_signers: changed" in text


def test_ffhooks_signingkey_wins_over_a_gpg_user_signingkey(
    initialised: Path, ff: Any, tmp_path: Path
) -> None:
    git(initialised, "config", "user.signingkey", "0123456789ABCDEF")  # a GPG key id
    set_config(initialised, signatures="required")
    assert ff("add", "205", "1h", "--start", "2026-11-20T09:00:00Z").code == 0
    refused = ff("aggregate")
    assert refused.code == 1 and "ffhooks.signingkey" in refused.err
    assert "Traceback" not in refused.err and len(refused.err.strip().splitlines()) == 1
    git(initialised, "config", "ffhooks.signingkey", str(keygen(tmp_path, "alice")))
    assert ff("init", "--signing").code == 0
    assert ff("aggregate").code == 0
    git(initialised, "add", "-A")
    assert commit(initialised, "-m", "signed").returncode == 0
    assert ff("verify").code == 0
    report = ff("report", "--format", "json")
    assert report.code == 0 and report.json()["totals"]["billable_seconds"] == 3600
