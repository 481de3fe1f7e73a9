"""The cluster engine: a Byline index on an OpenSearch cluster, behind the ``Engine`` interface.

Each answer is one module's job: ``searching.py`` (hits, facets, snippets, similar),
``aggregations.py`` (coverage counts, every match), ``manage.py`` (stats, delete, check,
optimize); queries are Byline's own, translated (``translate.py``); writing is
``index/opensearch/writing.py``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from index.opensearch.connection import ClusterAddress, connect, parse_cluster_url
from search.engine import Engine

if TYPE_CHECKING:
    from opensearchpy import OpenSearch


class OpenSearchEngine(Engine):
    """The index a cluster URL names (``opensearch://host:9200/news``)."""

    def __init__(self, url: str) -> None:
        self.address: ClusterAddress = parse_cluster_url(url)

    @property
    def location(self) -> str:
        return self.address.url

    @cached_property
    def client(self) -> OpenSearch:
        return connect(self.address)

    # (helpers fill in: search, article, similar, stats, daily_counts, source_counts, matches,
    # story, count_to_delete, delete, check, optimize, target)
