"""The query language every engine shares: filters, and what makes a query plain words or a
question. Each engine turns query text into its own queries (``search/embedded/parsing.py``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from index.article_fields import TITLE_BOOST
from index.enrich.dates import parse_bound
from index.errors import InvalidDate

# Bounds on the work one query may cause (wildcards, prefixes and fuzzy terms expand to many).
MAX_EXPANSIONS = 1_000
MAX_EDITS = 2

_SYNTAX = re.compile(r"[^\w\s]+")
# Anything that makes a query more than plain words: quotes, brackets, operators, fields, wildcards.
_SYNTAX_USED = re.compile(r"[\"'()\[\]{}:*?~^+\-<>=/\\]|\b(?:AND|OR|NOT|TO)\b")
# Plain queries of this many words or more match any of them, ranked (minimum should match: 1);
# shorter ones are keywords and need all of them.
LONG_QUERY_WORDS = 4

_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}

# What plain words are searched in, and how much each field counts (BM25F field weights).
DEFAULT_FIELDS = ("title", "body")
FIELD_BOOSTS = {"title": TITLE_BOOST, "body": 1.0}


@dataclass(frozen=True, slots=True)
class Filters:
    """Narrow the matches without changing their scores. Several values of one field mean any."""

    sources: Sequence[str] = ()
    authors: Sequence[str] = ()
    sections: Sequence[str] = ()
    tags: Sequence[str] = ()
    since: str | None = None
    until: str | None = None
    domains: Sequence[str] = ()  # sites: registrable domains of the articles' URLs


# Each facet's own filter: the ``Filters`` fields that hold what was chosen for it (the year
# facet's is the date range).
FACET_FILTERS: dict[str, tuple[str, ...]] = {
    "source": ("sources",),
    "author": ("authors",),
    "section": ("sections",),
    "tag": ("tags",),
    "domain": ("domains",),
    "year": ("since", "until"),
}


def chosen_values(filters: Filters) -> dict[str, Sequence[str]]:
    """The values chosen for each facet that filters by value (source, author, ...)."""
    return {
        facet: getattr(filters, fields[0])
        for facet, fields in FACET_FILTERS.items()
        if facet != "year"
    }


def date_bounds(filters: Filters) -> tuple[datetime | None, datetime | None]:
    """The ``since``/``until`` range as naive UTC instants, both included (None: open), read as
    every engine reads it: ``--until 2015`` is the end of 2015; a range that ends before it
    begins is a mistake."""
    try:
        start = parse_bound(filters.since, end=False) if filters.since else None
        end = parse_bound(filters.until, end=True) if filters.until else None
    except InvalidDate as exc:
        raise InvalidDate(f"--since/--until: {exc}") from exc
    if start and end and start > end:
        raise InvalidDate(f"--since {filters.since} is after --until {filters.until}")
    return start, end


def without_own_filter(filters: Filters, facet: str) -> Filters:
    """The filters less the facet's own (for counting the facet's other values)."""
    cleared = {field: None if field in ("since", "until") else () for field in FACET_FILTERS[facet]}
    return replace(filters, **cleared)


def plain_words(text: str) -> str:
    """Text with query syntax taken out: punctuation dropped, operators made ordinary words."""
    words = _SYNTAX.sub(" ", text).split()
    return " ".join(word.lower() if word in _OPERATORS else word for word in words)


def is_natural_language(text: str) -> bool:
    """A question or sentence rather than keywords: no query syntax, and at least
    ``LONG_QUERY_WORDS`` words."""
    return not _SYNTAX_USED.search(text) and len(text.split()) >= LONG_QUERY_WORDS
