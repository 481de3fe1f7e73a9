"""A faster way through an analyzer: each distinct word goes through the filters once.

Whoosh runs every token of every document through a chain of Python generators, which is most
of the cost of indexing prose. When the chain is a regex tokenizer followed only by filters that
look at one token at a time (lower-casing, accent folding, stopwords, stemming, a word's terms),
what becomes of a word does not depend on its neighbours, so it is worked out once and remembered.
The tokens that come out are the same, in the same positions; any other chain is run as it is.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import accumulate
from operator import itemgetter, methodcaller
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)

from index.embedded.analysis import (
    SpellingFilter,
    TypographyFilter,
    WordTerms,
    WordTermsFilter,
    word_terms,
)

# Filters whose output for a token depends on that token alone: how each rewrites a word's text
# (StopFilter and StemFilter, which look at whether a word is a stopword, are taken apart in
# ``CachedAnalyzer._analyse``).
_REWRITES: dict[type, Callable[[Any], Callable[[str], str]]] = {
    LowercaseFilter: lambda _: str.lower,
    CharsetFilter: lambda item: methodcaller("translate", item.charmap),
    TypographyFilter: lambda item: item.rewrite,
    SpellingFilter: lambda item: item.rewrite,
}
_PER_TOKEN = (*_REWRITES, StopFilter, StemFilter)
# A filter that makes each word one term or several (``WordTerms``), from the word alone; it
# ends the chains it is in.
_EXPANDING = WordTermsFilter
_DROPPED = None
# Word patterns, and the same patterns written so that the regular expression engine does not try
# an empty dot and one more run of letters at the end of every word: the same words, found in
# half the time (the prose analyzer's, and Whoosh's default).
_FASTER_PATTERNS = {r"\w+(?:\.?\w+)*": r"\w+(?:\.\w+)*", r"\w+(\.?\w+)*": r"\w+(\.\w+)*"}
_CACHE_LIMIT = 500_000  # distinct words remembered per stopword mode, then forgotten at once


_Outcome = tuple[str | WordTerms, bool] | None  # a word's term(s), a stopword or not; None: dropped
_Words = dict[tuple[bool, bool], dict[str, _Outcome]]  # (by stopwords removed, query or not)
_Terms = dict[str, str | WordTerms | None]  # a word's index term(s); None: a stopword, dropped
_CACHES: list[tuple[Analyzer, _Words, _Terms]] = []


def _caches(inner: Analyzer) -> tuple[_Words, _Terms]:
    """The caches of an analyzer chain, one for each chain in the process: each opening of an
    index unpickles its schema afresh, and indexing processes open it for every batch."""
    for chain, words, terms in _CACHES:
        if chain == inner:
            return words, terms
    words: _Words = {(removed, query): {} for removed in (True, False) for query in (True, False)}
    terms: _Terms = {}
    _CACHES.append((inner, words, terms))
    return words, terms


class CachedAnalyzer(Analyzer):
    """Wraps an analyzer; gives the same tokens, remembering each word's analysed form."""

    def __init__(self, inner: Analyzer) -> None:
        self.inner = inner
        self._setup()

    def _setup(self) -> None:
        items = self.inner.items if isinstance(self.inner, CompositeAnalyzer) else []
        filters = items[1:]
        fast = (
            bool(items)
            and type(items[0]) is RegexTokenizer
            and not items[0].gaps
            and all(type(item) in _PER_TOKEN for item in filters[:-1])
            and (not filters or type(filters[-1]) in (*_PER_TOKEN, _EXPANDING))
            and sum(isinstance(item, StopFilter) for item in filters) <= 1
        )
        self._expression = _faster(items[0].expression) if fast else None
        self._splitter = (
            re.compile(f"({self._expression.pattern})", self._expression.flags)
            if self._expression is not None and not self._expression.groups
            else None
        )
        self._filters = filters
        self._renumber = any(isinstance(f, StopFilter) and f.renumber for f in filters)
        self._words, self._terms = _caches(self.inner)
        self.expands = any(type(item) is _EXPANDING for item in filters)

    @property
    def cached(self) -> bool:
        """Whether words go through the filters once (False: the chain runs as it is)."""
        return self._expression is not None

    def __getstate__(self) -> dict[str, Any]:
        return {"inner": self.inner}  # pickled into the index: the caches stay out

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.inner = state["inner"]
        self._setup()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.inner == self.inner  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), id(self.inner)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.inner!r})"

    def clean(self) -> None:
        self.inner.clean()

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        if self._expression is None or keeporiginal or not tokenize or "no_morph" in kwargs:
            return self.inner(
                value,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=tokenize,
                mode=mode,
                **kwargs,
            )
        # Other keywords (such as ``boosts``) become token attributes, as Whoosh's tokenizer does.
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        return self._tokens(
            token, value, positions, chars, removestops, start_pos, start_char, mode == "query"
        )

    def _tokens(
        self,
        token: Token,
        value: str,
        positions: bool,
        chars: bool,
        removestops: bool,
        start_pos: int,
        start_char: int,
        query: bool,
    ) -> Iterator[Token]:
        renumber = self._renumber and positions
        kept_pos: int | None = None
        shift = 0  # positions taken by words before that take more than one
        for number, match, (found, stopped) in self._analysed(value, removestops, query):
            token.stopped = stopped
            token.boost = 1.0
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            if type(found) is WordTerms:
                for text, offset in zip(found.terms, found.offsets, strict=True):
                    token.text = text
                    if positions:
                        token.pos = start_pos + number + shift + offset
                    yield token
                shift += found.width - 1
                continue
            token.text = found
            if positions:
                pos = start_pos + number + shift
                if renumber and not stopped:  # as StopFilter renumbers kept words
                    kept_pos = pos if kept_pos is None else kept_pos + 1
                    pos = kept_pos
                token.pos = pos
            yield token

    def spans(
        self, value: str, mode: str = "query"
    ) -> tuple[list[str | tuple[str, ...]], list[int]]:
        """Each word of ``value``, stopwords kept: its term (its terms, for a word of several),
        and where it starts and ends (word ``i`` runs from ``bounds[2 * i]`` to
        ``bounds[2 * i + 1]``). What a highlighter needs, found without a Python step a word."""
        if self._expression is None:
            tokens = self.inner(value, chars=True, mode=mode, removestops=False)
            found = [(t.text, t.startchar, t.endchar) for t in tokens]  # (one token, reused)
            return [text for text, _, _ in found], [at for _, *ends in found for at in ends]
        found, bounds = self._words_and_bounds(value)
        return self.texts(found), bounds

    def bounds(self, value: str) -> list[int]:
        """Where each word of ``value`` starts and ends (word ``i`` runs from ``bounds[2 * i]``
        to ``bounds[2 * i + 1]``), as ``spans`` gives them; only for a ``cached`` analyzer."""
        return self._words_and_bounds(value)[1]

    def texts(self, words: list[str]) -> list[str | tuple[str, ...]]:
        """What each of ``words`` (words as the tokenizer cuts them) becomes as it is indexed,
        stopwords kept (as ``spans`` gives them): its term, or the terms of a word that gives
        several; only for a ``cached`` analyzer."""
        # (With stopwords kept, no filter drops a word.)
        outcomes = looked_up(
            self._words[False, False], words, lambda ws: self._analyse(ws, False, False)
        )
        texts = list(map(itemgetter(0), outcomes))
        if self.expands:
            return [text.terms if type(text) is WordTerms else text for text in texts]
        return texts

    def forms(self, terms: Mapping[str, str | None]) -> list[tuple[str, str]]:
        """Each word of ``terms`` (words and their index terms, as ``positioned_terms`` fills
        it) that ``texts`` makes into something else, after what it becomes ("Elections" after
        "elect"): how an indexed word is written, for snippets to search a text for
        (``index/embedded/forms.py``). Only stopwords are analysed again."""
        written = [
            (term, word) for word, term in terms.items() if type(term) is str and term != word
        ]
        written += [
            (text, word)
            for word, term in terms.items()
            if type(term) is WordTerms
            for text in term.terms
            if text != word
        ]
        stopwords = [word for word, term in terms.items() if term is None]
        texts = self.texts(stopwords)
        return written + [(t, w) for w, t in zip(stopwords, texts, strict=True) if t != w]  # type: ignore[misc]

    def _words_and_bounds(self, value: str) -> tuple[list[str], list[int]]:
        """The words of ``value``, and where each starts and ends, one after the other.
        ``re.split`` cuts the text into separators and words in turn (empty words too), whose
        running lengths are where the words start and end, without a match object a word; a
        pattern with a group of its own would add pieces, so its matches are taken one by one."""
        assert self._expression is not None
        if self._splitter is not None:
            pieces = self._splitter.split(value)
            bounds = list(accumulate(map(len, pieces)))
            bounds.pop()  # (the end of the text)
            return pieces[1::2], bounds
        matches = list(self._expression.finditer(value))
        return list(map(re.Match.group, matches)), [at for m in matches for at in m.span()]

    def terms(self, value: str, mode: str = "") -> list[str]:
        """The texts of the tokens ``self(value)`` gives (stopwords dropped), in order, found
        with one regex scan and a lookup a word: what ranking needs from a whole article."""
        if self._expression is None:
            return [token.text for token in self.inner(value, mode=mode)]
        outcomes = self._outcomes(value)
        if self.expands and WordTerms in set(map(type, outcomes)):
            return _expanded(outcomes)[0]
        return [term for term in outcomes if term is not None]  # type: ignore[misc]

    def positioned_terms(
        self, value: str, mode: str = "", terms: _Terms | None = None
    ) -> tuple[list[str], Sequence[int]]:
        """The texts and positions of the tokens ``self(value, positions=True)`` gives
        (stopwords dropped), in order, without a token object a word: what indexing needs.
        Each word's term is remembered in ``terms`` if given (never emptied: the caller's to
        bound), else in the analyzer's own cache."""
        if self._expression is None:
            tokens = [(t.text, t.pos) for t in self.inner(value, positions=True, mode=mode)]
            return [text for text, _ in tokens], [pos for _, pos in tokens]
        outcomes = self._outcomes(value, terms)
        if self.expands and WordTerms in set(map(type, outcomes)):
            return _expanded(outcomes)
        kept = [term for term in outcomes if term is not None]
        if not self._renumber:
            return kept, [number for number, term in enumerate(outcomes) if term is not None]
        # As StopFilter renumbers: the first kept word keeps its number, the rest follow it.
        first = next((number for number, term in enumerate(outcomes) if term is not None), 0)
        return kept, range(first, first + len(kept))

    def _outcomes(self, value: str, terms: _Terms | None = None) -> list[str | WordTerms | None]:
        """Each word of ``value``, in order, as its index term(s) (None: a stopword, dropped),
        found with one regex scan and a lookup a word (in ``terms`` if given, never emptied)."""
        assert self._expression is not None
        expression = self._expression
        if expression.groups:  # (``findall`` would give the groups, not the words)
            found = [match.group(0) for match in expression.finditer(value)]
        else:
            found = expression.findall(value)
        if terms is None:
            return looked_up(self._terms, found, self._terms_of)
        return looked_up(terms, found, self._terms_of, limit=None)

    def _terms_of(self, words: list[str]) -> list[str | WordTerms | None]:
        """Each word's index term(s); None for a stopword, which is dropped."""
        return [None if o is _DROPPED else o[0] for o in self._analyse(words, True, False)]

    def _analysed(
        self, value: str, removestops: bool, query: bool = False
    ) -> Iterator[tuple[int, re.Match[str], tuple[str | WordTerms, bool]]]:
        """The words of ``value`` the filters keep: their number among all words, where they
        are, and what the filters make of them (each distinct word worked out once)."""
        assert self._expression is not None
        matches = list(self._expression.finditer(value))
        outcomes = looked_up(
            self._words[removestops, query],
            list(map(re.Match.group, matches)),
            lambda words: self._analyse(words, removestops, query),
        )
        for number, (match, outcome) in enumerate(zip(matches, outcomes, strict=True)):
            if outcome is not _DROPPED:
                yield number, match, outcome

    def _analyse(self, words: list[str], removestops: bool, query: bool) -> list[_Outcome]:
        """What the filters make of each word: its text (or terms) and whether it is a stopword,
        or None (``query``: as a query's words, for filters that tell them apart).
        Each filter's step is taken over the whole list of words at once (a token object and a
        generator step a word cost ten times as much, felt by any query whose articles bring new
        words: a search process meets every word of the hits it shows for the first time)."""
        texts, stopped = words, [False] * len(words)
        for item in self._filters:
            if type(item) is StopFilter:
                # (Whoosh's condition for a word to be kept.)
                low, high, stops = item.min, item.max, item.stops
                stopped = [
                    not (low <= len(text) and (high is None or len(text) <= high)) or text in stops
                    for text in texts
                ]
            elif type(item) is StemFilter:  # (stopwords and ignored words left as they are)
                stem, ignore = inspect.unwrap(item._stem), item.ignore  # (Whoosh's cache, off)
                texts = [
                    text if stop or text in ignore else stem(text)
                    for text, stop in zip(texts, stopped, strict=True)
                ]
            elif type(item) is _EXPANDING:
                texts = [word_terms(text, query) for text in texts]  # type: ignore[misc]
            else:
                texts = list(map(_REWRITES[type(item)](item), texts))
        if removestops:
            return [
                None if stop else (text, False) for text, stop in zip(texts, stopped, strict=True)
            ]
        return list(zip(texts, stopped, strict=True))


