"""Indexing into a real OpenSearch cluster: the index made from the template, re-runs that add
nothing, articles the cluster refuses reported one by one, busy clusters waited for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cluster_fixture import index_url as cluster_index_url
from conftest import ARCHIVE, write_jsonl
from test_ingest_dedup import RECORDS as DEDUP_RECORDS

from index.opensearch import bulk
from index.opensearch.connection import connect, parse_cluster_url
from index.opensearch.mapping import index_body, stories_index
from index.opensearch.writing import OpenSearchTarget
from index.pipeline.ingest import ingest
from index.pipeline.options import IngestOptions

pytestmark = pytest.mark.usefixtures("cluster_data_home")


@pytest.fixture
def cluster_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's local tables (the inputs ledger) in a folder of the test's own."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def index_url(cluster_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh index on the test cluster, deleted afterwards."""
    name = "t-" + request.node.name.lower().replace("[", "-").replace("]", "").replace("_", "-")
    url = cluster_index_url(cluster_url, name)
    client = connect(parse_cluster_url(url))
    client.indices.delete(index=f"{name}*", ignore_unavailable=True)
    yield url
    client.indices.delete(index=f"{name}*", ignore_unavailable=True)


def _count(url: str) -> int:
    """Documents a search sees now (no refresh of our own: the run must have made them
    visible)."""
    address = parse_cluster_url(url)
    return connect(address).count(index=address.index)["count"]


def test_index_creates_the_index_and_a_rerun_adds_nothing(
    invoke, index_url: str, archive_file: Path
) -> None:
    result = invoke("index", str(archive_file), "--index", index_url, "--shards", "2")
    assert result.exit_code == 0, result.output
    assert f"Indexed {len(ARCHIVE)} article(s)" in result.stderr
    assert _count(index_url) == len(ARCHIVE)
    address = parse_cluster_url(index_url)
    settings = connect(address).indices.get_settings(index=address.index)
    assert settings[address.index]["settings"]["index"]["number_of_shards"] == "2"

    again = invoke("index", str(archive_file), "--index", index_url)
    assert again.exit_code == 0
    assert "1 unchanged input(s) not read again" in again.stderr
    forced = invoke("index", str(archive_file), "--index", index_url, "--force")
    assert f"0 added, {len(ARCHIVE)} replaced" in forced.stderr
    assert _count(index_url) == len(ARCHIVE)


def test_shards_are_refused_for_a_folder_index(invoke, tmp_path: Path, archive_file: Path) -> None:
    result = invoke("index", str(archive_file), "--index", str(tmp_path / "ix"), "--replicas", "1")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: --shards and --replicas lay out a cluster index; {tmp_path / 'ix'} is a folder"
    ]


def test_an_index_of_another_template_is_refused(
    invoke, index_url: str, archive_file: Path
) -> None:
    address = parse_cluster_url(index_url)
    body = index_body()
    body["mappings"]["_meta"]["byline_template"] = 99
    connect(address).indices.create(index=address.index, body=body)
    result = invoke("index", str(archive_file), "--index", index_url)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "made with template version 99" in line
    assert _count(index_url) == 0


