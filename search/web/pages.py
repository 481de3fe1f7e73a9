"""The HTML pages: search with facets, one article, and the index's statistics. Server-rendered,
working without script; an error shows in place of the answer, with the API's status."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from index.errors import BylineError
from search.analysis.timeline import NoDatedArticles, Timeline, timeline
from search.engine import Engine
from search.relative_dates import dated_search
from search.results import SearchRequest, SearchResult, snippet_html
from search.untrusted_text import safe
from search.web.api import check_page, engine_thread
from search.web.errors import http_status
from search.web.links import SearchLinks
from search.web.params import TIMELINE_PARAMETERS, VALUE_FACETS, search_request

PAGE_FACETS = (*VALUE_FACETS, "year")
# Titles are shortened in lists (the article page shows more; its JSON all of it).
LIST_TITLE_CHARS = 300
ARTICLE_TITLE_CHARS = 2_000
PAGE_LINKS = 2  # page numbers shown either side of the current one
# The attention-over-time chart, in its SVG's own units: a bar per period, as tall as its count
# is of the peak's (the SVG is stretched to the page's width).
CHART_HEIGHT, BAR_STEP, BAR_WIDTH = 60, 10, 8


def _shown(value: Any) -> Any:
    """Every value a template prints: control and bidi-override characters made harmless."""
    if isinstance(value, Markup):
        return Markup(safe(str(value)))
    return safe(value) if isinstance(value, str) else value


def _clip(text: str | None, size: int) -> str:
    text = text or ""
    return text if len(text) <= size else text[:size].rstrip() + "…"


def article_href(article_id: str) -> str:
    return "/articles/" + quote(article_id, safe="")


def web_link(url: str | None) -> str | None:
    """The article's original address, if it is one a browser may follow (http or https)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    finalize=_shown,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters.update(
    clip=_clip, snippet=lambda snippet: Markup(snippet_html(snippet)), article_href=article_href
)
TEMPLATES.globals.update(
    value_facets=VALUE_FACETS,
    web_link=web_link,
    list_title_chars=LIST_TITLE_CHARS,
    article_title_chars=ARTICLE_TITLE_CHARS,
)


def render(name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(context), status_code=status)


def error_page(name: str, context: dict[str, Any], error: BylineError) -> HTMLResponse:
    status, _ = http_status(error)
    return render(name, {**context, "error": str(error)}, status)


async def search_page(request: Request) -> HTMLResponse:
    params = request.query_params
    links = SearchLinks(params)
    context: dict[str, Any] = {
        "params": params,
        "links": links,
        "chips": links.chips(),
        "title": params.get("q") or "Search",
    }
    try:
        asked = search_request(params, facets=PAGE_FACETS, multiselect_facets=True)
        result, over_time = await engine_thread(request).run(
            lambda engine: _search_and_timeline(engine, asked)
        )
        check_page(result)
    except BylineError as exc:
        return error_page("search.html", context, exc)
    return render(
        "search.html",
        {
            **context,
            **_search_view(result, links),
            "chart": _chart(over_time),
            "timeline_query": links.query_of(TIMELINE_PARAMETERS),
        },
    )


def _search_and_timeline(
    engine: Engine, asked: SearchRequest
) -> tuple[SearchResult, Timeline | None]:
    """The search, and the matches over time (as ``byline timeline``) when there are any."""
    result = dated_search(engine, asked)
    if not result.total:
        return result, None
    request = result.request  # (its bounds made dates)
    try:
        return result, timeline(
            engine, [request.query], request.filters, match_any=request.match_any
        )
    except NoDatedArticles:
        return result, None


def _chart(over_time: Timeline | None) -> dict[str, Any] | None:
    """The chart's bars: (x, height, bucket) for each period, and the busiest period."""
    if over_time is None or not over_time.series[0].buckets:
        return None
    series = over_time.series[0]
    peak = max(series.buckets, key=lambda bucket: bucket.count)
    bars = [
        (at * BAR_STEP, round(CHART_HEIGHT * bucket.count / (peak.count or 1), 2), bucket)
        for at, bucket in enumerate(series.buckets)
    ]
    return {
        "interval": over_time.interval,
        "series": series,
        "peak": peak,
        "bars": bars,
        "width": BAR_STEP * len(bars),
        "height": CHART_HEIGHT,
        "bar_width": BAR_WIDTH,
    }


def _search_view(result: SearchResult, links: SearchLinks) -> dict[str, Any]:
    request = result.request
    first = (request.page - 1) * request.limit + 1
    last_page = max(1, math.ceil(result.total / request.limit))
    around = range(max(1, request.page - PAGE_LINKS), min(last_page, request.page + PAGE_LINKS) + 1)
    facets = [
        (
            name,
            [
                (c.value, c.count, links.is_chosen(name, c.value), links.toggle(name, c.value))
                for c in counts
            ],
        )
        for name, counts in result.facets.items()
        if counts
    ]
    return {
        "result": result,
        "first": first,
        "last": first + len(result.hits) - 1,
        "facets": facets,
        "pages": [(number, links.page(number)) for number in around],
        "previous": links.page(request.page - 1) if request.page > 1 else None,
        "next": links.page(request.page + 1) if request.page < last_page else None,
    }


async def article_page(request: Request) -> HTMLResponse:
    article_id = request.path_params["article_id"]
    context: dict[str, Any] = {"title": "Article"}
    try:
        article, similar = await engine_thread(request).run(
            lambda engine: (engine.article(article_id), engine.similar(article_id, 10))
        )
    except BylineError as exc:
        return error_page("article.html", context, exc)
    return render(
        "article.html",
        {
            "title": _clip(article.title, 80),
            "article": article,
            "same_story": [hit for hit in similar.hits if hit.same_story],
            "related": [hit for hit in similar.hits if not hit.same_story],
        },
    )


async def stats_page(request: Request) -> HTMLResponse:
    context: dict[str, Any] = {"title": "Statistics"}
    try:
        stats = await engine_thread(request).run(lambda engine: engine.stats())
    except BylineError as exc:
        return error_page("stats.html", context, exc)
    return render(
        "stats.html",
        {**context, "stats": stats, "size_mib": stats.size_bytes / 1_048_576},
    )


def not_found_page(message: str, status: int) -> HTMLResponse:
    return render("base.html", {"title": "Not found", "error": message}, status)
