"""Ranking quality on Cranfield, checked against ir-measures when it is installed.

Indexes ../shared/data/cranfield/cran.all.1400 into a temporary index, runs the 112 queries the way
``byline eval`` does (words ORed, plain text) and prints nDCG@10, MAP@100, P@10 and R@100 with the
Cranfield gain mapping (gain = 5 - code, -1 read as 4; codes 1-3 relevant). With ir-measures
installed (``pip install ir-measures``) it prints its figures for the same run beside ours.

    python tests/bench/eval_cranfield.py [--data ../shared/data/cranfield] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from index.pipeline.options import IngestOptions
from search.engine import open_engine
from search.evaluation.judgments import read_qrels, read_topics
from search.evaluation.measures import MEASURES, evaluate, run_topics

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "cranfield"


def ir_measures_means(runs: dict, qrels: dict) -> dict[str, float] | None:
    try:
        import ir_measures
        from ir_measures import AP, P, R, nDCG
    except ImportError:
        return None
    judged = [
        ir_measures.Qrel(qid, doc, int(j.gain))
        for qid, docs in qrels.items()
        for doc, j in docs.items()
        if any(x.relevant for x in docs.values())
    ]
    scored = [
        ir_measures.ScoredDoc(qid, doc, score)
        for qid, ranking in runs.items()
        for doc, score in ranking
    ]
    # Relevant for binary measures: gain >= 2, i.e. Cleverdon codes 1-3.
    names = {
        nDCG @ 10: "nDCG@10",
        AP(rel=2) @ 100: "MAP@100",
        P(rel=2) @ 10: "P@10",
        R(rel=2) @ 100: "R@100",
    }
    values = ir_measures.calc_aggregate(list(names), judged, scored)
    return {names[m]: values[m] for m in names}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (args.data / "cran.all.1400").exists():
        print(f"Cranfield data not found in {args.data}", file=sys.stderr)
        return 1
    index = Path(tempfile.mkdtemp()) / "ix"
    open_engine(index).ingest([str(args.data / "cran.all.1400")], IngestOptions())
    topics = read_topics(args.data / "cran.qry")
    qrels = read_qrels(args.data / "cranqrel", gain="cranfield")
    runs = run_topics(open_engine(index), topics)
    ours = evaluate(runs, qrels).means
    theirs = ir_measures_means(runs, qrels)
    if args.json:
        print(json.dumps({"byline": ours, "ir_measures": theirs}))
        return 0
    print(f"{'measure':<10}{'byline':>10}{'ir-measures':>14}")
    for name in MEASURES:
        check = f"{theirs[name]:14.4f}" if theirs else f"{'(not installed)':>14}"
        print(f"{name:<10}{ours[name]:10.4f}{check}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
