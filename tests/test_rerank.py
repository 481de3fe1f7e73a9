"""Second-stage ranking of natural-language queries (search/embedded/rerank.py) on real indexes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import write_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st

from index.pipeline.options import IngestOptions
from search.embedded.rerank import DEPTH
from search.embedded.searching import search
from search.engine import open_engine
from search.results import SearchRequest


def _ids(index: Path, query: str, **options: object) -> list[str]:
    result = search(index, SearchRequest(query, facets=(), limit=20, **options))  # type: ignore[arg-type]
    return [hit.article.id for hit in result.hits]


@pytest.fixture
def rates_index(tmp_path: Path) -> Path:
    """Two articles with the same query words: one has "interest rates" side by side."""
    filler = "Shoppers, commuters and teachers were asked about their week in the city."
    records = [
        {
            "id": "apart",
            "title": "The week in the city",
            "body": "Homeowners said rates at the gym rose. Interest in the festival grew. "
            + filler,
        },
        {
            "id": "together",
            "title": "Markets and the week",
            "body": f"Interest rates rose again, and homeowners felt it. {filler} {filler}",
        },
        {"id": "other", "title": "Festival news", "body": f"The festival opened. {filler}"},
    ]
    path = tmp_path / "index"
    open_engine(path).ingest([str(write_jsonl(tmp_path / "rates.jsonl", records))], IngestOptions())
    return path


def test_words_side_by_side_lift_an_article_in_a_long_query(rates_index: Path) -> None:
    query = "why are interest rates rising for homeowners"
    assert _ids(rates_index, query, rerank=False)[0] == "apart"  # plain BM25F prefers it
    assert _ids(rates_index, query)[0] == "together"


def test_short_keyword_queries_keep_their_bm25_order(rates_index: Path) -> None:
    for query in ("interest rates", "homeowners rates interest", "festival"):
        with_rerank = search(rates_index, SearchRequest(query, facets=()))
        without = search(rates_index, SearchRequest(query, facets=(), rerank=False))
        assert [(h.article.id, h.score) for h in with_rerank.hits] == [
            (h.article.id, h.score) for h in without.hits
        ]


def test_sorting_by_date_is_not_reranked(rates_index: Path) -> None:
    query = "why are interest rates rising for homeowners"
    assert _ids(rates_index, query, sort="newest") == _ids(
        rates_index, query, sort="newest", rerank=False
    )


_VOCABULARY = [f"w{n}" for n in range(40)]


@pytest.fixture(scope="module")
def wordy_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough articles that a broad query has more matches than are reranked."""
    draw = random.Random(7)
    records = [
        {
            "id": f"a{n}",
            "title": " ".join(draw.choices(_VOCABULARY[:10], k=3)),
            "body": " ".join(
                draw.choices(_VOCABULARY, weights=range(40, 0, -1), k=draw.randint(5, 60))
            ),
        }
        for n in range(DEPTH * 3)
    ]
    folder = tmp_path_factory.mktemp("wordy")
    path = folder / "index"
    open_engine(path).ingest([str(write_jsonl(folder / "wordy.jsonl", records))], IngestOptions())
    return path


@settings(max_examples=40, deadline=None)
@given(words=st.lists(st.sampled_from(_VOCABULARY), min_size=4, max_size=9))
def test_reranking_reorders_without_adding_or_dropping(wordy_index: Path, words: list[str]) -> None:
    query = " ".join(words)
    limit = DEPTH * 2
    reranked = search(wordy_index, SearchRequest(query, facets=(), limit=limit))
    plain = search(wordy_index, SearchRequest(query, facets=(), limit=limit, rerank=False))
    assert reranked.total == plain.total
    ids = [hit.article.id for hit in reranked.hits]
    assert set(ids[:DEPTH]) == {hit.article.id for hit in plain.hits[:DEPTH]}
    assert ids[DEPTH:] == [hit.article.id for hit in plain.hits[DEPTH:]]
    scores = [hit.score for hit in reranked.hits]
    assert scores == sorted(scores, reverse=True)
    pages = [
        hit.article.id
        for page in (1, 2, 3, 4)
        for hit in search(
            wordy_index, SearchRequest(query, facets=(), limit=limit // 4, page=page)
        ).hits
    ]
    assert pages == ids


def test_british_and_american_spellings_find_each_other(tmp_path: Path) -> None:
    records = [
        {"id": "uk", "title": "Organisation of the centre", "body": "Colour theory, analysed."},
        {"id": "us", "title": "Organization of the center", "body": "Color theory, analyzed."},
        {"id": "tech", "title": "Linearised flow", "body": "A generalised method."},
    ]
    path = tmp_path / "index"
    open_engine(path).ingest(
        [str(write_jsonl(tmp_path / "spelling.jsonl", records))], IngestOptions()
    )
    for query in ("organisation", "organization", "centre colour", "analyzed"):
        assert sorted(_ids(path, query)) == ["uk", "us"], query
    assert _ids(path, "linearized generalized") == ["tech"]


def test_the_best_match_outweighs_several_weaker_ones_in_deciding_the_topic(
    tmp_path: Path,
) -> None:
    """Feedback follows the top match: three weaker matches about something else must not
    outvote it (each match counts by its score to the power FEEDBACK_SHARPNESS)."""
    query = "how do jet engines stay cool at high altitude"
    neutral = "The report was published on Monday by the agency in its yearly review."
    records = [
        {
            "id": "best",
            "title": "Jet engines at high altitude",
            "body": "Jet engines stay cool: radiator coolant fins carry heat away, and "
            "radiator coolant pumps keep the fins wet. " + neutral,
        },
        *(
            {
                "id": f"weaker-{n}",
                "title": "How crews stay cool at high altitude",
                "body": f"At high altitude, crews wear oxygen masks; oxygen masks and pressure "
                f"suits protect pilots. {neutral} Note {n}.",
            }
            for n in range(3)
        ),
        {
            "id": "coolant",
            "title": "Workshop notes",
            "body": f"Jet radiator coolant fins. {neutral}",
        },
        {"id": "oxygen", "title": "Workshop notes", "body": f"Jet oxygen masks pilots. {neutral}"},
        *(
            {"id": f"filler-{n}", "title": "Workshop notes", "body": f"Jet {neutral} Item {n}."}
            for n in range(8)
        ),
    ]
    path = tmp_path / "index"
    open_engine(path).ingest(
        [str(write_jsonl(tmp_path / "engines.jsonl", records))], IngestOptions()
    )
    assert _ids(path, query, rerank=False)[0] == "best"  # (coolant and oxygen tie)
    ranked = _ids(path, query)
    assert ranked[0] == "best"  # (counted by their plain scores, the three would lead)
    assert ranked.index("coolant") < ranked.index("oxygen")
