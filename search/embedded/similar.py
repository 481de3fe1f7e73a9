"""Syndicated copies and look-alikes: collapsing story groups in results, and ``byline similar``.

Story keys are given at index time (``index/stories.py``). A search keeps the best hit of each
story and names the others; ``find_similar`` lists the articles most like one article — its own
story's copies first, then others by shared key terms (more-like-this).
"""

from __future__ import annotations

from collections.abc import Container
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh import sorting
from whoosh.collectors import CollapseCollector, Collector
from whoosh.searching import Searcher

from index.article import Article
from index.article_fields import TITLE_BOOST
from index.embedded.schema import from_stored
from index.embedded.store import open_index
from index.errors import ArticleError, InvalidOption
from search.embedded.ranking import weighting
from search.results import SimilarHit, SimilarResult, StoryMember

# Key terms taken from an article's body to find others like it.
BODY_TERMS = 25
MAX_SIMILAR = 100


def collapse_stories(collector: Collector) -> Collector:
    """Keep only the best hit of each story among what ``collector`` gathers."""
    return CollapseCollector(collector, sorting.FieldFacet("story"), limit=1)


def story_members(
    searcher: Searcher, hit: int, stored: dict[str, Any], matching: Container[int]
) -> tuple[StoryMember, ...]:
    """The other articles of a hit's story among the search's matches (the collapsed ones);
    ``hit`` is the hit's document number and ``stored`` its stored fields."""
    story = stored.get("story")
    if not story:
        return ()
    members = []
    for docnum in searcher.document_numbers(story=story):
        if docnum != hit and docnum in matching:
            other = searcher.stored_fields(docnum)
            members.append(StoryMember(other["id"], other.get("source")))
    return tuple(members)


def find_similar(index_path: Path, article_id: str, limit: int = 10) -> SimilarResult:
    """The articles most like one article: same story first, then by shared key terms."""
    if not 1 <= limit <= MAX_SIMILAR:
        raise InvalidOption(f"--limit must be between 1 and {MAX_SIMILAR}")
    ix = open_index(index_path)
    with ix.searcher(weighting=weighting()) as searcher:
        docnum = next(iter(searcher.document_numbers(id=article_id)), None)
        if docnum is None:
            raise ArticleError(f"no article with id {article_id!r} in {index_path}")
        return similar_to(searcher, docnum, limit)


def similar_to(
    searcher: Searcher, docnum: int, limit: int, *, same_story_first: bool = True
) -> SimilarResult:
    """``find_similar`` on an open searcher, for callers asking about many articles
    (``same_story_first=False`` ranks by shared terms alone, as a baseline to measure)."""
    stored = searcher.stored_fields(docnum)
    article = from_stored(stored)
    story = stored.get("story") if same_story_first else None
    same = set(searcher.document_numbers(story=story)) - {docnum} if story else set()
    like = _more_like_query(searcher, article)
    scores: dict[int, float] = {}
    if like is not None:
        for hit in searcher.search(like, limit=limit + len(same), mask={docnum}):
            scores[hit.docnum] = hit.score
    ranked = sorted(same, key=lambda d: -scores.get(d, 0.0))
    ranked += [d for d in scores if d not in same]
    hits = [
        SimilarHit(from_stored(searcher.stored_fields(d)), scores.get(d, 0.0), d in same)
        for d in ranked[:limit]
    ]
    return SimilarResult(article, hits)


def _more_like_query(searcher: Searcher, article: Article) -> wq.Query | None:
    """Every headline word (a headline is short and all signal) and the body's key terms
    (Bo1-weighted, as Whoosh's more-like-this picks them), each sought in title and body."""
    weights = {token.text: 1.0 for token in searcher.schema["title"].analyzer(article.title)}
    if article.body.strip():
        key_terms = searcher.key_terms_from_text("body", article.body, numterms=BODY_TERMS)
        top = max((weight for _, weight in key_terms), default=1.0) or 1.0
        for term, weight in key_terms:
            weights[term] = max(weight / top, weights.get(term, 0.0))
    if not weights:
        return None
    clauses: list[wq.Query] = []
    for term, weight in weights.items():
        clauses.append(wq.Term("title", term, boost=weight * TITLE_BOOST))
        clauses.append(wq.Term("body", term, boost=weight))
    return wq.Or(clauses)
