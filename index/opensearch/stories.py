"""Story grouping's fingerprints kept in the cluster (``index/stories.py``'s ``StoryStore``), so
that every writer, on any machine, groups a syndicated story with the copies the others wrote.

Each judged article has one row in a companion index (``mapping.stories_index``): the hash of
its text, its story, its MinHash signature, its band keys and ``seq``, when it was judged. Rows
are written with each index commit, and only for the articles the index took; deleting an article
deletes its row. A run asks for the rows a few hundred articles need in one search
(``look_ahead``), and keeps its own rows (judged, or written since it last asked) at hand.
"""

from __future__ import annotations

import base64
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from index.opensearch import bulk
from index.opensearch.connection import ClusterAddress, ClusterError, cluster_errors
from index.opensearch.mapping import stories_index
from index.stories import BAND_CANDIDATES, WORD_HASHING, Fingerprint, signature_bytes

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

# Rows of a text's hash fetched per article (its own and ones this run replaced may be among).
_SAME_TEXT = 5


@dataclass(frozen=True, slots=True)
class _Row:
    id: str
    body_hash: str
    story: str
    signature: bytes
    seq: int
    bands: tuple[str, ...] = ()  # (this run's rows only: the cluster's answers leave them out)


def _row(hit: dict[str, Any]) -> _Row:
    source = hit["_source"]
    signature = base64.b64decode(source.get("signature") or "")
    return _Row(hit["_id"], source["body_hash"], source["story"], signature, source["seq"])


