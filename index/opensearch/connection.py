"""Where a cluster index is and how to reach it: the ``--index`` URL, credentials, TLS, and the
cluster's failures as one-line Byline errors.

``opensearch://host:9200/news`` (plain HTTP, for a local cluster), ``opensearchs://…`` or
``https://user@host:9200/news`` (TLS, certificates verified) name an index ``news`` on a cluster.
A password comes from the URL, else ``$BYLINE_CLUSTER_PASSWORD`` (with ``$BYLINE_CLUSTER_USER``
when the URL names no user), else the host's entry in ``~/.netrc``. The client library,
``opensearch-py``, is the ``cluster`` extra: it loads only when a cluster is used.
"""

from __future__ import annotations

import contextlib
import functools
import netrc
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from index.errors import BylineError, IndexNotFound, MissingExtra

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

USER_ENV_VAR = "BYLINE_CLUSTER_USER"
PASSWORD_ENV_VAR = "BYLINE_CLUSTER_PASSWORD"
# URL schemes that name a cluster, and whether each speaks TLS.
SCHEMES = {"opensearch": False, "opensearchs": True, "http": False, "https": True}
DEFAULT_PORT = 9200
# Seconds a request may take before the cluster counts as not answering.
REQUEST_TIMEOUT = 30
# OpenSearch's rules for index names (lower case, no spaces or these characters).
_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9_.+-]*")


class ClusterError(BylineError):
    """The cluster cannot be reached, refused us, or failed a request."""


def is_cluster_url(location: str) -> bool:
    """Whether ``--index`` names a cluster (a URL) rather than a folder."""
    scheme, separator, _ = location.partition("://")
    return bool(separator) and scheme.lower() in SCHEMES


@dataclass(frozen=True, slots=True)
class ClusterAddress:
    """An index on a cluster: where the cluster answers, the index's name, who we are."""

    host: str
    port: int
    index: str
    tls: bool
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The cluster's address as a user would write it, without any password."""
        user = f"{self.user}@" if self.user else ""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{user}{self.host}:{self.port}/{self.index}"

    @property
    def node_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"


def parse_cluster_url(location: str) -> ClusterAddress:
    """The cluster index a URL names (``ClusterError`` when it names none)."""
    parts = urlsplit(location.strip())
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ClusterError(f"{location!r} is not a cluster URL (opensearch://host:9200/index)")
    index = parts.path.strip("/")
    if not index:
        raise ClusterError(
            f"{location!r} names no index: add one, as in {location.rstrip('/')}/news"
        )
    if not _INDEX_NAME.fullmatch(index):
        raise ClusterError(
            f"{index!r} cannot name an index: lower-case letters, digits and _ . + - only"
        )
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError as exc:
        raise ClusterError(f"{location!r}: {exc}") from exc
    host = parts.hostname or "localhost"
    user = unquote(parts.username) if parts.username else os.environ.get(USER_ENV_VAR)
    password = unquote(parts.password) if parts.password else None
    if password is None:
        password = os.environ.get(PASSWORD_ENV_VAR) or _netrc_password(host, user)
    if password is not None and user is None:
        user = _netrc_login(host)
    return ClusterAddress(host, port, index, SCHEMES[scheme], user, password)


def _netrc_entry(host: str) -> tuple[str, str, str] | None:
    try:
        return netrc.netrc().authenticators(host)
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return None


def _netrc_password(host: str, user: str | None) -> str | None:
    entry = _netrc_entry(host)
    if entry is None or (user is not None and entry[0] != user):
        return None
    return entry[2]


def _netrc_login(host: str) -> str | None:
    entry = _netrc_entry(host)
    return entry[0] if entry else None


def connect(address: ClusterAddress) -> OpenSearch:
    """A client for the cluster (nothing is sent until it is used)."""
    try:
        from opensearchpy import OpenSearch
    except ImportError as exc:
        raise MissingExtra(
            "a cluster index needs opensearch-py: pip install 'byline[cluster]'"
        ) from exc
    auth = (address.user, address.password) if address.user and address.password else None
    return _whole_answers(OpenSearch)(
        hosts=[{"host": address.host, "port": address.port}],
        http_auth=auth,
        use_ssl=address.tls,
        verify_certs=address.tls,
        ssl_show_warn=False,
        timeout=REQUEST_TIMEOUT,
        http_compress=True,
    )


