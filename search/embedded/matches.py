"""Every document a query matches, without scoring: the total and the ground for facet counts.

Whoosh walks matches one document at a time through its tree of matchers, a few Python calls per
document, which dominates a broad query. Here a term's postings are read a block at a time into a
set, and And / Or / Not become set operations, which run in C; a phrase decodes the positions
of the documents that have all its words only. Other kinds of query (wildcards, ...) are walked
by Whoosh as before; the answer is the same set either way.
"""

from __future__ import annotations

from whoosh import query as wq
from whoosh.fields import DATETIME
from whoosh.searching import Searcher

from search.embedded.date_ranges import range_docs
from search.embedded.postings import phrase_docs, term_postings


def query_docs(searcher: Searcher, query: wq.Query) -> set[int]:
    """The (top-level) numbers of the documents ``query`` matches."""
    kind = type(query)
    if kind is wq.Term:
        return _term_docs(searcher, query.fieldname, query.text)
    if kind is wq.And:
        wanted = [q for q in query.subqueries if type(q) is not wq.Not]
        unwanted = [q.query for q in query.subqueries if type(q) is wq.Not]
        if wanted:
            sets = sorted((query_docs(searcher, q) for q in wanted), key=len)
            docs = sets[0].intersection(*sets[1:])
            for q in unwanted:
                docs -= query_docs(searcher, q)
            return docs
    if kind is wq.Or and not query.minmatch:
        return set().union(*(query_docs(searcher, q) for q in query.subqueries))
    if kind is wq.Phrase:
        return {
            docnum + offset
            for leaf, offset in searcher.leaf_searchers()
            for docnum in phrase_docs(leaf, query).tolist()
        }
    if kind is wq.AndNot:
        return query_docs(searcher, query.a) - query_docs(searcher, query.b)
    if kind is wq.Not:
        return set(searcher.reader().all_doc_ids()) - query_docs(searcher, query.query)
    if kind is wq.Every and not query.fieldname:
        return set(searcher.reader().all_doc_ids())
    if isinstance(query, wq.NumericRange):  # dates
        if _dated(searcher, query.fieldname):
            return range_docs(searcher, query)
        return query_docs(searcher, query._compile_query(searcher.reader()))
    if kind is wq.ConstantScoreQuery:
        return query_docs(searcher, query.child)
    if isinstance(query, wq.MultiTerm):  # ranges, prefixes, wildcards: each of their terms
        reader = searcher.reader()
        return set().union(
            *(_term_docs(searcher, query.fieldname, btext) for btext in query._btexts(reader))
        )
    return set(searcher.docs_for_query(query))


def _term_docs(searcher: Searcher, fieldname: str, text: str | bytes) -> set[int]:
    if fieldname not in searcher.schema:
        return set()
    try:
        btext = text if isinstance(text, bytes) else searcher.schema[fieldname].to_bytes(text)
    except ValueError:
        return set()
    docs: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        docs.update((term_postings(leaf.reader(), fieldname, btext)[0] + offset).tolist())
    return docs


def _dated(searcher: Searcher, fieldname: str) -> bool:
    if fieldname not in searcher.schema:
        return False
    field = searcher.schema[fieldname]
    return isinstance(field, DATETIME) and field.column_type is not None
