"""``byline timeline``, ``terms``, ``sources``, ``export`` and ``story``: coverage questions,
answered by ``search/analysis/`` and shown as a chart or table, JSON or CSV."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from index.errors import InvalidOption
from search import json_contract
from search.analysis.export import DEFAULT_FIELDS, FIELDS, FORMATS, export, parse_fields
from search.analysis.lineage import lineage
from search.analysis.sources import top_sources
from search.analysis.terms import significant_terms
from search.analysis.timeline import timeline
from search.cli import coverage_render as render
from search.cli.common import (
    AnyOption,
    AuthorOption,
    DomainOption,
    IndexOption,
    JsonOption,
    QueryArgument,
    SectionOption,
    SinceOption,
    SourceOption,
    TagOption,
    UntilOption,
    friendly,
    option_filters,
    print_json,
    print_notes,
    stderr_console,
    stdout_console,
)
from search.engine import open_engine
from search.relative_dates import range_notes
from search.results import SearchRequest

CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV on stdout.")]
T = TypeVar("T")


def _show(
    result: T,
    as_json: bool,
    as_csv: bool,
    to_json: Callable[[T], Any],
    header: Iterable[str],
    to_rows: Callable[[T], Iterable[Iterable[Any]]],
    to_terminal: Callable[[Console, T], None],
) -> None:
    """Print an answer as JSON, as CSV (RFC 4180) or for a person."""
    if as_json:
        print_json(to_json(result))
    elif as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(to_rows(result))
    else:
        to_terminal(stdout_console(), result)


def _one_output(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        raise InvalidOption("choose one of --json and --csv")


@friendly
def timeline_command(
    queries: Annotated[
        list[str] | None, typer.Argument(metavar="QUERY...", help="One series per query.")
    ] = None,
    index: IndexOption = None,
    by: Annotated[
        str | None, typer.Option("--by", help="day, week, month or year (default: from the span).")
    ] = None,
    count: Annotated[
        str, typer.Option("--count", help="articles, or stories (each once, at its first match).")
    ] = "articles",
    split: Annotated[
        str | None, typer.Option("--split", help="source: one series per top source.")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Sources shown with --split source.")] = 5,
    any_word: AnyOption = False,
    source: SourceOption = None,
    author: AuthorOption = None,
    section: SectionOption = None,
    tag: TagOption = None,
    domain: DomainOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also draw the chart to FILE.png or FILE.svg.")
    ] = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Attention over time: matches per period beside all articles of the period, and the share."""
    _one_output(as_json, as_csv)
    engine = open_engine(index)
    filters = option_filters(engine, source, author, section, tag, domain, since, until)
    result = timeline(engine, queries or [], filters, by, count, split, top, any_word)
    print_notes(result.notes)
    if plot is not None:
        from search.cli.plot import plot_timeline

        plot_timeline(result, plot)
    _show(
        result,
        as_json,
        as_csv,
        json_contract.timeline_json,
        render.TIMELINE_CSV_HEADER,
        render.timeline_rows,
        render.print_timeline,
    )


@friendly
def terms_command(
    query: QueryArgument,
    index: IndexOption = None,
    top: Annotated[int, typer.Option("--top", help="How many terms.")] = 30,
    field: Annotated[str, typer.Option("--field", help="title or body.")] = "title",
    any_word: AnyOption = False,
    source: SourceOption = None,
    author: AuthorOption = None,
    section: SectionOption = None,
    tag: TagOption = None,
    domain: DomainOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """What is said: the words and phrases that set the matches apart from the archive."""
    _one_output(as_json, as_csv)
    engine = open_engine(index)
    filters = option_filters(engine, source, author, section, tag, domain, since, until)
    result = significant_terms(engine, query, filters, top, field, any_word)
    print_notes(result.notes)
    _show(
        result,
        as_json,
        as_csv,
        json_contract.terms_json,
        render.TERMS_CSV_HEADER,
        render.terms_rows,
        render.print_terms,
    )


@friendly
def sources_command(
    query: QueryArgument,
    index: IndexOption = None,
    top: Annotated[int, typer.Option("--top", help="How many sources.")] = 20,
    any_word: AnyOption = False,
    source: SourceOption = None,
    author: AuthorOption = None,
    section: SectionOption = None,
    tag: TagOption = None,
    domain: DomainOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Who says it: the sources of the matches, and the share of each one's own output."""
    _one_output(as_json, as_csv)
    engine = open_engine(index)
    filters = option_filters(engine, source, author, section, tag, domain, since, until)
    result = top_sources(engine, query, filters, top, any_word)
    print_notes(result.notes)
    _show(
        result,
        as_json,
        as_csv,
        json_contract.sources_json,
        render.SOURCES_CSV_HEADER,
        render.sources_rows,
        render.print_sources,
    )


@friendly
def export_command(
    query: QueryArgument = "",
    index: IndexOption = None,
    format: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    fields: Annotated[
        str,
        typer.Option(
            "--fields",
            help="Comma-separated, of: " + ",".join(FIELDS) + " (extra: a record's other "
            "fields, as a JSON object in CSV).",
        ),
    ] = ",".join(DEFAULT_FIELDS),
    sort: Annotated[str, typer.Option("--sort", help="relevance, newest or oldest.")] = "relevance",
    stories: Annotated[
        bool, typer.Option("--stories", help="One row per story, with its number of copies.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE, not stdout.")
    ] = None,
    any_word: AnyOption = False,
    source: SourceOption = None,
    author: AuthorOption = None,
    section: SectionOption = None,
    tag: TagOption = None,
    domain: DomainOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
) -> None:
    """Every match, no cap, as JSON lines or CSV (RFC 4180, UTF-8)."""
    if format not in FORMATS:
        raise InvalidOption(f"unknown format {format!r} (one of: {', '.join(FORMATS)})")
    chosen = parse_fields(fields)
    engine = open_engine(index)
    filters = option_filters(engine, source, author, section, tag, domain, since, until)
    request = SearchRequest(query, filters, any_word, facets=(), sort=sort)
    total = engine.search(request).total
    print_notes(range_notes(engine, filters, total))
    if stories and total:  # the progress bar counts rows: stories, dated or not
        by_story = engine.daily_counts(request, stories=True)
        total = sum(by_story.days.values()) + by_story.undated
    # A file for spreadsheets starts with a byte-order mark, which is how Excel knows UTF-8.
    encoding = "utf-8-sig" if format == "csv" else "utf-8"
    with (
        (
            output.open("w", encoding=encoding, newline="") if output else nullcontext(sys.stdout)
        ) as out,
        _progress(total) as progress,
    ):
        written = export(engine, request, out, format, chosen, stories, progress)
    what = "stories" if stories else "articles"
    stderr_console().print(f"Exported {written:,} {what}" + (f" to {output}" if output else ""))


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal, as a callable told the rows written."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    from rich.progress import Progress

    with Progress(console=stderr_console(), transient=True) as progress:
        task = progress.add_task("Exporting", total=total)
        yield lambda done: progress.update(task, completed=done)


@friendly
def story_command(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Any article of the story.")],
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Syndication lineage: a story's first article, every copy's delay, how many sources."""
    result = lineage(open_engine(index), article_id)
    if as_json:
        print_json(render.lineage_json(result))
    else:
        render.print_lineage(stdout_console(), result)
