"""Reading a term's postings in one segment as arrays: its documents and counts, a block at a
time, and the documents where words stand in a phrase, from their positions.

What both ways of using a query's words build on: matching them as sets (``matches.py``) and
scoring them as arrays (``array_scoring.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from itertools import compress

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.matching import FilterMatcher, Matcher
from whoosh.reading import IndexReader, TermNotFound
from whoosh.searching import Searcher

from index.embedded.codec import (
    BlockParts,
    SplitLeafMatcher,
    block_arrays,
    blocks_positions,
    blocks_postings,
)

# A term's documents and counts in one segment, and its blocks if they keep positions as arrays.
_TermRead = tuple[np.ndarray, np.ndarray, list[BlockParts] | None]


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
