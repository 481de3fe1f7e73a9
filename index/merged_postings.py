"""The prose postings of segments being merged, read a term at a time as arrays.

Whoosh merges segments by reading every posting of every term, positions and all, as a Python
tuple into its posting pool, which sorts them all again: merging 100,000 articles took minutes.
But a segment lists its terms in order and numbers its documents in order, and segments are
merged in order. So here every segment's terms are walked side by side; each term's postings
are read from each segment that has it (all its blocks at once, as arrays), renumbered into the
new segment, the deleted left out, and put together; and terms are handed on in order, in chunks,
for ``prose_postings.write_postings`` to write, as it writes new documents' postings.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

import numpy as np
from whoosh.codec.base import Segment
from whoosh.fields import Schema
from whoosh.filedb.filestore import Storage
from whoosh.reading import SegmentReader

from index.codec import SplitLeafMatcher
from index.prose_postings import Postings

# Postings gathered before a chunk is handed on: the memory a merge holds, whatever its size.
CHUNK_POSTINGS = 200_000


@dataclass(frozen=True, slots=True)
class MergedSegment:
    """A segment being merged: each of its documents' numbers in the new segment (-1 for a
    deleted one, left out)."""

    segment: Segment
    new_numbers: np.ndarray

    @classmethod
    def of(cls, reader: Any, first: int, numbers: dict[int, int] | None) -> MergedSegment:
        """As Whoosh's writer renumbers a reader's documents: from ``first`` on, or by
        ``numbers`` (old -> new, live documents only) when the segment has deletions."""
        count = reader.doc_count_all()
        if numbers is None:
            return cls(reader.segment(), np.arange(first, first + count, dtype=np.int64))
        new_numbers = np.full(count, -1, dtype=np.int64)
        new_numbers[np.fromiter(numbers.keys(), np.int64)] = np.fromiter(numbers.values(), np.int64)
        return cls(reader.segment(), new_numbers)


def merged_chunks(
    storage: Storage, schema: Schema, name: str, merged: list[MergedSegment]
) -> Iterator[tuple[list[bytes], Postings]]:
    """The postings of field ``name`` of the ``merged`` segments (in the order their documents
    take in the new segment), in term order, in chunks of whole terms."""
    readers = [SegmentReader(storage, schema, each.segment) for each in merged]
    try:
        walks = [_terms(reader, name, number) for number, reader in enumerate(readers)]
        texts: list[bytes] = []
        parts: list[tuple[np.ndarray, ...]] = []
        gathered = 0
        for text, found in groupby(heapq.merge(*walks), key=itemgetter(0)):
            pieces = [
                _postings(readers[number], name, terminfo, merged[number].new_numbers)
                for _, number, terminfo in found
            ]
            pieces = [piece for piece in pieces if len(piece[0])]
            if not pieces:  # every posting deleted: the term goes, as in Whoosh's merge
                continue
            texts.append(text)
            parts.append(tuple(np.concatenate(column) for column in zip(*pieces, strict=True)))
            gathered += len(parts[-1][0])
            if gathered >= CHUNK_POSTINGS:
                yield texts, _chunk(parts)
                texts, parts, gathered = [], [], 0
        if texts:
            yield texts, _chunk(parts)
    finally:
        for reader in readers:
            reader.close()


def _terms(reader: SegmentReader, name: str, number: int) -> Iterator[tuple[bytes, int, Any]]:
    """The field's terms in a segment, in order, each with the segment's number and its entry."""
    for (fieldname, text), terminfo in reader._terms.items_from(name, b""):
        if fieldname != name:
            return
        yield text, number, terminfo


def _postings(
    reader: SegmentReader, name: str, terminfo: Any, new_numbers: np.ndarray
) -> tuple[np.ndarray, ...]:
    """A term's postings in one segment, renumbered, the deleted left out: documents,
    weights, counts of positions, and the positions' gaps (each posting's first from 0)."""
    terms = reader._terms
    matcher = terms._codec.postings_reader(terms._postfile, terminfo, reader.schema[name].format)
    arrays = matcher.term_arrays() if isinstance(matcher, SplitLeafMatcher) else None
    docs, weights, counts, gaps = arrays if arrays is not None else _matched_arrays(matcher)
    docs = new_numbers[docs]
    kept = docs >= 0
    if not kept.all():
        gaps = gaps[np.repeat(kept, counts)]
        docs, weights, counts = docs[kept], weights[kept], counts[kept]
    return docs, weights, counts, gaps


def _matched_arrays(matcher: Any) -> tuple[np.ndarray, ...]:
    """A term's postings read one by one, as Whoosh reads any segment."""
    docs, weights, positions = [], [], []
    while matcher.is_active():
        docs.append(matcher.id())
        weights.append(matcher.weight())
        positions.append(matcher.value_as("positions"))
        matcher.next()
    gaps = [
        p - before for each in positions for p, before in zip(each, [0, *each[:-1]], strict=True)
    ]
    return (
        np.array(docs, dtype=np.int64),
        np.array(weights, dtype=np.float64),
        np.array([len(each) for each in positions], dtype=np.int64),
        np.array(gaps, dtype=np.uint32),
    )


def _chunk(parts: list[tuple[np.ndarray, ...]]) -> Postings:
    docs, weights, counts, gaps = (np.concatenate(column) for column in zip(*parts, strict=True))
    sizes = [len(part[0]) for part in parts]
    return Postings(
        terms=np.repeat(np.arange(len(parts)), sizes),
        docs=docs,
        weights=weights,
        counts=counts,
        starts=np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64),
        gaps=gaps,
    )
