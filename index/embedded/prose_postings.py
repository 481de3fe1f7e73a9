"""The postings of prose fields (title, body), gathered as arrays and written a block at a time.

Whoosh's writer makes a Python tuple of every posting of every document (with its positions
pickled), sorts them all, and hands them to the codec one by one: most of the time of indexing.
Here each word of a document adds its term's number and its position to two arrays; when the
segment is written, one stable sort by term gives every posting in order (documents, then
positions, keep the order they were added in), numpy works out each block's parts and statistics
at once, and the codec writes a block from slices of those arrays. The segment holds the same
bytes as Whoosh's way writes (tested).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
from whoosh.fields import FieldType
from whoosh.formats import Positions

from index.embedded.codec import ArraysBlock, packed_counts, packed_positions
from index.embedded.fast_analysis import CachedAnalyzer

# Words of a field sorted and written at a time: about 40 MB of arrays while they are.
CHUNK_WORDS = 500_000


def takes_arrays(field: FieldType) -> bool:
    """Whether a field's postings can be gathered here: positions kept, cached analysis, no
    term vectors or separate spelling words (which Whoosh's way adds as it indexes)."""
    return (
        type(field.format) is Positions
        and isinstance(field.analyzer, CachedAnalyzer)
        and field.scorable
        and not field.vector
        and not field.separate_spelling()
    )


class ProsePostings:
    """Every kept word of one field in the documents of a segment being written: its term's
    number and its position, and for each document its number and how many words it has."""

    def __init__(self, field: FieldType, words: dict[str, str | None]) -> None:
        self.field = field
        self.words = words  # each word of the documents added, and its term
        self.numbers: dict[str, int] = {}  # term -> its number (numbered as documents bring them)
        self.terms = array("I")
        self.positions = array("I")
        self.docs = array("I")
        self.sizes = array("I")
        # For each term number, whether the term counts in a document's length (all do, unless
        # the field says which: schema.ProseField counts content words).
        self.counts_in_length = getattr(field, "counts_in_length", None)
        self.counted = bytearray()

    def __bool__(self) -> bool:
        return bool(self.docs)

    def add(self, docnum: int, text: str) -> int:
        """Add a document's text; return its length: the words indexed, or those of them the
        field counts in lengths (at least one)."""
        terms, positions = self.field.analyzer.positioned_terms(text, "index", self.words)
        if not terms:
            return 0
        numbers = self.numbers
        try:
            numbered = list(map(numbers.__getitem__, terms))
        except KeyError:  # terms not met before in this segment: number them first
            new = list(set(terms).difference(numbers))
            numbers.update(zip(new, range(len(numbers), len(numbers) + len(new)), strict=True))
            if self.counts_in_length is not None:
                self.counted.extend(map(self.counts_in_length, new))
            numbered = list(map(numbers.__getitem__, terms))
        self.terms.extend(numbered)
        self.positions.extend(positions)
        self.docs.append(docnum)
        self.sizes.append(len(terms))
        if self.counts_in_length is None:
            return len(terms)
        # (itemgetter looks them up three times as fast as a map; one item comes back bare.)
        counted = itemgetter(*numbered)(self.counted)
        length = sum(counted) if len(numbered) > 1 else counted
        return length or 1  # (0 is a field without words)

    def chunks(self) -> Iterator[tuple[list[bytes], Postings]]:
        """The postings sorted by term, then document, in chunks of whole terms (of about
        ``CHUNK_WORDS`` words, which bounds the memory the writing takes); each with every
        term's text, in order, which the postings' terms index."""
        to_bytes = self.field.to_bytes
        texts = [to_bytes(text) for text in self.numbers]
        order = sorted(range(len(texts)), key=texts.__getitem__)
        rank = np.empty(len(texts), dtype=np.uint32)
        rank[order] = np.arange(len(texts), dtype=np.uint32)
        texts = [texts[number] for number in order]
        terms = rank[np.frombuffer(self.terms, dtype=np.uint32)]
        by_term = np.argsort(terms, kind="stable")
        terms = terms[by_term]
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.uint32), self.sizes)
        positions = np.frombuffer(self.positions, dtype=np.uint32)
        # Each chunk ends where the term holding its last wanted word starts.
        wanted = terms[np.arange(CHUNK_WORDS, len(terms), CHUNK_WORDS)]
        cuts = np.unique(np.concatenate(([0], np.searchsorted(terms, wanted), [len(terms)])))
        for start, end in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            words = by_term[start:end]
            yield texts, _postings(terms[start:end], docs[words], positions[words])

    def pool_postings(self, name: str) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        """The postings as Whoosh's posting pool holds them, for a segment that is written
        Whoosh's way after all (it merges other segments in too)."""
        encode = self.field.format.encode
        for texts, postings in self.chunks():
            ends = np.append(postings.starts[1:], len(postings.gaps)).tolist()
            for term, doc, weight, start, end in zip(
                postings.terms.tolist(),
                postings.docs.tolist(),
                postings.weights.tolist(),
                postings.starts.tolist(),
                ends,
                strict=True,
            ):
                positions = np.cumsum(postings.gaps[start:end], dtype=np.int64).tolist()
                yield name, texts[term], doc, weight, encode(positions)