def _expanded(outcomes: list[str | WordTerms | None]) -> tuple[list[str], list[int]]:
    """The terms and positions of words' outcomes, some of them of several terms."""
    kept: list[str] = []
    positions: list[int] = []
    shift = 0
    for number, term in enumerate(outcomes):
        if type(term) is WordTerms:
            kept.extend(term.terms)
            positions.extend(number + shift + offset for offset in term.offsets)
            shift += term.width - 1
        elif term is not None:
            kept.append(term)
            positions.append(number + shift)
    return kept, positions


def _faster(expression: re.Pattern[str]) -> re.Pattern[str]:
    """``expression``, or the faster pattern that finds the same words."""
    faster = _FASTER_PATTERNS.get(expression.pattern)
    return expression if faster is None else re.compile(faster, expression.flags)


def looked_up(
    cache: dict[str, Any],
    words: list[str],
    work_out: Callable[[list[str]], list[Any]],
    limit: int | None = _CACHE_LIMIT,
) -> list[Any]:
    """What ``cache`` holds for each of ``words``, in order; the words not in it are worked out
    together, once each (the cache is emptied first when it has grown past ``limit``)."""
    try:
        return list(map(cache.__getitem__, words))
    except KeyError:
        if limit is not None and len(cache) > limit:
            cache.clear()
        missing = list(set(words).difference(cache))
        cache.update(zip(missing, work_out(missing), strict=True))
        return list(map(cache.__getitem__, words))
