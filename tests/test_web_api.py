"""``byline serve``'s JSON API, over HTTP to a real server on a real index: the same documents as
the CLI's ``--json``, JSON errors with the right status, and serving while an index is written."""

from __future__ import annotations

import html
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import ARCHIVE, write_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st
from serving import START, byline_serve, served_client

from index.pipeline.options import IngestOptions
from search.engine import open_engine
from search.web.params import (
    SEARCH_PARAMETERS,
    SOURCES_PARAMETERS,
    TERMS_PARAMETERS,
    TIMELINE_PARAMETERS,
)

WORDS = (
    "port syria ferry cargo strike council budget school river storm election court tariff "
    "vaccine bridge museum harvest drought pipeline festival"
).split()
DOMAINS = ["thehill.com", "apnews.com", "harborledger.co.uk"]
# Ids are URLs or paths: one of them ends in /similar.
SLASHED_IDS = {0: "reports/extra-0/similar", 1: "https://news.example.com/2011/extra-1"}
MORE = [
    {
        "id": SLASHED_IDS.get(n, f"extra-{n}"),
        "url": f"https://www.{DOMAINS[n % 3]}/news/{n}",
        "title": f"Harbor report number {n}",
        "body": " ".join(WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(12 + n % 5))
        + f" harbor report {n}.",
        "source": ["The Hill", "Wire Service", "Harbor City Ledger"][n % 3],
        "author": ["Kim Lee", "Sam Ortiz"][n % 2],
        "published": f"201{n % 7}-0{1 + n % 9}-1{n % 10}",
        "section": ["World", "Local"][n % 2],
        "tags": [["Port"], ["Syria", "Port"]][n % 2],
    }
    for n in range(30)
]


@pytest.fixture(scope="module")
def archive_index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("api")
    source = write_jsonl(folder / "archive.jsonl", ARCHIVE + MORE)
    report = open_engine(folder / "index").ingest([str(source)], IngestOptions())
    assert report.added == len(ARCHIVE) + len(MORE)
    return folder / "index"


@pytest.fixture(scope="module")
def server(archive_index, tmp_path_factory):
    with served_client(archive_index, tmp_path_factory.mktemp("log") / "serve.log") as client:
        yield client


# (API parameters, the same request as ``byline search`` arguments)
BATTERY = [
    ({"q": "syria"}, ["syria"]),
    ({}, []),
    (
        {"q": "harbor", "source": ["The Hill", "Wire Service"]},
        ["harbor", "--source", "The Hill", "--source", "Wire Service"],
    ),
    (
        {"q": "report", "author": "Kim Lee", "facet": ["author", "year"]},
        ["report", "--author", "Kim Lee", "--facet", "author", "--facet", "year"],
    ),
    (
        {"q": "harbor", "section": "local", "tag": "syria"},
        ["harbor", "--section", "local", "--tag", "syria"],
    ),
    (
        {"q": "syria", "since": "2014", "until": "2015-12"},
        ["syria", "--since", "2014", "--until", "2015-12"],
    ),
    (
        {"q": "harbor", "sort": "newest", "limit": "3", "page": "2"},
        ["harbor", "--sort", "newest", "--limit", "3", "--page", "2"],
    ),
    (
        {"q": "report", "sort": "oldest", "facet": "tag"},
        ["report", "--sort", "oldest", "--facet", "tag"],
    ),
    ({"q": "oil festival", "any": "true"}, ["oil festival", "--any"]),
    ({"q": "syria zzqxj", "any": "1"}, ["syria zzqxj", "--any"]),  # (with notes)
    ({"q": "harbor", "recent": "1"}, ["harbor", "--recent"]),
    ({"q": "harbor", "collapse": "false"}, ["harbor", "--no-collapse"]),
    ({"q": '"harbor report" OR title:syria'}, ['"harbor report" OR title:syria']),
    ({"q": "harb*", "limit": "50"}, ["harb*", "--limit", "50"]),
    ({"q": "what happened in the harbor port today"}, ["what happened in the harbor port today"]),
    (
        {"q": "harbor", "domain": ["apnews.com", "thehill.com"], "facet": "domain"},
        ["harbor", "--domain", "apnews.com", "--domain", "thehill.com", "--facet", "domain"],
    ),
    (
        {
            "q": "report",
            "domain": "harborledger.co.uk",
            "facet": "domain",
            "multiselect_facets": "1",
        },
        ["report", "--domain", "harborledger.co.uk", "--facet", "domain", "--multiselect-facets"],
    ),
    # Relative dates: counted back from today (nothing so recent: a note says so), and from the
    # newest article (2016-07-16).
    ({"q": "harbor", "since": "30d"}, ["harbor", "--since", "30d"]),
    ({"since": "yesterday", "until": "today"}, ["--since", "yesterday", "--until", "today"]),
    ({"q": "report", "until": "5y"}, ["report", "--until", "5y"]),
    ({"q": "report", "since": "2y@latest"}, ["report", "--since", "2y@latest"]),
    (
        {"since": "1y@latest", "until": "3m@latest", "facet": "year"},
        ["--since", "1y@latest", "--until", "3m@latest", "--facet", "year"],
    ),
    (
        {
            "q": "harbor",
            "source": "The Hill",
            "facet": ["year", "section"],
            "multiselect_facets": "1",
        },
        [
            "harbor",
            "--source",
            "The Hill",
            "--facet",
            "year",
            "--facet",
            "section",
            "--multiselect-facets",
        ],
    ),
]


