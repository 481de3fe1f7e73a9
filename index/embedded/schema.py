"""The Whoosh schema, defined once, and the mapping between an ``Article`` and an index document.

Facet fields (source, authors, section, tags) are indexed case-folded so filters ignore case, and
keep their display form twice: in stored fields (for hits) and in a column (for fast facet counts
over every match without loading stored documents).
"""

from __future__ import annotations

from typing import Any

from whoosh import columns, fields

from index.article import Article, published_from_iso, published_iso
from index.article_fields import FACET_FIELDS, STORED_FIELDS
from index.embedded.analysis import (
    FACET_SEPARATOR,
    facet_analyzer,
    is_content_term,
    text_analyzer,
)
from index.embedded.fast_analysis import CachedAnalyzer
from index.embedded.url_analysis import url_analyzer
from index.enrich.dates import to_naive_utc

# Bump when fields or analysis change in a way an old index cannot serve.
# 5: every word indexed, joined words and unspaced text (analysis.py); the site (domain), where
# each article was read (origin), its unmapped fields (extra), URLs found by host (url_analysis.py).
SCHEMA_VERSION = 5


def column_name(field: str) -> str:
    """The column holding a facet field's display values."""
    return f"{field}_values"


class ColumnDate(fields.DATETIME):
    """A date kept only in its column. Date ranges (``search/embedded/date_ranges.py``),
    date sorts and the year facet all read the column; the terms Whoosh indexes for each date (four
    or five a date, most of a segment's terms) would only cost time when writing and merging.
    Indexes written before keep their date terms, unused."""

    indexed = False


class ProseField(fields.TEXT):
    """Searchable prose (title, body) whose length, which BM25 weighs a word's count against,
    is counted in content words (``is_content_term``): the common words and single letters every
    word is now indexed with, and a joined word whole beside its parts ("AT&T", "at", "t", at one
    position), leave it unchanged. Lucene counts positions; counting content words as the index
    did before it kept every word (and as Terrier does) is what BM25 and the rerank were tuned
    with, and keeps Cranfield nDCG@10 where it was (docs/ranking.md)."""

    counts_in_length = staticmethod(is_content_term)

    def index(self, value: Any, **kwargs: Any) -> list[tuple[bytes, int, float, bytes]]:
        # Whoosh adds up the counts it is given as the field's length (the array writer,
        # index/embedded/prose_postings.py, counts the same words). A field of common words
        # only is one word long: to Whoosh, 0 is a field without words.
        items = [
            (text, count if is_content_term(text.decode("utf-8")) else 0, weight, encoded)
            for text, count, weight, encoded in super().index(value, **kwargs)
        ]
        if items and not any(count for _, count, _, _ in items):
            items[0] = (items[0][0], 1, *items[0][2:])
        return items


def build_schema() -> fields.Schema:
    prose = CachedAnalyzer(text_analyzer())
    facet = facet_analyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        url=fields.TEXT(analyzer=url_analyzer(), phrase=False, stored=True),
        # (A query word that gives several terms, a run of Chinese, asks for them in a row.)
        title=ProseField(analyzer=prose, stored=True, multitoken_query="phrase"),
        body=ProseField(analyzer=prose, stored=True, multitoken_query="phrase"),
        published=ColumnDate(sortable=True),
        published_text=fields.STORED(),
        # The story group of syndicated copies (index/stories.py), for collapsing results.
        story=fields.ID(stored=True, sortable=True),
    )
    for field in STORED_FIELDS:
        schema.add(field, fields.STORED())
    for field in FACET_FIELDS.values():
        schema.add(field, fields.TEXT(analyzer=facet, phrase=False, stored=True))
        schema.add(column_name(field), fields.COLUMN(columns.VarBytesColumn()))
    return schema


def missing_date_value(schema: fields.Schema) -> int:
    """What the ``published`` column holds for an article without a date (the largest value)."""
    return schema["published"].column_type.default_value()


def join_values(values: list[str]) -> str:
    return FACET_SEPARATOR.join(values)


def split_values(joined: str | bytes | None) -> list[str]:
    if not joined:
        return []
    if isinstance(joined, bytes):
        joined = joined.decode("utf-8")
    return joined.split(FACET_SEPARATOR)


def to_document(article: Article) -> dict[str, Any]:
    """The Whoosh document for an article; fields without a value are left out."""
    values: dict[str, list[str]] = {
        "source": [article.source] if article.source else [],
        "authors": article.authors,
        "section": [article.section] if article.section else [],
        "tags": article.tags,
        "domain": [article.domain] if article.domain else [],
    }
    doc: dict[str, Any] = {"id": article.id, "title": article.title, "body": article.body}
    if article.url:
        doc["url"] = article.url
    if article.published is not None:
        doc["published"] = to_naive_utc(article.published)
        doc["published_text"] = published_iso(article.published)
    for field in STORED_FIELDS:
        if value := getattr(article, field):
            doc[field] = value
    for field, items in values.items():
        if items:
            doc[field] = join_values(items)
            doc[column_name(field)] = doc[field].encode("utf-8")
    return doc


def from_stored(stored: dict[str, Any]) -> Article:
    """Rebuild an article from a document's stored fields."""
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        source=stored.get("source"),
        authors=split_values(stored.get("authors")),
        published=published_from_iso(stored.get("published_text")),
        url=stored.get("url"),
        section=stored.get("section"),
        tags=split_values(stored.get("tags")),
        rights=stored.get("rights"),
        domain=stored.get("domain"),
        origin=stored.get("origin"),
        extra=stored.get("extra") or {},
    )
