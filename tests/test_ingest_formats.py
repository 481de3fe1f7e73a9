"""Reading real-world formats: HTML pages, RSS/Atom feeds, WARC crawls, compressed files and
archives, and text in legacy encodings — each through ``ingest`` into a real index."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.pipeline.ingest import ingest
from index.pipeline.options import IngestOptions
from index.readers.records import Undecodable, decode, guess_encoding
from search.embedded.manage import get_article

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Russian jets strike targets in Syria | The Daily Meridian</title>
<meta property="og:site_name" content="The Daily Meridian">
<meta name="author" content="Ana Ruiz">
<meta property="article:published_time" content="2015-10-01T16:30:00Z">
<link rel="canonical" href="https://meridian.example/world/russian-jets">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article><h1>Russian jets strike targets in Syria</h1>
<p>Russian warplanes struck targets in Syria on Wednesday, officials said, in the first
air strikes since Moscow began its military build-up in the country last month.</p>
<p>Officials in Washington said the strikes did not appear to hit Islamic State positions,
but rebel groups backed by the United States and its allies in the region.</p>
<p>The Kremlin said the strikes were aimed at militants and would continue for some time.</p>
</article>
<aside>Most read: Harbor festival draws record crowds</aside>
<footer>About us · Contact · Terms</footer>
</body></html>
"""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Harbor City Ledger</title><link>https://ledger.example</link>
<item><title>Oil prices climb</title><link>https://ledger.example/oil</link>
<guid>ledger-oil-1</guid><pubDate>Wed, 02 Mar 2016 09:00:00 -0500</pubDate>
<dc:creator>Priya Natarajan</dc:creator><category>Business</category>
<description>Short teaser.</description>
<content:encoded><![CDATA[<p>Oil prices rose as traders weighed the conflict.</p>
<p>Analysts expect prices to settle.</p>]]></content:encoded></item>
<item><title>Harbor festival draws record crowds</title><link>https://ledger.example/fest</link>
<pubDate>Fri, 04 Jul 2014 10:00:00 GMT</pubDate>
<description>&lt;p&gt;The summer festival drew record crowds.&lt;/p&gt;</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire Desk</title>
<entry><id>tag:wire.example,2015:1</id><title>Talks resume in Geneva</title>
<link href="https://wire.example/geneva"/><updated>2015-10-02T08:00:00Z</updated>
<author><name>Tom Becker</name></author><author><name>Ana Ruiz</name></author>
<content type="html">&lt;p&gt;Diplomats met again in Geneva.&lt;/p&gt;</content></entry>
</feed>
"""


def _index(tmp_path: Path, *paths: Path, **options):
    return ingest([str(p) for p in paths], tmp_path / "index", IngestOptions(**options))


def test_html_page_gives_article_text_and_metadata(tmp_path: Path) -> None:
    page = tmp_path / "russian-jets.html"
    page.write_text(ARTICLE_HTML, encoding="utf-8")
    report = _index(tmp_path, page)
    assert report.added == 1 and not report.failed
    article = get_article(tmp_path / "index", "https://meridian.example/world/russian-jets")
    assert article.title == "Russian jets strike targets in Syria"
    assert article.source == "The Daily Meridian"
    assert article.authors == ["Ana Ruiz"]
    assert article.published.isoformat() == "2015-10-01T16:30:00+00:00"  # (its time, too)
    assert "Islamic State positions" in article.body
    assert "Sport" not in article.body and "Most read" not in article.body


def test_missing_html_extra_is_one_clear_error(invoke, tmp_path: Path, monkeypatch) -> None:
    page = tmp_path / "page.htm"
    page.write_text(ARTICLE_HTML, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # as if not installed
    result = invoke("index", str(page), "--index", str(tmp_path / "index"))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: reading HTML needs trafilatura: pip install 'byline[html]'"
    )


def test_rss_entries_become_articles_with_full_content(tmp_path: Path) -> None:
    feed = tmp_path / "ledger.rss"
    feed.write_text(RSS, encoding="utf-8")
    report = _index(tmp_path, feed)
    assert report.added == 2 and not report.failed
    oil = get_article(tmp_path / "index", "ledger-oil-1")
    assert (
        oil.body
        == "Oil prices rose as traders weighed the conflict.\n\nAnalysts expect prices to settle."
    )
    assert oil.source == "Harbor City Ledger"  # the feed's title, as the entry names none
    assert oil.authors == ["Priya Natarajan"]
    assert oil.published.isoformat() == "2016-03-02T14:00:00+00:00"
    fest = get_article(tmp_path / "index", "https://ledger.example/fest")
    assert fest.body == "The summer festival drew record crowds."  # the summary, as text


def test_atom_and_xml_feeds_are_recognised(tmp_path: Path) -> None:
    (tmp_path / "wire.atom").write_text(ATOM, encoding="utf-8")
    (tmp_path / "ledger.xml").write_text(RSS, encoding="utf-8")
    (tmp_path / "sitemap.xml").write_text('<?xml version="1.0"?><urlset></urlset>', "utf-8")
    report = _index(tmp_path, tmp_path)
    assert report.added == 3 and not report.failed
    assert [s.origin for s in report.skipped] == [str(tmp_path / "sitemap.xml")]
    geneva = get_article(tmp_path / "index", "tag:wire.example,2015:1")
    assert geneva.authors == ["Tom Becker", "Ana Ruiz"]
    assert geneva.source == "Wire Desk"


def _warc_record(writer, url: str, body: bytes, content_type: str) -> None:
    from warcio.statusandheaders import StatusAndHeaders

    headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
    )


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_warc_html_responses_become_articles(tmp_path: Path, name: str) -> None:
    from warcio.warcwriter import WARCWriter

    path = tmp_path / name
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=name.endswith(".gz"))
        _warc_record(writer, "https://meridian.example/a", ARTICLE_HTML.encode(), "text/html")
        _warc_record(writer, "https://meridian.example/logo.png", b"\x89PNG...", "image/png")
        _warc_record(writer, "https://meridian.example/empty", b"<html></html>", "text/html")
    report = _index(tmp_path, path)
    assert report.added == 1
    assert len(report.failed) == 1
    assert report.failed[0].origin == f"{path}#3 <https://meridian.example/empty>"
    assert "no article text" in report.failed[0].reason


def _jsonl(*titles: str) -> bytes:
    return "".join(
        json.dumps({"title": t, "body": f"{t} body text.", "source": "Wire"}) + "\n" for t in titles
    ).encode()


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)],
)
def test_compressed_files_are_read_by_their_inner_name(tmp_path: Path, suffix, compress) -> None:
    path = tmp_path / f"wire.jsonl{suffix}"
    path.write_bytes(compress(_jsonl("One", "Two")))
    report = _index(tmp_path, tmp_path)
    assert report.added == 2 and not report.failed and not report.skipped


def test_zip_members_are_read_by_their_own_extension(tmp_path: Path) -> None:
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2015/wire.jsonl", _jsonl("One", "Two") + b"{broken\n")
        archive.writestr("2015/page.html", ARTICLE_HTML)
        archive.writestr("notes.txt.gz", gzip.compress(b"A note\n\nSome body."))
        archive.writestr("__MACOSX/._wire.jsonl", b"\x00\x05")
        archive.writestr("image.png", b"\x89PNG")
    report = _index(tmp_path, path)
    assert report.added == 4
    assert [f.origin for f in report.failed] == [f"{path}!2015/wire.jsonl:3"]
    # Members nobody can read are listed, not silently dropped (archiver leftovers excepted).
    assert [(s.origin, s.reason) for s in report.skipped] == [
        (f"{path}!image.png", "unsupported file type, not read")
    ]


def test_legacy_encodings_are_detected_not_mangled(tmp_path: Path) -> None:
    text = "Café society\n\nThe café’s “naïve” façade — déjà vu in Genève, said Zoë."
    (tmp_path / "cp1252.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "utf16.txt").write_bytes(text.replace("said Zoë", "wrote Chloë").encode("utf-16"))
    russian = "Новости\n\nПереговоры в Женеве возобновились во вторник, сообщили дипломаты."
    (tmp_path / "cp1251.txt").write_bytes(russian.encode("cp1251"))
    latin = [{"title": "Zürich vote", "body": "Bürger wählen heute; Straße gesperrt."}]
    (tmp_path / "latin1.jsonl").write_bytes(
        json.dumps(latin[0], ensure_ascii=False).encode("latin-1")
    )
    report = _index(tmp_path, tmp_path)
    assert report.added == 4 and not report.failed
    index = tmp_path / "index"
    from search.embedded.searching import search
    from search.results import SearchRequest

    assert search(index, SearchRequest("façade")).total == 2
    assert search(index, SearchRequest("Женеве")).total == 1
    assert search(index, SearchRequest("straße")).total == 1


def test_binary_data_is_not_taken_for_text() -> None:
    garbage = bytes(range(256)) * 8
    assert guess_encoding(garbage) is None
    with pytest.raises(ValueError, match="not text"):
        decode(garbage)


def test_format_option_forces_each_new_reader(invoke, tmp_path: Path) -> None:
    (tmp_path / "feed.dat").write_text(RSS, encoding="utf-8")
    (tmp_path / "page.dat").write_text(ARTICLE_HTML, encoding="utf-8")
    for name, fmt in (("feed.dat", "feed"), ("page.dat", "html")):
        result = invoke(
            "index", str(tmp_path / name), "--format", fmt, "--index", str(tmp_path / fmt)
        )
        assert result.exit_code == 0, result.stderr


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_fail_with_a_reason(raw: bytes) -> None:
    try:
        text = decode(raw)
    except Undecodable as exc:
        assert exc.line >= 1 and "byte 0x" in str(exc)
    else:
        assert isinstance(text, str)
