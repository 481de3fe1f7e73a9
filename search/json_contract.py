"""The JSON documents Byline answers with, the same for ``byline ... --json`` and the web API.

Engine-blind: they read ``search/results.py``'s answers only, so every front end that serves JSON
(the CLI, ``byline serve``) gives a program the same contract for the same request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from index.article import Article, article_record, published_iso
from search.results import snippet_html

if TYPE_CHECKING:
    from datetime import datetime

    from search.results import IndexStats, SearchResult, SimilarResult


def search_json(result: SearchResult) -> dict[str, Any]:
    """The documented ``byline search --json`` contract."""
    request = result.request
    answer = {
        "query": request.query,
        "total": result.total,
        "page": request.page,
        "limit": request.limit,
        "hits": [
            {
                "id": hit.article.id,
                "title": hit.article.title,
                "source": hit.article.source,
                "authors": hit.article.authors,
                "published": published_iso(hit.article.published),
                "url": hit.article.url,
                "section": hit.article.section,
                "tags": hit.article.tags,
                "domain": hit.article.domain,
                "origin": hit.article.origin,
                "extra": hit.article.extra,
                "score": round(hit.score, 6) if hit.score is not None else None,
                "snippet": snippet_html(hit.snippet),
                "similar": [{"id": m.id, "source": m.source} for m in hit.similar],
            }
            for hit in result.hits
        ],
        "facets": {
            name: [{"value": c.value, "count": c.count} for c in counts]
            for name, counts in result.facets.items()
        },
    }
    if result.notes:  # (only then: other answers stay as they were)
        answer["notes"] = list(result.notes)
    return answer


def similar_json(result: SimilarResult) -> dict[str, Any]:
    """``byline similar --json``: the article asked about, and the ones like it."""
    return {
        "id": result.article.id,
        "title": result.article.title,
        "similar": [
            {
                "id": hit.article.id,
                "title": hit.article.title,
                "source": hit.article.source,
                "published": published_iso(hit.article.published),
                "url": hit.article.url,
                "score": round(hit.score, 6),
                "same_story": hit.same_story,
            }
            for hit in result.hits
        ],
    }


def article_json(article: Article) -> dict[str, Any]:
    return article_record(article)


def stats_json(stats: IndexStats) -> dict[str, Any]:
    return {
        "index": stats.location,
        "articles": stats.articles,
        "sources": stats.sources,
        "earliest": _iso(stats.earliest),
        "latest": _iso(stats.latest),
        "undated": stats.undated,
        "size_bytes": stats.size_bytes,
        "segments": stats.segments,
        "top_sources": [{"value": c.value, "count": c.count} for c in stats.top_sources],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
