"""A cluster index as an indexing run's target (``index/pipeline/target.py``): the index made from
the template when missing, batches sent with ``_bulk`` (ids are article ids, so a re-run replaces
and adds nothing), retried with backoff while the cluster is busy or briefly away, and every
article the cluster refuses reported with its reason.

The run's own tables (the inputs already read) live in a per-user folder named after the cluster
and the index, as the embedded index keeps them in its folder.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.errors import IndexVersionError
from index.opensearch.connection import (
    ClusterAddress,
    ClusterError,
    cluster_errors,
    connect,
)
from index.opensearch.documents import to_document
from index.opensearch.mapping import (
    DEFAULT_REPLICAS,
    DEFAULT_SHARDS,
    META_KEY,
    TEMPLATE_VERSION,
    index_body,
)
from index.pipeline.target import StoryArticle

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

    from index.pipeline.options import IngestOptions

# A batch goes to the cluster in requests of at most this many articles or bytes.
BULK_ARTICLES = 1_000
BULK_BYTES = 8 * 2**20
# A request the cluster is too busy for (429, 503) or that cannot reach it is tried this many
# times in all, waiting BACKOFF_SECONDS, then twice that, and so on, between tries (15.5 s).
TRIES = 6
BACKOFF_SECONDS = 0.5
_BUSY = {429, 502, 503, 504}


def data_folder(address: ClusterAddress) -> Path:
    """The per-user folder of a cluster index's local tables."""
    import platformdirs

    name = f"{address.host}_{address.port}_{address.index}"
    return Path(platformdirs.user_data_dir("byline")) / "clusters" / name


def check_template(address: ClusterAddress, mapping: dict[str, Any]) -> None:
    """Refuse an index not made from this Byline's template (``IndexVersionError``)."""
    found = (mapping.get("_meta") or {}).get(META_KEY)
    if found != TEMPLATE_VERSION:
        made = f"template version {found}" if found is not None else "no Byline template"
        raise IndexVersionError(
            f"the index {address.index!r} on {address.node_url} was made with {made}; this "
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
        folder = data_folder(self.address)
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
        from opensearchpy.exceptions import NotFoundError, RequestError

        index = self.address.index
        try:
            mapping = self.client.indices.get_mapping(index=index)
        except NotFoundError:
            body = index_body(
                DEFAULT_SHARDS if shards is None else shards,
                DEFAULT_REPLICAS if replicas is None else replicas,
            )
            try:
                self.client.indices.create(index=index, body=body)
                return
            except RequestError as exc:  # (another writer made it first: check it as found)
                if "resource_already_exists" not in str(exc.error):
                    raise
            mapping = self.client.indices.get_mapping(index=index)
        for found in mapping.values():
            check_template(self.address, found.get("mappings", {}))

    def _refresh(self) -> None:
        """Make every write so far visible to searches (a search right after the run sees
        them all)."""
        self.client.indices.refresh(index=self.address.index)

    def holds(self, article_id: str) -> bool:
        with cluster_errors(self.address):
            return bool(self.client.exists(index=self.address.index, id=article_id))

    def write(self, batch: Sequence[StoryArticle]) -> _Commit:
        commit = _Commit()
        with cluster_errors(self.address):
            for chunk in _chunks(self.address.index, batch):
                self._send(chunk, commit)
        return commit

    def _send(self, chunk: list[tuple[str, str]], commit: _Commit) -> None:
        """Send one request's articles, again and again for those the cluster was too busy
        for; the others are stored (``replaced`` counted) or refused (``refused``)."""
        waiting = chunk
        for attempt in range(TRIES):
            if attempt:
                time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
            body = "".join(action + source for action, source in waiting)
            answer = self._bulk(body, attempt)
            if answer is None:
                continue
            busy = []
            for item, sent in zip(answer["items"], waiting, strict=True):
                outcome = item["index"]
                status = outcome.get("status", 500)
                if status in _BUSY:
                    busy.append(sent)
                elif "error" in outcome:
                    commit.refused[outcome["_id"]] = _reason(outcome["error"])
                elif outcome.get("result") == "updated":
                    commit.replaced += 1
            waiting = busy
            if not waiting:
                return
        raise ClusterError(
            f"the cluster at {self.address.node_url} was too busy to take {len(waiting):,} "
            f"articles after {TRIES} tries; this batch is not counted as committed: the same "
            "command again goes on with it"
        )

    def _bulk(self, body: str, attempt: int) -> dict[str, Any] | None:
        """The cluster's answer to one ``_bulk`` request, or None when it was busy or away and
        may be tried again."""
        from opensearchpy import exceptions as os_errors

        try:
            return self.client.bulk(body=body)
        except (os_errors.ConnectionError, os_errors.TransportError) as exc:
            busy = isinstance(exc, os_errors.ConnectionError) or exc.status_code in _BUSY
            if busy and attempt + 1 < TRIES:
                return None
            if busy:
                raise ClusterError(
                    f"the cluster at {self.address.node_url} did not take a batch after "
                    f"{TRIES} tries ({_failure(exc)}); this batch is not counted as committed: "
                    "the same command again goes on with it"
                ) from exc
            raise


class _Commit:
    """A batch the cluster has answered for: written already, nothing left to wait for."""

    committed = True

    def __init__(self) -> None:
        self.replaced = 0
        self.refused: dict[str, str] = {}  # article id -> the cluster's reason

    def wait(self) -> None:
        pass

    def finish(self) -> int:
        return self.replaced

    def cancel(self) -> None:
        pass


def _chunks(index: str, batch: Sequence[StoryArticle]) -> Iterator[list[tuple[str, str]]]:
    """The batch as ``_bulk`` lines (action, source), cut into requests."""
    chunk: list[tuple[str, str]] = []
    size = 0
    for article, story in batch:
        action = json.dumps({"index": {"_index": index, "_id": article.id}}) + "\n"
        source = json.dumps(to_document(article, story), ensure_ascii=False) + "\n"
        if chunk and (len(chunk) >= BULK_ARTICLES or size + len(source) > BULK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append((action, source))
        size += len(action) + len(source)
    if chunk:
        yield chunk


def _reason(error: dict[str, Any]) -> str:
    reason = error.get("reason") or error.get("type") or "refused"
    cause = error.get("caused_by")
    return f"{reason} ({cause.get('reason')})" if isinstance(cause, dict) else str(reason)


def _failure(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    return f"HTTP {status}" if isinstance(status, int) else "unreachable"
