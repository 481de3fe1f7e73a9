"""Every word of an article can be found: stopwords, one-letter words, words joined by
``&``, ``-``, ``/`` or ``++``, acronyms with dots, capitals, text without spaces (real index)."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
from conftest import write_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.embedded.analysis import WORD_PATTERN
from index.pipeline.ingest import ingest
from index.pipeline.options import IngestOptions
from search.engine import open_engine
from search.results import SearchRequest

FIXTURES = Path(__file__).parent / "fixtures"
HEADLINES = {
    "us-airways": "US Airways and American merger approved",
    "jetblue": "JetBlue Airways adds flights to Boston",
    "us-gas": "Average US gas price jumps",
    "dotted": "U.S. stocks edge higher as Fed meets",
    "pronoun": "Tell us what you think about the new phone",
    "att": "Verizon and AT&T cut prices",
    "verizon": "Verizon profit beats estimates",
    "at-home": "Workers at home: T cells and other stories",
    "sp": "S&P 500 closes at a record",
    "cpp": "Why C++ still runs the trading floor",
    "covid": "COVID-19 cases fall in Italy",
    "nine-eleven": "Memorial marks 9/11 anniversary",
    "email": "Senator's e-mail leaked to press",
    "may": "Fed may raise rates in May",
    "can": "Who can stop the rally? Analysts can't say",
    "will": "Apple will open stores in India",
    "vitamin": "Vitamin A deficiency rises in children",
    "japanese": "東京都庁で会議が開かれた",
    "chinese": "北京大学举行毕业典礼",
    # Headlines with a part of a joined word or phrase, but not the whole.
    "apollo": "Apollo 11 crew remembered",
    "royal-mail": "Royal Mail shares rise",
    "covid-wards": "Covid wards empty as 19 hospitals close",
    "fortune": "Fortune 500 list is out",
    "vitamin-d": "Vitamin D sales rise",
    "record-label": "Record label signs band",
}


@pytest.fixture(scope="module")
def headlines(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("headlines")
    records = [{"id": key, "title": title, "body": ""} for key, title in HEADLINES.items()]
    index = folder / "index"
    ingest([str(write_jsonl(folder / "headlines.jsonl", records))], index, IngestOptions())
    return index


def _found(index: Path, query: str) -> set[str]:
    result = open_engine(index).search(SearchRequest(query=query, limit=100, facets=()))
    return {hit.article.id for hit in result.hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # In capitals, US is the country, written US or U.S.; in lower case any "us".
        ("US", {"us-airways", "us-gas", "dotted"}),
        ("U.S.", {"us-airways", "us-gas", "dotted"}),
        ("us", {"us-airways", "us-gas", "dotted", "pronoun"}),
        ("AT&T", {"att"}),
        ("S&P", {"sp"}),
        ('"S&P 500"', {"sp"}),
        ("C++", {"cpp"}),
        ("COVID-19", {"covid"}),
        ("covid", {"covid", "covid-wards"}),
        ("9/11", {"nine-eleven"}),
        ("e-mail", {"email"}),
        ("mail", {"email", "royal-mail"}),
        ("May", {"may"}),
        ("can", {"can"}),
        ("will", {"will"}),
        ("A", {"vitamin", "sp"}),  # (and "a record")
        ('"vitamin A"', {"vitamin"}),
        ('"at a record"', {"sp"}),
        ('"US Airways"', {"us-airways"}),
        ("都庁", {"japanese"}),
        ("会議", {"japanese"}),
        ("大学", {"chinese"}),
    ],
)
def test_every_word_finds_its_headlines(headlines: Path, query: str, expected: set[str]) -> None:
    assert _found(headlines, query) == expected


def test_a_joined_word_narrows_a_search(headlines: Path) -> None:
    assert _found(headlines, "verizon") == {"att", "verizon"}
    assert _found(headlines, "verizon AT&T") == {"att"}


def test_a_phrase_without_spaces_is_found_only_in_a_row(headlines: Path) -> None:
    assert _found(headlines, "京会") == set()  # (both characters are there, apart)


def test_a_word_no_article_has_is_named_in_json_and_on_stderr(invoke, headlines: Path) -> None:
    result = invoke("search", "verizon zyzzyva", "--index", str(headlines), "--json")
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert answer["total"] == 0
    assert answer["notes"] == ['no article contains "zyzzyva"']
    terminal = invoke("search", '"verizon zyzzyva" OR AT&T', "--index", str(headlines))
    assert terminal.exit_code == 0
    assert 'Note: no article contains "zyzzyva"' in terminal.stderr
    found = json.loads(invoke("search", "verizon", "--index", str(headlines), "--json").stdout)
    assert "notes" not in found  # (other answers as they were)


def test_a_question_of_common_words_still_finds_them(headlines: Path) -> None:
    assert "pronoun" in _found(headlines, "what do you think about us")
    assert "will" in _found(headlines, "will it be that")  # (every word a common one)


def test_an_index_of_an_older_schema_asks_to_be_rebuilt(invoke, tmp_path: Path) -> None:
    old = tmp_path / "old"  # (an index of schema version 4, written by Byline at afd676b)
    old.mkdir()
    with tarfile.open(FIXTURES / "index-split-codec-zlib-arrays.tar.xz") as archive:
        for member in archive.getmembers():
            (old / member.name).write_bytes(archive.extractfile(member).read())
    result = invoke("search", "syria", "--index", str(old))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "schema version 4" in result.stderr and "rebuild it" in result.stderr


_WORD = st.from_regex(WORD_PATTERN, fullmatch=True).filter(lambda word: len(word) < 30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(_WORD, min_size=1, max_size=6), pick=st.integers(min_value=0))
def test_any_word_of_a_title_searched_alone_finds_it(
    tmp_path_factory: pytest.TempPathFactory, words: list[str], pick: int
) -> None:
    folder = tmp_path_factory.mktemp("word")
    title = " ".join(words)
    records = [{"id": "it", "title": title, "body": ""}, {"id": "other", "title": "x", "body": ""}]
    index = folder / "index"
    ingest([str(write_jsonl(folder / "one.jsonl", records))], index, IngestOptions())
    word = words[pick % len(words)]
    query = f'"{word}"' if '"' not in word else word
    assert "it" in _found(index, query), (title, word)


def test_common_words_and_joined_words_do_not_make_an_article_longer(tmp_path: Path) -> None:
    # The same content words, one article with many common words and a joined word besides:
    # BM25 weighs a word's count against the field's length, counted in content words, so the
    # two score alike (as before every word was indexed).
    records = [
        {"id": "plain", "title": "Turbine blade cooling", "body": "Turbine blade cooling tests."},
        {
            "id": "wordy",
            "title": "The turbine, the blade and the cooling",
            "body": "Of the turbine blade-cooling tests, as it is.",
        },
        {"id": "other", "title": "Wind tunnel results", "body": "Wind tunnel results for a wing"},
    ]
    index = tmp_path / "index"
    ingest([str(write_jsonl(tmp_path / "a.jsonl", records))], index, IngestOptions())
    result = open_engine(index).search(SearchRequest(query="turbine", facets=()))
    scores = {hit.article.id: hit.score for hit in result.hits}
    assert scores.keys() == {"plain", "wordy"}
    assert scores["wordy"] == pytest.approx(scores["plain"])
