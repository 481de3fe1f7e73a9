"""Query words that no article has: said in the answer rather than left to look like a search
that went wrong (as Elasticsearch's ``_validate/query?explain`` and a web search's "missing: word"
do). A word left out of a question, or an AND that cannot match, is then no mystery."""

from __future__ import annotations

from whoosh import query as wq
from whoosh.reading import IndexReader

from index.article_fields import SEARCHABLE_FIELDS


def unmatched_words(query: wq.Query, reader: IndexReader, text: str) -> list[str]:
    """A note for each word of the query ``text`` (parsed into ``query``) whose terms are in no
    article, in the order of the query's parts."""
    found: dict[str, bool] = {}  # each word as written, and whether some field has it
    for leaf in query.leaves():
        field = getattr(leaf, "fieldname", None)
        if field not in SEARCHABLE_FIELDS:
            continue
        if type(leaf) is wq.Term:
            span = (getattr(leaf, "startchar", None), getattr(leaf, "endchar", None))
            words = [(_written(text, span, leaf.text), leaf.text)]
        elif type(leaf) is wq.Phrase:
            ranges = leaf.char_ranges or [(None, None)] * len(leaf.words)
            words = [
                (_written(text, span, term), term)
                for term, span in zip(leaf.words, ranges, strict=False)
            ]
        else:
            continue
        for written, term in words:
            found[written] = found.get(written, False) or _in_index(reader, field, term)
    return [f'no article contains "{word}"' for word, present in found.items() if not present]


def _written(text: str, span: tuple[int | None, int | None], term: str) -> str:
    """How the query wrote a term: its characters in ``text``, else the term."""
    start, end = span
    written = text[start:end] if start is not None and end is not None else ""
    return written or term


def _in_index(reader: IndexReader, field: str, term: str) -> bool:
    try:
        return reader.doc_frequency(field, term) > 0
    except (KeyError, TypeError, ValueError):
        return True  # (a term a field cannot look up: not for this note to judge)
