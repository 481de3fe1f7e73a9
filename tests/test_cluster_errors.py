"""A cluster index that cannot be used says why in one line, with an exit code and no traceback:
a cluster that does not answer, an index that is not there, a URL that names no index; and
credentials are read from the URL, the environment or ``~/.netrc``.

(Refused credentials cannot be shown here: the local cluster has no security plugin, so it asks
for none. Their parsing is tested below; their one-line message is ``cluster_errors``'.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cluster_fixture import free_port, index_url
from conftest import one_line_error

from index.opensearch.connection import (
    PASSWORD_ENV_VAR,
    USER_ENV_VAR,
    parse_cluster_url,
)


def test_a_cluster_that_does_not_answer_is_one_line(invoke) -> None:
    closed = f"opensearch://127.0.0.1:{free_port(1)}/news"
    done = invoke("search", "syria", "--index", closed)
    one_line_error(done, 1, "cannot reach the cluster at http://127.0.0.1:", "is it running?")


def test_a_missing_index_says_how_to_create_it(invoke, cluster_url: str) -> None:
    missing = index_url(cluster_url, "no-such-index")
    for command in (["search", "syria"], ["stats"]):
        done = invoke(*command, "--index", missing)
        one_line_error(
            done, 1, "no index 'no-such-index'", f"byline index --index {cluster_url}/no-such-index"
        )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("opensearch://127.0.0.1:9200/", "names no index"),
        ("opensearch://127.0.0.1:9200/News Archive", "cannot name an index"),
        ("opensearch://127.0.0.1:99999/news", "out of range"),
    ],
)
def test_a_url_that_names_no_index_is_one_line(invoke, url: str, says: str) -> None:
    one_line_error(invoke("search", "syria", "--index", url), 1, says)


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
