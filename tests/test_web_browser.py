"""The search page in a real browser: Debian's headless Chromium, driven by Playwright, against
``byline serve`` running for real over an on-disk index."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
from conftest import write_jsonl
from serving import byline_serve

from index.pipeline.options import IngestOptions
from search.engine import open_engine

CHROMIUM = Path("/usr/bin/chromium")
# Without these, Chromium reaches for Google's hosts at start (this machine's network is closed).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Skipped on a machine without Chromium, except in CI (CI=true), where .ci/run installs it:
# a missing install step there must fail, not skip.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's chromium (apt-get install chromium)",
)

SOURCES = ["Wire Service", "The Hill", "Harbor City Ledger"]
WORDS = "ferry cargo council budget school river storm court tariff bridge museum drought".split()
# (Random words: articles that are not near-copies, so each is its own story.)
VOCABULARY = [f"{a}{b}" for a in ("ta", "ke", "mo", "ri", "su", "no") for b in "bdgklmnprs"]
ARTICLES = [
    {
        "id": f"harbor-{n}",
        "title": f"Harbor {WORDS[n % len(WORDS)]} story {n}",
        "body": " ".join(random.Random(n).choices(VOCABULARY, k=40)) + f" at the harbor, {n}.",
        "source": SOURCES[n % 3] if n < 21 else "Wire Service",
        "author": ["Kim Lee", "Sam Ortiz"][n % 2],
        "published": f"20{14 + n % 4}-0{1 + n % 9}-1{n % 10}",
        "section": ["World", "Local"][n % 2],
    }
    for n in range(24)
]
FLAG = "window.__pwned"
HOSTILE_TITLE = f'<script>{FLAG}=1</script><img src=x onerror="{FLAG}=2"> Hostile \u202eheadline'
HOSTILE = [
    {
        "id": "hostile-1",
        "title": HOSTILE_TITLE,
        "body": f"hostile text </mark><script>{FLAG}=3</script><b onclick=x>bold</b> end",
        "source": "<i>Evil</i> Press",
        "url": f"javascript:{FLAG}=4",
        "tags": [f"<script>{FLAG}=5</script>"],
        "rights": "<a href='javascript:void(0)'>rights</a>",
    },
    {
        "id": "hostile-2",
        "title": "Hostile data link",
        "body": "hostile",
        "url": "data:text/html,<script>alert(1)</script>",
    },
    {"id": "hostile-3", "title": "hostile colossal " + "x" * 1_000_000, "body": "hostile big"},
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    records = write_jsonl(folder / "articles.jsonl", ARTICLES + HOSTILE)
    assert open_engine(folder / "index").ingest([str(records)], IngestOptions()).added == 27
    with byline_serve(folder / "index", folder / "serve.log") as (url, _):
        yield url


@pytest.fixture
def page(site, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            tmp_path / "profile",  # (a fresh user-data-dir)
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1200, "height": 900},
        )
        page = browser.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        yield page
        browser.close()


def _total(page) -> int:
    return int(page.locator(".total strong").inner_text().replace(",", ""))


def _facet(page, name: str) -> dict[str, int]:
    items = page.locator(f'.facet[data-facet="{name}"] li')
    return {
        items.nth(i).locator(".value").inner_text(): int(
            items.nth(i).locator(".count").inner_text()
        )
        for i in range(items.count())
    }


def _charted(page) -> int:
    """The matches the attention-over-time chart counts (its table's column), once its bars
    are drawn."""
    assert page.locator(".timeline svg").bounding_box()["height"] > 40
    assert page.locator(".timeline rect.bar").count() > 1
    counts = page.locator(".timeline tbody td:nth-child(2)").all_text_contents()
    return sum(int(count.replace(",", "")) for count in counts)


def test_search_filter_by_clicking_page_and_read(page, site) -> None:
    page.goto(site)
    page.fill('input[name="q"]', "harbor")
    page.press('input[name="q"]', "Enter")
    page.wait_for_url(re.compile(r"q=harbor"))
    assert _total(page) == 24
    assert _facet(page, "source") == {"Wire Service": 10, "Harbor City Ledger": 7, "The Hill": 7}
    authors_before = _facet(page, "author")
    assert _charted(page) == 24  # (every match is dated)

    page.click('.facet[data-facet="source"] a:has-text("The Hill")')
    page.wait_for_url(re.compile(r"source=The\+Hill"))
    assert _total(page) == 7
    assert page.locator(".chips").inner_text().startswith("Source: The Hill")
    # The other sources are still offered, with the counts choosing them would add.
    assert _facet(page, "source") == {"Wire Service": 10, "Harbor City Ledger": 7, "The Hill": 7}
    assert _facet(page, "author") != authors_before  # the other facets follow the filter
    assert set(page.locator(".hit .source").all_inner_texts()) == {"The Hill"}
    assert _charted(page) == 7

    page.click('.facet[data-facet="source"] a:has-text("Harbor City Ledger")')
    page.wait_for_url(re.compile(r"source=Harbor"))
    assert _total(page) == 14  # several values of one facet: either
    page.click('.chips a:has-text("The Hill")')
    page.wait_for_url(lambda url: "The+Hill" not in url)
    assert _total(page) == 7
    page.click('.chips a:has-text("Harbor City Ledger")')
    page.wait_for_url(lambda url: "source=" not in url)
    assert _total(page) == 24

    first_page = page.locator(".hit h3").all_inner_texts()
    page.click('a[rel="next"]')
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("ol.hits").get_attribute("start") == "11"
    second_page = page.locator(".hit h3").all_inner_texts()
    assert len(second_page) == 10 and not set(first_page) & set(second_page)

    title = second_page[0]
    page.click(".hit h3 a >> nth=0")
    page.wait_for_url(re.compile(r"/articles/"))
    assert page.locator("h1").inner_text() == title
    assert "at the harbor" in page.locator(".body").inner_text()
    page.go_back()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator(".hit h3").all_inner_texts() == second_page
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_hostile_article_is_shown_as_text_and_its_script_never_runs(page, site) -> None:
    page.goto(site + "?q=hostile")
    assert _total(page) == 3
    titles = page.locator(".hit h3").all_inner_texts()
    assert any(t.startswith("<script>window.__pwned=1</script><img src=x onerror=") for t in titles)
    assert any("</mark><script>" in s for s in page.locator(".snippet").all_inner_texts())
    assert any(len(t) <= 301 and "colossal" in t for t in titles)  # a 1 MB title, shortened
    assert "\u202e" not in page.content()  # bidi overrides cannot turn text around
    assert page.locator("script").count() == 1  # (only the page's own, from /static/)
    assert page.locator("[onerror], [onclick]").count() == 0

    page.click('.hit h3 a[href="/articles/hostile-1"]')
    page.wait_for_url(re.compile(r"/articles/hostile-1"))
    assert page.locator("h1").inner_text().startswith("<script>")
    assert page.locator('a[href^="javascript:"]').count() == 0  # its URL is shown, not linked
    assert f"javascript:{FLAG}=4" in page.locator(".details").inner_text()
    assert "<a href=" in page.locator(".rights").inner_text()
    page.goto(site + "articles/hostile-2")
    assert page.locator('a[href^="data:"]').count() == 0
    assert page.evaluate(FLAG) is None
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_page_works_at_phone_width(page, site) -> None:
    page.set_viewport_size({"width": 380, "height": 800})
    page.goto(site + "?q=harbor")
    assert page.evaluate("document.documentElement.scrollWidth") <= 380
    hits = page.locator(".results").bounding_box()
    facets = page.locator(".facets").bounding_box()
    assert hits["y"] < facets["y"]  # the hits first, the facets below them
