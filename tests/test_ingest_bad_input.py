"""Bad input: each broken file or record is reported with where and why, and never stops the
rest of the run."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

from conftest import write_jsonl

from index.embedded.store import open_index
from index.pipeline.ingest import ingest
from index.pipeline.options import IngestOptions
from index.pipeline.preparing import WINDOW
from search.embedded.manage import get_article

GOOD = {"id": "good-1", "title": "Talks resume in Geneva", "body": "Diplomats met again."}


def _records(count: int, prefix: str) -> list[dict]:
    return [
        {"id": f"{prefix}-{n}", "title": f"Story {prefix} {n}", "body": f"Text of {prefix} {n}."}
        for n in range(count)
    ]


def _run(tmp_path: Path, folder: Path):
    write_jsonl(folder / "good.jsonl", [GOOD])
    index = tmp_path / "index"
    report = ingest([str(folder)], index, IngestOptions(batch_size=500))
    get_article(index, "good-1")  # the good file always made it
    return report, {f.origin: f.reason for f in report.failed}


def test_truncated_gzip_keeps_what_came_before(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    lines = "".join(json.dumps(r) + "\n" for r in _records(400, "gz")).encode()
    packed = gzip.compress(lines)
    (folder / "wire.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    report, failed = _run(tmp_path, folder)
    reason = failed.pop(str(folder / "wire.jsonl.gz"))
    assert "truncated or corrupt .gz data" in reason
    assert len(failed) <= 1  # besides the file itself, at most the line cut in half
    assert 50 < report.added < 401  # what came before the damage is indexed


def test_invalid_utf8_is_reported_per_line_or_file_not_mangled(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = json.dumps({"id": "café", "title": "Café", "body": "Zoë’s café."}, ensure_ascii=False)
    good = good.encode()
    bad = b'{"id": "bad", "title": "Broken \xff\xfe bytes", "body": "x"}'
    (folder / "mixed.jsonl").write_bytes(good + b"\n" + bad + b"\n" + good.replace(b"caf", b"tea"))
    (folder / "broken.txt").write_bytes("Headline – ok\n\nBody with é and ".encode() + b"\xc3(")
    report, failed = _run(tmp_path, folder)
    assert failed[f"{folder / 'mixed.jsonl'}:2"] == "not UTF-8 text (byte 0xff)"
    broken = str(folder / "broken.txt")
    assert failed[f"{broken}:3"] == "damaged UTF-8 text (byte 0xc3 at offset 34)"
    assert get_article(tmp_path / "index", "café").body == "Zoë’s café."  # not mojibake
    assert report.added == 3


def test_html_without_article_text(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "login.html").write_text(
        "<html><head><title>Log in</title></head><body><form><input name=user>"
        "<button>Log in</button></form></body></html>",
        encoding="utf-8",
    )
    _, failed = _run(tmp_path, folder)
    assert failed == {str(folder / "login.html"): "no article text found in the page"}


def test_feed_with_broken_entries(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "wire.rss").write_text(
        """<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
        <item><title>Good entry</title><description>Fine text.</description>
        <pubDate>not a date at all</pubDate></item>
        <item><link>https://wire.example/empty</link></item>
        <item><title>Unclosed & broken <b>markup</title><description>Still readable.
        </channel></rss>""",
        encoding="utf-8",
    )
    (folder / "garbage.rss").write_bytes(b"\x00\x01\x02 this is not xml at all")
    report, failed = _run(tmp_path, folder)
    assert failed[f"{folder / 'wire.rss'}:entry 2"].startswith("no title or body")
    assert failed[str(folder / "garbage.rss")].startswith("not a readable feed")
    assert [w.origin for w in report.warnings] == [f"{folder / 'wire.rss'}:entry 1"]
    assert report.added >= 2


def test_fifty_megabyte_single_line_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    size = 50 * 1024 * 1024
    (folder / "huge.jsonl").write_bytes(b'{"title": "Huge", "body": "' + b"a" * size + b'"}')
    (folder / "huge.txt").write_bytes(b"word " * (size // 5))
    _, failed = _run(tmp_path, folder)
    assert "over the 16 MiB record limit" in failed[f"{folder / 'huge.jsonl'}:1"]
    assert "over the 10,000,000 limit for one article" in failed[str(folder / "huge.txt")]


def test_binary_garbage_named_json(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "photo.json").write_bytes(bytes(range(256)) * 64)
    _, failed = _run(tmp_path, folder)
    [reason] = [why for where, why in failed.items() if where.startswith(str(folder / "photo"))]
    assert "not text in any known encoding" in reason


def test_csv_with_ragged_rows(tmp_path: Path, invoke) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "wire.csv").write_text(
        "id,title,body,source\n"
        "c1,Oil prices climb,Traders weighed the conflict.,Ledger\n"
        "c2,Too short\n"
        "c3,Too long,Body,Ledger,extra,cells\n"
        'c4,"Quoted, with comma","Body ""with"" quotes",Ledger\n',
        encoding="utf-8",
    )
    write_jsonl(folder / "good.jsonl", [GOOD])
    result = invoke("index", str(folder), "--index", str(tmp_path / "index"))
    assert result.exit_code == 3
    stderr = " ".join(result.stderr.split())
    assert "3 added" in stderr and "2 failed" in stderr
    assert f"{folder / 'wire.csv'}:3: row has 2 fields, header has 4" in stderr
    assert f"{folder / 'wire.csv'}:4: row has 6 fields, header has 4" in stderr


def test_a_long_input_prepared_by_helper_processes_reports_and_indexes_as_one_process(
    tmp_path: Path,
) -> None:
    # Longer than a window, so helper processes clean and fingerprint its records.
    rng = random.Random(3)
    words = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe") for b in range(50)]
    records: list[object] = [
        {"id": f"long-{n}", "title": f"Story {n}", "body": " ".join(rng.choices(words, k=30))}
        for n in range(3 * WINDOW)
    ]
    records[10] = {"id": "no-text", "title": "", "body": ""}
    records[WINDOW + 3] = {"id": "bad-date", "title": "Dated", "body": "Text.", "published": "x"}
    records[2 * WINDOW + 7] = records[5] | {"id": "copy-of-5"}
    path = tmp_path / "long.jsonl"
    write_jsonl(path, records)
    lines = path.read_text().splitlines()
    lines[WINDOW + 20] = "{not json"
    path.write_text("\n".join(lines) + "\n")
    reports, stored = [], []
    for procs in (1, 2):
        index = tmp_path / f"index-{procs}"
        report = ingest([str(path)], index, IngestOptions(procs=procs))
        reports.append(
            (report.added, len(report.copies), report.failed, report.warnings, report.skipped)
        )
        with open_index(index).searcher() as searcher:
            stored.append([(f["id"], f["body"]) for f in searcher.all_stored_fields()])
    assert reports[1] == reports[0] and stored[1] == stored[0]
    added, copies, failed, warnings, _ = reports[0]
    assert (added, copies) == (3 * WINDOW - 2, 1)
    assert [f.origin for f in failed] == [f"{path}:11", f"{path}:{WINDOW + 21}"]
    assert [w.origin for w in warnings] == [f"{path}:{WINDOW + 4}"]