@pytest.mark.parametrize(("params", "args"), BATTERY)
def test_api_search_is_byline_search_json(server, invoke, archive_index, params, args) -> None:
    answer = server.get("/api/search", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    cli = invoke("search", *args, "--index", str(archive_index), "--json")
    assert cli.exit_code == 0, cli.stderr
    assert answer.json() == json.loads(cli.stdout)


def test_a_relative_range_that_holds_nothing_says_so_in_notes(server) -> None:
    empty = server.get("/api/search", params={"q": "harbor", "since": "30d"}).json()
    assert empty["total"] == 0
    assert "no article at all" in empty["notes"][0] and "30d@latest" in empty["notes"][0]
    latest = server.get("/api/search", params={"q": "harbor", "since": "30d@latest"}).json()
    assert latest["total"] > 0 and "notes" not in latest
    timeline = server.get("/api/timeline", params={"q": "harbor", "since": "2w"}).json()
    assert "30d@latest" not in timeline["notes"][0] and "2w@latest" in timeline["notes"][0]


# (API path and parameters, the same request as ``byline`` arguments)
COVERAGE_BATTERY = [
    ("/api/timeline", {"q": "harbor"}, ["timeline", "harbor"]),
    ("/api/timeline", {}, ["timeline"]),
    (
        "/api/timeline",
        {"q": ["harbor", "syria"], "by": "year", "source": "The Hill"},
        ["timeline", "harbor", "syria", "--by", "year", "--source", "The Hill"],
    ),
    (
        "/api/timeline",
        {"q": "report", "count": "stories", "split": "source", "top": "2", "by": "month"},
        [
            "timeline",
            "report",
            "--count",
            "stories",
            "--split",
            "source",
            "--top",
            "2",
            "--by",
            "month",
        ],
    ),
    (
        "/api/timeline",
        {"q": "oil festival", "any": "1", "domain": "apnews.com", "since": "3y@latest"},
        ["timeline", "oil festival", "--any", "--domain", "apnews.com", "--since", "3y@latest"],
    ),
    ("/api/timeline", {"q": "harbor", "since": "10d"}, ["timeline", "harbor", "--since", "10d"]),
    ("/api/terms", {"q": "harbor", "top": "5"}, ["terms", "harbor", "--top", "5"]),
    (
        "/api/terms",
        {"q": "report", "field": "body", "section": "Local", "until": "1y@latest"},
        ["terms", "report", "--field", "body", "--section", "Local", "--until", "1y@latest"],
    ),
    ("/api/sources", {"q": "harbor"}, ["sources", "harbor"]),
    (
        "/api/sources",
        {"q": "report", "top": "2", "tag": "syria", "since": "2012"},
        ["sources", "report", "--top", "2", "--tag", "syria", "--since", "2012"],
    ),
    ("/api/sources", {"q": "harbor", "since": "1w"}, ["sources", "harbor", "--since", "1w"]),
]


@pytest.mark.parametrize(("path", "params", "args"), COVERAGE_BATTERY)
def test_coverage_endpoints_are_the_commands_json(
    server, invoke, archive_index, path, params, args
) -> None:
    answer = server.get(path, params=params)
    assert answer.status_code == 200, answer.text
    cli = invoke(*args, "--index", str(archive_index), "--json")
    assert cli.exit_code == 0, cli.stderr
    assert answer.json() == json.loads(cli.stdout)


def test_ids_with_slashes_and_ending_in_similar_are_served(server, invoke, archive_index) -> None:
    index = ["--index", str(archive_index)]
    for article_id in SLASHED_IDS.values():
        shown = json.loads(invoke("show", article_id, *index, "--json").stdout)
        similar = json.loads(invoke("similar", article_id, *index, "--json").stdout)
        encoded = quote(article_id, safe="")
        assert server.get(f"/api/articles/{encoded}").json() == shown
        assert server.get(f"/api/articles/{encoded}/similar").json() == similar
        page = server.get(f"/articles/{encoded}")
        assert page.status_code == 200 and html.escape(shown["title"]) in page.text
    # Sent as is, the slashes of an id that does not end in /similar need no encoding.
    url_id = SLASHED_IDS[1]
    assert server.get(f"/api/articles/{url_id}").json()["id"] == url_id
    assert server.get(f"/api/articles/{url_id}/similar").json()["id"] == url_id
    assert server.get("/api/articles/reports%2Fextra-0").status_code == 404


def test_article_similar_and_stats_are_the_commands_json(server, invoke, archive_index) -> None:
    index = ["--index", str(archive_index)]
    pairs = [
        ("/api/articles/hill-1", ["show", "hill-1"]),
        ("/api/articles/extra-3/similar", ["similar", "extra-3"]),
        ("/api/articles/extra-3/similar?limit=2", ["similar", "extra-3", "--limit", "2"]),
        ("/api/stats", ["stats"]),
    ]
    for path, args in pairs:
        answer = server.get(path)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.json() == json.loads(invoke(*args, *index, "--json").stdout), path


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/search?sort=loudest", 400, "invalid_parameter"),
        ("/api/search?page=x", 400, "invalid_parameter"),
        ("/api/search?page=0", 400, "invalid_parameter"),
        ("/api/search?page=10001", 400, "invalid_parameter"),
        ("/api/search?page=99999999999999999999", 400, "invalid_parameter"),
        ("/api/search?limit=0", 400, "invalid_parameter"),
        ("/api/search?limit=1001", 400, "invalid_parameter"),
        ("/api/search?limit=-3", 400, "invalid_parameter"),
        ("/api/search?recent=maybe", 400, "invalid_parameter"),
        ("/api/search?sources=The+Hill", 400, "invalid_parameter"),
        ("/api/search?q=a&q=b", 400, "invalid_parameter"),
        ("/api/search?facet=colour", 400, "invalid_parameter"),
        ("/api/search?q=harbor&recent=1&sort=newest", 400, "invalid_parameter"),
        ("/api/search?since=2015-02-30", 400, "invalid_date"),
        ("/api/search?since=2016&until=2015", 400, "invalid_date"),
        ("/api/search?since=yesterday-ish", 400, "invalid_date"),
        ("/api/search?q=nosuchfield:x", 400, "query_syntax"),
        ("/api/search?q=harbor~9", 400, "query_syntax"),
        ("/api/search?q=published:2015-13-45", 400, "query_syntax"),
        ("/api/search?q=harbor&page=40", 404, "not_found"),
        ("/api/articles/no-such-article", 404, "article_not_found"),
        ("/api/articles/no-such-article/similar", 404, "article_not_found"),
        ("/api/articles/hill-1/similar?limit=100000", 400, "invalid_parameter"),
        ("/api/articles/hill-1?extra=1", 400, "invalid_parameter"),
        ("/api/nothing-here", 404, "not_found"),
        ("/api/timeline?by=hour", 400, "invalid_parameter"),
        ("/api/timeline?count=words", 400, "invalid_parameter"),
        ("/api/timeline?split=author", 400, "invalid_parameter"),
        ("/api/timeline?top=0&split=source", 400, "invalid_parameter"),
        ("/api/timeline?facet=year", 400, "invalid_parameter"),
        ("/api/timeline?since=7%20days", 400, "invalid_date"),
        ("/api/timeline?q=nosuchfield:x", 400, "query_syntax"),
        ("/api/terms?field=url", 400, "invalid_parameter"),
        ("/api/terms?q=a&q=b", 400, "invalid_parameter"),
        ("/api/sources?top=0", 400, "invalid_parameter"),
        ("/api/sources?by=day", 400, "invalid_parameter"),
    ],
)
def test_api_errors_are_json_with_their_status(server, path, status, code) -> None:
    answer = server.get(path)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["message"]
    assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/../../../pyproject.toml",
        "/static/%2e%2e/app.py",
        "/static/..%2f..%2f..%2fpyproject.toml",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
    ],
)
def test_static_files_cannot_be_read_outside_their_folder(server, path) -> None:
    host, port = server.base_url.host, server.base_url.port
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request("GET", path)  # (sent as written: no client tidies the dots away)
    answer = connection.getresponse()
    body = answer.read().decode("utf-8", "replace")
    assert answer.status == 404, path
    assert "import" not in body and "[project]" not in body and "root:" not in body
    assert server.get("/static/style.css").status_code == 200


