"""How text becomes index terms: one analyzer for searchable prose, one for facet values.

Both are used at index time and at query time (Whoosh pickles them into the index), so anything
they reference must stay importable under the same name.
"""

from __future__ import annotations

import re

import Stemmer
from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

from index.clean import fold_typography

_english = Stemmer.Stemmer("english")

# Values of a multi-valued facet are joined with this before Whoosh sees them.
FACET_SEPARATOR = "\x1f"


def stem_english(word: str) -> str:
    """Snowball (Porter2) English stemming, from the C library PyStemmer."""
    return _english.stemWord(word)


class TypographyFilter(Filter):
    """Ligatures, full-width letters and typographic quotes matched as their plain forms
    ("ﬁnance" finds "finance"); the stored text keeps what the source printed."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for token in tokens:
            token.text = fold_typography(token.text)
            yield token


# British -ise/-isation words not in the spelling list (mostly technical: "linearised"); short
# words are left alone ("rise", "noise", "prise").
_ISE = re.compile(r"(?<=\w{4})is(e|ed|es|ing|ation|ations)$")


def american_spelling(word: str) -> str:
    """The American spelling of a lower-case British word ("colour" -> "color"), else the word."""
    return BRITISH_ENGLISH_SPELLINGS.get(word) or _ISE.sub(r"iz\1", word)


class SpellingFilter(Filter):
    """British and American spellings of a word match ("organisation", "organization"): UK and US
    outlets write about the same things."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for token in tokens:
            token.text = american_spelling(token.text)
            yield token


def text_analyzer() -> Analyzer:
    """Words, typography folded, lower-cased, accents folded, American spelling, English
    stopwords dropped, stemmed."""
    return (
        RegexTokenizer(r"\w+(?:\.?\w+)*")
        | TypographyFilter()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | SpellingFilter()
        | StopFilter()
        | StemFilter(stemfn=stem_english, cachesize=100_000)
    )


def facet_analyzer() -> Analyzer:
    """Each facet value is one term, case-folded, so filters ignore case."""
    return RegexTokenizer(f"[^{FACET_SEPARATOR}]+") | LowercaseFilter()
