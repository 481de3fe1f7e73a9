"""HTML pages and feed items read as their readers read them: tables kept, hover cards and
newsletter widgets out, keywords as tags, the published time with its zone, bylines as printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

RECORDS = Path(__file__).parent / "fixtures" / "records"
HILL = "https://thehill.com/policy/defense/255317-pentagon-to-begin-talks-with-russia-over-syria"


@pytest.fixture(scope="module")
def pages_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    from typer.testing import CliRunner

    from search.cli.app import app

    index = str(tmp_path_factory.mktemp("pages") / "index")
    paths = [str(RECORDS / "pages"), str(RECORDS / "valley.rss")]
    result = CliRunner().invoke(app, ["index", *paths, "--index", index])
    assert result.exit_code == 0, result.stderr
    return index


def _show(invoke, index: str, article_id: str) -> dict:
    result = invoke("show", article_id, "--index", index, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _found(invoke, index: str, query: str) -> list[str]:
    result = invoke("search", query, "--index", index, "--json")
    assert result.exit_code == 0, result.stderr
    return [hit["title"] for hit in json.loads(result.stdout)["hits"]]


def test_hover_cards_are_not_glued_into_the_lead_sentence(invoke, pages_index) -> None:
    article = _show(invoke, pages_index, HILL)
    assert article["body"].startswith("Defense Secretary Ash Carter said on Tuesday")
    assert "Hillicon" not in article["body"]
    assert _found(invoke, pages_index, '"Defense Secretary Ash Carter said"') == [
        "Pentagon to begin talks with Russia over Syrian airspace"
    ]


def test_newsletter_and_tip_widgets_go_with_other_boilerplate(invoke, pages_index) -> None:
    body = _show(invoke, pages_index, HILL)["body"]
    assert "Have a tip?" not in body and "newsletter" not in body
    assert body.rstrip().endswith("the risk of an accidental clash.")


def test_the_publishers_table_beats_the_pages_own_site_name(invoke, pages_index) -> None:
    article = _show(invoke, pages_index, HILL)
    assert (article["source"], article["domain"]) == ("The Hill", "thehill.com")


def test_tables_are_kept_as_text(invoke, pages_index) -> None:
    assert _found(invoke, pages_index, "lapwings kestrels") == [
        "Harriers top the valley league after a storm-delayed weekend"
    ]
    result = invoke("search", "harriers", "--index", pages_index, "--json")
    body = _show(invoke, pages_index, json.loads(result.stdout)["hits"][0]["id"])["body"]
    assert "| Lapwings | 12 | 2 | 10 | 6 |" in body and "---" not in body


def test_page_metadata_keeps_keywords_apart_time_and_zone_and_initials(invoke, pages_index) -> None:
    result = invoke("search", "harriers", "--index", pages_index, "--json")
    [hit] = json.loads(result.stdout)["hits"]
    assert hit["tags"] == ["weather", "storm", "power outage"]
    assert hit["published"] == "2024-03-14T14:30:00+00:00"  # 09:30 at -05:00, in UTC
    assert hit["authors"] == ["Jane Q. Reporter"]
    assert hit["origin"] == str(RECORDS / "pages" / "standings.html")
    hill = _show(invoke, pages_index, HILL)
    assert hill["published"] == "2015-09-29T18:41:00+00:00"


def test_an_rss_author_with_an_email_address_is_the_name(invoke, pages_index) -> None:
    item = _show(invoke, pages_index, "https://valley.media/2024/03/dam-opens")
    assert item["authors"] == ["Sam Ortiz"]
    assert item["origin"] == f"{RECORDS / 'valley.rss'}:entry 1"


def test_a_page_that_gives_only_the_day_keeps_a_date(tmp_path: Path, invoke) -> None:
    page = (RECORDS / "pages" / "standings.html").read_text(encoding="utf-8")
    (tmp_path / "day.html").write_text(
        page.replace("2024-03-14T09:30:00-05:00", "2024-03-14"), encoding="utf-8"
    )
    index = str(tmp_path / "index")
    assert invoke("index", str(tmp_path / "day.html"), "--index", index).exit_code == 0
    [hit] = json.loads(invoke("search", "harriers", "--index", index, "--json").stdout)["hits"]
    assert hit["published"] == "2024-03-14"
