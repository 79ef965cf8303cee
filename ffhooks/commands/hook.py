"""`ffhooks hook`: the whole commit hook in one process (one interpreter start and one set of
imports per commit), as `hook/pipeline.py` runs it: refuse what must not be committed, fold
every store into the team summaries, then validate the staged `.flowforge` JSON and the
team's own globs. This prints what the pipeline says, where the person committing sees it."""

from __future__ import annotations

import sys

from ffhooks.git.plumbing import Repo


def hook(repo: Repo) -> int:
    from ffhooks.hook.output import shown

    return shown(lambda: _hook(repo))


def _hook(repo: Repo) -> int:
    from ffhooks.hook.pipeline import run

    said = run(repo)
    for line in said.err:
        print(f"ffhooks: {line}", file=sys.stderr)
    for line in said.out:
        print(line)
    for refusal in said.refusals[:-1]:
        print(f"ffhooks: {refusal}", file=sys.stderr)
    if said.refusals:
        raise said.refusals[-1]
    return 0
