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
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from itertools import pairwise

from whoosh import query as wq
from whoosh.searching import Searcher

from index.schema import TITLE_BOOST
from search.ranking import BM25_B, BM25_K1

DEPTH = 50  # first-stage matches reordered
PROXIMITY_WEIGHT = 0.8
FEEDBACK_DOCS = 5  # top matches taken as on topic
FEEDBACK_TERMS = 20  # of their words, the ones that describe the topic
FEEDBACK_WEIGHT = 1.5
_WORDS_PER_DOC = 40  # a feedback article's most frequent words considered, to bound the work
_FIELDS = ("title", "body")

Ranked = list[tuple[int, float]]  # (document number, score), best first


def rerank(searcher: Searcher, words: Sequence[str], ranked: Ranked) -> Ranked:
    """``ranked`` with its first ``DEPTH`` entries rescored; ``words`` are the query's analysed
    words in query order."""
    head, tail = ranked[:DEPTH], ranked[DEPTH:]
    if len(head) < 2 or head[0][1] <= 0:
        return ranked
    scores = dict(head)
    for docnum, bonus in _proximity(searcher, words, list(scores)).items():
        scores[docnum] += bonus
    top = max(scores.values())
    scores = {docnum: score / top for docnum, score in scores.items()}
    if len(scores) >= 2 * FEEDBACK_DOCS:  # with fewer, the "top few" are all there is
        ordered = sorted(scores.items(), key=_best_first)
        related = _scores(
            searcher, _feedback_terms(searcher, ordered[:FEEDBACK_DOCS]), list(scores)
        )
        most = max(related.values(), default=0.0)
        for docnum, value in related.items() if most > 0 else ():
            scores[docnum] += FEEDBACK_WEIGHT * value / most
    first = head[0][1]
    return sorted(scores.items(), key=_best_first) + [(d, s / first) for d, s in tail]


def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


def _proximity(searcher: Searcher, words: Sequence[str], docnums: list[int]) -> dict[int, float]:
    """A BM25-style score for each pair of neighbouring query words found side by side."""
    pairs = {(a, b) for a, b in pairwise(words) if a != b}
    if not pairs:
        return {}
    positions = {
        word: _positions(searcher, word, docnums) for word in {w for pair in pairs for w in pair}
    }
    average = sum(searcher.avg_field_length(field, 1.0) for field in _FIELDS)
    bonus: dict[int, float] = defaultdict(float)
    for a, b in pairs:
        weight = PROXIMITY_WEIGHT * max(searcher.idf("body", a), searcher.idf("body", b))
        for docnum in docnums:
            count = sum(
                len(first & {p - 1 for p in positions[b].get((docnum, field), ())})
                for field in _FIELDS
                if (first := positions[a].get((docnum, field)))
            )
            if count:
                length = sum(searcher.doc_field_length(docnum, field, 0) for field in _FIELDS)
                norm = 1 - BM25_B + BM25_B * length / average
                bonus[docnum] += weight * count * (BM25_K1 + 1) / (count + BM25_K1 * norm)
    return bonus


def _positions(
    searcher: Searcher, word: str, docnums: list[int]
) -> dict[tuple[int, str], set[int]]:
    """Where ``word`` occurs in each field of each of ``docnums``."""
    found: dict[tuple[int, str], set[int]] = {}
    for field in _FIELDS:
        for leaf, offset, local in _by_leaf(searcher, docnums):
            if (field, word) not in leaf.reader():
                continue
            matcher = leaf.postings(field, word)
            for docnum in local:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    found[(docnum + offset, field)] = set(matcher.value_as("positions"))
    return found


def _feedback_terms(searcher: Searcher, top: Ranked) -> list[wq.Term]:
    """The words that best describe what the top matches have in common, weighted, as title and
    body terms."""
    analyzer = searcher.schema["body"].analyzer
    centroid: dict[str, float] = defaultdict(float)
    for docnum, score in top:
        stored = searcher.stored_fields(docnum)
        text = " ".join(stored.get(field) or "" for field in _FIELDS)
        counts = Counter(token.text for token in analyzer(text))
        weights = {
            word: (1 + math.log(count)) * searcher.idf("body", word)
            for word, count in counts.most_common(_WORDS_PER_DOC)
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for word, w in weights.items():
            centroid[word] += score * w / norm
    chosen = sorted(centroid.items(), key=lambda item: (-item[1], item[0]))[:FEEDBACK_TERMS]
    return [wq.Term("title", word, boost=w * TITLE_BOOST) for word, w in chosen] + [
        wq.Term("body", word, boost=w) for word, w in chosen
    ]


def _scores(searcher: Searcher, terms: list[wq.Term], docnums: list[int]) -> dict[int, float]:
    """The summed scores of ``terms`` for each of ``docnums`` that has any of them (each term's
    postings are only read where a candidate is, not scored throughout)."""
    scores: dict[int, float] = defaultdict(float)
    for leaf, offset, local in _by_leaf(searcher, docnums):
        context = leaf.context()
        for term in terms:
            matcher = term.matcher(leaf, context)
            for docnum in local:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    scores[docnum + offset] += matcher.score()
    return scores


def _by_leaf(searcher: Searcher, docnums: list[int]) -> Iterator[tuple[Searcher, int, list[int]]]:
    """Each segment's searcher, its first document number, and its share of ``docnums`` (local
    numbers, ascending)."""
    leaves = searcher.leaf_searchers()
    for position, (leaf, offset) in enumerate(leaves):
        end = (
            leaves[position + 1][1] if position + 1 < len(leaves) else offset + leaf.doc_count_all()
        )
        local = sorted(d - offset for d in docnums if offset <= d < end)
        if local:
            yield leaf, offset, local
