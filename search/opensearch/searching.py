"""Searching a cluster index: one request gives the hits, an exact total, facet counts and
snippets, as ``search/embedded/searching.py`` does for the embedded index; and one article by id,
and the articles like one (``similar``).

Each ``search`` is one ``_search`` (its query and filters from ``translate.py``), plus, only when
its answer cannot show that every word of the query is in some article, one ``_msearch`` that
counts each word; pages past 10,000 hits add the requests that walk to them (``_walk_to``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from index.article import Article
from index.article_fields import FACET_FIELDS, SEARCHABLE_FIELDS
from index.errors import ArticleError, IndexNotFound, InvalidOption, QueryTimeout
from index.opensearch.documents import from_source
from index.opensearch.mapping import FOLDED
from search.opensearch.handle import ClusterIndex
from search.opensearch.translate import filter_clauses, sort_clauses, translate
from search.query import FACET_FILTERS, Filters, plain_words, without_own_filter
from search.query_tree import And, Phrase, Word, leaves, parse
from search.results import (
    FacetCount,
    Hit,
    SearchRequest,
    SearchResult,
    SimilarHit,
    SimilarResult,
    Snippet,
    StoryMember,
    validate,
)

Clause = dict[str, Any]

# The cluster's own bound on from + size (``index.max_result_window``): deeper pages are reached
# with ``search_after``.
MAX_WINDOW = 10_000
# Story copies named with each collapsed hit (the cluster's ``index.max_inner_result_window``).
MAX_SIMILAR = 100
SNIPPET_CHARS = 220  # (as the embedded engine's snippets)
_ELLIPSIS = "…"
# Highlight marks: private-use characters, which no article's text is split on by mistake as it
# could be on "<mark>" (an article about HTML).
_OPEN, _CLOSE = "\ue000", "\ue001"
# --recent (as search/embedded/recency.py): a match's score times a factor from 1 for the newest
# dated match down towards 1 - RECENCY_WEIGHT, its distance to that floor halving every
# HALF_LIFE_DAYS; undated matches get the floor.
HALF_LIFE_DAYS = 30
RECENCY_WEIGHT = 0.5
# Key terms of an article that ``similar`` asks for (as search/embedded/similar.py).
BODY_TERMS = 25


def search(engine: ClusterIndex, request: SearchRequest) -> SearchResult:
    """Ranked, filtered, faceted search of the engine's index."""
    validate(request)
    text = plain_words(request.query) if request.plain else request.query
    tree = parse(text, match_any=request.match_any)
    filters = filter_clauses(request.filters)
    scoring = translate(tree)
    if request.recent:
        scoring = _recent(engine, scoring, filters)
    body = _body(request, scoring, filters)
    start = (request.page - 1) * request.limit
    if start + request.limit > MAX_WINDOW:
        if request.collapse:
            raise InvalidOption(
                f"pages past {MAX_WINDOW:,} hits of a cluster index cannot fold story copies "
                "together: add --no-collapse"
            )
        body["search_after"] = _walk_to(engine, body, start)
    else:
        body["from"] = start
    found = engine.client.search(index=engine.index, body=body, params=_timeout_params(request))
    if found.get("timed_out"):
        raise QueryTimeout(
            f"the query ran longer than {request.timeout:g}s; narrow it with more words "
            "or filters, or allow more time with --timeout"
        )
    total = found["hits"]["total"]["value"]
    if total == 0:
        _refuse_empty_index(engine)
    hits = [_hit(hit, request) for hit in found["hits"]["hits"]]
    facets = _facet_counts(request, found.get("aggregations", {}))
    notes = _unmatched_words(engine, tree, total)
    return SearchResult(request, total, hits, facets, notes)


