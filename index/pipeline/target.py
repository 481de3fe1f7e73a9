"""What an indexing run writes to: the narrow side of an engine that ``ingest`` sees.

The run itself (reading, cleaning, story grouping, batching, the inputs already read) is the same
for every engine; an engine's target only stores batches of articles and keeps the story
grouping's fingerprints (``story_store``). The embedded index's is ``index/embedded/writing.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from index.article import Article

if TYPE_CHECKING:
    from index.pipeline.options import IngestOptions
    from index.stories import StoryStore

# An article to store and the key of its story (``index/stories.py``).
StoryArticle = tuple[Article, str]


class PendingCommit(Protocol):
    """A batch on its way into the index."""

    @property
    def committed(self) -> bool:
        """Whether it is written already (by this process, say): the run then finishes it at
        once rather than when it hands the next batch over."""

    def wait(self) -> None:
        """Wait until the batch is written and ready to commit."""

    def finish(self) -> int:
        """Commit the batch (once); return how many committed articles it replaced."""

    @property
    def refused(self) -> dict[str, str]:
        """Articles of the batch the index would not take (once finished): each id with the
        engine's reason. They are not committed; the run reports each one."""

    def cancel(self) -> None:
        """Give the batch up: the index stays as it was."""


class IndexTarget(Protocol):
    """An index a run writes batches of articles to, one run at a time."""

    @property
    def location(self) -> str:
        """Where the index is, as a user would name it (for messages)."""

    @property
    def folder(self) -> Path:
        """A local folder of the index's own, where a run keeps the inputs already read
        (``ledger.py``)."""

    @property
    def version(self) -> int:
        """The version of how the index stores articles: files read for another are read again."""

    def writing(self, options: IngestOptions) -> AbstractContextManager[None]:
        """Hold the index for a run (waiting up to ``options.wait`` seconds for another writer
        to end), creating it if need be (with ``options.shards`` and ``options.replicas``, for
        an engine that has them); ``options.procs`` processes and ``options.memory_mb`` MiB
        may write."""

    def story_store(self) -> StoryStore:
        """Where the run's story grouping keeps fingerprints (``index/stories.py``)."""

    def write(self, batch: Sequence[StoryArticle]) -> PendingCommit:
        """Begin storing ``batch`` (one article per id), replacing committed articles of the
        same ids; the run goes on reading while it is written, and then finishes it."""
