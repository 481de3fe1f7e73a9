"""How text becomes index terms: one analyzer for searchable prose, one for facet values.

Both are used at index time and at query time (Whoosh pickles them into the index), so anything
they reference must stay importable under the same name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh.analysis import Analyzer, Filter, LowercaseFilter, RegexTokenizer
from whoosh.support.charset import accent_map

from index.common_words import COMMON_WORDS
from index.english import american_spelling, stem_english
from index.enrich.clean import fold_typography

# Values of a multi-valued facet are joined with this before Whoosh sees them.
FACET_SEPARATOR = "\x1f"


class WordFilter(Filter):
    """A filter that rewrites each word by itself, with ``rewrite``: cached analysis
    (``index/embedded/fast_analysis.py``) rewrites a whole list of new words with it at once."""

    @staticmethod
    def rewrite(text: str) -> str:
        raise NotImplementedError

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        rewrite = self.rewrite
        for token in tokens:
            token.text = rewrite(token.text)
            yield token


class TypographyFilter(WordFilter):
    """Ligatures, full-width letters and typographic quotes matched as their plain forms
    ("ﬁnance" finds "finance"); the stored text keeps what the source printed."""

    rewrite = staticmethod(fold_typography)


class SpellingFilter(WordFilter):
    """British and American spellings of a word match ("organisation", "organization"): UK and US
    outlets write about the same things."""

    rewrite = staticmethod(american_spelling)


# A word: letters and digits, joined by ``&``, ``/``, ``-`` or dots ("AT&T", "9/11", "COVID-19",
# "3.14", "U.S"), with a trailing ``++`` or ``#`` ("C++", "C#").
WORD_PATTERN = r"\w+(?:[&/.-]\w+)*(?:\+\+|#(?![\w#]))?"
_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # ("U.S", "e.g": single letters and dots)
# Joined words also found by their parts ("AT&T" by "at" and "t"); dotted ones ("3.14",
# "example.com") only whole, as Lucene's standard tokenizer keeps them.
JOINED = re.compile(r"[&/+#-]")
_PARTS = re.compile(r"[^\W_]+")
# Unspaced scripts (Han, Hiragana, Katakana, Hangul): found by overlapping pairs of characters.
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f"
_HAS_UNSPACED = re.compile(f"[{_UNSPACED}]")
_RUNS = re.compile(f"[{_UNSPACED}]+|[^{_UNSPACED}\\W_]+")
# Common words that news also writes in capitals as acronyms ("US", "IT", "WHO"): in capitals they
# are indexed in their capital form as well, which a query in capitals asks for alone.
CAPITAL_WORDS = frozenset({"us", "it", "who", "am"})

_fold_accents = str.maketrans(accent_map)


def is_content_term(term: str) -> bool:
    """Whether an index term is a word that says what a text is about, as the index read before
    it kept every word: not a common word ("the", "of"), not a single letter, not a joined word
    whole (its parts are: "boundary-layer" counts as "boundary" and "layer"). Field lengths count
    these (``index/embedded/schema.py``), and the rerank's word pairs and topic are made of them."""
    return len(term) > 1 and term not in COMMON_WORDS and not JOINED.search(term)


def prose_term(word: str) -> str:
    """The index term of a plain word: lower-cased, accents folded, American spelling, stemmed."""
    return stem_english(american_spelling(word.lower().translate(_fold_accents)))


@dataclass(frozen=True, slots=True)
class WordTerms:
    """The terms of a word that gives more than one ("AT&T": "at&t", "at", "t") or takes more
    than one position (a run of Chinese characters): each term with its position from the word's
    first, and the positions the word takes."""

    terms: tuple[str, ...]
    offsets: tuple[int, ...]
    width: int


def word_terms(word: str, query: bool = False) -> str | WordTerms:
    """What a word (typography folded) is indexed as, or, with ``query``, searched for.

    A joined word is indexed whole and by its parts at the same position, so a phrase that has it
    whole still lines up; a query asks for it whole. An acronym is its letters ("U.S." is "us").
    Unspaced text is indexed as overlapping pairs of characters, one position each (Lucene's
    CJK bigrams), and a query asks for the pairs in a row. A capital word of ``CAPITAL_WORDS``
    also gives its capital form, which a query in capitals asks for instead of the word.
    """
    if _HAS_UNSPACED.search(word):
        return _unspaced_terms(word)
    if _ACRONYM.fullmatch(word):
        word = word.replace(".", "")
    term = prose_term(word)
    capital = _capital(word, term)
    if query:
        return capital or term
    if not JOINED.search(word):
        return WordTerms((term, capital), (0, 0), 1) if capital else term
    terms = [term]
    for part in _PARTS.findall(word):
        part_term = prose_term(part)
        terms += [part_term, _capital(part, part_term)]
    kept = tuple(text for text in dict.fromkeys(terms) if text)
    return WordTerms(kept, (0,) * len(kept), 1)


def _capital(word: str, term: str) -> str:
    """The capital form a word is also indexed as ("US"), or "" for most words."""
    return word if term in CAPITAL_WORDS and len(word) > 1 and word.isupper() else ""


def _unspaced_terms(word: str) -> str | WordTerms:
    terms: list[str] = []
    for run in _RUNS.findall(word):
        if _HAS_UNSPACED.match(run):
            terms.extend(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
        else:
            terms.append(prose_term(run))
    if len(terms) == 1:
        return terms[0]
    return WordTerms(tuple(terms), tuple(range(len(terms))), len(terms))


class WordTermsFilter(Filter):
    """Each word as its terms (``word_terms``), positions moved on by the words that take more
    than one. (The index is written through ``index/embedded/fast_analysis.py``, which gives the
    same tokens a word at a time; this is the same chain for Whoosh.)"""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        shift = 0
        for token in tokens:
            found = word_terms(token.text, query=token.mode == "query")
            if type(found) is str:
                token.text = found
                if token.positions:
                    token.pos += shift
                yield token
                continue
            first = token.pos + shift if token.positions else 0
            for text, offset in zip(found.terms, found.offsets, strict=True):
                token.text = text
                if token.positions:
                    token.pos = first + offset
                yield token
            shift += found.width - 1


def text_analyzer() -> Analyzer:
    """Every word with its position (stopwords too, as Lucene keeps them), typography folded,
    then each word's terms: lower-cased, accents folded, American spelling, stemmed
    (``word_terms``)."""
    return RegexTokenizer(WORD_PATTERN) | TypographyFilter() | WordTermsFilter()


def facet_analyzer() -> Analyzer:
    """Each facet value is one term, case-folded, so filters ignore case."""
    return RegexTokenizer(f"[^{FACET_SEPARATOR}]+") | LowercaseFilter()
