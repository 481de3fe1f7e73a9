"""``byline search``, ``show`` and ``similar``: asking the engine and showing its answers."""

from __future__ import annotations

from typing import Annotated

import typer

from search import json_contract
from search.cli import render
from search.cli.common import (
    AnyOption,
    AuthorOption,
    DomainOption,
    IndexOption,
    JsonOption,
    QueryArgument,
    RerankOption,
    SectionOption,
    SinceOption,
    SourceOption,
    TagOption,
    UntilOption,
    friendly,
    option_filters,
    print_json,
    print_notes,
    stdout_console,
)
from search.engine import open_engine
from search.relative_dates import dated_search
from search.results import SearchRequest


@friendly
def search_command(
    query: QueryArgument = "",
    index: IndexOption = None,
    any_word: AnyOption = False,
    source: SourceOption = None,
    author: AuthorOption = None,
    section: SectionOption = None,
    tag: TagOption = None,
    domain: DomainOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    facet: Annotated[
        list[str] | None,
        typer.Option(
            help="Also count by author, section, tag, domain or year (source is always counted)."
        ),
    ] = None,
    facet_size: Annotated[int, typer.Option(help="Values shown per facet.")] = 10,
    multiselect_facets: Annotated[
        bool,
        typer.Option(
            "--multiselect-facets",
            help="Count each facet with every filter except its own, so the other values of a "
            "filtered facet keep their counts (as the web page's facets do).",
        ),
    ] = False,
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
    engine = open_engine(index)
    request = SearchRequest(
        query=query,
        filters=option_filters(engine, source, author, section, tag, domain, since, until),
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
        multiselect_facets=multiselect_facets,
    )
    result = dated_search(engine, request)
    if as_json:
        print_json(json_contract.search_json(result))
    else:
        render.print_search(stdout_console(), result)
        print_notes(result.notes)


@friendly
def show_command(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="The article's id.")],
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one article in full, with all its metadata."""
    article = open_engine(index).article(article_id)
    if as_json:
        print_json(json_contract.article_json(article))
    else:
        render.print_article(stdout_console(), article)


@friendly
def similar_command(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="The article's id.")],
    index: IndexOption = None,
    limit: Annotated[int, typer.Option(help="How many to show.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Articles most like one article: copies of the same story first, then related ones."""
    result = open_engine(index).similar(article_id, limit)
    if as_json:
        print_json(json_contract.similar_json(result))
    else:
        render.print_similar(stdout_console(), result)
