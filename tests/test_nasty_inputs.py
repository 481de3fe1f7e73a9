"""Regression fixtures of nasty real-world input: exactly what is indexed and what is reported."""

from __future__ import annotations

import json
from pathlib import Path

from index.embedded.store import open_index
from index.pipeline.options import IngestOptions
from search.engine import open_engine

NASTY = Path(__file__).resolve().parent / "fixtures" / "nasty"


def _stored(index: Path) -> dict[str, dict]:
    with open_index(index).searcher() as searcher:
        return {fields["id"]: fields for fields in searcher.all_stored_fields()}


def test_nasty_fixtures(tmp_path: Path) -> None:
    report = open_engine(tmp_path / "ix").ingest([str(NASTY)], IngestOptions())
    stored = _stored(tmp_path / "ix")
    assert sorted(i for i in stored if not i.startswith("sha1:")) == [
        "bom-1",
        "bom-csv-1",
        "csv-1",
        "mixed-1",
        "newlines-1",
        "nul-1",
    ]
    # Latin-1 is recognised and decoded, not mangled and not refused.
    assert [f["title"] for i, f in stored.items() if i.startswith("sha1:")] == ["Café title"]
    assert stored["bom-csv-1"]["title"] == "BOM header"  # the BOM did not stick to "id"
    assert stored["csv-1"]["title"] == 'Quotes "inside" the title'
    assert stored["csv-1"]["body"] == "Body with\nan embedded newline, and a comma"
    assert stored["newlines-1"]["body"] == (
        "First line CRLF.\nSecond line CR only.\nThird line LF.\nEnd."
    )
    assert stored["newlines-1"]["source"] == "Line Endings Weekly"
    assert stored["nul-1"]["title"] == "Escaped NUL inside"
    failed = {Path(f.origin).name: f.reason for f in report.failed}
    assert failed == {
        "array-of-mixed.json[2]": "expected an object, got NoneType",
        "array-of-mixed.json[3]": "expected an object, got list",
        "array-of-mixed.json[4]": failed["array-of-mixed.json[4]"],
        "embedded.csv:4": "row has 2 fields, header has 4",
        "empty.txt": failed["empty.txt"],
        "front-matter-only.txt": failed["front-matter-only.txt"],
        "not-an-object.json": "expected a JSON object or list, got str",
        "nul-bytes.jsonl:2": failed["nul-bytes.jsonl:2"],
        "whitespace-only.md": failed["whitespace-only.md"],
    }
    assert all(
        failed[name].startswith("no title or body")
        for name in (
            "array-of-mixed.json[4]",
            "empty.txt",
            "front-matter-only.txt",
            "whitespace-only.md",
        )
    )
    assert failed["nul-bytes.jsonl:2"].startswith("invalid JSON")
    assert [Path(s.origin).name for s in report.skipped] == ["README.md"]


def test_ten_megabyte_lines(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    body = "word " * 1_990_000 + "needle"  # ~10 MB, under the 10,000,000-character limit
    big.write_text(
        json.dumps({"id": "big", "title": "Huge", "body": body})
        + "\n"
        + "x" * 10_000_000
        + "\n"
        + json.dumps({"id": "after", "title": "After the garbage", "body": "still read"})
        + "\n",
        encoding="utf-8",
    )
    report = open_engine(tmp_path / "ix").ingest([str(big)], IngestOptions())
    assert report.added == 2
    assert [f.origin for f in report.failed] == [f"{big}:2"]
    stored = _stored(tmp_path / "ix")
    assert stored["big"]["body"].endswith("needle")


def test_deeply_nested_json(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    lines = tmp_path / "deep.jsonl"
    lines.write_text(
        '{"a":' * 100_000 + "1" + "}" * 100_000 + "\n" + '{"title": "fine", "body": "b"}\n',
        encoding="utf-8",
    )
    report = open_engine(tmp_path / "ix").ingest([str(deep), str(lines)], IngestOptions())
    assert report.added == 1
    assert {f.origin: f.reason for f in report.failed} == {
        str(deep): "invalid JSON: nested too deeply",
        f"{lines}:1": "invalid JSON: nested too deeply",
    }
