"""Every reader and field alias, on real files, through ``ingest`` and the stored articles."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import write_jsonl

from index.enrich.fields import ALIASES, FieldMapping
from index.errors import IngestError
from index.pipeline.options import IngestOptions
from search.embedded.manage import get_article
from search.engine import open_engine


def _index(tmp_path: Path, *paths: Path, **options) -> tuple:
    index = tmp_path / "ix"
    report = open_engine(index).ingest([str(p) for p in paths], IngestOptions(**options))
    return index, report


def test_text_file_with_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "---\nsource: The Hill\npublished: 2015-09-29\nauthors:\n  - Kristina Wong\n"
        "tags: [Pentagon, 'Russia']\nid: hill-1\n---\n\nPentagon talks\n\nFirst paragraph.\n\n"
        "Second   paragraph.\n",
        encoding="utf-8",
    )
    index, report = _index(tmp_path, path)
    assert (report.added, report.failed) == (1, [])
    article = get_article(index, "hill-1")
    assert article.title == "Pentagon talks"
    assert article.body == "First paragraph.\n\nSecond paragraph."
    assert article.source == "The Hill"
    assert article.authors == ["Kristina Wong"]
    assert article.tags == ["Pentagon", "Russia"]
    assert article.published.isoformat() == "2015-09-29"


def test_markdown_title_loses_its_hashes(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# Big news\n\nBody text here.\n", encoding="utf-8")
    index, report = _index(tmp_path, path)
    assert report.added == 1
    (article_id,) = _ids(index)
    assert get_article(index, article_id).title == "Big news"


def test_unclosed_front_matter_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("---\nsource: X\nTitle\nbody\n", encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("Good title\nGood body\n", encoding="utf-8")
    _, report = _index(tmp_path, bad, good)
    assert report.added == 1
    [failure] = report.failed
    assert failure.origin == f"{bad}:3"
    assert "key: value" in failure.reason


def test_json_object_list_and_container(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"headline": "H1", "content": "c1", "site_name": "S1"}))
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"title": "T2", "text": "b2"}, 7, {"title": "T3", "body": "b3"}]))
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"articles": [{"title": "T4", "body": "b4"}]}))
    index, report = _index(tmp_path, one, many, wrapped)
    assert report.added == 4
    assert [(f.origin, f.reason) for f in report.failed] == [
        (f"{many}[2]", "expected an object, got int")
    ]
    titles = sorted(get_article(index, i).title for i in _ids(index))
    assert titles == ["H1", "T2", "T3", "T4"]


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson"])
def test_jsonl_bad_lines_are_reported_and_the_rest_indexed(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"a{suffix}"
    path.write_bytes(
        b'{"title": "one \xe2\x80\x93 Zo\xc3\xab", "body": "b"}\n'
        b"\n"
        b"{not json\n"
        b'"a string"\n'
        b'{"title": "caf\xe9 latin-1", "body": "x"}\n'
        b'{"title": "two", "body": "b"}\n'
    )
    _, report = _index(tmp_path, path)
    assert report.added == 2
    assert [f.origin for f in report.failed] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    assert "invalid JSON" in report.failed[0].reason
    assert "expected a JSON object" in report.failed[1].reason
    assert "not UTF-8" in report.failed[2].reason


def test_csv_with_aliases_ragged_rows_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "headline,text,publisher,byline,pubdate,link,category\n"
        'First,"Line one\nline two",Reuters,"By A and B",2015-09-29,https://r.example/1,World\n'
        "Ragged,row,with,too,many,fields,here,extra\n"
        "Third,body,AP,C,2016-01-01,https://ap.example/3,US\n",
        encoding="utf-8",
    )
    index, report = _index(tmp_path, path)
    assert report.added == 2
    [failure] = report.failed
    assert failure.origin == f"{path}:4"
    assert "8 fields, header has 7" in failure.reason
    first = get_article(index, "https://r.example/1")
    assert (first.title, first.source, first.section) == ("First", "Reuters", "World")
    assert first.authors == ["A", "B"]
    assert first.body == "Line one\nline two"


def test_smart_collection_keeps_document_numbers(tmp_path: Path) -> None:
    path = tmp_path / "cran.all.1400"
    path.write_text(
        ".I 1\n.T\nexperimental investigation\nof the aerodynamics\n"
        ".A\nbrenner,w.c. and wright,d.\n"
        ".B\nj. ae. scs. 25, 1958\n.W\nexperimental investigation of the wing\n"
        ".I 2\n.T\nsimple shear flow\n.W\nsimple shear flow past a flat plate\n",
        encoding="utf-8",
    )
    index, report = _index(tmp_path, path)  # recognised by its first bytes
    assert report.added == 2
    first = get_article(index, "1")
    assert first.title == "experimental investigation of the aerodynamics"
    assert first.authors == ["brenner,w.c.", "wright,d."]
    assert first.body == "experimental investigation of the wing"


def test_format_option_forces_a_reader(tmp_path: Path) -> None:
    path = tmp_path / "dump.data"
    path.write_text('{"title": "forced", "body": "x"}\n', encoding="utf-8")
    with pytest.raises(IngestError, match=r"nothing to index: .*use --format"):
        _index(tmp_path, path)
    _, report = _index(tmp_path, path, format="jsonl")
    assert report.added == 1


def test_folders_are_walked_and_unsupported_files_skipped(tmp_path: Path) -> None:
    root = tmp_path / "news"
    (root / "2015" / "09").mkdir(parents=True)
    (root / "2015" / "09" / "a.txt").write_text("A title\nA body\n", encoding="utf-8")
    (root / "b.jsonl").write_text('{"title": "B", "body": "b"}\n', encoding="utf-8")
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (root / "README.md").write_text("# About this dump\n", encoding="utf-8")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "c.txt").write_text("Hidden\nbody\n", encoding="utf-8")
    _, report = _index(tmp_path, root)
    assert report.added == 2
    assert sorted(Path(s.origin).name for s in report.skipped) == ["README.md", "photo.jpg"]
    assert report.failed == []


def test_missing_path_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text("T\nB\n", encoding="utf-8")
    _, report = _index(tmp_path, tmp_path / "nope.txt", good)
    assert report.added == 1
    assert report.failed[0].reason == "no such file or folder"


def test_field_option_and_defaults_fill_what_records_lack(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"id": "1", "title": "T", "article_text": "mapped body", "source": "Own"}\n'
        '{"id": "2", "title": "T2", "article_text": "other"}\n',
        encoding="utf-8",
    )
    mapping = FieldMapping.parse(["body=article_text"], {"source": "Fallback", "section": "Wire"})
    index, report = _index(tmp_path, path, mapping=mapping)
    assert report.added == 2
    assert get_article(index, "1").body == "mapped body"
    assert get_article(index, "1").source == "Own"
    assert get_article(index, "2").source == "Fallback"
    assert get_article(index, "2").section == "Wire"


def test_ids_fall_back_to_url_then_content_hash(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"title": "With URL", "body": "b", "url": "https://x.example/1"}\n'
        '{"title": "No URL", "body": "same   text"}\n',
        encoding="utf-8",
    )
    index, _ = _index(tmp_path, path)
    ids = _ids(index)
    assert "https://x.example/1" in ids
    hashed = [i for i in ids if i.startswith("sha1:")]
    assert len(hashed) == 1
    # The same text with other spacing is the same article: replaced, not duplicated.
    again = tmp_path / "b.jsonl"
    again.write_text('{"title": "No URL", "body": "same text"}\n', encoding="utf-8")
    report = open_engine(index).ingest([str(again)], IngestOptions())
    assert (report.added, report.replaced) == (0, 1)


def test_stdin_is_read_as_jsonl(invoke, tmp_path: Path) -> None:
    data = '{"title": "From a pipe", "body": "piped body"}\n'
    result = invoke("index", "-", "--index", str(tmp_path / "ix"), input=data)
    assert result.exit_code == 0, result.stderr
    assert "1 added" in result.stderr


def test_record_without_title_or_body_fails(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"source": "X"}\n', encoding="utf-8")
    _, report = _index(tmp_path, path)
    assert report.added == 0
    assert "no title or body" in report.failed[0].reason


def test_binary_garbage_named_json_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "garbage.json"
    path.write_bytes(gzip.compress(b"not really json"))
    _, report = _index(tmp_path, path)
    assert report.added == 0
    assert report.failed[0].origin.startswith(str(path))


def _ids(index: Path) -> list[str]:
    from index.embedded.store import open_index

    with open_index(index).searcher() as searcher:
        return [fields["id"] for fields in searcher.all_stored_fields()]


_ALIAS_VALUES = {
    "id": "given-id",
    "title": "Alias title",
    "body": "Alias body text",
    "source": "Alias Source",
    "authors": "Alias Author",
    "published": "2015-09-29",
    "url": "https://alias.example/a",
    "section": "Alias Section",
    "tags": "alpha, beta",
    "rights": "Copyright Alias",
}


@pytest.mark.parametrize(
    ("field", "alias"), [(field, alias) for field, names in ALIASES.items() for alias in names]
)
def test_every_field_alias(tmp_path: Path, field: str, alias: str) -> None:
    record = {"id": "x", "title": "T", "body": "B"}
    record = {k: v for k, v in record.items() if k not in ALIASES[field]}
    record[alias.upper() if alias == "headline" else alias] = _ALIAS_VALUES[field]
    path = write_jsonl(tmp_path / "a.jsonl", [record])
    index, report = _index(tmp_path, path)
    assert report.added == 1, report.failed
    article = get_article(index, "given-id" if field == "id" else "x")
    expected = {
        "authors": ["Alias Author"],
        "tags": ["alpha", "beta"],
        "published": date(2015, 9, 29),
    }.get(field, _ALIAS_VALUES[field])
    assert getattr(article, field) == expected


def test_cli_defaults_fill_only_what_is_missing(invoke, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {
                "id": "1",
                "title": "Has all",
                "body": "b",
                "source": "Own",
                "author": "Own A",
                "section": "Own S",
            },
            {"id": "2", "title": "Has none", "body": "b"},
        ],
    )
    index = str(tmp_path / "ix")
    result = invoke(
        "index",
        str(path),
        "--index",
        index,
        "--source",
        "Wire",
        "--author",
        "Dana Holt",
        "--section",
        "World",
    )
    assert result.exit_code == 0
    full = json.loads(invoke("show", "1", "--index", index, "--json").stdout)
    bare = json.loads(invoke("show", "2", "--index", index, "--json").stdout)
    assert (full["source"], full["authors"], full["section"]) == ("Own", ["Own A"], "Own S")
    assert (bare["source"], bare["authors"], bare["section"]) == ("Wire", ["Dana Holt"], "World")
