"""How postings are laid out on disk: Whoosh's format, with word positions kept apart.

Whoosh 2.7 writes each block of postings (up to 128 documents of one term) as one compressed
pickle of the documents, their counts and their positions, so ranking a query, which needs only
documents and counts, decodes every position of every posting it reads: about ten times the
bytes, and most of a query's time. This codec writes the documents and counts first, positions
after, and reads positions only when they are asked for (phrases). Both are kept as arrays of
numbers in the narrowest type that holds a block's (one, two or four bytes), not as compressed
pickles, so numpy takes a block's without a decompression or an unpickling: its documents and
counts for ranking, its positions for a phrase. They take less room than the compressed
four-byte numbers before them did (the body postings of 8,252 articles: 16.7 MB against 20.5 MB)
and are read in well under half the time (the postings of two words in 100,000 articles: 1.2 ms
against 3.1).
A block's statistics are a fixed-size header rather than a third pickle, read in one call
(Whoosh unpickles them from the file a few bytes at a time, some twenty reads a block).
Blocks written before keep the form they were written in and are read as such: counts as a
pickle, or as compressed four-byte arrays with positions as a compressed pickle of two arrays.
Everything else, including the files and term dictionary, is Whoosh's own format; segments
written by plain Whoosh (or by Byline before this codec) are read as before.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import accumulate, chain
from typing import Any, NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import (
    STORED_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
)
from whoosh.columns import CompressedBytesColumn, PickleColumn, VarBytesColumn
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

from index.embedded.term_table import CompactTermsWriter

_PROTOCOL = 2  # as Whoosh pickles blocks
# A block's length (negative for a term's last block), then its statistics: postings, last
# document, highest count, form of the counts (bits: ``_COMPRESSED``, ``_ARRAYS``, ``_NARROW``),
# shortest and longest field (Whoosh's length bytes), size of the counts, positions compressed,
# form of the positions (``_VALUES``, ``_POSITION_ARRAYS``, ``_NARROW_POSITIONS``).
_INFO = struct.Struct("!IIfBBBIBB")
_COMPRESSED, _ARRAYS, _NARROW = 1, 2, 4  # (none: a pickle, as it is)
_VALUES, _POSITION_ARRAYS, _NARROW_POSITIONS = 0, 1, 2
_HEAD = struct.Struct("!i" + _INFO.format[1:])
# Shorter parts are stored as they are: compressing them gains little and costs a call each
# (most terms have a block of a few postings).
_COMPRESS_FROM = 128
# The types a narrow part keeps its numbers in, by code: for each block, the narrowest of the
# first three that holds all of them, or the last for counts that are not whole numbers.
_NARROW_TYPES = (np.dtype("u1"), np.dtype("<u2"), np.dtype("<u4"), np.dtype("<f4"))
_FRACTIONS = 3
_FIRST = np.zeros(1, dtype=np.int64)  # where a lone block starts


class SplitCodec(W3Codec):
    """Whoosh's codec, with the positions of each block of postings after its counts.

    (A segment keeps the codec that wrote it, pickled by name: this class must stay importable
    as ``index.embedded.codec.SplitCodec``.)
    """

    def field_writer(self, storage, segment):  # type: ignore[no-untyped-def]
        """Whoosh's, writing its term dictionary with a small memory (``term_table.py``)."""
        writer = super().field_writer(storage, segment)
        writer._tindex = CompactTermsWriter.taking_over(writer._tindex)
        return writer

    def per_document_reader(self, storage, segment):  # type: ignore[no-untyped-def]
        return _PerDocReader(storage, segment)

    def postings_writer(self, dbfile, byteids=False):  # type: ignore[no-untyped-def]
        if byteids:  # term vectors, which Whoosh reads with its own matcher
            return super().postings_writer(dbfile, byteids)
        return _SplitPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):  # type: ignore[no-untyped-def]
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return SplitLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class _PerDocReader(W3PerDocReader):
    """Whoosh's, opening byte-string columns (the stored fields' too) with readers that work
    out where each value starts in one C call (``_OffsetsInC``)."""

    def column_reader(self, fieldname, column):  # type: ignore[no-untyped-def]
        if type(column) is VarBytesColumn:
            column = _VAR_BYTES
        elif column is STORED_COLUMN:
            column = _STORED
        return super().column_reader(fieldname, column)


