"""What each Byline error means over HTTP: a status and a stable code, and the JSON error body."""

from __future__ import annotations

from typing import Any

from index.errors import (
    ArticleError,
    BylineError,
    IndexLocked,
    IndexNotFound,
    IndexUnsafe,
    IndexVersionError,
    InvalidDate,
    InvalidOption,
    QuerySyntaxError,
    QueryTimeout,
)
from search.analysis.timeline import NoDatedArticles


class PageNotFound(BylineError):
    """A page of hits past the last one, or a path that names no page."""


# (Subclasses before their bases; the first match wins.)
_STATUSES: tuple[tuple[type[BylineError], int, str], ...] = (
    (IndexNotFound, 503, "index_not_found"),
    (IndexVersionError, 503, "index_version"),
    (IndexLocked, 503, "index_locked"),
    (IndexUnsafe, 503, "index_unsafe"),
    (QuerySyntaxError, 400, "query_syntax"),
    (QueryTimeout, 400, "query_timeout"),
    (InvalidDate, 400, "invalid_date"),
    (InvalidOption, 400, "invalid_parameter"),
    (NoDatedArticles, 400, "no_dated_articles"),
    (ArticleError, 404, "article_not_found"),
    (PageNotFound, 404, "not_found"),
)


def http_status(error: BylineError) -> tuple[int, str]:
    """The HTTP status and error code for one of our errors."""
    for kind, status, code in _STATUSES:
        if isinstance(error, kind):
            return status, code
    return 400, "error"


def error_body(code: str, message: str) -> dict[str, Any]:
    """The JSON body of every API error."""
    return {"error": {"code": code, "message": message}}
