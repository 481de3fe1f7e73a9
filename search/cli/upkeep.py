"""``byline stats``, ``delete``, ``check`` and ``optimize``: looking after an index."""

from __future__ import annotations

from typing import Annotated

import typer

from index.errors import InvalidOption
from index.pipeline.options import DEFAULT_WAIT_SECONDS
from search import json_contract
from search.cli import render
from search.cli.common import (
    IndexOption,
    JsonOption,
    SinceOption,
    UntilOption,
    WaitOption,
    friendly,
    print_json,
    stderr_console,
    stdout_console,
)
from search.engine import open_engine
from search.query import Filters
from search.relative_dates import resolve_bounds, with_date_range
from search.results import DEFAULT_CHECK_SAMPLE


@friendly
def stats_command(index: IndexOption = None, as_json: JsonOption = False) -> None:
    """How many articles and sources the index holds, their dates, and its size."""
    stats = open_engine(index).stats()
    if as_json:
        print_json(json_contract.stats_json(stats))
    else:
        render.print_stats(stdout_console(), stats)


@friendly
def delete_command(
    ids: Annotated[list[str] | None, typer.Argument(metavar="[ID]...", help="Article ids.")] = None,
    index: IndexOption = None,
    source: Annotated[
        list[str] | None, typer.Option(help="Delete every article of a source.")
    ] = None,
    query: Annotated[
        str | None, typer.Option(help="Delete every article matching a query.")
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    wait: WaitOption = DEFAULT_WAIT_SECONDS,
) -> None:
    """Delete articles by id, by source, or by query and/or dates (asks first unless --yes)."""
    engine = open_engine(index)
    if (since or until) and (ids or source):
        raise InvalidOption(
            "--since/--until narrow a --query (or select by date alone), not ids or --source"
        )
    dates = resolve_bounds(engine, Filters(since=since, until=until))
    query = with_date_range(query, dates.since, dates.until)
    selection = {"ids": ids or [], "sources": source or [], "query": query}
    stderr = stderr_console()
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


@friendly
def check_command(
    index: IndexOption = None,
    sample: Annotated[
        int, typer.Option(help="Stored articles to read back.")
    ] = DEFAULT_CHECK_SAMPLE,
    as_json: JsonOption = False,
) -> None:
    """Verify the index without changing it; exit code 1 if anything is wrong."""
    report = open_engine(index).check(sample)
    if as_json:
        print_json(render.check_json(report))
    else:
        render.print_check(stdout_console(), report)
    if not report.ok:
        raise typer.Exit(1)


@friendly
def optimize_command(index: IndexOption = None, wait: WaitOption = DEFAULT_WAIT_SECONDS) -> None:
    """Merge the index's segments into one, dropping deleted articles for good."""
    before, after = open_engine(index).optimize(wait)
    stderr_console().print(f"Merged {before} segment(s) into {after}.")
