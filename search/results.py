"""What a search engine is asked (and which requests it refuses) and answers, the same whichever
engine answers it: hits, facet counts, snippets, similar articles and statistics. Renderers, the
web server and analysis read these."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from index.article import Article
from index.errors import InvalidOption
from search.query import FACET_FILTERS, Filters

# A snippet is a tuple of ``(text, matched)`` spans, so each renderer decides how to show a
# match (``<mark>`` in JSON, colour on a terminal) without re-parsing markup.
Snippet = tuple[tuple[str, bool], ...]


def snippet_html(snippet: Snippet) -> str:
    """HTML-escaped text with matches wrapped in ``<mark>`` (the JSON contract)."""
    return "".join(
        f"<mark>{html.escape(part)}</mark>" if matched else html.escape(part)
        for part, matched in snippet
    )


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """Everything a search needs besides the index."""

    query: str = ""
    filters: Filters = field(default_factory=Filters)
    match_any: bool = False
    plain: bool = False  # the query is words only, no syntax
    facets: tuple[str, ...] = ("source",)
    facet_size: int = 10
    sort: str = "relevance"
    limit: int = 10
    page: int = 1
    timeout: float | None = None  # seconds; None for no limit
    # One hit per story, naming the others. Off for library callers (evaluations compare
    # every document); the CLI turns it on unless --no-collapse.
    collapse: bool = False
    # Reorder the top matches of a natural-language query by proximity and feedback
    # (search/embedded/rerank.py); off gives plain BM25F order.
    rerank: bool = True
    # Newer matches count more (search/embedded/recency.py); relevance order only.
    recent: bool = False
    # Count each facet with every filter except its own (Elasticsearch's post_filter pattern):
    # with one source chosen, the other sources keep the counts that choosing them would add.
    # The year facet's own filter is the date range (since/until). Off: every facet counts the
    # hits only.
    multiselect_facets: bool = False


SORTS = ("relevance", "newest", "oldest")
MAX_LIMIT = 1_000
MAX_PAGE = 10_000


def validate(request: SearchRequest) -> None:
    """Reject option values that cannot work, before any engine is asked."""
    if request.sort not in SORTS:
        raise InvalidOption(f"unknown sort {request.sort!r} (one of: {', '.join(SORTS)})")
    if request.recent and request.sort != "relevance":
        raise InvalidOption(f"--recent weighs relevance by age; it cannot sort {request.sort}")
    if not 1 <= request.limit <= MAX_LIMIT:
        raise InvalidOption(f"--limit must be between 1 and {MAX_LIMIT}")
    if not 1 <= request.page <= MAX_PAGE:
        raise InvalidOption(f"--page must be between 1 and {MAX_PAGE}")
    if request.timeout is not None and request.timeout <= 0:
        raise InvalidOption("--timeout must be a positive number of seconds")
    if request.facet_size < 1:
        raise InvalidOption("--facet-size must be at least 1")
    unknown = [name for name in request.facets if name not in FACET_FILTERS]
    if unknown:
        raise InvalidOption(f"unknown facet {unknown[0]!r} (one of: {', '.join(FACET_FILTERS)})")


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class StoryMember:
    """Another article of a hit's story that also matched the search."""

    id: str
    source: str | None


@dataclass(frozen=True, slots=True)
class Hit:
    article: Article
    score: float | None  # None when sorted by date rather than relevance
    snippet: Snippet
    similar: tuple[StoryMember, ...] = ()  # same-story matches folded into this hit


@dataclass(frozen=True, slots=True)
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    # What the user should know about the query: words that no article contains.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SimilarHit:
    article: Article
    score: float
    same_story: bool


@dataclass(frozen=True, slots=True)
class SimilarResult:
    article: Article
    hits: list[SimilarHit]


TOP_SOURCES = 10  # the biggest sources an index's statistics name


@dataclass(frozen=True, slots=True)
class IndexStats:
    location: str
    articles: int
    sources: int
    earliest: datetime | None
    latest: datetime | None
    undated: int
    size_bytes: int
    segments: int
    top_sources: list[FacetCount]


@dataclass(frozen=True, slots=True)
class DailyCounts:
    """How many matches (or stories, each at its first match's day) were published each UTC day,
    and how many matches have no date."""

    days: dict[date, int]
    undated: int


@dataclass(frozen=True, slots=True)
class SourceCount:
    """One source's matches: how many, and the first and last one's publication time."""

    source: str
    count: int
    first: datetime | None
    last: datetime | None


def one_per_source(spellings: Iterable[SourceCount]) -> list[SourceCount]:
    """Each spelling's counts made one per source, most matches first: sources told apart only
    by case count as one (as the source facet does), under the spelling most of their articles
    use (on a tie, the first given); spellings without a name or a match left out."""
    groups: dict[str, list[SourceCount]] = {}
    for spelling in spellings:
        if spelling.source and spelling.count:
            groups.setdefault(spelling.source.casefold(), []).append(spelling)
    found = [
        SourceCount(
            max(group, key=lambda spelling: spelling.count).source,
            sum(spelling.count for spelling in group),
            min((spelling.first for spelling in group if spelling.first), default=None),
            max((spelling.last for spelling in group if spelling.last), default=None),
        )
        for group in groups.values()
    ]
    return sorted(found, key=lambda source: (-source.count, source.source.casefold()))


@dataclass(frozen=True, slots=True)
class Match:
    """One matching article with its story key; ``copies`` is how many matches its story has
    when matches are read one per story (else 1)."""

    article: Article
    story: str
    copies: int = 1


DEFAULT_CHECK_SAMPLE = 1_000  # stored articles a check reads back


@dataclass(slots=True)
class CheckReport:
    """What checking an index looked at and every problem it found."""

    location: str
    schema_version: int
    segments: int = 0
    articles: int = 0
    deleted: int = 0
    sampled: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems
