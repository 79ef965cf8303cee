"""One JSON text decoded a value at a time, from a buffer of about a megabyte, with the byte
offset of every point reached (where a later run may resume) and line and column in errors.

A legacy file may be 150 MB of one JSON object, so it is never parsed whole: `migrate/jsonstream.py`
walks it with a `Scanner`. Objects with a key given twice carry `DUP`; NaN and Infinity
become a value that is no number.
"""

from __future__ import annotations

import codecs
import json
import re

from ffhooks.errors import BrokenFile
from ffhooks.records import Any

LARGEST_ENTRY = 64 << 20
FIX_SOURCE = "fix the file (or restore it from a backup) and run `ffhooks migrate` again"
DUP = "\x00duplicate key"

_WS = re.compile(r"[ \t\n\r]*")
_PARTIAL_NUMBER = re.compile(r"-?\d*(?:\.\d*)?(?:[eE][-+]?\d*)?")
_NUMBER_TAIL = re.compile(r"\.[0-9]*(?:[eE][-+]?[0-9]*)?|[eE][-+]?[0-9]*")
_NOT_A_NUMBER = object()


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                found[DUP] = key
                break
            seen.add(key)
    return found


def _constant(name: str) -> Any:
    return _NOT_A_NUMBER


DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)


class Scanner:
    """One JSON text read incrementally: values are decoded one at a time from a buffer of
    about a megabyte, so a 150 MB file never sits in memory."""

    def __init__(self, handle: Any, offset: int, shown: str, chunk: int) -> None:
        handle.seek(offset)
        self.handle = handle
        self.shown = shown
        self.chunk = chunk
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.buf = ""
        self.pos = 0
        self.base = offset  # byte offset of buf[0]
        self.read = offset
        self.eof = False

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(self.chunk)
        try:
            text = self.utf8.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise BrokenFile(
                self.shown, f"is not UTF-8 (byte {self.read + exc.start})", FIX_SOURCE
            ) from None
        self.read += len(chunk)
        self.eof = not chunk
        if self.pos:
            head = self.buf[: self.pos]
            self.base += len(head) if head.isascii() else len(head.encode())
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += text
        return True

    def offset(self) -> int:
        """The byte offset of the next character to read."""
        head = self.buf[: self.pos]
        return self.base + (len(head) if head.isascii() else len(head.encode()))

    def broken(self, problem: str, at: int | None = None) -> BrokenFile:
        if at is not None:
            self.pos = at
        line, column = _line_column(self.handle, self.offset(), self.chunk)
        return BrokenFile(self.shown, f"{problem} (line {line} column {column})", FIX_SOURCE)

    def peek(self) -> str:
        """The next character that is not white space, "" at the end."""
        while True:
            end = _WS.match(self.buf, self.pos)
            self.pos = end.end() if end else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            if not found:
                raise self.broken("ends before its JSON is complete (truncated?)")
            raise self.broken(f"is not valid JSON: expected {char!r}, found {found!r}")
        self.pos += 1

    def value(self) -> Any:
        if not self.peek():
            raise self.broken("ends before its JSON is complete (truncated?)")
        while True:
            try:
                value, end = DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self.buf) - 16 or exc.msg.startswith("Unterminated string")
                if cut and len(self.buf) - self.pos < LARGEST_ENTRY and self._more():
                    continue
                if cut and not self.eof:
                    raise self.broken("has an entry larger than 64 MB") from None
                if _ran_out(self.buf, exc):
                    raise self.broken("ends before its JSON is complete (truncated?)") from None
                raise self.broken(f"is not valid JSON ({exc.msg})", exc.pos) from None
            # a number may go on in the next chunk: `2` of `2.25`, or `2` of a `2.` or `2e-`
            # that ends the chunk
            cut = end == len(self.buf) or (
                type(value) in (int, float) and _NUMBER_TAIL.fullmatch(self.buf, end) is not None
            )
            if cut and self._more():
                continue
            self.pos = end
            return value

    def key(self) -> str:
        if not self.peek():
            raise self.broken("ends before its JSON is complete (truncated?)")
        if self.peek() != '"':
            raise self.broken("is not valid JSON: expected a key in double quotes")
        key = self.value()
        self.expect(":")
        return str(key)


def _ran_out(text: str, exc: json.JSONDecodeError) -> bool:
    """Whether a decoding error at the end of the input means the input was cut short."""
    rest = text[exc.pos :].rstrip()
    return (
        not rest
        or exc.msg.startswith("Unterminated string")
        # a \uXXXX escape cut short (the decoder wants a character after its fourth digit)
        or (exc.msg.startswith("Invalid \\uXXXX escape") and len(rest) <= 6)
        or any(word.startswith(rest) for word in ("true", "false", "null"))
        or _PARTIAL_NUMBER.fullmatch(rest) is not None
    )


def _line_column(handle: Any, offset: int, chunk: int) -> tuple[int, int]:
    handle.seek(0)
    line, last, done = 1, 0, 0
    while done < offset:
        block = handle.read(min(chunk, offset - done))
        if not block:
            break
        count = block.count(b"\n")
        if count:
            line += count
            last = done + block.rindex(b"\n") + 1
        done += len(block)
    return line, offset - last + 1
