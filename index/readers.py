"""Readers: one function per input format, each turning a byte stream into raw records.

A reader yields ``Record`` for each article-shaped thing it finds and ``Failure`` for each part
it cannot read (naming the line or item), then carries on, so one bad line never costs the rest.
``READERS`` is the registry ``--format NAME`` chooses from; ``EXTENSIONS`` picks one by name.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any


@dataclass(frozen=True, slots=True)
class Record:
    """A raw article as read: field names and values, and where it came from."""

    data: Mapping[str, Any]
    origin: str


@dataclass(frozen=True, slots=True)
class Failure:
    """Something that could not be read, where it was, and why."""

    origin: str
    reason: str


Reader = Callable[[IO[bytes], str], Iterator[Record | Failure]]

_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w -]*?)\s*:\s*(.*)$")
_JSON_CONTAINERS = ("articles", "items", "entries", "documents", "results", "data")
_SMART_TAG = re.compile(r"^\.([A-Z])(?:\s+(.*))?$")
_SMART_FIELDS = {"T": "title", "A": "authors", "B": "source", "W": "body"}


class NotUtf8(ValueError):
    """Bytes that are not UTF-8 text; ``line`` is where the first bad byte is."""

    def __init__(self, raw: bytes, error: UnicodeDecodeError) -> None:
        self.line = raw.count(b"\n", 0, error.start) + 1
        super().__init__(f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})")


def decode(raw: bytes) -> str:
    """UTF-8 text, without a byte-order mark; raise ``NotUtf8`` naming the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotUtf8(raw, exc) from None


def _whole_text(stream: IO[bytes], origin: str) -> str | Failure:
    """The stream's text, or the failure saying where it stops being UTF-8."""
    try:
        return decode(stream.read())
    except NotUtf8 as exc:
        return Failure(f"{origin}:{exc.line}", str(exc))


def read_text(stream: IO[bytes], origin: str) -> Iterator[Record | Failure]:
    """A .txt/.md article: optional ``---`` front matter, then the title line, then the body."""
    text = _whole_text(stream, origin)
    if isinstance(text, Failure):
        yield text
        return
    lines = text.splitlines()
    data: dict[str, Any] = {}
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start < len(lines) and lines[start].strip() == "---":
        try:
            data, start = _front_matter(lines, start + 1, origin)
        except ValueError as exc:
            yield Failure(*exc.args)
            return
    rest = lines[start:]
    while rest and not rest[0].strip():
        rest.pop(0)
    if rest and "title" not in {key.lower() for key in data}:
        data["title"] = rest.pop(0).strip().lstrip("#").strip()
    data.setdefault("body", "\n".join(rest))
    yield Record(data, origin)


def _front_matter(lines: list[str], start: int, origin: str) -> tuple[dict[str, Any], int]:
    data: dict[str, Any] = {}
    key = None
    for number in range(start, len(lines)):
        line = lines[number].strip()
        if line == "---":
            return data, number + 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("- ") and key is not None:
            data[key] = [*(data[key] or []), _unquote(line[2:])]
            continue
        match = _FRONT_MATTER_LINE.match(line)
        if not match:
            raise ValueError(f"{origin}:{number + 1}", "front matter line is not 'key: value'")
        key, value = match[1].strip().lower(), match[2].strip()
        if value.startswith("[") and value.endswith("]"):
            data[key] = [_unquote(item) for item in value[1:-1].split(",") if item.strip()]
        else:
            data[key] = _unquote(value) or None
    raise ValueError(f"{origin}:{start}", "front matter opened with '---' is never closed")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def read_json(stream: IO[bytes], origin: str) -> Iterator[Record | Failure]:
    """A .json file: one article object, a list of them, or an object holding such a list."""
    text = _whole_text(stream, origin)
    if isinstance(text, Failure):
        yield text
        return
    try:
        data = json.loads(text)
    except ValueError as exc:
        yield Failure(origin, f"invalid JSON: {exc}")
        return
    except RecursionError:
        yield Failure(origin, "invalid JSON: nested too deeply")
        return
    if isinstance(data, dict):
        container = next((k for k in _JSON_CONTAINERS if isinstance(data.get(k), list)), None)
        if container is None:
            yield Record(data, origin)
            return
        data = data[container]
    if not isinstance(data, list):
        yield Failure(origin, f"expected a JSON object or list, got {type(data).__name__}")
        return
    for number, item in enumerate(data, 1):
        if isinstance(item, dict):
            yield Record(item, f"{origin}[{number}]")
        else:
            yield Failure(f"{origin}[{number}]", f"expected an object, got {type(item).__name__}")


