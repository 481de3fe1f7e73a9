"""The ``byline`` command: a thin Typer layer that turns options into library calls.

Every command's logic lives in ``index/`` or ``search/``; here we only parse options, choose the
output form, and turn ``BylineError`` into ``Error: <message>`` on stderr with its exit code.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from index.embedded.maintenance import DEFAULT_SAMPLE, check_index, optimize_index
from index.embedded.store import ENV_VAR, resolve_index_path
from index.enrich.fields import FieldMapping
from index.enrich.publishers import load_publishers
from index.errors import BylineError
from index.pipeline.options import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_COMMIT_SECONDS,
    DEFAULT_WAIT_SECONDS,
    IngestOptions,
)
from search.cli import render
from search.engine import open_engine
from search.evaluation.judgments import read_qrels, read_topics
from search.evaluation.measures import evaluate, run_topics, write_run
from search.query import Filters
from search.results import SearchRequest

if TYPE_CHECKING:
    from index.pipeline.ingest import IngestProgress, IngestReport

# Exit code of `byline index` when it finished but some inputs could not be read.
EXIT_PARTIAL = 3

app = typer.Typer(
    name="byline",
    help="Full-text search for news archives: index articles, then search them ranked, "
    "filtered and faceted by source.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

IndexOption = Annotated[
    Path | None,
    typer.Option(
        "--index",
        envvar=ENV_VAR,
        show_envvar=True,
        help="Index folder (default: a per-user data folder).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
RerankOption = Annotated[
    bool,
    typer.Option(
        "--rerank/--no-rerank",
        help="Reorder the top hits of questions (4+ plain words) by word proximity and the "
        "top hits' shared topic; --no-rerank keeps plain BM25F order.",
    ),
]
WaitOption = Annotated[
    float, typer.Option("--wait", help="Seconds to wait for another writer to finish.")
]

F = TypeVar("F", bound=Callable[..., Any])


def _friendly(command: F) -> F:
    """Report our own errors as one line on stderr with their exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BylineError as exc:
            _stderr().print(f"Error: {exc}", markup=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


@app.command("index")
@_friendly
def index_command(
    paths: Annotated[
        list[str], typer.Argument(help="Files or folders to read; - for JSONL on stdin.")
    ],
    index: IndexOption = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Read every file as this format: text, json, jsonl, csv, smart, html, feed, "
            "warc, zip.",
        ),
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field", help="Map an article field to your name for it, e.g. body=article_text."
        ),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Source for articles that name none.")] = None,
    author: Annotated[str | None, typer.Option(help="Author for articles that name none.")] = None,
    section: Annotated[
        str | None, typer.Option(help="Section for articles that name none.")
    ] = None,
    clean_rules: Annotated[
        list[Path] | None,
        typer.Option(
            "--clean-rules", help="Extra cleaning rules (TOML, same shape as the shipped ones)."
        ),
    ] = None,
    publishers: Annotated[
        list[Path] | None,
        typer.Option("--publishers", help="Extra domain,name rows naming sources from URLs (CSV)."),
    ] = None,
    keep_duplicates: Annotated[
        bool,
        typer.Option(
            "--keep-duplicates", help="Index exact copies of other articles too (not just once)."
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Articles per commit.")] = DEFAULT_BATCH_SIZE,
    commit_seconds: Annotated[
        float, typer.Option(help="Commit at least this often (seconds).")
    ] = DEFAULT_COMMIT_SECONDS,
    force: Annotated[
        bool, typer.Option("--force", help="Re-read files the index already holds unchanged.")
    ] = False,
    wait: WaitOption = DEFAULT_WAIT_SECONDS,
) -> None:
    """Read articles from files and folders into the index (re-indexing an id replaces it)."""
    defaults = {"source": source, "authors": author, "section": section}
    options = IngestOptions(
        mapping=FieldMapping.parse(field or [], defaults, load_publishers(publishers or [])),
        format=format,
        clean_rules=clean_rules or [],
        batch_size=batch_size,
        commit_seconds=commit_seconds,
        wait=wait,
        force=force,
        keep_duplicates=keep_duplicates,
    )
    stderr = _stderr()
    index_path = resolve_index_path(index)
    report = _ingest_showing_progress(paths, index_path, options, stderr)
    render.print_ingest_summary(stderr, report)
    if report.failed:
        raise typer.Exit(EXIT_PARTIAL)


def _ingest_showing_progress(
    paths: list[str], index_path: Path, options: IngestOptions, stderr: Console
) -> IngestReport:
    """``ingest`` with a progress bar on stderr when it is a terminal."""
    # The writer and its readers load here, not with this module: every `byline search`
    # process imports this module, and they would add a tenth of a second to each.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from index.embedded.segments import fork_writers_from_server
    from index.pipeline.ingest import ingest

    fork_writers_from_server()  # (this command's main script is guarded)
    if not stderr.is_terminal:
        return ingest(paths, index_path, options)
    columns = (
        TextColumn("Indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "inputs, {task.fields[read]:,} articles read, {task.fields[committed]:,} committed"
        ),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr, transient=True) as bar:
        task = bar.add_task("index", total=None, read=0, committed=0)

        def show(progress: IngestProgress) -> None:
            bar.update(
                task,
                completed=progress.inputs_done,
                total=progress.inputs_total,
                read=progress.articles_read,
                committed=progress.committed,
            )

        return ingest(paths, index_path, options, show)


@app.command("search")
@_friendly
def search_command(
    query: Annotated[str, typer.Argument(help='Words, "phrases", AND/OR/NOT, field:value.')] = "",
    index: IndexOption = None,
    any_word: Annotated[bool, typer.Option("--any", help="Match any word, not all.")] = False,
    source: Annotated[
        list[str] | None, typer.Option(help="Only these sources (repeatable).")
    ] = None,
    author: Annotated[
        list[str] | None, typer.Option(help="Only these authors (repeatable).")
    ] = None,
    section: Annotated[list[str] | None, typer.Option(help="Only these sections.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Only articles with these tags.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after YYYY[-MM[-DD]].")] = None,
    until: Annotated[
        str | None, typer.Option(help="Published on or before YYYY[-MM[-DD]].")
    ] = None,
    facet: Annotated[
        list[str] | None,
        typer.Option(help="Also count by author, section, tag or year (source is always counted)."),
    ] = None,
    facet_size: Annotated[int, typer.Option(help="Values shown per facet.")] = 10,
    sort: Annotated[str, typer.Option(help="relevance, newest or oldest.")] = "relevance",
    limit: Annotated[int, typer.Option(help="Hits per page.")] = 10,
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 10.0,
    collapse: Annotated[
        bool,
        typer.Option(
            "--collapse/--no-collapse", help="One hit per story, naming its other sources."
        ),
    ] = True,
    rerank: RerankOption = True,
    recent: Annotated[
        bool,
        typer.Option(
            "--recent",
            help="Favour newer matches: each score is weighed by age, from 1 for the newest "
            "match down to 0.5, halfway every 30 days older.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Search the index: ranked hits with snippets, and facet counts over all matches."""
    request = SearchRequest(
        query=query,
        filters=Filters(source or [], author or [], section or [], tag or [], since, until),
        match_any=any_word,
        facets=tuple(dict.fromkeys(["source", *(facet or [])])),
        facet_size=facet_size,
        sort=sort,
        limit=limit,
        page=page,
        timeout=timeout,
        collapse=collapse,
        rerank=rerank,
        recent=recent,
    )
    result = open_engine(index).search(request)
    if as_json:
        _print_json(render.search_json(result))
    else:
        render.print_search(_stdout(), result)


@app.command("show")
@_friendly
def show_command(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="The article's id.")],
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one article in full, with all its metadata."""
    article = open_engine(index).article(article_id)
    if as_json:
        _print_json(render.article_json(article))
    else:
        render.print_article(_stdout(), article)


@app.command("similar")
@_friendly
def similar_command(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="The article's id.")],
    index: IndexOption = None,
    limit: Annotated[int, typer.Option(help="How many to show.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Articles most like one article: copies of the same story first, then related ones."""
    result = open_engine(index).similar(article_id, limit)
    if as_json:
        _print_json(render.similar_json(result))
    else:
        render.print_similar(_stdout(), result)


@app.command("stats")
@_friendly
def stats_command(index: IndexOption = None, as_json: JsonOption = False) -> None:
    """How many articles and sources the index holds, their dates, and its size."""
    stats = open_engine(index).stats()
    if as_json:
        _print_json(render.stats_json(stats))
    else:
        render.print_stats(_stdout(), stats)


@app.command("delete")
@_friendly
def delete_command(
    ids: Annotated[list[str] | None, typer.Argument(metavar="[ID]...", help="Article ids.")] = None,
    index: IndexOption = None,
    source: Annotated[
        list[str] | None, typer.Option(help="Delete every article of a source.")
    ] = None,
    query: Annotated[
        str | None, typer.Option(help="Delete every article matching a query.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    wait: WaitOption = DEFAULT_WAIT_SECONDS,
) -> None:
    """Delete articles by id, by source, or by query (asks first unless --yes)."""
    engine = open_engine(index)
    selection = {"ids": ids or [], "sources": source or [], "query": query}
    stderr = _stderr()
    count = engine.count_to_delete(**selection)
    if count == 0:
        stderr.print("Nothing to delete: no article matches.")
        return
    if not yes and not typer.confirm(
        f"Delete {count:,} article(s) from {engine.location}?", err=True
    ):
        stderr.print("Nothing deleted.")
        raise typer.Exit(1)
    deleted = engine.delete(**selection, wait=wait)
    stderr.print(f"Deleted {deleted:,} article(s).")


@app.command("check")
@_friendly
def check_command(
    index: IndexOption = None,
    sample: Annotated[int, typer.Option(help="Stored articles to read back.")] = DEFAULT_SAMPLE,
    as_json: JsonOption = False,
) -> None:
    """Verify the index without changing it; exit code 1 if anything is wrong."""
    report = check_index(resolve_index_path(index), sample)
    if as_json:
        _print_json(render.check_json(report))
    else:
        render.print_check(_stdout(), report)
    if not report.ok:
        raise typer.Exit(1)


@app.command("optimize")
@_friendly
def optimize_command(index: IndexOption = None, wait: WaitOption = DEFAULT_WAIT_SECONDS) -> None:
    """Merge the index's segments into one, dropping deleted articles for good."""
    before, after = optimize_index(resolve_index_path(index), wait)
    _stderr().print(f"Merged {before} segment(s) into {after}.")


@app.command("eval")
@_friendly
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
    runs = run_topics(resolve_index_path(index), topic_list, match_any=not all_words, rerank=rerank)
    if run:
        with run.open("w", encoding="utf-8") as out:
            write_run(runs, out)
    result = evaluate(runs, judgments)
    if as_json:
        _print_json(render.evaluation_json(result, per_query))
    else:
        render.print_evaluation(_stdout(), result, per_query)


def main() -> None:
    app()
