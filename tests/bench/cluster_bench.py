"""Byline embedded beside Byline on a local 2-node OpenSearch cluster: indexing and queries.

Run by hand (not collected by pytest), from the project root with Byline installed with the
``cluster`` extra, Java 17+ and Maven:

    python tests/bench/cluster_bench.py --articles 20000
    python tests/bench/cluster_bench.py --articles 100000 --json cluster100k.json

The corpus and the queries are ``benchmark.py``'s (the same generator, seed and query classes).
In the same run it starts a 2-node cluster (``local_cluster.start``; index of 2 shards with one
replica each, so each node holds every article), indexes the corpus into an embedded index and
into the cluster (each ``Engine.ingest`` in a child process), then sends the queries to both,
the engines taking turns query by query, each from a process of its own (``measure_queries``).
It prints one table, with the cluster's figures also as a ratio to the embedded index's (for
times, cluster/embedded: above 1 means the cluster is slower), and the load average of the
machine before and after: two nodes on one 2-core machine show that the cluster works and what
a request costs, not how fast a cluster is.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import benchmark
from benchmark import CLASS_NAMES, CLASSES, Query, byline_request

INDEX = "bench"
SHARDS = 2
REPLICAS = 1
HEAP = "512m"


def cluster_open(location: str) -> Callable[[Query], tuple[int, list[str]]]:
    """``measure_queries``' opener for the cluster: Byline's engine on the cluster's index."""
    from search.engine import open_engine

    engine = open_engine(location)

    def run(query: Query) -> tuple[int, list[str]]:
        result = engine.search(byline_request(query))
        return result.total, [hit.article.id for hit in result.hits]

    return run


def measure_cluster_indexing(location: str, corpus: Path, data: Path) -> dict[str, Any]:
    """Index the corpus into the cluster from a child process: wall time, the child's peak
    memory, the nodes' memory and the index's size on the cluster (replicas included)."""
    from opensearchpy import OpenSearch

    from index.opensearch.connection import parse_cluster_url
    from search.opensearch import local_cluster

    address = parse_cluster_url(location)
    client = OpenSearch(address.node_url)
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, __file__, "_ingest", location, str(corpus)],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    built = json.loads(child.stdout.strip().splitlines()[-1])
    deadline = time.monotonic() + 120  # every replica copied before the queries
    while client.cluster.health(index=address.index)["status"] != "green":
        if time.monotonic() > deadline:
            raise SystemExit("the cluster index did not turn green within 120 s")
        time.sleep(1)
    client.indices.refresh(index=address.index)
    stats = client.indices.stats(index=address.index, metric="store")["_all"]
    nodes = local_cluster.running_nodes(data)
    return {
        "articles": built["articles"],
        "seconds": round(wall, 2),
        "articles_per_s": round(built["articles"] / wall, 1),
        "peak_rss_mb": round(built["maxrss"] / 2**20, 1),
        "nodes_rss_mb": round(sum(_memory(node.pid, "VmRSS") for node in nodes) / 2**20, 1),
        "index_mb": round(stats["total"]["store"]["size_in_bytes"] / 2**20, 1),
    }


def _memory(pid: int | str, figure: str) -> int:
    """A process's memory figure from /proc (VmRSS: now; VmHWM: its peak), in bytes."""
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(f"{figure}:"):
                return int(line.split()[1]) * 1024
    return 0


