"""How postings are laid out on disk: Whoosh's format, with word positions kept apart.

Whoosh 2.7 writes each block of postings (up to 128 documents of one term) as one compressed
pickle of the documents, their counts and their positions, so ranking a query, which needs only
documents and counts, decodes every position of every posting it reads: about ten times the
bytes, and most of a query's time. This codec writes the documents and counts first, positions
after, and reads positions only when they are asked for (phrases). Both are kept as arrays of
numbers, not pickles of Python objects, so numpy takes a block's in one step: its documents and
counts for ranking, its positions for a phrase. (Blocks written before the documents and counts
were arrays keep them as a pickle, and are read as such.)
A block's statistics are a fixed-size header rather than a third pickle, read in one call
(Whoosh unpickles them from the file a few bytes at a time, some twenty reads a block). A part
too short to gain from compression is stored as it is.
Everything else, including the files and term dictionary, is Whoosh's own format; segments
written by plain Whoosh (or by Byline before this codec) are read as before.
"""

from __future__ import annotations

import pickle
import struct
import sys
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
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

from index.term_table import CompactTermsWriter

_PROTOCOL = 2  # as Whoosh pickles blocks
# A block's length (negative for a term's last block), then its statistics: postings, last
# document, highest count, form of the counts (``_COMPRESSED``, ``_ARRAYS``), shortest and
# longest field (Whoosh's length bytes), size of the counts, positions compressed, positions as
# arrays.
_INFO = struct.Struct("!IIfBBBI??")
_COMPRESSED, _ARRAYS = 1, 2  # bits of the form of the counts (none: a pickle, as it is)
_HEAD = struct.Struct("!i" + _INFO.format[1:])
# Shorter parts are stored as they are: compressing them gains little and costs a call each
# (most terms have a block of a few postings).
_COMPRESS_FROM = 128


