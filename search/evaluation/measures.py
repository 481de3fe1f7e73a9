"""Measuring ranking quality: run judged topics through the engine and score the rankings.

Measures, as trec_eval and ir-measures define them: nDCG@10 (graded gains, gain/log2(rank+1)),
MAP@100 (binary relevance, over all relevant documents of the query), P@10 and R@100. Averages are
over topics that have at least one relevant judgment.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from search.engine import Engine
from search.evaluation.judgments import Qrels, Topic
from search.results import SearchRequest

MEASURES = ("nDCG@10", "MAP@100", "P@10", "R@100")
DEPTH = 100

Ranking = list[tuple[str, float]]


@dataclass(slots=True)
class Evaluation:
    """Per-query and mean values of each measure."""

    per_query: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def means(self) -> dict[str, float]:
        count = len(self.per_query)
        return {
            name: sum(values[name] for values in self.per_query.values()) / count if count else 0.0
            for name in MEASURES
        }


def score_ranking(ranking: list[str], judged: dict) -> dict[str, float]:  # type: ignore[type-arg]
    """The measures for one query's ranked document ids against its judgments."""
    relevant = {docid for docid, j in judged.items() if j.relevant}
    gains = [judged[docid].gain if docid in judged else 0.0 for docid in ranking]
    ideal = sorted((j.gain for j in judged.values()), reverse=True)
    dcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(gains[:10]))
    idcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal[:10]))
    hits, precision_sum = 0, 0.0
    for rank, docid in enumerate(ranking[:100], 1):
        if docid in relevant:
            hits += 1
            precision_sum += hits / rank
    return {
        "nDCG@10": dcg / idcg if idcg else 0.0,
        "MAP@100": precision_sum / len(relevant) if relevant else 0.0,
        "P@10": sum(docid in relevant for docid in ranking[:10]) / 10,
        "R@100": len(relevant.intersection(ranking[:100])) / len(relevant) if relevant else 0.0,
    }


def evaluate(runs: dict[str, Ranking], qrels: Qrels) -> Evaluation:
    """Score every judged topic that has a relevant document (a topic with no run scores 0)."""
    result = Evaluation()
    for qid in sorted(qrels, key=_natural):
        if any(j.relevant for j in qrels[qid].values()):
            ranking = [docid for docid, _ in runs.get(qid, [])]
            result.per_query[qid] = score_ranking(ranking, qrels[qid])
    return result


def run_topics(
    engine: Engine,
    topics: list[Topic],
    match_any: bool = True,
    depth: int = DEPTH,
    on_topic: Callable[[Topic], None] | None = None,
    rerank: bool = True,
) -> dict[str, Ranking]:
    """Each topic's top ``depth`` (id, score) through ``search``, its text read as plain words."""
    runs: dict[str, Ranking] = {}
    for topic in topics:
        request = SearchRequest(
            topic.text, match_any=match_any, plain=True, facets=(), limit=depth, rerank=rerank
        )
        runs[topic.qid] = [
            (hit.article.id, hit.score or 0.0) for hit in engine.search(request).hits
        ]
        if on_topic:
            on_topic(topic)
    return runs


def write_run(runs: dict[str, Ranking], out: TextIO, tag: str = "byline") -> None:
    """A TREC run file: ``qid Q0 docid rank score tag``."""
    for qid in sorted(runs, key=_natural):
        for rank, (docid, score) in enumerate(runs[qid], 1):
            out.write(f"{qid} Q0 {docid} {rank} {score:.6f} {tag}\n")


def _natural(qid: str) -> tuple[int, str]:
    return (int(qid), "") if qid.isdigit() else (1 << 62, qid)
