"""The OpenAPI 3.1 description of the API, served at ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any


def _query(name: str, description: str, schema: dict[str, Any], many: bool = False) -> dict:
    if many:
        schema = {"type": "array", "items": schema}
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": schema,
        **({"style": "form", "explode": True} if many else {}),
    }


_TEXT = {"type": "string"}
_FLAG = {"type": "boolean"}
_ERRORS = {
    status: {"$ref": f"#/components/responses/{name}"}
    for status, name in (("400", "BadRequest"), ("404", "NotFound"), ("503", "NoIndex"))
}
_ID = {"name": "id", "in": "path", "required": True, "schema": _TEXT}


_COUNTED_BACK = (
    ", or counted back from today: 7d, 2w, 3m, 1y, today, yesterday; from the newest article: "
    "30d@latest. A relative range that holds no article at all adds a note to `notes`."
)
_FILTERS = [
    _query("source", "Only these sources (any of them).", _TEXT, many=True),
    _query("author", "Only these authors (any of them).", _TEXT, many=True),
    _query("section", "Only these sections (any of them).", _TEXT, many=True),
    _query("tag", "Only articles with these tags (any).", _TEXT, many=True),
    _query("domain", "Only articles from these sites, e.g. chicagotribune.com.", _TEXT, many=True),
    _query("since", "Published on or after YYYY[-MM[-DD]]" + _COUNTED_BACK, _TEXT),
    _query("until", "Published on or before YYYY[-MM[-DD]]" + _COUNTED_BACK, _TEXT),
]
_ANY = _query("any", "Match any word, not all.", _FLAG)
_NOTES = {"type": "array", "items": _TEXT, "description": "present only when there is a note"}


def _top(default: int) -> dict[str, Any]:
    return _query("top", "How many.", {"type": "integer", "minimum": 1, "default": default})


_OBJECTS = {"type": "array", "items": {"type": "object"}}


def _of_matches(**properties: Any) -> dict[str, Any]:
    """An answer about a query's matches (terms, sources), with its own ``properties``."""
    return {
        "type": "object",
        "properties": {
            "query": _TEXT,
            "matches": {"type": "integer"},
            **properties,
            "notes": _NOTES,
        },
    }


