"""Coverage analysis against independent counts: every timeline bucket, source count and export
row checked against a brute-force count over the fixture's stored articles and the matches
``byline search`` lists; and the commands' bad input."""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import one_line_error, write_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.enrich.dates import parse_bound
from index.errors import InvalidDate
from index.pipeline.options import IngestOptions
from search.analysis.export import export
from search.analysis.lineage import lineage
from search.analysis.periods import INTERVALS
from search.analysis.sources import top_sources
from search.analysis.terms import significant_terms
from search.analysis.timeline import timeline
from search.engine import open_engine
from search.query import Filters
from search.relative_dates import resolve_bounds
from search.results import SearchRequest

SOURCES = ["Wire Daily", "The Courier", "harbor post", "Harbor Post", "Valley Times"]
WORDS = "river bridge council budget storm harvest festival election school vaccine".split()
FILLER = "the city plan road water park market bank team court port price rail".split()


def _records() -> list[dict]:
    """A small archive with known answers: 2014-2015, five sources (two differing by case),
    times in several zones (UTC days differ from local days), some undated articles, and wire
    stories republished with small edits by other sources (one story, several copies)."""
    rng = random.Random(25)
    records = []
    start = datetime(2014, 1, 1, tzinfo=UTC)
    for number in range(140):
        words = rng.sample(WORDS, 2) + rng.choices(FILLER, k=40) + [f"unique{number}"]
        rng.shuffle(words)
        moment = start + timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
        record = {
            "id": f"a{number}",
            "title": " ".join(rng.sample(WORDS, 1) + rng.choices(FILLER, k=4)),
            "body": " ".join(words),
            "source": rng.choice(SOURCES),
        }
        if number % 13:  # every 13th article has no date
            zone = rng.choice(["Z", "-05:00", "+09:00"])
            local = moment.astimezone(
                UTC if zone == "Z" else datetime.fromisoformat(f"2000-01-01T00:00{zone}").tzinfo
            )
            record["published"] = local.replace(tzinfo=None).isoformat() + zone
        records.append(record)
        if number % 10 == 0 and "published" in record:  # a wire story: copies hours to days later
            for copy in range(1, 3 + number % 3):
                later = moment + timedelta(hours=7 * copy)
                body = record["body"].replace(words[0], "edited", 1)
                records.append(
                    {
                        "id": f"a{number}-copy{copy}",
                        "title": f"{record['title']} {FILLER[copy]}",
                        "body": body + f" copy{copy}",
                        "source": SOURCES[(SOURCES.index(record["source"]) + copy) % 5],
                        "published": later.isoformat(),
                    }
                )
    return records


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("coverage")
    records = write_jsonl(folder / "archive.jsonl", _records())
    open_engine(folder / "index").ingest([str(records)], IngestOptions())
    return folder / "index"


@pytest.fixture(scope="module")
def stored(archive: Path) -> dict[str, dict]:
    """Every stored article's date (UTC day), source and story, read one by one."""
    engine = open_engine(archive)
    return {
        match.article.id: {
            "day": _utc_day(match.article.published),
            "source": match.article.source,
            "story": match.story,
        }
        for match in engine.matches(SearchRequest(facets=(), sort="oldest"))
    }


def _utc_day(published: datetime | date | None) -> date | None:
    if published is None:
        return None
    return published.astimezone(UTC).date() if isinstance(published, datetime) else published


def _search_ids(index: Path, query: str, filters: Filters) -> list[str]:
    """The ids ``byline search`` lists for a query (every page), without collapsing."""
    engine, ids, page = open_engine(index), [], 1
    while True:
        request = SearchRequest(query, filters, facets=(), limit=1000, page=page, rerank=False)
        result = engine.search(request)
        ids += [hit.article.id for hit in result.hits]
        if len(ids) >= result.total:
            return ids
        page += 1


def _brute_force(stored: dict, ids: list[str], interval: str, stories: bool) -> Counter[date]:
    """Matches per period, counting each story once at its earliest matching day if asked."""
    dated = [(stored[i]["day"], stored[i]["story"] or i) for i in ids if stored[i]["day"]]
    if stories:
        first: dict[str, date] = {}
        for day, story in dated:
            first[story] = min(day, first.get(story, day))
        days = list(first.values())
    else:
        days = [day for day, _ in dated]
    return Counter(_start(day, interval) for day in days)


