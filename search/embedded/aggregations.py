"""Counting every match for coverage analysis: per day, per source, once per story, and every
match read one at a time for exports.

Matches come as a numpy array of document numbers; dates, sources and story keys are whole
columns read once per searcher (``column_arrays``, ``facets.column_values``) and turned into
integer codes, so a count is a few array operations whatever the number of matches.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from weakref import WeakKeyDictionary

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from index.embedded.schema import column_name, from_stored, missing_date_value
from index.embedded.store import read_consistently
from index.errors import ArticleError, QuerySyntaxError
from search.embedded import array_scoring
from search.embedded.column_arrays import dates
from search.embedded.facets import column_values
from search.embedded.matches import query_docs
from search.embedded.searching import open_searcher, prepared_queries, validate
from search.embedded.stored_reading import stored_in_order
from search.results import DailyCounts, Match, SearchRequest, SourceCount, one_per_source

_EPOCH = 62_135_596_800_000_000  # 1970-01-01 as Whoosh stores a date (microseconds from year 1)
_DAY = 86_400_000_000
# Integer codes of a column's values by searcher, and the values coded.
_CODES: WeakKeyDictionary[Searcher, dict[str, tuple[np.ndarray, list[bytes]]]] = WeakKeyDictionary()


def daily_counts(index_path: Path, request: SearchRequest, stories: bool = False) -> DailyCounts:
    def count() -> DailyCounts:
        searcher, docnums = _matched(index_path, request)
        published, dated = _published(searcher, docnums)
        days = (published[dated] - _EPOCH) // _DAY
        undated = int((~dated).sum())
        if stories:
            codes = _story_codes(searcher)
            dated_codes = codes[docnums[dated]]
            days = days[_firsts(dated_codes, days)]
            undated = len(np.setdiff1d(codes[docnums[~dated]], dated_codes))
        values, counts = np.unique(days, return_counts=True)
        as_dates = values.astype("datetime64[D]").tolist()
        return DailyCounts(dict(zip(as_dates, counts.tolist(), strict=True)), undated)

    return read_consistently(count)


def source_counts(index_path: Path, request: SearchRequest) -> list[SourceCount]:
    def count() -> list[SourceCount]:
        searcher, docnums = _matched(index_path, request)
        codes, names = _codes(searcher, column_name("source"))
        codes = codes[docnums]
        published, dated = _published(searcher, docnums)
        counts = np.bincount(codes, minlength=len(names))
        firsts = np.full(len(names), np.iinfo(np.int64).max)
        lasts = np.full(len(names), np.iinfo(np.int64).min)
        np.minimum.at(firsts, codes[dated], published[dated])
        np.maximum.at(lasts, codes[dated], published[dated])
        return _grouped(searcher, names, counts, firsts, lasts)

    return read_consistently(count)


def _grouped(
    searcher: Searcher,
    names: list[bytes],
    counts: np.ndarray,
    firsts: np.ndarray,
    lasts: np.ndarray,
) -> list[SourceCount]:
    field = searcher.schema["published"]
    unset = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    return one_per_source(
        SourceCount(
            names[code].decode("utf-8"),
            int(counts[code]),
            None if firsts[code] == unset[0] else field.from_column_value(int(firsts[code])),
            None if lasts[code] == unset[1] else field.from_column_value(int(lasts[code])),
        )
        for code in np.flatnonzero(counts).tolist()
    )


def iter_matches(
    index_path: Path, request: SearchRequest, stories: bool = False, sample: int | None = None
) -> Iterator[Match]:
    validate(request)
    searcher, ordered = read_consistently(lambda: _ordered(index_path, request))
    copies = np.ones(len(ordered), np.int64)
    if stories:
        codes = _story_codes(searcher)[ordered]
        _, first, counts = np.unique(codes, return_index=True, return_counts=True)
        kept = np.argsort(first, kind="stable")
        ordered, copies = ordered[first[kept]], counts[kept]
    if sample is not None and len(ordered) > sample:
        picked = np.unique(np.linspace(0, len(ordered) - 1, sample).round().astype(np.int64))
        ordered, copies = ordered[picked], copies[picked]
    # Each document's stored fields read from its segment directly: Whoosh's reader would find
    # the segment and copy the fields through a check against the schema, a sixth of the time.
    # (``_perdoc`` is an internal of the pinned Whoosh release.)
    leaves = searcher.leaf_searchers()
    starts = np.array([offset for _, offset in leaves], np.int64)
    segment = np.searchsorted(starts, ordered, side="right") - 1
    local = ordered - starts[segment]
    documents = zip(segment.tolist(), local.tolist(), strict=True)
    perdocs = [leaf.reader()._perdoc for leaf, _ in leaves]
    for stored, count in zip(stored_in_order(perdocs, documents), copies.tolist(), strict=True):
        yield Match(from_stored(stored), stored.get("story") or "", count)


def story_of(index_path: Path, article_id: str) -> list[Match]:
    def read() -> list[Match]:
        searcher = open_searcher(index_path)
        docnum = next(iter(searcher.document_numbers(id=article_id)), None)
        if docnum is None:
            raise ArticleError(f"no article with id {article_id!r} in {index_path}")
        story = searcher.stored_fields(docnum).get("story")
        members = list(searcher.document_numbers(story=story)) if story else [docnum]
        stored = [searcher.stored_fields(member) for member in members]
        return [Match(from_stored(fields), fields.get("story") or "") for fields in stored]

    return read_consistently(read)


def _matched(index_path: Path, request: SearchRequest) -> tuple[Searcher, np.ndarray]:
    """The open searcher and the numbers of every document the request matches, in order."""
    searcher = open_searcher(index_path)
    scoring_query, narrowing = prepared_queries(index_path, searcher, request)
    everything = type(scoring_query) is wq.Every and not scoring_query.fieldname
    if everything and narrowing is None:
        return searcher, _live(searcher)
    try:
        docs = query_docs(searcher, narrowing if everything else scoring_query)
        if narrowing is not None and not everything:
            docs &= query_docs(searcher, narrowing)
    except (wq.QueryError, ValueError, TypeError) as exc:
        raise QuerySyntaxError(f"cannot run query {request.query!r}: {exc}") from exc
    return searcher, np.sort(np.fromiter(docs, np.int64, len(docs)))


def _live(searcher: Searcher) -> np.ndarray:
    """Every live document's number, in order (Whoosh asks each document whether it is
    deleted; here each segment's deleted ones are taken out at once).

    (``_perdoc.deleted_docs`` is an internal of the pinned Whoosh release, as in ``matches``.)
    """
    kept = _CODES.setdefault(searcher, {})
    if "live" not in kept:
        parts = [np.zeros(0, np.int64)]
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            keep = np.ones(reader.doc_count_all(), bool)
            if reader.has_deletions():
                keep[list(reader._perdoc.deleted_docs())] = False
            parts.append(np.flatnonzero(keep) + offset)
        kept["live"] = (np.concatenate(parts), [])
    return kept["live"][0]


def _ordered(index_path: Path, request: SearchRequest) -> tuple[Searcher, np.ndarray]:
    """Every match's document number in the request's order: by score (best first, ties in
    index order), or by date (undated last)."""
    if request.sort != "relevance":
        searcher, docnums = _matched(index_path, request)
        published, dated = _published(searcher, docnums)
        ordinal = -published if request.sort == "newest" else published
        keys = np.where(dated, ordinal, np.iinfo(np.int64).max)
        return searcher, docnums[np.lexsort((docnums, keys))]
    searcher = open_searcher(index_path)
    scoring_query, narrowing = prepared_queries(index_path, searcher, request)
    allowed = None if narrowing is None else query_docs(searcher, narrowing)
    if array_scoring.supports(searcher, scoring_query):
        docnums, scores = array_scoring.matches(searcher, scoring_query, allowed)
        return searcher, docnums[np.lexsort((docnums, -scores))]
    hits = searcher.search(scoring_query, limit=None)
    ranked = [hit.docnum for hit in hits if allowed is None or hit.docnum in allowed]
    return searcher, np.array(ranked, np.int64)


def _published(searcher: Searcher, docnums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The documents' dates as Whoosh stores them (signed), and which documents have one."""
    stored = dates(searcher)[docnums]
    dated = stored != missing_date_value(searcher.schema)
    return stored.astype(np.int64), dated