def _answer(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


_ARTICLE_FIELDS = {
    "id": _TEXT,
    "title": _TEXT,
    "source": {"type": ["string", "null"]},
    "authors": {"type": "array", "items": _TEXT},
    "published": {"type": ["string", "null"], "description": "ISO 8601 date or time"},
    "url": {"type": ["string", "null"]},
    "section": {"type": ["string", "null"]},
    "tags": {"type": "array", "items": _TEXT},
    "domain": {"type": ["string", "null"], "description": "the registrable domain of url"},
    "origin": {
        "type": ["string", "null"],
        "description": "where it was read: a file, with its line, entry or member",
    },
    "extra": {"type": "object", "additionalProperties": _TEXT},
}
_HIT = {
    "type": "object",
    "properties": {
        **_ARTICLE_FIELDS,
        "score": {"type": ["number", "null"], "description": "null when sorted by date"},
        "snippet": {"type": "string", "description": "escaped HTML, matches in <mark>"},
        "similar": {
            "type": "array",
            "items": {"type": "object", "properties": {"id": _TEXT, "source": _TEXT}},
        },
    },
}
_COUNTS = {
    "type": "array",
    "items": {"type": "object", "properties": {"value": _TEXT, "count": {"type": "integer"}}},
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Byline",
        "version": "1",
        "description": "Search a Byline news index: the same documents as `byline search --json`, "
        "`byline show --json`, `byline similar --json`, `byline stats --json`, `byline timeline "
        "--json`, `byline terms --json` and `byline sources --json`. Read-only. An id holding "
        "a slash is sent with it encoded as %2F where it could be read as `/similar`.",
    },
    "paths": {
        "/api/search": {
            "get": {
                "summary": "Ranked, filtered, faceted hits (byline search --json)",
                "parameters": [
                    _query("q", 'Words, "phrases", AND/OR/NOT, field:value.', _TEXT),
                    *_FILTERS,
                    _query(
                        "sort",
                        "Order of the hits.",
                        {"enum": ["relevance", "newest", "oldest"], "default": "relevance"},
                    ),
                    _query("page", "Page number.", {"type": "integer", "minimum": 1, "default": 1}),
                    _query(
                        "limit",
                        "Hits per page.",
                        {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10},
                    ),
                    _ANY,
                    _query("recent", "Favour newer matches (relevance order only).", _FLAG),
                    _query(
                        "facet",
                        "Also count by these (source is always counted).",
                        {"enum": ["author", "section", "tag", "domain", "year"]},
                        many=True,
                    ),
                    _query("collapse", "One hit per story (default true).", _FLAG),
                    _query(
                        "multiselect_facets",
                        "Count each facet with every filter except its own.",
                        _FLAG,
                    ),
                ],
                "responses": {"200": _answer("Hits and facet counts", "SearchResult"), **_ERRORS},
            }
        },
        "/api/articles/{id}": {
            "get": {
                "summary": "One article in full (byline show --json)",
                "parameters": [_ID],
                "responses": {"200": _answer("The article", "Article"), **_ERRORS},
            }
        },
        "/api/articles/{id}/similar": {
            "get": {
                "summary": "Articles like one: its story's copies first (byline similar --json)",
                "parameters": [
                    _ID,
                    _query("limit", "How many.", {"type": "integer", "minimum": 1, "default": 10}),
                ],
                "responses": {"200": _answer("Similar articles", "Similar"), **_ERRORS},
            }
        },
        "/api/stats": {
            "get": {
                "summary": "Counts, date range and size (byline stats --json)",
                "responses": {"200": _answer("Index statistics", "Stats"), **_ERRORS},
            }
        },
        "/api/timeline": {
            "get": {
                "summary": "Attention over time: matches per period, all articles and the share "
                "(byline timeline --json)",
                "parameters": [
                    _query(
                        "q",
                        "A query; repeat for one series each (none: everything).",
                        _TEXT,
                        many=True,
                    ),
                    *_FILTERS,
                    _ANY,
                    _query(
                        "by",
                        "The period (default: chosen from the span).",
                        {"enum": ["day", "week", "month", "year"]},
                    ),
                    _query(
                        "count",
                        "Count articles, or stories (each once, at its first match).",
                        {"enum": ["articles", "stories"], "default": "articles"},
                    ),
                    _query("split", "One series per top source.", {"enum": ["source"]}),
                    _top(5),
                ],
                "responses": {"200": _answer("One series per query", "Timeline"), **_ERRORS},
            }
        },
        "/api/terms": {
            "get": {
                "summary": "What is said: significant words and phrases (byline terms --json)",
                "parameters": [
                    _query("q", 'Words, "phrases", AND/OR/NOT, field:value.', _TEXT),
                    *_FILTERS,
                    _ANY,
                    _query(
                        "field",
                        "Terms of the title or the body.",
                        {"enum": ["title", "body"], "default": "title"},
                    ),
                    _top(30),
                ],
                "responses": {"200": _answer("Terms by log-likelihood", "Terms"), **_ERRORS},
            }
        },
        "/api/sources": {
            "get": {
                "summary": "Who says it: the sources of the matches, with the share of each "
                "one's own output (byline sources --json)",
                "parameters": [
                    _query("q", 'Words, "phrases", AND/OR/NOT, field:value.', _TEXT),
                    *_FILTERS,
                    _ANY,
                    _top(20),
                ],
                "responses": {"200": _answer("Sources, most matches first", "Sources"), **_ERRORS},
            }
        },
    },
    "components": {
        "schemas": {
            "SearchResult": {
                "type": "object",
                "properties": {
                    "query": _TEXT,
                    "total": {"type": "integer"},
                    "page": {"type": "integer"},
                    "limit": {"type": "integer"},
                    "hits": {"type": "array", "items": _HIT},
                    "facets": {"type": "object", "additionalProperties": _COUNTS},
                    "notes": _NOTES,
                },
            },
            "Timeline": {
                "type": "object",
                "properties": {
                    "interval": {"enum": ["day", "week", "month", "year"]},
                    "interval_chosen": _FLAG,
                    "count": {"enum": ["articles", "stories"]},
                    "series": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "query": _TEXT,
                                "source": {"type": "string", "description": "with split=source"},
                                "total": {"type": "integer"},
                                "undated": {"type": "integer"},
                                "buckets": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "start": {"type": "string", "format": "date"},
                                            "count": {"type": "integer"},
                                            "all": {"type": "integer"},
                                            "share": {"type": "number"},
                                        },
                                    },
                                },
                            },
                        },
                    },
                    "notes": _NOTES,
                },
            },
            "Terms": _of_matches(sampled={"type": "integer"}, terms=_OBJECTS),
            "Sources": _of_matches(sources=_OBJECTS),
            "Article": {
                "type": "object",
                "properties": {
                    **_ARTICLE_FIELDS,
                    "rights": {"type": ["string", "null"]},
                    "body": _TEXT,
                },
            },
            "Similar": {
                "type": "object",
                "properties": {"id": _TEXT, "title": _TEXT, "similar": {"type": "array"}},
            },
            "Stats": {"type": "object", "properties": {"articles": {"type": "integer"}}},
            "Error": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {"code": _TEXT, "message": _TEXT},
                        "required": ["code", "message"],
                    }
                },
            },
        },
        "responses": {
            name: {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
            for name, description in (
                ("BadRequest", "A query or parameter that cannot be used"),
                ("NotFound", "No article with that id, or a page past the last"),
                ("NoIndex", "The index does not exist yet, or holds no articles"),
            )
        },
    },
}
