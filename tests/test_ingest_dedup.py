"""Duplicates and syndication: exact copies kept and grouped (left out only on request), wire
copies grouped into stories, collapsed in search results, and listed first by ``byline similar``."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from pathlib import Path

import pytest
from conftest import write_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st

from index import stories as dedup
from index.article import Article
from index.embedded.segments import PARALLEL_FROM
from index.pipeline.ingest import ingest
from index.pipeline.options import IngestOptions
from index.stories import fingerprint, minhash, normalised_words, resemblance, shingles

WIRE = (
    "WASHINGTON (Reuters) - The Pentagon will open talks with Russia on Wednesday to avoid "
    "accidents between their air forces over Syria, where Moscow has begun air strikes in "
    "support of President Bashar al-Assad, U.S. officials said on Tuesday.\n\n"
    "The talks, to be held by video conference, will be led on the U.S. side by Elissa "
    "Slotkin, a senior Pentagon official, the officials said. Defense Secretary Ash Carter "
    "said the United States was prepared to hold the talks as soon as possible to ensure the "
    "safety of coalition pilots flying missions against Islamic State militants.\n\n"
    "Russia has deployed warplanes, tanks and troops to an air base near the coastal city of "
    "Latakia in recent weeks, raising concern in Washington about the risk of an accidental "
    "clash. Carter said the talks would be limited to the safety of air operations and would "
    "not signal any cooperation with Moscow on the war itself.\n\n"
    "Officials said the two militaries had not yet agreed on rules for communicating in the "
    "air, and that further rounds of talks were likely in the coming weeks."
)
# The same wire copy as another outlet runs it: its own headline and dateline, an American
# spelling or two changed, a word swapped, and the last paragraph trimmed.
REPUBLISHED = (
    WIRE.replace("WASHINGTON (Reuters) - ", "")
    .replace("on Wednesday", "this week")
    .replace("U.S. officials said on Tuesday", "officials said Tuesday")
    .rsplit("\n\n", 1)[0]
)
UNRELATED_SAME_TOPIC = (
    "Russian warplanes struck targets in Syria for a second day on Thursday, and Moscow said it "
    "had hit Islamic State positions, a claim disputed by Western officials who said rebel "
    "groups opposed to President Bashar al-Assad had been struck instead. The strikes around "
    "Hama and Homs killed civilians, activists said, while the Kremlin said the campaign would "
    "last three to four months and that it had informed Washington an hour in advance."
)
OTHER_TOPIC = (
    "Oil prices rose on Wednesday as traders weighed a drop in U.S. crude inventories against "
    "signs of slowing demand in China, the world's second-largest oil consumer. Brent crude "
    "futures gained 62 cents to settle at $48.85 a barrel."
)

RECORDS = [
    {"id": "reuters-1", "title": "Pentagon to open talks with Russia over Syria air safety",
     "body": WIRE, "source": "Reuters", "date": "2015-09-29"},
    {"id": "hill-1", "title": "Pentagon to begin talks with Russia over Syrian airspace",
     "body": REPUBLISHED, "source": "The Hill", "date": "2015-09-29"},
    {"id": "yahoo-1", "title": "Pentagon to open talks with Russia over Syria air safety",
     "body": WIRE, "source": "Yahoo News", "url": "https://news.yahoo.com/pentagon-russia"},
    {"id": "meridian-1", "title": "Russian jets strike Syria for second day",
     "body": UNRELATED_SAME_TOPIC, "source": "The Daily Meridian"},
    {"id": "ledger-1", "title": "Oil prices rise", "body": OTHER_TOPIC, "source": "Ledger"},
]  # fmt: skip


VOCABULARY = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ro") for b in range(40)]


def _stories(index: Path) -> dict[str, str]:
    from whoosh.index import open_dir

    with open_dir(str(index)).searcher() as searcher:
        return {doc["id"]: doc["story"] for doc in searcher.all_stored_fields()}


def _index_records(tmp_path: Path, records: list[dict], **options) -> tuple[Path, object]:
    path = write_jsonl(tmp_path / f"wire-{len(list(tmp_path.iterdir()))}.jsonl", records)
    index = tmp_path / "index"
    return index, ingest([str(path)], index, IngestOptions(**options))


def test_exact_copies_are_kept_grouped_and_listed(tmp_path: Path, invoke) -> None:
    path = write_jsonl(tmp_path / "wire.jsonl", RECORDS)
    index = str(tmp_path / "index")
    result = invoke("index", str(path), "--index", index, "--json", "--verbose")
    assert result.exit_code == 0, result.stderr
    assert "5 added" in result.stderr and "1 exact copy grouped" in result.stderr
    assert "copy: yahoo-1 repeats reuters-1" in result.stderr
    summary = json.loads(result.stdout)
    assert set(summary) == {
        "index", "inputs", "committed", "added", "replaced", "unchanged_inputs", "copies",
        "copies_dropped", "skipped", "warnings", "failed",
    }  # fmt: skip
    assert (summary["added"], summary["copies_dropped"]) == (5, 0)
    assert summary["copies"] == [{"id": "yahoo-1", "copy_of": "reuters-1"}]
    shown = invoke("show", "yahoo-1", "--index", index, "--json")
    assert json.loads(shown.stdout)["source"] == "Yahoo News"
    stories = _stories(tmp_path / "index")
    assert stories["yahoo-1"] == stories["reuters-1"] == stories["hill-1"]
    # The old flag still works, and says what is now the default.
    kept = invoke("index", str(path), "--index", str(tmp_path / "old"), "--keep-duplicates")
    assert "5 added" in kept.stderr and "1 exact copy grouped" in kept.stderr


def test_dropping_exact_copies_is_opt_in(tmp_path: Path, invoke) -> None:
    path = write_jsonl(tmp_path / "wire.jsonl", RECORDS)
    index = str(tmp_path / "index")
    result = invoke("index", str(path), "--index", index, "--drop-copies", "--json")
    assert result.exit_code == 0, result.stderr
    assert "4 added" in result.stderr and "1 exact copies left out" in result.stderr
    assert json.loads(result.stdout)["copies_dropped"] == 1
    assert invoke("show", "yahoo-1", "--index", index).exit_code == 1


def test_reindexing_the_same_articles_replaces_them(tmp_path: Path) -> None:
    _, first = _index_records(tmp_path, RECORDS)
    _, again = _index_records(tmp_path, RECORDS)
    assert (first.added, len(first.copies)) == (5, 1)
    # Read again, each of the pair has a twin in the index already: both are named as copies.
    assert (again.added, again.replaced, len(again.copies)) == (0, 5, 2)
    stories = _stories(tmp_path / "index")
    assert stories["yahoo-1"] == stories["reuters-1"]


def test_the_same_headline_from_two_publishers_is_two_articles_in_one_story(
    tmp_path: Path, invoke
) -> None:
    """Two publishers' copies of one headline (ids 52 and 491 of the UCI data) are each a data
    point: both are indexed, found, and collapse into one hit."""
    path = tmp_path / "headlines.csv"
    path.write_text(
        "ID,TITLE,URL,PUBLISHER\n"
        "52,EBay rejects Icahn slate of directors,http://www.news-sentinel.com/a,News Sentinel\n"
        "491,EBay rejects Icahn slate of directors,http://www.appeal-democrat.com/b,"
        "Appeal-Democrat\n",
        encoding="utf-8",
    )
    index = str(tmp_path / "index")
    assert invoke("index", str(path), "--index", index).exit_code == 0
    shown = invoke("show", "491", "--index", index, "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["source"] == "Appeal-Democrat"
    found = json.loads(invoke("search", "icahn", "--index", index, "--json").stdout)
    assert found["total"] == 2 and len(found["hits"]) == 1
    assert len(found["hits"][0]["similar"]) == 1


def test_wire_copies_share_a_story_and_others_do_not(tmp_path: Path) -> None:
    index, _ = _index_records(tmp_path, RECORDS, batch_size=1)
    stories = _stories(index)
    assert stories["reuters-1"] == stories["hill-1"]
    assert len({stories["reuters-1"], stories["meridian-1"], stories["ledger-1"]}) == 3


def test_stories_are_found_across_runs(tmp_path: Path) -> None:
    index, _ = _index_records(tmp_path, RECORDS[:1])
    _index_records(tmp_path, RECORDS[1:2] + RECORDS[3:])
    stories = _stories(index)
    assert stories["hill-1"] == stories["reuters-1"] != stories["meridian-1"]


def test_a_template_repeated_many_times_is_one_story_found_among_few_candidates(
    tmp_path: Path, monkeypatch
) -> None:
    """A market report repeated with other figures is one story, and each new copy is
    compared with a bounded number of earlier ones, not with all of them (which made a run
    of templated articles take time growing with the square of their number)."""
    compared: list[int] = []

    def counting(first, second) -> float:  # type: ignore[no-untyped-def]
        compared[-1] += 1
        return resemblance(first, second)

    judge = dedup.StoryGrouper.judge

    def judging(self, article, found=None):  # type: ignore[no-untyped-def]
        compared.append(0)
        return judge(self, article, found)

    monkeypatch.setattr(dedup, "resemblance", counting)
    monkeypatch.setattr(dedup.StoryGrouper, "judge", judging)
    copies = dedup.BANDS * dedup.BAND_CANDIDATES + 50
    template = (
        "Shares of the utility rose {} percent in early trading on Tuesday after the company "
        "raised its forecast for the year, citing strong demand from industrial customers in "
        "the north of the country and lower fuel costs, analysts at the bank said in a note."
    )
    records = [
        {"id": f"report-{n}", "title": "Utility shares rise", "body": template.format(n)}
        for n in range(copies)
    ]
    index, report = _index_records(tmp_path, records)
    assert report.added == copies
    assert len(set(_stories(index).values())) == 1
    assert max(compared) <= dedup.BANDS * dedup.BAND_CANDIDATES


def test_search_collapses_each_story_to_its_best_hit(tmp_path: Path, invoke) -> None:
    index, _ = _index_records(tmp_path, RECORDS)
    collapsed = invoke("search", "pentagon russia syria", "--index", str(index), "--json")
    data = json.loads(collapsed.stdout)
    assert data["total"] == 3  # the total counts every match; the page shows stories
    assert [hit["id"] for hit in data["hits"]] == ["reuters-1"]
    assert data["hits"][0]["similar"] == [
        {"id": "hill-1", "source": "The Hill"},
        {"id": "yahoo-1", "source": "Yahoo News"},
    ]
    text = invoke("search", "pentagon russia syria", "--index", str(index))
    assert "+2 similar from: The Hill, Yahoo News" in text.stdout
    everything = invoke(
        "search", "pentagon russia syria", "--index", str(index), "--json", "--no-collapse"
    )
    hits = json.loads(everything.stdout)["hits"]
    assert sorted(hit["id"] for hit in hits) == ["hill-1", "reuters-1", "yahoo-1"]
    assert all(hit["similar"] == [] for hit in hits)


def test_similar_lists_same_story_first_then_related(tmp_path: Path, invoke) -> None:
    index, _ = _index_records(tmp_path, RECORDS)
    result = invoke("similar", "hill-1", "--index", str(index), "--json")
    assert result.exit_code == 0, result.stderr
    similar = json.loads(result.stdout)["similar"]
    assert [(s["id"], s["same_story"]) for s in similar[:3]] == [
        ("reuters-1", True),
        ("yahoo-1", True),
        ("meridian-1", False),
    ]
    text = invoke("similar", "hill-1", "--index", str(index))
    assert "(same story)" in text.stdout
    missing = invoke("similar", "nope", "--index", str(index))
    assert missing.exit_code == 1 and "no article with id 'nope'" in missing.stderr


def test_dropped_copies_of_articles_in_batches_still_being_written_are_left_out(
    tmp_path: Path,
) -> None:
    # Batches big enough for two processes: each is written while the next is read, so an
    # article's original may still be on its way into the index when its copy is judged.
    size, rng = PARALLEL_FROM, random.Random(5)
    records = [
        {"id": f"a{n}", "title": f"Dispatch {n}", "body": " ".join(rng.choices(VOCABULARY, k=12))}
        for n in range(3 * size)
    ]
    for copy, original in ((size + 7, 7), (2 * size + 5, size + 5)):
        records[copy] = records[original] | {"id": f"copy-{original}"}
    index, report = _index_records(tmp_path, records, batch_size=size, procs=2, drop_copies=True)
    assert (report.added, report.duplicates) == (3 * size - 2, 2)
    assert not {"copy-7", f"copy-{size + 5}"} & set(_stories(index))


def test_short_bodies_are_told_apart_by_their_headlines() -> None:
    first = Article("Fire at the harbor warehouse", "This story will be updated.")
    second = Article("Mayor resigns", "This story will be updated.")
    assert fingerprint(first).body_hash != fingerprint(second).body_hash
    again = Article("Fire at the harbor warehouse", "This story  will be updated!")
    assert fingerprint(first).body_hash == fingerprint(again).body_hash


def test_typography_does_not_hide_a_duplicate() -> None:
    plain = Article("T", "He said \"it's over\" - and left the room at 5 o'clock today.")
    curly = Article(
        "T", "He said \u201cit\u2019s over\u201d \u2014 and left the room at 5 o\u2019clock today."
    )
    assert fingerprint(plain).body_hash == fingerprint(curly).body_hash
    assert normalised_words("\ufb01nancial  Caf\u00e9") == ["financial", "café"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="abcdefgh ", min_size=1, max_size=12), min_size=1, max_size=40))
def test_resemblance_of_a_text_with_itself_is_one(words: list[str]) -> None:
    article = Article("", " ".join(words))
    first, second = fingerprint(article), fingerprint(Article("", " ".join(words)))
    assert resemblance(first.signature, second.signature) == 1.0
    assert first.bands == second.bands


def test_a_copy_of_a_deleted_article_is_indexed(tmp_path: Path, invoke) -> None:
    index, _ = _index_records(tmp_path, RECORDS[:1])
    deleted = invoke("delete", "reuters-1", "--index", str(index), "--yes")
    assert deleted.exit_code == 0, deleted.stderr
    _, report = _index_records(tmp_path, RECORDS[2:3], drop_copies=True)  # the same text
    assert (report.added, report.duplicates) == (1, 0)


def test_signatures_are_those_earlier_runs_stored() -> None:
    # Signatures are kept beside the index across runs, so a new way of computing them must
    # give the same ones: these are digests of those Byline computed at 2df5dad.
    words = normalised_words(WIRE)
    digests = [
        hashlib.sha1(minhash(shingles(some)).tobytes()).hexdigest()[:16]
        for some in (words, words[:3], words[:9])
    ]
    assert digests == ["32a97d2ec385e68b", "4f8aa5ae069fc40c", "7d381e716994876f"]


def test_signatures_of_new_tables_are_those_stored_since_word_hashing() -> None:
    # As above, for the signatures tables made since 2026-11-27 hold (the words' hashes mixed).
    words = normalised_words(WIRE)
    digests = [
        hashlib.sha1(dedup.word_minhash(some).tobytes()).hexdigest()[:16]
        for some in (words, words[:3], words[:2])
    ]
    assert digests == ["30fda20806423999", "974db20af8dc4537", "15c299f4ad53fbf3"]


def _hashing(index: Path) -> int:
    with sqlite3.connect(index / dedup.STORY_TABLE) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


def test_a_table_of_signatures_made_the_first_way_goes_on_that_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:  # the table as Byline made it before word hashing
        patched.setattr(dedup, "WORD_HASHING", dedup.SHINGLE_HASHING)
        index, _ = _index_records(tmp_path, RECORDS[:1])
    assert _hashing(index) == dedup.SHINGLE_HASHING
    _, report = _index_records(tmp_path, RECORDS[1:2])  # the republished copy, in a later run
    assert report.added == 1
    assert _stories(index)["hill-1"] == _stories(index)["reuters-1"]
    assert _hashing(index) == dedup.SHINGLE_HASHING
    (tmp_path / "fresh").mkdir()
    fresh, _ = _index_records(tmp_path / "fresh", RECORDS[:2])
    assert _hashing(fresh) == dedup.WORD_HASHING
    assert _stories(fresh)["hill-1"] == _stories(fresh)["reuters-1"]
