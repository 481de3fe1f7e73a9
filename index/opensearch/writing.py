"""A cluster index as an indexing run's target (``index/pipeline/target.py``): the index made from
the template when missing, batches sent with ``_bulk`` (ids are article ids, so a re-run replaces
and adds nothing), retried with backoff while the cluster is busy or briefly away, and every
article the cluster refuses reported with its reason.

The run's own tables (the inputs already read) live in a per-user folder named after the cluster
and the index, as the embedded index keeps them in its folder.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.errors import IndexVersionError
from index.opensearch import bulk
from index.opensearch.connection import ClusterAddress, cluster_errors, connect
from index.opensearch.documents import to_document
from index.opensearch.mapping import (
    DEFAULT_REPLICAS,
    DEFAULT_SHARDS,
    META_KEY,
    TEMPLATE_VERSION,
    index_body,
    stories_body,
    stories_index,
)
from index.opensearch.stories import ClusterStoryStore
from index.pipeline.target import StoryArticle

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

    from index.pipeline.options import IngestOptions


def data_folder(address: ClusterAddress, uuid: str) -> Path:
    """The per-user folder of a cluster index's local tables: named after the index and the
    cluster's id of it, so an index deleted and made again under the same name starts with
    none (its files are read again)."""
    import platformdirs

    name = f"{address.host}_{address.port}_{address.index}_{uuid}"
    return Path(platformdirs.user_data_dir("byline")) / "clusters" / name


def check_template(address: ClusterAddress, index: str, mapping: dict[str, Any]) -> None:
    """Refuse an index not made from this Byline's template (``IndexVersionError``)."""
    found = (mapping.get("_meta") or {}).get(META_KEY)
    if found != TEMPLATE_VERSION:
        made = f"template version {found}" if found is not None else "no Byline template"
        raise IndexVersionError(
            f"the index {index!r} on {address.node_url} was made with {made}; this "
            f"Byline writes version {TEMPLATE_VERSION}: index into a new index name"
        )


class OpenSearchTarget:
    """The index a cluster address names, written in batches."""

    def __init__(self, address: ClusterAddress, client: OpenSearch | None = None) -> None:
        self.address = address
        self.client = client if client is not None else connect(address)

    @property
    def location(self) -> str:
        return self.address.url

    @property
    def folder(self) -> Path:
        """(Once the run holds the index: it has an id then.)"""
        with cluster_errors(self.address):
            settings = self.client.indices.get_settings(index=self.address.index)
        [uuid] = [found["settings"]["index"]["uuid"] for found in settings.values()]
        folder = data_folder(self.address, uuid)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def version(self) -> int:
        return TEMPLATE_VERSION

    @contextmanager
    def writing(self, options: IngestOptions) -> Iterator[None]:
        with cluster_errors(self.address):
            self._create_or_check(options.shards, options.replicas)
        try:
            yield
        except BaseException:
            with suppress(Exception):  # (what was committed is searchable, if it can be)
                self._refresh()
            raise
        with cluster_errors(self.address):
            self._refresh()

    def _create_or_check(self, shards: int | None, replicas: int | None) -> None:
        """Create the index and its story table from the template when missing (check their
        template when found)."""
        replicas = DEFAULT_REPLICAS if replicas is None else replicas
        shards = DEFAULT_SHARDS if shards is None else shards
        self._create_or_check_one(self.address.index, index_body(shards, replicas))
        self._create_or_check_one(stories_index(self.address.index), stories_body(replicas))

    def _create_or_check_one(self, index: str, body: dict[str, Any]) -> None:
        from opensearchpy.exceptions import RequestError

        if not self.client.indices.exists(index=index):
            try:
                self.client.indices.create(index=index, body=body)
                return
            except RequestError as exc:  # (another writer made it first: check it as found)
                if "resource_already_exists" not in str(exc.error):
                    raise
        for found in self.client.indices.get_mapping(index=index).values():
            check_template(self.address, index, found.get("mappings", {}))

    def _refresh(self) -> None:
        """Make every write so far visible to searches (a search right after the run sees
        them all)."""
        indices = [self.address.index, stories_index(self.address.index)]
        self.client.indices.refresh(index=",".join(indices))

    def story_store(self) -> ClusterStoryStore:
        return ClusterStoryStore(self.client, self.address)

    def write(self, batch: Sequence[StoryArticle]) -> _Commit:
        documents = ((article.id, to_document(article, story)) for article, story in batch)
        aftermath = "this batch is not counted as committed: the same command again goes on with it"
        with cluster_errors(self.address):
            outcome = bulk.send(
                self.client,
                self.address,
                bulk.index_lines(self.address.index, documents),
                aftermath,
            )
        return _Commit(outcome.results["updated"], outcome.refused)


class _Commit:
    """A batch the cluster has answered for: written already, nothing left to wait for."""

    committed = True

    def __init__(self, replaced: int, refused: dict[str, str]) -> None:
        self.replaced = replaced
        self.refused = refused  # article id -> the cluster's reason

    def wait(self) -> None:
        pass

    def finish(self) -> int:
        return self.replaced

    def cancel(self) -> None:
        pass
