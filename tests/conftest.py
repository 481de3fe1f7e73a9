"""Shared fixtures: real article files in a temporary folder and a real on-disk index."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from index.embedded import segments
from index.pipeline.options import IngestOptions
from search.cli.app import app
from search.engine import open_engine

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(autouse=True, scope="session")
def whooshs_block_size() -> Iterator[None]:
    """Indexes written in this process keep Whoosh's 128 postings a block, as Byline wrote them
    before: a test's few hundred articles then have words whose postings take several blocks,
    which every reader of blocks must put together right. (A ``byline`` process a test starts
    writes Byline's own size, ``segments.BLOCK_POSTINGS``.)"""
    written = segments.BLOCK_POSTINGS
    segments.BLOCK_POSTINGS = 128
    yield
    segments.BLOCK_POSTINGS = written


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the cluster carry the ``cluster`` mark (``-m "not cluster"`` leaves them)."""
    for item in items:
        if "cluster_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(scope="session")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real 2-node OpenSearch cluster for the whole session, started by the first test that
    asks for it (``tests/cluster_fixture.py``): its base URL, ``http://127.0.0.1:PORT``."""
    from cluster_fixture import running_cluster

    # (runs into a cluster index keep their inputs ledger in the user's data folder: the
    # session's own, so tests never write the user's)
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("user-data")))
    with running_cluster(tmp_path_factory.mktemp("cluster")) as url:
        yield url
    patch.undo()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner) -> Callable[..., object]:
    """Run ``byline ARGS...`` in-process; returns Click's result (stdout and stderr apart)."""

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input)

    return run


def one_line_error(result, code: int, *needles: str) -> str:  # type: ignore[no-untyped-def]
    """Assert an ``invoke`` result is one ``Error:`` line on stderr with exit ``code``,
    no traceback, holding every needle; the line."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# A small archive with known answers: three sources, two authors on one article, a section,
# tags, dates across three years, and one undated article.
ARCHIVE = [
    {
        "id": "hill-1",
        "title": "Pentagon to begin talks with Russia over Syrian airspace",
        "body": "The Pentagon will open lines of communication with Russia to deconflict "
        "air operations in Syria, a spokesman said on Tuesday.",
        "source": "The Hill",
        "author": "Kristina Wong",
        "published": "2015-09-29",
        "section": "Defense",
        "tags": ["Pentagon", "Russia"],
        "url": "https://thehill.com/255317",
    },
    {
        "id": "meridian-1",
        "title": "Russian jets strike targets in Syria",
        "body": "Russian warplanes struck targets in Syria on Wednesday. Officials in Washington "
        "said the strikes did not hit Islamic State positions.",
        "source": "The Daily Meridian",
        "author": "By Ana Ruiz and Tom Becker",
        "published": "2015-10-01T16:30:00-04:00",
        "section": "World",
        "tags": ["Russia", "Syria"],
    },
    {
        "id": "ledger-1",
        "title": "Oil prices climb",
        "body": "Oil prices rose as traders weighed the conflict in Syria. Analysts expect "
        "prices to settle.",
        "source": "Harbor City Ledger",
        "author": "Priya Natarajan",
        "published": "2016-03-02T09:00:00Z",
        "section": "Business",
    },
    {
        "id": "ledger-2",
        "title": "Harbor festival draws record crowds",
        "body": "The summer festival on the harbor drew record crowds and clear skies.",
        "source": "harbor city ledger",
        "published": "2014-07-04",
        "section": "Local",
    },
    {
        "id": "undated-1",
        "title": "Syria talks resume in Geneva",
        "body": "Diplomats met again in Geneva to discuss a ceasefire in Syria.",
        "source": "The Daily Meridian",
    },
]


@pytest.fixture
def archive_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "archive.jsonl", ARCHIVE)


@pytest.fixture
def index_path(tmp_path: Path, archive_file: Path) -> Path:
    """A real index holding ``ARCHIVE``."""
    path = tmp_path / "index"
    report = open_engine(path).ingest([str(archive_file)], IngestOptions())
    assert report.added == len(ARCHIVE) and not report.failed
    return path


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target