def _start(day: date, interval: str) -> date:
    """The period's first day, worked out apart from ``search.analysis.periods``."""
    if interval == "week":
        year, week, _ = day.isocalendar()
        return date.fromisocalendar(year, week, 1)
    return {"day": day, "month": date(day.year, day.month, 1), "year": date(day.year, 1, 1)}[
        interval
    ]


def _check_identities(
    index: Path, stored: dict, query: str, filters: Filters, interval: str, count: str
) -> None:
    engine = open_engine(index)
    result = timeline(engine, [query], filters, interval, count)
    [series] = result.series
    ids = _search_ids(index, query, filters)
    everything = _search_ids(index, "", filters)
    stories = count == "stories"
    expected = _brute_force(stored, ids, interval, stories)
    expected_all = _brute_force(stored, everything, interval, stories)
    got = {b.start: b.count for b in series.buckets if b.count}
    assert got == dict(expected)
    assert {b.start: b.all for b in series.buckets if b.all} == dict(expected_all)
    for bucket in series.buckets:
        assert bucket.share == (round(bucket.count / bucket.all, 4) if bucket.all else 0.0)
    starts = [b.start for b in series.buckets]
    assert starts == sorted(set(starts))  # every period once, in order, none missing:
    assert all(_start(day, interval) == day for day in starts)
    if not stories:
        assert series.total + series.undated == len(ids)  # == byline search's total
        per_story = timeline(engine, [query], filters, interval, "stories").series[0]
        for article, story in zip(series.buckets, per_story.buckets, strict=True):
            assert story.count <= article.count
    rows = io.StringIO()
    written = export(engine, SearchRequest(query, filters, facets=()), rows, "csv", ("id",))
    exported = [row[0] for row in csv.reader(io.StringIO(rows.getvalue()))][1:]
    assert written == len(exported) == len(set(exported)) == len(ids)
    assert set(exported) == set(ids)


@pytest.mark.parametrize("interval", INTERVALS)
@pytest.mark.parametrize("count", ["articles", "stories"])
def test_every_bucket_equals_a_brute_force_count(
    archive: Path, stored: dict, interval: str, count: str
) -> None:
    for query in ["river", "storm OR vaccine", ""]:
        _check_identities(archive, stored, query, Filters(), interval, count)


def test_the_fixture_has_stories_of_several_copies(stored: dict) -> None:
    sizes = Counter(article["story"] for article in stored.values())
    assert max(sizes.values()) >= 3


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(st.sampled_from([*WORDS, "nosuchword"]), min_size=0, max_size=2),
    operator=st.sampled_from([" ", " OR "]),
    sources=st.lists(st.sampled_from(SOURCES), max_size=2),
    since=st.one_of(st.none(), st.dates(date(2013, 6, 1), date(2016, 1, 1))),
    length=st.integers(0, 400),
    interval=st.sampled_from(INTERVALS),
    count=st.sampled_from(["articles", "stories"]),
)
def test_timeline_identities_hold_for_any_query_and_filters(
    archive: Path,
    stored: dict,
    words: list[str],
    operator: str,
    sources: list[str],
    since: date | None,
    length: int,
    interval: str,
    count: str,
) -> None:
    until = since + timedelta(days=length) if since else None
    filters = Filters(
        sources=sources,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
    )
    _check_identities(archive, stored, operator.join(words), filters, interval, count)


def test_split_by_source_gives_the_top_sources_own_series(archive: Path, stored: dict) -> None:
    result = timeline(open_engine(archive), ["river"], interval="year", split="source", top=2)
    ids = _search_ids(archive, "river", Filters())
    by_source = Counter(stored[i]["source"].casefold() for i in ids)
    assert [s.source.casefold() for s in result.series] == [s for s, _ in by_source.most_common(2)]
    for series in result.series:
        assert series.total + series.undated == by_source[series.source.casefold()]
        own = _search_ids(archive, "", Filters(sources=[series.source]))
        expected = _brute_force(stored, own, "year", stories=False)
        assert {b.start: b.all for b in series.buckets if b.all} == dict(expected)


