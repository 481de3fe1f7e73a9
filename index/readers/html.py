"""HTML article pages: the main text and metadata extracted by trafilatura (a dependency
of every install).

Navigation, comments and footers are left out by the extractor; what it finds becomes one record
with the same field names the other readers use, so field mapping and cleaning apply as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from types import ModuleType
from typing import IO, Any

from index.errors import MissingExtra
from index.readers.records import Failure, Record

INSTALL_HINT = "pip install 'byline[html]'"
# Less than a sentence is a button or a caption the extractor picked up, not an article.
MIN_TEXT_CHARS = 25


def require() -> ModuleType:
    """The extractor, or ``MissingExtra`` saying how to install it."""
    try:
        import trafilatura
    except ImportError as exc:
        raise MissingExtra(f"reading HTML needs trafilatura: {INSTALL_HINT}") from exc
    # It logs every page it finds no text in; we report those ourselves.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    return trafilatura


def read_html(stream: IO[bytes], origin: str) -> Iterator[Record | Failure]:
    """One article page (``.html``/``.htm``)."""
    yield html_record(stream.read(), origin)


def html_record(page: bytes, origin: str, url: str | None = None) -> Record | Failure:
    """The article in an HTML page, or a failure when the page holds no article text.

    The extractor reads the page's own charset declaration, so bytes are passed as they are.
    """
    trafilatura = require()
    try:
        doc = trafilatura.bare_extraction(
            page, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except (ValueError, TypeError, LookupError) as exc:
        return Failure(origin, f"cannot parse HTML: {exc}")
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    title = (doc.title or "").strip() if doc is not None else ""
    first, _, rest = text.partition("\n")
    if title and first.strip() == title:
        text = rest.strip()  # the extractor repeats the headline as the first line
    if len(text) < MIN_TEXT_CHARS:
        return Failure(origin, "no article text found in the page")
    data: dict[str, Any] = {
        "title": title,
        "body": text,
        "author": doc.author,
        "date": doc.date,
        "site_name": doc.sitename,
        "url": doc.url or url,
        "category": (doc.categories or [None])[0],
        "tags": doc.tags or [],
    }
    return Record({key: value for key, value in data.items() if value}, origin)
