"""WARC crawl files (``.warc``, ``.warc.gz``, as CC-News publishes them), via warcio (the ``warc``
extra): each HTML response record becomes an article through the HTML reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from index.errors import MissingExtra
from index.readers.html import html_record
from index.readers.html import require as require_html
from index.readers.records import Failure, Record

INSTALL_HINT = "pip install 'byline[warc]'"


def require() -> None:
    """warcio and the HTML extractor, or ``MissingExtra`` saying how to install them."""
    try:
        import warcio  # noqa: F401
    except ImportError as exc:
        raise MissingExtra(f"reading WARC files needs warcio: {INSTALL_HINT}") from exc
    require_html()


def read_warc(stream: IO[bytes], origin: str) -> Iterator[Record | Failure]:
    """Each HTML ``response`` record; other records (requests, metadata, images) are passed over.

    A record's origin names its position and target URL: ``crawl.warc.gz#12 <https://…>``.
    """
    require()
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    number = 0
    try:
        for record in ArchiveIterator(stream):
            number += 1
            if record.rec_type != "response" or record.http_headers is None:
                continue
            kind = record.http_headers.get_header("Content-Type") or ""
            if "html" not in kind.lower():
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            where = f"{origin}#{number} <{url}>"
            try:
                page = record.content_stream().read()
            except (OSError, EOFError, ValueError) as exc:
                yield Failure(where, f"cannot read record: {exc}")
                continue
            yield html_record(page, where, url)
    except ArchiveLoadFailed as exc:
        yield Failure(f"{origin}#{number + 1}", f"not a readable WARC record: {exc}")
