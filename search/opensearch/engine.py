"""The cluster engine: a Byline index on an OpenSearch cluster, behind the ``Engine`` interface.

Each answer is one module's job: ``searching.py`` (hits, facets, snippets, one article, similar),
``aggregations.py`` (coverage counts, every match, a story), ``manage.py`` (stats, delete,
check, optimize); Byline's queries become the cluster's in ``translate.py``; writing is
``index/opensearch/writing.py``. The cluster's failures become one-line errors here
(``cluster_errors``), so no module needs to say so.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from index.article import Article
from index.opensearch.connection import ClusterAddress, cluster_errors, connect, parse_cluster_url
from search.engine import Engine
from search.opensearch import aggregations, manage, searching
from search.results import (
    DEFAULT_CHECK_SAMPLE,
    CheckReport,
    DailyCounts,
    IndexStats,
    Match,
    SearchRequest,
    SearchResult,
    SimilarResult,
    SourceCount,
)

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

    from index.opensearch.writing import OpenSearchTarget


class OpenSearchEngine(Engine):
    """The index a cluster URL names (``opensearch://host:9200/news``)."""

    def __init__(self, url: str) -> None:
        self.address: ClusterAddress = parse_cluster_url(url)

    @property
    def location(self) -> str:
        return self.address.url

    @cached_property
    def client(self) -> OpenSearch:
        return connect(self.address)

    @property
    def index(self) -> str:
        return self.address.index

    def search(self, request: SearchRequest) -> SearchResult:
        with cluster_errors(self.address):
            return searching.search(self, request)

    def article(self, article_id: str) -> Article:
        with cluster_errors(self.address):
            return searching.get_article(self, article_id)

    def similar(self, article_id: str, limit: int = 10) -> SimilarResult:
        with cluster_errors(self.address):
            return searching.find_similar(self, article_id, limit)

    def stats(self) -> IndexStats:
        with cluster_errors(self.address):
            return manage.index_stats(self)

    def daily_counts(self, request: SearchRequest, stories: bool = False) -> DailyCounts:
        with cluster_errors(self.address):
            return aggregations.daily_counts(self, request, stories)

    def source_counts(self, request: SearchRequest) -> list[SourceCount]:
        with cluster_errors(self.address):
            return aggregations.source_counts(self, request)

    def matches(
        self, request: SearchRequest, stories: bool = False, sample: int | None = None
    ) -> Iterator[Match]:
        with cluster_errors(self.address):
            yield from aggregations.iter_matches(self, request, stories, sample)

    def story(self, article_id: str) -> list[Match]:
        with cluster_errors(self.address):
            return aggregations.story_of(self, article_id)

    def count_to_delete(
        self, ids: Sequence[str] = (), sources: Sequence[str] = (), query: str | None = None
    ) -> int:
        with cluster_errors(self.address):
            return manage.count_to_delete(self, ids, sources, query)

    def delete(
        self,
        ids: Sequence[str] = (),
        sources: Sequence[str] = (),
        query: str | None = None,
        wait: float = 0.0,
    ) -> int:
        with cluster_errors(self.address):
            return manage.delete_articles(self, ids, sources, query)

    def check(self, sample: int = DEFAULT_CHECK_SAMPLE) -> CheckReport:
        with cluster_errors(self.address):
            return manage.check_index(self, sample)

    def optimize(self, wait: float) -> tuple[int, int]:
        with cluster_errors(self.address):
            return manage.optimize_index(self)

    def target(self) -> OpenSearchTarget:
        from index.opensearch.writing import OpenSearchTarget  # (the writer: only when writing)

        return OpenSearchTarget(self.address)
