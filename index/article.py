"""The article model: what every reader produces and every index document is made from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True)
class Article:
    """One news article, cleaned and ready to index.

    ``published`` is a timezone-aware ``datetime`` in UTC when the source gave a time, a plain
    ``date`` when it gave only the day (that precision is kept, not invented), or ``None``.
    ``domain`` is the registrable domain of ``url``; ``origin`` says where the article was read
    (a file, with its line, entry or archive member); ``extra`` holds the record's fields that
    map to no article field (a CSV's other columns), as text, under their own names.
    """

    title: str
    body: str
    id: str = ""
    source: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | date | None = None
    url: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    rights: str | None = None
    domain: str | None = None
    origin: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def with_id(article: Article) -> Article:
    """The article with its id settled: the given id, else its URL, else a hash of its text.

    Called after cleaning, so the same text scraped twice with different spacing gets one id.
    """
    if article.id:
        return article
    article.id = article.url or content_id(article.title, article.body)
    return article


def content_id(title: str, body: str) -> str:
    """A stable id for an article that has neither an id nor a URL: a hash of its text."""
    digest = hashlib.sha1(f"{title}\n{body}".encode()).hexdigest()
    return f"sha1:{digest[:20]}"


def published_iso(published: datetime | date | None) -> str | None:
    """ISO 8601 text of a publication date, keeping date-only precision."""
    return published.isoformat() if published is not None else None


def published_from_iso(text: str | None) -> datetime | date | None:
    """The publication time (or day) ``published_iso`` wrote."""
    if not text:
        return None
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def article_record(article: Article) -> dict[str, object]:
    """The article as plain values (dates in ISO 8601), as JSON output and exports give it."""
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "authors": article.authors,
        "published": published_iso(article.published),
        "url": article.url,
        "section": article.section,
        "tags": article.tags,
        "rights": article.rights,
        "body": article.body,
        "domain": article.domain,
        "origin": article.origin,
        "extra": article.extra,
    }
