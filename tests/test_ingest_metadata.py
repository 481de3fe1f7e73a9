"""Metadata inference: sources from URLs, dates in the forms news uses, authors from bylines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import write_jsonl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from index.enrich.authors import split_authors
from index.enrich.dates import parse_published
from index.enrich.publishers import infer_source, load_publishers
from index.errors import InvalidDate
from index.pipeline.ingest import ingest
from index.pipeline.options import IngestOptions
from search.embedded.manage import get_article

PUBLISHERS = load_publishers()


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://thehill.com/policy/defense/255317-pentagon", "The Hill"),
        ("http://www.reuters.com/article/us-syria-idUSKCN0RT", "Reuters"),
        ("https://in.reuters.com/article/idINKBN0M", "Reuters India"),
        ("https://edition.cnn.com/2015/09/30/politics/russia", "CNN"),
        ("http://www.bbc.co.uk/news/world-34399164", "BBC News"),
        ("https://money.cnn.com/2014/03/10/news", "CNN Money"),
        ("https://www.smalltown-gazette.example/news/1", "smalltown-gazette.example"),
        ("https://m.unknownpaper.org/a", "unknownpaper.org"),
        ("not a url", None),
    ],
)
def test_source_from_url_host(url: str, source: str | None) -> None:
    assert infer_source(url, PUBLISHERS) == source


def test_shipped_table_has_hundreds_of_outlets() -> None:
    assert len(PUBLISHERS) >= 300


def test_explicit_source_wins_and_user_table_extends(tmp_path: Path, invoke) -> None:
    write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": "1", "title": "A", "url": "https://thehill.com/1"},
            {"id": "2", "title": "B", "url": "https://thehill.com/2", "source": "Hill Staff"},
            {"id": "3", "title": "C", "url": "https://www.smalltown-gazette.example/3"},
            {"id": "4", "title": "D", "body": "no url"},
        ],
    )
    (tmp_path / "mine.csv").write_text(
        "domain,name\nsmalltown-gazette.example,Smalltown Gazette\n", encoding="utf-8"
    )
    index = tmp_path / "index"
    result = invoke(
        "index", str(tmp_path / "a.jsonl"), "--index", str(index),
        "--publishers", str(tmp_path / "mine.csv"), "--source", "Fallback Wire",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    sources = [get_article(index, i).source for i in "1234"]
    # data beats --source beats the URL table
    assert sources == ["Fallback Wire", "Hill Staff", "Fallback Wire", "Fallback Wire"]
    invoke(
        "index", str(tmp_path / "a.jsonl"), "--index", str(index),
        "--publishers", str(tmp_path / "mine.csv"),
    )  # fmt: skip
    sources = [get_article(index, i).source for i in "1234"]
    assert sources == ["The Hill", "Hill Staff", "Smalltown Gazette", None]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-09-29", date(2015, 9, 29)),
        ("2015-09-29T14:05:00-04:00", datetime(2015, 9, 29, 18, 5, tzinfo=UTC)),
        ("2015-09-29T18:05:00Z", datetime(2015, 9, 29, 18, 5, tzinfo=UTC)),
        ("Tue, 29 Sep 2015 14:05:00 -0400", datetime(2015, 9, 29, 18, 5, tzinfo=UTC)),
        ("Tue, 29 Sep 2015 18:05:00 GMT", datetime(2015, 9, 29, 18, 5, tzinfo=UTC)),
        ("September 29, 2015", date(2015, 9, 29)),
        ("Sept. 29, 2015", date(2015, 9, 29)),
        ("29 September 2015", date(2015, 9, 29)),
        ("1443549900", datetime(2015, 9, 29, 18, 5, tzinfo=UTC)),
        (1443549900000, datetime(2015, 9, 29, 18, 5, tzinfo=UTC)),
        ("1394470370698", datetime(2014, 3, 10, 16, 52, 50, 698000, tzinfo=UTC)),
    ],
)
def test_dates_in_news_forms(value: object, expected: object) -> None:
    assert parse_published(value) == expected


def test_unreadable_date_is_a_warning_and_the_article_is_indexed(tmp_path: Path, invoke) -> None:
    write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": "ok", "title": "Dated", "date": "September 29, 2015"},
            {"id": "bad", "title": "Undated", "date": "last Tuesday-ish"},
            {"id": "impossible", "title": "Impossible", "date": "2015-02-30"},
        ],
    )
    index = tmp_path / "index"
    result = invoke("index", str(tmp_path / "a.jsonl"), "--index", str(index))
    assert result.exit_code == 0, result.stderr
    stderr = " ".join(result.stderr.split())
    assert "3 added" in stderr and "2 warning(s)" in stderr
    assert f"warning: {tmp_path / 'a.jsonl'}:2: cannot read date" in stderr
    assert get_article(index, "bad").published is None
    assert get_article(index, "impossible").published is None
    report = ingest([str(tmp_path / "a.jsonl")], tmp_path / "again", IngestOptions())
    assert [w.origin.rsplit(":", 1)[1] for w in report.warnings] == ["2", "3"]


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Jane Doe, John Roe and Ana Ruiz", ["Jane Doe", "John Roe", "Ana Ruiz"]),
        ("Jane Doe | Reuters", ["Jane Doe"]),  # (an agency: the source, not an author)
        ("By JANE DOE, Staff Writer", ["Jane Doe"]),
        ("By Kristina Wong - 09/29/15 02:41 PM EDT", ["Kristina Wong"]),
        ("Jane Doe, Associated Press Writer", ["Jane Doe"]),
        ("by Jane Doe (jane@example.com) @janedoe", ["Jane Doe"]),
        ("Jane Doe for The Hill", ["Jane Doe"]),
        ("Written by Jane Doe; Updated 3:00 PM", ["Jane Doe"]),
        ("Jane Doe & John Roe, Senior Correspondents", ["Jane Doe", "John Roe"]),
        (["By Jane Doe", {"name": "John Roe"}, "jane doe"], ["Jane Doe", "John Roe"]),
        ("", []),
        (None, []),
    ],
)
def test_bylines_split_into_authors(byline: object, authors: list[str]) -> None:
    assert split_authors(byline) == authors


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
@example("A\x1f)")  # (a control character is whitespace to str.strip)
def test_any_byline_gives_clean_names(byline: str) -> None:
    for name in split_authors(byline):
        assert name and name == name.strip() and not any(char.isdigit() for char in name)
        assert not name.lower().startswith("by ")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60) | st.integers() | st.floats(allow_nan=True))
def test_any_date_value_parses_or_says_why(value: object) -> None:
    try:
        parsed = parse_published(value)
    except InvalidDate:
        return
    assert parsed is None or isinstance(parsed, date)
