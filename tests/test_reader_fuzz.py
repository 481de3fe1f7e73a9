"""Property: every article handed to a reader is either indexed or reported, never dropped."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from index.pipeline.ingest import ingest
from index.pipeline.options import IngestOptions

_line = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=30
)
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
_date = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "2015-09-29",
            "2015-02-30",
            "yesterday",
            "1443535500",
            "Tue, 29 Sep 2015 14:05:00 +0000",
            "",
            "2015-09-29T25:00:00",
        ]
    ),
)
_articles = st.lists(
    st.fixed_dictionaries(
        {"title": _line, "body": _text, "source": _line, "author": _line, "date": _date}
    ),
    min_size=1,
    max_size=8,
)


def _jsonl(articles: list[dict]) -> dict[str, bytes]:
    return {"a.jsonl": "".join(json.dumps(a) + "\n" for a in articles).encode()}


def _json(articles: list[dict]) -> dict[str, bytes]:
    return {"a.json": json.dumps(articles).encode()}


def _csv(articles: list[dict]) -> dict[str, bytes]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(articles[0]))
    writer.writeheader()
    writer.writerows({k: v or "" for k, v in a.items()} for a in articles)
    return {"a.csv": out.getvalue().encode()}


def _text_files(articles: list[dict]) -> dict[str, bytes]:
    files = {}
    for number, a in enumerate(articles):
        meta = "".join(
            f"{key}: {json.dumps(a[key])}\n" for key in ("source", "author", "date") if a[key]
        )
        files[f"{number}.txt"] = f"---\n{meta}---\n{a['title']}\n{a['body']}\n".encode()
    return files


def _smart(articles: list[dict]) -> dict[str, bytes]:
    def safe(text: str) -> str:  # a line starting with "." is a SMART field marker
        return "\n".join(line for line in text.splitlines() if not line.startswith("."))

    docs = "".join(
        f".I {n}\n.T\n{safe(a['title'])}\n.A\n{safe(a['author'])}\n.W\n{safe(a['body'])}\n"
        for n, a in enumerate(articles, 1)
    )
    return {"collection.all": docs.encode()}


def _check(files: dict[str, bytes], expected: int, format_name: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        for name, data in files.items():
            (root / "in" / name).write_bytes(data)
        report = ingest([str(root / "in")], root / "ix", IngestOptions(format=format_name))
    assert report.skipped == []
    # Exact copies of another article are indexed too (and grouped with it).
    assert report.committed + len(report.failed) == expected, report.failed
    assert all(f.origin and f.reason for f in report.failed)


@settings(max_examples=60, deadline=None)
@given(_articles)
def test_jsonl(articles: list[dict]) -> None:
    _check(_jsonl(articles), len(articles))


@settings(max_examples=60, deadline=None)
@given(_articles)
def test_json(articles: list[dict]) -> None:
    _check(_json(articles), len(articles))


@settings(max_examples=60, deadline=None)
@given(_articles)
def test_csv(articles: list[dict]) -> None:
    _check(_csv(articles), len(articles))


@settings(max_examples=60, deadline=None)
@given(_articles)
def test_front_matter_text(articles: list[dict]) -> None:
    _check(_text_files(articles), len(articles))


@settings(max_examples=60, deadline=None)
@given(_articles)
def test_smart(articles: list[dict]) -> None:
    _check(_smart(articles), len(articles), format_name="smart")
