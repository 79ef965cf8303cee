from __future__ import annotations

import json

from ffhooks.errors import FatalError
from ffhooks.gitio import Repo, resolve_commit
from ffhooks.verify import losses_since, verify_commit


def verify(repo: Repo, *, ref: str, since: str | None, fmt: str) -> int:
    """CI: the committed summaries at `ref` are intact, no private file was committed, and
    (with `since`) nothing after `since` took billed time out of the record."""
    commit = resolve_commit(repo.top, ref)
    checked, found = verify_commit(repo.top, commit)
    if since is not None:
        found += losses_since(repo.top, resolve_commit(repo.top, since), commit)
    if fmt == "json":
        result = {
            "ref": ref,
            "since": since,
            "commit": commit,
            "files_checked": checked,
            "ok": not found,
            "problems": [{"path": f.path, "problem": f.problem} for f in found],
        }
        print(json.dumps(result, indent=2))
        return 1 if found else 0
    for finding in found:
        print(finding)
    if found:
        raise FatalError(f"{len(found)} problem(s) in the team record at {ref} ({commit[:12]})")
    print(f"{ref} ({commit[:12]}): {checked} file(s) under .flowforge/, all valid")
    return 0
