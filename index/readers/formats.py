"""Readers: one function per input format, each turning a byte stream into raw records.

A reader yields ``Record`` for each article-shaped thing it finds and ``Failure`` for each part
it cannot read (naming the line or item), then carries on, so one bad line never costs the rest.
``READERS`` is the registry ``--format NAME`` chooses from (``naming`` picks one by name).
The plain-text formats live here; HTML, feeds, WARC and zip archives have modules of their own
(``html``, ``feeds``, ``warc``, ``archives``) and are registered here.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any

from index.readers import archives as archive_reader
from index.readers import html as html_reader
from index.readers import warc as warc_reader
from index.readers.feeds import read_feed
from index.readers.records import (
    BINARY_DATA,
    Failure,
    Reader,
    Record,
    Undecodable,
    decode,
    guess_encoding,
)

# One record (a JSONL line, a CSV field) larger than this is reported, not parsed.
MAX_RECORD_BYTES = 16 * 1024 * 1024
_LIMIT = "16 MiB"
# How much of a streamed file decides its encoding.
_ENCODING_SAMPLE = 1024 * 1024
_CHUNK = 8 * 1024  # small, so a damaged archive gives up as much as it can
# A first line longer than this is a paragraph, not a headline: the body starts there.
_MAX_TITLE_CHARS = 500

_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w -]*?)\s*:\s*(.*)$")
_JSON_CONTAINERS = ("articles", "items", "entries", "documents", "results", "data")
_SMART_TAG = re.compile(r"^\.([A-Z])(?:\s+(.*))?$")
_SMART_FIELDS = {"T": "title", "A": "authors", "B": "source", "W": "body"}


def _whole_text(stream: IO[bytes], origin: str) -> str | Failure:
    """The stream's text, or the failure saying where it cannot be decoded."""
    try:
        return decode(stream.read())
    except Undecodable as exc:
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
    if rest and len(rest[0]) <= _MAX_TITLE_CHARS and "title" not in {k.lower() for k in data}:
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
    encoding, stream = sample_encoding(stream)
    if encoding is None:
        yield Failure(origin, BINARY_DATA)
        return
    for number, raw in enumerate(stream, 1):
        where = f"{origin}:{number}"
        if not raw.strip():
            continue
        if len(raw) > MAX_RECORD_BYTES:
            yield Failure(where, f"line of {len(raw):,} bytes is over the {_LIMIT} record limit")
            continue
        try:
            line = raw.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            yield Failure(where, f"not {_named(encoding)} text (byte 0x{raw[exc.start]:02x})")
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
    csv.field_size_limit(MAX_RECORD_BYTES)
    encoding, stream = sample_encoding(stream)
    if encoding is None:
        yield Failure(origin, BINARY_DATA)
        return
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
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
            f"{origin}:{line + 1}",
            f"not {_named(encoding)} text ({exc.reason}); rest of file skipped",
        )


def sample_encoding(stream: IO[bytes]) -> tuple[str | None, IO[bytes]]:
    """The encoding of a streamed file, judged on its first megabyte (None: binary data, not
    text), and the whole stream.

    If reading the sample fails (a truncated archive), the error is raised only once the bytes
    before it have been read, so the records they hold are not lost.
    """
    chunks: list[bytes] = []
    size, error = 0, None
    while size < _ENCODING_SAMPLE:
        try:
            chunk = stream.read(_CHUNK)
        except Exception as exc:  # raised again, in order, by _Rewound
            error = exc
            break
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    head = b"".join(chunks)
    encoding = guess_encoding(head, partial=True)
    if encoding == "utf-8":
        encoding = "utf-8-sig"
    return encoding, io.BufferedReader(_Rewound(head, stream, error))


def _named(encoding: str) -> str:
    return "UTF-8" if encoding.startswith("utf-8") else encoding


class _Rewound(io.RawIOBase):
    """A stream that first gives back bytes already read from it, then the rest (or the error
    that stopped the first read)."""

    def __init__(self, head: bytes, rest: IO[bytes], error: Exception | None) -> None:
        self.head, self.rest, self.error = memoryview(head), rest, error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            count = min(len(buffer), len(self.head))
            buffer[:count] = self.head[:count]
            self.head = self.head[count:]
            return count
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


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
    "html": html_reader.read_html,
    "feed": read_feed,
    "warc": warc_reader.read_warc,
}
# A zip's members are read by the reader each one's name or first bytes ask for.
READERS["zip"] = functools.partial(archive_reader.read_zip, readers=READERS)
# Formats that need an optional dependency: a check that raises ``MissingExtra`` naming it.
REQUIREMENTS: dict[str, Callable[[], object]] = {
    "html": html_reader.require,
    "warc": warc_reader.require,
}


def stdin_stream() -> IO[bytes]:
    return sys.stdin.buffer
