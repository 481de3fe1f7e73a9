"""Multi-select facets: each facet counted with every filter except its own, in the library and
in ``byline search --json --multiselect-facets``."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.engine import open_engine
from search.query import Filters
from search.results import SearchRequest

FACETS = ("source", "author", "section", "tag", "year")


def _counts(result, name):
    return [(c.value, c.count) for c in result.facets[name]]


def test_a_chosen_source_leaves_the_other_sources_counted(index_path) -> None:
    engine = open_engine(index_path)
    chosen = SearchRequest("syria", Filters(sources=["The Hill"]), facets=FACETS)
    plain = engine.search(chosen)
    multi = engine.search(replace(chosen, multiselect_facets=True))
    assert plain.total == multi.total == 1
    assert _counts(plain, "source") == [("The Hill", 1)]
    assert _counts(multi, "source") == [
        ("The Daily Meridian", 2),
        ("Harbor City Ledger", 1),
        ("The Hill", 1),
    ]
    # The other facets are still counted over the hits: the source filter applies to them.
    assert _counts(multi, "section") == _counts(plain, "section") == [("Defense", 1)]


def test_a_chosen_year_leaves_the_other_years_counted(index_path) -> None:
    engine = open_engine(index_path)
    request = SearchRequest(
        "", Filters(since="2015", until="2015"), facets=FACETS, multiselect_facets=True
    )
    result = engine.search(request)
    assert result.total == 2
    assert _counts(result, "year") == [("2016", 1), ("2015", 2), ("2014", 1)]


def test_filters_that_match_nothing_still_count_the_others(index_path) -> None:
    request = SearchRequest(
        "festival", Filters(sources=["Nowhere Gazette"]), facets=FACETS, multiselect_facets=True
    )
    result = open_engine(index_path).search(request)
    assert result.total == 0
    assert _counts(result, "source") == [("harbor city ledger", 1)]


def test_the_command_offers_the_same_counts(invoke, index_path) -> None:
    args = ["search", "syria", "--index", str(index_path), "--source", "The Hill", "--json"]
    multi = json.loads(invoke(*args, "--multiselect-facets").stdout)
    plain = json.loads(invoke(*args).stdout)
    assert [f["value"] for f in plain["facets"]["source"]] == ["The Hill"]
    assert [f["value"] for f in multi["facets"]["source"]] == [
        "The Daily Meridian",
        "Harbor City Ledger",
        "The Hill",
    ]
    assert multi["hits"] == plain["hits"]


SOURCES = ["The Hill", "The Daily Meridian", "Harbor City Ledger", "Nowhere Gazette"]
SECTIONS = ["Defense", "World", "Business", "Local"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.sampled_from(["", "syria", "russia OR oil", "prices", "talks"]),
    sources=st.lists(st.sampled_from(SOURCES), max_size=2, unique=True),
    sections=st.lists(st.sampled_from(SECTIONS), max_size=2, unique=True),
    tags=st.lists(st.sampled_from(["Russia", "Syria", "Pentagon"]), max_size=1),
    since=st.sampled_from([None, "2015", "2016-01"]),
)
def test_each_facet_counts_as_if_its_own_filter_were_gone(
    index_path, query, sources, sections, tags, since
) -> None:
    engine = open_engine(index_path)
    filters = Filters(sources=sources, sections=sections, tags=tags, since=since)
    multi = engine.search(SearchRequest(query, filters, facets=FACETS, multiselect_facets=True))
    own = {
        "source": {"sources": ()},
        "author": {},
        "section": {"sections": ()},
        "tag": {"tags": ()},
        "year": {"since": None},
    }
    for name in FACETS:
        without_own = SearchRequest(query, replace(filters, **own[name]), facets=FACETS)
        assert _counts(multi, name) == _counts(engine.search(without_own), name), name


def test_a_chosen_domain_leaves_the_other_domains_counted(tmp_path) -> None:
    from conftest import write_jsonl

    from index.pipeline.options import IngestOptions

    sites = ["https://www.chicagotribune.com/a", "https://wsj.com/b", "https://www.wsj.com/c"]
    articles = [
        {"id": f"storm-{n}", "title": f"Storm {n}", "body": "A storm.", "url": url}
        for n, url in enumerate(sites)
    ]
    engine = open_engine(tmp_path / "index")
    engine.ingest([str(write_jsonl(tmp_path / "storms.jsonl", articles))], IngestOptions())
    request = SearchRequest(
        "storm", Filters(domains=["wsj.com"]), facets=("domain",), multiselect_facets=True
    )
    result = engine.search(request)
    assert result.total == 2
    assert _counts(result, "domain") == [("wsj.com", 2), ("chicagotribune.com", 1)]