def test_articles_the_cluster_refuses_are_reported_each_with_its_reason(
    invoke, index_url: str, tmp_path: Path
) -> None:
    # A source longer than a keyword term may be: the cluster refuses that article only.
    records = [dict(record) for record in ARCHIVE]
    records[1]["source"] = "Wire " * 7_000
    path = write_jsonl(tmp_path / "refused.jsonl", records)
    result = invoke("index", str(path), "--index", index_url, "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    (failed,) = report["failed"]
    assert failed["origin"] == f"article {records[1]['id']}"
    assert "immense term" in failed["reason"]
    assert _count(index_url) == len(ARCHIVE) - 1
    # The file holds an article not committed: it is read again next time, not skipped.
    again = invoke("index", str(path), "--index", index_url)
    assert "unchanged" not in again.stderr
    assert f"0 added, {len(ARCHIVE) - 1} replaced" in again.stderr


def _block_writes(url: str, blocked: bool) -> None:
    """The flood-stage block a full disk sets: the cluster answers writes with 429."""
    address = parse_cluster_url(url)
    connect(address).indices.put_settings(
        index=address.index,
        body={"index.blocks.read_only_allow_delete": True if blocked else None},
    )


def test_a_busy_cluster_is_waited_for(invoke, index_url: str, archive_file: Path) -> None:
    assert invoke("index", str(archive_file), "--index", index_url).exit_code == 0
    _block_writes(index_url, True)
    lifted = threading.Timer(1.0, _block_writes, (index_url, False))
    lifted.start()
    started = time.monotonic()
    result = invoke("index", str(archive_file), "--index", index_url, "--force")
    lifted.join()
    assert result.exit_code == 0, result.output
    assert f"0 added, {len(ARCHIVE)} replaced" in result.stderr
    assert time.monotonic() - started >= 1.0


def test_a_cluster_busy_for_too_long_stops_the_run_with_one_line(
    invoke, index_url: str, archive_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BACKOFF_SECONDS", 0.01)
    assert invoke("index", str(archive_file), "--index", index_url).exit_code == 0
    more = write_jsonl(tmp_path / "more.jsonl", [dict(r, id=f"more-{r['id']}") for r in ARCHIVE])
    _block_writes(index_url, True)
    try:
        result = invoke("index", str(more), "--index", index_url)
    finally:
        _block_writes(index_url, False)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "too busy" in line and "not counted as committed" in line
    # Nothing of it was counted: the file is read again next time.
    again = invoke("index", str(more), "--index", index_url)
    assert f"{len(ARCHIVE)} added, 0 replaced" in again.stderr
    assert _count(index_url) == 2 * len(ARCHIVE)


def test_ingest_writes_to_a_cluster_target(index_url: str, archive_file: Path) -> None:
    target = OpenSearchTarget(parse_cluster_url(index_url))
    report = ingest([str(archive_file)], target, IngestOptions(batch_size=2))
    assert (report.added, report.replaced) == (len(ARCHIVE), 0)
    assert _count(index_url) == len(ARCHIVE)


def _stories(url: str) -> dict[str, str]:
    """Each article's story key, as the cluster holds it."""
    address = parse_cluster_url(url)
    hits = connect(address).search(index=address.index, body={"size": 100, "_source": ["story"]})
    return {hit["_id"]: hit["_source"]["story"] for hit in hits["hits"]["hits"]}


def _story_rows(url: str) -> int:
    address = parse_cluster_url(url)
    return connect(address).count(index=stories_index(address.index))["count"]


def test_writers_on_two_machines_group_one_syndicated_story(
    invoke, index_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_id = {record["id"]: record for record in DEDUP_RECORDS}
    first = write_jsonl(tmp_path / "first.jsonl", [by_id["reuters-1"], by_id["meridian-1"]])
    # A near copy (another outlet's edit of the wire), an exact copy, an unrelated article.
    hill_copy = dict(by_id["hill-1"], id="hill-copy")
    second = write_jsonl(
        tmp_path / "second.jsonl",
        [by_id["hill-1"], by_id["yahoo-1"], by_id["ledger-1"], hill_copy],
    )
    # One writer is a byline process on "another machine": a data folder of its own.
    env = os.environ | {"XDG_DATA_HOME": str(tmp_path / "machine-one")}
    command = [sys.executable, "-m", "search", "index", str(first), "--index", index_url]
    subprocess.run(command, env=env, check=True, capture_output=True)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "machine-two"))
    # (A commit after each article: the run's own rows are found before and after they go.)
    result = invoke("index", str(second), "--index", index_url, "--json", "--batch-size", "1")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["copies"] == [
        {"id": "yahoo-1", "copy_of": "reuters-1"},
        {"id": "hill-copy", "copy_of": "hill-1"},
    ]

    stories = _stories(index_url)
    assert stories["hill-1"] == stories["yahoo-1"] == stories["reuters-1"] == stories["hill-copy"]
    assert len({stories["reuters-1"], stories["meridian-1"], stories["ledger-1"]}) == 3

    # Both again, every file read anew: nothing added, the same stories.
    subprocess.run([*command, "--force"], env=env, check=True, capture_output=True)
    again = invoke("index", str(second), "--index", index_url, "--force")
    assert "0 added, 4 replaced" in again.stderr
    assert _count(index_url) == _story_rows(index_url) == len(DEDUP_RECORDS) + 1
    assert _stories(index_url) == stories
