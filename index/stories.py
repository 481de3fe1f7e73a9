"""Duplicates and syndication, decided at index time.

*Exact copies* — the same text under another id (a wire story two publishers ran word for word,
a story under two URLs) — share a ``body_hash`` of their normalised text; each is indexed (every
publisher's copy is a data point) and joins the story of the article it repeats, unless copies
are dropped (``drop_copies``, opt-in). *Near
duplicates* — a wire story republished with small edits, another headline or a trimmed ending —
share a ``story`` key, found by MinHash over word shingles with locality-sensitive hashing:
each article's signature is cut into bands, articles sharing a band are candidates, and a
candidate whose estimated resemblance passes ``STORY_THRESHOLD`` lends its story key.

Fingerprints and band keys live in a small SQLite table beside the index (``STORY_TABLE``), so
grouping works across runs without adding thousands of one-document terms to the index; the
index itself holds only each article's ``story`` key, which search collapses on.

The MinHash is one-permutation hashing with rotation densification (Li et al. 2012; Shrivastava
2017): one hash per shingle instead of one per shingle and permutation, which keeps it cheap in
pure Python. A shingle's hash is its words' hashes (each word's worked out once and remembered)
mixed, for all shingles of an article at once (``WORD_HASHING``); hashing each shingle's text
(``SHINGLE_HASHING``) was a sixth of the work of indexing. Tables whose signatures were made
that way, before 2026-11-27, go on being filled that way, so they stay comparable.
"""

from __future__ import annotations

import hashlib
import operator
import re
import sqlite3
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.searching import Searcher

from index.article import Article
from index.embedded.fast_analysis import looked_up
from index.enrich.clean import fold_typography

STORY_TABLE = "stories.sqlite"
BINS = 64
BANDS = 16
ROWS = BINS // BANDS
# Estimated Jaccard resemblance of shingle sets above which two articles are one story.
# With 16 bands of 4, a pair at 0.5 is a candidate with probability 0.64, at 0.7 with 0.99.
STORY_THRESHOLD = 0.5
SHINGLE_WORDS = 3
# Of the articles sharing a band with a new one, the most recently judged this many are its
# candidates: a template repeated thousands of times (market reports, sports results) would
# otherwise have each new article compared with every earlier one.
BAND_CANDIDATES = 50
# Below this many words the body says too little; the headline joins it (for both checks).
_MIN_BODY_WORDS = 40
_EMPTY = 2**32 - 1
# How shingles are hashed: the text of each (tables made before 2026-11-27), or from its
# words' hashes. A table's ``user_version`` says which; 0 is the first.
SHINGLE_HASHING, WORD_HASHING = 0, 1
_WORD_HASHES: dict[str, int] = {}  # (remembered as ``looked_up`` keeps them)
# Odd multipliers combining a shingle's three word hashes, and splitmix64's finaliser.
_ORDER = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 1], dtype=np.uint64)
_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))

_NON_WORD = re.compile(r"[\W_]+")


