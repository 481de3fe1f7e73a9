"""The JSON API under ``/api/``: the CLI's ``--json`` documents for the same requests."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.responses import JSONResponse

from search.analysis.sources import top_sources
from search.analysis.terms import significant_terms
from search.analysis.timeline import timeline
from search.json_contract import (
    article_json,
    search_json,
    similar_json,
    sources_json,
    stats_json,
    terms_json,
    timeline_json,
)
from search.relative_dates import dated_search
from search.results import SearchResult
from search.web.engine_thread import EngineThread
from search.web.errors import PageNotFound
from search.web.openapi import OPENAPI
from search.web.params import (
    REPEATABLE,
    SEARCH_PARAMETERS,
    SOURCES_PARAMETERS,
    TERMS_PARAMETERS,
    TIMELINE_PARAMETERS,
    flag,
    known_parameters,
    reject_unknown,
    request_filters,
    search_request,
    whole_number,
)

ARTICLES = "/api/articles/"
SIMILAR = "/similar"


def engine_thread(request: Request) -> EngineThread:
    return request.app.state.engine_thread


def check_page(result: SearchResult) -> None:
    """A page after the last one is not found (the first page of no matches is an answer)."""
    page = result.request.page
    if page > 1 and not result.hits:
        raise PageNotFound(
            f"page {page} is past the last match ({result.total:,} match"
            f"{'' if result.total == 1 else 'es'})"
        )


async def search(request: Request) -> JSONResponse:
    reject_unknown(request.query_params, SEARCH_PARAMETERS)
    asked = search_request(request.query_params)
    result = await engine_thread(request).run(lambda engine: dated_search(engine, asked))
    check_page(result)
    return JSONResponse(search_json(result))


def article_path(request: Request) -> tuple[str, bool]:
    """The id in ``/api/articles/{id}`` or ``/api/articles/{id}/similar``, and whether similar
    articles are asked for. Ids are URLs and paths, so they hold slashes: read from the path as
    sent, an id written with ``%2F`` (``a%2Fsimilar``) is never taken for ``…/similar``."""
    raw = request.scope.get("raw_path") or b""
    if not raw.startswith(ARTICLES.encode()):  # (no raw path, or one spelt with escapes)
        raw = request.scope["path"].encode()
    rest = raw[len(ARTICLES) :]
    similar = rest.endswith(SIMILAR.encode()) and len(rest) > len(SIMILAR)
    if similar:
        rest = rest[: -len(SIMILAR)]
    return unquote_to_bytes(rest).decode("utf-8", "replace"), similar


async def article(request: Request) -> JSONResponse:
    """``/api/articles/{id}`` (``byline show --json``) or its ``/similar``."""
    article_id, similar = article_path(request)
    if similar:
        reject_unknown(request.query_params, ("limit",))
        limit = whole_number(request.query_params, "limit", 10)
        result = await engine_thread(request).run(lambda engine: engine.similar(article_id, limit))
        return JSONResponse(similar_json(result))
    reject_unknown(request.query_params, ())
    found = await engine_thread(request).run(lambda engine: engine.article(article_id))
    return JSONResponse(article_json(found))


async def stats(request: Request) -> JSONResponse:
    reject_unknown(request.query_params, ())
    result = await engine_thread(request).run(lambda engine: engine.stats())
    return JSONResponse(stats_json(result))


async def timeline_api(request: Request) -> JSONResponse:
    """``byline timeline --json``; ``q`` repeated for one series per query."""
    params = known_parameters(request.query_params, TIMELINE_PARAMETERS, ("q", *REPEATABLE))
    queries, filters, match_any = params.getlist("q"), request_filters(params), flag(params, "any")
    by, count, split = (
        params.get("by") or None,
        params.get("count") or "articles",
        params.get("split") or None,
    )
    top = whole_number(params, "top", 5)
    result = await engine_thread(request).run(
        lambda engine: timeline(engine, queries, filters, by, count, split, top, match_any)
    )
    return JSONResponse(timeline_json(result))


async def terms_api(request: Request) -> JSONResponse:
    """``byline terms --json``."""
    params = known_parameters(request.query_params, TERMS_PARAMETERS)
    query, filters, match_any = params.get("q", ""), request_filters(params), flag(params, "any")
    top, field = whole_number(params, "top", 30), params.get("field") or "title"
    result = await engine_thread(request).run(
        lambda engine: significant_terms(engine, query, filters, top, field, match_any)
    )
    return JSONResponse(terms_json(result))


async def sources_api(request: Request) -> JSONResponse:
    """``byline sources --json``."""
    params = known_parameters(request.query_params, SOURCES_PARAMETERS)
    query, filters, match_any = params.get("q", ""), request_filters(params), flag(params, "any")
    top = whole_number(params, "top", 20)
    result = await engine_thread(request).run(
        lambda engine: top_sources(engine, query, filters, top, match_any)
    )
    return JSONResponse(sources_json(result))


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(OPENAPI)
