"""``byline cluster up`` and ``down``: a local OpenSearch cluster to try Byline on
(``search/opensearch/local_cluster.py``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from search.cli.common import friendly, stderr_console

app = typer.Typer(
    help="Start or stop a local OpenSearch cluster (needs Java 17+ and Maven).",
    no_args_is_help=True,
)

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data", help="Folder for the nodes' homes and state (default: a per-user data folder)."
    ),
]


@app.command("up")
@friendly
def up_command(
    nodes: Annotated[int, typer.Option(min=1, help="How many nodes.")] = 2,
    port: Annotated[
        int, typer.Option(help="HTTP port of the first node; the next nodes take the next ports.")
    ] = 9200,
    data: DataOption = None,
    heap: Annotated[str, typer.Option(help="Java heap of each node.")] = "256m",
) -> None:
    """Start a local cluster in the background; prints its URL once every node has joined."""
    from search.opensearch import local_cluster

    began = time.monotonic()
    url = local_cluster.start(nodes=nodes, port=port, data=data, heap=heap)
    host = url.split("://", 1)[1]
    stderr_console().print(
        f"{nodes} node(s) up in {time.monotonic() - began:.1f} s. Use it with "
        f"--index opensearch://{host}/news; byline cluster down"
        f"{f' --data {data}' if data else ''} stops it.",
        markup=False,
    )
    print(url)


@app.command("down")
@friendly
def down_command(data: DataOption = None) -> None:
    """Stop the local cluster started from the data folder."""
    from search.opensearch import local_cluster

    stopped = local_cluster.stop(data)
    console = stderr_console()
    if stopped:
        console.print(f"Stopped {len(stopped)} node(s).")
    else:
        console.print("No local cluster is running from that data folder.", markup=False)
