"""What every ``byline`` command shares: the common options, the consoles, and one-line errors."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from index.errors import BylineError
from search.engine import INDEX_ENV_VAR, Engine
from search.query import Filters
from search.relative_dates import resolve_bounds
from search.untrusted_text import safe

IndexOption = Annotated[
    str | None,
    typer.Option(
        "--index",
        envvar=INDEX_ENV_VAR,
        show_envvar=True,
        help="Index folder, or a cluster index URL such as opensearch://localhost:9200/news "
        "(default: a per-user data folder).",
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


def friendly(command: F) -> F:
    """Report our own errors as one line on stderr with their exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BylineError as exc:
            stderr_console().print(f"{exc.label}: {exc}", markup=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def print_notes(notes: Iterable[str]) -> None:
    """An answer's notes (words no article contains, a relative range that holds no article),
    one line each on stderr."""
    for note in notes:
        stderr_console().print(f"Note: {safe(note)}", markup=False)


def stdout_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


_COUNTED_BACK = (
    "or counted back: 7d, 2w, 3m, 1y, today, yesterday (30d@latest: from the newest article)"
)
SourceOption = Annotated[
    list[str] | None, typer.Option("--source", help="Only these sources (repeatable).")
]
AuthorOption = Annotated[
    list[str] | None, typer.Option("--author", help="Only these authors (repeatable).")
]
SectionOption = Annotated[list[str] | None, typer.Option("--section", help="Only these sections.")]
TagOption = Annotated[
    list[str] | None, typer.Option("--tag", help="Only articles with these tags.")
]
DomainOption = Annotated[
    list[str] | None,
    typer.Option("--domain", help="Only articles from these sites, e.g. chicagotribune.com."),
]
SinceOption = Annotated[
    str | None,
    typer.Option("--since", help=f"Published on or after YYYY[-MM[-DD]], {_COUNTED_BACK}."),
]
UntilOption = Annotated[
    str | None,
    typer.Option("--until", help=f"Published on or before YYYY[-MM[-DD]], {_COUNTED_BACK}."),
]
QueryArgument = Annotated[str, typer.Argument(help='Words, "phrases", AND/OR/NOT, field:value.')]
AnyOption = Annotated[bool, typer.Option("--any", help="Match any word, not all.")]


def option_filters(
    engine: Engine,
    source: Sequence[str] | None,
    author: Sequence[str] | None,
    section: Sequence[str] | None,
    tag: Sequence[str] | None,
    domain: Sequence[str] | None,
    since: str | None,
    until: str | None,
) -> Filters:
    """The filter options, with bounds counted back from the newest article made dates."""
    filters = Filters(
        source or [], author or [], section or [], tag or [], since, until, domain or []
    )
    return resolve_bounds(engine, filters)
