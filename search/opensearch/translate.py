"""Byline's query tree (``search/query_tree.py``) and filters as OpenSearch query DSL.

Queries are translated, never passed through: ``query_string`` has other rules than Byline's and
lets a user run expensive or unintended queries. Each leaf becomes a bounded query on the field it
names: words and phrases ``match``/``match_phrase`` on the analyzed title and body, facet values
``term`` on their folded keyword (``<field>.folded``), sites ``term`` on ``url_terms``, dates a
``range`` on ``published``. Prefixes, wildcards and fuzzy words expand to at most
``search.query.MAX_EXPANSIONS`` index words.

Plain words on the default fields are ``multi_match`` of type ``most_fields``: each field is
matched on its own and the scores add up, as the embedded engine's ``title OR body`` for each word
does, and each field must hold the whole word (``operator: and``, for a word the analyzer splits,
"U.S.-led"). ``cross_fields`` would blend the two fields into one and let a split word's parts
come one from the title and one from the body, which the embedded engine does not allow.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from index.article_fields import FACET_FIELDS
from index.english import american_spelling, stem_english
from index.errors import QuerySyntaxError
from index.opensearch.mapping import FOLDED
from search.query import FIELD_BOOSTS, MAX_EXPANSIONS, Filters, chosen_values, date_bounds
from search.query_tree import (
    And,
    AndMaybe,
    AndNot,
    DateRange,
    Every,
    Fuzzy,
    Node,
    Not,
    Nothing,
    Or,
    Phrase,
    Prefix,
    Require,
    TermRange,
    Wildcard,
    Word,
    parse,
)
from search.results import SearchRequest

Clause = dict[str, Any]

MATCH_ALL: Clause = {"match_all": {}}
PROSE = ("title", "body")
# Prefixes and wildcards keep the best-scoring MAX_EXPANSIONS words they reach: the cluster
# never expands one without limit (nor fails on one, as the default boolean rewrite does past
# 1,024 words).
_REWRITE = f"top_terms_{MAX_EXPANSIONS}"
_FACETS = frozenset(FACET_FIELDS.values())


def query_clause(text: str, match_any: bool = False, plain: bool = False) -> Clause:
    """The scoring query for ``text`` (every article for empty text or ``*``); raises
    ``QuerySyntaxError``/``InvalidDate`` for the mistakes the embedded engine refuses."""
    return translate(parse(text, match_any=match_any, plain=plain))


def filter_clauses(filters: Filters) -> list[Clause]:
    """Clauses every hit must match, without scoring: a facet's values (any of them) and the
    date range, read as the embedded engine reads them."""
    clauses: list[Clause] = []
    for facet, values in chosen_values(filters).items():
        name = FACET_FIELDS[facet]
        terms = [value.lower() for value in values if value]
        if values and not terms:
            raise QuerySyntaxError(f"empty value for the {name} filter")
        if terms:
            clauses.append({"terms": {f"{name}.{FOLDED}": terms}})
    if filters.since or filters.until:
        start, end = date_bounds(filters)
        clauses.append(published_range(start, end))
    return clauses


def request_query(request: SearchRequest) -> Clause:
    """The request's query: its text scoring, its filters not."""
    return {
        "bool": {
            "must": [query_clause(request.query, request.match_any, request.plain)],
            "filter": filter_clauses(request.filters),
        }
    }


def published_range(start: datetime | None, end: datetime | None) -> Clause:
    """Articles published between two naive UTC instants, both included (None: open)."""
    bounds = {
        name: f"{instant.isoformat(timespec='microseconds')}Z"
        for name, instant in (("gte", start), ("lte", end))
        if instant is not None
    }
    return {"range": {"published": bounds}}


def translate(node: Node) -> Clause:
    """One node of the query tree as a clause."""
    if isinstance(node, Word | Phrase | Prefix | Wildcard | Fuzzy | TermRange):
        return _leaf(node)
    if isinstance(node, DateRange):
        return published_range(node.start, node.end)
    if isinstance(node, Every):
        return {"exists": {"field": node.field}} if node.field else MATCH_ALL
    if isinstance(node, Nothing):
        return {"match_none": {}}
    if isinstance(node, And):
        return {"bool": {"must": [translate(part) for part in node.parts], "boost": node.boost}}
    if isinstance(node, Or):
        return _any([translate(part) for part in node.parts], node.boost)
    if isinstance(node, Not):
        return {"bool": {"must": [MATCH_ALL], "must_not": [translate(node.part)]}}
    if isinstance(node, AndNot):
        return {
            "bool": {"must": [translate(node.positive)], "must_not": [translate(node.negative)]}
        }
    if isinstance(node, AndMaybe):
        return {"bool": {"must": [translate(node.required)], "should": [translate(node.optional)]}}
    if isinstance(node, Require):
        return {"bool": {"must": [translate(node.scored)], "filter": [translate(node.required)]}}
    raise TypeError(f"no translation for {node!r}")


def _any(clauses: list[Clause], boost: float = 1.0) -> Clause:
    return {"bool": {"should": clauses, "minimum_should_match": 1, "boost": boost}}


def _leaf(node: Word | Phrase | Prefix | Wildcard | Fuzzy | TermRange) -> Clause:
    if node.field is None:
        if isinstance(node, Word | Phrase | Fuzzy):
            return _default_fields(node)
        return _any([_on(field, node, FIELD_BOOSTS[field] * node.boost) for field in PROSE])
    if node.field in PROSE:
        return _on(node.field, node, node.boost)
    return _exact(node)


