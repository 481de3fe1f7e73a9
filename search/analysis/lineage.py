"""Syndication lineage: a story's first article, every copy with its delay after the first, and
how many sources carried it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from index.article import Article
from index.enrich.dates import to_naive_utc
from search.engine import Engine


@dataclass(frozen=True, slots=True)
class Copy:
    article: Article
    delay: timedelta | None  # after the first article; None when either has no date


@dataclass(frozen=True, slots=True)
class Lineage:
    story: str
    first: Article  # the earliest dated article (the asked-for one if none has a date)
    copies: list[Copy]  # every article of the story, the first one included, earliest first
    sources: int  # distinct sources (case ignored)


def lineage(engine: Engine, article_id: str) -> Lineage:
    """The lineage of the story ``article_id`` belongs to."""
    members = engine.story(article_id)
    ordered = sorted(
        members, key=lambda match: (_moment(match.article.published), match.article.id)
    )
    first = ordered[0].article
    start = first.published
    copies = [
        Copy(
            match.article,
            None
            if start is None or match.article.published is None
            else to_naive_utc(match.article.published) - to_naive_utc(start),
        )
        for match in ordered
    ]
    sources = {match.article.source.casefold() for match in members if match.article.source}
    return Lineage(members[0].story, first, copies, len(sources))


def _moment(published: datetime | date | None) -> datetime:
    return datetime.max if published is None else to_naive_utc(published)
