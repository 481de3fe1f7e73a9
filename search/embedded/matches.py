"""Every document a query matches, without scoring: the total and the ground for facet counts.

Whoosh walks matches one document at a time through its tree of matchers, a few Python calls per
document, which dominates a broad query. Here a term's postings are read a block at a time into a
set, and And / Or / Not become set operations, which run in C; a phrase decodes the positions
of the documents that have all its words only. Other kinds of query (wildcards, ...) are walked
by Whoosh as before; the answer is the same set either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from itertools import compress

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import DATETIME
from whoosh.formats import Positions
from whoosh.matching import FilterMatcher, ListMatcher, Matcher
from whoosh.reading import IndexReader, TermNotFound
from whoosh.searching import Searcher

from index.embedded.codec import (
    BlockParts,
    SplitLeafMatcher,
    block_arrays,
    blocks_positions,
    blocks_postings,
)
from search.embedded.column_arrays import column_array

# A term's documents and counts in one segment, and its blocks if they keep positions as arrays.
_TermRead = tuple[np.ndarray, np.ndarray, list[BlockParts] | None]


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
    if kind is wq.Phrase:
        return {
            docnum + offset
            for leaf, offset in searcher.leaf_searchers()
            for docnum in phrase_docs(leaf, query).tolist()
        }
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
        docs.update((term_postings(leaf.reader(), fieldname, btext)[0] + offset).tolist())
    return docs


def _dated(searcher: Searcher, fieldname: str) -> bool:
    if fieldname not in searcher.schema:
        return False
    field = searcher.schema[fieldname]
    return isinstance(field, DATETIME) and field.column_type is not None


def _range_docs(searcher: Searcher, query: wq.NumericRange) -> set[int]:
    """The documents whose date is in the range, read from the date field's column (the index
    holds a range as many terms, a posting list each); no date, no match."""
    return {
        docnum + offset
        for leaf, offset in searcher.leaf_searchers()
        for docnum in _segment_range_docs(leaf.reader(), query).tolist()
    }


def _segment_range_docs(reader: IndexReader, query: wq.NumericRange) -> np.ndarray:
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
        docs = _segment_range_docs(searcher.reader(), self)
        return ListMatcher(docs.tolist(), all_weights=self.boost)

    def docs(self, searcher: Searcher) -> list[int]:
        return sorted(_range_docs(searcher, self))

    def simplify(self, ixreader: IndexReader) -> wq.Query:
        return self

    def estimate_size(self, ixreader: IndexReader) -> int:
        return ixreader.doc_count_all()

    def estimate_min_size(self, ixreader: IndexReader) -> int:
        return 0


def term_postings(
    reader: IndexReader, fieldname: str, btext: bytes
) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and weights (occurrences) in one segment, deleted ones left
    out (none if the segment does not have the term)."""
    docnums, counts, _ = read_term(reader, fieldname, btext, blocks=False)
    return docnums, counts


def read_term(reader: IndexReader, fieldname: str, btext: bytes, blocks: bool = True) -> _TermRead:
    """``term_postings``'s arrays, and (with ``blocks``) the term's blocks as stored if they
    keep positions as arrays (what ``phrase_docs`` decodes positions from; else None): from
    ``index/embedded/codec.py``'s arrays, all blocks at once, or a whole block at a time from Whoosh
    2.7's own format.

    (``_read_data``/``_data``/``_next_block`` are internals of the pinned Whoosh release; a
    matcher of any other type is walked as usual.)
    """
    try:
        matcher, deleted = _postings(reader, fieldname, btext)
    except TermNotFound:
        return np.zeros(0, np.int64), np.zeros(0), None
    arrays, stored = None, None
    if isinstance(matcher, SplitLeafMatcher):
        arrays, stored = (
            matcher.postings_and_blocks() if blocks else (matcher.postings_arrays(), None)
        )
    if arrays is not None:
        docnums, counts = arrays
    elif not isinstance(matcher, W3LeafMatcher):
        pairs = [(docnum, matcher.weight()) for docnum in matcher.all_ids()]
        docnums, counts = np.array([d for d, _ in pairs], np.int64), np.array([w for _, w in pairs])
    else:
        ids, weights = [], []
        while matcher.is_active():
            block_ids, block_weights = block_arrays(matcher)
            ids.append(block_ids)
            weights.append(block_weights)
            matcher._next_block()
        docnums, counts = np.concatenate(ids), np.concatenate(weights)
    if deleted:
        keep = ~np.isin(docnums, np.fromiter(deleted, np.int64, len(deleted)))
        docnums, counts = docnums[keep], counts[keep]
    return docnums, counts, stored


