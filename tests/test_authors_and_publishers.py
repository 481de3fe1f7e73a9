"""Authors are names and known publishers keep one name: bylines as real pages and feeds print
them, and site names as pages give them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_jsonl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from index.enrich.authors import read_byline
from index.enrich.publishers import load_publishers, name_source, tidy_site_name

PUBLISHERS = load_publishers()


@pytest.mark.parametrize(
    ("byline", "names", "agency"),
    [
        ("Phil Helsel is a reporter for NBC News", ["Phil Helsel"], None),
        ("Malcolm Owen Monday", ["Malcolm Owen"], None),
        ("Malcolm Owen, Monday, March 3", ["Malcolm Owen"], None),
        ("ERIC TUCKER Associated Press", ["Eric Tucker"], "Associated Press"),
        ("By Sarah Lee (Reuters)", ["Sarah Lee"], "Reuters"),
        ("Josh Boak, AP Economics Writer", ["Josh Boak"], "Associated Press"),
        ("Ap Auto Writer", [], "Associated Press"),
        ("The Russian", [], None),
        ("Reuters Staff", [], "Reuters"),
        ("By The Associated Press", [], "Associated Press"),
        ("Jane Q. Reporter", ["Jane Q. Reporter"], None),
        ("By JANE Q. DOE and John Roe Jr.", ["Jane Q. Doe", "John Roe Jr."], None),
        ("desk@valley.media (Sam Ortiz)", ["Sam Ortiz"], None),
        ("Apple Writer", ["Apple Writer"], None),  # (a surname that is also a word)
    ],
)
def test_bylines_give_names_and_the_agency_apart(
    byline: str, names: list[str], agency: str | None
) -> None:
    read = read_byline(byline)
    assert (read.names, read.agency) == (names, agency)


_ROLE_ONLY = {"a", "the", "associated", "press", "ap", "writer", "staff", "reporter"}
_WORDS = ["Jane", "DOE", "Monday", "is", "a", "reporter", "The", "Associated", "Press", "AP"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*_WORDS, ",", "and", "By", "Q.", "writer", "staff"]), max_size=10)
    | st.text(max_size=80)
)
@example(["Ap", "Auto", "Writer"])
@example(["Reporter", "."])
def test_author_cleaning_never_gives_an_empty_role_or_agency_name(parts: list[str] | str) -> None:
    byline = parts if isinstance(parts, str) else " ".join(parts)
    for name in read_byline(byline).names:
        words = name.casefold().split()
        assert words and name == name.strip() and not any(char.isdigit() for char in name)
        assert words[0] != "the"
        assert not (set(words) <= _ROLE_ONLY and set(words) - {"a", "the"})
        assert name.casefold() not in {"associated press", "ap", "monday", "reuters"}
        shouted = name.isupper() and sum(map(str.isalpha, name)) > 3
        assert not shouted or name == name.title()  # capitals normalised


@pytest.mark.parametrize(
    ("url", "site_name", "source"),
    [
        ("https://www.nytimes.com/2015/09/30/world/russia.html", "NYTimes", "The New York Times"),
        ("http://hosted.ap.org/dynamic/stories/A/AP_RUSSIA", "Hosted", "Associated Press"),
        ("https://www.nj.com/news/2015/09/story.html", "Nj", "NJ.com"),
        ("https://www.oregonlive.com/pacific-northwest-news/x.html", "Oregonlive", "The Oregonian"),
        ("https://sputniknews.com/world/201509301027757/", "SputnikInt", "Sputnik International"),
        ("https://www.wday.com/news/3851234-storm", "Wday_", "WDAY"),
        ("https://www.smalltown-gazette.example/a", "Smalltown_Gazette_", "Smalltown Gazette"),
        (
            "https://www.smalltown-gazette.example/a",
            "Smalltown-gazette",
            "smalltown-gazette.example",
        ),
    ],
)
def test_known_publishers_keep_the_tables_name(url: str, site_name: str, source: str) -> None:
    assert name_source(url, site_name, PUBLISHERS) == source


def test_site_names_are_tidied() -> None:
    assert tidy_site_name("  Wday_ ") == "Wday"
    assert tidy_site_name("Daily_Meridian | ") == "Daily Meridian"
    assert tidy_site_name("___") is None
    assert tidy_site_name("Nj", "www.nj.com") is None


TUCKER = "ERIC TUCKER Associated Press"


def test_an_agency_byline_names_the_source_only_when_nothing_else_does(
    tmp_path: Path, invoke
) -> None:
    write_jsonl(
        tmp_path / "wire.jsonl",
        [
            {"id": "1", "title": "Court rules", "body": "Text.", "author": TUCKER},
            {"id": "2", "title": "Court rules", "body": "Text!", "author": TUCKER,
             "url": "https://www.chicagotribune.com/news/court"},
            {"id": "3", "title": "Court rules", "body": "Text?", "source": "NBC News",
             "author": "Phil Helsel is a reporter"},
        ],
    )  # fmt: skip
    index = str(tmp_path / "index")
    assert invoke("index", str(tmp_path / "wire.jsonl"), "--index", index).exit_code == 0
    shown = {
        article_id: json.loads(invoke("show", article_id, "--index", index, "--json").stdout)
        for article_id in ("1", "2", "3")
    }
    assert [(a["source"], a["authors"]) for a in shown.values()] == [
        ("Associated Press", ["Eric Tucker"]),
        ("Chicago Tribune", ["Eric Tucker"]),
        ("NBC News", ["Phil Helsel"]),
    ]
