"""Query-string parameters into a ``SearchRequest``: the CLI's option names, defaults and bounds,
so ``/api/search?…`` asks exactly what ``byline search --json …`` asks."""

from __future__ import annotations

from starlette.datastructures import QueryParams

from index.errors import InvalidOption
from search.query import Filters
from search.results import SearchRequest

# Repeatable parameters (each value is one more; several values of a filter mean any of them).
REPEATABLE = ("source", "author", "section", "tag", "facet")
SEARCH_PARAMETERS = (
    "q",
    *REPEATABLE,
    "since",
    "until",
    "sort",
    "page",
    "limit",
    "any",
    "recent",
    "collapse",
    "multiselect_facets",
)
# The defaults of ``byline search``'s options.
CLI_TIMEOUT = 10.0
CLI_FACET_SIZE = 10
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def search_request(
    params: QueryParams,
    facets: tuple[str, ...] | None = None,
    multiselect_facets: bool | None = None,
) -> SearchRequest:
    """The request the parameters ask for; the page's own choice of ``facets`` and
    ``multiselect_facets`` when given, else the parameters' (as the CLI's options)."""
    for name in params:
        if name not in REPEATABLE and len(params.getlist(name)) > 1:
            raise InvalidOption(f"the parameter {name!r} is given more than once")
    if facets is None:
        facets = tuple(dict.fromkeys(["source", *params.getlist("facet")]))
    if multiselect_facets is None:
        multiselect_facets = flag(params, "multiselect_facets", False)
    return SearchRequest(
        query=params.get("q", ""),
        filters=Filters(
            params.getlist("source"),
            params.getlist("author"),
            params.getlist("section"),
            params.getlist("tag"),
            params.get("since") or None,
            params.get("until") or None,
        ),
        match_any=flag(params, "any", False),
        facets=facets,
        facet_size=CLI_FACET_SIZE,
        sort=params.get("sort") or "relevance",
        limit=whole_number(params, "limit", 10),
        page=whole_number(params, "page", 1),
        timeout=CLI_TIMEOUT,
        collapse=flag(params, "collapse", True),
        recent=flag(params, "recent", False),
        multiselect_facets=multiselect_facets,
    )


def reject_unknown(params: QueryParams, known: tuple[str, ...]) -> None:
    """A misspelt parameter (``sources=``) is a mistake to report, not a filter to drop."""
    for name in params:
        if name not in known:
            raise InvalidOption(f"unknown parameter {name!r} (known: {', '.join(known)})")


def whole_number(params: QueryParams, name: str, default: int) -> int:
    text = params.get(name) or ""
    if not text:
        return default
    if not (text.isascii() and text.isdigit()):
        raise InvalidOption(f"{name} must be a whole number, not {text[:40]!r}")
    if len(text) > 9:
        raise InvalidOption(f"{name} is far too large")
    return int(text)


def flag(params: QueryParams, name: str, default: bool) -> bool:
    text = (params.get(name) or "").lower()
    if not text:
        return default
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidOption(f"{name} must be true or false (1/0), not {text[:40]!r}")