def phrase_docs(
    leaf: Searcher,
    phrase: wq.Phrase,
    candidates: np.ndarray | None = None,
    blocks: Mapping[bytes, list[BlockParts] | None] | None = None,
) -> np.ndarray:
    """The numbers of the documents in one segment (``leaf``) that have ``phrase``; only
    ``candidates`` are looked at when given (the documents with all its words, if known: each
    of its words is then in the segment, if any document is). ``blocks`` holds the words'
    blocks as ``read_term`` gave them, where it has read them already.

    Whoosh walks every document with all the words through a tree of span matchers, several
    Python calls per document and word. Here the documents with all the words come from their
    postings, each word's positions in them are decoded a block at a time
    (``index/embedded/codec.py``), and a document has the phrase when word ``i`` is at some
    position ``p + i`` for every ``i``: an intersection of arrays of (document, position) keys.
    A phrase whose words may be apart (``"a b"~3``) is found by Whoosh.
    """
    reader, fieldname, schema = leaf.reader(), phrase.fieldname, leaf.schema
    if (
        phrase.slop != 1
        or fieldname not in schema
        or not isinstance(schema[fieldname].format, Positions)
    ):
        return np.fromiter(phrase.docs(leaf), np.int64)  # (Whoosh says what is wrong, if any)
    field = schema[fieldname]
    try:
        words = [field.to_bytes(word) for word in phrase.words]
    except ValueError:
        return np.zeros(0, np.int64)
    keys = candidates
    if keys is None:
        if not words or any((fieldname, word) not in reader for word in words):
            return np.zeros(0, np.int64)
        keys = reduce(np.intersect1d, (term_postings(reader, fieldname, w)[0] for w in words))
    located = {}
    for offset, word in enumerate(words):
        if not len(keys):
            break
        if word not in located:
            within = keys if offset == 0 else keys >> 32
            located[word] = _located(reader, fieldname, word, within, (blocks or {}).get(word))
        at = located[word]
        starts = at[(at & _POSITION) >= offset] - offset  # where the phrase would start
        keys = starts if offset == 0 else np.intersect1d(keys, starts, assume_unique=True)
    return np.unique(keys >> 32) if len(keys) else np.zeros(0, np.int64)


_POSITION = (1 << 32) - 1  # a key is a document number times 2**32 plus a position


def _located(
    reader: IndexReader,
    fieldname: str,
    btext: bytes,
    docnums: np.ndarray,
    blocks: list[BlockParts] | None = None,
) -> np.ndarray:
    """Every position of a term in ``docnums`` (all have it), as document-position keys, in
    order. Only the blocks that hold one of ``docnums`` are decoded, all of them at once (the
    term's ``blocks`` if read already, else read here)."""
    docnums = np.unique(docnums)
    if blocks is None:
        matcher, _ = _postings(reader, fieldname, btext)
        blocks = matcher.array_blocks() if isinstance(matcher, SplitLeafMatcher) else None
    if blocks is None:  # kept in another form: walked a posting at a time
        keys = []
        for docnum in docnums.tolist():
            matcher.skip_to(docnum)
            keys.extend((docnum << 32) | position for position in matcher.value_as("positions"))
        return np.array(keys, np.int64)
    lasts = np.array([block.last for block in blocks], np.int64)
    firsts = np.concatenate(([0], lasts[:-1] + 1))
    holding = np.searchsorted(docnums, lasts, "right") > np.searchsorted(docnums, firsts)
    wanted = list(compress(blocks, holding.tolist()))
    if not wanted:
        return np.zeros(0, np.int64)
    ids, _ = blocks_postings(wanted)
    count, gap = blocks_positions(wanted)
    ends = np.cumsum(gap, dtype=np.int64)  # each posting's first gap counts from 0
    before = np.concatenate(([0], ends[np.cumsum(count)[:-1] - 1]))
    positions = ends - np.repeat(before, count)
    keep = np.repeat(np.isin(ids, docnums, assume_unique=True), count)
    return (np.repeat(ids, count)[keep] << 32) | positions[keep]


def _postings(reader: IndexReader, fieldname: str, btext: bytes) -> tuple[Matcher, set | None]:
    """A term's matcher in one segment, without the filter that skips deleted documents, and
    those documents (None if there are none)."""
    matcher = reader.postings(fieldname, btext)
    if type(matcher) is FilterMatcher and matcher._exclude:
        deleted, matcher = matcher._ids, matcher.child
        matcher.reset()  # the filter has moved it past deleted documents
        return matcher, deleted
    return matcher, None
