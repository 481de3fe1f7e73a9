"""Every document a query matches, without scoring: the total and the ground for facet counts.

Whoosh walks matches one document at a time through its tree of matchers, a few Python calls per
document, which dominates a broad query. Here a term's postings are read a block at a time into a
set, and And / Or / Not become set operations, which run in C. Other kinds of query (phrases,
wildcards, ...) are walked by Whoosh as before; the answer is the same set either way.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import DATETIME
from whoosh.matching import FilterMatcher
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from search.column_arrays import column_array


def query_docs(searcher: Searcher, query: wq.Query) -> set[int]:
    """The (top-level) numbers of the documents ``query`` matches."""
    kind = type(query)
    if kind is wq.Term:
        return _term_docs(searcher, query.fieldname, query.text)
    if kind is wq.And:
        wanted = [q for q in query.subqueries if type(q) is not wq.Not]
        unwanted = [q.query for q in query.subqueries if type(q) is wq.Not]
        if wanted:
            sets = sorted((query_docs(searcher, q) for q in wanted), key=len)
            docs = sets[0].intersection(*sets[1:])
            for q in unwanted:
                docs -= query_docs(searcher, q)
            return docs
    if kind is wq.Or and not query.minmatch:
        return set().union(*(query_docs(searcher, q) for q in query.subqueries))
    if kind is wq.AndNot:
        return query_docs(searcher, query.a) - query_docs(searcher, query.b)
    if kind is wq.Not:
        return set(searcher.reader().all_doc_ids()) - query_docs(searcher, query.query)
    if kind is wq.Every and not query.fieldname:
        return set(searcher.reader().all_doc_ids())
    if isinstance(query, wq.NumericRange):  # dates
        if _dated(searcher, query.fieldname):
            return _range_docs(searcher, query)
        return query_docs(searcher, query._compile_query(searcher.reader()))
    if kind is wq.ConstantScoreQuery:
        return query_docs(searcher, query.child)
    if isinstance(query, wq.MultiTerm):  # ranges, prefixes, wildcards: each of their terms
        reader = searcher.reader()
        return set().union(
            *(_term_docs(searcher, query.fieldname, btext) for btext in query._btexts(reader))
        )
    return set(searcher.docs_for_query(query))


def _term_docs(searcher: Searcher, fieldname: str, text: str | bytes) -> set[int]:
    if fieldname not in searcher.schema:
        return set()
    try:
        btext = text if isinstance(text, bytes) else searcher.schema[fieldname].to_bytes(text)
    except ValueError:
        return set()
    docs: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (fieldname, btext) in reader:
            docs.update((term_postings(reader, fieldname, btext)[0] + offset).tolist())
    return docs


def _dated(searcher: Searcher, fieldname: str) -> bool:
    if fieldname not in searcher.schema:
        return False
    field = searcher.schema[fieldname]
    return isinstance(field, DATETIME) and field.column_type is not None


def _range_docs(searcher: Searcher, query: wq.NumericRange) -> set[int]:
    """The documents whose date is in the range, read from the date field's column (the index
    holds a range as many terms, a posting list each); no date, no match. A date column holds
    the same numbers as the range's bounds (``datetime_to_long``)."""
    missing = searcher.schema[query.fieldname].column_type.default_value()
    docs: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if not reader.has_column(query.fieldname):
            continue
        column = reader.column_reader(query.fieldname, translate=False)
        values = column_array(reader, query.fieldname, column)
        keep = values != missing
        if query.start is not None:
            keep &= values > query.start if query.startexcl else values >= query.start
        if query.end is not None:
            keep &= values < query.end if query.endexcl else values <= query.end
        if reader.has_deletions():
            keep[list(reader._perdoc.deleted_docs())] = False
        docs.update((np.flatnonzero(keep) + offset).tolist())
    return docs


def term_postings(
    reader: IndexReader, fieldname: str, btext: bytes
) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and weights (occurrences) in one segment, deleted ones left
    out; a whole block at a time from Whoosh 2.7's own format (or ``index/codec.py``'s, which
    leaves the positions unread).

    (``_read_data``/``_data``/``_next_block`` are internals of the pinned Whoosh release; a
    matcher of any other type is walked as usual.)
    """
    matcher = reader.postings(fieldname, btext)
    deleted = None
    if type(matcher) is FilterMatcher and matcher._exclude:
        deleted, matcher = matcher._ids, matcher.child
        matcher.reset()  # the filter has moved it past deleted documents
    if not isinstance(matcher, W3LeafMatcher):
        pairs = [(docnum, matcher.weight()) for docnum in matcher.all_ids()]
        return np.array([d for d, _ in pairs], np.int64), np.array([w for _, w in pairs])
    ids, weights = [], []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, block_weights = matcher._data[0], matcher._data[1]
        ids.append(np.cumsum(np.array(deltas, dtype=np.int64)))
        if block_weights is None or isinstance(block_weights, float):
            weights.append(np.full(len(deltas), 1.0 if block_weights is None else block_weights))
        else:
            weights.append(np.array(block_weights, dtype=np.float64))
        matcher._next_block()
    docnums, counts = np.concatenate(ids), np.concatenate(weights)
    if deleted:
        keep = ~np.isin(docnums, np.fromiter(deleted, np.int64, len(deleted)))
        docnums, counts = docnums[keep], counts[keep]
    return docnums, counts