class ClusterStoryStore:
    """The story rows of the index at ``address``."""

    hashing = WORD_HASHING  # (the cluster's rows were never made the older way)

    def __init__(self, client: OpenSearch, address: ClusterAddress) -> None:
        self.client, self.address = client, address
        self.index = stories_index(address.index)
        self._last_seq = 0
        # This run's rows: judged and not yet committed, or written since the cluster was last
        # asked (its answers do not have them); the ids of each text and band, in judged order.
        self._local: dict[str, _Row] = {}
        self._pending: set[str] = set()
        self._local_texts: dict[str, list[str]] = defaultdict(list)
        self._local_bands: dict[str, list[str]] = defaultdict(list)
        # The cluster's answers for the articles looked ahead at: rows per text, first judged
        # first; rows per band, the newest first.
        self._texts: dict[str, list[_Row]] = {}
        self._bands: dict[str, list[_Row]] = {}

    def look_ahead(self, judged: Sequence[tuple[str, Fingerprint]]) -> None:
        if len(self._pending) < len(self._local):  # (rows written: the cluster has them now)
            self._keep_local(self._pending)
        if not judged:
            return
        texts = list(dict.fromkeys(found.body_hash for _, found in judged))
        bands = list(dict.fromkeys(band for _, found in judged for band in found.bands))
        with cluster_errors(self.address):
            answer = self.client.search(index=self.index, body=_search(texts, bands))
        aggregations = answer["aggregations"]
        self._texts = {text: [] for text in texts}
        self._bands = {band: [] for band in bands}
        for name, found_rows in (("texts", self._texts), ("bands", self._bands)):
            for bucket in aggregations.get(name, {}).get("buckets", ()):
                found_rows[bucket["key"]] = [_row(hit) for hit in bucket["rows"]["hits"]["hits"]]

    def original(self, article_id: str, found: Fingerprint) -> tuple[str, str] | None:
        if found.body_hash not in self._texts:
            self.look_ahead([(article_id, found)])
        local = [self._local[i] for i in self._local_texts.get(found.body_hash, ())]
        rows = self._merged(self._texts[found.body_hash], local, article_id)
        first = min(rows, key=_seq, default=None)
        return (first.id, first.story) if first is not None else None

    def candidates(self, article_id: str, found: Fingerprint) -> Iterable[tuple[str, bytes]]:
        chosen: dict[str, _Row] = {}
        for band in found.bands:
            if band not in self._bands:
                self.look_ahead([(article_id, found)])
            local = [self._local[i] for i in self._local_bands.get(band, ())]
            rows = self._merged(self._bands[band], local)
            newest = sorted(rows, key=_seq, reverse=True)[:BAND_CANDIDATES]
            chosen.update((row.id, row) for row in newest)
        chosen.pop(article_id, None)
        return [(row.story, row.signature) for row in sorted(chosen.values(), key=_seq)]

    def _merged(self, fetched: list[_Row], local: list[_Row], leave_out: str = "") -> list[_Row]:
        """The cluster's rows, but this run's version of any row it has one of."""
        rows = {row.id: row for row in fetched if row.id not in self._local}
        rows.update((row.id, row) for row in local)
        rows.pop(leave_out, None)
        return list(rows.values())

    def remember(self, article_id: str, found: Fingerprint, story: str) -> None:
        self._last_seq = max(self._last_seq + 1, time.time_ns())
        signature = signature_bytes(found.signature)
        row = _Row(article_id, found.body_hash, story, signature, self._last_seq, found.bands)
        if article_id in self._local:  # (judged again: its old text and bands no longer count)
            self._forget([article_id])
        self._local[article_id] = row
        self._pending.add(article_id)
        self._local_texts[found.body_hash].append(article_id)
        for band in found.bands:
            self._local_bands[band].append(article_id)

    def committed(self, ids: Iterable[str], refused: Iterable[str]) -> None:
        rows = [self._local[i] for i in ids if i in self._pending]
        documents = [
            (
                row.id,
                {
                    "body_hash": row.body_hash,
                    "story": row.story,
                    "signature": base64.b64encode(row.signature).decode(),
                    "bands": list(row.bands),
                    "seq": row.seq,
                },
            )
            for row in rows
        ]
        aftermath = (
            "the last batch's articles are committed but not their story fingerprints; the "
            "same command with --force groups them again"
        )
        with cluster_errors(self.address):
            outcome = bulk.send(
                self.client, self.address, bulk.index_lines(self.index, documents), aftermath
            )
            if outcome.refused:
                article_id, reason = next(iter(outcome.refused.items()))
                raise ClusterError(f"the cluster refused the story row of {article_id}: {reason}")
            self.client.indices.refresh(index=self.index)
        self._pending.difference_update(row.id for row in rows)
        self._forget(refused)

    def close(self) -> None:
        self._local.clear()

    def _forget(self, ids: Iterable[str]) -> None:
        for article_id in ids:
            self._local.pop(article_id, None)
            self._pending.discard(article_id)
        self._keep_local(self._pending | set(self._local))

    def _keep_local(self, ids: set[str]) -> None:
        """Keep only these of this run's rows (the others are in the cluster's answers)."""
        self._local = {i: row for i, row in self._local.items() if i in ids}
        self._local_texts, self._local_bands = defaultdict(list), defaultdict(list)
        for row in sorted(self._local.values(), key=_seq):
            self._local_texts[row.body_hash].append(row.id)
            for band in row.bands:
                self._local_bands[band].append(row.id)


def _seq(row: _Row) -> int:
    return row.seq


def _search(texts: list[str], bands: list[str]) -> dict[str, Any]:
    """One search finding, for each text hash, its first judged rows, and for each band its
    newest ``BAND_CANDIDATES`` rows (terms aggregations limited to these values)."""
    fields = ["body_hash", "story", "signature", "seq"]

    def rows(field: str, values: list[str], size: int, order: str) -> dict[str, Any]:
        top = {"size": size, "sort": [{"seq": order}], "_source": fields}
        terms = {"field": field, "include": values, "size": len(values)}
        return {"terms": terms, "aggs": {"rows": {"top_hits": top}}}

    aggregations = {"texts": rows("body_hash", texts, _SAME_TEXT, "asc")}
    query: list[dict[str, Any]] = [{"terms": {"body_hash": texts}}]
    if bands:  # (an empty text has none)
        aggregations["bands"] = rows("bands", bands, BAND_CANDIDATES, "desc")
        query.append({"terms": {"bands": bands}})
    return {"size": 0, "query": {"bool": {"should": query}}, "aggs": aggregations}
