"""Writing articles into the index: ``ingest`` reads inputs, cleans, and commits in batches.

Each batch is committed on its own, so an interrupted run keeps every batch before it. An article
whose id is already in the index replaces it; the same id twice in one run keeps the last.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any

from whoosh.index import FileIndex

from index.embedded.schema import to_document
from index.embedded.segments import PARALLEL_FROM, BatchCommit, process_pool, start_batch
from index.embedded.store import open_or_create_index, writer_lock
from index.enrich.clean import Cleaner, load_rules
from index.errors import IngestError
from index.pipeline.ledger import InputLedger
from index.pipeline.options import IngestOptions
from index.pipeline.preparing import Prepared, Preparer
from index.readers.inputs import Discovery, Input, discover
from index.readers.records import Failure, Skipped
from index.stories import StoryGrouper

_PROGRESS_EVERY = 1_000  # articles between progress reports within one input


@dataclass(frozen=True, slots=True)
class Copy:
    """An article indexed with the same text as another (``copy_of``), in that one's story."""

    id: str
    copy_of: str


@dataclass(slots=True)
class IngestReport:
    """What a run did: ``skipped`` inputs were passed over on purpose, ``failed`` unreadable;
    ``warnings`` name articles indexed with something left out (an unreadable date); ``copies``
    were indexed and grouped with the article they repeat word for word."""

    added: int = 0
    replaced: int = 0
    skipped: list[Failure] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    inputs: int = 0
    unchanged: int = 0  # inputs not read again: the index holds them as they are
    warnings: list[Failure] = field(default_factory=list)
    duplicates: int = 0  # exact copies left out (only when copies are dropped)
    copies: list[Copy] = field(default_factory=list)

    @property
    def committed(self) -> int:
        return self.added + self.replaced


@dataclass(slots=True)
class IngestProgress:
    """Sent after each input and every thousand articles, for progress bars."""

    inputs_done: int
    inputs_total: int
    articles_read: int
    committed: int


ProgressCallback = Callable[[IngestProgress], None]


