"""A real OpenSearch cluster for the tests that need one, started with the same
``local_cluster.start`` as ``byline cluster up``, on free ports in a temporary folder.

Without Java 17+ or Maven the tests that need a cluster are skipped, except in CI (``CI`` set),
where ``.ci/run`` installs them: a missing install step there must fail, not skip (as the browser
tests do for Chromium).
"""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.opensearch import local_cluster

NODES = 2
HEAP = "256m"


def free_port(nodes: int) -> int:
    """A first HTTP port such that the ``nodes`` HTTP ports from it, and the transport ports
    ``local_cluster`` puts beside them, are free on 127.0.0.1."""
    draw = random.Random()
    for _ in range(200):
        port = draw.randrange(20_000, 40_000)
        wanted = [p + offset for p in range(port, port + nodes)
                  for offset in (0, local_cluster.TRANSPORT_OFFSET)]  # fmt: skip
        if all(local_cluster.port_is_free(p) for p in wanted):
            return port
    raise RuntimeError("no free ports for a test cluster")


def require_tools() -> None:
    """Skip the test (fail it in CI) when what a local cluster is made with is missing."""
    try:
        local_cluster.require_java()
        local_cluster.build_launcher()
    except local_cluster.ToolMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install it (.ci/run): {exc}")
        pytest.skip(str(exc))


@contextlib.contextmanager
def running_cluster(data: Path, nodes: int = NODES) -> Iterator[str]:
    """A cluster of ``nodes`` started in ``data``; its base URL (``http://127.0.0.1:PORT``)."""
    require_tools()
    url = local_cluster.start(nodes=nodes, port=free_port(nodes), data=data, heap=HEAP)
    try:
        yield url
    finally:
        local_cluster.stop(data)


def index_url(cluster_url: str, name: str) -> str:
    """The ``--index`` URL of index ``name`` on the cluster at ``cluster_url``."""
    return f"opensearch://{cluster_url.split('://', 1)[1]}/{name}"