def test_sources_count_and_share_of_own_output(archive: Path, stored: dict) -> None:
    result = top_sources(open_engine(archive), "storm", top=10)
    ids = _search_ids(archive, "storm", Filters())
    assert result.matches == len(ids)
    counts = Counter(stored[i]["source"].casefold() for i in ids)
    assert {s.source.casefold(): s.count for s in result.sources} == dict(counts)
    days = [stored[i]["day"] for i in ids if stored[i]["day"]]
    assert (result.since, result.until) == (min(days), max(days))
    for share in result.sources:
        key = share.source.casefold()
        output = [
            a
            for a in stored.values()
            if a["source"].casefold() == key
            and a["day"]
            and result.since <= a["day"] <= result.until
        ]
        dated = [i for i in ids if stored[i]["source"].casefold() == key and stored[i]["day"]]
        assert share.output == len(output)
        assert share.output_share == round(len(dated) / len(output), 4)
        assert share.share == round(share.count / len(ids), 4)
        assert share.first.date() == min(stored[i]["day"] for i in dated)


def test_export_by_story_gives_one_row_per_story_with_its_copies(
    archive: Path, stored: dict
) -> None:
    rows = io.StringIO()
    request = SearchRequest("river", facets=(), sort="oldest")
    export(open_engine(archive), request, rows, "jsonl", ("id", "story"), stories=True)
    lines = [json.loads(line) for line in rows.getvalue().splitlines()]
    ids = _search_ids(archive, "river", Filters())
    assert sum(line["copies"] for line in lines) == len(ids)
    assert len({line["story"] for line in lines}) == len(lines)
    assert Counter(stored[i]["story"] for i in ids) == {
        row["story"]: row["copies"] for row in lines
    }


def test_export_of_thousands_keeps_every_article_whole_and_in_order(tmp_path: Path) -> None:
    # Several segments and many chunks of the export's read-ahead, each article its own words.
    count, start = 2_500, datetime(2014, 1, 1, tzinfo=UTC)
    order = random.Random(7).sample(range(count), count)  # dates in another order than ids
    records = [
        {
            "id": f"n{number}",
            "title": f"lighthouse report {number}",
            "body": f"lighthouse news {number} "
            + " ".join(random.Random(number).choices(FILLER, k=30)),
            "source": SOURCES[number % len(SOURCES)],
            "published": (start + timedelta(hours=order[number])).isoformat(),
        }
        for number in range(count)
    ]
    engine = open_engine(tmp_path / "index")
    engine.ingest(
        [str(write_jsonl(tmp_path / "many.jsonl", records))], IngestOptions(batch_size=400)
    )
    rows = io.StringIO()
    request = SearchRequest("lighthouse", facets=(), sort="oldest")
    written = export(engine, request, rows, "jsonl", ("id", "title", "body", "published"))
    lines = [json.loads(line) for line in rows.getvalue().splitlines()]
    expected = sorted(records, key=lambda record: record["published"])
    assert written == len(lines) == count
    assert [line["id"] for line in lines] == [record["id"] for record in expected]
    assert [(line["title"], line["body"]) for line in lines] == [
        (record["title"], record["body"]) for record in expected
    ]


def test_export_csv_round_trips_awkward_text(tmp_path: Path, invoke) -> None:
    awkward = 'Quotes "inside", commas; ünïcödé'
    paragraphs = "Alpha words in a first paragraph.\n\nA second one, with a comma."
    records = [
        {"id": "x1", "title": awkward, "body": paragraphs, "published": "2015-01-02"},
        {"id": "x2", "title": "Plain", "body": "alpha again", "published": "2015-01-03"},
    ]
    write_jsonl(tmp_path / "a.jsonl", records)
    index = str(tmp_path / "ix")
    assert invoke("index", str(tmp_path / "a.jsonl"), "--index", index).exit_code == 0
    out = tmp_path / "out.csv"
    args = ["--format", "csv", "--fields", "id,title,body", "--sort", "oldest", "-o", str(out)]
    result = invoke("export", "alpha", "--index", index, *args)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    body = open_engine(tmp_path / "ix").article("x1").body
    assert "\n" in body
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["id", "title", "body"], ["x1", awkward, body], ["x2", "Plain", "alpha again"]]


