"""Parity: the same archive in an embedded index and in a cluster index (both through
``Engine.ingest``) gives the same answers: totals and facet counts for every query class and
filter, the same top hit where one article clearly fits best, the same JSON shape, the same story
groups, and the same one-line mistakes.

Known differences, kept out of these requests (README, Clusters; index/opensearch/mapping.py):
- a joined word ("AT&T", "9/11", "us-led") is one term on the embedded index, its parts on a
  cluster;
- capital forms ("US" against "us", "IT", "WHO") are told apart only on the embedded index;
- British "-ise" spellings outside the spelling list ("linearised") are respelled only there;
- the two Snowball stemmers differ on a few words ("evening" stays whole on the embedded index,
  is "even" on a cluster);
- when two spellings of a facet value are as common, either may be shown;
- facet values are matched without accents on a cluster ("Societe" finds "Société"), with them
  on the embedded index;
- scores differ (BM25F over title and body against Lucene's BM25 per field, added up), so only
  unambiguous queries are compared by their top hit; natural-language questions are reranked
  (search/embedded/rerank.py) only on the embedded index;
- a wildcard, prefix or fuzzy word reaching more than 1,000 words is refused by the embedded
  engine and bounded to its best 1,000 words by a cluster;
- Whoosh's own quirks are not followed: "title:* title:x" (every article with a title there).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cluster_fixture import index_url
from conftest import ARCHIVE, write_jsonl
from opensearchpy import OpenSearch
from serving import served_client
from test_coverage import _records

from index.errors import BylineError, IndexNotFound
from index.opensearch.mapping import index_body
from index.pipeline.options import IngestOptions
from search.engine import Engine, open_engine
from search.json_contract import search_json
from search.opensearch import searching
from search.query import Filters
from search.results import SearchRequest

NEWS = Path(__file__).parent / "fixtures" / "cluster" / "news.jsonl"
FACETS = ("source", "author", "section", "tag", "domain", "year")


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory, cluster_url: str) -> tuple[Engine, Engine]:
    """The same archive in an embedded index and in a 2-shard cluster index."""
    folder = tmp_path_factory.mktemp("search-parity")
    records = write_jsonl(folder / "archive.jsonl", ARCHIVE + _records())
    embedded = open_engine(folder / "index")
    cluster = open_engine(index_url(cluster_url, "search-parity"))
    reports = [
        embedded.ingest([str(NEWS), str(records)], IngestOptions()),
        cluster.ingest([str(NEWS), str(records)], IngestOptions(shards=2)),
    ]
    assert reports[0].committed == reports[1].committed > 190
    assert not reports[0].failed and not reports[1].failed
    return embedded, cluster


# Every query class and filter; each request asks for every facet.
REQUESTS = {
    "everything": SearchRequest(""),
    "word": SearchRequest("ceasefire"),
    "words, all required": SearchRequest("vaccine trials"),
    "words, any": SearchRequest("vaccine election", match_any=True),
    "stems and plurals": SearchRequest("elections"),
    "British and American spelling": SearchRequest("colour organisation", match_any=True),
    "phrase": SearchRequest('"climate summit"'),
    "phrase with slop": SearchRequest('"summit climate"~3'),
    "prefix": SearchRequest("vacc*"),
    "prefix of a whole word": SearchRequest("climate* OR Elections*"),
    "wildcard": SearchRequest("ceas?fir*"),
    "fuzzy": SearchRequest("vacine~"),
    "fuzzy, two edits": SearchRequest("cesefire~2"),
    "field": SearchRequest("title:ceasefire"),
    "headline alias": SearchRequest("headline:(summit OR bridge)"),
    "source field": SearchRequest('source:"evening globe"'),
    "author field": SearchRequest('author:"maria lopez" border'),
    "tag field": SearchRequest("tag:climate"),
    "section field": SearchRequest("section:health"),
    "site": SearchRequest("url:reuters.com"),
    "subdomain site": SearchRequest("url:valleypost.example.org"),
    "domain field": SearchRequest("domain:reuters.com"),
    "id": SearchRequest("id:wire-vaccine OR id:hill-1"),
    "published year": SearchRequest("published:2020"),
    "published range": SearchRequest("date:[2019-06 TO 2020-03]"),
    "published after": SearchRequest("published:>2020-03-01"),
    "boolean": SearchRequest("(vaccine OR vaccination) AND NOT survey"),
    "not alone": SearchRequest("NOT ceasefire"),
    "andnot": SearchRequest("border ANDNOT mission"),
    "boost": SearchRequest("ceasefire^3 border"),
    "question": SearchRequest("what did the regulators say about the vaccine"),
    "plain": SearchRequest('ceasefire: "border" (observers)', plain=True, match_any=True),
    "unmatched word": SearchRequest("ceasefire OR zanzibar"),
    "word sought in two fields": SearchRequest("section:summit OR summit OR zanzibar"),
    "no match": SearchRequest("zanzibar quokka"),
    "source filter": SearchRequest("", filters=Filters(sources=["Reuters"])),
    "filters": SearchRequest(
        "border OR vaccine",
        filters=Filters(authors=["maria lopez", "James Okafor"], since="2020", until="2020-12"),
    ),
    "section and tag filters": SearchRequest(
        "", filters=Filters(sections=["Health", "Politics"], tags=["vaccines"])
    ),
    "site filter": SearchRequest("", filters=Filters(domains=["reuters.com"])),
    "month and year": SearchRequest("", filters=Filters(since="2019-01", until="2019")),
    "multi-select facets": SearchRequest(
        "",
        filters=Filters(sources=["Evening Globe"], since="2020", tags=["Vaccines"]),
        multiselect_facets=True,
    ),
    "newest": SearchRequest("border OR vaccine", sort="newest", limit=5, page=2),
    "oldest": SearchRequest("", sort="oldest", limit=3),
    "recent": SearchRequest("vaccine", recent=True),
    "collapsed": SearchRequest("ceasefire OR vaccine", collapse=True, limit=20),
}


@pytest.fixture(scope="module")
def answers(engines: tuple[Engine, Engine]) -> dict[str, tuple[dict, dict]]:
    embedded, cluster = engines
    return {
        name: tuple(
            search_json(engine.search(_with_facets(request))) for engine in (embedded, cluster)
        )
        for name, request in REQUESTS.items()
    }


def _with_facets(request: SearchRequest) -> SearchRequest:
    return replace(request, facets=FACETS, facet_size=20)


@pytest.mark.parametrize("name", REQUESTS)
def test_same_totals_facets_and_notes(answers: dict[str, tuple[dict, dict]], name: str) -> None:
    embedded, cluster = answers[name]
    assert cluster["total"] == embedded["total"]
    assert cluster["facets"] == embedded["facets"]
    assert cluster.get("notes") == embedded.get("notes")


def _shape(value: Any) -> Any:
    """The JSON's keys and kinds of value, not the values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


