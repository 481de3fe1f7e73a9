"""Looking after an index: one article by id, statistics, and deleting articles."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.fields import Schema

from index.article import Article
from index.embedded.schema import from_stored, missing_date_value
from index.embedded.store import open_index, read_consistently, writer_lock
from index.errors import ArticleError, InvalidOption, reported_write_errors
from search.embedded.column_arrays import dates
from search.embedded.facets import FACETS
from search.embedded.parsing import build_filter, parse_query
from search.query import Filters
from search.results import TOP_SOURCES, IndexStats


def get_article(index_path: Path, article_id: str) -> Article:
    """The stored article with this id."""

    def read() -> dict | None:
        with open_index(index_path).searcher() as searcher:
            return searcher.document(id=article_id)

    stored = read_consistently(read)
    if stored is None:
        raise ArticleError(f"no article with id {article_id!r} in {index_path}")
    return from_stored(stored)


def index_stats(index_path: Path) -> IndexStats:
    """Counts, date range, size on disk and the biggest sources of an index."""
    return read_consistently(lambda: _index_stats(index_path))


def _index_stats(index_path: Path) -> IndexStats:
    ix = open_index(index_path)
    segments = len(ix._segments())  # Whoosh offers no public segment count
    live, sources, values, dated = [], [], np.zeros(0), np.zeros(0)
    if segments:  # (Whoosh's reader of no segment has no columns to read)
        with ix.searcher() as searcher:
            live = list(searcher.reader().all_doc_ids())
            values = dates(searcher)[live]
            dated = values[values != missing_date_value(ix.schema)]
            sources = FACETS["source"].counts(searcher, live, size=len(live) or 1)
    return IndexStats(
        location=str(index_path),
        articles=len(live),
        sources=len(sources),
        earliest=_utc(ix.schema, dated.min()) if len(dated) else None,
        latest=_utc(ix.schema, dated.max()) if len(dated) else None,
        undated=len(values) - len(dated),
        size_bytes=sum(p.stat().st_size for p in index_path.iterdir() if p.is_file()),
        segments=segments,
        top_sources=sources[:TOP_SOURCES],
    )


def _utc(schema: Schema, value: int) -> datetime:
    """A ``published`` column value as the moment it is: column values are UTC, without zone."""
    return schema["published"].from_column_value(int(value)).replace(tzinfo=UTC)


def select_for_deletion(
    index_path: Path, ids: Sequence[str] = (), sources: Sequence[str] = (), text: str | None = None
) -> wq.Query:
    """The query naming the articles to delete: by id, by source, or by a search query."""
    if sum(bool(x) for x in (ids, sources, text)) != 1:
        raise InvalidOption("say what to delete: article ids, or --source, or --query")
    ix = open_index(index_path)
    if ids:
        return wq.Or([wq.Term("id", article_id) for article_id in ids])
    if sources:
        return build_filter(Filters(sources=sources), ix.schema) or wq.NullQuery
    return parse_query(text or "", ix.schema)


def count_matching(index_path: Path, selection: wq.Query) -> int:
    def read() -> int:
        with open_index(index_path).searcher() as searcher:
            return len(list(searcher.docs_for_query(selection)))

    return read_consistently(read)


def delete_articles(index_path: Path, selection: wq.Query, wait: float) -> int:
    """Delete every article the selection matches, in one commit; return how many."""
    with (
        reported_write_errors(index_path, lambda: "nothing was deleted"),
        writer_lock(index_path, wait),
    ):
        from index.embedded.segments import (
            IndexWriter,  # (the writing machinery, only when writing)
        )

        writer = IndexWriter(open_index(index_path))
        try:
            deleted = writer.delete_by_query(selection)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    return deleted
