"""Facet counts for multi-select facets: each facet counted over the matches of the query with
every filter applied except the facet's own (``SearchRequest.multiselect_facets``)."""

from __future__ import annotations

from collections.abc import Sequence

from whoosh import query as wq
from whoosh.searching import Searcher

from search.embedded.facets import FACETS
from search.embedded.matches import query_docs
from search.embedded.parsing import build_filter
from search.query import FACET_FILTERS, Filters, without_own_filter
from search.results import FacetCount, SearchRequest


def facet_counts(
    searcher: Searcher, request: SearchRequest, scoring_query: wq.Query, matching: Sequence[int]
) -> dict[str, list[FacetCount]]:
    """Every requested facet's counts: over ``matching`` (the hits), except, for multi-select
    facets, a facet whose own filter is set, which counts the query's matches under the others."""
    counts = {}
    query_matches: set[int] | None = None
    for name in request.facets:
        docnums = matching
        if request.multiselect_facets and _filtered_by(request.filters, name):
            if query_matches is None:
                query_matches = query_docs(searcher, scoring_query)
            others = build_filter(without_own_filter(request.filters, name), searcher.schema)
            docs = query_matches if others is None else query_matches & query_docs(searcher, others)
            docnums = sorted(docs)
        counts[name] = FACETS[name].counts(searcher, docnums, request.facet_size)
    return counts


def _filtered_by(filters: Filters, facet: str) -> bool:
    return any(getattr(filters, field) for field in FACET_FILTERS[facet])