def test_nothing_changes_the_index(server) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for path in ("/api/search", "/api/articles/hill-1", "/api/stats", "/"):
            answer = server.request(method, path)
            assert answer.status_code == 405, (method, path)
    assert server.get("/api/stats").json()["articles"] == len(ARCHIVE) + len(MORE)


def test_openapi_describes_every_api_path(server) -> None:
    spec = server.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/search",
        "/api/articles/{id}",
        "/api/articles/{id}/similar",
        "/api/stats",
        "/api/timeline",
        "/api/terms",
        "/api/sources",
    }
    for path, known in [
        ("/api/search", SEARCH_PARAMETERS),
        ("/api/timeline", TIMELINE_PARAMETERS),
        ("/api/terms", TERMS_PARAMETERS),
        ("/api/sources", SOURCES_PARAMETERS),
    ]:
        assert {p["name"] for p in spec["paths"][path]["get"]["parameters"]} == set(known), path


def test_the_search_page_charts_the_matches_over_time(server) -> None:
    """Above the hits: a bar per period and a table of the periods with matches, the numbers of
    ``/api/timeline`` (``byline timeline``) for the same query and filters."""
    asked = {"q": "report", "source": "The Hill", "since": "6y@latest"}
    [series] = (timeline := server.get("/api/timeline", params=asked).json())["series"]
    page = server.get("/", params=asked).text
    assert f"Matches per {timeline['interval']}" in page
    assert len(re.findall(r'<rect class="bar"', page)) == len(series["buckets"])
    rows = re.findall(
        r"<tr><td>([\d-]+)</td><td>([\d,]+)</td><td>([\d,]+)</td><td>(.+?)</td>", page
    )
    assert rows == [
        (b["start"], f"{b['count']:,}", f"{b['all']:,}", f"{b['share']:.1%}")
        for b in series["buckets"]
        if b["count"]
    ]
    assert sum(int(count) for _, count, _, _ in rows) == series["total"] > 0
    assert 'class="timeline"' not in server.get("/", params={"q": "zzqxj"}).text


