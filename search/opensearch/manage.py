"""Looking after a cluster index: statistics, deleting articles (and their story rows),
checking it without changing it, and merging its segments."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from index.errors import InvalidOption
from index.opensearch import bulk
from index.opensearch.connection import ClusterAddress, ClusterError
from index.opensearch.documents import from_source
from index.opensearch.mapping import FOLDED, TEMPLATE_VERSION, mappings, stories_index
from index.opensearch.writing import check_template
from search.opensearch.handle import ClusterIndex
from search.opensearch.reading import pages, point_in_time
from search.opensearch.translate import filter_clauses, query_clause
from search.query import Filters
from search.results import TOP_SOURCES, CheckReport, FacetCount, IndexStats


class WrittenIndex(ClusterIndex, Protocol):
    """What upkeep needs of the engine: ``ClusterIndex``, and the address its writes name in
    their messages."""

    @property
    def address(self) -> ClusterAddress: ...


# Buckets of a composite aggregation, and ids of a point-in-time search, asked for at a time.
_PAGE = 1_000
# Seconds a merge into one segment may take (the cluster answers when it is done).
OPTIMIZE_SECONDS = 3_600


def index_stats(engine: WrittenIndex) -> IndexStats:
    """Counts, date range, size and the biggest sources of the index."""
    body = {
        "size": 0,
        "track_total_hits": True,
        "aggs": {
            "earliest": {"min": {"field": "published"}},
            "latest": {"max": {"field": "published"}},
            "undated": {"missing": {"field": "published"}},
        },
    }
    answer = engine.client.search(index=engine.index, body=body)
    aggregations = answer["aggregations"]
    sources = dict(_source_counts(engine))
    primaries = _primaries(engine)
    return IndexStats(
        location=engine.location,
        articles=answer["hits"]["total"]["value"],
        sources=len(sources),
        earliest=_moment(aggregations["earliest"]["value"]),
        latest=_moment(aggregations["latest"]["value"]),
        undated=aggregations["undated"]["doc_count"],
        size_bytes=primaries["store"]["size_in_bytes"],
        segments=primaries["segments"]["count"],
        top_sources=_top_sources(engine, sources),
    )


def _source_counts(engine: WrittenIndex) -> Iterator[tuple[str, int]]:
    """Every source (its spellings as one, case folded, as the facet counts them) and its
    articles, a page at a time: exact, where a cardinality aggregation estimates."""
    field = f"source.{FOLDED}"
    after: dict[str, Any] | None = None
    while True:
        composite: dict[str, Any] = {
            "size": _PAGE,
            "sources": [{"source": {"terms": {"field": field}}}],
        }
        if after is not None:
            composite["after"] = after
        body = {"size": 0, "aggs": {"sources": {"composite": composite}}}
        answer = engine.client.search(index=engine.index, body=body)["aggregations"]["sources"]
        yield from ((bucket["key"]["source"], bucket["doc_count"]) for bucket in answer["buckets"])
        after = answer.get("after_key")
        if not answer["buckets"] or after is None:
            return


def _top_sources(engine: WrittenIndex, sources: dict[str, int]) -> list[FacetCount]:
    """The biggest sources, each shown in its most common spelling."""
    top = sorted(sources, key=lambda key: (-sources[key], key))[:TOP_SOURCES]
    if not top:
        return []
    field = f"source.{FOLDED}"
    body = {
        "size": 0,
        "query": {"terms": {field: top}},
        "aggs": {
            "folded": {
                "terms": {"field": field, "size": len(top)},
                "aggs": {"spelling": {"terms": {"field": "source", "size": 1}}},
            }
        },
    }
    answer = engine.client.search(index=engine.index, body=body)["aggregations"]["folded"]
    shown = {bucket["key"]: bucket["spelling"]["buckets"][0]["key"] for bucket in answer["buckets"]}
    counts = [FacetCount(shown[key], sources[key]) for key in top]
    return sorted(counts, key=lambda count: (-count.count, count.value.casefold()))


def _primaries(engine: WrittenIndex) -> dict[str, Any]:
    """The index's own figures (its primary shards: each article once, not its replicas)."""
    stats = engine.client.indices.stats(index=engine.index, metric="docs,store,segments")
    return stats["indices"][engine.index]["primaries"]


def _moment(millis: float | None) -> datetime | None:
    return datetime.fromtimestamp(millis / 1000, UTC) if millis is not None else None


def _selection(ids: Sequence[str], sources: Sequence[str], query: str | None) -> dict[str, Any]:
    """The query naming the articles to delete: by id, by source, or by a search query."""
    if sum(bool(x) for x in (ids, sources, query)) != 1:
        raise InvalidOption("say what to delete: article ids, or --source, or --query")
    if ids:
        return {"ids": {"values": list(ids)}}
    if sources:
        return {"bool": {"filter": filter_clauses(Filters(sources=sources))}}
    return query_clause(query or "")


