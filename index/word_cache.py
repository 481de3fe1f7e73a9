"""Remembering what each distinct word becomes, so that a word met again costs a lookup.

Analysing (``index/embedded/fast_analysis.py``) and fingerprinting (``index/stories.py``) both
work a word out once and look it up after that: news text repeats most of its words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CACHE_LIMIT = 500_000  # distinct words remembered per cache, then forgotten at once


def looked_up(
    cache: dict[str, Any],
    words: list[str],
    work_out: Callable[[list[str]], list[Any]],
    limit: int | None = CACHE_LIMIT,
) -> list[Any]:
    """What ``cache`` holds for each of ``words``, in order; the words not in it are worked out
    together, once each (the cache is emptied first when it has grown past ``limit``)."""
    try:
        return list(map(cache.__getitem__, words))
    except KeyError:
        if limit is not None and len(cache) > limit:
            cache.clear()
        missing = list(set(words).difference(cache))
        cache.update(zip(missing, work_out(missing), strict=True))
        return list(map(cache.__getitem__, words))
