"""Snippets: the best passage of an article's body for a query, with matched words marked.

A snippet is a tuple of ``(text, matched)`` spans (``search/results.py``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from itertools import compress, count

from whoosh.highlight import DEFAULT_CHARLIMIT

from index.embedded.fast_analysis import CachedAnalyzer
from search.results import Snippet

Passage = tuple[int, int, list[int]]  # where it starts and ends, and its matched words

SNIPPET_CHARS = 220
_SURROUND = SNIPPET_CHARS // 3  # characters of context around the matches of a passage
# Only the start of a very long body is searched for the best passage, to bound the cost.
_MAX_SCANNED_CHARS = 100_000
_ELLIPSIS = "…"
# A passage this close to either end of the text is stretched to reach it.
_STRETCH_CHARS = 30
# Searching a news article's text for a word takes about 2 µs, analysing all its words (to find
# the query's) 300 to 450: past this many forms, a snippet analyses every word.
_MOST_SEARCHED_FORMS = 100


def make_snippet(
    text: str,
    terms: frozenset[str],
    analyzer: CachedAnalyzer,
    forms: Mapping[str, str] | None = None,
) -> Snippet:
    """The passage of ``text`` with the most matches of ``terms`` (analysed index terms).

    The passage is the one Whoosh's highlighter picks (``ContextFragmenter``, passages scored
    by ``BasicFragmentScorer``, the earliest of equals), found from the words' terms and where
    they are, without a token object a word. With ``forms`` (``searched_forms``), the words are
    found by searching the text for them; without, by analysing every word."""
    text = text[:_MAX_SCANNED_CHARS]
    if terms:
        if forms is None:
            words, bounds = analyzer.spans(text)
            numbers = compress(count(), map(terms.__contains__, words))
            matches = {number: words[number] for number in numbers}
        else:
            bounds = analyzer.bounds(text)
            matches = _found(text, bounds, forms)
        best = _best(bounds, matches)
        if best is not None:
            start, end, matched = best
            spans = [(bounds[2 * number], bounds[2 * number + 1]) for number in matched]
            return _spans(text, start, end, spans)
    return _lead(text)


def searched_forms(
    terms: frozenset[str], analyzer: CachedAnalyzer, written: Iterable[str]
) -> dict[str, str] | None:
    """The words to search a text for to find ``terms``: the terms themselves and their
    ``written`` forms (``index/embedded/forms.py``), each with its term, those that are not one of
    ``terms`` left out (the table holds every form that is, and may hold others). None when
    there are so many that analysing every word of a text is faster (a wildcard's)."""
    words = list(terms.union(written))
    if len(words) > _MOST_SEARCHED_FORMS:
        return None
    return {
        word: text for word, text in zip(words, analyzer.texts(words), strict=True) if text in terms
    }


def _found(text: str, bounds: list[int], forms: Mapping[str, str]) -> dict[int, str]:
    """The words of ``text`` (where they are: ``bounds``) that are one of ``forms``, by number,
    each with its term, in order."""
    matches: dict[int, str] = {}
    for form, term in forms.items():
        at = text.find(form)
        while at >= 0:
            end = at + len(form)
            number = bisect_left(bounds, at)
            if bounds[number : number + 2] == [at, end] and number % 2 == 0:  # a word, not part
                matches[number // 2] = term
            at = text.find(form, end)
    return dict(sorted(matches.items()))


def _best(bounds: list[int], matches: dict[int, str]) -> Passage | None:
    """The best-scoring passage, the earliest of equals; None if no word matches. ``matches``
    are the matched words, in order, each with its term.

    (Whoosh's ``top_fragments`` breaks ties by the fragments' memory addresses, so the same
    search could show a different passage from one run to the next.)
    """
    numbers = list(matches)
    best, best_score = None, 0
    for passage in _passages(bounds, _near(numbers, bounds, len(bounds) // 2), set(numbers)):
        matched = passage[2]
        # BasicFragmentScorer's: the matches, times a hundred for each different word matched.
        score = len(matched) * 100 * len({matches[number] for number in matched})
        if score > best_score:
            best, best_score = passage, score
    return best


def _near(matches: list[int], bounds: list[int], words: int) -> list[int]:
    """The words ``_passages`` needs to find the passages it would find in all of them: each
    match, the words within ``_SURROUND`` characters before it, and the words after it until
    their letters add up to twice that (a passage ends within them). It forgets the words
    further back before it reaches a match, so they are left out, which saves a step for every
    word of a long article. Word ``i`` runs from ``bounds[2 * i]`` to ``bounds[2 * i + 1]``."""
    keep: set[int] = set()
    for number in matches:
        keep.add(number)
        if number:  # the word before, and those within reach of its end
            keep.add(number - 1)
            reach = bounds[2 * number - 1] - _SURROUND
            before = number - 2
            while before >= 0 and bounds[2 * before] >= reach:
                keep.add(before)
                before -= 1
        after, letters = number + 1, 0
        while after < words and letters < 2 * _SURROUND:
            keep.add(after)
            letters += bounds[2 * after + 1] - bounds[2 * after]
            after += 1
    return sorted(keep)


def _passages(bounds: list[int], numbers: list[int], matches: set[int]) -> Iterator[Passage]:
    """The passages Whoosh's ``ContextFragmenter`` (``SNIPPET_CHARS`` long at most, with
    ``_SURROUND`` characters of context) makes of the words ``numbers``, step for step."""
    first: int | None = None  # where the passage starts
    firsts: deque[int] = deque()  # where the words before a match start, within reach
    countdown = -1  # characters left to the passage's end; below 0 outside a passage
    matched: list[int] = []
    length = 0
    end = 0
    for number in numbers:
        start, end = bounds[2 * number], bounds[2 * number + 1]
        if end > DEFAULT_CHARLIMIT:  # (Whoosh looks no further into a text)
            break
        is_match = number in matches
        if countdown < 0 and not is_match:
            firsts.append(start)
            while firsts and end - firsts[0] > _SURROUND:
                firsts.popleft()
        elif length + end - start > SNIPPET_CHARS:
            countdown = 0
        elif is_match:
            countdown = _SURROUND
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = start
                    countdown += _SURROUND  # the context it has no room for before
            matched.append(number)
        if countdown >= 0:
            length += end - start
            countdown -= end - start
            if countdown <= 0:
                yield first, end, matched  # type: ignore[misc]
                first, firsts, matched, length = None, deque(), [], 0
    if matched:
        yield first, end, matched  # type: ignore[misc]


def _spans(text: str, start: int, end: int, matches: list[tuple[int, int]]) -> Snippet:
    """The passage from ``start`` to ``end`` (stretched to an end of the text close by) as
    spans of text, the ``matches`` (where each starts and ends) marked."""
    spans: list[tuple[str, bool]] = []
    start = 0 if start <= _STRETCH_CHARS else start
    end = len(text) if len(text) - end <= _STRETCH_CHARS else end
    if start > 0:
        spans.append((_ELLIPSIS, False))
    position = start
    for match_start, match_end in sorted(matches):
        if match_start < position:
            continue
        spans.append((text[position:match_start], False))
        spans.append((text[match_start:match_end], True))
        position = match_end
    spans.append((text[position:end], False))
    if end < len(text):
        spans.append((_ELLIPSIS, False))
    return tuple((" ".join(part.split("\n")), matched) for part, matched in spans if part)


def _lead(text: str) -> Snippet:
    """The opening of the body, cut at a word boundary, when no query word is in it."""
    if len(text) <= SNIPPET_CHARS:
        return ((" ".join(text.split()), False),) if text.strip() else ()
    cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return ((" ".join(cut.split()), False), (_ELLIPSIS, False))
