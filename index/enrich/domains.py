"""The site an article comes from: the registrable domain of its URL (``www.chicagotribune.com``
and ``newsblogs.chicagotribune.com`` are both ``chicagotribune.com``), by the Public Suffix List.

The list is the snapshot bundled with ``tldextract``; it is never fetched or cached on disk, so
indexing stays offline and gives the same domains on every machine. The list's private section
counts too, so each ``*.blogspot.com`` blog is a site of its own.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import tldextract


@cache
def _extractor() -> tldextract.TLDExtract:
    # (Loaded on first use: it brings an HTTP client, and every `byline` process imports this.)
    import tldextract

    return tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True,
        include_psl_private_domains=True,
    )  # fmt: skip


def url_host(url: str) -> str:
    """A URL's host name, lower-cased, without a final dot; "" when it has none."""
    try:
        return (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return ""


def registrable_domain(url: str) -> str | None:
    """The domain a URL's host was registered under, lower-cased; None for a URL without one
    (no host, an IP address, ``localhost``)."""
    host = url_host(url)
    if not host:
        return None
    return _extractor().extract_str(host).top_domain_under_public_suffix.lower() or None


def url_terms(url: str) -> list[str]:
    """The terms a URL is indexed under: itself, its host, and the host's parent domains."""
    text = url.strip().lower()
    if not text:
        return []
    terms = [text]
    labels = url_host(text).split(".")
    terms.extend(".".join(labels[start:]) for start in range(len(labels) - 1))
    return list(dict.fromkeys(terms))
