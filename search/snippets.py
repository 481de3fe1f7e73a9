"""Snippets: the best passage of an article's body for a query, with matched words marked.

A snippet is a tuple of ``(text, matched)`` spans, so each renderer decides how to show a match
(``<mark>`` in JSON, colour on a terminal) without re-parsing markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from itertools import compress, count

from whoosh.analysis import Token
from whoosh.highlight import BasicFragmentScorer, ContextFragmenter, Fragment

from index.fast_analysis import CachedAnalyzer

Snippet = tuple[tuple[str, bool], ...]

SNIPPET_CHARS = 220
_SURROUND = SNIPPET_CHARS // 3  # characters of context around the matches of a passage
# Only the start of a very long body is searched for the best passage, to bound the cost.
_MAX_SCANNED_CHARS = 100_000
_ELLIPSIS = "…"
# A passage this close to either end of the text is stretched to reach it.
_STRETCH_CHARS = 30


def make_snippet(text: str, terms: frozenset[str], analyzer: CachedAnalyzer) -> Snippet:
    """The passage of ``text`` with the most matches of ``terms`` (analysed index terms)."""
    text = text[:_MAX_SCANNED_CHARS]
    if terms:
        tokens = _near_matches(*analyzer.spans(text), terms)
        fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=_SURROUND)
        best = _best(fragmenter.fragment_tokens(text, tokens))
        if best is not None:
            return _spans(text, best.startchar, best.endchar, best.matches)
    return _lead(text)


def _near_matches(
    words: list[str], spans: list[tuple[int, int]], terms: frozenset[str]
) -> list[Token]:
    """The tokens Whoosh's ContextFragmenter needs to find the passages it would find in all of
    them: each match, the words within ``_SURROUND`` characters before it, and the words after
    it until their letters add up to twice that (a passage ends within them). It forgets the
    words further back before it reaches a match, so they are left out, which saves building a
    token for every word of a long article. ``words`` are the text's terms, ``spans`` where
    each word starts and ends."""
    keep: set[int] = set()
    for number in compress(count(), map(terms.__contains__, words)):
        keep.add(number)
        if number:  # the word before, and those within reach of its end
            keep.add(number - 1)
            reach = spans[number - 1][1] - _SURROUND
            before = number - 2
            while before >= 0 and spans[before][0] >= reach:
                keep.add(before)
                before -= 1
        after, letters = number + 1, 0
        while after < len(words) and letters < 2 * _SURROUND:
            keep.add(after)
            letters += spans[after][1] - spans[after][0]
            after += 1
    tokens = []
    for number in sorted(keep):
        term = words[number]
        token = Token(chars=True, text=term, boost=1.0, matched=term in terms)
        token.startchar, token.endchar = spans[number]
        tokens.append(token)
    return tokens


def _best(fragments: Iterable[Fragment]) -> Fragment | None:
    """The best-scoring passage, the earliest of equals.

    (Whoosh's ``top_fragments`` breaks ties by the fragments' memory addresses, so the same
    search could show a different passage from one run to the next.)
    """
    scorer = BasicFragmentScorer()
    best, best_score = None, 0.0
    for fragment in fragments:
        score = scorer(fragment)
        if score >= 1 and (best is None or score > best_score):
            best, best_score = fragment, score
    return best


def _spans(text: str, start: int, end: int, matches: list) -> Snippet:  # type: ignore[type-arg]
    spans: list[tuple[str, bool]] = []
    start = 0 if start <= _STRETCH_CHARS else start
    end = len(text) if len(text) - end <= _STRETCH_CHARS else end
    if start > 0:
        spans.append((_ELLIPSIS, False))
    position = start
    for token in sorted(matches, key=lambda t: t.startchar):
        if token.startchar < position:
            continue
        spans.append((text[position : token.startchar], False))
        spans.append((text[token.startchar : token.endchar], True))
        position = token.endchar
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
