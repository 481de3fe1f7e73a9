"""Snippets: the best passage of an article's body for a query, with matched words marked.

A snippet is a tuple of ``(text, matched)`` spans, so each renderer decides how to show a match
(``<mark>`` in JSON, colour on a terminal) without re-parsing markup.
"""

from __future__ import annotations

import html
from collections import deque
from collections.abc import Iterator
from itertools import compress, count

from whoosh.highlight import DEFAULT_CHARLIMIT

from index.fast_analysis import CachedAnalyzer

Snippet = tuple[tuple[str, bool], ...]
Passage = tuple[int, int, list[int]]  # where it starts and ends, and its matched words

SNIPPET_CHARS = 220
_SURROUND = SNIPPET_CHARS // 3  # characters of context around the matches of a passage
# Only the start of a very long body is searched for the best passage, to bound the cost.
_MAX_SCANNED_CHARS = 100_000
_ELLIPSIS = "…"
# A passage this close to either end of the text is stretched to reach it.
_STRETCH_CHARS = 30


def make_snippet(text: str, terms: frozenset[str], analyzer: CachedAnalyzer) -> Snippet:
    """The passage of ``text`` with the most matches of ``terms`` (analysed index terms).

    The passage is the one Whoosh's highlighter picks (``ContextFragmenter``, passages scored
    by ``BasicFragmentScorer``, the earliest of equals), found from the words' terms and where
    they are, without a token object a word."""
    text = text[:_MAX_SCANNED_CHARS]
    if terms:
        words, bounds = analyzer.spans(text)
        best = _best(words, bounds, terms)
        if best is not None:
            start, end, matched = best
            spans = [(bounds[2 * number], bounds[2 * number + 1]) for number in matched]
            return _spans(text, start, end, spans)
    return _lead(text)


def _best(words: list[str], bounds: list[int], terms: frozenset[str]) -> Passage | None:
    """The best-scoring passage, the earliest of equals; None if no word matches.

    (Whoosh's ``top_fragments`` breaks ties by the fragments' memory addresses, so the same
    search could show a different passage from one run to the next.)
    """
    matches = list(compress(count(), map(terms.__contains__, words)))
    best, best_score = None, 0
    for passage in _passages(bounds, _near(matches, bounds, len(words)), set(matches)):
        matched = passage[2]
        # BasicFragmentScorer's: the matches, times a hundred for each different word matched.
        score = len(matched) * 100 * len({words[number] for number in matched})
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


def snippet_html(snippet: Snippet) -> str:
    """HTML-escaped text with matches wrapped in ``<mark>`` (the JSON contract)."""
    return "".join(
        f"<mark>{html.escape(part)}</mark>" if matched else html.escape(part)
        for part, matched in snippet
    )
