"""Naming an article's source from its URL: a shipped table of publication domains, extensible
by the user, falling back to the host name itself."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from index.errors import IngestError

SHIPPED = Path(__file__).with_name("publishers.csv")
# Host prefixes that name a server or an edition, not the publication.
_SERVER_PREFIXES = ("www.", "www2.", "m.", "mobile.", "amp.", "edition.", "eu.", "uk.", "us.")


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
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    labels = host.split(".")
    for start in range(len(labels) - 1):
        name = publishers.get(".".join(labels[start:]))
        if name:
            return name
    for prefix in _SERVER_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            return host[len(prefix) :]
    return host