def _body(request: SearchRequest, scoring: Clause, filters: list[Clause]) -> Clause:
    """The ``_search`` body: with multi-select facets the filters narrow the hits only
    (``post_filter``) and each facet counts under the filters but its own."""
    body: Clause = {
        "size": request.limit,
        "track_total_hits": True,
        "sort": sort_clauses(request.sort),
        "highlight": {
            "type": "unified",
            "pre_tags": [_OPEN],
            "post_tags": [_CLOSE],
            "fragment_size": SNIPPET_CHARS,
            "number_of_fragments": 1,
            "no_match_size": SNIPPET_CHARS,
            "fields": {"body": {}, "title": {"number_of_fragments": 0}},
        },
    }
    if request.timeout is not None:
        body["timeout"] = f"{max(1, round(request.timeout * 1000))}ms"
    if request.collapse:
        body["collapse"] = {
            "field": "story",
            "inner_hits": {"name": "similar", "size": MAX_SIMILAR, "_source": ["id", "source"]},
        }
    if request.multiselect_facets:
        body["query"] = scoring
        if filters:
            body["post_filter"] = {"bool": {"filter": filters}}
        body["aggs"] = {
            name: {
                "filter": {"bool": {"filter": _others(request.filters, name)}},
                "aggs": {name: _facet_aggregation(name, request.facet_size)},
            }
            for name in request.facets
        }
    else:
        body["query"] = {"bool": {"must": [scoring], "filter": filters}}
        body["aggs"] = {
            name: _facet_aggregation(name, request.facet_size) for name in request.facets
        }
    return body


def _timeout_params(request: SearchRequest) -> dict[str, Any]:
    """The client's own wait, a little past the search's time limit (the cluster stops itself)."""
    return {} if request.timeout is None else {"request_timeout": request.timeout + 10}


def _walk_to(engine: ClusterIndex, body: Clause, start: int) -> list[Any]:
    """The sort values of the hit just before ``start``, for ``search_after``.

    A page past the cluster's 10,000-hit window is reached the way a reader pages through:
    requests of up to 10,000 hits each, in the search's sort (which ends with the id, so no two
    hits tie), each starting after the last one's sort values, read without their articles,
    snippets or counts, until the page's first hit is next. The last request then asks for the
    page itself with everything else. (Pages of --page 10000 --limit 1000 walk 1,000 requests;
    a point in time would keep the walk on one view of an index being written.)
    """
    walk: Clause = {
        "query": body["query"],
        "sort": body["sort"],
        "_source": False,
        "track_total_hits": False,
    }
    if "post_filter" in body:
        walk["post_filter"] = body["post_filter"]
    after: list[Any] | None = None
    skipped = 0
    while skipped < start:
        size = min(MAX_WINDOW, start - skipped)
        page = {**walk, "size": size, **({"search_after": after} if after else {})}
        hits = engine.client.search(index=engine.index, body=page)["hits"]["hits"]
        if not hits:
            break
        after = hits[-1]["sort"]
        skipped += len(hits)
    return after or []


def _refuse_empty_index(engine: ClusterIndex) -> None:
    """An index without articles is a mistake to say, as the embedded engine does."""
    if engine.client.count(index=engine.index)["count"] == 0:
        raise IndexNotFound(
            f"the index at {engine.location} has no articles; add some with: "
            f"byline index PATH --index {engine.location}"
        )


def _recent(engine: ClusterIndex, scoring: Clause, filters: list[Clause]) -> Clause:
    """``scoring`` weighted by age against the newest dated match (Elasticsearch's exponential
    decay, the newest match its origin, so "the latest on X" works in an old archive)."""
    query = {"bool": {"must": [scoring], "filter": filters}}
    newest = engine.client.search(
        index=engine.index,
        body={"size": 0, "query": query, "aggs": {"newest": {"max": {"field": "published"}}}},
    )["aggregations"]["newest"]["value"]
    if newest is None:
        return scoring
    return {
        "function_score": {
            "query": scoring,
            "functions": [
                {
                    "filter": {"exists": {"field": "published"}},
                    "exp": {
                        "published": {
                            "origin": int(newest),
                            "scale": f"{HALF_LIFE_DAYS}d",
                            "decay": 0.5,
                        }
                    },
                    "weight": RECENCY_WEIGHT,
                },
                {"weight": 1 - RECENCY_WEIGHT},
            ],
            "score_mode": "sum",
            "boost_mode": "multiply",
        }
    }


# --- Hits and snippets --------------------------------------------------------------------------