def test_export_gives_the_domain_origin_and_other_fields(tmp_path: Path, invoke) -> None:
    """``extra`` (a record's fields that map to no article field) is an object in JSON lines
    and one JSON object per CSV cell, which a program reads back whole."""
    records = [
        {
            "id": "x1",
            "title": "Alpha",
            "body": "alpha",
            "url": "https://www.chicagotribune.com/news/1",
            "desk": 'Metro "east", 2',
            "wordcount": "41",
        },
        {"id": "x2", "title": "Plain", "body": "alpha again"},
    ]
    source = write_jsonl(tmp_path / "a.jsonl", records)
    index = ["--index", str(tmp_path / "ix")]
    assert invoke("index", str(source), *index).exit_code == 0
    fields = ["--fields", "id,domain,origin,extra", "--sort", "oldest"]
    lines = invoke("export", "alpha", *fields, *index).stdout.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["domain"] == "chicagotribune.com" and first["origin"].endswith("a.jsonl:1")
    assert first["extra"] == {"desk": 'Metro "east", 2', "wordcount": "41"}
    assert second["domain"] is None and second["extra"] == {}
    table = invoke("export", "alpha", "--format", "csv", *fields, *index).stdout
    rows = list(csv.DictReader(io.StringIO(table.removeprefix("\ufeff"))))
    assert [row["id"] for row in rows] == ["x1", "x2"]
    assert json.loads(rows[0]["extra"]) == first["extra"] and json.loads(rows[1]["extra"]) == {}
    assert rows[0]["domain"] == "chicagotribune.com" and rows[1]["domain"] == ""
    assert rows[0]["origin"] == first["origin"]


def test_terms_count_syndicated_copies_once(tmp_path: Path) -> None:
    """A word repeated by six copies of one wire story scores below a word used by three
    separate stories; counts are stories, and the whole match set is read when small."""
    body = "zeppelin landing crowd watched the airship come down at the field near town"
    records = [
        {"id": f"wire{i}", "title": f"Airship wirecopy lands {i}", "body": body, "source": f"S{i}"}
        for i in range(6)
    ] + [
        {"id": f"own{i}", "title": f"Airship ownword story {i}", "body": f"{i} " * 5 + "zeppelin"}
        for i in range(3)
    ]
    records += [
        {"id": f"bg{i}", "title": f"Market report {i}", "body": "stocks"} for i in range(30)
    ]
    write_jsonl(tmp_path / "a.jsonl", records)
    open_engine(tmp_path / "ix").ingest([str(tmp_path / "a.jsonl")], IngestOptions())
    result = significant_terms(open_engine(tmp_path / "ix"), "airship", top=50)
    terms = {term.term: term for term in result.terms}
    assert result.matches == 9 and result.sampled == result.stories < 9
    assert "airship" not in terms  # the query's own words say nothing new
    assert terms["ownword"].count == 3
    assert terms.get("wirecopy") is None or terms["wirecopy"].count == 1
    sampled = significant_terms(open_engine(tmp_path / "ix"), "airship", sample=2)
    assert sampled.sampled == 2


def test_lineage_lists_every_copy_after_the_first(archive: Path, stored: dict) -> None:
    story = Counter(a["story"] for a in stored.values()).most_common(1)[0][0]
    members = [i for i, a in stored.items() if a["story"] == story]
    found = lineage(open_engine(archive), members[-1])
    assert sorted(copy.article.id for copy in found.copies) == sorted(members)
    assert found.copies[0].delay == timedelta(0) and found.first.id == found.copies[0].article.id
    delays = [copy.delay for copy in found.copies]
    assert delays == sorted(delays) and delays[-1] > timedelta(0)
    assert found.sources == len({stored[i]["source"].casefold() for i in members})


