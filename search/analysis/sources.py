"""Who says it: the sources carrying the matches, each with its share of the matches and the
share of its own output in the matched period that matched."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from index.enrich.dates import parse_bound
from index.errors import InvalidOption
from search.engine import Engine
from search.query import Filters
from search.relative_dates import range_notes, resolve_bounds
from search.results import SearchRequest


@dataclass(frozen=True, slots=True)
class SourceShare:
    source: str
    count: int  # matching articles from this source
    share: float  # count ÷ every matching article
    output: int  # this source's articles in the period, under the same filters, any text
    output_share: float  # its dated matches in the period ÷ output
    first: datetime | None  # its first and last matching article's publication time
    last: datetime | None


@dataclass(frozen=True, slots=True)
class SourcesResult:
    query: str
    matches: int
    since: date | None  # the period: the filters' dates, else the first to the last match
    until: date | None
    sources: list[SourceShare]
    notes: tuple[str, ...] = ()  # a relative range that holds no article at all


def top_sources(
    engine: Engine,
    query: str,
    filters: Filters | None = None,
    top: int = 20,
    match_any: bool = False,
) -> SourcesResult:
    """The ``top`` sources of the matches, most matches first."""
    if top < 1:
        raise InvalidOption("--top must be at least 1")
    filters = resolve_bounds(engine, filters or Filters())
    request = SearchRequest(query, filters, match_any, facets=())
    matches = engine.search(request).total
    found = engine.source_counts(request)
    firsts = [source.first for source in found if source.first]
    lasts = [source.last for source in found if source.last]
    since = filters.since or (min(firsts).date().isoformat() if firsts else None)
    until = filters.until or (max(lasts).date().isoformat() if lasts else None)
    period = replace(filters, since=since, until=until)
    output, dated = {}, {}
    if since or until:
        output = _by_source(engine, SearchRequest("", period, facets=()))
        dated = _by_source(engine, SearchRequest(query, period, match_any, facets=()))
    shares = [
        SourceShare(
            source.source,
            source.count,
            _ratio(source.count, matches),
            output.get(source.source.casefold(), 0),
            _ratio(dated.get(source.source.casefold(), 0), output.get(source.source.casefold(), 0)),
            source.first,
            source.last,
        )
        for source in found[:top]
    ]
    return SourcesResult(
        query,
        matches,
        parse_bound(since, end=False).date() if since else None,
        parse_bound(until, end=True).date() if until else None,
        shares,
        range_notes(engine, filters, matches),
    )


def _by_source(engine: Engine, request: SearchRequest) -> dict[str, int]:
    return {source.source.casefold(): source.count for source in engine.source_counts(request)}


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
