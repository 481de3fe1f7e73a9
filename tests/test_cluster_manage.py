"""Looking after a cluster index through ``byline``: stats as the embedded index gives them,
deleting by id, source or query (story rows too), checking, and merging segments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ARCHIVE, one_line_error, write_jsonl
from test_cluster_writing import (  # noqa: F401  (fixtures)
    _count,
    _story_rows,
    cluster_data_home,
    index_url,
)

from index.opensearch.connection import connect, parse_cluster_url
from index.opensearch.mapping import stories_index

pytestmark = pytest.mark.usefixtures("cluster_data_home")


@pytest.fixture
def indexed(invoke, index_url: str, archive_file: Path) -> str:  # noqa: F811
    assert invoke("index", str(archive_file), "--index", index_url).exit_code == 0
    return index_url


def _stats(invoke, index: str) -> dict:  # type: ignore[no-untyped-def]
    result = invoke("stats", "--index", index, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_stats_are_the_embedded_index_s(invoke, indexed: str, index_path: Path) -> None:
    cluster, embedded = _stats(invoke, indexed), _stats(invoke, str(index_path))
    assert cluster["size_bytes"] > 0 and cluster["segments"] >= 1
    for different in ("index", "size_bytes", "segments"):
        del cluster[different], embedded[different]
    assert cluster == embedded
    assert cluster["articles"] == len(ARCHIVE)


@pytest.mark.parametrize(
    ("selection", "gone"),
    [
        (["hill-1", "no-such-id"], {"hill-1"}),
        (["--source", "HARBOR CITY LEDGER"], {"ledger-1", "ledger-2"}),
        (["--query", "syria", "--until", "2015-12-31"], {"hill-1", "meridian-1"}),
    ],
)
def test_delete_as_the_embedded_index_does(
    invoke, indexed: str, index_path: Path, selection: list[str], gone: set[str]
) -> None:
    for index in (indexed, str(index_path)):
        result = invoke("delete", *selection, "--index", index, "--yes")
        assert result.exit_code == 0, result.output
        assert f"Deleted {len(gone)} article(s)." in result.stderr
    assert _count(indexed) == _story_rows(indexed) == len(ARCHIVE) - len(gone)
    assert _stats(invoke, indexed)["articles"] == _stats(invoke, str(index_path))["articles"]


def test_a_deleted_article_is_no_original_of_a_copy(invoke, indexed: str, tmp_path: Path) -> None:
    assert invoke("delete", "hill-1", "--index", indexed, "--yes").exit_code == 0
    hill = next(record for record in ARCHIVE if record["id"] == "hill-1")
    copy = write_jsonl(tmp_path / "copy.jsonl", [dict(hill, id="hill-copy")])
    result = invoke("index", str(copy), "--index", indexed, "--json")
    assert json.loads(result.stdout)["copies"] == []


def test_delete_mistakes_are_the_embedded_index_s(invoke, indexed: str, index_path: Path) -> None:
    for arguments in ([], ["hill-1", "--source", "The Hill"]):
        lines = {
            one_line_error(invoke("delete", *arguments, "--index", index, "--yes"), 2)
            for index in (indexed, str(index_path))
        }
        assert lines == {"Error: say what to delete: article ids, or --source, or --query"}
    assert _count(indexed) == len(ARCHIVE)


def test_check_finds_a_sound_index_sound(invoke, indexed: str) -> None:
    result = invoke("check", "--index", indexed, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["ok"], report["articles"], report["sampled"]) == (True, len(ARCHIVE), 5)


def test_check_lists_what_is_wrong(invoke, indexed: str) -> None:
    address = parse_cluster_url(indexed)
    client = connect(address)
    client.indices.put_mapping(index=address.index, body={"properties": {"x": {"type": "long"}}})
    client.indices.delete(index=stories_index(address.index))
    result = invoke("check", "--index", indexed, "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert len(problems) == 2
    assert "field 'x' is not in the template" in problems
    assert "story table" in problems[1]


def test_optimize_merges_segments_into_one(
    invoke, indexed: str, tmp_path: Path, index_path: Path
) -> None:
    more = write_jsonl(tmp_path / "more.jsonl", [dict(r, id=f"more-{r['id']}") for r in ARCHIVE])
    assert invoke("index", str(more), "--index", indexed).exit_code == 0
    assert invoke("delete", "hill-1", "--index", indexed, "--yes").exit_code == 0
    before = _stats(invoke, indexed)["segments"]
    assert before > 1
    result = invoke("optimize", "--index", indexed)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"Merged {before} segment(s) into 1."
    assert _stats(invoke, indexed)["articles"] == 2 * len(ARCHIVE) - 1
