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

from index.enrich.clean import fold_typography

# (No cache of its own: analysis remembers each word's outcome, and PyStemmer's cache made
# stemming a new word three times slower.)
_english = Stemmer.Stemmer("english", 0)

# Values of a multi-valued facet are joined with this before Whoosh sees them.
FACET_SEPARATOR = "\x1f"


def stem_english(word: str) -> str:
    """Snowball (Porter2) English stemming, from the C library PyStemmer."""
    return _english.stemWord(word)


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


# British -ise/-isation words not in the spelling list (mostly technical: "linearised"); short
# words are left alone ("rise", "noise", "prise").
_ISE_ENDINGS = ("ise", "ised", "ises", "ising", "isation", "isations")
_ISE = re.compile(rf"(?<=\w{{4}})is({'|'.join(ending[2:] for ending in _ISE_ENDINGS)})$")


def american_spelling(word: str) -> str:
    """The American spelling of a lower-case British word ("colour" -> "color"), else the word."""
    respelled = BRITISH_ENGLISH_SPELLINGS.get(word)
    if respelled:
        return respelled
    return _ISE.sub(r"iz\1", word) if word.endswith(_ISE_ENDINGS) else word  # (sub: 4 times slower)


class SpellingFilter(WordFilter):
    """British and American spellings of a word match ("organisation", "organization"): UK and US
    outlets write about the same things."""

    rewrite = staticmethod(american_spelling)


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
