"""Writing articles into the index: ``ingest`` reads inputs, cleans, and commits in batches.

Each batch is committed on its own, so an interrupted run keeps every batch before it. An article
whose id is already in the index replaces it; the same id twice in one run keeps the last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh.index import FileIndex

from index.article import with_id
from index.clean import Cleaner, load_rules
from index.dedup import StoryGrouper
from index.errors import ArticleError
from index.fields import FieldMapping, record_to_article
from index.inputs import discover, read_input
from index.readers import Failure
from index.schema import to_document
from index.store import open_or_create_index, writer_lock

DEFAULT_BATCH_SIZE = 5_000
DEFAULT_WAIT_SECONDS = 10.0


@dataclass(slots=True)
class IngestOptions:
    """How to read and write: field mapping, forced format, extra cleaning rules, batching."""

    mapping: FieldMapping = field(default_factory=FieldMapping)
    format: str | None = None
    clean_rules: list[Path] = field(default_factory=list)
    batch_size: int = DEFAULT_BATCH_SIZE
    wait: float = DEFAULT_WAIT_SECONDS
    keep_duplicates: bool = False  # index exact copies too (test collections judge every id)


@dataclass(slots=True)
class IngestReport:
    """What a run did: ``skipped`` inputs were passed over on purpose, ``failed`` unreadable;
    ``warnings`` name articles indexed with something left out (an unreadable date)."""

    added: int = 0
    replaced: int = 0
    skipped: list[Failure] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    inputs: int = 0
    warnings: list[Failure] = field(default_factory=list)
    duplicates: int = 0  # articles not indexed: the same text as another id

    @property
    def committed(self) -> int:
        return self.added + self.replaced


@dataclass(slots=True)
class Progress:
    """Sent after each input and each commit, for progress bars."""

    inputs_done: int
    inputs_total: int
    articles_read: int
    committed: int


ProgressCallback = Callable[[Progress], None]


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
    with writer_lock(index_path, options.wait), closing(StoryGrouper(index_path)) as grouper:
        ix = open_or_create_index(index_path)
        grouper.use(ix.searcher())
        batch = _Batch(ix, report, options.batch_size, lambda: grouper.use(ix.searcher()))
        read = 0
        for done, item in enumerate(found.inputs, 1):
            for record in read_input(item):
                if isinstance(record, Failure):
                    report.failed.append(record)
                    continue
                notes: list[str] = []
                try:
                    article = record_to_article(record.data, options.mapping, notes.append)
                    article = with_id(cleaner(article))
                except ArticleError as exc:
                    report.failed.append(Failure(record.origin, str(exc)))
                    continue
                report.warnings.extend(Failure(record.origin, note) for note in notes)
                read += 1
                verdict = grouper.judge(article)
                if verdict.duplicate_of is not None and not options.keep_duplicates:
                    report.duplicates += 1
                    continue
                batch.add(article.id, to_document(article) | {"story": verdict.story})
            if on_progress:
                on_progress(Progress(done, len(found.inputs), read, report.committed))
        batch.commit()
    return report


class _Batch:
    """Documents waiting for their commit, keyed by id so a repeated id keeps its last version."""

    def __init__(
        self, ix: FileIndex, report: IngestReport, size: int, on_commit: Callable[[], None]
    ) -> None:
        self.ix, self.report, self.size, self.on_commit = ix, report, max(1, size), on_commit
        self.pending: dict[str, dict[str, Any]] = {}

    def add(self, article_id: str, document: dict[str, Any]) -> None:
        self.pending.pop(article_id, None)
        self.pending[article_id] = document
        if len(self.pending) >= self.size:
            self.commit()

    def commit(self) -> None:
        if not self.pending:
            return
        writer = self.ix.writer()
        try:
            replaced = _write(writer, self.pending.values())
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self.report.replaced += replaced
        self.report.added += len(self.pending) - replaced
        self.pending = {}
        self.on_commit()


def _write(writer: Any, documents: Iterable[dict[str, Any]]) -> int:
    """Add documents, deleting any committed document with the same id; return how many were."""
    searcher = writer.searcher()
    try:
        replaced = 0
        for document in documents:
            replaced += writer.delete_by_term("id", document["id"], searcher=searcher) > 0
            writer.add_document(**document)
        return replaced
    finally:
        searcher.close()
