"""A segment's numeric column as a numpy array, read once per opened reader.

Whoosh reads a column value by value (a method call and an unpack each); scoring and date filters
want a whole segment's field lengths or dates at once. A fixed-width numeric column is one run
of big-endian numbers on disk, so it becomes an array in one read.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np
from whoosh.columns import ColumnReader, NumericColumn
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

_CACHE: weakref.WeakKeyDictionary[IndexReader, dict[str, np.ndarray]] = weakref.WeakKeyDictionary()


def column_array(
    reader: IndexReader,
    name: str,
    column: ColumnReader,
    convert: Callable[[np.ndarray], np.ndarray] = lambda values: values,
) -> np.ndarray:
    """Every document's value of ``column`` (named ``name``) in the segment ``reader`` reads,
    passed through ``convert`` (the result is what is kept)."""
    cached = _CACHE.setdefault(reader, {})
    if name not in cached:
        size = reader.doc_count_all()
        if type(column) is NumericColumn.Reader:
            dtype = np.dtype(">" + column._typecode)
            values = np.full(size, column._default, dtype=dtype.newbyteorder("="))
            stored = min(column._count, size)
            raw = column._dbfile.get(column._basepos, stored * dtype.itemsize)
            values[:stored] = np.frombuffer(raw, dtype=dtype)
        else:
            values = np.array([column[docnum] for docnum in range(size)])
        cached[name] = convert(values)
    return cached[name]


def dates(searcher: Searcher) -> np.ndarray:
    """Every document's ``published`` column value, by top-level document number (undated ones
    hold the column's default, ``index.embedded.schema.missing_date_value``)."""
    readers = [leaf.reader() for leaf, _ in searcher.leaf_searchers()]
    return np.concatenate(
        [np.zeros(0, np.uint64)]
        + [
            column_array(reader, "published", reader.column_reader("published", translate=False))
            for reader in readers
        ]
    )