def test_relative_bounds_count_back_from_today_or_the_newest_article(archive: Path) -> None:
    today = date(2026, 3, 31)
    assert parse_bound("7d", end=False, today=today) == datetime(2026, 3, 24)
    assert parse_bound("2w", end=True, today=today) == datetime(2026, 3, 17, 23, 59, 59, 999999)
    assert parse_bound("1m", end=False, today=today) == datetime(2026, 2, 28)
    assert parse_bound("1y", end=False, today=date(2024, 2, 29)) == datetime(2023, 2, 28)
    assert parse_bound("yesterday", end=False, today=today) == datetime(2026, 3, 30)
    assert parse_bound("TODAY", end=False, today=today) == datetime(2026, 3, 31)
    with pytest.raises(InvalidDate):
        parse_bound("7 days", end=False)
    engine = open_engine(archive)
    newest = engine.stats().latest.date()
    resolved = resolve_bounds(engine, Filters(since="30d@latest", until="today@latest"))
    assert resolved.since == (newest - timedelta(days=30)).isoformat()
    assert resolved.until == newest.isoformat()


def test_commands_print_json_csv_and_a_chart_within_80_columns(archive: Path, invoke) -> None:
    index = ["--index", str(archive)]
    chart = invoke("timeline", "river", "storm", "--by", "month", *index)
    assert chart.exit_code == 0, chart.output
    assert max(map(len, chart.stdout.splitlines())) <= 80
    long = invoke("timeline", "river", "--by", "day", *index)
    assert long.exit_code == 0 and max(map(len, long.stdout.splitlines())) <= 80
    data = json.loads(invoke("timeline", "river", "--json", *index).stdout)
    assert data["interval"] == "week" and data["interval_chosen"]  # under two years: weeks
    assert set(data["series"][0]["buckets"][0]) == {"start", "count", "all", "share"}
    rows = list(csv.reader(io.StringIO(invoke("timeline", "river", "--csv", *index).stdout)))
    assert rows[0] == ["query", "source", "start", "count", "all", "share"]
    assert len(rows) - 1 == len(data["series"][0]["buckets"])
    terms = json.loads(invoke("terms", "river", "--json", "--top", "5", *index).stdout)
    assert set(terms) >= {"query", "matches", "sampled", "terms"} and len(terms["terms"]) <= 5
    sources = json.loads(invoke("sources", "river", "--json", *index).stdout)
    assert sum(s["count"] for s in sources["sources"]) == sources["matches"]
    lines = invoke("export", "river", "--fields", "id,published", *index).stdout.splitlines()
    assert len(lines) == sources["matches"]
    some_id = json.loads(lines[0])["id"]
    story = json.loads(invoke("story", some_id, "--json", *index).stdout)
    assert some_id in {copy["id"] for copy in story["copies"]}


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_writes_a_chart_file(archive: Path, invoke, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"chart{suffix}"
    result = invoke("timeline", "river", "storm", "--plot", str(target), "--index", str(archive))
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["timeline", "river", "--by", "hour"], "unknown interval"),
        (["timeline", "river", "--count", "words"], "unknown count"),
        (["timeline", "river", "--split", "source", "--top", "0"], "--top"),
        (["terms", "river", "--top", "0"], "--top"),
        (["terms", "river", "--field", "url"], "unknown field"),
        (["sources", "river", "--top", "0"], "--top"),
        (["export", "river", "--format", "xml"], "unknown format"),
        (["export", "river", "--fields", "id,colour"], "unknown field 'colour'"),
        (["export", "river", "--sort", "popular"], "unknown sort"),
        (["timeline", "river", "--since", "7 days"], "counted back"),
        (["export", "river", "--until", "3q"], "counted back"),
        (["timeline", "river", "--plot", "chart.gif"], ".png"),
        (["sources", "river", "--json", "--csv"], "one of --json and --csv"),
    ],
)
def test_bad_input_is_a_one_line_usage_error(
    archive: Path, invoke, args: list[str], needle: str
) -> None:
    one_line_error(invoke(*args, "--index", str(archive)), 2, needle)


