"""`ffhooks.migrate.jsonstream`: legacy time files and JSON lines read one entry at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ffhooks.errors import BrokenFile
from ffhooks.migrate import jsonstream
from ffhooks.migrate.jsonscan import DUP
from ffhooks.migrate.jsonstream import LegacyReader, LinesReader

SHOWN = "legacy/time.json"
CHUNKS = (1, 2, 3, 5, 8, 1 << 20)
# Every kind of entry, white space of every kind between tokens, and values that a small
# CHUNK splits: a 20-digit integer, literals, escapes, a surrogate pair, raw non-ASCII.
TEXT = (
    ' \r\n{"metadata" :\t{"v": 1},\n "Größe" : {"status": "closed",\r\n'
    '  "sessions" : [ {"u": "jürgen", "n": 12345678901234567890} ,\n\n'
    '   -42 , "\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00" ] ,  "flag": true,\n'
    '  "none": null},\t"sessions": [], "7": {"sessions": [false, "日本 😀"]},\n'
    ' "7": {"sessions": [{"a": 1, "a": 2}]}, "x": 34 }\n\t '
)
EVENTS = [
    ("other", "metadata", {"v": 1}),
    ("field", ("Größe", "status"), "closed"),
    ("session", ("Größe", 0), {"u": "jürgen", "n": 12345678901234567890}),
    ("session", ("Größe", 1), -42),
    ("session", ("Größe", 2), '"\\/\b\f\n\r\té\U0001f600'),
    ("field", ("Größe", "flag"), True),
    ("field", ("Größe", "none"), None),
    ("other", "sessions", []),
    ("session", ("7", 0), False),
    ("session", ("7", 1), "日本 😀"),
    ("duplicate-task", "7", None),
    ("session", ("7", 0), {"a": 2, DUP: "a"}),
    ("other", "x", 34),
]


def write(tmp_path: Path, data: str | bytes) -> Path:
    path = tmp_path / "time.json"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def read_legacy(path: Path, resume: dict[str, Any] | None = None) -> list[Any]:
    return list(LegacyReader(path, SHOWN, resume).events())


def with_points(path: Path) -> list[tuple[Any, dict[str, Any], int]]:
    reader = LegacyReader(path, SHOWN, None)
    return [(event, reader.point(), reader.done()) for event in reader.events()]


def broken(path: Path) -> str:
    with pytest.raises(BrokenFile) as caught:
        read_legacy(path)
    assert caught.value.path == SHOWN
    return caught.value.problem


@pytest.mark.parametrize("chunk", CHUNKS)
def test_entries_are_the_same_whatever_the_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Every entry, split anywhere by reads of CHUNK bytes (UTF-8 characters, escapes,
    integers, literals, white space), decodes to the value written, in order."""
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    assert read_legacy(write(tmp_path, TEXT)) == EVENTS


@pytest.mark.parametrize("chunk", (1, 3, 1 << 20))
def test_resuming_from_any_point_gives_exactly_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """The point after entry k is the byte offset just past that entry's text, and a new
    reader resumed there yields entries k+1... exactly (inside a task, a session list, a
    repeated task, at the top); after the last entry the whole file is done."""
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    path = write(tmp_path, TEXT)
    data = TEXT.encode()
    seen = with_points(path)
    assert [event for event, _, _ in seen] == EVENTS
    offsets = [point["offset"] for _, point, _ in seen]
    ends = [data.index(b'{"v": 1}') + 8, data.index(b"-42") + 3, data.rindex(b" 34") + 3]
    assert [offsets[0], offsets[3], offsets[-1]] == ends
    assert seen[-1][1]["tasks"] == ["7", "Größe"]
    for k, (_, point, _) in enumerate(seen):
        assert read_legacy(path, point) == EVENTS[k + 1 :], k
    reader = LegacyReader(path, SHOWN, None)
    assert list(reader.events()) == EVENTS and reader.done() == len(data)


