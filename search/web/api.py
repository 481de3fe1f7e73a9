"""The JSON API under ``/api/``: the CLI's ``--json`` documents for the same requests."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from search.json_contract import article_json, search_json, similar_json, stats_json
from search.results import SearchResult
from search.web.engine_thread import EngineThread
from search.web.errors import PageNotFound
from search.web.openapi import OPENAPI
from search.web.params import SEARCH_PARAMETERS, reject_unknown, search_request, whole_number


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
    result = await engine_thread(request).run(lambda engine: engine.search(asked))
    check_page(result)
    return JSONResponse(search_json(result))


async def article(request: Request) -> JSONResponse:
    reject_unknown(request.query_params, ())
    article_id = request.path_params["article_id"]
    found = await engine_thread(request).run(lambda engine: engine.article(article_id))
    return JSONResponse(article_json(found))


async def similar(request: Request) -> JSONResponse:
    reject_unknown(request.query_params, ("limit",))
    article_id = request.path_params["article_id"]
    limit = whole_number(request.query_params, "limit", 10)
    result = await engine_thread(request).run(lambda engine: engine.similar(article_id, limit))
    return JSONResponse(similar_json(result))


async def stats(request: Request) -> JSONResponse:
    reject_unknown(request.query_params, ())
    result = await engine_thread(request).run(lambda engine: engine.stats())
    return JSONResponse(stats_json(result))


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(OPENAPI)
