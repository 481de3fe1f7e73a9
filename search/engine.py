"""The one interface between Byline and a search engine, and how a location picks the engine.

Everything above it — the CLI, the web server, coverage analysis, evaluation — asks an ``Engine``
and reads the engine-blind answers of ``search/results.py``; only an engine's own folder knows its
storage (``search/embedded/`` with ``index/embedded/`` for the embedded Whoosh index). This is
django-haystack's shape: one base class, one implementation per engine.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from index.article import Article
from index.opensearch.connection import is_cluster_url
from search.results import DEFAULT_CHECK_SAMPLE

if TYPE_CHECKING:  # (the indexing run loads when something is indexed, not with every search)
    from index.pipeline.ingest import IngestReport, ProgressCallback
    from index.pipeline.options import IngestOptions
    from index.pipeline.target import IndexTarget
    from search.results import (
        CheckReport,
        DailyCounts,
        IndexStats,
        Match,
        SearchRequest,
        SearchResult,
        SimilarResult,
        SourceCount,
    )

# Where the index is when ``--index`` does not say: this variable, else a per-user data folder.
INDEX_ENV_VAR = "BYLINE_INDEX"


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

    @abstractmethod
    def check(self, sample: int = DEFAULT_CHECK_SAMPLE) -> CheckReport:
        """Verify the index without changing it, reading back ``sample`` stored articles."""

    @abstractmethod
    def optimize(self, wait: float) -> tuple[int, int]:
        """Merge the index's parts into one (dropping deleted articles); parts before, after."""

    @abstractmethod
    def target(self) -> IndexTarget:
        """What an indexing run writes to (``index/pipeline/target.py``)."""

    def ingest(
        self,
        paths: list[str],
        options: IngestOptions | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Read every article found under ``paths`` into the index: the same run for every
        engine (``index/pipeline/ingest.py``), writing to the engine's ``target``."""
        from index.pipeline.ingest import ingest

        return ingest(paths, self.target(), options, on_progress)


def index_location(location: str | Path | None = None) -> Path:
    """``--index`` if given, else ``$BYLINE_INDEX``, else the per-user data folder."""
    if location:
        return Path(location).expanduser()
    if os.environ.get(INDEX_ENV_VAR):
        return Path(os.environ[INDEX_ENV_VAR]).expanduser()
    import platformdirs  # (only when no location is given)

    return Path(platformdirs.user_data_dir("byline")) / "index"


def open_engine(location: str | Path | None = None) -> Engine:
    """The engine for ``--index`` (or ``$BYLINE_INDEX``, or the per-user default folder): a
    cluster's for a cluster URL (``index/opensearch/connection.py``), else the embedded one."""
    named = str(location) if location else os.environ.get(INDEX_ENV_VAR, "")
    if isinstance(location, str | None) and is_cluster_url(named):
        from search.opensearch.engine import OpenSearchEngine

        return OpenSearchEngine(named)
    from search.embedded.engine import EmbeddedEngine

    return EmbeddedEngine(index_location(location))