def stored_as_written(perdoc: W3PerDocReader) -> Callable[[int], bytes]:
    """A document's stored fields as a segment keeps them (pickled and compressed), which a
    merge copies into the new segment as they are (``add_stored_as_written``): Whoosh's merge
    decompresses and unpickles every document's to pickle and compress them again (half the
    samples of a merge profiled a million articles in)."""
    column = perdoc._cached_reader("_stored", STORED_COLUMN)._child
    return partial(VarBytesColumn.Reader.__getitem__, column)


def add_stored_as_written(perdocwriter: W3PerDocWriter, docnum: int, data: bytes) -> None:
    """Give document ``docnum`` of the segment being written the stored fields ``data``, as
    ``stored_as_written`` read them (between ``start_doc`` and ``finish_doc``, with no stored
    values added through ``add_field``)."""
    VarBytesColumn.Writer.add(perdocwriter._colwriters["_stored"]._child, docnum, data)


class _OffsetsInC:
    """Adds up a byte-string column's value lengths into offsets in one C call. Whoosh stores
    the offsets only for segments of over 32,768 documents and otherwise adds them up in a
    Python loop each time a column is opened: 0.1 s for a search process to open the source and
    story columns and the stored fields of a 100,000-article index's segments."""

    _basepos: int
    _length: int
    _doccount: int
    _dbfile: Any

    def _read_offsets_and_lengths(self) -> None:
        lastbyte = self._basepos + self._length - 1
        code = chr(self._dbfile.get_byte(lastbyte))
        if code == "X":  # (offsets stored, read as they are)
            super()._read_offsets_and_lengths()  # type: ignore[misc]
            return
        start = lastbyte - struct.calcsize(code) * self._doccount
        self._lengths = self._dbfile.get_array(start, code, self._doccount)
        self._offsets = array("L", accumulate(self._lengths, initial=0))
        self._offsets.pop()  # (the end of the last value)


class _VarBytesReader(_OffsetsInC, VarBytesColumn.Reader):
    pass


class _CompressedBytesReader(_OffsetsInC, CompressedBytesColumn.Reader):
    pass


class _VarBytesOpener(VarBytesColumn):
    def reader(self, dbfile, basepos, length, doccount):  # type: ignore[no-untyped-def]
        return _VarBytesReader(dbfile, basepos, length, doccount)


class _CompressedBytesOpener(CompressedBytesColumn):
    def reader(self, dbfile, basepos, length, doccount):  # type: ignore[no-untyped-def]
        return _CompressedBytesReader(dbfile, basepos, length, doccount, self._module)


_VAR_BYTES = _VarBytesOpener()
_STORED = PickleColumn(_CompressedBytesOpener())


