"""show, stats and delete, through the CLI on a real index."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

import pytest
from conftest import write_jsonl

from index.embedded.store import writer_lock
from index.errors import IndexLocked
from index.pipeline.options import IngestOptions
from search.engine import open_engine


def test_show_prints_the_whole_article(invoke, index_path: Path) -> None:
    result = invoke("show", "hill-1", "--index", str(index_path))
    assert result.exit_code == 0
    assert result.stdout.startswith("Pentagon to begin talks with Russia over Syrian airspace\n")
    assert "lines of communication" in result.stdout
    as_json = json.loads(invoke("show", "meridian-1", "--index", str(index_path), "--json").stdout)
    assert as_json["authors"] == ["Ana Ruiz", "Tom Becker"]
    assert as_json["published"] == "2015-10-01T20:30:00+00:00"
    assert as_json["tags"] == ["Russia", "Syria"]


def test_rights_lines_are_kept_out_of_search_but_shown(invoke, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "Title here\n\nThe body mentions reuters once.\n\nCopyright 2015 Thomson Reuters. "
        "All rights reserved.\n",
        encoding="utf-8",
    )
    index = str(tmp_path / "ix")
    invoke("index", str(path), "--index", index)
    found = json.loads(invoke("search", "thomson", "--index", index, "--json").stdout)
    assert found["total"] == 0
    [article_id] = [
        h["id"]
        for h in json.loads(invoke("search", "reuters", "--index", index, "--json").stdout)["hits"]
    ]
    shown = json.loads(invoke("show", article_id, "--index", index, "--json").stdout)
    assert shown["rights"] == "Copyright 2015 Thomson Reuters. All rights reserved."
    assert shown["body"] == "The body mentions reuters once."


def test_stats(invoke, index_path: Path) -> None:
    data = json.loads(invoke("stats", "--index", str(index_path), "--json").stdout)
    assert data["articles"] == 5
    assert data["sources"] == 3
    assert data["earliest"].startswith("2014-07-04")
    assert data["latest"].startswith("2016-03-02")
    assert data["undated"] == 1
    assert data["size_bytes"] > 0
    assert data["top_sources"][0] == {"value": "Harbor City Ledger", "count": 2}
    text = invoke("stats", "--index", str(index_path)).stdout
    assert "Articles  5" in text and "(1 undated)" in text


def test_stats_of_an_index_written_in_several_commits(
    invoke, index_path: Path, tmp_path: Path
) -> None:
    later = write_jsonl(
        tmp_path / "later.jsonl",
        [{"id": "late-1", "title": "Later", "body": "A later article.", "published": "2017-01-02"}],
    )
    assert invoke("index", str(later), "--index", str(index_path)).exit_code == 0
    data = json.loads(invoke("stats", "--index", str(index_path), "--json").stdout)
    assert data["segments"] > 1
    assert data["earliest"].startswith("2014-07-04")
    assert data["latest"].startswith("2017-01-02")
    assert data["undated"] == 1


def test_delete_by_id_source_and_query(invoke, index_path: Path) -> None:
    index = str(index_path)
    asked = invoke("delete", "hill-1", "--index", index, input="n\n")
    assert asked.exit_code == 1 and "Delete 1 article(s)" in asked.stderr
    assert _total(invoke, index) == 5
    assert invoke("delete", "hill-1", "--index", index, input="y\n").exit_code == 0
    assert _total(invoke, index) == 4
    gone = invoke("delete", "--source", "harbor city ledger", "--index", index, "--yes")
    assert "Deleted 2 article(s)" in gone.stderr
    invoke("delete", "--query", "geneva", "--index", index, "--yes")
    assert _total(invoke, index) == 1
    nothing = invoke("delete", "nope", "--index", index, "--yes")
    assert nothing.exit_code == 0 and "Nothing to delete" in nothing.stderr
    vague = invoke("delete", "--index", index, "--yes")
    assert vague.exit_code == 2 and "say what to delete" in vague.stderr


def test_reindexing_replaces_instead_of_duplicating(invoke, index_path, archive_file) -> None:
    again = invoke("index", str(archive_file), "--index", str(index_path), "--force")
    assert "0 added, 5 replaced" in again.stderr
    assert _total(invoke, str(index_path)) == 5


def _total(invoke, index: str) -> int:
    return json.loads(invoke("search", "", "--index", index, "--json").stdout)["total"]


def _hold_lock(path: str, seconds: float, ready) -> None:  # runs in a child process
    with writer_lock(Path(path), wait=0):
        ready.set()
        time.sleep(seconds)


def test_a_second_writer_waits_then_gives_up_clearly(index_path: Path, archive_file: Path) -> None:
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(str(index_path), 3.0, ready))
    holder.start()
    try:
        assert ready.wait(10)
        started = time.monotonic()
        with pytest.raises(IndexLocked, match="another process is writing"):
            open_engine(index_path).ingest([str(archive_file)], IngestOptions(wait=0.5))
        assert time.monotonic() - started >= 0.5
        # Searching is not blocked by the writer.
        from search.embedded.searching import search
        from search.results import SearchRequest

        assert search(index_path, SearchRequest("syria")).total == 4
    finally:
        holder.join()
    # Once the holder is gone, writing works again.
    report = open_engine(index_path).ingest(
        [str(archive_file)], IngestOptions(wait=0.5, force=True)
    )
    assert report.replaced == 5


def test_a_killed_writer_leaves_no_stale_lock(index_path: Path, archive_file: Path) -> None:
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(str(index_path), 60.0, ready))
    holder.start()
    assert ready.wait(10)
    holder.kill()
    holder.join()
    report = open_engine(index_path).ingest([str(archive_file)], IngestOptions(wait=2, force=True))
    assert report.replaced == 5


def test_unchanged_files_are_not_read_again(invoke, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    first = folder / "a.jsonl"
    first.write_text('{"id": "1", "title": "One", "body": "first"}\n', encoding="utf-8")
    broken = folder / "b.jsonl"
    broken.write_text('{"id": "2", "title": "Two", "body": "b"}\n{bad\n', encoding="utf-8")
    index = str(tmp_path / "ix")
    assert "1 failed" in invoke("index", str(folder), "--index", index).stderr

    again = invoke("index", str(folder), "--index", index)
    # The clean file is skipped; the file with a failure is read (and reported) again.
    assert "0 added, 1 replaced" in again.stderr and "1 failed" in again.stderr
    assert "1 unchanged input(s)" in again.stderr

    os.utime(first, (1, 1))  # touched, same content: still unchanged
    assert "1 unchanged input(s)" in invoke("index", str(folder), "--index", index).stderr

    first.write_text('{"id": "1", "title": "One", "body": "first, edited"}\n', encoding="utf-8")
    changed = invoke("index", str(folder), "--index", index)
    assert "0 added, 2 replaced" in changed.stderr and "unchanged input" not in changed.stderr

    forced = invoke("index", str(folder), "--index", index, "--force")
    assert "0 added, 2 replaced" in forced.stderr
    other_options = invoke("index", str(folder), "--index", index, "--source", "Wire")
    assert "unchanged input" not in other_options.stderr
