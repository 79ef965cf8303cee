"""Legacy FlowForge time files and JSON lines, read one entry at a time.

`LegacyReader` walks a legacy file's object of tasks with a `jsonscan.Scanner` (never the
whole file in memory), yielding each session and task field as an event and saying after
each one where a later run may resume. `LinesReader` does the same for JSON lines. Objects
with a key given twice carry `DUP`. Nothing here adds up time or judges a session: that is
`ffhooks.migrate.run`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ffhooks.migrate.jsonscan import DECODER, Scanner
from ffhooks.records import Any

NOT_TASKS = frozenset({"sessions", "metadata"})
CHUNK = 1 << 20  # bytes read at a time
Event = tuple[str, Any, Any]


class LegacyReader:
    """Events of a legacy task object: ("session", (task, index), raw), ("field", (task,
    name), raw), ("other", key, raw) and ("duplicate-task", key, None). After each event,
    `point()` is where to resume: after a top-level value, just inside a task, after a field
    of a task, or after a session of a task."""

    def __init__(self, path: Path, shown: str, resume: dict[str, Any] | None) -> None:
        self.path = path
        self.shown = shown
        self.resume = resume
        self.at: tuple[str, str | None, int] = ("top", None, -1)
        self.tasks: set[str] = set(resume["tasks"]) if resume else set()
        self.scan: Scanner | None = None

    def point(self) -> dict[str, Any]:
        assert self.scan is not None
        level, task, index = self.at
        return {
            "offset": self.scan.offset(),
            "at": level,
            "task": task,
            "index": index,
            "tasks": sorted(self.tasks),
        }

    def done(self) -> int:
        return self.scan.offset() if self.scan else 0

    def events(self) -> Iterator[Event]:
        with open(self.path, "rb") as handle:
            resume = self.resume
            offset = resume["offset"] if resume else 0
            scan = self.scan = Scanner(handle, offset, self.shown, CHUNK)
            if resume is None:
                if scan.peek() != "{":
                    raise scan.broken("is not a legacy time file: expected a JSON object of tasks")
                scan.pos += 1
                yield from self._top(scan, first=True)
                return
            level, task = resume["at"], resume["task"]
            self.at = (level, task, resume["index"])
            if level == "sessions":
                yield from self._sessions(scan, task, resume["index"] + 1)
                level = "task"
            if level in ("open", "task"):
                yield from self._task(scan, task, first=level == "open")
            yield from self._top(scan, first=False)

    def _top(self, scan: Scanner, *, first: bool) -> Iterator[Event]:
        while True:
            if scan.peek() == "}":
                scan.pos += 1
                if scan.peek():
                    raise scan.broken("has text after its closing }")
                return
            if not first:
                scan.expect(",")
            first = False
            key = scan.key()
            if key not in NOT_TASKS and scan.peek() == "{":
                scan.pos += 1
                if key in self.tasks:
                    self.at = ("open", key, -1)
                    yield "duplicate-task", key, None
                self.tasks.add(key)
                yield from self._task(scan, key, first=True)
                continue
            value = scan.value()
            self.at = ("top", None, -1)
            yield "other", key, value

    def _task(self, scan: Scanner, task: str, *, first: bool) -> Iterator[Event]:
        while True:
            if scan.peek() == "}":
                scan.pos += 1
                self.at = ("top", None, -1)
                return
            if not first:
                scan.expect(",")
            first = False
            name = scan.key()
            if name == "sessions" and scan.peek() == "[":
                scan.pos += 1
                yield from self._sessions(scan, task, 0)
                continue
            value = scan.value()
            self.at = ("task", task, -1)
            yield "field", (task, name), value

    def _sessions(self, scan: Scanner, task: str, index: int) -> Iterator[Event]:
        first = index == 0
        while True:
            if scan.peek() == "]":
                scan.pos += 1
                self.at = ("task", task, -1)
                return
            if not first:
                scan.expect(",")
            first = False
            value = scan.value()
            self.at = ("sessions", task, index)
            yield "session", (task, index), value
            index += 1


class LinesReader:
    """Events of a JSON-lines file: ("line", number, raw) or ("bad", number, problem)."""

    def __init__(self, path: Path, resume: dict[str, Any] | None) -> None:
        self.path = path
        self.offset = resume["offset"] if resume else 0
        self.line = resume["line"] if resume else 0

    def point(self) -> dict[str, Any]:
        return {"offset": self.offset, "line": self.line}

    def done(self) -> int:
        return self.offset

    def events(self) -> Iterator[Event]:
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            for raw in handle:
                self.line += 1
                self.offset += len(raw)
                if raw.isspace():
                    continue
                try:
                    value = DECODER.decode(raw.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    yield "bad", self.line, f"is not UTF-8 (byte {exc.start} of the line)"
                    continue
                except json.JSONDecodeError as exc:
                    yield "bad", self.line, f"is not valid JSON ({exc.msg})"
                    continue
                yield "line", self.line, value