class _SplitPostingsWriter(W3PostingsWriter):
    def _write_block(self, last: bool = False) -> None:
        if len(self._ids) == 1:  # (every term of the id, url and story fields)
            counts = _one_posting_counts(self._weights[0])
        else:
            gaps = np.array(self._mini_ids(), dtype=np.int64)
            (counts,) = packed_counts(gaps, np.array(self._weights, dtype=np.float64), _FIRST)
        if type(self._format) is Positions:
            (positions,) = packed_positions(*_positions_as_arrays(self._values), _FIRST)
            self._emit_block(self, counts, positions, False, _NARROW_POSITIONS, last)
            return
        values = self._mini_values()
        positions, compressed = (
            (b"", False) if values is None else self._compress(pickle.dumps(values, _PROTOCOL))
        )
        self._emit_block(self, counts, positions, compressed, _VALUES, last)

    def write_arrays_block(self, block: ArraysBlock, last: bool) -> None:
        """Write a block of a positions field whose parts are made already
        (``prose_postings.py``), as ``_write_block`` writes the postings added one by one."""
        self._emit_block(block, block.counts, block.positions, False, _NARROW_POSITIONS, last)

    def _emit_block(
        self,
        block: Any,
        counts: bytes,
        positions: bytes,
        positions_compressed: bool,
        positions_form: int,
        last: bool,
    ) -> None:
        """Write a block: ``block`` answers for its statistics (as Whoosh's writer does for
        the block it holds), ``counts`` (``packed_counts``) and ``positions`` are its parts."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(block)
        info = _INFO.pack(
            len(block),
            block.max_id(),
            block.max_weight(),
            _ARRAYS | _NARROW,
            length_to_byte(block.min_length()),
            length_to_byte(block.max_length()),
            len(counts),
            positions_compressed,
            positions_form,
        )
        length = len(info) + len(counts) + len(positions)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(info)
        self._postfile.write(counts)
        self._postfile.write(positions)
        self._blockcount += 1
        self._new_block()

    def _compress(self, data: bytes) -> tuple[bytes, bool]:
        """The data, compressed unless it is too short to gain; and whether it is."""
        if not self._compression or len(data) < _COMPRESS_FROM:
            return data, False
        return zlib.compress(data, self._compression), True


@lru_cache(maxsize=1_024)
def _one_posting_counts(weight: float) -> bytes:
    """The counts part of a block of one posting, which depends on its count only (its one gap
    is kept as 0): worked out once for each count, not with a dozen numpy calls a block."""
    (counts,) = packed_counts(_FIRST, np.array([weight], dtype=np.float64), _FIRST)
    return counts


def packed_counts(gaps: np.ndarray, weights: np.ndarray, starts: np.ndarray) -> list[bytes]:
    """Each block's counts part, for blocks of postings that start at ``starts``: from the gaps
    between their documents (each block's first from 0) and their counts.

    A part is a byte of codes (``_NARROW_TYPES``), then the gaps, then the counts, each in the
    narrowest type that holds the block's. The first gap is kept as the distance from the
    block's first document to its last (which the block's header holds), so that no gap is
    larger than it: the first document's number would make most blocks of a large segment
    take four bytes a gap."""
    gaps = gaps.astype(np.int64)  # (a copy)
    bounds = np.append(starts, len(gaps)).tolist()
    spans = np.add.reduceat(gaps, starts) - gaps[starts]
    gaps[starts] = spans
    gap_codes = _codes(spans)
    whole = np.logical_and.reduceat((weights == np.rint(weights)) & (weights >= 0), starts)
    highest = np.maximum.reduceat(weights, starts)
    weight_codes = np.where(whole & (highest <= 0xFFFF), _codes(highest), _FRACTIONS)
    heads = _heads(gap_codes, weight_codes)
    return [
        bytes((head,)) + gap + weight
        for head, gap, weight in zip(
            heads,
            _sliced(gaps, gap_codes, bounds),
            _sliced(weights, weight_codes, bounds),
            strict=True,
        )
    ]


def packed_positions(counts: np.ndarray, gaps: np.ndarray, starts: np.ndarray) -> list[bytes]:
    """Each block's positions part, for blocks of postings that start at ``starts``: from how
    many positions each posting has and every posting's gaps between them (the first from 0),
    one posting's after another. A part is a byte of codes (``_NARROW_TYPES``), then the
    numbers of positions, then the gaps, each in the narrowest type that holds the block's."""
    bounds = np.append(starts, len(counts))
    word_bounds = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))[bounds]
    count_codes = _codes(np.maximum.reduceat(counts, starts))
    # (A zero after the gaps, for a block whose postings have no positions.)
    gap_codes = _codes(np.maximum.reduceat(np.append(gaps, 0), word_bounds[:-1]))
    heads = _heads(count_codes, gap_codes)
    return [
        bytes((head,)) + number + gap
        for head, number, gap in zip(
            heads,
            _sliced(counts, count_codes, bounds.tolist()),
            _sliced(gaps, gap_codes, word_bounds.tolist()),
            strict=True,
        )
    ]


def _codes(highest: np.ndarray) -> np.ndarray:
    """The code of the narrowest unsigned type that holds each of ``highest`` (whole numbers
    from 0 to 2**32 - 1)."""
    return (highest > 0xFF).astype(np.uint8) + (highest > 0xFFFF).astype(np.uint8)