def normalised_words(text: str) -> list[str]:
    """The words of a text as compared for duplicates: folded, lower-cased, punctuation gone."""
    return _NON_WORD.sub(" ", fold_typography(text).casefold()).split()


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What duplicate detection knows about one article."""

    body_hash: str
    signature: array  # BINS unsigned 32-bit minimums
    bands: tuple[str, ...]


def fingerprint(article: Article, hashing: int = WORD_HASHING) -> Fingerprint:
    """The text compared is the body, or headline and body when the body is short: two briefs
    reading "This story will be updated." are not the same article."""
    body = normalised_words(article.body)
    words = body if len(body) >= _MIN_BODY_WORDS else normalised_words(article.title) + body
    digest = hashlib.sha1(" ".join(words).encode()).hexdigest()[:20]
    signature = minhash(shingles(words)) if hashing == SHINGLE_HASHING else word_minhash(words)
    return Fingerprint(digest, signature, band_keys(signature))


def shingles(words: list[str]) -> set[str]:
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return set(map(" ".join, zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)))


def _hash(item: bytes) -> bytes:
    return hashlib.blake2b(item, digest_size=8).digest()


def minhash(items: Iterable[str]) -> array:
    """The signature of a set of shingles, each hashed as text (``SHINGLE_HASHING``)."""
    # Each item's hash is a little-endian 64-bit number.
    return _signature(np.frombuffer(b"".join(map(_hash, map(str.encode, items))), dtype="<u8"))


def word_minhash(words: list[str]) -> array:
    """The signature of the shingles of ``words`` (of fewer words than a shingle, one made of
    them all), each hashed from its words' hashes (``WORD_HASHING``)."""
    if not words:
        return _signature(np.zeros(0, dtype=np.uint64))
    hashes = looked_up(_WORD_HASHES, words, _word_hashes)
    hashes += [0] * (SHINGLE_WORDS - len(hashes))
    each = np.array(hashes, dtype=np.uint64)
    width = len(each) - SHINGLE_WORDS + 1
    values = sum(each[i : i + width] * _ORDER[i] for i in range(SHINGLE_WORDS))
    values ^= values >> np.uint64(30)
    values *= _MIX[0]
    values ^= values >> np.uint64(27)
    values *= _MIX[1]
    values ^= values >> np.uint64(31)
    return _signature(values)


def _word_hashes(words: list[str]) -> list[int]:
    return [int.from_bytes(_hash(word.encode()), "little") for word in words]


