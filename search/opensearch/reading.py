"""Reading every hit of a query on a cluster, in order, from one point in time: each page sees
the same documents whatever is written meanwhile (``search_after`` from the last hit's sort
values). Exports, story readings and deletions read this way."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from search.opensearch.handle import ClusterIndex

# How long the cluster keeps a point in time between two pages of one reading.
KEEP_ALIVE = "5m"


class PointInTime:
    """A point in time on the engine's index: every page of one reading sees the same
    documents, whatever is written meanwhile."""

    def __init__(self, engine: ClusterIndex) -> None:
        self.client = engine.client
        self.id = self.client.create_pit(index=engine.index, params={"keep_alive": KEEP_ALIVE})[
            "pit_id"
        ]

    def body(self) -> dict[str, str]:
        return {"id": self.id, "keep_alive": KEEP_ALIVE}

    def search(self, body: dict[str, Any]) -> dict[str, Any]:
        found = self.client.search(body=body)
        self.id = found.get("pit_id", self.id)  # (the cluster may hand out a new id)
        return found

    def close(self) -> None:
        self.client.delete_pit(body={"pit_id": [self.id]})


@contextlib.contextmanager
def point_in_time(engine: ClusterIndex) -> Iterator[PointInTime]:
    """A point in time, closed when the reading ends, also when its reader stops early."""
    pit = PointInTime(engine)
    try:
        yield pit
    finally:
        # (A cluster that cannot be told ends it after KEEP_ALIVE; the reading's own error, if
        # any, is the one to report.)
        with contextlib.suppress(Exception):
            pit.close()


def pages(
    pit: PointInTime,
    query: dict[str, Any],
    sort: list[dict[str, Any]],
    size: int,
    fields: dict[str, Any],
) -> Iterator[dict[str, Any]]:
    """Every hit of ``query`` in ``sort`` order, ``size`` a request (``search_after``)."""
    body: dict[str, Any] = {
        "query": query,
        "sort": sort,
        "size": size,
        "track_total_hits": False,
        **fields,
    }
    while True:
        hits = pit.search({**body, "pit": pit.body()})["hits"]["hits"]
        yield from hits
        if len(hits) < size:
            return
        body["search_after"] = hits[-1]["sort"]
