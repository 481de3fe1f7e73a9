"""Running a search: the query and filters against the index, giving hits, a total and facets."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from whoosh import query as wq
from whoosh.analysis import Analyzer
from whoosh.collectors import Collector, WrappingCollector
from whoosh.searching import Searcher

from index.embedded.fast_analysis import CachedAnalyzer
from index.embedded.schema import from_stored
from index.embedded.store import open_index, read_consistently
from index.errors import IndexNotFound, QuerySyntaxError, QueryTimeout
from search.embedded import array_scoring
from search.embedded.matches import query_docs
from search.embedded.multiselect import facet_counts
from search.embedded.parsing import build_filter, limit_expansions, parse_query
from search.embedded.ranking import Ranked, sort_facet, weighting
from search.embedded.recency import RECENT_WINDOW, recency_factors, reordered
from search.embedded.rerank import DEPTH, content_words, rerank
from search.embedded.similar import collapse_stories, story_members
from search.embedded.snippets import make_snippet, searched_forms
from search.embedded.unmatched import unmatched_words
from search.query import is_natural_language, plain_words
from search.results import Hit, SearchRequest, SearchResult, validate

if TYPE_CHECKING:
    from index.embedded.forms import WrittenForms

SNIPPET_FIELDS = ("title", "body")


def search(index_path: Path, request: SearchRequest) -> SearchResult:
    """Ranked, filtered, faceted search of the index at ``index_path``."""
    validate(request)
    return read_consistently(lambda: _search(index_path, request))


def _search(index_path: Path, request: SearchRequest) -> SearchResult:
    searcher = open_searcher(index_path)
    scoring_query, narrowing = prepared_queries(index_path, searcher, request)
    text = plain_words(request.query) if request.plain else request.query
    notes = tuple(unmatched_words(scoring_query, searcher.reader(), text))
    try:
        result = _run(searcher, _FORMS[index_path], request, scoring_query, narrowing)
        return dataclasses.replace(result, notes=notes) if notes else result
    except FileNotFoundError:
        _forget(index_path)  # a commit removed files under this searcher; the retry reopens
        raise
    except (wq.QueryError, ValueError, TypeError) as exc:
        raise QuerySyntaxError(f"cannot run query {request.query!r}: {exc}") from exc


def prepared_queries(
    index_path: Path, searcher: Searcher, request: SearchRequest
) -> tuple[wq.Query, wq.Query | None]:
    """The request's scoring query and its filter (None when nothing is filtered), checked
    against the index at ``index_path`` (open in ``searcher``), which must hold articles."""
    if searcher.doc_count() == 0:
        raise IndexNotFound(
            f"the index at {index_path} has no articles; add some with: "
            f"byline index PATH --index {index_path}"
        )
    scoring_query = parse_query(request.query, searcher.schema, request.match_any, request.plain)
    _one_way_to_add_scores(scoring_query)
    limit_expansions(scoring_query, searcher.reader())
    return scoring_query, build_filter(request.filters, searcher.schema)


def _one_way_to_add_scores(query: wq.Query) -> None:
    """Have every Or add its parts' scores the same way, whatever the size of a segment.

    Whoosh picks how to score an Or segment by segment (segments under 5,000 documents preload
    scores into an array), and the two ways add floating-point numbers in a different order, so
    scores could differ in the last bits depending on how the index was cut into segments. The
    tree of unions is also the way that can skip blocks that cannot reach the top hits.
    """
    if isinstance(query, wq.Or):
        query.matcher_type = wq.Or.DEFAULT_MATCHER
    for child in query.children():
        _one_way_to_add_scores(child)


# Open searchers by index folder, kept between searches in one process: opening an index reads
# its table of contents and maps every segment, which costs more than a typical query.
_SEARCHERS: dict[Path, Searcher] = {}
# The written forms of each open index's words, for snippets (``index/embedded/forms.py``): opened
# with its searcher, after it (the table only grows, so it has every form the searcher can show).
_FORMS: dict[Path, WrittenForms] = {}
_MAX_OPEN = 4


def open_searcher(index_path: Path) -> Searcher:
    """An open searcher on the last committed state of the index (reopened after a commit)."""
    cached = _SEARCHERS.get(index_path)
    if cached is not None:
        try:
            if cached.up_to_date():
                return cached
        except OSError:
            pass
        _forget(index_path)
    searcher = open_index(index_path).searcher(weighting=weighting())
    while len(_SEARCHERS) >= _MAX_OPEN:
        _forget(next(iter(_SEARCHERS)))
    _SEARCHERS[index_path] = searcher
    from index.embedded.forms import WrittenForms  # (sqlite3: loaded by a search, not at start-up)

    _FORMS[index_path] = WrittenForms(index_path)
    return searcher


def _forget(index_path: Path) -> None:
    searcher = _SEARCHERS.pop(index_path, None)
    if searcher is not None:
        searcher.close()
    forms = _FORMS.pop(index_path, None)
    if forms is not None:
        forms.close()


def _run(
    searcher: Searcher,
    written: WrittenForms,
    request: SearchRequest,
    scoring_query: wq.Query,
    narrowing: wq.Query | None,
) -> SearchResult:
    end = request.page * request.limit
    words = _rerank_words(searcher, request)
    # The filter's documents are found once, as a set, and serve both the ranking and the count.
    allowed = None if narrowing is None else query_docs(searcher, narrowing)
    if allowed is not None and not allowed:  # (Whoosh reads an empty filter set as "no filter")
        return SearchResult(request, 0, [], facet_counts(searcher, request, scoring_query, []))
    count = max(end, DEPTH) if words else end
    if array_scoring.supports(searcher, scoring_query):
        check_time = _time_check(request.timeout)
        docnums, scores = array_scoring.matches(searcher, scoring_query, allowed, check_time)
        if request.recent:
            scores = scores * recency_factors(searcher, docnums)
        if request.sort == "relevance":
            ranked = array_scoring.best(searcher, docnums, scores, count, request.collapse)
        else:
            newest = request.sort == "newest"
            ranked = array_scoring.by_date(
                searcher, docnums, scores, count, newest, request.collapse
            )
        total = len(docnums)
        # (A list of tens of thousands of numbers takes a millisecond: made only to be used.)
        matching: list[int] = docnums.tolist() if request.facets or request.collapse else []
    else:
        wanted = max(count, RECENT_WINDOW) if request.recent else count
        ranked = _collect(searcher, request, scoring_query, allowed, wanted)
        if request.recent:
            ranked = reordered(searcher, ranked)[:count]
        matched = query_docs(searcher, scoring_query)
        matching = sorted(matched if allowed is None else matched & allowed)
        total = len(matching)
    if words:
        ranked = rerank(searcher, words, ranked)
    collapsed_from = frozenset(matching) if request.collapse else frozenset()
    terms = _snippet_terms(searcher, scoring_query)
    analyzer = searcher.schema["body"].analyzer
    forms = _snippet_forms(terms, analyzer, written)
    hits = []
    for docnum, score in ranked[end - request.limit : end]:
        stored = searcher.stored_fields(docnum)
        article = from_stored(stored)
        # A headline-only article's snippet is its headline, its matched words marked.
        snippet = make_snippet(article.body.strip() or article.title, terms, analyzer, forms)
        similar = (
            story_members(searcher, docnum, stored, collapsed_from) if request.collapse else ()
        )
        hits.append(Hit(article, score if request.sort == "relevance" else None, snippet, similar))
    return SearchResult(
        request, total, hits, facet_counts(searcher, request, scoring_query, matching)
    )


def _collect(
    searcher: Searcher,
    request: SearchRequest,
    scoring_query: wq.Query,
    allowed: set[int] | None,
    count: int,
) -> Ranked:
    """The first ``count`` hits in the request's order, through Whoosh's collectors."""
    sortedby, reverse = sort_facet(request.sort, searcher.schema)
    # The time limit wraps the innermost collector: collapsing and filtering wrap it in turn.
    collector = searcher.collector(limit=count, sortedby=sortedby, reverse=reverse)
    if request.timeout is not None:
        collector = _DeadlineCollector(collector, request.timeout)
    if allowed is not None:
        collector = _AllowedOnly(collector, allowed)
    if request.collapse:
        collector = collapse_stories(collector)
    searcher.search_with_collector(scoring_query, collector)
    return [(hit.docnum, hit.score) for hit in collector.results()]


def _snippet_forms(
    terms: frozenset[str], analyzer: Analyzer, written: WrittenForms
) -> dict[str, str] | None:
    """What snippets search an article's text for, or None: analyse every word of it (an index
    without a table of forms, or an analyzer that is not cached)."""
    if not terms or not (isinstance(analyzer, CachedAnalyzer) and analyzer.cached):
        return None
    forms = written.of(terms)
    return None if forms is None else searched_forms(terms, analyzer, forms)


def _rerank_words(searcher: Searcher, request: SearchRequest) -> list[str]:
    """The analysed words of a natural-language query to rerank by, or none for other queries."""
    text = plain_words(request.query) if request.plain else request.query
    if not (request.rerank and request.sort == "relevance" and is_natural_language(text)):
        return []
    analyzer = searcher.schema["body"].analyzer
    return content_words([token.text for token in analyzer(text, mode="query")])


class _DeadlineCollector(WrappingCollector):
    """Stops a search once its time is up, checked as matches are read.

    (Whoosh's own TimeLimitCollector uses a timer thread or SIGALRM, which fires late or not at
    all while the collecting loop holds the GIL.)
    """

    _CHECK_EVERY = 256

    def __init__(self, child: Collector, seconds: float) -> None:
        super().__init__(child)
        self.seconds = seconds
        self.check_time = _time_check(seconds)
        self.collected = 0

    def prepare(self, top_searcher, q, context):  # type: ignore[no-untyped-def]
        super().prepare(top_searcher, q, context)
        self.check_time = _time_check(self.seconds)

    def collect(self, sub_docnum: int):  # type: ignore[no-untyped-def]
        # Checked here, not in collect_matches: wrappers outside this one (filters, collapsing)
        # run their own loops and call collect for each document they keep.
        if self.collected % self._CHECK_EVERY == 0:
            self.check_time()
        self.collected += 1
        return self.child.collect(sub_docnum)


def _time_check(seconds: float | None) -> Callable[[], None]:
    """A function that raises QueryTimeout once ``seconds`` from now have passed."""
    deadline = time.monotonic() + (seconds if seconds is not None else float("inf"))

    def check() -> None:
        if time.monotonic() >= deadline:
            raise QueryTimeout(
                f"the query ran longer than {seconds:g}s; narrow it with more words "
                "or filters, or allow more time with --timeout"
            )

    return check


class _AllowedOnly(WrappingCollector):
    """Passes on only the matches in ``allowed`` (top-level document numbers).

    Whoosh's FilterCollector filters in its own loop, so wrapped around collapsing it bypassed
    it (every copy of a story came back); this one filters the matches that collapsing reads.
    """

    def __init__(self, child: Collector, allowed: set[int]) -> None:
        super().__init__(child)
        self.allowed = allowed

    def matches(self):  # type: ignore[no-untyped-def]
        offset, allowed = self.child.offset, self.allowed
        return (docnum for docnum in self.child.matches() if docnum + offset in allowed)

    def collect_matches(self) -> None:
        for docnum in self.matches():
            self.child.collect(docnum)


def _snippet_terms(searcher: Searcher, scoring_query: wq.Query) -> frozenset[str]:
    """The title/body terms of the query, wildcards and fuzzy terms expanded.

    (Whoosh's own ``existing_terms`` reuses its ``fieldname`` argument as a loop variable and
    drops terms after the first field, so the leaves are walked here.)
    """
    reader = searcher.reader()
    terms: set[str] = set()
    for leaf in scoring_query.leaves():
        for fieldname, text in leaf.expanded_terms(reader, phrases=True):
            if fieldname in SNIPPET_FIELDS:
                terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return frozenset(terms)
