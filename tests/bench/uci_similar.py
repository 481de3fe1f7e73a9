"""How well ``byline similar`` finds coverage of the same event, on real 2014 headlines.

The UCI News Aggregator sample (``../shared/data/uci-news-sample``) labels each headline with a
STORY id grouping coverage of one event. For every headline whose story has other headlines,
precision@10 is the share of its 10 most similar articles that belong to the same story. Also
reported: exact duplicates left out, and the purity of the story groups made at index time
(the share of same-group pairs that carry the same label).

Run by hand:  python tests/bench/uci_similar.py [CSV]
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

from index.embedded.store import open_index
from index.pipeline.ingest import ingest
from index.pipeline.options import IngestOptions
from search.embedded.ranking import weighting
from search.embedded.similar import similar_to

DEFAULT = (
    Path(__file__).resolve().parents[3]
    / "shared/data/uci-news-sample/uci-news-aggregator-sample.csv"
)
K = 10


def main() -> int:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not data.is_file():
        print(f"UCI sample not found at {data} (pass the CSV path)", file=sys.stderr)
        return 1
    with data.open(encoding="utf-8", newline="") as handle:
        label = {row["ID"]: row["STORY"] for row in csv.DictReader(handle)}
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        started = time.perf_counter()
        report = ingest([str(data)], index, IngestOptions(drop_copies=True))  # as measured
        indexing = time.perf_counter() - started
        print(
            f"indexed {report.committed:,} of {len(label):,} headlines in {indexing:.1f}s; "
            f"{report.duplicates:,} exact duplicates left out, {len(report.failed):,} failed"
        )
        with open_index(index).searcher(weighting=weighting()) as searcher:
            docs = {stored["id"]: docnum for docnum, stored in searcher.iter_docs()}
            story_key = {i: searcher.stored_fields(d)["story"] for i, d in docs.items()}
            by_label: Counter[str] = Counter(label[i] for i in docs)
            queries = [i for i in docs if by_label[label[i]] > 1]
            ceiling = sum(min(K, by_label[label[i]] - 1) / K for i in queries) / len(queries)
            print(
                f"{len(queries):,} headlines have other same-story headlines "
                f"(best possible precision@{K}: {ceiling:.3f})"
            )
            for name, first in (("similar", True), ("more-like-this alone", False)):
                precisions, started = [], time.perf_counter()
                for article_id in queries:
                    result = similar_to(searcher, docs[article_id], K, same_story_first=first)
                    hits = result.hits
                    same = sum(label[hit.article.id] == label[article_id] for hit in hits)
                    precisions.append(same / K)
                querying = time.perf_counter() - started
                print(
                    f"precision@{K} of {name}: {sum(precisions) / len(precisions):.3f} "
                    f"({querying / len(queries) * 1000:.1f} ms per query)"
                )
    groups: dict[str, list[str]] = defaultdict(list)
    for article_id, key in story_key.items():
        groups[key].append(article_id)
    multi = [members for members in groups.values() if len(members) > 1]
    pairs = [(a, b) for members in multi for a, b in combinations(members, 2)]
    pure = sum(label[a] == label[b] for a, b in pairs)
    print(
        f"index-time story groups: {len(multi):,} with more than one headline, "
        f"{sum(map(len, multi)):,} headlines; pair purity {pure}/{len(pairs)}"
        + (f" = {pure / len(pairs):.3f}" if pairs else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
