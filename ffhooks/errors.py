from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

# What a file holding a version or a key this ffhooks does not know is told (the team config,
# a summary): a teammate's newer ffhooks wrote it
NEWER = (
    "a newer ffhooks may have written it: upgrade (`pip install -U ffhooks`, or the hook's `rev:`)"
)


class FatalError(RuntimeError):
    """A problem the user can act on: printed as one line, exit 1. `details`, when there are
    several things to name (every problem of a file), are said one per line before it; the
    line itself still stands alone (a queued failure keeps only it)."""

    exit_code = 1

    def __init__(self, message: str = "", *, details: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.details = tuple(details)


class Unverifiable(FatalError):
    """What a check needs is not in this clone (history, a ref): exit 2, so CI tells "could
    not check" from "checked and found a problem" (exit 1)."""

    exit_code = 2


class BrokenFile(FatalError):
    """A data file that cannot be trusted (empty, truncated, unparsable or off-schema)."""

    def __init__(self, path: str, problem: str, fix: str, *, details: Iterable[str] = ()) -> None:
        message = f"{path}: {problem}; {fix}" if fix else f"{path}: {problem}"
        super().__init__(message, details=details)
        self.path = path
        self.problem = problem