def _firsts(codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    """For each distinct code, the position of its earliest day."""
    order = np.lexsort((days, codes))
    starts = np.ones(len(order), bool)
    starts[1:] = codes[order][1:] != codes[order][:-1]
    return order[starts]


def _story_codes(searcher: Searcher) -> np.ndarray:
    """Each document's story as an integer; a document without a story key is a story alone."""
    codes, names = _codes(searcher, "story", ordered=False)
    alone = np.flatnonzero(codes == names.index(b"")) if b"" in names else np.zeros(0, np.int64)
    if len(alone):
        codes = codes.copy()
        codes[alone] = len(names) + alone
    return codes


def _codes(searcher: Searcher, column: str, ordered: bool = True) -> tuple[np.ndarray, list[bytes]]:
    """Every document's value of a byte-string column as an integer code, and the values;
    ``ordered``, the values (and so the codes) in byte order, else in order of first use.

    Codes are handed out by a dict and only the distinct values are sorted: ``np.unique``
    sorts every document's value as a Python object, 4.3 s for the story keys of a million
    articles, against 0.65 s for the dict (story keys, mostly unique, need no order).
    """
    kept = _CODES.setdefault(searcher, {})
    key = column if ordered else f"{column}:unordered"
    if key not in kept:
        reader = searcher.reader()
        size = reader.doc_count_all()
        raw = (
            column_values(searcher, column, range(size), translate=False)
            if reader.has_column(column)
            else [b""] * size
        )
        found: dict[bytes, int] = {}
        codes = np.fromiter(
            (found.setdefault(value or b"", len(found)) for value in raw), np.int64, size
        )
        names = list(found)
        if ordered:
            names.sort()
            rank = np.empty(len(names), np.int64)
            rank[[found[name] for name in names]] = np.arange(len(names))
            codes = rank[codes]
        kept[key] = (codes, names)
    return kept[key]