@pytest.mark.parametrize("name", ["word", "phrase", "collapsed", "newest", "unmatched word"])
def test_same_json_shape(answers: dict[str, tuple[dict, dict]], name: str) -> None:
    embedded, cluster = answers[name]
    assert _shape(cluster) == _shape(embedded)
    assert [hit["id"] for hit in cluster["hits"]] != []


@pytest.mark.parametrize(
    ("name", "best"),
    [
        ("phrase", "chronicle-climate-summit"),
        ("author field", "reuters-observer"),
        ("andnot", "reuters-observer"),
        ("words, all required", "wire-vaccine"),
        ("fuzzy", "globe-vaccination-drive"),
        ("oldest", "a40"),
        ("boolean", "globe-vaccination-drive"),
    ],
)
def test_same_top_hit_where_one_fits_best(
    answers: dict[str, tuple[dict, dict]], name: str, best: str
) -> None:
    embedded, cluster = answers[name]
    assert embedded["hits"][0]["id"] == best
    assert cluster["hits"][0]["id"] == best


def test_same_pages_in_date_order(answers: dict[str, tuple[dict, dict]]) -> None:
    embedded, cluster = answers["newest"]
    assert [hit["id"] for hit in cluster["hits"]] == [hit["id"] for hit in embedded["hits"]]


def _groups(engine: Engine, request: SearchRequest) -> set[frozenset[str]]:
    result = engine.search(request)
    return {frozenset({hit.article.id, *(m.id for m in hit.similar)}) for hit in result.hits}


def test_same_story_groups(engines: tuple[Engine, Engine]) -> None:
    request = SearchRequest("", collapse=True, limit=1000, facets=())
    groups = [_groups(engine, request) for engine in engines]
    assert groups[0] == groups[1]
    assert {"wire-ceasefire", "wire-ceasefire-globe", "wire-ceasefire-post"} in groups[1]
    assert sum(len(group) > 1 for group in groups[1]) >= 10


