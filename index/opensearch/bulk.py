"""Many documents written to or deleted from the cluster with ``_bulk``: requests of bounded
size, tried again with backoff while the cluster is busy (429, 503) or away, and each
document's outcome read, so that none is dropped silently."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from index.opensearch.connection import ClusterAddress, ClusterError

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

# A request holds at most this many documents or bytes.
BULK_DOCUMENTS = 1_000
BULK_BYTES = 8 * 2**20
# A request the cluster is too busy for, or that cannot reach it, is tried this many times in
# all, waiting BACKOFF_SECONDS, then twice that, and so on, between tries (15.5 s in all).
TRIES = 6
BACKOFF_SECONDS = 0.5
_BUSY = {429, 502, 503, 504}

# One document's action line and its source line (None for a deletion).
Line = tuple[str, str | None]


@dataclass(slots=True)
class BulkOutcome:
    """What the cluster did with each document: ``results`` counts ``created``, ``updated``,
    ``deleted``, ``not_found``; ``refused`` holds each refused id with the cluster's reason."""

    results: Counter[str] = field(default_factory=Counter)
    refused: dict[str, str] = field(default_factory=dict)


def index_lines(index: str, documents: Iterable[tuple[str, dict[str, Any]]]) -> Iterator[Line]:
    for doc_id, source in documents:
        action = json.dumps({"index": {"_index": index, "_id": doc_id}})
        yield action + "\n", json.dumps(source, ensure_ascii=False) + "\n"


def delete_lines(index: str, ids: Iterable[str]) -> Iterator[Line]:
    for doc_id in ids:
        yield json.dumps({"delete": {"_index": index, "_id": doc_id}}) + "\n", None


def send(
    client: OpenSearch, address: ClusterAddress, lines: Iterable[Line], aftermath: str
) -> BulkOutcome:
    """Send every line; a cluster busy or away past the last try is a ``ClusterError`` whose
    message ends with ``aftermath`` (what became of the work)."""
    outcome = BulkOutcome()
    for chunk in _chunks(lines):
        _send(client, address, chunk, outcome, aftermath)
    return outcome


def _chunks(lines: Iterable[Line]) -> Iterator[list[Line]]:
    chunk: list[Line] = []
    size = 0
    for action, source in lines:
        length = len(action) + len(source or "")
        if chunk and (len(chunk) >= BULK_DOCUMENTS or size + length > BULK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append((action, source))
        size += length
    if chunk:
        yield chunk


def _send(
    client: OpenSearch,
    address: ClusterAddress,
    chunk: list[Line],
    outcome: BulkOutcome,
    aftermath: str,
) -> None:
    """Send one request, again and again for the documents the cluster was too busy for."""
    waiting, why = chunk, ""
    for attempt in range(TRIES):
        if attempt:
            time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        answer = _bulk(client, address, waiting, attempt + 1 == TRIES, aftermath)
        if answer is None:
            continue
        busy = []
        for item, sent in zip(answer["items"], waiting, strict=True):
            (result,) = item.values()
            if result.get("status", 500) in _BUSY:
                busy.append(sent)
                why = _reason(result.get("error") or {})
            elif "error" in result:
                outcome.refused[result["_id"]] = _reason(result["error"])
            else:
                outcome.results[result.get("result", "")] += 1
        waiting = busy
        if not waiting:
            return
    raise ClusterError(
        f"the cluster at {address.node_url} was too busy to take {len(waiting):,} documents "
        f"after {TRIES} tries ({why}); {aftermath}"
    )


def _bulk(
    client: OpenSearch, address: ClusterAddress, lines: list[Line], last: bool, aftermath: str
) -> dict[str, Any] | None:
    """The cluster's answer to one request, or None when it was busy or away (and this was
    not the last try)."""
    from opensearchpy import exceptions as os_errors

    body = "".join(action + (source or "") for action, source in lines)
    try:
        return client.bulk(body=body)
    except os_errors.TransportError as exc:  # (ConnectionError is one, with no HTTP status)
        away = isinstance(exc, os_errors.ConnectionError)
        if not away and exc.status_code not in _BUSY:
            raise
        if not last:
            return None
        why = "unreachable" if away else f"HTTP {exc.status_code}"
        raise ClusterError(
            f"the cluster at {address.node_url} did not answer a write after {TRIES} tries "
            f"({why}); {aftermath}"
        ) from exc


def _reason(error: dict[str, Any]) -> str:
    reason = error.get("reason") or error.get("type") or "refused"
    cause = error.get("caused_by")
    return f"{reason} ({cause.get('reason')})" if isinstance(cause, dict) else str(reason)
