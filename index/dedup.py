"""Duplicates and syndication, decided at index time.

*Exact duplicates* — the same text under another id (the same file twice, a story under two
URLs) — share a ``body_hash`` of their normalised text; the second is not indexed. *Near
duplicates* — a wire story republished with small edits, another headline or a trimmed ending —
share a ``story`` key, found by MinHash over word shingles with locality-sensitive hashing:
each article's signature is cut into bands, articles sharing a band are candidates, and a
candidate whose estimated resemblance passes ``STORY_THRESHOLD`` lends its story key.

The index itself is the LSH table (band keys are an indexed field, signatures a stored one), so
grouping works across runs; articles of the batch not yet committed are looked up in memory.

The MinHash is one-permutation hashing with rotation densification (Li et al. 2012; Shrivastava
2017): one hash per shingle instead of one per shingle and permutation, which keeps it cheap in
pure Python.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from whoosh.searching import Searcher

from index.article import Article
from index.clean import fold_typography

BINS = 64
BANDS = 16
ROWS = BINS // BANDS
# Estimated Jaccard resemblance of shingle sets above which two articles are one story.
# With 16 bands of 4, a pair at 0.5 is a candidate with probability 0.65, at 0.7 with 0.998.
STORY_THRESHOLD = 0.5
SHINGLE_WORDS = 3
# Below this many words the body says too little; the headline joins it.
_MIN_BODY_WORDS = 40
_EMPTY = 2**32 - 1

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


def fingerprint(article: Article) -> Fingerprint:
    body = normalised_words(article.body)
    words = body if len(body) >= _MIN_BODY_WORDS else normalised_words(article.title) + body
    digest = hashlib.sha1(" ".join(body or words).encode()).hexdigest()[:20]
    signature = minhash(shingles(words))
    return Fingerprint(digest, signature, band_keys(signature))


def shingles(words: list[str]) -> set[str]:
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def minhash(items: Iterable[str]) -> array:
    """A BINS-value signature: the smallest hash falling in each bin, empty bins filled from
    the next non-empty one (rotation), so equal sets give equal signatures."""
    mins = [_EMPTY] * BINS
    for item in items:
        value = int.from_bytes(hashlib.blake2b(item.encode(), digest_size=8).digest(), "little")
        slot, rest = value % BINS, (value // BINS) & 0xFFFFFFFF
        if rest < mins[slot]:
            mins[slot] = rest
    if all(value == _EMPTY for value in mins):
        return array("I", mins)
    for slot in range(BINS):
        offset = 1
        while mins[slot] == _EMPTY:
            donor = mins[(slot + offset) % BINS]
            if donor != _EMPTY:
                mins[slot] = (donor + offset * 0x9E3779B1) & 0xFFFFFFFF
            offset += 1
    return array("I", mins)


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
    return sum(a == b for a, b in zip(first, second, strict=True)) / BINS


def signature_bytes(signature: array) -> bytes:
    return signature.tobytes()


def signature_from(stored: bytes | None) -> array | None:
    if not stored or len(stored) != BINS * 4:
        return None
    signature = array("I")
    signature.frombytes(stored)
    return signature


@dataclass(frozen=True, slots=True)
class Verdict:
    """``duplicate_of`` names the article this one repeats exactly (then it is not indexed);
    otherwise ``story`` is the key of its story group."""

    fingerprint: Fingerprint
    story: str
    duplicate_of: str | None = None


class StoryGrouper:
    """Decides each article's fate against the committed index and the pending batch."""

    def __init__(self) -> None:
        self.searcher: Searcher | None = None
        self._hashes: dict[str, str] = {}
        self._bands: dict[str, list[tuple[str, str, array]]] = defaultdict(list)

    def use(self, searcher: Searcher | None) -> None:
        """Look up committed articles in ``searcher`` from now on (after each commit); what
        was pending is now in it."""
        if self.searcher is not None:
            self.searcher.close()
        self.searcher = searcher
        self._hashes.clear()
        self._bands.clear()

    def judge(self, article: Article) -> Verdict:
        found = fingerprint(article)
        original = self._find_hash(found.body_hash, article.id)
        if original is not None:
            return Verdict(found, "", duplicate_of=original)
        story = self._find_story(found, article.id) or f"s:{found.body_hash}"
        self._hashes[found.body_hash] = article.id
        for key in found.bands:
            self._bands[key].append((article.id, story, found.signature))
        return Verdict(found, story)

    def close(self) -> None:
        self.use(None)

    def _find_hash(self, body_hash: str, article_id: str) -> str | None:
        pending = self._hashes.get(body_hash)
        if pending is not None and pending != article_id:
            return pending
        if self.searcher is None:
            return None
        for docnum in self.searcher.document_numbers(body_hash=body_hash):
            stored = self.searcher.stored_fields(docnum)
            if stored["id"] != article_id:
                return stored["id"]
        return None

    def _find_story(self, found: Fingerprint, article_id: str) -> str | None:
        best, best_story = STORY_THRESHOLD, None
        for other_id, story, signature in self._candidates(found.bands):
            if other_id == article_id:
                continue
            score = resemblance(found.signature, signature)
            if score >= best:
                best, best_story = score, story
        return best_story

    def _candidates(self, bands: tuple[str, ...]) -> Iterable[tuple[str, str, array]]:
        for key in bands:
            yield from self._bands.get(key, ())
        if self.searcher is None:
            return
        seen: set[int] = set()
        for key in bands:
            for docnum in self.searcher.document_numbers(story_bands=key):
                if docnum in seen:
                    continue
                seen.add(docnum)
                stored = self.searcher.stored_fields(docnum)
                signature = signature_from(stored.get("minhash"))
                if signature is not None:
                    yield stored["id"], stored.get("story") or "", signature


def story_fields(verdict: Verdict) -> dict[str, object]:
    """The index fields that carry an article's duplicate and story information."""
    found = verdict.fingerprint
    fields: dict[str, object] = {"story": verdict.story, "body_hash": found.body_hash}
    if found.bands:
        fields["story_bands"] = " ".join(found.bands)
        fields["minhash"] = signature_bytes(found.signature)
    return fields
