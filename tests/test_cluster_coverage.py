"""Coverage analysis on a cluster gives what it gives on the embedded index: the same archive in
both, and ``byline timeline``, ``sources``, ``terms``, ``export`` and ``story`` answer the same
JSON, CSV and rows on each, with pages of every reading made small so each takes several."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from cluster_fixture import index_url
from conftest import ARCHIVE, write_jsonl
from opensearchpy import OpenSearch
from test_coverage import _records

from index.pipeline.options import IngestOptions
from search.engine import open_engine
from search.opensearch import aggregations
from search.results import SearchRequest


def _archive() -> list[dict]:
    """``ARCHIVE`` after the coverage tests' archive (wire stories with copies, undated
    articles, sources differing by case), ids renamed to sort in file order: two articles at
    the same time (undated ones) come in index order on the embedded index, in id order on a
    cluster."""
    records = [
        {**record, "id": f"r{at:03d}-{record['id']}"} for at, record in enumerate(_records())
    ]
    return records + ARCHIVE


# A republished copy of a wire story (the story has several articles).
COPY = next(record["id"] for record in _archive() if record["id"].endswith("-copy2"))


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory, cluster_url: str) -> tuple[str, str]:
    """The same archive in an embedded index and in a cluster index."""
    folder = tmp_path_factory.mktemp("parity")
    records = write_jsonl(folder / "archive.jsonl", _archive())
    embedded, cluster = folder / "index", index_url(cluster_url, "coverage-parity")
    reports = [
        open_engine(embedded).ingest([str(records)], IngestOptions()),
        open_engine(cluster).ingest([str(records)], IngestOptions(shards=2)),
    ]
    assert reports[0].committed == reports[1].committed > 150
    assert not reports[0].failed and not reports[1].failed
    return str(embedded), cluster


# Matches a request, and buckets (fewer than the archive's 9 spellings of sources), so that every
# reading takes several requests.
SMALL_PAGE = 20
SMALL_BUCKETS = 4


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aggregations, "PAGE_SIZE", SMALL_PAGE)
    monkeypatch.setattr(aggregations, "KEY_PAGE_SIZE", SMALL_PAGE)
    monkeypatch.setattr(aggregations, "BUCKET_PAGE_SIZE", SMALL_BUCKETS)


COMMANDS = [
    ["timeline", "", "--json"],
    ["timeline", "bridge", "storm", "--json", "--by", "week"],
    ["timeline", "council", "--json", "--count", "stories"],
    ["timeline", "", "--json", "--count", "stories", "--by", "day"],
    ["timeline", "river", "--json", "--split", "source", "--top", "3"],
    ["timeline", "syria", "--json", "--source", "the daily meridian", "--by", "year"],
    ["timeline", "budget", "--csv", "--since", "2014-06-01", "--until", "2015-03-31"],
    ["sources", "", "--json"],
    ["sources", "harbor OR festival", "--json"],
    ["sources", "election", "--json", "--since", "2014-05-01", "--until", "2014-12-31"],
    ["terms", "vaccine", "--json"],
    ["terms", "", "--json", "--field", "body", "--top", "10"],
    ["export", "", "--sort", "oldest", "--fields", "id,title,source,published,story,body"],
    ["export", "", "--sort", "newest", "--format", "csv"],
    ["export", "school", "--sort", "oldest", "--stories", "--fields", "id,story,published"],
    ["export", "", "--sort", "newest", "--stories", "--format", "csv"],
    ["export", "market", "--sort", "oldest", "--source", "harbor post", "--fields", "id,source"],
    ["story", "hill-1", "--json"],  # a story of one article
    ["story", COPY, "--json"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_coverage_commands_answer_the_same_on_a_cluster(
    invoke: Callable[..., object], indexes: tuple[str, str], small_pages: None, command: list[str]
) -> None:
    embedded, cluster = indexes
    local = invoke(*command, "--index", embedded)
    remote = invoke(*command, "--index", cluster)
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout
    assert remote.stdout.strip()


def test_an_export_by_relevance_has_the_same_rows(
    invoke: Callable[..., object], indexes: tuple[str, str], small_pages: None
) -> None:
    """Scores differ between the engines, so only the rows are compared, not their order."""
    rows = [
        sorted(invoke("export", "river OR harvest", "--index", where).stdout.splitlines())
        for where in indexes
    ]
    assert rows[0] == rows[1]
    assert len(rows[0]) > 2 * SMALL_PAGE
    assert len({json.loads(row)["id"] for row in rows[1]}) == len(rows[1])


def test_a_reader_that_stops_early_leaves_no_point_in_time_open(
    indexes: tuple[str, str], cluster_url: str, small_pages: None
) -> None:
    engine = open_engine(indexes[1])
    matches = engine.matches(SearchRequest(facets=(), sort="newest"))
    first = [next(matches) for _ in range(10)]
    assert len({match.article.id for match in first}) == 10
    matches.close()
    client = OpenSearch(cluster_url)
    assert client.transport.perform_request("GET", "/_search/point_in_time/_all")["pits"] == []
