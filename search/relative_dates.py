"""Date bounds that count back from the archive's newest article (``30d@latest``), made into plain
dates before a request reaches an engine; and the note for a relative range that holds nothing.

Counting back from today (``7d``, ``today``) needs no archive and is read with every other
bound by ``index.enrich.dates.parse_bound``.
"""

from __future__ import annotations

from dataclasses import replace

from index.enrich.dates import counts_from_latest, is_relative, parse_bound, relative_day
from index.errors import InvalidDate
from search.engine import Engine
from search.query import Filters
from search.results import SearchRequest, SearchResult


def resolve_bounds(engine: Engine, filters: Filters) -> Filters:
    """``filters`` with every ``…@latest`` bound made the day it names, counted back from the
    day of the archive's newest article."""
    bounds = [bound for bound in (filters.since, filters.until) if bound]
    if not any(counts_from_latest(bound) for bound in bounds):
        return filters
    latest = engine.stats().latest
    if latest is None:
        raise InvalidDate("the archive has no dated articles to count back from (@latest)")

    def resolved(bound: str | None) -> str | None:
        if bound is None or not counts_from_latest(bound):
            return bound
        return relative_day(bound.split("@")[0], latest.date()).isoformat()

    return replace(filters, since=resolved(filters.since), until=resolved(filters.until))


def empty_range_note(engine: Engine, filters: Filters) -> str | None:
    """When a bound counts back from today and no article at all falls in the range, a note
    saying so and how to count back from the newest article instead; else None."""
    relative = [bound for bound in (filters.since, filters.until) if bound and is_relative(bound)]
    if not relative or any(counts_from_latest(bound) for bound in relative):
        return None
    in_range = Filters(since=filters.since, until=filters.until)
    if engine.search(SearchRequest(filters=in_range, facets=())).total:
        return None
    since = parse_bound(filters.since, end=False).date() if filters.since else None
    until = parse_bound(filters.until, end=True).date() if filters.until else None
    span = f"{since or '…'} to {until or '…'}"
    latest = engine.stats().latest
    newest = f"the newest is from {latest.date()}" if latest else "no article has a date"
    return (
        f"no article at all was published from {span} (counted back from today; {newest}); "
        f"to count back from the newest article, write e.g. --since {relative[0]}@latest"
    )


def range_notes(engine: Engine, filters: Filters, found: int) -> tuple[str, ...]:
    """``empty_range_note`` as a result's notes, when nothing was found (else none)."""
    note = None if found else empty_range_note(engine, filters)
    return (note,) if note else ()


def dated_search(engine: Engine, request: SearchRequest) -> SearchResult:
    """``engine.search`` with the request's ``…@latest`` bounds made dates, and the note for a
    relative range that holds no article among the result's notes: what ``byline search`` and
    the web answer alike."""
    request = replace(request, filters=resolve_bounds(engine, request.filters))
    result = engine.search(request)
    notes = range_notes(engine, request.filters, result.total)
    return replace(result, notes=(*result.notes, *notes)) if notes else result


def with_date_range(query: str | None, since: str | None, until: str | None) -> str | None:
    """Query text narrowed to publication dates (the query language's ``published:[A TO B]``),
    for commands that select by query alone (``byline delete``); ``query`` unchanged without
    dates."""
    if not since and not until:
        return query
    dates = f"published:[{since or ''} TO {until or ''}]"
    return f"({query}) AND {dates}" if query and query.strip() else dates
