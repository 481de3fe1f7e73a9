"""The web application: its routes, security headers and error answers (``create_app``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.errors import BylineError
from search.engine import Engine
from search.web import api, pages
from search.web.engine_thread import EngineThread
from search.web.errors import error_body, http_status

STATIC = Path(__file__).parent / "static"

# No inline script or style, nothing from other sites; forms post back here only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # (a followed article link does not carry the search)
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every answer (a plain ASGI middleware: no per-request task)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _byline_error(request: Request, exc: Exception) -> Response:
    """An API call's error as ``{"error": {...}}`` (pages show theirs in place themselves)."""
    assert isinstance(exc, BylineError)
    status, code = http_status(exc)
    return JSONResponse(error_body(code, str(exc)), status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods: JSON under /api/, a page elsewhere."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        code, message = "not_found", f"there is nothing at {request.url.path}"
    elif exc.status_code == 405:
        code, message = "method_not_allowed", f"{request.method} is not allowed here (use GET)"
    else:
        code, message = "http_error", str(exc.detail)
    if _is_api(request) or request.url.path.startswith("/static/"):
        return JSONResponse(error_body(code, message), exc.status_code, exc.headers)
    return pages.not_found_page(message, exc.status_code)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A bug: a plain answer without a traceback (the server's log has it)."""
    return JSONResponse(error_body("internal", "the server failed to answer"), 500)


def create_app(engine: Engine) -> Starlette:
    """The web application over ``engine``: pages, the API and static files; read-only."""
    engine_thread = EngineThread(engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        engine_thread.close()

    app = Starlette(
        routes=[
            Route("/", pages.search_page),
            Route("/articles/{article_id:path}", pages.article_page),
            Route("/stats", pages.stats_page),
            Route("/api/search", api.search),
            Route("/api/articles/{article_id:path}", api.article),  # (and its /similar)
            Route("/api/stats", api.stats),
            Route("/api/timeline", api.timeline_api),
            Route("/api/terms", api.terms_api),
            Route("/api/sources", api.sources_api),
            Route("/api/openapi.json", api.openapi),
            Mount("/static", StaticFiles(directory=STATIC)),
        ],
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            BylineError: _byline_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    app.state.engine_thread = engine_thread
    return app