def _postings(terms: np.ndarray, docs: np.ndarray, positions: np.ndarray) -> Postings:
    """Postings from words sorted by term, then document (positions in order within each)."""
    # A posting starts where the term or the document changes.
    starts = np.flatnonzero(
        np.concatenate(([True], (terms[1:] != terms[:-1]) | (docs[1:] != docs[:-1])))
    )
    # Positions as gaps, the first of each posting from 0 (the codec's form).
    gaps = np.diff(positions, prepend=np.uint32(0))
    gaps[starts] = positions[starts]
    counts = np.diff(np.append(starts, len(terms)))
    return Postings(
        terms=terms[starts],
        docs=docs[starts].astype(np.int64),
        weights=counts.astype(np.float64),
        counts=counts,
        starts=starts,
        gaps=gaps,
    )


def write_postings(
    fieldwriter: Any,
    name: str,
    field: FieldType,
    chunks: Iterable[tuple[list[bytes], Postings]],
    lengths: Sequence[int | None],
    blocklimit: int,
) -> None:
    """Write a field's terms and postings with ``fieldwriter`` (Whoosh's, for ``SplitCodec``)
    in blocks of ``blocklimit``: ``chunks`` give them in term order, each chunk whole terms and
    their texts; ``lengths`` are the field's lengths by document, as the segment's length
    column gives them back."""
    # (Whoosh gives None for a document without the field: it has no postings here.)
    field_lengths = np.array([length or 0 for length in lengths], dtype=np.int64)
    started = False  # (a field without terms is not started, as in Whoosh's way)
    for texts, postings in chunks:
        if not started:
            fieldwriter.start_field(name, field)
            started = True
        for block, text, last in _Blocks(postings, field_lengths, blocklimit):
            if text is not None:
                fieldwriter.start_term(texts[text])
            fieldwriter._postwriter.write_arrays_block(block, last)
            if last:
                fieldwriter.finish_term()
    if started:
        fieldwriter.finish_field()


@dataclass(slots=True)
class Postings:
    """Postings sorted by term and document: each one's term (its rank among the texts that go
    with it), document, weight and count of positions, and where its positions start among
    ``gaps``; every position as its gap from the one before in its posting (from 0 for the
    first)."""

    terms: np.ndarray
    docs: np.ndarray
    weights: np.ndarray
    counts: np.ndarray
    starts: np.ndarray
    gaps: np.ndarray


class _Blocks:
    """The postings cut into blocks of at most ``limit`` per term, each with its parts and
    statistics; iterating gives ``(block, term rank if it starts a term, last of its term)``."""

    def __init__(self, postings: Postings, lengths: np.ndarray, limit: int) -> None:
        self.postings = postings
        count = len(postings.docs)
        term_starts = np.flatnonzero(
            np.concatenate(([True], postings.terms[1:] != postings.terms[:-1]))
        )
        sizes = np.diff(np.append(term_starts, count))
        offset = np.arange(count) - np.repeat(term_starts, sizes)
        self.starts = np.flatnonzero(offset % limit == 0)
        self.ends = np.append(self.starts[1:], count)
        self.opens_term = offset[self.starts] == 0
        self.closes_term = np.append(self.opens_term[1:], True)
        weights = postings.weights
        self.highest = np.maximum.reduceat(weights, self.starts)
        self.total = np.add.reduceat(weights, self.starts)
        field_lengths = lengths[postings.docs]
        self.shortest = np.minimum.reduceat(field_lengths, self.starts)
        self.longest = np.maximum.reduceat(field_lengths, self.starts)
        docs = postings.docs
        gaps = np.diff(docs, prepend=0)
        gaps[self.starts] = docs[self.starts]  # each block's first from 0
        self.counts = packed_counts(gaps, weights, self.starts)
        self.positions = packed_positions(postings.counts, postings.gaps, self.starts)

    def __iter__(self) -> Iterator[tuple[ArraysBlock, int | None, bool]]:
        docs, terms = self.postings.docs, self.postings.terms
        for start, end, opens, closes, highest, total, shortest, longest, counts, positions in zip(
            self.starts.tolist(),
            self.ends.tolist(),
            self.opens_term.tolist(),
            self.closes_term.tolist(),
            self.highest.tolist(),
            self.total.tolist(),
            self.shortest.tolist(),
            self.longest.tolist(),
            self.counts,
            self.positions,
            strict=True,
        ):
            block = ArraysBlock(
                counts=counts,
                positions=positions,
                size=end - start,
                first=int(docs[start]),
                last=int(docs[end - 1]),
                total=total,
                highest=highest,
                shortest=shortest,
                longest=longest,
            )
            yield block, int(terms[start]) if opens else None, closes
