"""Running the web application under uvicorn on a socket of our own, so the address it listens
on (a free port when asked for port 0) is known before the first request."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable

import uvicorn

from search.engine import Engine
from search.web.app import create_app


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0: any free port) and listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # (Named TCP, asyncio turns Nagle's algorithm off on each connection; with protocol 0 it
    # does not, and every answer written in two parts waits 40 ms for the client's delayed ACK.)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(engine: Engine, sock: socket.socket, announce: Callable[[str], None]) -> None:
    """Serve ``engine`` on ``sock`` until interrupted (Ctrl-C ends it cleanly)."""
    config = uvicorn.Config(
        create_app(engine),
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    announce(url_of(sock))
    # (uvicorn shuts down first, then raises the signal it caught again: Ctrl-C is done with)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
