"""Sources and metadata as published: escapes undone, the site as its own field, where each
article came from, and the record's other columns kept (on a CSV shaped like the UCI news data)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.enrich.clean import unescape_punctuation
from index.enrich.domains import url_terms

HEADLINES = Path(__file__).parent / "fixtures" / "records" / "headlines.csv"


@pytest.fixture(scope="module")
def headlines_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    from typer.testing import CliRunner

    from search.cli.app import app

    index = str(tmp_path_factory.mktemp("headlines") / "index")
    result = CliRunner().invoke(app, ["index", str(HEADLINES), "--index", index])
    assert result.exit_code == 0, result.stderr
    return index


def _search(invoke, index: str, *args: str) -> dict:
    result = invoke("search", *args, "--index", index, "--json", "--no-collapse", "--limit", "50")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_escaped_publishers_are_found_by_their_published_name(invoke, headlines_index) -> None:
    data = _search(invoke, headlines_index, "--source", "Chicago Tribune (blog)")
    assert sorted(hit["id"] for hit in data["hits"]) == ["120", "121"]
    sources = {count["value"] for count in data["facets"]["source"]}
    assert sources == {"Chicago Tribune (blog)"}
    everything = _search(invoke, headlines_index, "--facet-size", "50")
    published = {count["value"] for count in everything["facets"]["source"]}
    assert {"24/7 Wall St.", "Headlines & Global News", "Chicago Tribune (blog)"} <= published
    assert not any("\\" in name for name in published)


def test_urls_lose_their_escapes(invoke, headlines_index) -> None:
    shown = json.loads(invoke("show", "120", "--index", headlines_index, "--json").stdout)
    assert shown["url"] == (
        "http://newsblogs.chicagotribune.com/sns-rt-us-sbarro-bankruptcy-20140310?track=rss"
    )


def test_the_site_is_a_facet_a_filter_and_findable_by_url(invoke, headlines_index) -> None:
    site = _search(invoke, headlines_index, "--domain", "chicagotribune.com", "--facet", "domain")
    assert sorted(hit["id"] for hit in site["hits"]) == ["120", "121", "47"]
    assert site["facets"]["domain"] == [{"value": "chicagotribune.com", "count": 3}]
    assert {count["value"] for count in site["facets"]["source"]} == {
        "Chicago Tribune",
        "Chicago Tribune (blog)",
    }
    assert {hit["domain"] for hit in site["hits"]} == {"chicagotribune.com"}
    by_url = _search(invoke, headlines_index, "url:chicagotribune.com")
    assert sorted(hit["id"] for hit in by_url["hits"]) == ["120", "121", "47"]
    by_host = _search(invoke, headlines_index, "url:newsblogs.chicagotribune.com")
    assert [hit["id"] for hit in by_host["hits"]] == ["120"]
    text = invoke("search", "--facet", "domain", "--index", headlines_index)
    assert "Domain: chicagotribune.com (3)" in text.stdout


def test_show_says_where_an_article_came_from_and_keeps_unmapped_columns(
    invoke, headlines_index
) -> None:
    shown = json.loads(invoke("show", "491", "--index", headlines_index, "--json").stdout)
    assert shown["origin"] == f"{HEADLINES}:3"
    assert shown["extra"] == {
        "STORY": "dJbOm1zHMJJGWuMjXPV4nRnytnmrM",
        "HOSTNAME": "www.appeal-democrat.com",
    }
    assert shown["domain"] == "appeal-democrat.com"
    text = invoke("show", "491", "--index", headlines_index).stdout
    assert f"From: {HEADLINES}:3" in text
    assert "STORY: dJbOm1zHMJJGWuMjXPV4nRnytnmrM" in text and "Domain: appeal-democrat.com" in text
    hit = _search(invoke, headlines_index, "sbarro")["hits"][0]
    assert hit["origin"].startswith(f"{HEADLINES}:") and set(hit["extra"]) == {"STORY", "HOSTNAME"}


def test_a_page_without_a_url_still_names_its_file_and_archive_member(
    tmp_path: Path, invoke
) -> None:
    page = tmp_path / "pages" / "storm.txt"
    page.parent.mkdir()
    page.write_text("Storm closes schools\n\nHeavy snow closed every school in the county.\n")
    with zipfile.ZipFile(tmp_path / "pages" / "wire.zip", "w") as archive:
        archive.writestr("2015/flood.txt", "Flood warning\n\nThe river rose two feet overnight.\n")
    index = str(tmp_path / "index")
    assert invoke("index", str(tmp_path / "pages"), "--index", index).exit_code == 0
    hits = _search(invoke, index, "")["hits"]
    origins = {hit["title"]: hit["origin"] for hit in hits}
    assert all(hit["id"].startswith("sha1:") for hit in hits)
    assert origins == {
        "Storm closes schools": str(page),
        "Flood warning": f"{tmp_path / 'pages' / 'wire.zip'}!2015/flood.txt",
    }


_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def _escaped(text: str) -> str:
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


@given(st.text(alphabet=st.sampled_from(_PUNCTUATION + "ab /\\ é\n"), max_size=40) | st.text())
def test_unescaping_undoes_escaping(text: str) -> None:
    assert unescape_punctuation(_escaped(text)) == text


@given(st.text(alphabet=st.characters(blacklist_characters="\\")))
def test_text_without_backslashes_is_left_alone(text: str) -> None:
    assert unescape_punctuation(text) == text


_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


@given(st.lists(_LABEL, min_size=2, max_size=5), st.text(max_size=30))
def test_a_url_is_found_by_itself_its_host_and_each_parent_domain(
    labels: list[str], path: str
) -> None:
    host = ".".join(labels)
    url = f"HTTPS://{host.upper()}/{path}"
    terms = url_terms(url)
    assert terms[0] == url.strip().lower() and all(terms)
    assert {".".join(labels[start:]) for start in range(len(labels) - 1)} <= set(terms)
    assert labels[-1] not in terms[1:]  # (a bare top-level domain would find half the index)
