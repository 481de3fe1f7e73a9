"""Evaluation: readers for topics and judgments, the measures on hand-computed examples, and
``byline eval`` end to end on a tiny judged collection."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from search.evaluation.judgments import Judgment, read_qrels, read_topics
from search.evaluation.measures import evaluate, score_ranking


def _qrels(**gains: float) -> dict[str, Judgment]:
    return {doc: Judgment(gain, gain > 0) for doc, gain in gains.items()}


def test_measures_on_a_hand_computed_ranking() -> None:
    judged = _qrels(a=3, b=1, c=2, z=0)
    values = score_ranking(["b", "x", "a", "z"], judged)
    dcg = 1 / math.log2(2) + 3 / math.log2(4)
    idcg = 3 / math.log2(2) + 2 / math.log2(3) + 1 / math.log2(4)
    assert values["nDCG@10"] == pytest.approx(dcg / idcg)
    assert values["MAP@100"] == pytest.approx((1 / 1 + 2 / 3) / 3)
    assert values["P@10"] == pytest.approx(2 / 10)
    assert values["R@100"] == pytest.approx(2 / 3)


def test_perfect_and_empty_rankings() -> None:
    judged = _qrels(a=2, b=1)
    assert score_ranking(["a", "b"], judged)["nDCG@10"] == pytest.approx(1.0)
    assert score_ranking(["b", "a"], judged)["nDCG@10"] < 1.0
    assert score_ranking([], judged) == {"nDCG@10": 0, "MAP@100": 0, "P@10": 0, "R@100": 0}


def test_topics_without_relevant_documents_are_not_averaged() -> None:
    qrels = {"1": _qrels(a=1), "2": _qrels(b=0)}
    result = evaluate({"1": [("a", 1.0)], "2": [("b", 1.0)]}, qrels)
    assert list(result.per_query) == ["1"]
    assert result.means["MAP@100"] == 1.0


def test_topic_formats(tmp_path: Path) -> None:
    tsv = tmp_path / "t.tsv"
    tsv.write_text("q1\tsyrian airspace\nq2\toil prices\n", encoding="utf-8")
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text('{"qid": 7, "query": "oil"}\n', encoding="utf-8")
    trec = tmp_path / "t.trec"
    trec.write_text(
        "<top>\n<num> Number: 301\n<title> International Organized Crime\n"
        "<desc> Description:\nIdentify...\n</top>\n",
        encoding="utf-8",
    )
    smart = tmp_path / "t.qry"
    smart.write_text(
        ".I 001\n.W\nwhat similarity laws\nmust be obeyed .\n.I 004\n.W\nheat\n", encoding="utf-8"
    )
    assert [(t.qid, t.text) for t in read_topics(tsv)] == [
        ("q1", "syrian airspace"),
        ("q2", "oil prices"),
    ]
    assert [(t.qid, t.text) for t in read_topics(jsonl)] == [("7", "oil")]
    assert [(t.qid, t.text) for t in read_topics(trec)] == [
        ("301", "International Organized Crime")
    ]
    assert [t.qid for t in read_topics(smart)] == ["1", "2"]  # ordinal, as Cranfield judges
    assert [t.qid for t in read_topics(smart, ids="given")] == ["1", "4"]
    assert read_topics(smart)[0].text == "what similarity laws must be obeyed ."


def test_qrels_gain_mappings(tmp_path: Path) -> None:
    trec = tmp_path / "qrels.txt"
    trec.write_text("1 0 d1 2\n1 0 d2 0\n", encoding="utf-8")
    assert read_qrels(trec)["1"] == {"d1": Judgment(2.0, True), "d2": Judgment(0.0, False)}
    cran = tmp_path / "cranqrel"
    cran.write_text("1 184 2\n1 29 4\n1 12 -1\n1 5 1\n", encoding="utf-8")
    judged = read_qrels(cran, gain="cranfield")["1"]
    assert judged["5"] == Judgment(4.0, True)
    assert judged["184"] == Judgment(3.0, True)
    assert judged["29"] == Judgment(1.0, False)
    assert judged["12"] == Judgment(1.0, False)  # -1 is read as 4


SMART_DOCS = """.I 1
.T
heat transfer in slabs
.W
conduction of heat in composite slabs of different materials .
.I 2
.T
supersonic flow
.W
shock waves in supersonic flow past a wedge .
.I 3
.T
boundary layer
.W
heat transfer through a laminar boundary layer at high speed .
"""


def test_byline_eval_end_to_end(invoke, tmp_path: Path) -> None:
    docs = tmp_path / "docs.all"
    docs.write_text(SMART_DOCS, encoding="utf-8")
    topics = tmp_path / "queries.qry"
    topics.write_text(
        ".I 001\n.W\nheat conduction in slabs ?\n.I 009\n.W\nshock waves\n", encoding="utf-8"
    )
    qrels = tmp_path / "qrels"
    qrels.write_text("1 1 1\n1 3 3\n2 2 2\n", encoding="utf-8")
    index = str(tmp_path / "ix")
    assert invoke("index", str(docs), "--index", index).exit_code == 0
    run = tmp_path / "run.txt"
    result = invoke(
        "eval",
        "--topics",
        str(topics),
        "--qrels",
        str(qrels),
        "--gain",
        "cranfield",
        "--index",
        index,
        "--run",
        str(run),
        "--json",
        "--per-query",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["queries"] == 2
    assert data["per_query"]["1"]["MAP@100"] == 1.0  # doc 1 then doc 3, both relevant
    assert data["per_query"]["2"]["nDCG@10"] == 1.0
    lines = run.read_text(encoding="utf-8").splitlines()
    assert lines[0].split()[:4] == ["1", "Q0", "1", "1"]
    assert all(len(line.split()) == 6 for line in lines)
    text = invoke("eval", "--topics", str(topics), "--qrels", str(qrels), "--index", index)
    assert "2 judged queries" in text.stdout and "nDCG@10" in text.stdout


def test_eval_reports_bad_files_in_one_line(invoke, tmp_path: Path, index_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here\n", encoding="utf-8")
    result = invoke("eval", "--topics", str(bad), "--qrels", str(bad), "--index", str(index_path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "qid<TAB>query" in result.stderr
