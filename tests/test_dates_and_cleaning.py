"""Dates as news data writes them, and the cleaning steps on realistic text."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.article import Article
from index.enrich.clean import Cleaner, load_rules, normalize_text
from index.enrich.dates import parse_bound, parse_published
from index.errors import IngestError, InvalidDate


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2015-09-29", date(2015, 9, 29)),
        ("20150929", date(2015, 9, 29)),
        ("2015-09-29T14:05:00Z", datetime(2015, 9, 29, 14, 5, tzinfo=UTC)),
        ("2015-09-29T10:05:00-04:00", datetime(2015, 9, 29, 14, 5, tzinfo=UTC)),
        ("2015-09-29 14:05", datetime(2015, 9, 29, 14, 5, tzinfo=UTC)),
        ("Tue, 29 Sep 2015 14:05:00 +0000", datetime(2015, 9, 29, 14, 5, tzinfo=UTC)),
        ("Tue, 29 Sep 2015 16:05:00 +0200", datetime(2015, 9, 29, 14, 5, tzinfo=UTC)),
        ("September 29, 2015", date(2015, 9, 29)),
        ("29 September 2015", date(2015, 9, 29)),
        (1443535500, datetime(2015, 9, 29, 14, 5, tzinfo=UTC)),
        ("1443535500000", datetime(2015, 9, 29, 14, 5, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_published_forms(raw, expected) -> None:
    assert parse_published(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["2015-02-30", "2015-13-01", "soon", "September 29", "0001-01-01", "99999999999999999999"],
)
def test_bad_published_values(raw: str) -> None:
    with pytest.raises(InvalidDate):
        parse_published(raw)


def test_bounds_cover_whole_periods() -> None:
    assert parse_bound("2015", end=False) == datetime(2015, 1, 1)
    assert parse_bound("2015", end=True) == datetime(2015, 12, 31, 23, 59, 59, 999999)
    assert parse_bound("2016-02", end=True) == datetime(2016, 2, 29, 23, 59, 59, 999999)
    assert parse_bound("2015-12", end=True) == datetime(2015, 12, 31, 23, 59, 59, 999999)
    assert parse_bound("2015-09-29", end=True) == datetime(2015, 9, 29, 23, 59, 59, 999999)


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_an_invalid_date(text: str) -> None:
    try:
        parsed = parse_published(text)
    except InvalidDate:
        return
    assert parsed is None or 1600 <= parsed.year <= 2200


@given(
    st.datetimes(
        min_value=datetime(1700, 1, 1), max_value=datetime(2199, 1, 1), timezones=st.just(UTC)
    )
)
def test_iso_round_trip(moment: datetime) -> None:
    assert parse_published(moment.isoformat()) == moment


def _clean(body: str, title: str = "T") -> Article:
    return Cleaner()(Article(title=title, body=body))


@given(st.text(alphabet=" \t\n\r\x00\x0b\x85\xa0\u2003\u200b\u00adab\u0301", max_size=40))
def test_normalised_text_keeps_the_words_with_single_spaces_between(text: str) -> None:
    normal = normalize_text(text)
    invisible = "\u200b\u00ad"
    words = unicodedata.normalize("NFC", text)
    words = "".join(" " if c in "\x00\x0b\x85" else c for c in words if c not in invisible)
    assert normal.split() == words.split()
    assert "  " not in normal and not set(normal) & set("\t\r\xa0\u2003\x00\x85" + invisible)
    assert "\n\n\n" not in normal and " \n" not in normal and "\n " not in normal
    assert normal == normal.strip()


def test_placeholders_whitespace_and_unicode() -> None:
    article = _clean(
        "Cafe\u0301  talks\t\tbegin.{mosads}\r\n\r\n\r\n\x00Second {loadposition ad1}paragraph.",
        title="  Two\n lines ",
    )
    assert article.body == "Café talks begin.\n\nSecond paragraph."
    assert article.title == "Two lines"


def test_trailing_rights_lines_move_out_of_the_body() -> None:
    article = _clean(
        "Lead paragraph.\n\nMore text.\n\n© 2015 The Hill. All rights reserved.\n"
        "This material may not be published, broadcast, rewritten or redistributed."
    )
    assert article.body == "Lead paragraph.\n\nMore text."
    assert article.rights == (
        "© 2015 The Hill. All rights reserved.\nThis material may not be "
        "published, broadcast, rewritten or redistributed."
    )


def test_rights_words_inside_prose_stay() -> None:
    body = "Only paragraph. Copyright 2015 Reuters. All rights reserved."
    assert _clean(body).body == body
    prose = (
        "Lead.\n\nThe court ruled that copyright law protects all rights reserved by " + "x " * 200
    )
    assert _clean(prose).rights is None


def test_user_rules_add_to_the_shipped_ones(tmp_path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        "[[drop]]\nname = \"promo\"\npattern = '\\[PROMO[^\\]]*\\]'\n", encoding="utf-8"
    )
    article = Cleaner(load_rules([rules]))(Article("T", "Hello [PROMO buy now] world {mosads}"))
    assert article.body == "Hello world"
    broken = tmp_path / "broken.toml"
    broken.write_text("[[drop]]\npattern = '('\n", encoding="utf-8")
    with pytest.raises(IngestError, match="bad drop rule"):
        load_rules([broken])