@pytest.mark.parametrize("key", ["a", "é"])
def test_done_is_the_byte_offset_reached(tmp_path: Path, key: str) -> None:
    """After each entry, done() (bytes read, for progress) equals the byte offset where a
    later run would resume; with the default CHUNK the file is one buffer."""
    seen = with_points(write(tmp_path, f'{{"{key}": {{"sessions": [1, 2], "s": "x"}}, "b": 3}}'))
    assert len(seen) == 4
    assert [done for _, _, done in seen] == [point["offset"] for _, point, _ in seen]


@pytest.mark.parametrize("number", ["123456", "-7", "0", "98765432109876543210"])
@pytest.mark.parametrize("chunk", (1, 2, 3))
def test_integers_split_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: str, chunk: int
) -> None:
    """A bare integer as a field, a session and a top-level value is read whole even when
    reads end inside it (the decoder is retried when a number reaches the buffer's end)."""
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    path = write(tmp_path, f'{{"t": {{"h": {number}, "sessions": [{number}]}}, "o": {number}}}')
    value = int(number)
    assert read_legacy(path) == [
        ("field", ("t", "h"), value),
        ("session", ("t", 0), value),
        ("other", "o", value),
    ]


@pytest.mark.parametrize(("number", "value"), [("2.25", 2.25), ("1e5", 1e5), ("-5E-1", -0.5)])
def test_fraction_or_exponent_split_at_a_chunk_boundary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: str, value: float
) -> None:
    """A number whose '.' or exponent mark is the last byte of a read is still read whole."""
    prefix = '{"t": {"h": '
    cut = next(i for i, c in enumerate(number) if c in ".eE") + 1
    cut += number[cut : cut + 1] in ("-", "+")
    monkeypatch.setattr(jsonstream, "CHUNK", len(prefix) + cut)
    path = write(tmp_path, f"{prefix}{number}}}}}")
    assert read_legacy(path) == [("field", ("t", "h"), value)]


NOT_JSON = "is not valid JSON"


@pytest.mark.parametrize("chunk", (1, 4, 1 << 20))
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"t":\n {"a": [1,,2]}}', f"{NOT_JSON} (Expecting value) (line 2 column 11)"),
        ('{"é": "ü",\n "t": [1,,2]}', f"{NOT_JSON} (Expecting value) (line 2 column 10)"),
        ('{"t": {}\n\n  "u": 2}', f"{NOT_JSON}: expected ',', found '\"' (line 3 column 3)"),
        ('{"t": {"s": [{"v": tru}]}}', f"{NOT_JSON} (Expecting value) (line 1 column 20)"),
        ('{"t": {5: 1}}', f"{NOT_JSON}: expected a key in double quotes (line 1 column 8)"),
        ('{"t": {}} x', "has text after its closing } (line 1 column 11)"),
        ("[1]", "is not a legacy time file: expected a JSON object of tasks (line 1 column 1)"),
    ],
)
def test_broken_json_names_the_file_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, text: str, problem: str
) -> None:
    """A syntax error names the shown path and the line and column of the offending
    character, counted by hand, however the reads cut the file before it."""
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    assert broken(write(tmp_path, text)) == problem


TRUNCATED = '{"t": {"sessions": [{"s": "a\\u00e9", "n": 12, "b": true}], "c": false}, "x": 3}'
# Cuts just after a "{" or "," (and its space) where the reader itself expects a key,
# and inside the \u00e9 escape (the C decoder wants one more character after its digits).
CUT_AT_A_KEY = [1, 7, *(TRUNCATED.index(s) + n for s in ("], ", "}, ") for n in (2, 3))]
CUT_IN_ESCAPE = [TRUNCATED.index("\\u") + n for n in range(2, 7)]


@pytest.mark.parametrize(
    "end", [n for n in range(1, len(TRUNCATED)) if n not in CUT_AT_A_KEY + CUT_IN_ESCAPE]
)
def test_a_truncated_file_says_so(tmp_path: Path, end: int) -> None:
    """A file cut short anywhere (in a key, a string, a number, a literal, between
    entries) is reported as truncated, never read as complete."""
    assert broken(write(tmp_path, TRUNCATED[:end])).startswith(
        "ends before its JSON is complete (truncated?) (line 1 column "
    )


@pytest.mark.parametrize("end", CUT_AT_A_KEY + CUT_IN_ESCAPE)
def test_a_file_truncated_at_a_key_or_escape_says_so(tmp_path: Path, end: int) -> None:
    """A file cut right before a key or inside a \\uXXXX escape is reported as truncated."""
    assert broken(write(tmp_path, TRUNCATED[:end])).startswith("ends before its JSON")


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"", "line 1 column 1"),
        (b"\n\n  ", "line 3 column 3"),
        (b'\xef\xbb\xbf{"t": {}}', "line 1 column 1"),
    ],
)
def test_an_empty_file_or_a_bom_is_not_a_legacy_file(
    tmp_path: Path, data: bytes, where: str
) -> None:
    """An empty or blank file, and one starting with a byte-order mark (which
    `ffhooks migrate` also refuses), is not an object of tasks: nothing is yielded."""
    assert broken(write(tmp_path, data)) == (
        f"is not a legacy time file: expected a JSON object of tasks ({where})"
    )


def test_duplicate_keys_and_nan_in_entries(tmp_path: Path) -> None:
    """An object given a key twice keeps the last value and names the first key repeated
    under DUP, at any depth; NaN and Infinity become a value that is no number."""
    sessions = '{"a": 1, "b": {"k": 1, "k": 2}, "a": 3}, {"d": NaN, "i": -Infinity}'
    path = write(tmp_path, f'{{"t": {{"sessions": [{sessions}]}}}}')
    (first, (kind, where, odd)) = read_legacy(path)
    assert first == ("session", ("t", 0), {"a": 3, "b": {"k": 2, DUP: "k"}, DUP: "a"})
    assert (kind, where, sorted(odd)) == ("session", ("t", 1), ["d", "i"])
    assert not any(isinstance(v, (int, float)) for v in odd.values())


LINES = (
    b'{"task": "1"}\n\n  \t\r\n{"task": "\xc3\xa9", "task": "2"}\r\n[1,,2]\n'
    b'{"x": "\xff"}\n\xef\xbb\xbf{"task": "3"}\n\n{"n": 1.5}'
)
LINE_EVENTS = [
    ("line", 1, {"task": "1"}),
    ("line", 4, {"task": "2", DUP: "task"}),
    ("bad", 5, "is not valid JSON (Expecting value)"),
    ("bad", 6, "is not UTF-8 (byte 7 of the line)"),
    ("bad", 7, "is not valid JSON (Expecting value)"),
    ("line", 9, {"n": 1.5}),
]


def test_json_lines_blank_lines_bad_lines_and_resuming(tmp_path: Path) -> None:
    """Blank and white-space lines are skipped but counted, CRLF ends a line, a bad line
    (broken JSON, bad UTF-8, a BOM) is reported by number and reading goes on; the point
    after each line is its end, and resuming there yields exactly the later lines."""
    path = tmp_path / "s.jsonl"
    path.write_bytes(LINES)
    reader = LinesReader(path, None)
    seen = [(event, reader.point(), reader.done()) for event in reader.events()]
    assert [event for event, _, _ in seen] == LINE_EVENTS
    ends = [LINES.index(b'"2"}\r\n') + 6, LINES.index(b"[1,,2]\n") + 7]
    assert [point for _, point, _ in seen][1:3] == [
        {"offset": e, "line": 4 + k} for k, e in enumerate(ends)
    ]
    assert seen[-1][1:] == ({"offset": len(LINES), "line": 9}, len(LINES))
    for k, (_, point, done) in enumerate(seen):
        assert done == point["offset"]
        assert list(LinesReader(path, point).events()) == LINE_EVENTS[k + 1 :], k


@pytest.mark.parametrize("data", [b"", b"\n\n \r\n"])
def test_empty_json_lines_yield_nothing(tmp_path: Path, data: bytes) -> None:
    """An empty or blank JSON-lines file has no entry; all of it is counted as read."""
    path = tmp_path / "s.jsonl"
    path.write_bytes(data)
    reader = LinesReader(path, None)
    assert list(reader.events()) == []
    assert reader.point() == {"offset": len(data), "line": data.count(b"\n")}