class SplitCodec(W3Codec):
    """Whoosh's codec, with the positions of each block of postings after its counts.

    (A segment keeps the codec that wrote it, pickled by name: this class must stay importable
    as ``index.codec.SplitCodec``.)
    """

    def field_writer(self, storage, segment):  # type: ignore[no-untyped-def]
        """Whoosh's, writing its term dictionary with a small memory (``index/term_table.py``)."""
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
        counts = _counts_as_arrays(self._mini_ids(), self._weights)
        as_arrays = type(self._format) is Positions
        values = _positions_as_arrays(self._values) if as_arrays else self._mini_values()
        self._emit_block(self, counts, values, as_arrays, last)

    def write_arrays_block(self, block: ArraysBlock, last: bool) -> None:
        """Write a block of a positions field whose parts are arrays already
        (``index/prose_postings.py``), as ``_write_block`` writes the postings added one by one."""
        self._emit_block(block, block.counts, block.positions, True, last)

    def _emit_block(
        self, block: Any, counts: bytes, values: Any, as_arrays: bool, last: bool
    ) -> None:
        """Write a block: ``block`` answers for its statistics (as Whoosh's writer does for
        the block it holds), ``counts`` and ``values`` are its parts."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(block)
        counts, counts_packed = self._compress(counts)
        positions, positions_packed = (
            (b"", False) if values is None else self._compress(pickle.dumps(values, _PROTOCOL))
        )
        info = _INFO.pack(
            len(block),
            block.max_id(),
            block.max_weight(),
            _ARRAYS | (_COMPRESSED if counts_packed else 0),
            length_to_byte(block.min_length()),
            length_to_byte(block.max_length()),
            len(counts),
            positions_packed,
            as_arrays,
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


def _counts_as_arrays(gaps: tuple[int, ...], weights: array) -> bytes:
    """A block's gaps between documents (the first from 0) and their counts, as an array of
    32-bit numbers and one of 32-bit floats (Whoosh's own types), little-endian, one after the
    other."""
    ids = array("I", gaps)
    counts = array("f", weights)
    if sys.byteorder == "big":  # stored little-endian, as the reader expects
        ids.byteswap()
        counts.byteswap()
    return ids.tobytes() + counts.tobytes()


@dataclass(slots=True)
class ArraysBlock:
    """A block of postings given as arrays: its parts as ``_counts_as_arrays`` and
    ``_positions_as_arrays`` make them, and the statistics Whoosh keeps of a block."""

    counts: bytes
    positions: tuple[bytes, bytes]
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


def _positions_as_arrays(values: list[bytes]) -> tuple[bytes, bytes]:
    """Each posting's number of positions, and every posting's gaps between positions (the
    first from 0) one after another, as two arrays of 32-bit numbers (little-endian): a phrase
    can then read a block's positions at once. (Whoosh encodes a posting's positions as a count
    and a pickle of its gaps.)"""
    gaps = [pickle.loads(value[_INT_SIZE:]) for value in values]
    counts, every = array("I", map(len, gaps)), array("I", chain.from_iterable(gaps))
    if sys.byteorder == "big":  # stored little-endian, as the reader expects
        counts.byteswap()
        every.byteswap()
    return counts.tobytes(), every.tobytes()


class _BlockParts(NamedTuple):
    """A block as stored: its postings, its last document, the form of its counts, its parts,
    and how its positions are kept."""

    size: int
    last: int
    form: int
    counts: bytes
    positions: bytes
    positions_compressed: bool
    positions_as_arrays: bool


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
            self._as_arrays,
        ) = info
        self._minlength = byte_to_length(shortest)
        self._maxlength = byte_to_length(longest)

    def _read_data(self) -> None:
        if self._counts_form & _ARRAYS:  # Whoosh's form, for Whoosh's own matchers
            gaps, weights = self._counts_arrays()
            self._data = (gaps.tolist(), weights.tolist(), None)
            return
        compressed = bool(self._counts_form & _COMPRESSED)
        ids, weights = self._unpack(self._dataoffset, self._countslength, compressed)
        self._data = (ids, weights, None)

    def _counts_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The gaps between the block's documents and their counts, as written by
        ``_counts_as_arrays``."""
        data = counts_data(
            self._postfile.get(self._dataoffset, self._countslength), self._counts_form
        )
        size = self._blocklength
        return (
            np.frombuffer(data, dtype="<u4", count=size),
            np.frombuffer(data, dtype="<f4", count=size, offset=4 * size),
        )

    def _read_values(self) -> None:
        start = self._dataoffset + self._countslength
        fixedsize = self._fixedsize
        if fixedsize == 0 or start == self._nextoffset:
            self._values = (None,) * self._blocklength
            return
        if self._as_arrays:  # Whoosh's encoding of each posting, for Whoosh's own matchers
            counts, gaps = self.positions_arrays()
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
        parts, sizes = [], []
        for block in self._blocks():
            if not block.form & _ARRAYS:
                return None
            parts.append(counts_data(block.counts, block.form))
            sizes.append(block.size)
        return blocks_counts(parts, sizes)

    def array_blocks(self) -> list[_BlockParts] | None:
        """The term's blocks as stored, from one read of them all; None if a block keeps its
        counts or positions in another form."""
        return _all_arrays(list(self._blocks()))

    def _blocks(self) -> Iterator[_BlockParts]:
        """The term's blocks, from one read of all of them."""
        extent = self._length  # (a 1-tuple when Whoosh read it from a term's entry)
        end = self._startoffset + (extent[0] if isinstance(extent, tuple) else extent)
        return _parsed_blocks(self._postfile.get(self._baseoffset, end - self._baseoffset))

    def positions_arrays(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The block's positions as written by ``_positions_as_arrays`` (None for a block that
        keeps them otherwise): how many each posting has, and the gaps, all postings' in turn."""
        if not self._as_arrays:
            return None
        start = self._dataoffset + self._countslength
        counts, gaps = self._unpack(start, self._nextoffset - start, self._positions_compressed)
        return np.frombuffer(counts, dtype="<u4"), np.frombuffer(gaps, dtype="<u4")

    def _unpack(self, offset: int, length: int, compressed: bool) -> Any:
        return _unpickled(self._postfile.get(offset, length), compressed)


