"""How matches are scored and ordered: the BM25F weighting and the date sorts."""

from __future__ import annotations

from whoosh import scoring, sorting
from whoosh.fields import Schema

from index.embedded.schema import missing_date_value

Ranked = list[tuple[int, float]]  # (document number, score), best first
# Tuned on Cranfield's 112 queries (README, Evaluation and ranking): term frequency saturates
# later than the textbook K1 = 1.2; B stays at 0.75, where the UCI same-story test is best.
BM25_B = 0.75
BM25_K1 = 2.0


def best_first(entry: tuple[int, float]) -> tuple[float, int]:
    """The sort key of a ``Ranked`` entry: higher scores first, equal scores by document
    number (so the order never depends on how the entries came)."""
    return -entry[1], entry[0]


def weighting() -> scoring.WeightingModel:
    """BM25F over title and body; field weights come from the query's field boosts."""
    return scoring.BM25F(B=BM25_B, K1=BM25_K1)


def sort_facet(sort: str, schema: Schema) -> tuple[sorting.FacetType | None, bool]:
    """Whoosh ``sortedby`` and ``reverse`` for a sort name; undated articles always come last."""
    if sort == "relevance":
        return None, False
    published = sorting.FieldFacet("published")
    if sort == "oldest":
        return published, False  # the column's value for "no date" is its largest
    missing = missing_date_value(schema)
    return sorting.TranslateFacet(lambda value: 0 if value == missing else value, published), True
