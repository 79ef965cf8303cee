from __future__ import annotations


class FatalError(RuntimeError):
    """A problem the user can act on: printed as one line, exit 1."""

    exit_code = 1


class Unverifiable(FatalError):
    """What a check needs is not in this clone (history, a ref): exit 2, so CI tells "could
    not check" from "checked and found a problem" (exit 1)."""

    exit_code = 2


class BrokenFile(FatalError):
    """A data file that cannot be trusted (empty, truncated, unparsable or off-schema)."""

    def __init__(self, path: str, problem: str, fix: str) -> None:
        super().__init__(f"{path}: {problem}; {fix}" if fix else f"{path}: {problem}")
        self.path = path
        self.problem = problem
