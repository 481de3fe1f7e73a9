"""The one interface between Byline and a search engine, and how a location picks the engine.

Everything above it — the CLI, the web server, coverage analysis, evaluation — asks an ``Engine``
and reads the engine-blind answers of ``search/results.py``; only an engine's own folder knows its
storage (``search/embedded/`` with ``index/embedded/`` for the embedded Whoosh index). This is
django-haystack's shape: one base class, one implementation per engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from index.article import Article

if TYPE_CHECKING:
    from search.results import (
        DailyCounts,
        IndexStats,
        Match,
        SearchRequest,
        SearchResult,
        SimilarResult,
        SourceCount,
    )


class Engine(ABC):
    """An index of articles that can be searched: the embedded one, or a cluster's."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the index is, as a user would name it (a folder, a URL)."""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult:
        """Ranked, filtered, faceted hits for ``request``."""

    @abstractmethod
    def article(self, article_id: str) -> Article:
        """One article by id (``ArticleError`` when there is none)."""

    @abstractmethod
    def similar(self, article_id: str, limit: int = 10) -> SimilarResult:
        """The articles most like one: its story's copies first, then related ones."""

    @abstractmethod
    def stats(self) -> IndexStats:
        """Counts, date range, size and the biggest sources."""

    # Aggregations for coverage analysis (``search/analysis/``): each one a date histogram, a
    # terms aggregation or a scroll in a cluster's terms.

    @abstractmethod
    def daily_counts(self, request: SearchRequest, stories: bool = False) -> DailyCounts:
        """Matches of the request's query and filters per UTC day; with ``stories``, each story
        once, on the day of its first match."""

    @abstractmethod
    def source_counts(self, request: SearchRequest) -> list[SourceCount]:
        """Every source of the request's matches with its count and first and last match,
        most matches first."""

    @abstractmethod
    def matches(
        self, request: SearchRequest, stories: bool = False, sample: int | None = None
    ) -> Iterator[Match]:
        """Every match, in ``request.sort`` order, read one at a time (no cap, constant memory
        apart from the matches' numbers); with ``stories`` only the first of each story, with
        its number of copies; with ``sample`` at most that many, evenly spread over them."""

    @abstractmethod
    def story(self, article_id: str) -> list[Match]:
        """Every article of the story an article belongs to (itself included), in no order."""

    @abstractmethod
    def count_to_delete(
        self, ids: Sequence[str] = (), sources: Sequence[str] = (), query: str | None = None
    ) -> int:
        """How many articles a deletion by id, by source or by query would remove."""

    @abstractmethod
    def delete(
        self,
        ids: Sequence[str] = (),
        sources: Sequence[str] = (),
        query: str | None = None,
        wait: float = 0.0,
    ) -> int:
        """Delete by id, by source or by query (exactly one of them), in one commit."""


def open_engine(location: str | Path | None = None) -> Engine:
    """The engine for ``--index`` (or ``$BYLINE_INDEX``, or the per-user default folder)."""
    from search.embedded.engine import EmbeddedEngine

    return EmbeddedEngine.at(location)