def read_jsonl(stream: IO[bytes], origin: str) -> Iterator[Record | Failure]:
    """JSON Lines: one article object per line; blank lines are ignored."""
    for number, raw in enumerate(stream, 1):
        where = f"{origin}:{number}"
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            yield Failure(where, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})")
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            yield Failure(where, f"invalid JSON: {exc}")
            continue
        except RecursionError:
            yield Failure(where, "invalid JSON: nested too deeply")
            continue
        if isinstance(item, dict):
            yield Record(item, where)
        else:
            yield Failure(where, f"expected a JSON object, got {type(item).__name__}")


def read_csv(stream: IO[bytes], origin: str) -> Iterator[Record | Failure]:
    """CSV with a header row; a row whose field count differs from the header is reported."""
    csv.field_size_limit(2**31 - 1)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    rows = csv.reader(text)
    line = 1
    try:
        header = next(rows, None)
        if not header:
            yield Failure(origin, "empty CSV file (expected a header row)")
            return
        while True:
            start = rows.line_num + 1
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Failure(f"{origin}:{start}", f"bad CSV: {exc}")
                continue
            line = start
            if not row:  # a blank line, as in JSON Lines
                continue
            if len(row) != len(header):
                yield Failure(
                    f"{origin}:{start}", f"row has {len(row)} fields, header has {len(header)}"
                )
                continue
            yield Record(dict(zip(header, row, strict=True)), f"{origin}:{start}")
    except UnicodeDecodeError as exc:
        yield Failure(
            f"{origin}:{line + 1}", f"not UTF-8 text ({exc.reason}); rest of file skipped"
        )


def read_smart(stream: IO[bytes], origin: str) -> Iterator[Record | Failure]:
    """SMART collections (Cranfield, CACM): ``.I id`` then ``.T``/``.A``/``.B``/``.W`` sections.

    Each document keeps its ``.I`` number as its id, so run files match relevance judgments.
    """
    text = _whole_text(stream, origin)
    if isinstance(text, Failure):
        yield text
        return
    current: dict[str, Any] | None = None
    start = section = None
    for number, line in enumerate(text.splitlines(), 1):
        tag = _SMART_TAG.match(line.rstrip())
        if tag and tag[1] == "I":
            if current is not None:
                yield _smart_record(current, f"{origin}:{start}")
            current, start, section = {"id": (tag[2] or "").strip()}, number, None
        elif tag and current is not None:
            section = _SMART_FIELDS.get(tag[1])
            if section and tag[2]:
                current[section] = tag[2]
        elif current is None:
            if line.strip():
                yield Failure(f"{origin}:{number}", "text before the first .I line")
        elif section:
            current[section] = f"{current.get(section, '')}\n{line}".lstrip("\n")
    if current is not None:
        yield _smart_record(current, f"{origin}:{start}")


def _smart_record(data: dict[str, Any], origin: str) -> Record:
    authors = data.get("authors", "")
    data["authors"] = [name.strip() for name in re.split(r"\s+and\s+", authors) if name.strip()]
    return Record(data, origin)


READERS: dict[str, Reader] = {
    "text": read_text,
    "json": read_json,
    "jsonl": read_jsonl,
    "csv": read_csv,
    "smart": read_smart,
}
EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
}


def sniff_format(head: bytes) -> str | None:
    """Recognise a format from a file's first bytes, for names that do not say."""
    if head.startswith(b".I "):
        return "smart"
    return None


def stdin_stream() -> IO[bytes]:
    return sys.stdin.buffer