def _heads(first: np.ndarray, second: np.ndarray) -> list[int]:
    """The byte of codes that starts each block's part: its first array's code in the low two
    bits, its second's in the next two (``_types`` reads it)."""
    return (first | (second << 2)).tolist()


def _types(head: int) -> tuple[np.dtype, np.dtype]:
    """The types of a part's two arrays, from its byte of codes (``_heads``)."""
    return _NARROW_TYPES[head & 3], _NARROW_TYPES[head >> 2]


def _sliced(values: np.ndarray, codes: np.ndarray, bounds: list[int]) -> list[bytes]:
    """Each block's slice of ``values`` (block ``i``'s from ``bounds[i]`` to ``bounds[i + 1]``)
    as bytes of the type its code names."""
    typed = {code: values.astype(_NARROW_TYPES[code]) for code in np.unique(codes).tolist()}
    return [
        typed[code][start:end].tobytes()
        for code, start, end in zip(codes.tolist(), bounds[:-1], bounds[1:], strict=True)
    ]


@dataclass(slots=True)
class ArraysBlock:
    """A block of postings given as arrays: its parts as ``packed_counts`` and
    ``packed_positions`` make them, and the statistics Whoosh keeps of a block."""

    counts: bytes
    positions: bytes
    size: int
    first: int  # document numbers
    last: int
    total: float  # of the counts
    highest: float
    shortest: int  # field lengths
    longest: int

    def __len__(self) -> int:
        return self.size

    @property
    def _weights(self) -> tuple[float]:  # (what Whoosh's term info sums)
        return (self.total,)

    def min_id(self) -> int:
        return self.first

    def max_id(self) -> int:
        return self.last

    def max_weight(self) -> float:
        return self.highest

    def min_length(self) -> int:
        return self.shortest

    def max_length(self) -> int:
        return self.longest