def _load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def print_table(results: dict[str, Any]) -> None:
    embedded, cluster = results["embedded"], results["cluster"]
    rows = [["", "embedded", f"cluster ({results['nodes']} nodes)"]]

    def row(label: str, ours: float, theirs: float) -> None:
        ratio = f" ({theirs / ours:.1f}x)" if ours else ""
        rows.append([label, f"{ours:,.4g}", f"{theirs:,.4g}{ratio}"])

    row(
        "index: articles/s", embedded["index"]["articles_per_s"], cluster["index"]["articles_per_s"]
    )
    row("index: wall s", embedded["index"]["seconds"], cluster["index"]["seconds"])
    row("index: size MB", embedded["index"]["index_mb"], cluster["index"]["index_mb"])
    row(
        "index: peak memory MB (indexing process)",
        embedded["index"]["peak_rss_mb"],
        cluster["index"]["peak_rss_mb"],
    )
    for kind in CLASSES:
        for stat in ("p50_ms", "p95_ms"):
            row(
                f"{CLASS_NAMES[kind]} {stat[:3]} ms",
                embedded["queries"]["classes"][kind][stat],
                cluster["queries"]["classes"][kind][stat],
            )
    widths = [max(len(cells[i]) for cells in rows) for i in range(3)]
    print(
        f"{results['articles']:,} articles ({results['corpus']}); ratios are cluster over "
        f"embedded; {results['cpus']} cores; load average {results['load_before']} before, "
        f"{results['load_after']} after; cluster nodes' RSS after indexing "
        f"{cluster['index']['nodes_rss_mb']:,} MB (heap {HEAP} each)\n"
    )
    for cells in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)))
    for engine in ("embedded", "cluster"):
        if results[engine]["queries"]["mean_total"] != results["embedded"]["queries"]["mean_total"]:
            print(f"note: mean total differs: {engine} {results[engine]['queries']['mean_total']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000, help="synthetic corpus size")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--per-class", type=int, default=25, help="queries per class")
    parser.add_argument(
        "--class-budget", type=float, default=60.0, help="seconds per query class and engine"
    )
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--port", type=int, default=19250, help="the first node's HTTP port")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and indexes here")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    from search.opensearch import local_cluster

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="byline-cluster-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / f"corpus-{args.articles}-{args.seed}.jsonl"
    if not corpus.exists():
        print(f"writing {args.articles:,} synthetic articles to {corpus}", file=sys.stderr)
        benchmark.write_corpus(corpus, args.articles, args.seed)
    queries = benchmark.make_queries(corpus, args.per_class, args.seed)
    results: dict[str, Any] = {
        "corpus": str(corpus),
        "nodes": args.nodes,
        "queries_per_class": args.per_class,
        "cpus": os.cpu_count(),
        "load_before": _load(),
    }
    data = workdir / "cluster"
    shutil.rmtree(data, ignore_errors=True)
    print(f"starting a {args.nodes}-node cluster", file=sys.stderr)
    url = local_cluster.start(nodes=args.nodes, port=args.port, data=data, heap=HEAP)
    try:
        location = f"opensearch://{url.split('://', 1)[1]}/{INDEX}"
        print("embedded: indexing", file=sys.stderr)
        embedded_index = benchmark.measure_indexing("byline", corpus, workdir / "index-embedded")
        print(f"embedded: {embedded_index}\ncluster: indexing", file=sys.stderr)
        cluster_index = measure_cluster_indexing(location, corpus, data)
        print(f"cluster: {cluster_index}", file=sys.stderr)
        results["articles"] = embedded_index["articles"]
        print("queries, the engines taking turns", file=sys.stderr)
        queried = benchmark.measure_queries(
            {"embedded": workdir / "index-embedded", "cluster": location},
            queries,
            args.class_budget,
            {"embedded": benchmark.byline_open, "cluster": cluster_open},
        )
    finally:
        local_cluster.stop(data)
    results["load_after"] = _load()
    results["embedded"] = {"index": embedded_index, "queries": queried["embedded"]}
    results["cluster"] = {"index": cluster_index, "queries": queried["cluster"]}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    if not args.workdir:
        shutil.rmtree(workdir)
    return 0


def _ingest_child(location: str, corpus: str) -> None:
    """Child side of ``measure_cluster_indexing``: ingest, then report the count and own peak
    memory (VmHWM, as ``benchmark._build_child``)."""
    from index.pipeline.options import IngestOptions
    from search.engine import open_engine

    options = IngestOptions(shards=SHARDS, replicas=REPLICAS)
    report = open_engine(location).ingest([corpus], options)
    if report.failed:
        raise SystemExit(f"failed on {len(report.failed)} records: {report.failed[:3]}")
    print(json.dumps({"articles": report.committed, "maxrss": _memory("self", "VmHWM")}))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "_ingest":
        _ingest_child(*sys.argv[2:])
        sys.exit(0)
    sys.exit(main())
