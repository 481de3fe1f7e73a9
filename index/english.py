"""English words as both engines' analysis and queries read them: British spellings made American
and Snowball (Porter2) stems. The embedded index's analysis (``index/embedded/analysis.py``) uses
them for every word; a cluster's index does the same in its own analysis
(``index/opensearch/mapping.py``), and Byline stems the prefixes and wildcards it sends there.
"""

from __future__ import annotations

import re

import Stemmer
from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS

# (No cache of its own: analysis remembers each word's outcome, and PyStemmer's cache made
# stemming a new word three times slower.)
_english = Stemmer.Stemmer("english", 0)


def stem_english(word: str) -> str:
    """Snowball (Porter2) English stemming, from the C library PyStemmer."""
    return _english.stemWord(word)


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
