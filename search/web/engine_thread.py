"""One thread that owns the engine: every search, article and statistics call of the server runs
on it, one at a time, while the event loop goes on reading requests and writing answers.

The embedded engine keeps its searchers open between calls and reopens them after a commit; its
Whoosh searchers are not made to be shared between threads, and under the GIL several searching
threads would not finish sooner anyway. Requests wait their turn in the executor's queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from search.engine import Engine

T = TypeVar("T")


class EngineThread:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="byline-engine")

    async def run(self, call: Callable[[Engine], T]) -> T:
        """``call(engine)`` on the engine's thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, call, self.engine)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
