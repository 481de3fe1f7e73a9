"""Cleaning rules on realistic scraped text: each pattern removes its artifact and leaves the
prose around it — including prose that merely resembles an artifact."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_jsonl

from index.article import Article
from index.enrich.clean import Cleaner, load_rules
from index.pipeline.options import IngestOptions
from search.embedded.manage import get_article
from search.embedded.searching import search
from search.engine import open_engine
from search.results import SearchRequest

PROSE_1 = "The Pentagon will open talks with Russia on Wednesday, officials said."
PROSE_2 = "Carter said the talks would be limited to the safety of air operations."


def clean(body: str, rules: list[Path] | None = None) -> Article:
    return Cleaner(load_rules(rules or []))(Article("Title", body))


@pytest.mark.parametrize(
    "artifact",
    [
        "Advertisement",
        "  ADVERTISEMENT  ",
        "Story continues below advertisement",
        "Continue reading the main story",
        "Read more: Russia begins air strikes in Syria",
        "READ MORE » Pentagon chief warns Moscow",
        "Related: What we know about the Russian build-up",
        "See also - Syria's war in maps",
        "Click here to subscribe to The Daily Meridian for just $1 a week.",
        "Sign up for our Morning Briefing newsletter",
        "Share this article",
        "Share on Facebook",
        "Share Tweet Email",
        "Facebook | Twitter | LinkedIn | Email | Print",
        "Share · Tweet · Pin it · Copy link",
        "Photo: Getty Images",
        "(Photo credit: Alex Wong/Getty Images)",
        "Image copyright Getty Images",
        "Image caption: Russian jets at the Latakia air base",
        "Photographs by Ana Ruiz for The Daily Meridian",
        "(AP Photo/Evan Vucci)",
        "[Reuters/Stringer]",
        "{mosads}",
    ],
)
def test_each_artifact_is_removed_and_the_prose_kept(artifact: str) -> None:
    article = clean(f"{PROSE_1}\n\n{artifact}\n\n{PROSE_2}")
    assert article.body == f"{PROSE_1}\n\n{PROSE_2}"


def test_repeated_photo_credits_all_go() -> None:
    body = "\n\n".join(
        [PROSE_1, "Photo: AP", PROSE_2, "Photo: AP", "Officials declined to comment.", "Photo: AP"]
    )
    assert "Photo" not in clean(body).body


@pytest.mark.parametrize(
    "prose",
    [
        "Share prices fell 3 percent after the announcement, traders said.",
        "Read more about the talks in a statement the ministry issued late on Tuesday.",
        "Credit Suisse said it would cut 5,000 jobs.",
        "Picture this: a city where every bus runs on time.",
        "Related to the strikes, officials said, was a build-up of tanks near Latakia.",
        "Advertisement revenue at the newspaper fell by a third last year.",
        "She told readers to click here if they wanted the full 40-page report, a line critics "
        "mocked for weeks because the page had no link and the report was never published, "
        "and the paper later apologised for the error in a note to subscribers.",
    ],
)
def test_prose_that_resembles_an_artifact_stays(prose: str) -> None:
    assert clean(f"{PROSE_1}\n\n{prose}").body == f"{PROSE_1}\n\n{prose}"


def test_legal_footer_moves_to_rights() -> None:
    article = clean(
        f"{PROSE_1}\n\n{PROSE_2}\n\nShare this article\n\n"
        "Copyright 2015 Reuters. All rights reserved. This material may not be published, "
        "broadcast, rewritten or redistributed."
    )
    assert article.body == f"{PROSE_1}\n\n{PROSE_2}"
    assert article.rights.startswith("Copyright 2015 Reuters")


def test_control_and_invisible_characters_are_stripped() -> None:
    article = clean("The Pen\u00adtagon\u200b said\x07 it would\x00 talk.\r\nNew\u2060line")
    assert article.body == "The Pentagon said it would talk.\nNewline"


def test_user_rules_add_to_the_shipped_ones(tmp_path: Path) -> None:
    rules = tmp_path / "mine.toml"
    rules.write_text(
        "[[drop]]\nname = 'house promo'\npattern = '^Get the Meridian app.*$'\n", encoding="utf-8"
    )
    body = f"{PROSE_1}\n\nGet the Meridian app for breaking news\n\nAdvertisement\n\n{PROSE_2}"
    assert clean(body, [rules]).body == f"{PROSE_1}\n\n{PROSE_2}"


def test_typography_is_folded_for_matching_but_displayed_as_printed(tmp_path: Path) -> None:
    body = (
        "The \ufb01nancial markets reacted to \u201cSyrian airspace\u201d talks \u2014 "
        "officials\u2019 words, in \uff35\uff33 dollars."
    )
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "t1", "title": "Markets", "body": body}])
    index = tmp_path / "index"
    open_engine(index).ingest([str(path)], IngestOptions())
    for query in ("financial", '"syrian airspace"', "officials", "us dollars"):
        assert search(index, SearchRequest(query)).total == 1, query
    assert get_article(index, "t1").body == body
