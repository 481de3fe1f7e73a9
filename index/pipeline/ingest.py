"""Writing articles into the index: ``ingest`` reads inputs, cleans, and commits in batches.

Each batch is committed on its own, so an interrupted run keeps every batch before it. An article
whose id is already in the index replaces it; the same id twice in one run keeps the last.
"""

from __future__ import annotations

import itertools
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from index.article import Article
from index.enrich.clean import Cleaner, load_rules
from index.errors import IngestError, Interrupted, reported_write_errors
from index.pipeline.ledger import InputLedger
from index.pipeline.options import IngestOptions
from index.pipeline.preparing import Prepared, Preparer
from index.pipeline.target import IndexTarget, PendingCommit, StoryArticle
from index.readers.inputs import Discovery, Input, discover
from index.readers.records import Failure, Skipped
from index.stories import StoryGrouper

_PROGRESS_EVERY = 1_000  # articles between progress reports within one input
_LOOK_AHEAD = 500  # articles the story grouper is told of before judging them


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
    target: IndexTarget,
    options: IngestOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Index every article found under ``paths`` into ``target`` (an engine's: ``Engine.ingest``
    is how programs call this)."""
    options = options or IngestOptions()
    cleaner = Cleaner(load_rules(options.clean_rules))
    found = discover(paths, options.format)
    if found.failed and not found.inputs:  # (and no index is created for nothing)
        raise IngestError(f"nothing to index: {_listed(found.failed)}")
    report = IngestReport(skipped=found.skipped, failed=found.failed, inputs=len(found.inputs))
    # Reading errors are reported per input; an OSError here is writing.
    try:
        with reported_write_errors(target.location, lambda: _kept(report)):
            _ingest(found, target, options, cleaner, report, on_progress)
    except KeyboardInterrupt:
        kept = f"{report.committed:,} articles of this run were" if report.committed else "nothing"
        raise Interrupted(
            f"{kept} committed to {target.location}; the same command again goes on with the rest"
        ) from None
    return report


def _listed(failures: list[Failure], most: int = 3) -> str:
    listed = "; ".join(f"{failure.origin}: {failure.reason}" for failure in failures[:most])
    more = len(failures) - most
    return listed + (f"; and {more:,} more" if more > 0 else "")


def _kept(report: IngestReport) -> str:
    return (
        f"the last commit is intact ({report.committed:,} articles of this run were committed "
        f"before it)"
    )


def _ingest(
    found: Discovery,
    target: IndexTarget,
    options: IngestOptions,
    cleaner: Cleaner,
    report: IngestReport,
    on_progress: ProgressCallback | None,
) -> None:
    with (
        target.writing(options),
        closing(StoryGrouper(target.story_store(), options.drop_copies)) as grouper,
    ):
        ledger = InputLedger(target.folder, options.key(target.version))
        batch = _Batch(target, report, options, ledger, grouper.committed)
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
                    for prepared in _looked_ahead(_articles(item, preparer, report), grouper):
                        read += 1
                        article = prepared.article
                        verdict = grouper.judge(article, prepared.fingerprint)
                        if verdict.duplicate_of is not None:
                            if options.drop_copies:
                                report.duplicates += 1
                                continue
                            report.copies.append(Copy(article.id, verdict.duplicate_of))
                        batch.add(article, verdict.story)
                        if on_progress and read % _PROGRESS_EVERY == 0:
                            on_progress(IngestProgress(done - 1, total, read, report.committed))
                    if item.path and len(report.failed) == failures:
                        batch.read_whole(item.path)  # files with failures are read again
                if on_progress:
                    on_progress(IngestProgress(done, total, read, report.committed))
            batch.commit()
        finally:
            with _interruptions_held():  # (a second Ctrl-C does not cut the cleaning up short)
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


def _looked_ahead(articles: Iterator[Prepared], grouper: StoryGrouper) -> Iterator[Prepared]:
    """The articles, told to the grouper a few hundred at a time before they are judged (a
    cluster's story store fetches what they need in one request)."""
    while chunk := list(itertools.islice(articles, _LOOK_AHEAD)):
        grouper.look_ahead([(prepared.article.id, prepared.fingerprint) for prepared in chunk])
        yield from chunk


class _Batch:
    """Articles waiting for their commit, keyed by id so a repeated id keeps its last version.

    A full batch is handed to the target, and reading goes on while it is written: the batch is
    committed when the next one is handed over, or at the end.
    """

    def __init__(
        self,
        target: IndexTarget,
        report: IngestReport,
        options: IngestOptions,
        ledger: InputLedger,
        on_commit: Callable[[Iterable[str], Iterable[str]], None],
    ) -> None:
        self.target, self.report, self.ledger, self.on_commit = target, report, ledger, on_commit
        self.size, self.seconds = max(1, options.batch_size), options.commit_seconds
        self.last_commit = time.monotonic()
        self.pending: dict[str, StoryArticle] = {}
        self.whole: list[Path] = []  # files read to the end since the last batch was handed over
        # The memory budget: a sixteenth for the text waiting here (it is held about four times
        # over at a commit: here, pickled for the child processes, unpickled there, analysed;
        # and the next batch gathers while one is written), a sixteenth for the target's posting
        # pools, the rest for the interpreters, the words of prose fields as arrays and the
        # engine's own buffers.
        self.max_chars = options.memory_mb * 2**20 // 16
        self.chars = 0
        self.in_flight: _InFlight | None = None

    def close(self) -> None:
        if self.in_flight is not None:  # (given up: a failure or an interruption)
            self.in_flight.commit.cancel()
            self.in_flight = None

    def read_whole(self, path: Path) -> None:
        self.whole.append(path)

    def add(self, article: Article, story: str) -> None:
        earlier = self.pending.pop(article.id, None)
        if earlier is not None:
            self.report.replaced += 1  # the same id earlier in this batch: the later one wins
            self.chars -= _chars(earlier[0])
        self.pending[article.id] = (article, story)
        self.chars += _chars(article)
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
            batch = list(self.pending.values())
            self.pending, self.chars = {}, 0
            commit = self.target.write(batch)
            self.in_flight = _InFlight(commit, ids, whole)
            if commit.committed:
                self._finish()
        else:
            self.ledger.remember(whole)
        self.last_commit = time.monotonic()

    def _finish(self) -> None:
        if self.in_flight is None:
            return
        in_flight = self.in_flight
        in_flight.commit.wait()
        # A commit and its counting land together, or neither does: Ctrl-C waits for them.
        with _interruptions_held():
            self.in_flight = None
            replaced = in_flight.commit.finish()
            refused = in_flight.commit.refused
            self.report.replaced += replaced
            self.report.added += len(in_flight.ids) - replaced - len(refused)
            self.report.failed += [
                Failure(f"article {article_id}", reason) for article_id, reason in refused.items()
            ]
        self.on_commit(
            [article_id for article_id in in_flight.ids if article_id not in refused], refused
        )
        # Only now are these files' articles all committed (a file may hold a refused one: all
        # are read again next time).
        if not refused:
            self.ledger.remember(in_flight.whole)


@dataclass(slots=True)
class _InFlight:
    """A batch being written: its commit, its articles' ids, and the files it completes."""

    commit: PendingCommit
    ids: list[str]
    whole: list[Path]


def _chars(article: Article) -> int:
    return len(article.body) + len(article.title)


@contextmanager
def _interruptions_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back until the block is done, then raise ``KeyboardInterrupt`` if
    one came. Only the main thread receives signals; elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: held.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        raise KeyboardInterrupt
