"""``byline eval``: ranking quality measured on judged queries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from search.cli import render
from search.cli.common import (
    IndexOption,
    JsonOption,
    RerankOption,
    friendly,
    print_json,
    stdout_console,
)
from search.engine import open_engine
from search.evaluation.judgments import read_qrels, read_topics
from search.evaluation.measures import evaluate, run_topics, write_run


@friendly
def eval_command(
    topics: Annotated[Path, typer.Option(help="Queries: TSV, JSONL, TREC topics or SMART.")],
    qrels: Annotated[Path, typer.Option(help="Judgments: TREC qrels or 'qid docid rel'.")],
    index: IndexOption = None,
    gain: Annotated[
        str,
        typer.Option(help="How judgments become gains: trec (as given) or cranfield (5 - code)."),
    ] = "trec",
    topic_ids: Annotated[
        str, typer.Option(help="SMART query ids: ordinal (1, 2, 3...) or given (.I numbers).")
    ] = "ordinal",
    all_words: Annotated[
        bool,
        typer.Option("--all-words", help="Require every query word (default: any word, ranked)."),
    ] = False,
    per_query: Annotated[
        bool, typer.Option("--per-query", help="Show each query's values.")
    ] = False,
    run: Annotated[Path | None, typer.Option(help="Also write a TREC run file here.")] = None,
    rerank: RerankOption = True,
    as_json: JsonOption = False,
) -> None:
    """Measure ranking quality on judged queries: nDCG@10, MAP@100, P@10, R@100."""
    topic_list = read_topics(topics, topic_ids)
    judgments = read_qrels(qrels, gain)
    runs = run_topics(open_engine(index), topic_list, match_any=not all_words, rerank=rerank)
    if run:
        with run.open("w", encoding="utf-8") as out:
            write_run(runs, out)
    result = evaluate(runs, judgments)
    if as_json:
        print_json(render.evaluation_json(result, per_query))
    else:
        render.print_evaluation(stdout_console(), result, per_query)
