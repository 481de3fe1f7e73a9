"""Ranking a query of words with numpy: every match scored at once, the best taken.

Whoosh scores a broad query one document at a time through a tree of matchers, several Python
calls per document and word; a six-word question on 100,000 articles scores some twenty thousand
of them that way, which takes about a second. For the queries people mostly type (words, phrases
and ``AND``/``OR`` of them, over title and body), this module reads each word's postings a block
at a time, computes BM25F as Whoosh's own formula does for every posting in one array operation,
adds the words up and picks the best with a partial sort (or orders the matches by their dates
from the date column).

The scores are Whoosh's: the same formula, statistics and field weights, added in query order
(Whoosh adds in an order of its own, so scores may differ in the last bits). Whoosh's block-skip
optimisation could also leave a word's score out of a document's sum when both its fields
matched; here every matched word counts. A phrase is scored as the sum of its words, as Whoosh
scores it, in the documents that have them in order (``postings.phrase_docs``). Other queries
(wildcards, ``NOT``, date ranges in the query) go through Whoosh's collectors as before.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from index.embedded.schema import missing_date_value
from search.embedded.column_arrays import column_array, dates
from search.embedded.postings import phrase_docs, read_term, term_postings
from search.embedded.ranking import Ranked

_Node = tuple[np.ndarray, np.ndarray]  # one segment's scores and which documents match

# Whoosh stores a field's length in a byte; the length it scores with is this table's entry.
_LENGTHS = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float64)


def supports(searcher: Searcher, query: wq.Query) -> bool:
    """Whether ``query`` is words (terms of scored fields) joined by ``AND`` and ``OR``, and the
    searcher ranks by plain BM25F."""
    weighting = searcher.weighting
    if type(weighting) is not scoring.BM25F or weighting._field_B:
        return False
    return _plain(searcher, query)


def _plain(searcher: Searcher, query: wq.Query) -> bool:
    kind = type(query)
    if kind is wq.Term:
        if query.fieldname not in searcher.schema:
            return False
        return searcher.schema[query.fieldname].scorable and isinstance(query.text, str)
    if kind is wq.And or (kind is wq.Or and not query.minmatch and not query.scale):
        return bool(query.subqueries) and all(_plain(searcher, q) for q in query.subqueries)
    if kind is wq.Phrase:  # scored as its words, as Whoosh scores it
        return query.fieldname in searcher.schema and searcher.schema[query.fieldname].scorable
    return False


def matches(
    searcher: Searcher,
    query: wq.Query,
    allowed: Collection[int] | None = None,
    check_time: Callable[[], None] = lambda: None,
) -> tuple[np.ndarray, np.ndarray]:
    """Every document a query that ``supports`` accepts matches (only ``allowed`` ones if
    given), in document order, and its score. ``check_time`` is called after each word's (or
    phrase's) postings are read (it raises to stop a query past its time limit)."""
    docs, scores = [np.zeros(0, np.int64)], [np.zeros(0)]
    averages: dict[str, float] = {}
    for leaf, offset in searcher.leaf_searchers():
        found, matched = _node(searcher, leaf, query, averages, check_time)
        ids = np.flatnonzero(matched)
        docs.append(ids + offset)
        scores.append(found[ids])
    docnums, values = np.concatenate(docs), np.concatenate(scores)
    if allowed is not None:
        keep = np.isin(docnums, np.fromiter(allowed, np.int64, len(allowed)))
        docnums, values = docnums[keep], values[keep]
    return docnums, values


def best(
    searcher: Searcher, docnums: np.ndarray, scores: np.ndarray, count: int, collapse: bool
) -> Ranked:
    """The ``count`` best of scored documents, best first (equal scores by document number);
    with ``collapse``, only the best of each story."""
    if not collapse and count < len(scores):
        # Everything scoring at least the count-th best score, then exactly ordered.
        threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
        keep = scores >= threshold
        docnums, scores = docnums[keep], scores[keep]
    return _first(searcher, docnums, scores, np.lexsort((docnums, -scores)), count, collapse)


def by_date(
    searcher: Searcher,
    docnums: np.ndarray,
    scores: np.ndarray,
    count: int,
    newest: bool,
    collapse: bool,
) -> Ranked:
    """The first ``count`` documents by publication date, newest or oldest first, undated ones
    last; equal dates as Whoosh's sort orders them (the later indexed first when newest first);
    with ``collapse``, only the first of each story."""
    published = dates(searcher)[docnums]
    undated = published == missing_date_value(searcher.schema)
    latest = np.iinfo(np.int64).max
    keys = np.where(undated, 0 if newest else latest, published).astype(np.int64)
    order = np.lexsort((docnums, keys))
    return _first(searcher, docnums, scores, order[::-1] if newest else order, count, collapse)


def _first(
    searcher: Searcher,
    docnums: np.ndarray,
    scores: np.ndarray,
    order: np.ndarray,
    count: int,
    collapse: bool,
) -> Ranked:
    """The first ``count`` documents in ``order``; with ``collapse``, skipping any of a story
    an earlier one is of."""
    picked = order if collapse else order[:count]
    ranked = zip(docnums[picked].tolist(), scores[picked].tolist(), strict=True)
    return _one_per_story(searcher, ranked, count) if collapse else list(ranked)


