"""Date ranges matched from the date column, a segment's dates read as one array."""

from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh.matching import ListMatcher, Matcher
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from search.embedded.column_arrays import column_array


def range_docs(searcher: Searcher, query: wq.NumericRange) -> set[int]:
    """The documents whose date is in the range, read from the date field's column (the index
    holds a range as many terms, a posting list each); no date, no match."""
    return {
        docnum + offset
        for leaf, offset in searcher.leaf_searchers()
        for docnum in segment_range_docs(leaf.reader(), query).tolist()
    }


def segment_range_docs(reader: IndexReader, query: wq.NumericRange) -> np.ndarray:
    """The live documents of one segment whose date is in the range, in order. A date column
    holds the same numbers as the range's bounds (``datetime_to_long``)."""
    if not reader.has_column(query.fieldname):
        return np.zeros(0, np.int64)
    missing = reader.schema[query.fieldname].column_type.default_value()
    column = reader.column_reader(query.fieldname, translate=False)
    values = column_array(reader, query.fieldname, column)
    keep = values != missing
    if query.start is not None:
        keep &= values > query.start if query.startexcl else values >= query.start
    if query.end is not None:
        keep &= values < query.end if query.endexcl else values <= query.end
    if reader.has_deletions():
        keep[list(reader._perdoc.deleted_docs())] = False
    return np.flatnonzero(keep)


class ColumnDateRange(wq.DateRange):
    """A date range matched from the date column, wherever it appears in a query (Whoosh's
    matches the terms it indexes for each date, which new indexes no longer write:
    ``index.embedded.schema.ColumnDate``). Every match scores ``boost``, as Whoosh's does."""

    def matcher(self, searcher: Searcher, context: object = None) -> Matcher:
        docs = segment_range_docs(searcher.reader(), self)
        return ListMatcher(docs.tolist(), all_weights=self.boost)

    def docs(self, searcher: Searcher) -> list[int]:
        return sorted(range_docs(searcher, self))

    def simplify(self, ixreader: IndexReader) -> wq.Query:
        return self

    def estimate_size(self, ixreader: IndexReader) -> int:
        return ixreader.doc_count_all()

    def estimate_min_size(self, ixreader: IndexReader) -> int:
        return 0
