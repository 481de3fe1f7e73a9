"""Query-string parameters into a ``SearchRequest``: the CLI's option names, defaults and bounds,
so ``/api/search?…`` asks exactly what ``byline search --json …`` asks."""

from __future__ import annotations

from starlette.datastructures import QueryParams

from index.errors import InvalidOption
from search.query import FACET_FILTERS, Filters
from search.results import SearchRequest

# The facets that filter by value (source, author, ...): each is a repeatable parameter of the
# same name (several values mean any of them). The year facet's filter is since/until.
VALUE_FACETS = tuple(facet for facet in FACET_FILTERS if facet != "year")
FILTER_PARAMETERS = (*VALUE_FACETS, "since", "until")
REPEATABLE = (*VALUE_FACETS, "facet")
SEARCH_PARAMETERS = (
    "q",
    *FILTER_PARAMETERS,
    "facet",
    "sort",
    "page",
    "limit",
    "any",
    "recent",
    "collapse",
    "multiselect_facets",
)
# The coverage endpoints' parameters: ``byline timeline``'s, ``terms``' and ``sources``' long
# options (``q`` is repeatable for the timeline: one series per query).
_COVERAGE = ("q", *FILTER_PARAMETERS, "any", "top")
TIMELINE_PARAMETERS = (*_COVERAGE, "by", "count", "split")
TERMS_PARAMETERS = (*_COVERAGE, "field")
SOURCES_PARAMETERS = _COVERAGE
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
    reject_repeated(params, REPEATABLE)
    if facets is None:
        facets = tuple(dict.fromkeys(["source", *params.getlist("facet")]))
    if multiselect_facets is None:
        multiselect_facets = flag(params, "multiselect_facets", False)
    return SearchRequest(
        query=params.get("q", ""),
        filters=request_filters(params),
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


def request_filters(params: QueryParams) -> Filters:
    """The filter parameters as ``Filters``; relative bounds stay as written, for the engine's
    side to resolve (``search.relative_dates``), as the CLI's are."""
    return Filters(
        **{FACET_FILTERS[facet][0]: params.getlist(facet) for facet in VALUE_FACETS},
        since=params.get("since") or None,
        until=params.get("until") or None,
    )


def reject_repeated(params: QueryParams, repeatable: tuple[str, ...]) -> None:
    for name in params:
        if name not in repeatable and len(params.getlist(name)) > 1:
            raise InvalidOption(f"the parameter {name!r} is given more than once")


def known_parameters(
    params: QueryParams, known: tuple[str, ...], repeatable: tuple[str, ...] = REPEATABLE
) -> QueryParams:
    """``params``, once each is known and none but the ``repeatable`` is given twice."""
    reject_unknown(params, known)
    reject_repeated(params, repeatable)
    return params


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


def flag(params: QueryParams, name: str, default: bool = False) -> bool:
    text = (params.get(name) or "").lower()
    if not text:
        return default
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidOption(f"{name} must be true or false (1/0), not {text[:40]!r}")