def stored_blocks(postfile: Any, terminfo: Any) -> list[_BlockParts] | None:
    """A term's blocks as this codec stores them, from one read of them all, without a matcher;
    None if they are in another form (Whoosh's, or counts pickled) or in the term's entry."""
    if terminfo.is_inlined():
        return None
    offset, extent = terminfo.extent()
    length = extent[0] if isinstance(extent, tuple) else extent
    skip = len(WHOOSH3_HEADER_MAGIC)
    return _all_arrays(list(_parsed_blocks(postfile.get(offset + skip, length - skip))))


def _all_arrays(blocks: list[_BlockParts]) -> list[_BlockParts] | None:
    """``blocks`` if every one keeps its counts and positions as arrays, else None."""
    if all(block.form & _ARRAYS and block.positions_as_arrays for block in blocks):
        return blocks
    return None


def _parsed_blocks(data: bytes) -> Iterator[_BlockParts]:
    """The blocks of a term's postings, from their bytes."""
    at = 0
    while True:
        length, size, last, _, form, _, _, counts_length, packed, as_arrays = _HEAD.unpack_from(
            data, at
        )
        counts_at = at + _HEAD.size
        positions_at = counts_at + counts_length
        block_end = at + _INT_SIZE + abs(length)
        yield _BlockParts(
            size,
            last,
            form,
            data[counts_at:positions_at],
            data[positions_at:block_end],
            packed,
            as_arrays,
        )
        if length < 0:
            return
        at = block_end


def counts_data(data: bytes, form: int) -> bytes:
    """A block's counts part as ``_counts_as_arrays`` made it, from the form it is stored in."""
    return zlib.decompress(data) if form & _COMPRESSED else data


def blocks_counts(parts: list[bytes], sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The document numbers and counts of blocks, from their counts parts (as ``counts_data``
    gives them) and how many postings each has: in one step over all of them."""
    # Each block is its gaps then its counts: split them with one mask over all blocks.
    every = np.frombuffer(b"".join(parts), dtype="<u4")
    counts_of = np.array(sizes, dtype=np.int64)
    gaps_first = np.resize(np.array([True, False]), 2 * len(sizes))
    is_gap = np.repeat(gaps_first, np.repeat(counts_of, 2))
    # Gaps count from 0 in each block: a running sum, less the sum before each block.
    running = np.cumsum(every[is_gap], dtype=np.int64)
    ends = np.cumsum(counts_of)
    before = np.concatenate(([0], running[ends[:-1] - 1]))
    ids = running - np.repeat(before, counts_of)
    return ids, every[~is_gap].view("<f4").astype(np.float64)


def positions_data(block: _BlockParts) -> tuple[bytes, bytes]:
    """A block's positions part as ``_positions_as_arrays`` made it."""
    return _unpickled(block.positions, block.positions_compressed)


def _unpickled(data: bytes, compressed: bool) -> Any:
    return pickle.loads(zlib.decompress(data) if compressed else data)


def block_arrays(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """The document numbers and counts of the block a matcher of Whoosh's format or this
    codec's is on, as arrays (int64, float64)."""
    if isinstance(matcher, SplitLeafMatcher) and matcher._counts_form & _ARRAYS:
        gaps, weights = matcher._counts_arrays()
        return np.cumsum(gaps, dtype=np.int64), weights.astype(np.float64)
    if matcher._data is None:
        matcher._read_data()
    gaps, weights = matcher._data[:2]
    ids = np.cumsum(np.array(gaps, dtype=np.int64))
    if weights is None or isinstance(weights, float):  # Whoosh's short forms: all 1, all equal
        return ids, np.full(len(ids), 1.0 if weights is None else weights)
    return ids, np.array(weights, dtype=np.float64)
