"""The embedded engine: the Whoosh index in a folder, behind the ``Engine`` interface."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from index.article import Article
from index.embedded.store import resolve_index_path
from search.embedded.aggregations import daily_counts, iter_matches, source_counts, story_of
from search.embedded.manage import (
    count_matching,
    delete_articles,
    get_article,
    index_stats,
    select_for_deletion,
)
from search.embedded.searching import search
from search.embedded.similar import find_similar
from search.engine import Engine
from search.results import (
    DailyCounts,
    IndexStats,
    Match,
    SearchRequest,
    SearchResult,
    SimilarResult,
    SourceCount,
)


class EmbeddedEngine(Engine):
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def at(cls, location: str | Path | None) -> EmbeddedEngine:
        return cls(resolve_index_path(location))

    @property
    def location(self) -> str:
        return str(self.path)

    def search(self, request: SearchRequest) -> SearchResult:
        return search(self.path, request)

    def article(self, article_id: str) -> Article:
        return get_article(self.path, article_id)

    def similar(self, article_id: str, limit: int = 10) -> SimilarResult:
        return find_similar(self.path, article_id, limit)

    def stats(self) -> IndexStats:
        return index_stats(self.path)

    def daily_counts(self, request: SearchRequest, stories: bool = False) -> DailyCounts:
        return daily_counts(self.path, request, stories)

    def source_counts(self, request: SearchRequest) -> list[SourceCount]:
        return source_counts(self.path, request)

    def matches(
        self, request: SearchRequest, stories: bool = False, sample: int | None = None
    ) -> Iterator[Match]:
        return iter_matches(self.path, request, stories, sample)

    def story(self, article_id: str) -> list[Match]:
        return story_of(self.path, article_id)

    def count_to_delete(
        self, ids: Sequence[str] = (), sources: Sequence[str] = (), query: str | None = None
    ) -> int:
        return count_matching(self.path, select_for_deletion(self.path, ids, sources, query))

    def delete(
        self,
        ids: Sequence[str] = (),
        sources: Sequence[str] = (),
        query: str | None = None,
        wait: float = 0.0,
    ) -> int:
        selection = select_for_deletion(self.path, ids, sources, query)
        return delete_articles(self.path, selection, wait)
