"""Everything, not a page: every match written as CSV (RFC 4180) or JSON lines, one article at
a time, so an export of millions of articles needs no more memory than one of ten."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from index.article import article_record
from index.errors import InvalidOption
from search.engine import Engine
from search.results import Match, SearchRequest

FORMATS = ("jsonl", "csv")
FIELDS = (
    "id",
    "title",
    "source",
    "authors",
    "published",
    "url",
    "section",
    "tags",
    "story",
    "body",
    "domain",
    "origin",
    "extra",
)
DEFAULT_FIELDS = ("id", "title", "source", "authors", "published", "url")
SORTS = ("relevance", "newest", "oldest")
# Multiple authors or tags in one CSV cell; a record's other fields (extra) are one JSON object.
CSV_JOINER = "; "


def parse_fields(text: str) -> tuple[str, ...]:
    """``id,title,...`` as a tuple of known field names."""
    fields = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in fields if name not in FIELDS]
    if unknown or not fields:
        what = f"unknown field {unknown[0]!r}" if unknown else "no fields"
        raise InvalidOption(f"{what} (choose from: {','.join(FIELDS)})")
    return fields


def export(
    engine: Engine,
    request: SearchRequest,
    out: TextIO,
    format: str = "jsonl",
    fields: Sequence[str] = DEFAULT_FIELDS,
    stories: bool = False,
    progress: Callable[[int], None] = lambda done: None,
) -> int:
    """Write every match of ``request`` (in its sort order) to ``out``; with ``stories`` one row
    per story (its first match in that order) with its number of ``copies``. Returns the rows
    written; ``progress`` is told the count every so often."""
    if format not in FORMATS:
        raise InvalidOption(f"unknown format {format!r} (one of: {', '.join(FORMATS)})")
    if request.sort not in SORTS:
        raise InvalidOption(f"unknown sort {request.sort!r} (one of: {', '.join(SORTS)})")
    columns = [*fields, "copies"] if stories else list(fields)
    writer = csv.writer(out, lineterminator="\r\n") if format == "csv" else None
    if writer is not None:
        writer.writerow(columns)
    written = 0
    for match in engine.matches(request, stories=stories):
        row = _row(match, columns)
        if writer is not None:
            writer.writerow(_csv_cell(value) for value in row.values())
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        written += 1
        if written % 1000 == 0:
            progress(written)
    progress(written)
    return written


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list):
        return CSV_JOINER.join(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value or ""


def _row(match: Match, columns: Sequence[str]) -> dict[str, Any]:
    values = article_record(match.article) | {"story": match.story, "copies": match.copies}
    return {name: values[name] for name in columns}
