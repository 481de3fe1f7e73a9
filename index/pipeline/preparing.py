"""Records become cleaned, fingerprinted articles: in helper processes when there are many.

Cleaning an article and fingerprinting it for duplicates cost about as much as indexing it,
while the process that judges duplicates and fills batches works one article at a time. So a
long input's records go to helper processes a window at a time: one window is prepared while
the process indexing takes the one before. Records come back in order, as they went.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from multiprocessing.pool import Pool
from pathlib import Path

from index.article import Article, with_id
from index.embedded.segments import process_pool
from index.enrich.clean import Cleaner, load_rules
from index.enrich.fields import FieldMapping, record_to_article
from index.errors import ArticleError
from index.readers.records import Failure, Record
from index.stories import Fingerprint, fingerprint

WINDOW = 512  # records prepared at a time; an input shorter than one is prepared in-process


@dataclass(frozen=True, slots=True)
class Prepared:
    """An article ready to judge and index, its fingerprint, and what was left out of it."""

    article: Article
    fingerprint: Fingerprint
    warnings: list[Failure] = field(default_factory=list)


def prepare(
    record: Record | Failure, cleaner: Cleaner, mapping: FieldMapping, hashing: int
) -> Prepared | Failure:
    """One record as an article (or why it cannot be one), fingerprinted the way ``hashing``
    says (``index.stories``); failures read are passed on."""
    if isinstance(record, Failure):
        return record
    notes: list[str] = []
    try:
        article = record_to_article(record.data, mapping, notes.append)
        article.origin = record.origin  # (where it was read: kept with it, shown by `show`)
        article = with_id(cleaner(article))
    except ArticleError as exc:
        return Failure(record.origin, str(exc))
    warnings = [Failure(record.origin, note) for note in notes]
    return Prepared(article, fingerprint(article, hashing), warnings)


class Preparer:
    """Prepares records, in ``procs`` helper processes (started when an input is long enough)
    or, for one process, in this one. Close it when done."""

    def __init__(
        self, cleaner: Cleaner, rules: list[Path], mapping: FieldMapping, procs: int, hashing: int
    ) -> None:
        self.cleaner, self.rules, self.mapping, self.procs = cleaner, rules, mapping, procs
        self.hashing = hashing
        self.pool: Pool | None = None

    def __call__(self, records: Iterable[Record | Failure]) -> Iterator[Prepared | Failure]:
        records = iter(records)
        window = list(islice(records, WINDOW))
        if len(window) < WINDOW or self.procs < 2:
            for record in chain(window, records):
                yield prepare(record, self.cleaner, self.mapping, self.hashing)
            return
        pool = self._pool()
        share = WINDOW // self.procs
        pending = pool.map_async(_prepare, window, chunksize=share)
        while window:
            window = list(islice(records, WINDOW))
            following = pool.map_async(_prepare, window, chunksize=share) if window else None
            yield from pending.get()
            pending = following  # type: ignore[assignment]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()  # (nothing is left to prepare, or nothing more is wanted)
            self.pool.join()

    def _pool(self) -> Pool:
        if self.pool is None:
            arguments = (self.rules, self.mapping, self.hashing)
            self.pool = process_pool(self.procs, _start_helper, arguments)
        assert self.pool is not None  # (``procs`` is 2 or more here)
        return self.pool


_helper: tuple[Cleaner, FieldMapping, int] | None = None  # in a helper process: how it prepares


def _start_helper(rules: list[Path], mapping: FieldMapping, hashing: int) -> None:
    global _helper
    _helper = (Cleaner(load_rules(rules)), mapping, hashing)


def _prepare(record: Record | Failure) -> Prepared | Failure:
    assert _helper is not None
    return prepare(record, *_helper)