def _one_per_story(searcher: Searcher, ranked: zip, count: int) -> Ranked:
    """The first ``count`` of ``ranked`` that are not of a story an earlier one is of."""
    stories = searcher.reader().column_reader("story")
    seen: set[str] = set()
    kept: Ranked = []
    for docnum, score in ranked:
        story = stories[docnum]
        if story:
            if story in seen:
                continue
            seen.add(story)
        kept.append((docnum, score))
        if len(kept) == count:
            break
    return kept


def _node(
    searcher: Searcher,
    leaf: Searcher,
    query: wq.Query,
    averages: dict[str, float],
    check_time: Callable[[], None],
) -> _Node:
    """A query's scores in one segment (``leaf``), as dense arrays over its documents.
    ``averages`` keeps each field's average length once worked out (Whoosh sums the segments'
    lengths each time it is asked)."""
    if type(query) is wq.Term:
        found, matched = _term(searcher, leaf.reader(), query, averages)
        check_time()
    elif type(query) is wq.Phrase:
        found, matched = _phrase(searcher, leaf, query, averages)
        check_time()
    else:
        # Added up one part at a time (each part's arrays are new, so the first one is kept).
        combine = np.logical_and if type(query) is wq.And else np.logical_or
        first, *rest = query.subqueries
        found, matched = _node(searcher, leaf, first, averages, check_time)
        for part in rest:
            scores, matches = _node(searcher, leaf, part, averages, check_time)
            found += scores
            combine(matched, matches, out=matched)
    if type(query) is not wq.Or and type(query) is not wq.Term:
        found *= matched  # the words of an And or a phrase count only where all of it matches
    if query.boost != 1.0:
        found *= query.boost
    return found, matched


def _term(
    searcher: Searcher, reader: IndexReader, term: wq.Term, averages: dict[str, float]
) -> _Node:
    size = reader.doc_count_all()
    found, matched = np.zeros(size), np.zeros(size, dtype=bool)
    btext = searcher.schema[term.fieldname].to_bytes(term.text)
    ids, weights = term_postings(reader, term.fieldname, btext)
    if len(ids):
        found[ids] = _bm25(searcher, reader, term.fieldname, btext, ids, weights, averages)
        matched[ids] = True
    return found, matched


def _phrase(
    searcher: Searcher, leaf: Searcher, phrase: wq.Phrase, averages: dict[str, float]
) -> _Node:
    """A phrase's scores in one segment: its words' scores added up, in query order, in the
    documents that have it. Each word's postings are read once, for its documents and then
    for its positions, and scored only where the phrase is (in most segments, nowhere)."""
    reader, fieldname = leaf.reader(), phrase.fieldname
    size = reader.doc_count_all()
    found, matched = np.zeros(size), np.zeros(size, dtype=bool)
    btexts = [searcher.schema[fieldname].to_bytes(word) for word in phrase.words]
    read = {btext: read_term(reader, fieldname, btext) for btext in btexts}
    with_all = np.full(size, bool(read))  # (masks: intersecting by sorting takes longer)
    for ids, _, _ in read.values():
        has = np.zeros(size, dtype=bool)
        has[ids] = True
        with_all &= has
    candidates = np.flatnonzero(with_all)
    if not len(candidates):
        return found, matched
    blocks = {btext: parts for btext, (_, _, parts) in read.items()}
    matched[phrase_docs(leaf, phrase, candidates, blocks)] = True
    for btext in btexts:
        ids, weights, _ = read[btext]
        keep = matched[ids]
        ids, weights = ids[keep], weights[keep]
        found[ids] += _bm25(searcher, reader, fieldname, btext, ids, weights, averages)
    return found, matched


def _bm25(
    searcher: Searcher,
    reader: IndexReader,
    fieldname: str,
    btext: bytes,
    ids: np.ndarray,
    weights: np.ndarray,
    averages: dict[str, float],
) -> np.ndarray:
    """Whoosh's ``scoring.bm25``, term for term, for each of a term's postings in one segment
    (documents ``ids``, occurrences ``weights``) at once."""
    weighting = searcher.weighting
    B, K1 = weighting.B, weighting.K1
    idf = searcher.idf(fieldname, btext)
    average = averages.get(fieldname)
    if average is None:
        average = averages[fieldname] = searcher.avg_field_length(fieldname) or 1
    lengths = _field_lengths(reader, fieldname)[ids]
    return idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average)))


def _field_lengths(reader: IndexReader, fieldname: str) -> np.ndarray:
    """Every document's length of a field in one segment, as Whoosh scores with it."""
    name = _lenfield(fieldname)
    column = reader._perdoc._cached_reader(name, LENGTHS_COLUMN)
    if column is None:  # no lengths kept: Whoosh scores with a length of 1
        return np.ones(reader.doc_count_all())
    return column_array(reader, name, column, convert=_LENGTHS.__getitem__)
