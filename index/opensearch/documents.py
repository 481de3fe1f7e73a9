"""An article as a cluster document and back: the stored source holds every field as published,
plus the story key and the terms a URL is found by."""

from __future__ import annotations

from typing import Any

from index.article import Article, published_from_iso, published_iso
from index.enrich.domains import url_terms


def to_document(article: Article, story: str) -> dict[str, Any]:
    """The document stored for an article of story ``story``; fields without a value left out."""
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "story": story,
        "authors": article.authors,
        "tags": article.tags,
    }
    optional = {
        "source": article.source,
        "section": article.section,
        "domain": article.domain,
        "url": article.url,
        "url_terms": url_terms(article.url) if article.url else None,
        "published": published_iso(article.published),
        "rights": article.rights,
        "origin": article.origin,
        "extra": article.extra,
    }
    doc.update({name: value for name, value in optional.items() if value})
    return doc


def from_source(source: dict[str, Any]) -> Article:
    """The article a document's stored source holds."""
    return Article(
        id=source["id"],
        title=source.get("title", ""),
        body=source.get("body", ""),
        source=source.get("source"),
        authors=list(source.get("authors") or []),
        published=published_from_iso(source.get("published")),
        url=source.get("url"),
        section=source.get("section"),
        tags=list(source.get("tags") or []),
        rights=source.get("rights"),
        domain=source.get("domain"),
        origin=source.get("origin"),
        extra=source.get("extra") or {},
    )
