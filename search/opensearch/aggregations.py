"""Counting every match on a cluster for coverage analysis: per day (``date_histogram``), per
source and once per story (composite aggregations, paged to the last bucket, so exact), and
every match read in order through a point in time (``search_after``), for exports.

Each answers as ``search/embedded/aggregations.py`` does for the same articles: the analysis
above (``search/analysis/``) cannot tell the engines apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from index.errors import ArticleError
from index.opensearch.documents import from_source
from search.opensearch.handle import ClusterIndex
from search.opensearch.reading import PointInTime, pages, point_in_time
from search.opensearch.translate import request_query, sort_clauses
from search.results import (
    DailyCounts,
    Match,
    SearchRequest,
    SourceCount,
    one_per_source,
    validate,
)

# Matches read per request when every match is read with its article, and when only their
# order and story keys are (the first pass of ``stories`` or ``sample``); buckets per request of
# a composite aggregation.
PAGE_SIZE = 1_000
KEY_PAGE_SIZE = 10_000
BUCKET_PAGE_SIZE = 10_000

_EPOCH = datetime(1970, 1, 1)
_DAY_MS = 86_400_000
# A document without a story key is a story alone (as in the embedded index).
_ALONE = {
    "bool": {
        "should": [
            {"bool": {"must_not": {"exists": {"field": "story"}}}},
            {"term": {"story": ""}},
        ]
    }
}
_UNDATED = {"missing": {"field": "published"}}
_BY_DAY = {"date_histogram": {"field": "published", "calendar_interval": "day", "min_doc_count": 1}}


def daily_counts(
    engine: ClusterIndex, request: SearchRequest, stories: bool = False
) -> DailyCounts:
    query = _filtering(request)
    if not stories:
        found = _aggregate(engine, query, {"days": _BY_DAY, "undated": _UNDATED})
        return DailyCounts(_days(found["days"]), found["undated"]["doc_count"])
    # Stories of one article: each counted where it is. Others: each story's first match's
    # time, its composite buckets read to the last, counted per day here.
    alone = _aggregate(engine, _both(query, _ALONE), {"days": _BY_DAY, "undated": _UNDATED})
    days = Counter(_days(alone["days"]))
    undated = alone["undated"]["doc_count"]
    grouped = _both(query, {"bool": {"must_not": _ALONE}})
    first = {"first": {"min": {"field": "published"}}}
    for bucket in _buckets(engine, grouped, "story", first):
        moment = bucket["first"]["value"]
        if moment is None:
            undated += 1
        else:
            days[_day(moment)] += 1
    return DailyCounts(dict(sorted(days.items())), undated)


def source_counts(engine: ClusterIndex, request: SearchRequest) -> list[SourceCount]:
    span = {
        "first": {"min": {"field": "published"}},
        "last": {"max": {"field": "published"}},
    }
    return one_per_source(
        SourceCount(
            bucket["key"]["source"],
            bucket["doc_count"],
            _moment(bucket["first"]["value"]),
            _moment(bucket["last"]["value"]),
        )
        for bucket in _buckets(engine, _filtering(request), "source", span)
    )


def iter_matches(
    engine: ClusterIndex,
    request: SearchRequest,
    stories: bool = False,
    sample: int | None = None,
) -> Iterator[Match]:
    validate(request)
    sort = sort_clauses(request.sort)
    query = request_query(request)
    with point_in_time(engine) as pit:
        if not stories and sample is None:
            for hit in pages(pit, query, sort, PAGE_SIZE, {"_source": True}):
                yield _match(hit)
            return
        ids, copies = _chosen(pit, query, sort, stories, sample)
        for start in range(0, len(ids), PAGE_SIZE):
            chunk = ids[start : start + PAGE_SIZE]
            body = {"query": {"ids": {"values": chunk}}, "size": len(chunk), "pit": pit.body()}
            found = {hit["_id"]: hit for hit in pit.search(body)["hits"]["hits"]}
            for doc_id, count in zip(chunk, copies[start : start + PAGE_SIZE], strict=True):
                yield _match(found[doc_id], count)


def story_of(engine: ClusterIndex, article_id: str) -> list[Match]:
    found = engine.client.search(
        index=engine.index, body={"query": {"term": {"id": article_id}}, "size": 1}
    )["hits"]["hits"]
    if not found:
        raise ArticleError(f"no article with id {article_id!r} in {engine.location}")
    story = found[0]["_source"].get("story")
    if not story:
        return [_match(found[0])]
    sort = [{"id": "asc"}]
    with point_in_time(engine) as pit:
        members = pages(pit, {"term": {"story": story}}, sort, PAGE_SIZE, {"_source": True})
        return [_match(hit) for hit in members]


def _filtering(request: SearchRequest) -> dict[str, Any]:
    """The request's query and filters in filter context: counting needs no scores."""
    return {"bool": {"filter": [request_query(request)]}}


