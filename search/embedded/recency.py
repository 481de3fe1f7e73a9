"""Optional recency for news: newer matches count more, and relevance still orders the rest.

With ``--recent`` each match's relevance score is multiplied by a factor from 1 down towards
``1 - RECENCY_WEIGHT``: 1 for the newest dated match, and its distance from that floor halves for
every ``HALF_LIFE_DAYS`` an article is older (Elasticsearch's exponential decay). The newest match
is the origin rather than today, so "the latest on X" works in an archive of 2014 as in today's
news. Undated articles get the floor. A highly relevant older article can still lead a weakly
relevant new one: at most, age halves a score.
"""

from __future__ import annotations

import numpy as np
from whoosh.searching import Searcher

from index.embedded.schema import missing_date_value
from search.embedded.column_arrays import dates
from search.embedded.ranking import Ranked, best_first

HALF_LIFE_DAYS = 30.0
RECENCY_WEIGHT = 0.5  # the share of its score the oldest article gives up
# Matches reordered by age when a query's matches are not scored as arrays (wildcards, NOT):
# the best this many by relevance.
RECENT_WINDOW = 1_000
_DAY = 86_400_000_000  # the published column counts microseconds


def recency_factors(searcher: Searcher, docnums: np.ndarray) -> np.ndarray:
    """Each document's factor, by its age against the newest dated one among ``docnums``."""
    published = dates(searcher)[docnums]
    dated = published != missing_date_value(searcher.schema)
    factors = np.full(len(docnums), 1.0 - RECENCY_WEIGHT)
    if dated.any():
        ages = (published[dated].max() - published[dated]).astype(np.float64) / _DAY
        factors[dated] += RECENCY_WEIGHT * np.exp2(-ages / HALF_LIFE_DAYS)
    return factors


def reordered(searcher: Searcher, ranked: Ranked) -> Ranked:
    """``ranked`` rescored by recency and sorted again (equal scores by document number)."""
    docnums = np.fromiter((docnum for docnum, _ in ranked), np.int64, len(ranked))
    factors = recency_factors(searcher, docnums).tolist()
    rescored = [
        (docnum, score * factor) for (docnum, score), factor in zip(ranked, factors, strict=True)
    ]
    return sorted(rescored, key=best_first)
