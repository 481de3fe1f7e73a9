"""From what a user typed to Whoosh queries: the query text, and filters that do not score.

Whoosh's parser is lenient: it quietly turns ``nosuchfield:x`` into text and ignores dates it
cannot read. Users deserve to hear about both, so this parser reports them as errors.
"""

from __future__ import annotations

import copy
from itertools import islice

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    FieldsPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldParser,
    OrGroup,
    Plugin,
    syntax,
)
from whoosh.reading import IndexReader

from index.article_fields import FACET_FIELDS, FIELD_ALIASES, SEARCHABLE_FIELDS
from index.common_words import COMMON_WORDS
from index.errors import QuerySyntaxError
from search.embedded.date_ranges import ColumnDateRange
from search.query import (
    DEFAULT_FIELDS,
    FIELD_BOOSTS,
    MAX_EDITS,
    MAX_EXPANSIONS,
    Filters,
    chosen_values,
    date_bounds,
    is_natural_language,
    plain_words,
)
from search.query_tree import published_between, published_on


class _StrictFieldsPlugin(FieldsPlugin):
    """Field prefixes as Whoosh reads them, except an unknown field name is an error."""

    def __init__(self) -> None:
        super().__init__(remove_unknown=False)

    def do_fieldnames(self, parser, group):  # type: ignore[no-untyped-def]
        for node in group:
            if isinstance(node, syntax.FieldnameNode) and node.fieldname not in SEARCHABLE_FIELDS:
                known = ", ".join(sorted({*SEARCHABLE_FIELDS, *FIELD_ALIASES}))
                raise QuerySyntaxError(
                    f"unknown field {node.fieldname!r} in query (fields: {known}); "
                    "put the text in quotes to search for it as words"
                )
        return super().do_fieldnames(parser, group)


class _QueryNode(syntax.SyntaxNode):
    """A parse-tree leaf that is already a query."""

    def __init__(self, built: wq.Query, original: syntax.SyntaxNode) -> None:
        self.built = built
        self.startchar, self.endchar = original.startchar, original.endchar

    def r(self) -> str:
        return repr(self.built)

    def query(self, parser):  # type: ignore[no-untyped-def]
        return self.built


class _PublishedPlugin(Plugin):
    """``published:2015``, ``published:2015-09-29``, ``published:[2015-01 TO 2015-06]`` and
    ``published:>2015`` as exact date ranges, read the same way as ``--since``/``--until``."""

    def filters(self, parser):  # type: ignore[no-untyped-def]
        return [(self.do_dates, 110)]  # after field names are attached (100)

    def do_dates(self, parser, group):  # type: ignore[no-untyped-def]
        for position, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[position] = self.do_dates(parser, node)
            elif getattr(node, "fieldname", None) == "published":
                group[position] = _QueryNode(self._range(node), node)
        return group

    def _range(self, node: syntax.SyntaxNode) -> wq.Query:
        if isinstance(node, syntax.RangeNode):
            dates = published_between(node.start, node.end, node.startexcl, node.endexcl)
        else:
            dates = published_on(node.text if node.has_text else "")
        return ColumnDateRange("published", dates.start, dates.end)


def build_parser(schema: Schema, match_any: bool = False) -> MultifieldParser:
    """The query parser: title and body by default, all words required unless ``match_any``."""
    parser = MultifieldParser(
        list(DEFAULT_FIELDS),
        schema,
        fieldboosts=FIELD_BOOSTS,
        group=OrGroup if match_any else AndGroup,
    )
    parser.remove_plugin_class(FieldsPlugin)
    parser.add_plugin(_StrictFieldsPlugin())
    aliases: dict[str, list[str]] = {}
    for alias, field in FIELD_ALIASES.items():
        aliases.setdefault(field, []).append(alias)
    parser.add_plugin(FieldAliasPlugin(aliases))
    parser.add_plugin(_PublishedPlugin())
    parser.add_plugin(GtLtPlugin())
    parser.add_plugin(FuzzyTermPlugin())
    return parser


def parse_query(
    text: str, schema: Schema, match_any: bool = False, plain: bool = False
) -> wq.Query:
    """The scoring query for ``text``; empty text (or ``*``) matches every article.

    ``plain`` reads the text as words only (for natural-language queries from files).
    """
    if plain:
        text = plain_words(text)
    if not text.strip() or text.strip() == "*":
        return wq.Every()
    question = is_natural_language(text)
    if question:
        match_any = True  # a question, not keywords: rank by the words it has
    try:
        parsed = build_parser(schema, match_any).parse(text)
    except QuerySyntaxError:
        raise
    except Exception as exc:  # Whoosh raises assorted types for odd input
        raise QuerySyntaxError(f"cannot parse query {text!r}: {exc}") from exc
    for leaf in parsed.leaves():
        if isinstance(leaf, wq.FuzzyTerm):
            _check_fuzzy(leaf)
    return without_common_words(parsed) if question else parsed


def without_common_words(query: wq.Query) -> wq.Query:
    """A question's words that say what it is about: its common words ("the", "of", "what")
    left out, unless it has no other. (They would add little to the ranking, at the cost of
    reading the longest postings there are.)"""
    if not isinstance(query, wq.Or):
        return query
    kept = [part for part in query.subqueries if not _common(part)]
    if not kept or len(kept) == len(query.subqueries):
        return query
    query = copy.copy(query)
    query.subqueries = kept
    return query


def _common(query: wq.Query) -> bool:
    return all(isinstance(leaf, wq.Term) and leaf.text in COMMON_WORDS for leaf in query.leaves())


def _check_fuzzy(term: wq.FuzzyTerm) -> None:
    if term.maxdist > MAX_EDITS:
        raise QuerySyntaxError(
            f"fuzzy term {term.text!r} allows {term.maxdist} edits; at most {MAX_EDITS}"
        )
    if term.prefixlength >= len(term.text):
        raise QuerySyntaxError(
            f"fuzzy term {term.text!r} keeps a prefix of {term.prefixlength} characters, "
            "which is the whole word"
        )


def limit_expansions(query: wq.Query, reader: IndexReader) -> None:
    """Refuse a query whose wildcard, prefix or fuzzy terms match too many index terms."""
    for leaf in query.leaves():
        if isinstance(leaf, wq.MultiTerm):
            count = sum(1 for _ in islice(leaf._btexts(reader), MAX_EXPANSIONS + 1))
            if count > MAX_EXPANSIONS:
                raise QuerySyntaxError(
                    f"{leaf} matches more than {MAX_EXPANSIONS:,} different words; "
                    "make it more specific"
                )


def build_filter(filters: Filters, schema: Schema) -> wq.Query | None:
    """A non-scoring query that every hit must match, or None when nothing is filtered."""
    parts: list[wq.Query] = []
    for facet, values in chosen_values(filters).items():
        field = FACET_FIELDS[facet]
        terms = [
            wq.Term(field, term)
            for value in values
            for term in schema[field].process_text(value, mode="query")
        ]
        if values and not terms:
            raise QuerySyntaxError(f"empty value for the {field} filter")
        if terms:
            parts.append(wq.Or(terms))
    if filters.since or filters.until:
        start, end = date_bounds(filters)
        parts.append(ColumnDateRange("published", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)
