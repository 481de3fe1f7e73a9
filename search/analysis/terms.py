"""What is said: the words and two-word phrases that set the matches apart from the whole
archive (significant terms), scored by log-likelihood (Dunning's G²).

Each story counts once (its first match stands for its copies, as Elasticsearch's
``filter_duplicate_text`` counts repeated text once), and a term counts once per story: its
foreground figure is the number of matching stories that use it, its background figure the
number of articles of an even sample of the archive that do. When more stories match than
``SAMPLE``, an even sample of that many is read, and the result says how many were.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from index.errors import InvalidOption
from search.engine import Engine
from search.query import Filters, plain_words
from search.relative_dates import range_notes, resolve_bounds
from search.results import SearchRequest

FIELDS = ("title", "body")
# Matching stories read at most, and archive articles read for the background (Media Cloud reads
# 5,000 headlines too, but does not say so). Reading an article costs most of the time.
SAMPLE = 5_000
BACKGROUND_SAMPLE = 5_000
MIN_COUNT = 2  # a term used by fewer matching stories is left out

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    count: int  # matching stories using it (of the sampled ones)
    background: int  # sampled archive articles using it
    score: float  # log-likelihood G²


@dataclass(frozen=True, slots=True)
class TermsResult:
    query: str
    field: str
    matches: int  # matching articles
    stories: int  # matching stories
    sampled: int  # matching stories read (all of them unless more than SAMPLE)
    background: int  # archive articles read for the background
    terms: list[Term]
    notes: tuple[str, ...] = ()  # a relative range that holds no article at all


def significant_terms(
    engine: Engine,
    query: str,
    filters: Filters | None = None,
    top: int = 30,
    field: str = "title",
    match_any: bool = False,
    sample: int = SAMPLE,
) -> TermsResult:
    """The ``top`` terms of ``field`` most over-represented in the matches against the archive."""
    if top < 1:
        raise InvalidOption("--top must be at least 1")
    if field not in FIELDS:
        raise InvalidOption(f"unknown field {field!r} (one of: {', '.join(FIELDS)})")
    filters = resolve_bounds(engine, filters or Filters())
    request = SearchRequest(query, filters, match_any, facets=(), sort="oldest")
    by_article = engine.daily_counts(request)
    matches = sum(by_article.days.values()) + by_article.undated
    by_story = engine.daily_counts(request, stories=True)
    stories = sum(by_story.days.values()) + by_story.undated
    foreground, sampled = _document_frequencies(
        _text(match.article, field) for match in engine.matches(request, True, sample)
    )
    archive = SearchRequest(facets=(), sort="oldest")
    background, read = _document_frequencies(
        _text(match.article, field) for match in engine.matches(archive, False, BACKGROUND_SAMPLE)
    )
    asked = set(terms_of(plain_words(query)))
    scored = [
        Term(term, count, background[term], _log_likelihood(count, sampled, background[term], read))
        for term, count in foreground.items()
        if count >= MIN_COUNT and term not in asked and count / sampled > background[term] / read
    ]
    scored.sort(key=lambda term: (-term.score, term.term))
    notes = range_notes(engine, filters, matches)
    return TermsResult(query, field, matches, stories, sampled, read, scored[:top], notes)


def terms_of(text: str) -> list[str]:
    """The words of ``text`` (lower case, stopwords out) and the two-word phrases of words that
    were next to each other."""
    stop = _stopwords()
    found: list[str] = []
    previous = None
    for match in _WORD.finditer(text.lower()):
        word = match.group().replace("’", "'")
        if word in stop or len(word) < 2:
            previous = None
            continue
        found.append(word)
        if previous is not None:
            found.append(f"{previous} {word}")
        previous = word
    return found


def _text(article, field: str) -> str:  # type: ignore[no-untyped-def]
    return article.title if field == "title" else article.body


def _document_frequencies(texts: Iterable[str]) -> tuple[Counter[str], int]:
    """How many of ``texts`` use each term, and how many texts there were."""
    counts: Counter[str] = Counter()
    read = 0
    for text in texts:
        counts.update(set(terms_of(text)))
        read += 1
    return counts, read


def _log_likelihood(count: int, size: int, background: int, background_size: int) -> float:
    """Dunning's G² for a term used by ``count`` of ``size`` matching stories and
    ``background`` of ``background_size`` archive articles."""

    def part(observed: float, expected: float) -> float:
        return observed * math.log(observed / expected) if observed else 0.0

    total = size + background_size
    used = count + background
    unused = total - used
    cells = [
        (count, size * used / total),
        (size - count, size * unused / total),
        (background, background_size * used / total),
        (background_size - background, background_size * unused / total),
    ]
    return round(2 * sum(part(observed, expected) for observed, expected in cells), 3)


@cache
def _stopwords() -> frozenset[str]:
    from importlib.resources import files  # (only when terms are asked for)

    text = files("search.analysis").joinpath("stopwords.txt").read_text(encoding="utf-8")
    lines = (line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(word for line in lines for word in line.split())