def _default_fields(node: Word | Phrase | Fuzzy) -> Clause:
    """Title and body, each its whole score, added up (``most_fields``; see the module's note)."""
    fields = [f"{field}^{FIELD_BOOSTS[field]:g}" for field in PROSE]
    if isinstance(node, Phrase) and node.slop > 1:
        return _any([_on(field, node, FIELD_BOOSTS[field] * node.boost) for field in PROSE])
    if isinstance(node, Phrase) or (isinstance(node, Word) and len(node.text.split()) > 1):
        return {
            "multi_match": {
                "query": node.text,
                "type": "phrase",
                "fields": fields,
                "tie_breaker": 1.0,  # (both fields' scores added up, as most_fields does)
                "boost": node.boost,
            }
        }
    query: Clause = {
        "query": node.text,
        "type": "most_fields",
        "fields": fields,
        "operator": "and",
        "boost": node.boost,
    }
    if isinstance(node, Fuzzy):
        query.update(_fuzziness(node))
    return {"multi_match": query}


def _on(
    field: str, node: Word | Phrase | Prefix | Wildcard | Fuzzy | TermRange, boost: float
) -> Clause:
    """A leaf on one analyzed prose field."""
    if isinstance(node, Phrase) and node.slop > 1:
        return {"intervals": {field: {"match": _near(node), "boost": boost}}}
    if isinstance(node, Phrase) or (isinstance(node, Word) and len(node.text.split()) > 1):
        return {"match_phrase": {field: {"query": node.text, "boost": boost}}}
    if isinstance(node, Word):
        return {"match": {field: {"query": node.text, "operator": "and", "boost": boost}}}
    if isinstance(node, Fuzzy):
        return {
            "match": {
                field: {"query": node.text, "operator": "and", "boost": boost, **_fuzziness(node)}
            }
        }
    if isinstance(node, Prefix):
        return {
            "prefix": {field: {"value": _stemmed(node.text), "rewrite": _REWRITE, "boost": boost}}
        }
    if isinstance(node, Wildcard):
        return {
            "wildcard": {
                field: {"value": _stemmed(node.pattern), "rewrite": _REWRITE, "boost": boost}
            }
        }
    return _term_range(field, node, _folded, boost)


def _exact(node: Word | Phrase | Prefix | Wildcard | Fuzzy | TermRange) -> Clause:
    """A leaf on a field of whole values: a facet (matched on its folded form, as filters are),
    a site (``url_terms``) or an id. A value is one term, lower-cased (an id as it is)."""
    assert node.field is not None
    if node.field in _FACETS:
        field, value = f"{node.field}.{FOLDED}", _folded
    elif node.field == "url":
        field, value = "url_terms", _lower
    else:
        field, value = node.field, _same
    if isinstance(node, Word | Phrase):
        return {"term": {field: {"value": value(node.text), "boost": node.boost}}}
    if isinstance(node, Prefix):
        return {"prefix": {field: {"value": value(node.text), "boost": node.boost}}}
    if isinstance(node, Wildcard):
        return {"wildcard": {field: {"value": value(node.pattern), "boost": node.boost}}}
    if isinstance(node, Fuzzy):
        return {
            "fuzzy": {
                field: {
                    "value": value(node.text),
                    "fuzziness": node.max_edits,
                    "prefix_length": node.prefix_length,
                    "max_expansions": MAX_EXPANSIONS,
                    "boost": node.boost,
                }
            }
        }
    return _term_range(field, node, value, node.boost)


def _term_range(field: str, node: TermRange, value: Any, boost: float) -> Clause:
    bounds: Clause = {"boost": boost}
    if node.start is not None:
        bounds["gt" if node.start_excluded else "gte"] = value(node.start)
    if node.end is not None:
        bounds["lt" if node.end_excluded else "lte"] = value(node.end)
    return {"range": {field: bounds}}


def _fuzziness(node: Fuzzy) -> Clause:
    return {
        "fuzziness": node.max_edits,
        "prefix_length": node.prefix_length,
        "max_expansions": MAX_EXPANSIONS,
    }


def _near(node: Phrase) -> Clause:
    """A phrase whose words may be apart (``"a b"~3``): its words in order, each within
    ``slop`` positions of the one before, as Whoosh reads it. (Lucene's phrase slop would also
    let them swap places; ``max_gaps`` counts the gaps of all the words together, which is
    exact for two words and a little looser for more.)"""
    gaps = (node.slop - 1) * max(len(node.text.split()) - 1, 1)
    return {"query": node.text, "max_gaps": gaps, "ordered": True}


def _lower(text: str) -> str:
    return text.strip().lower()


def _same(text: str) -> str:
    return text


def _stemmed(text: str) -> str:
    """A prefix or wildcard as the index's words are written, as Whoosh reads one: folded, in
    American spelling, stemmed ("Elections*" looks for words starting "elect", as "elections"
    is indexed; "climate*" for "climat", or it would find not even "climate")."""
    return stem_english(american_spelling(_folded(text)))


def _folded(text: str) -> str:
    """Lower-cased and accents taken off, as the cluster's analysis and normalizer do (for what
    the cluster does not analyze: prefixes, wildcards, facet values)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def sort_clauses(sort: str) -> list[Clause]:
    """The cluster's sort for a Byline sort; equal keys in id order, so that every page (and
    ``search_after``) follows one order. Undated articles come last either way."""
    if sort == "relevance":
        return [{"_score": "desc"}, {"id": "asc"}]
    order = "desc" if sort == "newest" else "asc"
    return [{"published": {"order": order, "missing": "_last"}}, {"id": "asc"}]
