"""Indexing into a real OpenSearch cluster: the index made from the template, re-runs that add
nothing, articles the cluster refuses reported one by one, busy clusters waited for."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ARCHIVE, write_jsonl

from index.opensearch import writing
from index.opensearch.connection import connect, parse_cluster_url
from index.opensearch.mapping import index_body
from index.opensearch.writing import OpenSearchTarget
from index.pipeline.ingest import ingest
from index.pipeline.options import IngestOptions

pytestmark = pytest.mark.usefixtures("cluster_data_home")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real one-node cluster (until the shared fixture of cluster-launch lands)."""
    if os.environ.get("BYLINE_TEST_CLUSTER_URL"):
        yield os.environ["BYLINE_TEST_CLUSTER_URL"]
        return
    home = tmp_path_factory.mktemp("node")
    node = subprocess.Popen(
        [
            str(ROOT / "cluster" / "node.sh"),
            "--home",
            str(home),
            "--http-port",
            "19236",
            "--transport-port",
            "19336",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"HEAP": "256m"},
    )
    assert node.stdout is not None
    for line in node.stdout:
        if line.startswith("READY "):
            break
    try:
        yield line.split()[1]
    finally:
        node.terminate()
        node.wait(30)


@pytest.fixture
def cluster_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's local tables (the inputs ledger) in a folder of the test's own."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def index_url(cluster_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh index on the test cluster, deleted afterwards."""
    host = cluster_url.split("://", 1)[1]
    name = "t-" + request.node.name.lower().replace("[", "-").replace("]", "").replace("_", "-")
    url = f"opensearch://{host}/{name}"
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
    monkeypatch.setattr(writing, "BACKOFF_SECONDS", 0.01)
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
    assert target.holds(ARCHIVE[0]["id"])
    assert not target.holds("no-such-article")
    assert _count(index_url) == len(ARCHIVE)
