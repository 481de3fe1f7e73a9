"""Naming an article's source from its URL: a shipped table of publication domains, extensible
by the user, then the page's own site name (tidied), falling back to the host name itself.

For a domain in the table, the table's name wins over what a page calls itself (``og:site_name``
is "NYTimes" on nytimes.com, and the extractor guesses "Hosted" for hosted.ap.org): one
publisher keeps one name, so ``--source "The New York Times"`` finds all its pages.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from index.enrich.domains import url_host
from index.errors import IngestError

SHIPPED = Path(__file__).with_name("publishers.csv")
# Host prefixes that name a server or an edition, not the publication.
_SERVER_PREFIXES = ("www.", "www2.", "m.", "mobile.", "amp.", "edition.", "eu.", "uk.", "us.")
# Around a site name: spaces, underscores and separators left by templates ("Wday_").
_NAME_EDGES = re.compile(r"^[\s_|:·•\-–—]+|[\s_|:·•\-–—]+$")


def load_publishers(extra: Iterable[Path] = ()) -> Mapping[str, str]:
    """The shipped domain → name table, with entries from user files added or overriding."""
    table = dict(_shipped())
    for path in extra:
        table.update(_read_table(Path(path)))
    return table


@cache
def _shipped() -> tuple[tuple[str, str], ...]:
    return tuple(_read_table(SHIPPED).items())


def _read_table(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(f"cannot read publishers table {path}: {exc}") from exc
    table: dict[str, str] = {}
    rows = csv.reader(line for line in lines if line.strip() and not line.startswith("#"))
    for number, row in enumerate(rows, 1):
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise IngestError(f"{path}: row {number} should be 'domain,name', got {row!r}")
        domain, name = row[0].strip().lower(), row[1].strip()
        if (domain, name.lower()) != ("domain", "name"):
            table[domain] = name
    return table


def infer_source(url: str, publishers: Mapping[str, str]) -> str | None:
    """The publication a URL belongs to: its host or nearest parent domain in the table, else
    the host name without ``www.``; None for a URL without a host."""
    return known_publisher(url, publishers) or _host_name(url)


def name_source(
    url: str | None,
    site_name: str | None,
    publishers: Mapping[str, str],
    agency: str | None = None,
) -> str | None:
    """The source of an article that names none in its own fields: the table's name for its
    URL, else the page's own site name (tidied), else the news agency its byline credits, else
    the URL's host name."""
    if url and (known := known_publisher(url, publishers)):
        return known
    site = tidy_site_name(site_name or "", url_host(url) if url else "")
    return site or agency or (_host_name(url) if url else None)


def tidy_site_name(name: str, host: str = "") -> str | None:
    """A page's name for its site, tidied: template leftovers at its edges go ("Wday_" → "Wday"),
    underscores become spaces, and a bare label of the page's own host ("Nj" on nj.com, which
    extractors guess when a page names nothing) is no name at all."""
    tidied = " ".join(_NAME_EDGES.sub("", name).replace("_", " ").split())
    if not any(char.isalpha() for char in tidied):
        return None
    if tidied.casefold() in host.casefold().split("."):
        return None
    return tidied


def known_publisher(url: str, publishers: Mapping[str, str]) -> str | None:
    """The table's name for a URL's host or its nearest parent domain, if the table has one."""
    labels = url_host(url).split(".")
    for start in range(len(labels) - 1):
        name = publishers.get(".".join(labels[start:]))
        if name:
            return name
    return None


def _host_name(url: str) -> str | None:
    """The host without a server prefix (``www.``); None for a URL without a dotted host."""
    host = url_host(url)
    if not host or "." not in host:
        return None
    for prefix in _SERVER_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            return host[len(prefix) :]
    return host
