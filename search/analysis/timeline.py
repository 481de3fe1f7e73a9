"""Attention over time: how many articles (or stories) match each period, beside how many
articles the period holds under the same filters, for one or more queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from index.enrich.dates import parse_bound
from index.errors import BylineError, InvalidOption
from search.analysis.periods import by_period, check_interval, interval_for, periods
from search.engine import Engine
from search.query import Filters
from search.relative_dates import range_notes, resolve_bounds
from search.results import DailyCounts, SearchRequest

COUNTS = ("articles", "stories")
SPLITS = ("source",)


class NoDatedArticles(BylineError):
    """A timeline needs dated articles and the filters leave none."""


@dataclass(frozen=True, slots=True)
class Bucket:
    start: date
    count: int
    all: int  # every article (or story) of the period under the same filters, without the query
    share: float  # count ÷ all (0 when the period holds nothing)


@dataclass(frozen=True, slots=True)
class Series:
    query: str
    source: str | None  # the source of this series when split by source
    total: int  # the dated matches, all of them in the buckets
    undated: int  # matches without a date, in no bucket
    buckets: list[Bucket]


@dataclass(frozen=True, slots=True)
class Timeline:
    interval: str
    interval_chosen: bool  # picked from the span rather than asked for
    count: str
    series: list[Series]
    notes: tuple[str, ...] = ()  # a relative range that holds no article at all


def timeline(
    engine: Engine,
    queries: Sequence[str],
    filters: Filters | None = None,
    interval: str | None = None,
    count: str = "articles",
    split: str | None = None,
    top: int = 5,
    match_any: bool = False,
) -> Timeline:
    """One series per query (per query and source with ``split="source"``, for its ``top``
    sources), every period from the first to the last of the range: the filters' dates, else
    those of the articles the filters leave (``…@latest`` bounds counted back from the newest)."""
    if interval is not None:
        check_interval(interval)
    if count not in COUNTS:
        raise InvalidOption(f"unknown count {count!r} (one of: {', '.join(COUNTS)})")
    if split is not None and split not in SPLITS:
        raise InvalidOption(f"unknown split {split!r} (one of: {', '.join(SPLITS)})")
    if top < 1:
        raise InvalidOption("--top must be at least 1")
    stories = count == "stories"
    filters = resolve_bounds(engine, filters or Filters())
    wanted = [(query, None, filters) for query in queries or [""]]
    if split == "source":
        wanted = [
            (query, found.source, replace(filters, sources=[found.source]))
            for query in queries or [""]
            for found in engine.source_counts(_request(query, filters, match_any))[:top]
        ]
    everything = {None: engine.daily_counts(_request("", filters), stories)}
    for _, source, narrowed in wanted:
        if source not in everything:
            everything[source] = engine.daily_counts(_request("", narrowed), stories)
    # The range is the articles' whatever is counted: a story counts at its first article,
    # and its copies may go on later.
    articles = engine.daily_counts(_request("", filters)) if stories else everything[None]
    first, last = _range(filters, articles)
    interval_chosen = interval is None
    interval = interval or interval_for(first, last)
    starts = periods(first, last, interval)
    series = []
    for query, source, narrowed in wanted:
        matched = engine.daily_counts(_request(query, narrowed, match_any), stories)
        counts, alls = (
            by_period(matched.days, interval),
            by_period(everything[source].days, interval),
        )
        buckets = [
            Bucket(start, counts[start], alls[start], _share(counts[start], alls[start]))
            for start in starts
        ]
        total = sum(matched.days.values())
        series.append(Series(query, source, total, matched.undated, buckets))
    notes = range_notes(engine, filters, sum(found.total for found in series))
    return Timeline(interval, interval_chosen, count, series, notes)


def _request(query: str, filters: Filters, match_any: bool = False) -> SearchRequest:
    return SearchRequest(query=query, filters=filters, match_any=match_any, facets=())


def _range(filters: Filters, everything: DailyCounts) -> tuple[date, date]:
    """The first and last day of the timeline: the filters' bounds, else the first and last
    day with an article under the filters (a bound with none: up to today, or from itself)."""
    first = parse_bound(filters.since, end=False).date() if filters.since else None
    last = parse_bound(filters.until, end=True).date() if filters.until else None
    if everything.days:
        return first or min(everything.days), last or max(everything.days)
    if first is None and last is None:
        raise NoDatedArticles(
            "no dated article matches these filters, so there is no time range to count over; "
            "give one with --since and --until"
        )
    if first is None:
        return last, last  # type: ignore[return-value]
    return first, last or max(first, datetime.now(UTC).date())


def _share(count: int, everything: int) -> float:
    return round(count / everything, 4) if everything else 0.0
