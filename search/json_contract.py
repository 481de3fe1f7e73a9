"""The JSON documents Byline answers with, the same for ``byline ... --json`` and the web API.

Engine-blind: they read ``search/results.py``'s answers only, so every front end that serves JSON
(the CLI, ``byline serve``) gives a program the same contract for the same request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from index.article import Article, article_record, published_iso
from search.results import snippet_html

if TYPE_CHECKING:
    from search.analysis.sources import SourcesResult
    from search.analysis.terms import TermsResult
    from search.analysis.timeline import Timeline
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
        "earliest": published_iso(stats.earliest),
        "latest": published_iso(stats.latest),
        "undated": stats.undated,
        "size_bytes": stats.size_bytes,
        "segments": stats.segments,
        "top_sources": [{"value": c.value, "count": c.count} for c in stats.top_sources],
    }


# --- coverage (byline timeline, terms and sources; /api/timeline, /api/terms, /api/sources) ---


def timeline_json(timeline: Timeline) -> dict[str, Any]:
    return _with_notes(
        timeline.notes,
        {
            "interval": timeline.interval,
            "interval_chosen": timeline.interval_chosen,
            "count": timeline.count,
            "series": [
                {
                    "query": series.query,
                    **({"source": series.source} if series.source is not None else {}),
                    "total": series.total,
                    "undated": series.undated,
                    "buckets": [
                        {
                            "start": b.start.isoformat(),
                            "count": b.count,
                            "all": b.all,
                            "share": b.share,
                        }
                        for b in series.buckets
                    ],
                }
                for series in timeline.series
            ],
        },
    )


def terms_json(result: TermsResult) -> dict[str, Any]:
    return _with_notes(
        result.notes,
        {
            "query": result.query,
            "field": result.field,
            "measure": "log-likelihood",
            "matches": result.matches,
            "stories": result.stories,
            "sampled": result.sampled,
            "background": result.background,
            "terms": [
                {"term": t.term, "count": t.count, "background": t.background, "score": t.score}
                for t in result.terms
            ],
        },
    )


def sources_json(result: SourcesResult) -> dict[str, Any]:
    return _with_notes(
        result.notes,
        {
            "query": result.query,
            "matches": result.matches,
            "since": published_iso(result.since),
            "until": published_iso(result.until),
            "sources": [
                {
                    "source": s.source,
                    "count": s.count,
                    "share": s.share,
                    "output": s.output,
                    "output_share": s.output_share,
                    "first": published_iso(s.first),
                    "last": published_iso(s.last),
                }
                for s in result.sources
            ],
        },
    )


def _with_notes(notes: tuple[str, ...], answer: dict[str, Any]) -> dict[str, Any]:
    """The answer, with its notes when it has any (a relative range that holds no article)."""
    return {**answer, "notes": list(notes)} if notes else answer
