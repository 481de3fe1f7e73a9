"""Facet counts over every matching article, each facet kind answering the same question.

Counts read columns (one value per document, no stored-document loading), so counting all
matches of a broad query stays cheap. When a good share of the index matches, the whole column is
read once and kept with the searcher, and equal values are counted together before being split.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Protocol
from weakref import WeakKeyDictionary

from whoosh.columns import VarBytesColumn
from whoosh.searching import Searcher

from index.article_fields import FACET_FIELDS
from index.embedded.schema import column_name, missing_date_value, split_values
from search.results import FacetCount


class Facet(Protocol):
    """A way to group matching articles: which values occur, and how many articles have each."""

    name: str

    def counts(self, searcher: Searcher, docnums: Sequence[int], size: int) -> list[FacetCount]: ...


# Whole columns read for a searcher, by column name; they go when the searcher does.
_COLUMNS: WeakKeyDictionary[Searcher, dict[str, list[Any]]] = WeakKeyDictionary()
# Read a whole column once at least this share of the index matches (1/8).
_WHOLE_COLUMN_FROM = 8


def column_values(
    searcher: Searcher, column: str, docnums: Sequence[int], translate: bool = True
) -> Iterable[Any]:
    """The column's value for each document number, in order.

    Columns are read segment by segment: Whoosh's multi-segment column reader leaves out the
    segments that lack the column and then answers for their documents from a neighbour's.
    """
    reader = searcher.reader()
    leaves = reader.leaf_readers()
    kept = _COLUMNS.setdefault(searcher, {})
    key = f"{column}:{translate}"
    values = kept.get(key)
    if values is None and len(docnums) * _WHOLE_COLUMN_FROM >= reader.doc_count_all():
        values = kept[key] = [
            value
            for leaf, _ in leaves
            for value in _whole(leaf.column_reader(column, translate=translate))
        ]
    if values is not None:
        return map(values.__getitem__, docnums)
    starts = [offset for _, offset in leaves]
    readers = [leaf.column_reader(column, translate=translate) for leaf, _ in leaves]

    def value(docnum: int) -> Any:
        leaf = bisect_right(starts, docnum) - 1
        return readers[leaf][docnum - starts[leaf]]

    return map(value, docnums)


def _whole(reader: Any) -> list[Any]:
    """Every value of one segment's column; a byte-string column in one read and slices.

    (``_offsets``, ``_lengths``, ``_dbfile`` and ``_basepos`` are internals of the pinned Whoosh
    release's variable-length column; any other reader is read value by value.)
    """
    if not isinstance(reader, VarBytesColumn.Reader):
        return list(reader)
    offsets, lengths = reader._offsets, reader._lengths
    if not len(lengths):
        return []
    data = reader._dbfile.get(reader._basepos, offsets[-1] + lengths[-1])
    return [data[offset : offset + length] for offset, length in zip(offsets, lengths, strict=True)]


class ValuesFacet:
    """Source, author, section or tag: values grouped case-insensitively, most common first.

    Each group is shown in the spelling most of its articles use.
    """

    def __init__(self, name: str, field: str) -> None:
        self.name, self.field = name, field

    def counts(self, searcher: Searcher, docnums: Sequence[int], size: int) -> list[FacetCount]:
        column = column_name(self.field)
        if not searcher.reader().has_column(column):
            return []
        spellings: Counter[str] = Counter()
        # Joined values counted first; in order of first appearance, as the spellings are.
        # (Raw column values: the display values are the bytes themselves.)
        joined_values = column_values(searcher, column, docnums, translate=False)
        for joined, count in Counter(joined_values).items():
            for spelling in split_values(joined):
                spellings[spelling] += count
        groups: Counter[str] = Counter()
        shown: dict[str, str] = {}
        for spelling, count in spellings.most_common():
            key = spelling.casefold()
            groups[key] += count
            shown.setdefault(key, spelling)
        ranked = sorted(groups.items(), key=lambda item: (-item[1], shown[item[0]].casefold()))
        return [FacetCount(shown[key], count) for key, count in ranked[:size]]


class YearFacet:
    """Publication year, newest first; articles without a date are not counted."""

    name = "year"

    def counts(self, searcher: Searcher, docnums: Sequence[int], size: int) -> list[FacetCount]:
        if not searcher.reader().has_column("published"):
            return []
        field = searcher.schema["published"]
        missing = missing_date_value(searcher.schema)
        years: Counter[int] = Counter()
        values = Counter(column_values(searcher, "published", docnums, translate=False))
        for value, count in values.items():
            if value != missing:
                years[field.from_column_value(value).year] += count
        return [FacetCount(str(year), years[year]) for year in sorted(years, reverse=True)[:size]]


FACETS: dict[str, Facet] = {
    **{name: ValuesFacet(name, field) for name, field in FACET_FIELDS.items()},
    "year": YearFacet(),
}