def count_to_delete(
    engine: WrittenIndex, ids: Sequence[str], sources: Sequence[str], query: str | None
) -> int:
    selection = _selection(ids, sources, query)
    return engine.client.count(index=engine.index, body={"query": selection})["count"]


def delete_articles(
    engine: WrittenIndex, ids: Sequence[str], sources: Sequence[str], query: str | None
) -> int:
    """Delete every article the selection matches, with its story row; return how many. The
    ids are gathered first, from one point in time, so the deletions do not move the pages."""
    selection = _selection(ids, sources, query)
    chosen = list(_matching_ids(engine, selection))
    aftermath = "some articles may be deleted already; the same command again deletes the rest"
    outcome = bulk.send(
        engine.client, engine.address, bulk.delete_lines(engine.index, chosen), aftermath
    )
    bulk.send(
        engine.client,
        engine.address,
        bulk.delete_lines(stories_index(engine.index), chosen),
        aftermath,
    )
    if outcome.refused:
        article_id, reason = next(iter(outcome.refused.items()))
        raise ClusterError(f"the cluster did not delete {article_id}: {reason}; {aftermath}")
    engine.client.indices.refresh(index=f"{engine.index},{stories_index(engine.index)}")
    return outcome.results["deleted"]


def _matching_ids(engine: WrittenIndex, selection: dict[str, Any]) -> Iterator[str]:
    """The ids of every match, read from a point in time."""
    with point_in_time(engine) as pit:
        for hit in pages(pit, selection, [{"id": "asc"}], _PAGE, {"_source": False}):
            yield hit["_id"]


def check_index(engine: WrittenIndex, sample: int, seed: int = 0) -> CheckReport:
    """The index's template and mapping, a sample of stored articles read back, its story
    table, and the cluster's health. Nothing is written. A missing index or one of another
    template is raised as usual; anything else wrong is listed in ``problems``."""
    client, index = engine.client, engine.index
    report = CheckReport(engine.location, TEMPLATE_VERSION)
    (found,) = client.indices.get_mapping(index=index).values()
    check_template(engine.address, index, found["mappings"])
    report.problems += _mapping_problems(found["mappings"].get("properties", {}))
    primaries = _primaries(engine)
    report.segments = primaries["segments"]["count"]
    report.articles = primaries["docs"]["count"]
    report.deleted = primaries["docs"]["deleted"]
    report.problems += _sample_problems(engine, sample, seed, report)
    if not client.indices.exists(index=stories_index(index)):
        report.problems.append(
            f"its story table {stories_index(index)!r} is missing: new copies of stories "
            "already indexed will not be grouped with them"
        )
    health = client.cluster.health(index=index)
    if health["status"] != "green":
        report.problems.append(
            f"the cluster's health for the index is {health['status']}: "
            f"{health['unassigned_shards']} shard copies unassigned"
        )
    return report


def _mapping_problems(properties: dict[str, Any]) -> list[str]:
    expected = mappings()["properties"]
    problems = [
        f"field {name!r} is mapped as {properties.get(name)}, not as the template says"
        for name, mapping in expected.items()
        if properties.get(name) != mapping
    ]
    problems += [f"field {name!r} is not in the template" for name in properties.keys() - expected]
    return problems


def _sample_problems(
    engine: WrittenIndex, sample: int, seed: int, report: CheckReport
) -> list[str]:
    """Stored articles, chosen at random (the same ones for the same seed), read back."""
    if sample <= 0 or not report.articles:
        return []
    body = {
        "size": min(sample, report.articles),
        "query": {
            "function_score": {
                "random_score": {"seed": random.Random(seed).randrange(2**31), "field": "id"}
            }
        },
    }
    hits = engine.client.search(index=engine.index, body=body)["hits"]["hits"]
    report.sampled = len(hits)
    problems = []
    for hit in hits:
        try:
            article = from_source(hit["_source"])
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"article {hit['_id']!r}: stored document unreadable ({exc!r})")
            continue
        if article.id != hit["_id"]:
            problems.append(f"article {hit['_id']!r}: stored under another id ({article.id!r})")
    return problems


def optimize_index(engine: WrittenIndex) -> tuple[int, int]:
    """Merge the index's segments into one (dropping deleted articles); segments before,
    after."""
    before = _primaries(engine)["segments"]["count"]
    engine.client.indices.forcemerge(
        index=engine.index, max_num_segments=1, request_timeout=OPTIMIZE_SECONDS
    )
    engine.client.indices.refresh(index=engine.index)
    return before, _primaries(engine)["segments"]["count"]