def _hit(hit: Clause, request: SearchRequest) -> Hit:
    article = from_source(hit["_source"])
    score = float(hit["sort"][0]) if request.sort == "relevance" else None
    highlights = hit.get("highlight", {})
    # A headline-only article's snippet is its headline, its matched words marked.
    if article.body.strip():
        snippet = _snippet(highlights.get("body", []), article.body)
    else:
        snippet = _snippet(highlights.get("title", []), article.title)
    similar: tuple[StoryMember, ...] = ()
    if request.collapse:
        members = hit.get("inner_hits", {}).get("similar", {}).get("hits", {}).get("hits", [])
        similar = tuple(
            StoryMember(member["_source"]["id"], member["_source"].get("source"))
            for member in members
            if member["_source"]["id"] != article.id
        )
    return Hit(article, score, snippet, similar)


def _snippet(fragments: list[str], text: str) -> Snippet:
    """A highlighted fragment as ``(text, matched)`` spans, an ellipsis where it cuts the text;
    the opening of the text when nothing was highlighted."""
    if not fragments:
        fragments = [text[:SNIPPET_CHARS]] if text.strip() else []
    if not fragments:
        return ()
    fragment = fragments[0]
    spans = list(_marked(fragment))
    plain = "".join(part for part, _ in spans)
    stripped = text.strip()
    if plain.strip() and not stripped.startswith(plain.strip()):
        spans.insert(0, (_ELLIPSIS, False))
    if plain.strip() and not stripped.endswith(plain.strip()):
        spans.append((_ELLIPSIS, False))
    return tuple((" ".join(part.split("\n")), matched) for part, matched in spans if part)


def _marked(fragment: str) -> Iterator[tuple[str, bool]]:
    """The fragment's text between and within the highlight marks."""
    for number, piece in enumerate(fragment.split(_OPEN)):
        if number == 0:
            yield piece, False
            continue
        matched, _, after = piece.partition(_CLOSE)
        yield matched, True
        yield after, False


# --- Facets -------------------------------------------------------------------------------------

_SPELLINGS = 10  # spellings read for each facet value, to show the one most articles use


def _facet_aggregation(name: str, size: int) -> Clause:
    """A facet's aggregation: the year's a yearly histogram, the others' values grouped without
    regard to case and accents (``.folded``), each with its spellings as published."""
    if name == "year":
        return {
            "date_histogram": {
                "field": "published",
                "calendar_interval": "year",
                "format": "yyyy",
                "min_doc_count": 1,
                "order": {"_key": "desc"},
            }
        }
    field = FACET_FIELDS[name]
    return {
        "terms": {
            "field": f"{field}.{FOLDED}",
            "size": size,
            "order": [{"_count": "desc"}, {"_key": "asc"}],
        },
        "aggs": {"spellings": {"terms": {"field": field, "size": _SPELLINGS}}},
    }


def _others(filters: Filters, facet: str) -> list[Clause]:
    """The filters but the facet's own, for its multi-select counts."""
    if not any(getattr(filters, field) for field in FACET_FILTERS[facet]):
        return filter_clauses(filters)
    return filter_clauses(without_own_filter(filters, facet))


def _facet_counts(request: SearchRequest, aggregations: Clause) -> dict[str, list[FacetCount]]:
    counts = {}
    for name in request.facets:
        found = aggregations[name]
        if request.multiselect_facets:
            found = found[name]
        buckets = found["buckets"]
        if name == "year":
            counts[name] = [
                FacetCount(bucket["key_as_string"], bucket["doc_count"])
                for bucket in buckets[: request.facet_size]
            ]
        else:
            shown = [(_spelling(bucket), bucket["doc_count"]) for bucket in buckets]
            ranked = sorted(shown, key=lambda item: (-item[1], item[0].casefold()))
            counts[name] = [FacetCount(value, count) for value, count in ranked]
    return counts


def _spelling(bucket: Clause) -> str:
    """How most of a facet value's articles spell it: the commonest spelling that folds to it
    (an article's other values, such as co-authors, share its bucket too)."""
    key = bucket["key"]
    spellings = bucket["spellings"]["buckets"]
    for spelling in spellings:
        if spelling["key"].lower() == key:
            return spelling["key"]
    return spellings[0]["key"] if spellings else key


# --- Notes: words no article contains -----------------------------------------------------------


