"""Which format a file is in: by its name's extension, or by sniffing its first bytes."""

from __future__ import annotations

import re

EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".warc": "warc",
    ".warc.gz": "warc",
    ".zip": "zip",
}
# Longest first, so ".warc.gz" wins over a plain compression suffix.
_BY_LENGTH = sorted(EXTENSIONS, key=len, reverse=True)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)


def format_for_name(name: str) -> str | None:
    """The reader a file name asks for by its extension, compound ones included."""
    lower = name.lower()
    return next((EXTENSIONS[ext] for ext in _BY_LENGTH if lower.endswith(ext)), None)


def sniff_format(head: bytes) -> str | None:
    """Recognise a format from a file's first bytes, for names that do not say (``.xml`` feeds)."""
    if head.startswith(b".I "):
        return "smart"
    if head.startswith(b"WARC/"):
        return "warc"
    if _FEED_ROOT.search(head):
        return "feed"
    if _HTML_ROOT.search(head.lstrip()[:200]):
        return "html"
    return None