def ingest(
    paths: list[str],
    index_path: Path,
    options: IngestOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Index every article found under ``paths`` into the index at ``index_path``."""
    options = options or IngestOptions()
    cleaner = Cleaner(load_rules(options.clean_rules))
    found = discover(paths, options.format)
    report = IngestReport(skipped=found.skipped, failed=found.failed, inputs=len(found.inputs))
    try:
        _ingest(found, index_path, options, cleaner, report, on_progress)
    except (OSError, sqlite3.Error) as exc:  # reading errors are per input; this is writing
        reason = getattr(exc, "strerror", None) or str(exc)
        raise IngestError(
            f"cannot write to the index at {index_path}: {reason}; the last commit is intact "
            f"({report.committed:,} articles of this run were committed before it)"
        ) from exc
    return report


def _ingest(
    found: Discovery,
    index_path: Path,
    options: IngestOptions,
    cleaner: Cleaner,
    report: IngestReport,
    on_progress: ProgressCallback | None,
) -> None:
    with (
        writer_lock(index_path, options.wait),
        closing(StoryGrouper(index_path, options.drop_copies)) as grouper,
    ):
        ix = open_or_create_index(index_path)
        grouper.use(ix.searcher())
        ledger = InputLedger(index_path, options.key())
        batch = _Batch(ix, report, options, ledger, lambda ids: grouper.use(ix.searcher(), ids))
        preparer = Preparer(
            cleaner, options.clean_rules, options.mapping, options.procs, grouper.hashing
        )
        read, total = 0, len(found.inputs)
        try:
            for done, item in enumerate(found.inputs, 1):
                if item.path and not options.force and ledger.unchanged(item.path):
                    report.unchanged += 1
                else:
                    failures = len(report.failed)
                    for prepared in _articles(item, preparer, report):
                        read += 1
                        article = prepared.article
                        verdict = grouper.judge(article, prepared.fingerprint)
                        if verdict.duplicate_of is not None:
                            if options.drop_copies:
                                report.duplicates += 1
                                continue
                            report.copies.append(Copy(article.id, verdict.duplicate_of))
                        batch.add(article.id, to_document(article) | {"story": verdict.story})
                        if on_progress and read % _PROGRESS_EVERY == 0:
                            on_progress(IngestProgress(done - 1, total, read, report.committed))
                    if item.path and len(report.failed) == failures:
                        batch.read_whole(item.path)  # files with failures are read again
                if on_progress:
                    on_progress(IngestProgress(done, total, read, report.committed))
            batch.commit()
        finally:
            preparer.close()
            batch.close()
            ledger.close()


def _articles(item: Input, preparer: Preparer, report: IngestReport) -> Iterator[Prepared]:
    """The articles of one input; what cannot become one is added to ``report.failed``."""
    from index.readers.inputs import read_input  # (loaded by ingest already)

    for outcome in preparer(read_input(item)):
        if isinstance(outcome, Skipped):
            report.skipped.append(outcome)
        elif isinstance(outcome, Failure):
            report.failed.append(outcome)
        else:
            report.warnings.extend(outcome.warnings)
            yield outcome


class _Batch:
    """Documents waiting for their commit, keyed by id so a repeated id keeps its last version.

    A full batch is handed to the processes that write it, and reading goes on meanwhile: the
    batch is committed when the next one is handed over, or at the end.
    """

    def __init__(
        self,
        ix: FileIndex,
        report: IngestReport,
        options: IngestOptions,
        ledger: InputLedger,
        on_commit: Callable[[Iterable[str]], None],
    ) -> None:
        self.ix, self.report, self.ledger, self.on_commit = ix, report, ledger, on_commit
        self.options = options
        self.size, self.seconds = max(1, options.batch_size), options.commit_seconds
        self.last_commit = time.monotonic()
        self.pending: dict[str, dict[str, Any]] = {}
        self.whole: list[Path] = []  # files read to the end since the last batch was handed over
        # The memory budget: a sixteenth for the text waiting here (it is held about four times
        # over at a commit: here, pickled for the child processes, unpickled there, analysed;
        # and the next batch gathers while one is written), a sixteenth for the posting pools
        # (Whoosh's estimate; Python objects cost several times that), the rest for the
        # interpreters, the words of prose fields as arrays and Whoosh's own buffers.
        self.max_chars = options.memory_mb * 2**20 // 16
        self.chars = 0
        self.limitmb = max(8, options.memory_mb // 16 // max(1, options.procs))
        self.pool: Pool | None = None
        self.in_flight: _InFlight | None = None

    def close(self) -> None:
        if self.in_flight is not None:
            self.in_flight.commit.cancel()
            self.in_flight = None
        if self.pool is not None:
            self.pool.close()
            self.pool.join()

    def read_whole(self, path: Path) -> None:
        self.whole.append(path)

    def add(self, article_id: str, document: dict[str, Any]) -> None:
        earlier = self.pending.pop(article_id, None)
        if earlier is not None:
            self.report.replaced += 1  # the same id earlier in this batch: the later one wins
            self.chars -= _chars(earlier)
        self.pending[article_id] = document
        self.chars += _chars(document)
        if (
            len(self.pending) >= self.size
            or self.chars >= self.max_chars
            or time.monotonic() - self.last_commit >= self.seconds
        ):
            self.hand_over()

    def commit(self) -> None:
        """Commit everything added so far."""
        self.hand_over()
        self._finish()

    def hand_over(self) -> None:
        """Commit the batch being written, if any, and start writing the pending one."""
        self._finish()
        ids, whole = list(self.pending), self.whole
        self.whole = []
        if ids:
            parallel = self.options.procs > 1 and len(ids) >= PARALLEL_FROM
            if parallel and self.pool is None:
                # A process ends once it has written its share: one kept for the next batch
                # held what it had used (about 290 MB at a million articles) while the tail
                # merges ran here, which took all the processes over the memory budget.
                self.pool = process_pool(self.options.procs, tasks_per_process=1)
            documents = list(self.pending.values())
            self.pending, self.chars = {}, 0
            commit = start_batch(self.ix, documents, self.pool if parallel else None, self.limitmb)
            self.in_flight = _InFlight(commit, ids, whole)
            if not parallel:
                self._finish()  # (committed already)
        else:
            self.ledger.remember(whole)
        self.last_commit = time.monotonic()

    def _finish(self) -> None:
        if self.in_flight is None:
            return
        in_flight, self.in_flight = self.in_flight, None
        replaced = in_flight.commit.finish()
        self.report.replaced += replaced
        self.report.added += len(in_flight.ids) - replaced
        self.on_commit(in_flight.ids)
        # Only now are these files' articles all committed.
        self.ledger.remember(in_flight.whole)


@dataclass(slots=True)
class _InFlight:
    """A batch being written: its commit, its articles' ids, and the files it completes."""

    commit: BatchCommit
    ids: list[str]
    whole: list[Path]


def _chars(document: dict[str, Any]) -> int:
    return len(document.get("body", "")) + len(document.get("title", ""))
