"""Duplicates and syndication, decided at index time.

*Exact copies* — the same text under another id (a wire story two publishers ran word for word,
a story under two URLs) — share a ``body_hash`` of their normalised text; each is indexed (every
publisher's copy is a data point) and joins the story of the article it repeats, unless copies
are dropped (``drop_copies``, opt-in). *Near
duplicates* — a wire story republished with small edits, another headline or a trimmed ending —
share a ``story`` key, found by MinHash over word shingles with locality-sensitive hashing:
each article's signature is cut into bands, articles sharing a band are candidates, and a
candidate whose estimated resemblance passes ``STORY_THRESHOLD`` lends its story key.

Fingerprints and band keys live in a story store, so grouping works across runs without adding
thousands of one-document terms to the index: a small SQLite table beside an embedded index
(``STORY_TABLE``), a companion index on a cluster, which every writer shares. The index itself
holds only each article's ``story`` key, which search collapses on.

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from index.article import Article
from index.enrich.clean import fold_typography
from index.word_cache import looked_up

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


class StoryStore(Protocol):
    """Where a grouper keeps the fingerprints of judged articles: a SQLite table beside an
    embedded index (``SqliteStoryStore``), a companion index on a cluster, where every writer
    finds what the others judged (``index/opensearch/stories.py``). An index target gives its
    own (``IndexTarget.story_store``).

    Rows are remembered as articles are judged and kept with each index commit (``committed``);
    only articles the index holds, or pending in this run, count."""

    @property
    def hashing(self) -> int:
        """How the store's signatures were made (``SHINGLE_HASHING``, ``WORD_HASHING``)."""

    def look_ahead(self, judged: Sequence[tuple[str, Fingerprint]]) -> None:
        """Articles about to be judged, in order (id, fingerprint): a store far away fetches
        what judging them needs in one request."""

    def original(self, article_id: str, found: Fingerprint) -> tuple[str, str] | None:
        """The id and story of a live article other than ``article_id`` with the same text
        (of several, the first judged)."""

    def candidates(self, article_id: str, found: Fingerprint) -> Iterable[tuple[str, bytes]]:
        """The story and stored signature of each candidate: of each band of ``found``, the
        ``BAND_CANDIDATES`` articles judged last (not ``article_id``), the first judged first."""

    def remember(self, article_id: str, found: Fingerprint, story: str) -> None:
        """Keep a judged article's fingerprint and story (replacing any row of its id)."""

    def committed(self, ids: Iterable[str], refused: Iterable[str]) -> None:
        """Called after each index commit with the ids it stored and those the index refused:
        the rows of the first are kept, of the others ignored from now on."""

    def close(self) -> None:
        """Stop; rows not yet kept with an index commit are dropped."""


class StoryGrouper:
    """Decides each article's fate, remembering fingerprints in ``store``. Fingerprints to judge
    must be made the store's way (``hashing``).

    An exact duplicate must repeat an article that is live (committed, or pending in this
    run). With ``drop_copies`` an exact copy is judged but not remembered (it will not be
    indexed); otherwise it is remembered like any other article.
    """

    def __init__(self, store: StoryStore, drop_copies: bool = False) -> None:
        self.store, self.drop_copies = store, drop_copies
        self.hashing = store.hashing

    def look_ahead(self, judged: Sequence[tuple[str, Fingerprint]]) -> None:
        """The articles judged next, in order (see ``StoryStore.look_ahead``)."""
        self.store.look_ahead(judged)

    def committed(self, ids: Iterable[str], refused: Iterable[str] = ()) -> None:
        """Called after each index commit (see ``StoryStore.committed``)."""
        self.store.committed(ids, refused)

    def close(self) -> None:
        self.store.close()

    def judge(self, article: Article, found: Fingerprint | None = None) -> Verdict:
        """The article's fate; ``found`` is its fingerprint, if worked out already."""
        found = found if found is not None else fingerprint(article, self.hashing)
        original = self.store.original(article.id, found)
        copy_of = original[0] if original is not None else None
        if original is not None and self.drop_copies:
            return Verdict(found, original[1], duplicate_of=copy_of)
        if original is not None:
            story = original[1]
        else:
            story = self._find_story(found, article.id) or f"s:{found.body_hash}"
        self.store.remember(article.id, found, story)
        return Verdict(found, story, duplicate_of=copy_of)

    def _find_story(self, found: Fingerprint, article_id: str) -> str | None:
        """The story of the most resembling candidate above ``STORY_THRESHOLD``, if any
        (of equals, the one judged last)."""
        if not found.bands:
            return None
        best, best_story = STORY_THRESHOLD, None
        for story, stored in self.store.candidates(article_id, found):
            signature = signature_from(stored)
            if signature is None:
                continue
            score = resemblance(found.signature, signature)
            if score >= best:
                best, best_story = score, story
        return best_story


