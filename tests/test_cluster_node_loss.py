"""A node of a 2-node cluster dies (SIGKILL): an indexing run under way finishes or stops with a
clear error, and the same command again ends with exactly the expected count; an index with one
replica keeps answering searches with complete results.

Which node dies: the one that is not the elected cluster-manager. With two manager-eligible
nodes the voting configuration holds one of them, so a survivor that was not the manager cannot
elect itself and the cluster takes no more writes (cluster/README.md); losing the other node is
the failure a 2-node cluster survives. (Three manager-eligible nodes would survive either loss,
for a third JVM on a 2-core machine; the failure shown here is the one that matters to Byline.)
The test's own cluster, not the session's, since a node of it dies.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from cluster_fixture import index_url, running_cluster
from conftest import write_jsonl
from typer.testing import CliRunner

from search.cli.app import app
from search.opensearch.local_cluster import LocalNode, running_nodes

pytestmark = pytest.mark.cluster

# A run long enough to be still writing when the node dies (commits of BATCH articles); the
# index searched across the death holds the first file.
FILES, PER_FILE, BATCH = 4, 50, "10"
ARTICLES = FILES * PER_FILE
SOURCES = ["Wire Service", "The Hill", "Harbor City Ledger", "Northfield Courier"]
VOCABULARY = [f"{a}{b}{c}" for a in "bdgkmprst" for b in "aeiou" for c in "lnrs"]
# Searches whose answers must not change when a node dies: totals, facets and the first page.
SEARCHES = [["harbor"], ["council", "--source", "The Hill"], ["*", "--sort", "newest"]]


def write_articles(folder: Path) -> list[Path]:
    """``ARTICLES`` articles unlike one another (each its own story), a few words in common."""
    folder.mkdir()
    draw = random.Random(27)
    common = ["harbor", "council", "budget", "ferry"]
    return [
        write_jsonl(
            folder / f"part-{part}.jsonl",
            [
                {
                    "id": f"article-{part}-{n}",
                    "title": f"{draw.choice(common).title()} story {part}-{n}",
                    "body": " ".join(draw.choices(VOCABULARY, k=60)) + f" {draw.choice(common)}.",
                    "source": SOURCES[n % len(SOURCES)],
                    "published": f"20{10 + n % 10}-0{1 + n % 9}-1{n % 10}",
                }
                for n in range(PER_FILE)
            ],
        )
        for part in range(FILES)
    ]


def get(url: str):  # type: ignore[no-untyped-def]
    with urlopen(url, timeout=60) as answer:
        return json.load(answer)


@dataclass
class NodeLoss:
    """What happened around the death of a node."""

    cluster: str  # the survivor's base URL
    env: dict[str, str]
    files: list[Path]
    steady: str  # index written before the node died
    during: str  # index being written when it died
    lone: str  # index without replicas, a shard of it on the node that died
    before: list[tuple]  # the searches' answers before
    after: list[tuple]  # and after
    interrupted: subprocess.CompletedProcess[str]  # the run the node died under


def byline(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("byline")), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)


def search_answers(index: str) -> list[tuple]:
    """Each search's total, facets and first page of ids."""
    answers = []
    for search in SEARCHES:
        done = CliRunner().invoke(app, ["search", *search, "--index", index, "--json"])
        assert done.exit_code == 0, done.stderr
        found = json.loads(done.stdout)
        answers.append((found["total"], found["facets"], [hit["id"] for hit in found["hits"]]))
    return answers


def count(cluster: str, index: str) -> int:
    return get(f"{cluster}/{index}/_count")["count"]


def writing_begun(cluster: str, index: str) -> bool:
    """Whether the cluster has taken an article into the index (seen at once, unlike a count,
    which waits for a refresh)."""
    try:
        stats = get(f"{cluster}/{index}/_stats/indexing")
    except HTTPError as exc:
        if exc.code == 404:  # (not made yet)
            return False
        raise
    return stats["_all"]["primaries"]["indexing"]["index_total"] > 0


