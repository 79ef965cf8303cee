from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import git


def whoami(ff: Any, *extra: str) -> Any:
    return ff("status", "--json", *extra)


def test_user_resolution_order(ff: Any, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FFHOOKS_USER")
    assert whoami(ff).json()["user"] == "tester"  # local part of user.email
    git(repo, "config", "ffhooks.user", "Bob")
    assert whoami(ff).json()["user"] == "bob"  # lower-cased
    monkeypatch.setenv("FFHOOKS_USER", "carol")
    assert whoami(ff).json()["user"] == "carol"
    assert whoami(ff, "--user", "dave").json()["user"] == "dave"


def test_login_name_is_the_last_resort(
    ff: Any, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FFHOOKS_USER")
    git(repo, "config", "user.email", "")
    monkeypatch.setenv("LOGNAME", "Erin")
    assert whoami(ff).json()["user"] == "erin"


@pytest.mark.parametrize("name", ["../x", "a/b", "", " ", ".hidden", "x" * 65, "a\\b", "é"])
def test_hostile_user_names_are_refused(ff: Any, repo: Path, name: str) -> None:
    result = ff("start", "1", "--user", name)
    assert result.code == 1
    assert "is not allowed" in result.err and "\n" not in result.err.strip()
    assert not (repo / ".flowforge").exists()


def test_hostile_name_from_environment(
    ff: Any, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FFHOOKS_USER", "../../etc")
    result = ff("add", "1", "1h")
    assert result.code == 1 and "from FFHOOKS_USER" in result.err