_TABLES = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, body_hash TEXT NOT NULL, story TEXT NOT NULL, signature BLOB
);
CREATE INDEX IF NOT EXISTS articles_by_hash ON articles (body_hash);
CREATE TABLE IF NOT EXISTS bands (band TEXT NOT NULL, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS bands_by_band ON bands (band);
CREATE INDEX IF NOT EXISTS bands_by_id ON bands (id);
"""


class SqliteStoryStore:
    """Fingerprints in ``STORY_TABLE`` in an index's folder.

    The table is written as articles are judged and committed after each index commit (with
    the rows of the next batch read so far). Rows of articles not in the index (since deleted,
    refused, or never committed) are ignored: ``holds`` says whether the last commit has an id.
    """

    def __init__(self, folder: Path, holds: Callable[[str], bool]) -> None:
        self.db = sqlite3.connect(folder / STORY_TABLE)
        self.db.executescript(_TABLES)
        (self.hashing,) = self.db.execute("PRAGMA user_version").fetchone()
        if self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None:
            self.hashing = WORD_HASHING  # a new table (or an empty one): the faster way
            self.db.execute(f"PRAGMA user_version = {WORD_HASHING}")
        self.holds = holds
        self._pending: set[str] = set()

    def look_ahead(self, judged: Sequence[tuple[str, Fingerprint]]) -> None:
        pass  # (the table is at hand)

    def committed(self, ids: Iterable[str], refused: Iterable[str]) -> None:
        self.db.commit()
        self._pending.difference_update(ids)
        self._pending.difference_update(refused)

    def close(self) -> None:
        self.db.close()

    def remember(self, article_id: str, found: Fingerprint, story: str) -> None:
        self.db.execute("DELETE FROM bands WHERE id = ?", (article_id,))
        self.db.execute(
            "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)",
            (article_id, found.body_hash, story, signature_bytes(found.signature)),
        )
        self.db.executemany(
            "INSERT INTO bands VALUES (?, ?)", [(band, article_id) for band in found.bands]
        )
        self._pending.add(article_id)

    def _live(self, article_id: str) -> bool:
        return article_id in self._pending or self.holds(article_id)

    def original(self, article_id: str, found: Fingerprint) -> tuple[str, str] | None:
        rows = self.db.execute(
            "SELECT id, story FROM articles WHERE body_hash = ? AND id != ?",
            (found.body_hash, article_id),
        )
        return next((row for row in rows if self._live(row[0])), None)

    def candidates(self, article_id: str, found: Fingerprint) -> Iterable[tuple[str, bytes]]:
        # Each band's newest, in one statement (one a band took three times as long).
        newest = "SELECT id FROM (SELECT id FROM bands WHERE band = ? ORDER BY rowid DESC LIMIT ?)"
        rows = self.db.execute(
            " UNION ALL ".join([newest] * len(found.bands)),
            [value for band in found.bands for value in (band, BAND_CANDIDATES)],
        )
        candidates = {candidate for (candidate,) in rows} - {article_id}
        if not candidates:
            return ()
        marks = ",".join("?" * len(candidates))
        return self.db.execute(
            f"SELECT story, signature FROM articles WHERE id IN ({marks}) ORDER BY rowid",
            tuple(candidates),
        )
