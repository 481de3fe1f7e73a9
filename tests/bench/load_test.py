"""Load test: searcher processes query in a loop while a writer adds and deletes whole batches.

Every article of batch k carries the tag ``batch-k`` and batches are added and deleted whole, in
one commit each, so any committed state holds each tag on 0 or BATCH articles. A searcher that sees
any other count has seen a torn state. Run by hand:

    python tests/bench/load_test.py --seconds 30 --searchers 3

Prints queries/s, errors and inconsistencies, and exits 1 if there were any.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import tempfile
import time
from pathlib import Path

from index.pipeline.options import IngestOptions
from search.embedded.manage import delete_articles, select_for_deletion
from search.embedded.searching import search
from search.engine import open_engine
from search.results import SearchRequest

BATCH = 200
WORDS = "syria russia talks pentagon oil election court storm market vote senate".split()


def _write_batch(index: Path, folder: Path, number: int) -> None:
    rng = random.Random(number)
    path = folder / f"batch-{number}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for item in range(BATCH):
            body = " ".join(rng.choice(WORDS) for _ in range(80))
            record = {
                "id": f"{number}-{item}",
                "title": f"story {number} {item}",
                "body": body,
                "tags": [f"batch-{number}"],
                "source": f"Source {item % 7}",
            }
            out.write(json.dumps(record) + "\n")
    open_engine(index).ingest([str(path)], IngestOptions(batch_size=BATCH * 2, wait=60))


def writer(index: str, seconds: float, counts) -> None:
    index_path, folder = Path(index), Path(tempfile.mkdtemp())
    deadline, number, live = time.monotonic() + seconds, 1, []
    while time.monotonic() < deadline:
        _write_batch(index_path, folder, number)
        live.append(number)
        counts["added"] += 1
        if len(live) > 3:
            victim = live.pop(0)
            selection = select_for_deletion(index_path, text=f'tag:"batch-{victim}"')
            delete_articles(index_path, selection, wait=60)
            counts["deleted"] += 1
        number += 1


def searcher(index: str, seconds: float, counts) -> None:
    rng = random.Random()
    deadline = time.monotonic() + seconds
    queries = errors = torn = 0
    while time.monotonic() < deadline:
        request = SearchRequest(rng.choice(["", *WORDS]), facets=("tag", "source"), facet_size=1000)
        try:
            result = search(Path(index), request)
        except Exception as exc:  # any failure is an error of the system under load
            errors += 1
            print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        queries += 1
        if request.query == "" and any(c.count != BATCH for c in result.facets["tag"]):
            torn += 1
    counts["queries"] += queries
    counts["errors"] += errors
    counts["torn"] += torn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--searchers", type=int, default=3)
    args = parser.parse_args()
    index = Path(tempfile.mkdtemp()) / "ix"
    _write_batch(index, Path(tempfile.mkdtemp()), 0)
    with multiprocessing.Manager() as manager:
        counts = manager.dict(added=0, deleted=0, queries=0, errors=0, torn=0)
        processes = [
            multiprocessing.Process(target=writer, args=(str(index), args.seconds, counts))
        ]
        processes += [
            multiprocessing.Process(target=searcher, args=(str(index), args.seconds, counts))
            for _ in range(args.searchers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        result = dict(counts)
    result["queries_per_second"] = round(result["queries"] / args.seconds, 1)
    print(json.dumps(result))
    return 1 if result["errors"] or result["torn"] else 0


if __name__ == "__main__":
    sys.exit(main())