def _both(query: dict[str, Any], clause: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"filter": [query, clause]}}


def _aggregate(engine: ClusterIndex, query: dict[str, Any], aggs: dict[str, Any]) -> dict[str, Any]:
    body = {"query": query, "size": 0, "track_total_hits": False, "aggs": aggs}
    return engine.client.search(index=engine.index, body=body)["aggregations"]


def _buckets(
    engine: ClusterIndex, query: dict[str, Any], field: str, metrics: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Every bucket of a composite aggregation over ``field`` (in the field's order), with
    ``metrics`` in each, read a page at a time."""
    composite: dict[str, Any] = {
        "size": BUCKET_PAGE_SIZE,
        "sources": [{field: {"terms": {"field": field}}}],
    }
    while True:
        found = _aggregate(engine, query, {"keys": {"composite": composite, "aggs": metrics}})
        yield from found["keys"]["buckets"]
        after = found["keys"].get("after_key")
        if after is None or len(found["keys"]["buckets"]) < BUCKET_PAGE_SIZE:
            return
        composite = {**composite, "after": after}


def _days(histogram: dict[str, Any]) -> dict[date, int]:
    return {_day(bucket["key"]): bucket["doc_count"] for bucket in histogram["buckets"]}


def _day(epoch_ms: float) -> date:
    return (_EPOCH + timedelta(days=int(epoch_ms // _DAY_MS))).date()


def _moment(epoch_ms: float | None) -> datetime | None:
    """A time as the cluster aggregates it (milliseconds since 1970), naive in UTC as the
    embedded index gives it."""
    return None if epoch_ms is None else _EPOCH + timedelta(milliseconds=epoch_ms)


def _chosen(
    pit: PointInTime,
    query: dict[str, Any],
    sort: list[dict[str, Any]],
    stories: bool,
    sample: int | None,
) -> tuple[list[str], list[int]]:
    """The document ids of the matches to read, in order, and each one's number of copies:
    with ``stories`` the first match of each story; with ``sample`` at most that many, evenly
    spread (as the embedded engine picks them)."""
    fields = {"_source": False, "docvalue_fields": ["story"] if stories else []}
    hits = pages(pit, query, sort, KEY_PAGE_SIZE, fields)
    firsts: dict[str, list] = {}  # story (or the id of an article alone) -> [first id, copies]
    for hit in hits:
        story = (hit.get("fields", {}).get("story") or [""])[0] if stories else ""
        first = firsts.setdefault(story or f"\0{hit['_id']}", [hit["_id"], 0])
        first[1] += 1
    ids = [first for first, _ in firsts.values()]
    copies = [count for _, count in firsts.values()]
    if sample is not None and len(ids) > sample:
        picked = np.unique(np.linspace(0, len(ids) - 1, sample).round().astype(np.int64))
        ids = [ids[at] for at in picked.tolist()]
        copies = [copies[at] for at in picked.tolist()]
    return ids, copies


def _match(hit: dict[str, Any], copies: int = 1) -> Match:
    source = hit["_source"]
    return Match(from_source(source), source.get("story") or "", copies)