def test_no_match_is_a_zero_series(archive: Path, invoke) -> None:
    result = invoke("timeline", "nosuchword", "--json", "--index", str(archive))
    assert result.exit_code == 0
    [series] = json.loads(result.stdout)["series"]
    assert series["total"] == 0 and series["buckets"]
    assert all(bucket["count"] == 0 for bucket in series["buckets"])


def test_an_archive_without_dates_says_so(tmp_path: Path, invoke) -> None:
    write_jsonl(tmp_path / "a.jsonl", [{"id": "u", "title": "Undated", "body": "no date here"}])
    index = str(tmp_path / "ix")
    assert invoke("index", str(tmp_path / "a.jsonl"), "--index", index).exit_code == 0
    one_line_error(invoke("timeline", "date", "--index", index), 1, "no dated article")


def test_a_relative_range_before_an_old_archive_says_how_to_count_back(
    archive: Path, invoke
) -> None:
    for command in ("timeline", "search", "sources", "terms"):
        result = invoke(command, "river", "--since", "30d", "--index", str(archive))
        assert result.exit_code == 0, result.output
        assert "no article at all" in result.stderr and "30d@latest" in result.stderr
    result = invoke("search", "river", "--since", "1y@latest", "--json", "--index", str(archive))
    assert json.loads(result.stdout)["total"] > 0 and not result.stderr


def test_readme_coverage_commands_all_work(invoke, seeds_copy, tmp_path, monkeypatch) -> None:
    from test_readme import _commands

    monkeypatch.chdir(seeds_copy.parent)
    monkeypatch.setenv("BYLINE_INDEX", str(tmp_path / "readme-index"))
    commands = _commands("## Coverage analysis")
    assert [args[0] for args in commands][:2] == ["index", "timeline"] and len(commands) == 10
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert result.stdout or result.stderr
    with (seeds_copy.parent / "syria.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == 1 + 5


def test_deleted_articles_are_not_counted(index_path: Path, invoke) -> None:
    index = ["--index", str(index_path)]
    assert invoke("delete", "hill-1", "meridian-1", "--yes", *index).exit_code == 0
    engine = open_engine(index_path)
    result = timeline(engine, ["", "syria"], interval="year")
    everything, syria = result.series
    assert [(b.start.year, b.count) for b in everything.buckets] == [
        (2014, 1),
        (2015, 0),
        (2016, 1),
    ]
    assert everything.undated == 1 and syria.total + syria.undated == 2
    assert {s.source for s in top_sources(engine, "").sources} == {
        "Harbor City Ledger",
        "The Daily Meridian",
    }
    rows = io.StringIO()
    assert export(engine, SearchRequest(facets=()), rows, "jsonl", ("id",)) == 3


def test_delete_takes_relative_and_latest_dates(index_path: Path, invoke) -> None:
    index = ["--index", str(index_path)]
    # The fixture's newest article is of 2016-03-02: a month back from it holds only that one.
    assert invoke("delete", "--since", "1m@latest", "--yes", *index).exit_code == 0
    assert invoke("show", "ledger-1", *index).exit_code == 1
    assert open_engine(index_path).stats().articles == 4
    nothing = invoke("delete", "--until", "20y", "--query", "syria", "--yes", *index)
    assert "Nothing to delete" in nothing.stderr  # nothing 20 years before 2026
    assert invoke("delete", "--until", "2015", "--query", "syria", "--yes", *index).exit_code == 0
    assert open_engine(index_path).stats().articles == 2  # hill-1 and meridian-1 of 2015 went
    mixed = invoke("delete", "hill-1", "--since", "7d", "--yes", *index)
    assert mixed.exit_code == 2 and "--since/--until narrow a --query" in mixed.stderr


def test_coverage_commands_take_the_domain_filter(index_path: Path, invoke) -> None:
    index = ["--index", str(index_path)]
    sources = json.loads(invoke("sources", "", "--domain", "thehill.com", "--json", *index).stdout)
    assert [s["source"] for s in sources["sources"]] == ["The Hill"]
    lines = invoke("export", "", "--domain", "thehill.com", *index).stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["hill-1"]
