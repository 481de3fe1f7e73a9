"""A cluster index that cannot be used says why in one line, with an exit code and no traceback:
a cluster that does not answer, an index that is not there, a URL that names no index; and
credentials are read from the URL, the environment or ``~/.netrc``.

(Refused credentials cannot be shown here: the local cluster has no security plugin, so it asks
for none. Their parsing is tested below; their one-line message is ``cluster_errors``'.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.opensearch.connection import (
    PASSWORD_ENV_VAR,
    USER_ENV_VAR,
    parse_cluster_url,
)


def test_credentials_in_the_url_are_used_and_never_shown() -> None:
    address = parse_cluster_url("https://reader:s%3Acret@search.example.org:9243/news")
    assert (address.user, address.password, address.tls) == ("reader", "s:cret", True)
    assert address.url == "https://reader@search.example.org:9243/news"
    assert "s:cret" not in repr(address)


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_ENV_VAR, "byline")
    monkeypatch.setenv(PASSWORD_ENV_VAR, "from-env")
    address = parse_cluster_url("opensearchs://search.example.org/news")
    assert (address.user, address.password, address.port) == ("byline", "from-env", 9200)
    named = parse_cluster_url("opensearchs://someone@search.example.org/news")
    assert (named.user, named.password) == ("someone", "from-env")


def test_credentials_come_from_netrc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(USER_ENV_VAR, raising=False)
    monkeypatch.delenv(PASSWORD_ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine search.example.org login archivist password from-netrc\n")
    netrc.chmod(0o600)
    address = parse_cluster_url("https://search.example.org:9200/news")
    assert (address.user, address.password) == ("archivist", "from-netrc")
    # (an entry for another user is not this user's password)
    other = parse_cluster_url("https://editor@search.example.org:9200/news")
    assert (other.user, other.password) == ("editor", None)
    elsewhere = parse_cluster_url("https://other.example.org:9200/news")
    assert (elsewhere.user, elsewhere.password) == (None, None)
