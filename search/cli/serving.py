"""``byline serve``: the search page and the JSON API over HTTP (``search/web/``)."""

from __future__ import annotations

from typing import Annotated

import typer

from index.errors import InvalidOption, MissingExtra
from search.cli.common import IndexOption, friendly, stderr_console
from search.engine import open_engine

INSTALL_HINT = "pip install 'byline[web]'"


@friendly
def serve_command(
    index: IndexOption = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; another than localhost opens it to others.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8080,
) -> None:
    """Serve a search page and a JSON API for the index, until Ctrl-C."""
    try:
        from search.web.server import listening_socket, serve
    except ImportError as exc:
        raise MissingExtra(
            f"serving needs the web extra ({exc.name}); install it with: {INSTALL_HINT}"
        ) from exc
    try:
        sock = listening_socket(host, port)
    except (OSError, OverflowError) as exc:
        raise InvalidOption(f"cannot listen on {host}:{port}: {exc}") from exc
    console = stderr_console()
    engine = open_engine(index)
    serve(
        engine,
        sock,
        lambda url: console.print(
            f"Serving {engine.location} at {url} (Ctrl-C to stop)", markup=False, soft_wrap=True
        ),
    )
    console.print("Stopped.")
