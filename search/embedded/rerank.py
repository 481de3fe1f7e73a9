"""Second-stage ranking for questions and sentences: words side by side, and the top hits' topic.

BM25 scores each query word on its own. For a natural-language query ("what similarity laws must
be obeyed when constructing aeroelastic models of heated high speed aircraft") two more signals
pay off on judged queries (README, Evaluation and ranking):

* proximity: words that follow each other in the query and also in an article ("skin friction",
  "boundary layer", "interest rates") count extra, once per pair, the way BM25 counts a word;
* feedback: the best few matches are mostly on topic, so the words they share describe the topic
  better than the question does. A candidate that shares them rises (Rocchio-style pseudo-relevance
  feedback).

Only the first ``DEPTH`` matches are reordered; nothing is added or dropped, so every hit still
contains a query word and the total is unchanged. Scores come out on one scale: 1.0 is the best
first-stage match, and the signals add to that.

Both signals are computed from the candidates' own text, analysed as the index analyses it, so the
work is the same at a thousand articles or a million (reading the postings of twenty feedback
words at fifty scattered documents costs a block read each, hundreds of milliseconds on a large
index).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import pairwise

from whoosh.searching import Searcher

from index.article_fields import TITLE_BOOST
from index.embedded.analysis import is_content_term
from search.embedded.ranking import BM25_B, BM25_K1, Ranked, best_first

DEPTH = 50  # first-stage matches reordered
PROXIMITY_WEIGHT = 0.8
FEEDBACK_DOCS = 5  # top matches taken as on topic
FEEDBACK_TERMS = 20  # of their words, the ones that describe the topic
FEEDBACK_WEIGHT = 1.5
# Each of those matches counts by its score (1.0 for the best) to this power, so the best lead
# and a weaker one that slipped in counts little: as relevance models weight a document by its
# query likelihood, which falls much faster than a BM25 score.
FEEDBACK_SHARPNESS = 4
_WORDS_PER_DOC = 40  # a feedback article's most frequent words considered
_FIELDS = ("title", "body")
_FIELD_WEIGHTS = {"title": TITLE_BOOST, "body": 1.0}

_Words = dict[str, list[str]]  # field -> its analysed words, in order


def rerank(searcher: Searcher, words: Sequence[str], ranked: Ranked) -> Ranked:
    """``ranked`` with its first ``DEPTH`` entries rescored; ``words`` are the query's analysed
    words in query order."""
    head, tail = ranked[:DEPTH], ranked[DEPTH:]
    if len(head) < 2 or head[0][1] <= 0:
        return ranked
    texts = {docnum: _analysed(searcher, docnum) for docnum, _ in head}
    # (Field lengths are counted in content words too: schema.py.)
    norms = {field: searcher.avg_field_length(field, 1.0) or 1.0 for field in _FIELDS}
    pairs = {(a, b) for a, b in pairwise(words) if a != b}
    scores = dict(head)
    for docnum, text in texts.items():
        scores[docnum] += _proximity(searcher, pairs, text, norms)
    top = max(scores.values())
    scores = {docnum: score / top for docnum, score in scores.items()}
    if len(scores) >= 2 * FEEDBACK_DOCS:  # with fewer, the "top few" are all there is
        ordered = sorted(scores.items(), key=best_first)[:FEEDBACK_DOCS]
        topic = _topic_words(searcher, [(texts[docnum], score) for docnum, score in ordered])
        related = {docnum: _bm25f(topic, text, norms) for docnum, text in texts.items()}
        most = max(related.values(), default=0.0)
        for docnum, value in related.items() if most > 0 else ():
            scores[docnum] += FEEDBACK_WEIGHT * value / most
    first = head[0][1]
    return sorted(scores.items(), key=best_first) + [(d, s / first) for d, s in tail]


def _analysed(searcher: Searcher, docnum: int) -> _Words:
    """An article's content words by field, in order (``content_words``)."""
    stored = searcher.stored_fields(docnum)
    analyzer = searcher.schema["body"].analyzer
    return {field: content_words(analyzer.terms(stored.get(field) or "")) for field in _FIELDS}


def content_words(words: Sequence[str]) -> list[str]:
    """``words`` (analysed) that are content terms (``is_content_term``), side by side as they
    would be read without the others: the words proximity pairs and feedback look at."""
    return list(filter(is_content_term, words))


def _saturated(count: float, length: int, average: float) -> float:
    """BM25's term-frequency part, with the engine's K1 and B."""
    norm = 1 - BM25_B + BM25_B * length / average
    return count * (BM25_K1 + 1) / (count + BM25_K1 * norm)


def _proximity(
    searcher: Searcher, pairs: set[tuple[str, str]], text: _Words, averages: dict[str, float]
) -> float:
    """Pairs of neighbouring query words found side by side, scored like a BM25 term whose
    rarity is that of the rarer word."""
    if not pairs:
        return 0.0
    found: Counter[tuple[str, str]] = Counter()
    for field in _FIELDS:
        found.update(pair for pair in pairwise(text[field]) if pair in pairs)
    length = sum(len(text[field]) for field in _FIELDS)
    average = sum(averages.values())
    return sum(
        PROXIMITY_WEIGHT
        * max(searcher.idf("body", a), searcher.idf("body", b))
        * _saturated(count, length, average)
        for (a, b), count in found.items()
    )


def _topic_words(searcher: Searcher, top: list[tuple[_Words, float]]) -> dict[str, float]:
    """The words that best describe what the top matches have in common, weighted by each
    match's sharpened score and the word's weight in it (tf-idf, normalised per article)."""
    centroid: dict[str, float] = defaultdict(float)
    for text, score in top:
        counts = Counter(word for field in _FIELDS for word in text[field])
        weights = {
            word: (1 + math.log(count)) * searcher.idf("body", word)
            for word, count in counts.most_common(_WORDS_PER_DOC)
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for word, w in weights.items():
            centroid[word] += score**FEEDBACK_SHARPNESS * w / norm
    chosen = sorted(centroid.items(), key=lambda item: (-item[1], item[0]))[:FEEDBACK_TERMS]
    return {word: weight * searcher.idf("body", word) for word, weight in chosen}


def _bm25f(weights: dict[str, float], text: _Words, averages: dict[str, float]) -> float:
    """The BM25F score of weighted words (weights include their idf) in one article."""
    score = 0.0
    for field in _FIELDS:
        counts = Counter(text[field])
        length = len(text[field])
        for word, weight in weights.items():
            if count := counts.get(word):
                score += weight * _FIELD_WEIGHTS[field] * _saturated(count, length, averages[field])
    return score
