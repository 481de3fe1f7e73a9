"""Blocks of postings as the codec keeps them: what is written is read back, in little room."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from index.embedded.codec import (
    _ARRAYS,
    _NARROW,
    _NARROW_POSITIONS,
    BlockParts,
    blocks_positions,
    blocks_postings,
    packed_counts,
    packed_positions,
)

_posting = st.tuples(
    st.integers(1, 70_000),  # gap from the document before
    st.one_of(st.integers(1, 70_000).map(float), st.floats(0.5, 1e6, width=32)),  # count
    st.lists(st.integers(0, 70_000), min_size=1, max_size=5),  # gaps between positions
)
_block = st.tuples(st.integers(0, 5_000_000), st.lists(_posting, min_size=1, max_size=40))


def _packed(blocks: list[tuple[int, list]]) -> tuple[list[BlockParts], dict[str, np.ndarray]]:
    """Blocks (each its first document and postings) packed as the codec writes them, and what
    they hold, as arrays."""
    docs, weights, counts, gaps, starts = [], [], [], [], []
    for first, postings in blocks:
        starts.append(len(docs))
        doc = first
        for number, (gap, weight, positions) in enumerate(postings):
            doc = doc + gap if number else first
            docs.append(doc)
            weights.append(weight)
            counts.append(len(positions))
            gaps.extend(positions)
    held = {
        "docs": np.array(docs, dtype=np.int64),
        "weights": np.array(weights, dtype=np.float64),
        "counts": np.array(counts, dtype=np.int64),
        "gaps": np.array(gaps, dtype=np.int64),
    }
    first_from_0 = np.diff(held["docs"], prepend=0)
    first_from_0[starts] = held["docs"][starts]
    at = np.array(starts, dtype=np.int64)
    counts_parts = packed_counts(first_from_0, held["weights"], at)
    positions_parts = packed_positions(held["counts"], held["gaps"], at)
    ends = [*starts[1:], len(docs)]
    parts = [
        BlockParts(end - start, docs[end - 1], _ARRAYS | _NARROW, counted, positioned, False, 2)
        for start, end, counted, positioned in zip(
            starts, ends, counts_parts, positions_parts, strict=True
        )
    ]
    return parts, held


@settings(max_examples=150, deadline=None)
@given(blocks=st.lists(_block, min_size=1, max_size=6))
def test_packed_blocks_read_back_as_written(blocks: list[tuple[int, list]]) -> None:
    # Blocks of one term or of several in turn (a merge reads them so): documents may go back.
    parts, held = _packed(blocks)
    docs, weights = blocks_postings(parts)
    assert docs.tolist() == held["docs"].tolist()
    # Whole counts are kept exactly; others as Whoosh keeps them, 32-bit floats.
    assert weights.tolist() == held["weights"].astype(np.float32).astype(np.float64).tolist()
    counts, gaps = blocks_positions(parts)
    assert counts.tolist() == held["counts"].tolist()
    assert gaps.tolist() == held["gaps"].tolist()
    # Any run of the blocks reads back alone (a phrase reads the blocks it needs only).
    last = parts[-1]
    alone, _ = blocks_postings([last])
    assert alone.tolist() == held["docs"][len(docs) - last.size :].tolist()
    # Never more room than four bytes a number, and a byte of codes.
    for part in parts:
        assert len(part.counts) <= 1 + 8 * part.size


def test_numbers_that_fit_a_byte_take_a_byte() -> None:
    # 128 articles in a row, each with the word twice, 3 and 250 words in: a common word's block.
    postings = [(1, 2.0, [3, 247])] * 128
    (part,), _ = _packed([(1_000_000, postings)])
    assert len(part.counts) == 1 + 128 + 128
    assert len(part.positions) == 1 + 128 + 256
    # Counts that are not whole numbers, and documents far apart, take more.
    (part,), _ = _packed([(0, [(70_000, 1.5, [300])] * 4)])
    assert len(part.counts) == 1 + 4 * 4 + 4 * 4
    assert len(part.positions) == 1 + 4 + 2 * 4
    assert part.positions_form == _NARROW_POSITIONS