def test_pages_show_errors_in_place_with_the_api_status(server) -> None:
    for path, status, words in [
        ("/?q=harbor&sort=loudest", 400, "unknown sort"),
        ("/?q=harbor&page=40", 404, "past the last match"),
        ("/articles/no-such-article", 404, "no article with id"),
        ("/no/such/page", 404, "nothing at"),
    ]:
        answer = server.get(path)
        assert answer.status_code == status, path
        assert answer.headers["content-type"].startswith("text/html")
        assert words in answer.text and 'class="error"' in answer.text, path


def test_no_index_yet_is_503_until_one_is_written(tmp_path) -> None:
    folder = tmp_path / "later"
    with served_client(folder, tmp_path / "serve.log") as client:
        for path in ("/api/search?q=syria", "/api/stats", "/api/articles/hill-1"):
            answer = client.get(path)
            assert answer.status_code == 503, (path, answer.text)
            assert answer.json()["error"]["code"] == "index_not_found"
        assert client.get("/?q=syria").status_code == 503
        assert client.get("/stats").status_code == 503
        open_engine(folder).ingest(
            [str(write_jsonl(tmp_path / "a.jsonl", ARCHIVE))], IngestOptions()
        )
        assert client.get("/api/search?q=syria").json()["total"] == 4


def test_many_clients_while_a_writer_commits_see_new_articles_without_errors(tmp_path) -> None:
    folder = tmp_path / "index"
    open_engine(folder).ingest(
        [str(write_jsonl(tmp_path / "first.jsonl", ARCHIVE))], IngestOptions()
    )
    failures: list[str] = []
    stop = threading.Event()
    queries = [
        "/api/search?q=harbor",
        "/?q=syria&source=The+Hill",
        "/api/search?q=report&facet=year",
    ]

    def client_loop(number: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            turn = number
            while not stop.is_set():
                answer = client.get(queries[turn % len(queries)])
                turn += 1
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")

    with byline_serve(folder, tmp_path / "serve.log") as (url, _):
        clients = [threading.Thread(target=client_loop, args=(n,)) for n in range(8)]
        for client in clients:
            client.start()
        try:
            for batch in range(5):  # (a concurrent `byline index`, as a user would run one)
                records = MORE[batch * 6 : batch * 6 + 6]
                batch_file = write_jsonl(tmp_path / f"b{batch}.jsonl", records)
                command = [sys.executable, "-m", "search", "index", str(batch_file)]
                subprocess.run([*command, "--index", str(folder)], check=True, capture_output=True)
        finally:
            stop.set()
            for client in clients:
                client.join()
        latest = httpx.get(url + "api/search?q=report", timeout=30).json()
    assert failures == []
    assert latest["total"] == len(MORE)


def test_ctrl_c_stops_the_server_cleanly(tmp_path, archive_index) -> None:
    with byline_serve(archive_index, tmp_path / "serve.log") as (url, process):
        assert httpx.get(url + "api/stats", timeout=30).status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    log = (tmp_path / "serve.log").read_text()
    assert f"at {url}" in log and "Stopped." in log and "Traceback" not in log


def test_serve_without_the_web_extra_says_how_to_install_it(tmp_path) -> None:
    hide = "import sys; sys.modules['uvicorn'] = None; "
    done = subprocess.run(
        [sys.executable, "-c", hide + START, "serve", "--index", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().endswith("install it with: pip install 'byline[web]'")
    assert "Traceback" not in done.stderr


def test_a_port_in_use_is_a_one_line_error(tmp_path, archive_index, invoke) -> None:
    with byline_serve(archive_index, tmp_path / "serve.log") as (url, _):
        port = url.rsplit(":", 1)[1].strip("/")
        busy = invoke("serve", "--index", str(archive_index), "--port", port)
    assert busy.exit_code == 2
    assert busy.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}")


def test_readme_serving_commands_work(tmp_path, monkeypatch, seeds_copy, invoke) -> None:
    """The README's ``byline serve`` example (on a free port) and its curl requests."""
    from test_readme import README, _commands

    monkeypatch.chdir(seeds_copy.parent)
    assert invoke("index", "seeds", "--index", ".byline-demo").exit_code == 0
    (serve,) = _commands("## Serving")
    assert serve[:3] == ["serve", "--index", ".byline-demo"]
    block = README.read_text(encoding="utf-8").split("## Serving", 1)[1].split("```", 2)[1]
    requests = re.findall(r"curl -s '(http://127\.0\.0\.1:8080/[^']*)'", block)
    assert len(requests) == 2
    with byline_serve(Path(serve[2]), tmp_path / "serve.log") as (url, _):
        for address in requests:
            answer = httpx.get(address.replace("http://127.0.0.1:8080/", url), timeout=30)
            assert answer.status_code == 200, answer.text
    assert answer.json()["articles"] == 5


@settings(max_examples=60, deadline=None)
@given(
    params=st.lists(
        st.tuples(
            st.sampled_from([*SEARCH_PARAMETERS, "bogus"]),
            st.one_of(
                st.text(max_size=30),
                st.sampled_from(["1", "0", "-1", "newest", "2015", "2015-02-29", "year", "*"]),
            ),
        ),
        max_size=6,
    )
)
def test_no_query_or_parameter_makes_the_server_fail(server, params) -> None:
    """Whatever a client sends, the answer is a result or an error of its own making."""
    api = server.get("/api/search", params=params)
    assert api.status_code in (200, 400, 404), api.text
    assert set(api.json()) >= ({"hits", "total"} if api.status_code == 200 else {"error"})
    page = server.get("/", params=params)  # (which picks its own facets)
    assert page.status_code in (200, 400, 404), page.text[-500:]
    assert ('class="error"' in page.text) == (page.status_code != 200)


def test_the_listening_socket_is_named_tcp_so_answers_are_not_held_back() -> None:
    """asyncio turns Nagle's algorithm off only on sockets named TCP; on one made with protocol 0
    every answer written in two parts waited 40 ms for the client's delayed ACK."""
    from search.web.server import listening_socket

    with listening_socket("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP


def test_every_answer_forbids_inline_script_and_pages_have_none(server) -> None:
    for path in ("/", "/?q=syria", "/articles/hill-1", "/stats", "/api/search", "/nothing"):
        answer = server.get(path)
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        if answer.headers["content-type"].startswith("text/html"):
            scripts = re.findall(r"<script\b[^>]*>", answer.text)
            assert scripts == ['<script src="/static/search.js" defer>'], path
            assert " style=" not in answer.text and "<style" not in answer.text, path