def primaries_on(cluster: str, index: str, node: LocalNode) -> int:
    shards = get(f"{cluster}/_cat/shards/{index}?format=json")
    return sum(1 for s in shards if s["prirep"] == "p" and s["node"] == node.name)


@pytest.fixture(scope="module")
def node_loss(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeLoss]:
    folder = tmp_path_factory.mktemp("node-loss")
    env = {**os.environ, "XDG_DATA_HOME": str(folder / "user-data")}  # (the runs' own ledgers)
    files = write_articles(folder / "articles")
    with running_cluster(folder / "cluster", nodes=2) as first:
        manager = get(f"{first}/_cat/cluster_manager?format=json")[0]["node"]
        [survivor] = [n for n in running_nodes(folder / "cluster") if n.name == manager]
        [victim] = [n for n in running_nodes(folder / "cluster") if n.name != manager]
        cluster = f"http://127.0.0.1:{survivor.http_port}"
        steady, during = index_url(cluster, "steady"), index_url(cluster, "during")
        lone = index_url(cluster, "lone")
        # (two shards with a replica each: each node holds a primary, so the death moves one)
        creating = ["--shards", "2", "--replicas", "1"]
        done = byline("index", *map(str, files[:1]), "--index", steady, *creating, env=env)
        assert done.returncode == 0, done.stderr
        get(f"{cluster}/_cluster/health/steady?wait_for_status=green&timeout=60s")
        assert primaries_on(cluster, "steady", victim) >= 1
        before = search_answers(steady)
        # (no replica: a shard of it dies with the node)
        alone = ["--shards", "2", "--replicas", "0"]
        done = byline("index", *map(str, files[:1]), "--index", lone, *alone, env=env)
        assert done.returncode == 0, done.stderr
        assert primaries_on(cluster, "lone", victim) >= 1

        run = subprocess.Popen(
            [str(Path(sys.executable).with_name("byline")), "index", *map(str, files),
             "--index", during, *creating, "--batch-size", BATCH],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        while not writing_begun(cluster, "during"):
            assert run.poll() is None, run.communicate()
            time.sleep(0.05)
        # (each shard copied to the other node first: a node dying before its new index has
        # a replica takes that part of the index with it, whatever the replica count says)
        copies = "during,during-stories"
        get(f"{cluster}/_cluster/health/{copies}?wait_for_status=green&timeout=60s")
        assert primaries_on(cluster, "during", victim) >= 1
        os.kill(victim.pid, signal.SIGKILL)
        after = search_answers(steady)  # (at once, while the cluster fails over)
        assert run.poll() is None, "the run ended before the node died: give it more articles"
        stdout, stderr = run.communicate(timeout=600)
        interrupted = subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr)
        yield NodeLoss(cluster, env, files, steady, during, lone, before, after, interrupted)


def test_searches_answer_completely_when_a_node_dies(node_loss: NodeLoss) -> None:
    assert all(total > 0 for total, _, _ in node_loss.before)
    assert node_loss.after == node_loss.before
    health = get(f"{node_loss.cluster}/_cluster/health/steady")
    assert health["number_of_nodes"] == 1 and health["status"] == "yellow"


def test_indexing_through_a_node_dying_then_again_ends_with_every_article(
    node_loss: NodeLoss,
) -> None:
    run = node_loss.interrupted
    assert "Traceback" not in run.stderr
    if run.returncode != 0:  # (a clear error: one line saying the same command goes on)
        errors = [line for line in run.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, run.stderr
    again = byline("index", *map(str, node_loss.files), "--index", node_loss.during,
                   env=node_loss.env)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert count(node_loss.cluster, "during") == ARTICLES


def test_an_index_that_lost_a_shard_says_so_rather_than_answering_in_part(
    node_loss: NodeLoss,
) -> None:
    for command in (["search", "harbor"], ["stats"], ["timeline", "harbor"]):
        done = byline(*command, "--index", node_loss.lone, env=node_loss.env)
        assert done.returncode == 1, done.stdout
        assert done.stderr.startswith("Error: 1 of 2 shards of the index did not answer"), (
            done.stderr
        )
        assert len(done.stderr.splitlines()) == 1
