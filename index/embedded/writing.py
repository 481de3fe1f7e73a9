"""The embedded index as an indexing run's target (``index/pipeline/target.py``): its lock, its
Whoosh documents, and the processes that write a batch's segments (``segments.py``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from whoosh.index import FileIndex
from whoosh.searching import Searcher

from index.embedded.schema import SCHEMA_VERSION, to_document
from index.embedded.segments import PARALLEL_FROM, BatchCommit, batch_writers, start_batch
from index.embedded.store import open_or_create_index, writer_lock
from index.errors import InvalidOption
from index.pipeline.options import IngestOptions
from index.pipeline.processes import Launcher
from index.pipeline.target import StoryArticle
from index.stories import SqliteStoryStore


class EmbeddedTarget:
    """The index in ``path``, written by one run at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.limitmb = 8
        self.ix: FileIndex | None = None
        self.searcher: Searcher | None = None
        self.writers: Launcher | None = None

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def folder(self) -> Path:
        return self.path

    @property
    def version(self) -> int:
        return SCHEMA_VERSION

    @contextmanager
    def writing(self, options: IngestOptions) -> Iterator[None]:
        if options.shards is not None or options.replicas is not None:
            raise InvalidOption(
                f"--shards and --replicas lay out a cluster index; {self.path} is a folder"
            )
        wait, procs, memory_mb = options.wait, options.procs, options.memory_mb
        # A sixteenth of the memory budget for the posting pools, shared by the processes
        # (Whoosh's estimate; Python objects cost several times that).
        self.limitmb = max(8, memory_mb // 16 // max(1, procs))
        with writer_lock(self.path, wait):
            self.ix = open_or_create_index(self.path)
            self.searcher = self.ix.searcher()
            # Forked now, before the run's other processes and threads (``processes.py``).
            self.writers = batch_writers(procs)
            try:
                yield
            finally:
                self.searcher.close()
                if self.writers is not None:
                    self.writers.close()
                    self.writers = None

    def story_store(self) -> SqliteStoryStore:
        return SqliteStoryStore(self.path, self.holds)

    def holds(self, article_id: str) -> bool:
        assert self.searcher is not None  # (while writing)
        return self.searcher.document_number(id=article_id) is not None

    def write(self, batch: Sequence[StoryArticle]) -> _Commit:
        assert self.ix is not None  # (while writing)
        # A process ends once it has written its share: one kept for the next batch held what
        # it had used (about 290 MB at a million articles) while the tail merges ran here, which
        # took all the processes over the memory budget.
        parallel = self.writers is not None and len(batch) >= PARALLEL_FROM
        documents = [to_document(article) | {"story": story} for article, story in batch]
        commit = start_batch(self.ix, documents, self.writers if parallel else None, self.limitmb)
        return _Commit(self, commit, committed=not parallel)

    def _committed(self) -> None:
        """See the last commit from now on."""
        assert self.ix is not None and self.searcher is not None
        self.searcher.close()
        self.searcher = self.ix.searcher()


class _Commit:
    """A batch being written; once finished, the target sees it."""

    def __init__(self, target: EmbeddedTarget, commit: BatchCommit, committed: bool) -> None:
        self.target, self.commit, self.committed = target, commit, committed

    @property
    def refused(self) -> dict[str, str]:
        return {}  # (every article is taken, or the whole commit fails)

    def wait(self) -> None:
        self.commit.wait()

    def finish(self) -> int:
        replaced = self.commit.finish()
        self.target._committed()
        return replaced

    def cancel(self) -> None:
        self.commit.cancel()
