#!/usr/bin/env python3
"""Smoke test of an OpenSearch node or cluster for Byline's cluster backend (stdlib only).

    python3 cluster/smoke.py --url http://127.0.0.1:19200                 # full proof, 0 replicas
    python3 cluster/smoke.py --url http://127.0.0.1:19200 --replicas 1 --keep
    python3 cluster/smoke.py --url http://127.0.0.1:19201 --search-only  # queries on the kept index

Full run: GET /, _cluster/health, create an index (english analyzer, keyword, date), bulk-index
articles, then match + highlight, terms, date_histogram, significant_text, collapse, and
point-in-time + search_after paging. --search-only runs the queries against an index already there.
Exits non-zero on the first failed check; prints one line per check.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request

DOCS = [
    # id, section, published, title, body
    (
        "a1",
        "politics",
        "2024-01-05",
        "Parliament vote delayed",
        "The election commission delayed the ballot count "
        "after a recount of the postal ballot papers.",
    ),
    (
        "a2",
        "politics",
        "2024-01-19",
        "Ballot design criticised",
        "Voters said the ballot paper was confusing ahead "
        "of the election; officials defended the ballot.",
    ),
    (
        "a3",
        "politics",
        "2024-02-02",
        "Turnout rises in election",
        "Election turnout rose as the ballot opened early; "
        "counting of each ballot continued overnight.",
    ),
    (
        "a4",
        "politics",
        "2024-02-20",
        "Candidates debate housing",
        "Candidates in the election debated housing and the ballot wording on rents.",
    ),
    (
        "b1",
        "sport",
        "2024-01-07",
        "Runners brave the cold",
        "Thousands of runners were running through the city in the winter marathon.",
    ),
    (
        "b2",
        "sport",
        "2024-02-11",
        "Late goal wins derby",
        "A late goal settled the derby as the home side kept running until the whistle.",
    ),
    (
        "b3",
        "sport",
        "2024-03-03",
        "Cyclists finish the tour",
        "The cyclists finished the final stage; the election of a new team captain follows.",
    ),
    (
        "c1",
        "tech",
        "2024-01-22",
        "Chip maker expands",
        "The chip maker expands its factory and hires engineers for new running lines.",
    ),
    (
        "c2",
        "tech",
        "2024-03-14",
        "Search engines compared",
        "Engineers compared search engines on news articles and their ranking of stories.",
    ),
    (
        "c3",
        "tech",
        "2024-03-28",
        "Phones get faster",
        "New phones run faster chips; reviewers ran benchmarks on the devices.",
    ),
    (
        "d1",
        "business",
        "2024-02-05",
        "Markets calm",
        "Markets stayed calm before the election as investors waited for the ballot result.",
    ),
    (
        "d2",
        "business",
        "2024-03-09",
        "Retail sales up",
        "Retail sales rose in March as shoppers returned to the high street.",
    ),
]

MAPPING = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
    "mappings": {
        "properties": {
            "id": {"type": "keyword"},
            "section": {"type": "keyword"},
            "published": {"type": "date"},
            "title": {"type": "text", "analyzer": "english"},
            "body": {"type": "text", "analyzer": "english"},
        }
    },
}


class Client:
    def __init__(self, url, timeout=30):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def req(self, method, path, body=None, ndjson=False, ok=(200, 201)):
        data = None
        headers = {}
        if body is not None:
            if ndjson:
                data = body.encode()
                headers["Content-Type"] = "application/x-ndjson"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        r = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(r, timeout=self.timeout) as resp:
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if status not in ok:
            raise Check(f"{method} {path} -> HTTP {status}: {text[:500]}")
        return json.loads(text) if text else {}


class Check(Exception):
    pass


def check(name, cond, detail=""):
    if not cond:
        raise Check(f"{name}: {detail}")
    print(f"ok   {name}" + (f"  ({detail})" if detail else ""))


def setup(c, index, replicas):
    root = c.req("GET", "/")
    check(
        "GET /",
        root.get("version", {}).get("distribution") == "opensearch",
        root.get("version", {}).get("number"),
    )
    wait = "green" if replicas == 0 else "yellow"
    h = c.req("GET", f"/_cluster/health?wait_for_status={wait}&timeout=30s")
    check(
        "cluster health",
        h["status"] in ("green", "yellow"),
        f"{h['status']}, {h['number_of_nodes']} node(s)",
    )
    c.req("DELETE", f"/{index}", ok=(200, 404))
    body = json.loads(json.dumps(MAPPING))
    body["settings"]["number_of_replicas"] = replicas
    c.req("PUT", f"/{index}", body)
    h = c.req("GET", f"/_cluster/health/{index}?wait_for_status=green&timeout=60s")
    check(
        "create index",
        h["status"] == "green",
        f"{index}: shards 1, replicas {replicas}, health {h['status']}",
    )
    lines = []
    for i, sec, pub, title, text in DOCS:
        lines.append(json.dumps({"index": {"_index": index, "_id": i}}))
        lines.append(
            json.dumps({"id": i, "section": sec, "published": pub, "title": title, "body": text})
        )
    r = c.req("POST", "/_bulk?refresh=true", "\n".join(lines) + "\n", ndjson=True)
    check("bulk index", not r["errors"] and len(r["items"]) == len(DOCS), f"{len(r['items'])} docs")


def queries(c, index):
    s = lambda body: c.req("POST", f"/{index}/_search", body)  # noqa: E731

    n = c.req("GET", f"/{index}/_count")["count"]
    check("count", n == len(DOCS), f"{n} docs")

    # match with the english analyzer: "running" must find "runners"/"run" through the stemmer
    r = s({"query": {"match": {"body": "runs"}}, "highlight": {"fields": {"body": {}}}})
    ids = sorted(h["_id"] for h in r["hits"]["hits"])
    check("match (english stemming)", {"b1", "b2"} <= set(ids), f"'runs' -> {ids}")
    hl = [frag for h in r["hits"]["hits"] for frag in h.get("highlight", {}).get("body", [])]
    check("highlight", any("<em>" in f for f in hl), hl[0][:80] if hl else "none")

    r = s({"size": 0, "aggs": {"sections": {"terms": {"field": "section"}}}})
    buckets = {b["key"]: b["doc_count"] for b in r["aggregations"]["sections"]["buckets"]}
    check(
        "terms aggregation",
        buckets.get("politics") == 4 and sum(buckets.values()) == len(DOCS),
        json.dumps(buckets),
    )

    r = s(
        {
            "size": 0,
            "aggs": {
                "months": {
                    "date_histogram": {
                        "field": "published",
                        "calendar_interval": "month",
                        "format": "yyyy-MM",
                    }
                }
            },
        }
    )
    months = {b["key_as_string"]: b["doc_count"] for b in r["aggregations"]["months"]["buckets"]}
    check(
        "date_histogram", months == {"2024-01": 4, "2024-02": 4, "2024-03": 4}, json.dumps(months)
    )

    r = s(
        {
            "size": 0,
            "query": {"match": {"body": "election"}},
            "aggs": {
                "sig": {
                    "significant_text": {
                        "field": "body",
                        "min_doc_count": 2,
                        "filter_duplicate_text": True,
                    }
                }
            },
        }
    )
    sig = [b["key"] for b in r["aggregations"]["sig"]["buckets"]]
    check("significant_text", "ballot" in sig, f"'election' -> {sig[:6]}")

    r = s(
        {
            "query": {"match_all": {}},
            "collapse": {"field": "section"},
            "sort": [{"published": "desc"}],
            "size": 10,
        }
    )
    secs = [h["fields"]["section"][0] for h in r["hits"]["hits"]]
    check("collapse", len(secs) == len(set(secs)) == 4, f"one per section: {secs}")

    pit = c.req("POST", f"/{index}/_search/point_in_time?keep_alive=1m")["pit_id"]
    seen, after, pages = [], None, 0
    while True:
        body = {
            "size": 5,
            "pit": {"id": pit, "keep_alive": "1m"},
            "query": {"match_all": {}},
            "sort": [{"published": "asc"}, {"id": "asc"}],
        }
        if after:
            body["search_after"] = after
        r = c.req("POST", "/_search", body)
        hits = r["hits"]["hits"]
        if not hits:
            break
        pages += 1
        seen += [h["_id"] for h in hits]
        after = hits[-1]["sort"]
        pit = r.get("pit_id", pit)
    expected = [d[0] for d in sorted(DOCS, key=lambda d: (d[2], d[0]))]
    check(
        "point-in-time + search_after",
        seen == expected,
        f"{len(seen)} docs in {pages} pages, in date order",
    )
    c.req("DELETE", "/_search/point_in_time", {"pit_id": [pit]})


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--url", default="http://127.0.0.1:19200")
    ap.add_argument("--index", default="byline-smoke")
    ap.add_argument("--replicas", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="keep the index at the end")
    ap.add_argument(
        "--search-only", action="store_true", help="only run the queries on an existing index"
    )
    a = ap.parse_args()
    c = Client(a.url)
    t0 = time.time()
    try:
        if not a.search_only:
            setup(c, a.index, a.replicas)
        queries(c, a.index)
        if not (a.keep or a.search_only):
            c.req("DELETE", f"/{a.index}")
    except (Check, urllib.error.URLError, KeyError, OSError) as e:
        print(f"FAIL {e}")
        return 1
    print(f"smoke passed against {a.url} in {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
