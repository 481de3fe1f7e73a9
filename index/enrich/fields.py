"""Turning a raw record (a dict from any reader) into an ``Article``.

Common field names are recognised without configuration; ``--field body=article_text`` maps any
other name, and ``--source``/``--author``/``--section`` fill what the records lack. A record
without a source is credited to the publication its URL belongs to (``index/enrich/publishers.py``).
Metadata and URLs have backslash escapes of punctuation undone (``Chicago Tribune \\(blog\\)``), and
fields that map to nothing are kept as the article's ``extra`` metadata, not dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from index.article import Article
from index.enrich.authors import read_byline
from index.enrich.clean import unescape_punctuation
from index.enrich.dates import parse_published
from index.enrich.domains import registrable_domain
from index.enrich.publishers import load_publishers, name_source
from index.errors import ArticleError, InvalidDate, InvalidOption

# Article field -> names it goes by in the wild, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "guid", "uuid", "doc_id", "article_id"),
    "title": ("title", "headline"),
    "body": ("body", "content", "text", "article", "description"),
    "source": ("source", "publication", "publisher", "outlet"),
    "authors": ("authors", "author", "byline", "creator"),
    "published": ("published", "date", "published_at", "pubdate", "timestamp", "datetime"),
    "url": ("url", "link", "canonical_url"),
    "section": ("section", "category"),
    "tags": ("tags", "keywords", "subjects"),
    "rights": ("rights", "copyright"),
}

# A page's own name for its site (og:site_name): the source only when the publishers table does
# not know the URL's domain (``index/enrich/publishers.py``).
SITE_NAME = "site_name"
# Fields whose values are text as published, never escaped on purpose: left as they are.
_VERBATIM = frozenset({"id", "title", "body"})
# Longer than any real article (War and Peace is 3.2 million characters): a dump, not a story.
MAX_ARTICLE_CHARS = 10_000_000
_TAG_SPLIT = re.compile(r"\s*[;,|]\s*")


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """How records map to articles: explicit field names, and defaults for what is missing."""

    names: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    publishers: Mapping[str, str] = field(default_factory=load_publishers)

    @classmethod
    def parse(
        cls,
        specs: list[str],
        defaults: Mapping[str, Any] | None = None,
        publishers: Mapping[str, str] | None = None,
    ) -> FieldMapping:
        """Build from ``article_field=record_name`` option values."""
        names: dict[str, str] = {}
        for spec in specs:
            target, sep, name = spec.partition("=")
            target = target.strip().lower()
            target = "authors" if target == "author" else "tags" if target == "tag" else target
            if not sep or not name.strip():
                raise InvalidOption(f"--field {spec!r} should look like body=article_text")
            if target not in ALIASES:
                raise InvalidOption(
                    f"--field {spec!r}: unknown article field {target!r} "
                    f"(one of: {', '.join(ALIASES)})"
                )
            names[target] = name.strip()
        return cls(
            names,
            {k: v for k, v in (defaults or {}).items() if v},
            load_publishers() if publishers is None else publishers,
        )


def record_to_article(
    record: Mapping[str, Any],
    mapping: FieldMapping,
    warn: Callable[[str], None] | None = None,
) -> Article:
    """Map one record's fields to an article; raise ``ArticleError`` when it cannot be one.

    A date that cannot be read does not cost the article: it is indexed undated and ``warn``
    hears why.
    """
    if not isinstance(record, Mapping):
        raise ArticleError(f"expected an object with article fields, got {type(record).__name__}")
    lowered = {str(key).strip().lower(): value for key, value in record.items()}
    values = {name: _pick(lowered, name, mapping) for name in ALIASES}
    for name in ALIASES.keys() - _VERBATIM:
        values[name] = _unescaped(values[name])
    site_name = unescape_punctuation(_text(lowered.get(SITE_NAME)))
    for name, default in mapping.defaults.items():
        if _is_empty(values.get(name)) and not (name == "source" and site_name):
            values[name] = default
    title, body = _text(values["title"]), _text(values["body"])
    if not title and not body:
        raise ArticleError("no title or body (looked for: title, headline, body, content, text)")
    if len(title) + len(body) > MAX_ARTICLE_CHARS:
        raise ArticleError(
            f"text of {len(title) + len(body):,} characters is over the "
            f"{MAX_ARTICLE_CHARS:,} limit for one article"
        )
    try:
        published = parse_published(values["published"])
    except InvalidDate as exc:
        published = None
        if warn is not None:
            warn(f"{exc}; indexed without a date")
    url = _text(values["url"]) or None
    byline = read_byline(values["authors"])
    source = _text(values["source"]) or name_source(
        url, site_name, mapping.publishers, byline.agency
    )
    return Article(
        id=_text(values["id"]),
        title=title or _first_words(body),
        body=body,
        source=source,
        authors=byline.names,
        published=published,
        url=url,
        section=_text(values["section"]) or None,
        tags=_split_list(values["tags"], _TAG_SPLIT),
        rights=_text(values["rights"]) or None,
        domain=registrable_domain(url) if url else None,
        extra=_extra(record, mapping),
    )


def _pick(record: Mapping[str, Any], name: str, mapping: FieldMapping) -> Any:
    if name in mapping.names:
        return record.get(mapping.names[name].lower())
    for alias in ALIASES[name]:
        if not _is_empty(record.get(alias)):
            return record[alias]
    return None


def _extra(record: Mapping[str, Any], mapping: FieldMapping) -> dict[str, str]:
    """The record's non-empty fields that no article field was looked for in, as text."""
    known = {SITE_NAME, *(alias for aliases in ALIASES.values() for alias in aliases)}
    known |= {name.lower() for name in mapping.names.values()}
    extra = {}
    for key, value in record.items():
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, Mapping) else _text(value)
        if text and str(key).strip().lower() not in known:
            extra[str(key).strip()] = unescape_punctuation(text)
    return extra


def _unescaped(value: Any) -> Any:
    if isinstance(value, str):
        return unescape_punctuation(value)
    if isinstance(value, list | tuple):
        return [_unescaped(item) for item in value]
    return value


def _split_list(value: Any, separator: re.Pattern[str]) -> list[str]:
    if isinstance(value, list | tuple):
        return [text for item in value if (text := _text(item))]
    return [part for part in separator.split(_text(value)) if part]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n\n".join(_text(item) for item in value)
    return str(value).strip()


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _first_words(body: str, count: int = 12) -> str:
    words = body.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")
