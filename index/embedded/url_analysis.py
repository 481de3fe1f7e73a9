"""How a URL becomes index terms: the whole URL, its host and each parent domain of the host, so
``url:chicagotribune.com`` finds ``http://newsblogs.chicagotribune.com/…`` and ``url:"http://…"``
still finds one page. A query value is one term, lower-cased.

Whoosh pickles the analyzer into the index: it must stay importable under this name.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from index.enrich.domains import url_terms


class UrlTokenizer(Tokenizer):
    """``url_terms`` of the value when indexing; the value itself, lower-cased, in a query."""

    def __call__(  # type: ignore[override]
        self, value: str, positions: bool = False, mode: str = "", **kwargs: object
    ) -> Iterator[Token]:
        texts = url_terms(value) if mode == "index" else [value.strip().lower()]
        token = Token(positions=positions, mode=mode)
        for position, text in enumerate(t for t in texts if t):
            token.text, token.boost, token.stopped = text, 1.0, False
            if positions:
                token.pos = position
            yield token


def url_analyzer() -> UrlTokenizer:
    return UrlTokenizer()