class IncompleteAnswer(ClusterError):
    """Part of the index has no live copy: an answer would silently count only the rest."""


def complete(answer: dict[str, Any]) -> dict[str, Any]:
    """A search answer, if every shard gave its part (``IncompleteAnswer`` otherwise)."""
    shards = answer.get("_shards") or {}
    # (a shard without any live copy counts in the total only: neither failed nor answered)
    missing = shards.get("total", 0) - shards.get("successful", 0) - shards.get("skipped", 0)
    missing = max(missing, shards.get("failed", 0))
    if missing > 0:
        raise IncompleteAnswer(
            f"{missing} of {shards['total']} shards of the index did not "
            "answer (a node holding their only copy is down?), so counts and hits would be "
            "incomplete; start the node again, or give the index replicas"
        )
    return answer


@functools.cache
def _whole_answers(base: type[OpenSearch]) -> type[OpenSearch]:
    """The client class whose searches, counts and multi-searches refuse partial answers:
    a cluster answers from the shards it can reach, and says so only in ``_shards``."""

    class WholeAnswers(base):  # type: ignore[valid-type,misc]
        def search(self, *args: Any, **kwargs: Any) -> Any:
            return complete(super().search(*args, **kwargs))

        def count(self, *args: Any, **kwargs: Any) -> Any:
            return complete(super().count(*args, **kwargs))

        def msearch(self, *args: Any, **kwargs: Any) -> Any:
            answer = super().msearch(*args, **kwargs)
            for each in answer.get("responses", []):
                complete(each)
            return answer

    return WholeAnswers


@contextlib.contextmanager
def cluster_errors(address: ClusterAddress) -> Iterator[None]:
    """The cluster's failures, as one line each: unreachable, refused credentials, no index."""
    from opensearchpy import exceptions as os_errors

    try:
        yield
    except os_errors.AuthenticationException as exc:
        who = f"user {address.user!r}" if address.user else "no credentials"
        raise ClusterError(
            f"the cluster at {address.node_url} refused {who} (HTTP 401); set "
            f"${PASSWORD_ENV_VAR} or a ~/.netrc entry for {address.host}"
        ) from exc
    except os_errors.AuthorizationException as exc:
        raise ClusterError(
            f"the cluster at {address.node_url} does not allow this for user "
            f"{address.user!r} (HTTP 403): {_reason(exc)}"
        ) from exc
    except os_errors.NotFoundError as exc:
        if _error_type(exc) == "index_not_found_exception":
            raise IndexNotFound(
                f"no index {address.index!r} on the cluster at {address.node_url}; "
                f"byline index --index {address.url} FILES creates it"
            ) from exc
        raise
    except os_errors.ConnectionTimeout as exc:
        raise ClusterError(
            f"the cluster at {address.node_url} did not answer within {REQUEST_TIMEOUT} s"
        ) from exc
    except os_errors.SSLError as exc:
        raise ClusterError(
            f"cannot verify the TLS certificate of {address.node_url}: {_reason(exc)}"
        ) from exc
    except os_errors.ConnectionError as exc:
        raise ClusterError(
            f"cannot reach the cluster at {address.node_url}: is it running? "
            "(byline cluster up starts a local one)"
        ) from exc
    except os_errors.TransportError as exc:
        raise ClusterError(
            f"the cluster at {address.node_url} failed a request "
            f"(HTTP {exc.status_code}): {_reason(exc)}"
        ) from exc


def _error_type(exc: Any) -> str:
    info = getattr(exc, "info", None)
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            return str(error.get("type", ""))
    return str(getattr(exc, "error", ""))


def _reason(exc: Any) -> str:
    info = getattr(exc, "info", None)
    if isinstance(info, dict) and isinstance(info.get("error"), dict):
        error = info["error"]
        cause = (error.get("root_cause") or [error])[0]
        return str(cause.get("reason") or cause.get("type") or error)
    return str(getattr(exc, "error", None) or exc)
