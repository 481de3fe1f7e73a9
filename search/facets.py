"""Facet counts over every matching article, each facet kind answering the same question.

Counts read columns (one value per document, no stored-document loading), so counting all
matches of a broad query stays cheap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from whoosh.searching import Searcher

from index.schema import FACET_FIELDS, column_name, missing_date_value, split_values


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    count: int


class Facet(Protocol):
    """A way to group matching articles: which values occur, and how many articles have each."""

    name: str

    def counts(self, searcher: Searcher, docnums: Iterable[int], size: int) -> list[FacetCount]: ...


class ValuesFacet:
    """Source, author, section or tag: values grouped case-insensitively, most common first.

    Each group is shown in the spelling most of its articles use.
    """

    def __init__(self, name: str, field: str) -> None:
        self.name, self.field = name, field

    def counts(self, searcher: Searcher, docnums: Iterable[int], size: int) -> list[FacetCount]:
        reader = searcher.reader()
        column = column_name(self.field)
        if not reader.has_column(column):
            return []
        values = reader.column_reader(column)
        spellings: Counter[str] = Counter()
        for docnum in docnums:
            spellings.update(split_values(values[docnum]))
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

    def counts(self, searcher: Searcher, docnums: Iterable[int], size: int) -> list[FacetCount]:
        reader = searcher.reader()
        if not reader.has_column("published"):
            return []
        field = searcher.schema["published"]
        missing = missing_date_value(searcher.schema)
        dates = reader.column_reader("published", translate=False)
        years: Counter[int] = Counter()
        for docnum in docnums:
            value = dates[docnum]
            if value != missing:
                years[field.from_column_value(value).year] += 1
        return [FacetCount(str(year), years[year]) for year in sorted(years, reverse=True)[:size]]


FACETS: dict[str, Facet] = {
    **{name: ValuesFacet(name, field) for name, field in FACET_FIELDS.items()},
    "year": YearFacet(),
}
