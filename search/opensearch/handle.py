"""What the cluster engine's modules need of the engine (``engine.py``): its client, its index's
name and its URL. A protocol, so that they need not import the engine that imports them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from opensearchpy import OpenSearch


class ClusterIndex(Protocol):
    @property
    def client(self) -> OpenSearch: ...

    @property
    def index(self) -> str: ...

    @property
    def location(self) -> str: ...