def _positions_as_arrays(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Each posting's number of positions, and every posting's gaps between positions (the
    first from 0) one after another, from Whoosh's encoding of a posting's positions (a count
    and a pickle of its gaps)."""
    gaps = [pickle.loads(value[_INT_SIZE:]) for value in values]
    counts = np.fromiter(map(len, gaps), dtype=np.int64, count=len(gaps))
    return counts, np.array(list(chain.from_iterable(gaps)), dtype=np.int64)


class BlockParts(NamedTuple):
    """A block as stored: its postings, its last document, the form of its counts, its parts,
    and how its positions are kept."""

    size: int
    last: int
    form: int
    counts: bytes | memoryview
    positions: bytes | memoryview
    positions_compressed: bool
    positions_form: int


class SplitLeafMatcher(W3LeafMatcher):
    """Reads blocks written by ``SplitCodec``: documents and counts when a block is reached,
    positions only if asked for. ``_data`` holds ``(ids, weights, None)``."""

    def _goto(self, position: int) -> None:
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        length, *info = _HEAD.unpack(self._postfile.get(position, _HEAD.size))
        self._lastblock = length < 0
        self._nextoffset = position + _INT_SIZE + abs(length)
        self._dataoffset = position + _HEAD.size
        (
            self._blocklength,
            self._maxid,
            self._maxweight,
            self._counts_form,
            shortest,
            longest,
            self._countslength,
            self._positions_compressed,
            self._positions_form,
        ) = info
        self._minlength = byte_to_length(shortest)
        self._maxlength = byte_to_length(longest)

    def _block(self) -> BlockParts:
        """The block the matcher is on, as stored (from one read of its parts)."""
        parts = memoryview(
            self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        )
        return BlockParts(
            self._blocklength,
            self._maxid,
            self._counts_form,
            parts[: self._countslength],
            parts[self._countslength :],
            self._positions_compressed,
            self._positions_form,
        )

    def _read_data(self) -> None:
        if self._counts_form & _ARRAYS:  # Whoosh's form, for Whoosh's own matchers
            ids, weights = blocks_postings([self._block()])
            self._data = (np.diff(ids, prepend=0).tolist(), weights.tolist(), None)
            return
        compressed = bool(self._counts_form & _COMPRESSED)
        ids, weights = self._unpack(self._dataoffset, self._countslength, compressed)
        self._data = (ids, weights, None)

    def _read_values(self) -> None:
        start = self._dataoffset + self._countslength
        fixedsize = self._fixedsize
        if fixedsize == 0 or start == self._nextoffset:
            self._values = (None,) * self._blocklength
            return
        if self._positions_form != _VALUES:  # Whoosh's encoding of each posting, for Whoosh
            counts, gaps = blocks_positions([self._block()])
            ends = np.cumsum(counts).tolist()
            every = gaps.tolist()
            self._values = tuple(
                pack_uint(end - first) + pickle.dumps(every[first:end], _PROTOCOL)
                for first, end in zip([0, *ends[:-1]], ends, strict=True)
            )
            return
        values = self._unpack(start, self._nextoffset - start, self._positions_compressed)
        if fixedsize is None or fixedsize < 0:
            self._values = values
        else:
            self._values = tuple(
                values[i : i + fixedsize] for i in range(0, len(values), fixedsize)
            )

    def postings_arrays(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Every document number and count of the term, in order, from all its blocks read at
        once (a block's header, then its counts, without the matcher's per-block reads); None
        if a block keeps them as a pickle (written before they were arrays)."""
        return _postings_arrays(list(self._blocks()))

    def postings_and_blocks(
        self,
    ) -> tuple[tuple[np.ndarray, np.ndarray] | None, list[BlockParts] | None]:
        """``postings_arrays`` and ``array_blocks``, from one read of the blocks."""
        blocks = list(self._blocks())
        return _postings_arrays(blocks), _all_arrays(blocks)

    def array_blocks(self) -> list[BlockParts] | None:
        """The term's blocks as stored, from one read of them all; None if a block keeps its
        counts or positions in another form."""
        return _all_arrays(list(self._blocks()))

    def _blocks(self) -> Iterator[BlockParts]:
        """The term's blocks, from one read of all of them."""
        extent = self._length  # (a 1-tuple when Whoosh read it from a term's entry)
        end = self._startoffset + (extent[0] if isinstance(extent, tuple) else extent)
        return _parsed_blocks(self._postfile.get(self._baseoffset, end - self._baseoffset))

    def _unpack(self, offset: int, length: int, compressed: bool) -> Any:
        return _unpickled(self._postfile.get(offset, length), compressed)


def stored_blocks(postfile: Any, terminfo: Any) -> list[BlockParts] | None:
    """A term's blocks as this codec stores them, from one read of them all, without a matcher;
    None if they are in another form (Whoosh's, or counts pickled) or in the term's entry."""
    if terminfo.is_inlined():
        return None
    offset, extent = terminfo.extent()
    length = extent[0] if isinstance(extent, tuple) else extent
    skip = len(WHOOSH3_HEADER_MAGIC)
    return _all_arrays(list(_parsed_blocks(postfile.get(offset + skip, length - skip))))


def _postings_arrays(blocks: list[BlockParts]) -> tuple[np.ndarray, np.ndarray] | None:
    """The documents and counts of ``blocks``; None if a block keeps them as a pickle."""
    if not all(block.form & _ARRAYS for block in blocks):
        return None
    return blocks_postings(blocks)


def _all_arrays(blocks: list[BlockParts]) -> list[BlockParts] | None:
    """``blocks`` if every one keeps its counts and positions as arrays, else None."""
    array_forms = (_POSITION_ARRAYS, _NARROW_POSITIONS)
    if all(block.form & _ARRAYS and block.positions_form in array_forms for block in blocks):
        return blocks
    return None


def _parsed_blocks(data: bytes) -> Iterator[BlockParts]:
    """The blocks of a term's postings, from their bytes (the parts are views of them)."""
    view = memoryview(data)
    at = 0
    while True:
        length, size, last, _, form, _, _, counts_length, packed, positions_form = (
            _HEAD.unpack_from(data, at)
        )
        counts_at = at + _HEAD.size
        positions_at = counts_at + counts_length
        block_end = at + _INT_SIZE + abs(length)
        yield BlockParts(
            size,
            last,
            form,
            view[counts_at:positions_at],
            view[positions_at:block_end],
            packed,
            positions_form,
        )
        if length < 0:
            return
        at = block_end


def block_of(
    docs: np.ndarray, weights: np.ndarray, counts: np.ndarray, gaps: np.ndarray
) -> BlockParts:
    """Postings as one block of this codec's, as it stores it: their documents, counts,
    numbers of positions and the gaps between positions (each posting's first from 0)."""
    (counts_part,) = packed_counts(np.diff(docs, prepend=0), weights, _FIRST)
    (positions_part,) = packed_positions(counts, gaps, _FIRST)
    return BlockParts(
        len(docs),
        int(docs[-1]),
        _ARRAYS | _NARROW,
        counts_part,
        positions_part,
        False,
        _NARROW_POSITIONS,
    )


def blocks_postings(blocks: Sequence[BlockParts]) -> tuple[np.ndarray, np.ndarray]:
    """The document numbers and counts (int64, float64) of blocks that keep their counts as
    arrays (of one term or of several, one after another), in one step over all of them."""
    gaps, weights = [], []
    for block in blocks:
        size = block.size
        if block.form & _NARROW:
            data = block.counts
            gap_type, weight_type = _types(data[0])
            gaps.append(np.frombuffer(data, gap_type, size, 1))
            weights.append(np.frombuffer(data, weight_type, size, 1 + size * gap_type.itemsize))
        else:  # four-byte arrays, compressed or not, the first gap from 0
            data = _counts_data(block.counts, block.form)
            first_from_0 = np.frombuffer(data, "<u4", size)
            gaps.append(np.concatenate(([block.last - first_from_0[0]], first_from_0[1:])))
            weights.append(np.frombuffer(data, "<f4", size, 4 * size))
    every = np.concatenate(gaps, dtype=np.int64)
    sizes = np.fromiter((block.size for block in blocks), np.int64, len(blocks))
    lasts = np.fromiter((block.last for block in blocks), np.int64, len(blocks))
    # Each block's first gap becomes the distance from the block before's last document (from
    # 0 for the first block), so that one running sum gives every document.
    starts = np.cumsum(sizes) - sizes
    every[starts] = lasts - every[starts] - np.concatenate(([0], lasts[:-1]))
    return np.cumsum(every), np.concatenate(weights, dtype=np.float64)


def blocks_positions(blocks: Sequence[BlockParts]) -> tuple[np.ndarray, np.ndarray]:
    """How many positions each posting of blocks has (int64), and every posting's gaps between
    them (uint32, each posting's first from 0), all blocks' one after another."""
    counts, gaps = [], []
    for block in blocks:
        data = block.positions
        if block.positions_form == _NARROW_POSITIONS:
            count_type, gap_type = _types(data[0])
            counts.append(np.frombuffer(data, count_type, block.size, 1))
            gaps.append(np.frombuffer(data, gap_type, offset=1 + block.size * count_type.itemsize))
        else:  # _POSITION_ARRAYS: a (compressed) pickle of two four-byte arrays
            numbers, every = _unpickled(data, block.positions_compressed)
            counts.append(np.frombuffer(numbers, "<u4"))
            gaps.append(np.frombuffer(every, "<u4"))
    return np.concatenate(counts, dtype=np.int64), np.concatenate(gaps, dtype=np.uint32)


def _counts_data(data: bytes | memoryview, form: int) -> bytes | memoryview:
    """The counts part of a block written before narrow parts, uncompressed."""
    return zlib.decompress(data) if form & _COMPRESSED else data


def _unpickled(data: bytes | memoryview, compressed: bool) -> Any:
    return pickle.loads(zlib.decompress(data) if compressed else data)


def block_arrays(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """The document numbers and counts of the block a matcher of Whoosh's format or this
    codec's is on, as arrays (int64, float64)."""
    if isinstance(matcher, SplitLeafMatcher) and matcher._counts_form & _ARRAYS:
        return blocks_postings([matcher._block()])
    if matcher._data is None:
        matcher._read_data()
    gaps, weights = matcher._data[:2]
    ids = np.cumsum(np.array(gaps, dtype=np.int64))
    if weights is None or isinstance(weights, float):  # Whoosh's short forms: all 1, all equal
        return ids, np.full(len(ids), 1.0 if weights is None else weights)
    return ids, np.array(weights, dtype=np.float64)
