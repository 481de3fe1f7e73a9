"""``byline index``: articles read from files and folders into the index, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from index.enrich.fields import FieldMapping
from index.enrich.publishers import load_publishers
from index.pipeline.options import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_COMMIT_SECONDS,
    DEFAULT_WAIT_SECONDS,
    IngestOptions,
)
from search.cli import render
from search.cli.common import (
    IndexOption,
    JsonOption,
    WaitOption,
    friendly,
    print_json,
    stderr_console,
)
from search.engine import Engine, open_engine

if TYPE_CHECKING:
    from index.pipeline.ingest import IngestProgress, IngestReport

# Exit code of `byline index` when it finished but some inputs could not be read.
EXIT_PARTIAL = 3


@friendly
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
    drop_copies: Annotated[
        bool,
        typer.Option(
            "--drop-copies/--keep-duplicates",
            help="Leave out exact copies of other articles (same text under another id). By "
            "default every copy is indexed and grouped into its original's story; "
            "--keep-duplicates is that default, kept for old scripts.",
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
    shards: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Primary shards of a cluster index this run creates (a folder index has "
            "none; an existing index keeps its own).",
        ),
    ] = None,
    replicas: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Replicas of each shard of a cluster index this run creates (as --shards).",
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Also list the exact copies grouped with others."),
    ] = False,
    as_json: JsonOption = False,
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
        drop_copies=drop_copies,
        shards=shards,
        replicas=replicas,
    )
    stderr = stderr_console()
    engine = open_engine(index)
    report = _ingest_showing_progress(engine, paths, options, stderr)
    render.print_ingest_summary(stderr, report, verbose)
    if as_json:
        print_json(render.ingest_json(report, engine.location))
    if report.failed:
        raise typer.Exit(EXIT_PARTIAL)


def _ingest_showing_progress(
    engine: Engine, paths: list[str], options: IngestOptions, stderr: Console
) -> IngestReport:
    """``Engine.ingest`` with a progress bar on stderr when it is a terminal."""
    # Loaded here, not with this module: every `byline search` process imports this module.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not stderr.is_terminal:
        return engine.ingest(paths, options)
    columns = (
        TextColumn("Indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "inputs, {task.fields[read]:,} articles read, {task.fields[committed]:,} committed"
        ),
        TimeElapsedColumn(),
    )
    # Redrawn when the run reports progress, not by a thread of its own: the run forks its
    # writing processes, and a process forked while another thread runs may start with a lock
    # that thread held (index/pipeline/processes.py).
    with Progress(*columns, console=stderr, transient=True, auto_refresh=False) as bar:
        task = bar.add_task("index", total=None, read=0, committed=0)

        def show(progress: IngestProgress) -> None:
            bar.update(
                task,
                completed=progress.inputs_done,
                total=progress.inputs_total,
                read=progress.articles_read,
                committed=progress.committed,
                refresh=True,
            )

        return engine.ingest(paths, options, show)