def _signature(values: np.ndarray) -> array:
    """A BINS-value signature of 64-bit hashes: the smallest falling in each bin, empty bins
    filled from the next non-empty one (rotation), so equal sets give equal signatures."""
    # A hash's bin is its low bits, its value the next 32 (for all hashes at once).
    lowest = np.full(BINS, _EMPTY, dtype=np.uint64)
    np.minimum.at(lowest, values % BINS, (values // BINS) & 0xFFFFFFFF)
    mins = lowest.tolist()
    if all(value == _EMPTY for value in mins):
        return array("I", mins)
    # Walk the ring backwards twice, so each empty bin meets its nearest filled successor.
    filled = array("I", mins)
    donor, offset = _EMPTY, 0
    for position in range(2 * BINS - 1, -1, -1):
        value = mins[position % BINS]
        if value != _EMPTY:
            donor, offset = value, 0
            continue
        offset += 1
        if position < BINS:
            filled[position] = (donor + offset * 0x9E3779B1) & 0xFFFFFFFF
    return filled


def band_keys(signature: array) -> tuple[str, ...]:
    if signature[0] == _EMPTY:
        return ()
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS].tobytes()
        keys.append(f"{band:x}{hashlib.blake2b(rows, digest_size=6).hexdigest()}")
    return tuple(keys)


def resemblance(first: array, second: array) -> float:
    """Estimated Jaccard resemblance of the shingle sets behind two signatures."""
    return sum(map(operator.eq, first, second)) / BINS


def signature_bytes(signature: array) -> bytes:
    return signature.tobytes()


def signature_from(stored: bytes | None) -> array | None:
    if not stored or len(stored) != BINS * array("I").itemsize:
        return None
    signature = array("I")
    signature.frombytes(stored)
    return signature


@dataclass(frozen=True, slots=True)
class Verdict:
    """``story`` is the key of the article's story group; ``duplicate_of`` names the article it
    repeats exactly, if any (then it is left out only when copies are dropped)."""

    fingerprint: Fingerprint
    story: str
    duplicate_of: str | None = None


_TABLES = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, body_hash TEXT NOT NULL, story TEXT NOT NULL, signature BLOB
);
CREATE INDEX IF NOT EXISTS articles_by_hash ON articles (body_hash);
CREATE TABLE IF NOT EXISTS bands (band TEXT NOT NULL, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS bands_by_band ON bands (band);
CREATE INDEX IF NOT EXISTS bands_by_id ON bands (id);
"""


class StoryGrouper:
    """Decides each article's fate, remembering fingerprints in ``STORY_TABLE`` beside the index.
    Fingerprints to judge must be made the table's way (``hashing``).

    The table is written as articles are judged and committed after each index commit (with
    the rows of the next batch read so far). Rows of articles not in the index (since deleted,
    or never committed) are ignored: an exact duplicate must repeat an article that is there,
    or one pending in this run. With ``drop_copies`` an exact copy is judged but not remembered
    (it will not be indexed); otherwise it is remembered like any other article.
    """

    def __init__(self, index_path: Path, drop_copies: bool = False) -> None:
        self.drop_copies = drop_copies
        self.db = sqlite3.connect(index_path / STORY_TABLE)
        self.db.executescript(_TABLES)
        (self.hashing,) = self.db.execute("PRAGMA user_version").fetchone()
        if self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None:
            self.hashing = WORD_HASHING  # a new table (or an empty one): the faster way
            self.db.execute(f"PRAGMA user_version = {WORD_HASHING}")
        self.searcher: Searcher | None = None
        self._pending: set[str] = set()

    def use(self, searcher: Searcher, committed: Iterable[str] = ()) -> None:
        """Check liveness in ``searcher`` from now on: called after each commit, with the ids
        of the articles it committed (no longer pending: the searcher sees them)."""
        self.db.commit()
        if self.searcher is not None:
            self.searcher.close()
        self.searcher = searcher
        self._pending.difference_update(committed)

    def close(self) -> None:
        """Stop; rows not yet committed with an index commit are dropped."""
        if self.searcher is not None:
            self.searcher.close()
        self.db.close()

    def judge(self, article: Article, found: Fingerprint | None = None) -> Verdict:
        """The article's fate; ``found`` is its fingerprint, if worked out already."""
        found = found if found is not None else fingerprint(article, self.hashing)
        original = self._find_hash(found.body_hash, article.id)
        copy_of = original[0] if original is not None else None
        if original is not None and self.drop_copies:
            return Verdict(found, original[1], duplicate_of=copy_of)
        if original is not None:
            story = original[1]
        else:
            story = self._find_story(found, article.id) or f"s:{found.body_hash}"
        self.db.execute("DELETE FROM bands WHERE id = ?", (article.id,))
        self.db.execute(
            "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)",
            (article.id, found.body_hash, story, signature_bytes(found.signature)),
        )
        self.db.executemany(
            "INSERT INTO bands VALUES (?, ?)", [(band, article.id) for band in found.bands]
        )
        self._pending.add(article.id)
        return Verdict(found, story, duplicate_of=copy_of)

    def _live(self, article_id: str) -> bool:
        if article_id in self._pending:
            return True
        searcher = self.searcher
        return searcher is not None and searcher.document_number(id=article_id) is not None

    def _find_hash(self, body_hash: str, article_id: str) -> tuple[str, str] | None:
        """The id and story of a live article with the same text."""
        rows = self.db.execute(
            "SELECT id, story FROM articles WHERE body_hash = ? AND id != ?",
            (body_hash, article_id),
        )
        return next((row for row in rows if self._live(row[0])), None)

    def _find_story(self, found: Fingerprint, article_id: str) -> str | None:
        """The story of the most resembling candidate above ``STORY_THRESHOLD``, if any
        (of equals, the one judged last)."""
        if not found.bands:
            return None
        # Each band's newest, in one statement (one a band took three times as long).
        newest = "SELECT id FROM (SELECT id FROM bands WHERE band = ? ORDER BY rowid DESC LIMIT ?)"
        rows = self.db.execute(
            " UNION ALL ".join([newest] * len(found.bands)),
            [value for band in found.bands for value in (band, BAND_CANDIDATES)],
        )
        candidates = {candidate for (candidate,) in rows} - {article_id}
        if not candidates:
            return None
        marks = ",".join("?" * len(candidates))
        rows = self.db.execute(
            f"SELECT story, signature FROM articles WHERE id IN ({marks}) ORDER BY rowid",
            tuple(candidates),
        )
        best, best_story = STORY_THRESHOLD, None
        for story, stored in rows:
            signature = signature_from(stored)
            if signature is None:
                continue
            score = resemblance(found.signature, signature)
            if score >= best:
                best, best_story = score, story
        return best_story
