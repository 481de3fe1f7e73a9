"""The prose postings of segments being merged, read a chunk of terms at a time as arrays.

Whoosh merges segments by reading every posting of every term, positions and all, as a Python
tuple into its posting pool, which sorts them all again: merging 100,000 articles took minutes.
But a segment lists its terms in order and numbers its documents in order, and segments are
merged in order. So here every segment's terms are walked side by side; each term's blocks are
read from each segment that has it, as the bytes they are stored as; and once a chunk of terms
has gathered, all their blocks are decoded together, renumbered into the new segment and the
deleted left out, in a few array operations. (Most terms have one block of a few postings, so
decoding them one by one cost a dozen numpy calls a posting.) Chunks are handed on in term
order, for ``prose_postings.write_postings`` to write, as it writes new documents' postings.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

import numpy as np
from whoosh.codec.base import Segment
from whoosh.fields import Schema
from whoosh.filedb.filestore import Storage
from whoosh.reading import SegmentReader

from index.embedded.codec import block_of, blocks_positions, blocks_postings, stored_blocks
from index.embedded.prose_postings import Postings

# Postings, or blocks, gathered before a chunk is handed on: the memory a merge holds, whatever
# its size. Each block costs some 900 bytes of objects until its chunk is decoded, so a field of
# rare words (a title: a block of a posting or two in each segment) is cut by its blocks: 200,000
# postings of titles were 100,000 blocks, 90 MB.
CHUNK_POSTINGS = 200_000
CHUNK_BLOCKS = 20_000


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
    # Every segment's documents in one array of new numbers: a segment's start in it, plus an
    # old number, gives the new one.
    starts = np.cumsum([0] + [len(each.new_numbers) for each in merged[:-1]])
    new_numbers = np.concatenate([each.new_numbers for each in merged])
    try:
        walks = [_terms(reader, name, number) for number, reader in enumerate(readers)]
        chunk = _Chunk()
        for text, found in groupby(heapq.merge(*walks), key=itemgetter(0)):
            chunk.texts.append(text)
            for _, number, terminfo in found:
                chunk.add(readers[number], name, terminfo, int(starts[number]))
            if chunk.postings >= CHUNK_POSTINGS or len(chunk.blocks) >= CHUNK_BLOCKS:
                yield from chunk.decoded(new_numbers)
                chunk = _Chunk()
        if chunk.texts:
            yield from chunk.decoded(new_numbers)
    finally:
        for reader in readers:
            reader.close()


def _terms(reader: SegmentReader, name: str, number: int) -> Iterator[tuple[bytes, int, Any]]:
    """The field's terms in a segment, in order, each with the segment's number and its entry."""
    for (fieldname, text), terminfo in reader._terms.items_from(name, b""):
        if fieldname != name:
            return
        yield text, number, terminfo


@dataclass(slots=True)
class _Chunk:
    """Terms' blocks gathered as stored (each block with its term and its segment's start), to
    be decoded together."""

    texts: list[bytes] = field(default_factory=list)
    blocks: list[Any] = field(default_factory=list)
    terms: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # the block's segment's start
    postings: int = 0

    def add(self, reader: SegmentReader, name: str, terminfo: Any, start: int) -> None:
        """The blocks of the last text's postings in one segment (whose documents start at
        ``start`` among those merged)."""
        terms = reader._terms
        blocks = stored_blocks(terms._postfile, terminfo)
        if blocks is None:  # another form: read a posting at a time, as one block
            matcher = terms._codec.postings_reader(
                terms._postfile, terminfo, reader.schema[name].format
            )
            blocks = [block_of(*_matched_arrays(matcher))]
        term = len(self.texts) - 1
        for block in blocks:
            self.blocks.append(block)
            self.terms.append(term)
            self.starts.append(start)
            self.postings += block.size

    def decoded(self, new_numbers: np.ndarray) -> Iterator[tuple[list[bytes], Postings]]:
        """The chunk's texts and their postings, renumbered, the deleted left out (and a term
        left with none dropped, as in Whoosh's merge); nothing if none is left."""
        sizes = np.array([block.size for block in self.blocks], dtype=np.int64)
        docs, weights = blocks_postings(self.blocks)
        docs = new_numbers[docs + np.repeat(np.array(self.starts, dtype=np.int64), sizes)]
        counts, gaps = blocks_positions(self.blocks)
        terms = np.repeat(np.array(self.terms, dtype=np.int64), sizes)
        texts = self.texts
        kept = docs >= 0
        if not kept.all():
            gaps = gaps[np.repeat(kept, counts)]
            docs, weights, counts, terms = docs[kept], weights[kept], counts[kept], terms[kept]
            left, terms = np.unique(terms, return_inverse=True)
            texts = [texts[term] for term in left.tolist()]
        if not texts:
            return
        yield (
            texts,
            Postings(
                terms=terms,
                docs=docs,
                weights=weights,
                counts=counts,
                starts=np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64),
                gaps=gaps,
            ),
        )


def _matched_arrays(matcher: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A term's postings read one by one, as Whoosh reads any segment: documents, counts,
    numbers of positions, and the gaps between positions (each posting's first from 0)."""
    docs, weights, counts, gaps = [], [], [], []
    while matcher.is_active():
        docs.append(matcher.id())
        weights.append(matcher.weight())
        positions = matcher.value_as("positions")
        counts.append(len(positions))
        gaps.extend(p - before for p, before in zip(positions, (0, *positions[:-1]), strict=True))
        matcher.next()
    return (
        np.array(docs, dtype=np.int64),
        np.array(weights, dtype=np.float64),
        np.array(counts, dtype=np.int64),
        np.array(gaps, dtype=np.int64),
    )