def test_same_article_and_story_copies_first(engines: tuple[Engine, Engine]) -> None:
    embedded, cluster = engines
    assert cluster.article("wire-vaccine") == embedded.article("wire-vaccine")
    similar = [engine.similar("wire-ceasefire", limit=5) for engine in engines]
    for result in similar:
        copies = [hit.article.id for hit in result.hits if hit.same_story]
        assert sorted(copies) == ["wire-ceasefire-globe", "wire-ceasefire-post"]
        assert [hit.same_story for hit in result.hits][:3] == [True, True, False]


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest("nosuchfield:syria"),
        SearchRequest("syria~3"),
        SearchRequest("published:2015-13"),
        SearchRequest("", filters=Filters(since="2016", until="2015")),
        SearchRequest("", filters=Filters(since="last tuesday")),
        SearchRequest("", filters=Filters(sources=[""])),
        SearchRequest("syria", facets=("colour",)),
        SearchRequest("syria", limit=0),
    ],
)
def test_same_mistakes(engines: tuple[Engine, Engine], request_: SearchRequest) -> None:
    messages = []
    for engine in engines:
        with pytest.raises(BylineError) as error:
            engine.search(request_)
        messages.append((type(error.value), str(error.value)))
    assert messages[0] == messages[1]
    with pytest.raises(BylineError, match="no article with id 'nope' in "):
        engines[1].article("nope")


def test_a_headline_only_article_shows_its_headline(engines: tuple[Engine, Engine]) -> None:
    for engine in engines:
        hit = engine.search(SearchRequest("mayor budget")).hits[0]
        assert hit.article.id == "post-headline-only"
        assert hit.snippet == (
            ("Mayor", True),
            (" resigns after ", False),
            ("budget", True),
            (" vote", False),
        )


def test_pages_past_the_window_walk_there_with_search_after(
    engines: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the cluster's window made 7 hits, every page past it is reached with search_after,
    and shows what a page within the window shows."""
    cluster = engines[1]
    pages = [SearchRequest("", sort=sort, limit=4, page=page, facets=())
             for sort in ("relevance", "oldest") for page in (1, 3, 5, 30)]  # fmt: skip
    within = [[hit.article.id for hit in cluster.search(page).hits] for page in pages]
    monkeypatch.setattr(searching, "MAX_WINDOW", 7)
    walked = [[hit.article.id for hit in cluster.search(page).hits] for page in pages]
    assert walked == within
    assert all(len(page) == 4 for page in within)
    with pytest.raises(BylineError, match="add --no-collapse"):
        cluster.search(SearchRequest("", limit=4, page=3, collapse=True))


def test_an_index_without_articles_is_said_as_the_embedded_engine_says_it(
    cluster_url: str,
) -> None:
    OpenSearch(cluster_url).indices.create(index="search-empty", body=index_body())
    with pytest.raises(IndexNotFound, match="has no articles; add some with: byline index"):
        open_engine(index_url(cluster_url, "search-empty")).search(SearchRequest("syria"))


@pytest.mark.parametrize(
    "params, args",
    [
        ({"q": "ceasefire OR vaccine"}, ["ceasefire OR vaccine"]),
        (
            {"q": "border OR vaccine", "source": "Reuters", "facet": ["source", "year"]},
            ["border OR vaccine", "--source", "Reuters", "--facet", "source", "--facet", "year"],
        ),
    ],
)
def test_byline_serve_on_a_cluster_answers_as_byline_search(
    engines: tuple[Engine, Engine], cluster_url: str, tmp_path: Path, invoke, params, args
) -> None:
    """The web server knows no more of the engine than the CLI does: over a cluster index its
    API is ``byline search --json`` and its page shows the hits."""
    url = index_url(cluster_url, "search-parity")
    with served_client(url, tmp_path / "serve.log") as client:  # type: ignore[arg-type]
        api = client.get("/api/search", params=params)
        page = client.get("/", params=params)
    cli = invoke("search", *args, "--index", url, "--json")
    assert api.status_code == 200, api.text
    assert cli.exit_code == 0, cli.stderr
    assert api.json() == json.loads(cli.stdout)
    assert api.json()["total"] > 0
    assert page.status_code == 200 and "<mark>" in page.text