def _unmatched_words(engine: ClusterIndex, tree: Any, total: int) -> tuple[str, ...]:
    """A note for each word of the query that no article has, in the order of the query.

    Hits to a query whose every word is required show each word is somewhere: no request then.
    Otherwise one ``_msearch`` asks, for each word (in each field it is sought in), whether one
    article has it.
    """
    words = _checked_words(tree)
    if not words or (total and _all_required(tree)):
        return ()
    checks = [(written, leaf) for written, sought in words.items() for leaf in sought]
    body: list[Clause] = []
    for _, leaf in checks:
        body.append({"index": engine.index})
        body.append({"size": 0, "terminate_after": 1, "query": translate(leaf)})
    answers = engine.client.msearch(body=body)["responses"]
    found = {written: False for written in words}
    for (written, _), answer in zip(checks, answers, strict=True):
        found[written] = found[written] or answer["hits"]["total"]["value"] > 0
    return tuple(f'no article contains "{word}"' for word, present in found.items() if not present)


def _checked_words(tree: Any) -> dict[str, list[Word]]:
    """Each word of the query's words and phrases, as written, with the leaves that find it
    (one for each field it is sought in)."""
    words: dict[str, list[Word]] = {}
    for leaf in leaves(tree):
        if not isinstance(leaf, Word | Phrase) or (leaf.field or "title") not in SEARCHABLE_FIELDS:
            continue
        written = leaf.text.split() if isinstance(leaf, Phrase) else [leaf.text]
        if leaf.field not in (None, "title", "body"):  # (a facet's value is one term)
            written = [leaf.text]
        for word in written:
            sought = words.setdefault(word, [])
            if Word(word, leaf.field) not in sought:
                sought.append(Word(word, leaf.field))
    return words


def _all_required(tree: Any) -> bool:
    parts = tree.parts if isinstance(tree, And) else (tree,)
    return all(isinstance(part, Word | Phrase) for part in parts)


# --- One article, and articles like it ----------------------------------------------------------


def get_article(engine: ClusterIndex, article_id: str) -> Article:
    """The stored article with this id."""
    return from_source(_document(engine, article_id))


def _document(engine: ClusterIndex, article_id: str) -> Clause:
    found = engine.client.search(
        index=engine.index, body={"size": 1, "query": {"term": {"id": article_id}}}
    )["hits"]["hits"]
    if not found:
        raise ArticleError(f"no article with id {article_id!r} in {engine.location}")
    return found[0]["_source"]


def find_similar(engine: ClusterIndex, article_id: str, limit: int = 10) -> SimilarResult:
    """The articles most like one article: its story's copies first (best-scoring first), then
    others by shared key terms (``more_like_this``)."""
    if not 1 <= limit <= MAX_SIMILAR:
        raise InvalidOption(f"--limit must be between 1 and {MAX_SIMILAR}")
    source = _document(engine, article_id)
    article = from_source(source)
    not_itself = {"bool": {"must_not": [{"term": {"id": article_id}}]}}
    story = source.get("story")
    copies: Clause = {
        "size": MAX_SIMILAR,
        "query": {"bool": {"filter": [{"term": {"story": story or ""}}, not_itself]}},
    }
    like: Clause = {
        "size": limit + MAX_SIMILAR,
        "query": {
            "bool": {
                "must": [
                    {
                        "more_like_this": {
                            "fields": ["title", "body"],
                            "like": [{"doc": {"title": article.title, "body": article.body}}],
                            "min_term_freq": 1,
                            "min_doc_freq": 1,
                            "max_query_terms": BODY_TERMS,
                            "minimum_should_match": 1,
                        }
                    }
                ],
                "filter": [not_itself],
            }
        },
    }
    header = {"index": engine.index}
    same_found, like_found = engine.client.msearch(body=[header, copies, header, like])["responses"]
    same = {hit["_source"]["id"]: hit["_source"] for hit in same_found["hits"]["hits"]}
    scores = {hit["_source"]["id"]: float(hit["_score"]) for hit in like_found["hits"]["hits"]}
    sources = {hit["_source"]["id"]: hit["_source"] for hit in like_found["hits"]["hits"]}
    ranked = sorted(same, key=lambda found: -scores.get(found, 0.0))
    ranked += [found for found in scores if found not in same]
    hits = [
        SimilarHit(
            from_source(same.get(found) or sources[found]),
            scores.get(found, 0.0),
            found in same,
        )
        for found in ranked[:limit]
    ]
    return SimilarResult(article, hits)
