"""Searching a real index: matching, filters, facets, sorting, paging, snippets and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_jsonl

from index.pipeline.ingest import ingest
from index.pipeline.options import IngestOptions
from search.embedded.searching import search
from search.query import Filters
from search.results import SearchRequest


def _ids(index: Path, query: str = "", **request) -> list[str]:
    result = search(index, SearchRequest(query=query, **request))
    return [hit.article.id for hit in result.hits]


def _json(invoke, *args: str) -> dict:
    result = invoke("search", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_plain_words_are_all_required_and_any_relaxes(index_path: Path) -> None:
    assert set(_ids(index_path, "syria pentagon")) == {"hill-1"}
    assert set(_ids(index_path, "syria pentagon", match_any=True)) == {
        "hill-1",
        "meridian-1",
        "ledger-1",
        "undated-1",
    }


def test_title_matches_rank_above_body_matches(index_path: Path) -> None:
    # "talks" is in the title of hill-1 and undated-1 only; "Syria" in many bodies.
    ranked = _ids(index_path, "geneva")
    assert ranked == ["undated-1"]
    ranked = _ids(index_path, "oil OR festival OR crowds")
    assert ranked[0] == "ledger-2"  # two of the words, one in its title


def test_stemming_accents_and_case(index_path: Path, tmp_path: Path) -> None:
    assert _ids(index_path, "STRIKES") == _ids(index_path, "strike")
    assert "meridian-1" in _ids(index_path, "warplane")


def test_phrases_need_the_words_in_order_and_score_as_their_words(tmp_path: Path) -> None:
    bodies = {
        "adjacent": "Oil prices rose again as the harbor strike went on.",
        "apart": "Prices for crude oil rose again; the harbor strike went on.",
        "near": "Oil and gas prices rose again.",
        "pairs": "Crude oil prices fell, then prices rose again.",
    }
    records = [{"id": key, "title": "Markets", "body": body} for key, body in bodies.items()]
    index = tmp_path / "index"
    ingest([str(write_jsonl(tmp_path / "a.jsonl", records))], index, IngestOptions())
    phrase = search(index, SearchRequest(query='"oil prices"'))
    words = search(index, SearchRequest(query="oil prices"))
    assert (
        {hit.article.id for hit in phrase.hits}
        == {"adjacent", "pairs"}
        == set(_ids(index, '"OIL PRICES"'))
    )
    assert words.total == 4
    # A phrase ranks as its words do: the same score as the words' for the same article.
    word_scores = {hit.article.id: hit.score for hit in words.hits}
    assert all(hit.score == word_scores[hit.article.id] for hit in phrase.hits)
    assert _ids(index, '"prices oil"') == []
    assert set(_ids(index, '"oil prices"~3')) == {"adjacent", "near", "pairs"}  # up to 3 apart
    assert set(_ids(index, 'strike NOT "oil prices"')) == {"apart"}
    # "pairs" has "oil prices" and "prices rose", but not the three words in a row.
    assert _ids(index, '"oil prices rose"') == ["adjacent"]
    assert set(_ids(index, '"prices rose again"')) == {"adjacent", "near", "pairs"}
    assert _ids(index, 'title:"oil prices"') == []


def test_query_language(index_path: Path) -> None:
    assert _ids(index_path, '"lines of communication"') == ["hill-1"]
    assert _ids(index_path, '"communication lines"') == []
    # "Russian" and "Russia" stem apart, so the Meridian article stays.
    assert set(_ids(index_path, "syria NOT russia")) == {"meridian-1", "ledger-1", "undated-1"}
    assert _ids(index_path, "title:festival") == ["ledger-2"]
    assert _ids(index_path, 'source:"the daily meridian" geneva') == ["undated-1"]
    assert _ids(index_path, "author:kristina") == []  # a facet value is the whole name
    assert _ids(index_path, "author:kristina*") == ["hill-1"]  # ... so a prefix finds it
    assert _ids(index_path, 'author:"kristina wong"') == ["hill-1"]
    assert _ids(index_path, "tag:pentagon") == ["hill-1"]
    assert _ids(index_path, "geneve~") == ["undated-1"]
    assert set(_ids(index_path, "pentag*")) == {"hill-1"}
    assert set(_ids(index_path, "published:2015")) == {"hill-1", "meridian-1"}
    assert _ids(index_path, "published:2015-10-01") == ["meridian-1"]
    assert set(_ids(index_path, "published:[2014 TO 2015-09]")) == {"ledger-2", "hill-1"}
    assert set(_ids(index_path, "date:>2015")) == {"ledger-1"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(sources=["The Hill"]), {"hill-1"}),
        (Filters(sources=["the hill", "HARBOR CITY LEDGER"]), {"hill-1", "ledger-1", "ledger-2"}),
        (Filters(authors=["tom becker"]), {"meridian-1"}),
        (Filters(sections=["business"]), {"ledger-1"}),
        (Filters(tags=["russia"]), {"hill-1", "meridian-1"}),
        (Filters(since="2015-10"), {"meridian-1", "ledger-1"}),
        (Filters(until="2015"), {"hill-1", "meridian-1", "ledger-2"}),
        (Filters(since="2015-09-29", until="2015-09-29"), {"hill-1"}),
        (Filters(sources=["The Daily Meridian"], since="2015"), {"meridian-1"}),
    ],
)
def test_filters_narrow(index_path: Path, filters: Filters, expected: set[str]) -> None:
    assert set(_ids(index_path, "", filters=filters, limit=50)) == expected


def test_filters_do_not_change_scores(index_path: Path) -> None:
    plain = search(index_path, SearchRequest("syria", match_any=True))
    narrowed = search(index_path, SearchRequest("syria", filters=Filters(sources=["The Hill"])))
    scores = {hit.article.id: hit.score for hit in plain.hits}
    [hit] = narrowed.hits
    assert hit.score == pytest.approx(scores["hill-1"])


def test_facets_count_all_matches_not_the_page(index_path: Path) -> None:
    result = search(
        index_path,
        SearchRequest("", limit=1, facets=("source", "author", "section", "tag", "year")),
    )
    assert result.total == 5
    assert len(result.hits) == 1
    counts = {name: [(c.value, c.count) for c in values] for name, values in result.facets.items()}
    # "Harbor City Ledger" and "harbor city ledger" group together under the common spelling.
    assert counts["source"] == [
        ("Harbor City Ledger", 2),
        ("The Daily Meridian", 2),
        ("The Hill", 1),
    ]
    assert counts["year"] == [("2016", 1), ("2015", 2), ("2014", 1)]
    assert ("Tom Becker", 1) in counts["author"]
    assert ("Russia", 2) in counts["tag"]
    assert len(counts["section"]) == 4


def test_facets_respect_filters(index_path: Path) -> None:
    result = search(index_path, SearchRequest("syria", filters=Filters(since="2015-10")))
    assert [(c.value, c.count) for c in result.facets["source"]] == [
        ("Harbor City Ledger", 1),
        ("The Daily Meridian", 1),
    ]


def test_sorting_by_date_puts_undated_last(index_path: Path) -> None:
    assert _ids(index_path, "", sort="newest") == [
        "ledger-1",
        "meridian-1",
        "hill-1",
        "ledger-2",
        "undated-1",
    ]
    assert _ids(index_path, "", sort="oldest") == [
        "ledger-2",
        "hill-1",
        "meridian-1",
        "ledger-1",
        "undated-1",
    ]


def test_the_total_counts_every_match_with_or_without_facets(index_path: Path) -> None:
    for query in ("syria", "oil OR talks", ""):
        with_facets = search(index_path, SearchRequest(query))
        bare = search(index_path, SearchRequest(query, facets=()))
        assert bare.total == with_facets.total > 0
        assert bare.total == sum(count.count for count in with_facets.facets["source"])


def test_paging_covers_every_match_once(index_path: Path) -> None:
    pages = [_ids(index_path, "", sort="newest", limit=2, page=n) for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert [i for page in pages for i in page] == _ids(index_path, "", sort="newest")
    assert search(index_path, SearchRequest("", limit=2, page=4)).total == 5


def test_snippets_mark_matches_and_escape_html(tmp_path: Path, invoke) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "x",
                "title": "Markup",
                "body": "Tags like <b> & the Senate's vote "
                "passed; senators voted again. " + "filler words " * 60 + "final vote",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    index = str(tmp_path / "ix")
    assert invoke("index", str(path), "--index", index).exit_code == 0
    data = _json(invoke, "vote", "--index", index)
    snippet = data["hits"][0]["snippet"]
    assert snippet.startswith("Tags like &lt;b&gt; &amp; the Senate&#x27;s <mark>vote</mark>")
    assert "<mark>voted</mark>" in snippet
    assert snippet.endswith("…")


def test_snippets_show_the_passage_with_the_most_different_words_the_first_of_equals(
    tmp_path: Path,
) -> None:
    filler = "filler words " * 40
    records = [
        {"id": "both", "title": "Two", "body": f"A vote, a vote. {filler}Senate vote. {filler}"},
        {"id": "equal", "title": "One", "body": f"First tally. {filler}Second tally. {filler}"},
    ]
    index = tmp_path / "ix"
    ingest([str(write_jsonl(tmp_path / "a.jsonl", records))], index, IngestOptions())

    def snippet(query: str) -> str:
        [hit] = search(index, SearchRequest(query)).hits
        return "".join(f"[{part}]" if matched else part for part, matched in hit.snippet)

    # Both words once count for more than one word twice, even further in.
    assert "[Senate] [vote]" in snippet("senate vote") and "A vote" not in snippet("senate vote")
    assert "First [tally]" in snippet("tally") and "Second" not in snippet("tally")


def test_json_contract(index_path: Path, invoke) -> None:
    data = _json(invoke, "syria", "--index", str(index_path), "--facet", "year", "--limit", "1")
    assert set(data) == {"query", "total", "page", "limit", "hits", "facets"}
    assert (data["query"], data["total"], data["page"], data["limit"]) == ("syria", 4, 1, 1)
    [hit] = data["hits"]
    # The documented fields, exactly; later additions (such as "similar") come on top.
    assert set(hit) - {"similar", "domain", "origin", "extra"} == {
        "id",
        "title",
        "source",
        "authors",
        "published",
        "url",
        "section",
        "tags",
        "score",
        "snippet",
    }
    assert isinstance(hit["score"], float)
    assert set(data["facets"]) == {"source", "year"}
    assert all(set(item) == {"value", "count"} for item in data["facets"]["source"])
    newest = _json(invoke, "", "--index", str(index_path), "--sort", "newest")
    published = [hit["published"] for hit in newest["hits"]]
    assert published == [
        "2016-03-02T09:00:00+00:00",
        "2015-10-01T20:30:00+00:00",
        "2015-09-29",
        "2014-07-04",
        None,
    ]
    assert all(hit["score"] is None for hit in newest["hits"])
    assert "\x1b" not in json.dumps(newest)


def test_terminal_output_shows_hits_and_facets(index_path: Path, invoke) -> None:
    result = invoke("search", "syria", "--index", str(index_path), "--facet", "author")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("4 matches for 'syria' — showing 1–4")
    assert "Pentagon to begin talks with Russia over Syrian airspace" in out
    assert "The Hill · 2015-09-29 · Kristina Wong · Defense" in out
    assert "https://thehill.com/255317" in out
    assert "Source: The Daily Meridian (2)  Harbor City Ledger (1)  The Hill (1)" in out
    assert "Author:" in out
    assert "\x1b[" not in out  # no colour when stdout is not a terminal


def test_cli_filters_and_time_limit_work_together(index_path: Path, invoke) -> None:
    """The CLI always sets a time limit; filters must still apply to the hits it shows."""
    data = _json(
        invoke, "syria", "--index", str(index_path), "--source", "The Hill", "--timeout", "30"
    )
    assert [hit["id"] for hit in data["hits"]] == ["hill-1"]
    assert data["total"] == 1


def test_long_plain_queries_match_any_word_short_ones_all(index_path: Path) -> None:
    # Up to three plain words are keywords: all required.
    assert _ids(index_path, "syria oil prices") == ["ledger-1"]
    # Four or more read as a question: any word matches, articles with more of them first.
    question = _ids(index_path, "why did oil prices climb in syria", limit=50)
    assert question[0] == "ledger-1"
    assert {"hill-1", "meridian-1", "undated-1"} <= set(question)
    # Query syntax keeps its meaning, however long the query.
    assert _ids(index_path, 'oil AND prices AND "traders weighed" AND syria') == ["ledger-1"]
    assert _ids(index_path, "+oil +prices +syria +climb +harbor") == []


@pytest.fixture
def dated_index(tmp_path: Path) -> Path:
    """Reports of one story over six months, one undated, and an older, more thorough one."""
    dates = {"jan": "2020-01-10", "mar": "2020-03-10", "jun": "2020-06-10", "undated": None}
    records = [
        {
            "id": name,
            "title": f"Harbor bridge repairs ({name})",
            "body": f"Work on the harbor bridge went on, the council said ({name}).",
            **({"published": date} if date else {}),
        }
        for name, date in dates.items()
    ]
    records.append(
        {
            "id": "thorough",
            "title": "Harbor bridge: why the bridge needs repairs",
            "body": "The harbor bridge, its cables and the bridge deck: a bridge engineer on "
            "why bridge repairs matter.",
            "published": "2019-06-10",
        }
    )
    path = tmp_path / "index"
    ingest([str(write_jsonl(tmp_path / "bridge.jsonl", records))], path, IngestOptions())
    return path


@pytest.mark.parametrize("query", ["bridge", "harbor bridge", "bridg*"])
def test_recent_weighs_each_score_by_age_from_the_newest_match(
    dated_index: Path, query: str
) -> None:
    plain = search(dated_index, SearchRequest(query, facets=("source",)))
    recent = search(dated_index, SearchRequest(query, facets=("source",), recent=True))
    assert (recent.total, recent.facets) == (plain.total, plain.facets)
    scores = {hit.article.id: hit.score for hit in plain.hits}
    factors = {hit.article.id: hit.score / scores[hit.article.id] for hit in recent.hits}
    assert factors["jun"] == pytest.approx(1.0)  # the newest match
    assert factors["mar"] == pytest.approx(0.5 + 0.5 * 2 ** (-92 / 30))  # 92 days older
    assert factors["undated"] == pytest.approx(0.5) and factors["thorough"] < factors["jan"]
    order = [hit.article.id for hit in recent.hits]
    assert order.index("jun") < order.index("mar") < order.index("jan") < order.index("undated")
    assert order == sorted(order, key=lambda name: -scores[name] * factors[name])


def test_recent_applies_to_relevance_order_only(dated_index: Path, invoke) -> None:
    result = invoke("search", "bridge", "--recent", "--sort", "newest", "--index", str(dated_index))
    assert result.exit_code != 0 and "--recent" in result.stderr
    assert "Traceback" not in result.stderr
    assert _json(invoke, "bridge", "--recent", "--index", str(dated_index))["hits"][0]["id"] in (
        "jun",
        "thorough",
    )
