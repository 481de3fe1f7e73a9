"""Errors that used to escape as tracebacks or wrong exit codes, each met as a user meets it:
an index with no segments, an index that cannot be written, Ctrl-C during indexing, a mistyped
path, binary data under a text name, a missing optional extra. Also the shapes users read
back: a headline-only article's snippet and the zone of every time in JSON."""

from __future__ import annotations

import io
import json
import os
import pty
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ARCHIVE, one_line_error, write_jsonl

from index.embedded.segments import PARALLEL_FROM

ROOT = Path(__file__).resolve().parent.parent


# --- An index with no segments ----------------------------------------------------------------


@pytest.fixture
def empty_index(invoke, tmp_path: Path) -> Path:
    """An index that a first ``byline index`` created and committed nothing to."""
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    index = tmp_path / "ix"
    assert invoke("index", str(empty), "--index", str(index)).exit_code == 0
    return index


def test_stats_of_an_index_with_no_segments_counts_nothing(invoke, empty_index: Path) -> None:
    result = invoke("stats", "--index", str(empty_index), "--json")
    assert result.exit_code == 0, result.stderr
    stats = json.loads(result.stdout)
    assert (stats["articles"], stats["sources"], stats["segments"]) == (0, 0, 0)
    assert stats["earliest"] is None and stats["top_sources"] == []
    text = invoke("stats", "--index", str(empty_index))
    assert text.exit_code == 0 and "Articles  0" in text.stdout


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["search", "russia"], 1, "has no articles"),
        (["show", "hill-1"], 1, "no article with id"),
        (["similar", "hill-1"], 1, "no article with id"),
    ],
)
def test_reading_an_index_with_no_segments_says_so(
    invoke, empty_index: Path, args: list[str], code: int, needle: str
) -> None:
    one_line_error(invoke(*args, "--index", str(empty_index)), code, needle)


def test_check_and_optimize_of_an_index_with_no_segments(invoke, empty_index: Path) -> None:
    assert invoke("check", "--index", str(empty_index)).exit_code == 0
    assert invoke("optimize", "--index", str(empty_index)).exit_code == 0


# --- An index that cannot be written ------------------------------------------------------------


@pytest.fixture
def read_only_index(index_path: Path) -> Iterator[Path]:
    """``index_path`` made unwritable: no file can be added to its folder or removed from it.
    As root, permissions do not bite, so the folder is made immutable (``chattr +i``)."""
    if os.geteuid() != 0:
        index_path.chmod(0o555)
        yield index_path
        index_path.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    done = subprocess.run([chattr or "chattr", "+i", str(index_path)], capture_output=True)
    if chattr is None or done.returncode != 0:
        pytest.skip(f"cannot make a folder immutable here (chattr: {done.stderr!r})")
    try:
        yield index_path
    finally:
        subprocess.run([chattr, "-i", str(index_path)], check=True)


def test_delete_on_an_unwritable_index_is_one_line(invoke, read_only_index: Path) -> None:
    index = str(read_only_index)
    result = invoke("delete", "--source", "The Hill", "--yes", "--index", index)
    one_line_error(result, 1, f"cannot write to the index at {index}", "nothing was deleted")
    assert json.loads(invoke("stats", "--index", index, "--json").stdout)["articles"] == len(
        ARCHIVE
    )


def test_optimize_on_an_unwritable_index_is_one_line(invoke, read_only_index: Path) -> None:
    index = str(read_only_index)
    result = invoke("optimize", "--index", index)
    one_line_error(result, 1, f"cannot write to the index at {index}", "the index is as it was")
    assert invoke("check", "--index", index).exit_code == 0


def test_index_on_an_unwritable_index_is_one_line_too(
    invoke, read_only_index: Path, archive_file: Path
) -> None:
    result = invoke("index", str(archive_file), "--force", "--index", str(read_only_index))
    one_line_error(result, 1, "cannot write to the index at", "the last commit is intact")


# --- Ctrl-C during indexing ---------------------------------------------------------------------

_WORDS = (
    "harbor council vote budget strike talks minister storm flood court ruling market shares "
    "oil prices election campaign senator governor school teachers union rail port airline"
).split()


def _many_articles(folder: Path, files: int, per_file: int) -> None:
    """Enough articles that a run takes several commits of ``PARALLEL_FROM`` (written by
    several processes) and Ctrl-C finds it in the middle."""
    rng = random.Random(23)
    folder.mkdir()
    for number in range(files):
        write_jsonl(
            folder / f"wire-{number}.jsonl",
            [
                {
                    "id": f"w{number}-{i}",
                    "title": " ".join(rng.choices(_WORDS, k=8)),
                    "body": " ".join(rng.choices(_WORDS, k=150)) + f" serial{number}x{i}",
                    "source": rng.choice(["Ledger", "Courier", "Meridian"]),
                }
                for i in range(per_file)
            ],
        )


def _read_until(master: int, done, timeout: float) -> bytes:
    """What the terminal shows, read until ``done(output)`` or the end of the output."""
    output, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline and not done(output):
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # (the terminal closed: every process of the run ended)
                break
            if not chunk:
                break
            output += chunk
    return output


def _screen_lines(output: bytes) -> list[str]:
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode("utf-8", "replace"))
    return [line.strip() for line in re.split(r"[\r\n]", text) if line.strip()]


# Batches written by several processes, and batches too small for them, written by this one.
@pytest.mark.parametrize("batch", [PARALLEL_FROM, PARALLEL_FROM // 2])
def test_ctrl_c_while_indexing_stops_quietly_keeping_what_was_committed(
    tmp_path: Path, batch: int
) -> None:
    folder, index = tmp_path / "wire", tmp_path / "index"
    _many_articles(folder, files=6, per_file=4 * PARALLEL_FROM)
    # The command in a terminal of its own, as a user runs it: the progress bar shows how many
    # articles are committed, and Ctrl-C goes to every process of the run.
    master, slave = pty.openpty()
    command = [sys.executable, "-m", "search", "index", str(folder), "--index", str(index)]
    run = subprocess.Popen(
        [*command, "--batch-size", str(batch)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        # A shell gives a foreground command Ctrl-C's default handling, even when this suite
        # was started in the background with SIGINT ignored (which children would inherit).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        env={**os.environ, "COLUMNS": "120"},
    )
    os.close(slave)
    try:
        committed = re.compile(rb"[1-9][\d,]* committed")
        shown = _read_until(master, committed.search, timeout=300)
        assert committed.search(shown), _screen_lines(shown)[-5:]
        os.killpg(run.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        shown += _read_until(master, lambda _: False, timeout=120)
        code = run.wait(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        os.close(master)
    lines = [line for line in _screen_lines(shown) if not line.startswith("Indexing")]
    assert code == 130, lines
    assert len(lines) == 1, lines  # no worker tracebacks, no misleading error
    said = re.fullmatch(
        r"Interrupted: ([\d,]+) articles of this run were committed to .+", lines[0]
    )
    assert said, lines
    reported = int(said[1].replace(",", ""))
    assert reported > 0 and reported % batch == 0
    # The index is whole and holds exactly what was reported.
    check = subprocess.run(
        [sys.executable, "-m", "search", "check", "--index", str(index), "--json"],
        capture_output=True,
        text=True,
    )
    assert json.loads(check.stdout)["ok"], check.stdout
    stats = subprocess.run(
        [sys.executable, "-m", "search", "stats", "--index", str(index), "--json"],
        capture_output=True,
        text=True,
    )
    assert json.loads(stats.stdout)["articles"] == reported


def test_an_interrupted_ingest_says_how_many_articles_it_committed(tmp_path: Path) -> None:
    from index.errors import Interrupted
    from index.pipeline.ingest import IngestProgress
    from index.pipeline.options import IngestOptions
    from search.engine import open_engine

    folder, index = tmp_path / "wire", tmp_path / "index"
    _many_articles(folder, files=2, per_file=3 * PARALLEL_FROM)

    def ctrl_c_once_committed(progress: IngestProgress) -> None:
        if progress.committed:
            raise KeyboardInterrupt

    options = IngestOptions(batch_size=PARALLEL_FROM)
    with pytest.raises(Interrupted) as caught:
        open_engine(index).ingest([str(folder)], options, ctrl_c_once_committed)
    assert caught.value.exit_code == 130
    said = re.fullmatch(r"([\d,]+) articles of this run were committed to .+", str(caught.value))
    assert said, str(caught.value)
    assert open_engine(index).stats().articles == int(said[1].replace(",", "")) > 0


# --- Inputs that cannot be read ----------------------------------------------------------------


def test_index_of_a_mistyped_path_exits_1_and_creates_nothing(invoke, tmp_path: Path) -> None:
    index = tmp_path / "new-index"
    result = invoke("index", str(tmp_path / "archvie.jsonl"), "--index", str(index))
    one_line_error(result, 1, "nothing to index", "archvie.jsonl: no such file or folder")
    assert not index.exists()


def test_a_mistyped_path_beside_a_good_one_is_a_partial_run(
    invoke, tmp_path: Path, archive_file: Path
) -> None:
    index = tmp_path / "index"
    result = invoke("index", str(archive_file), str(tmp_path / "nope"), "--index", str(index))
    assert result.exit_code == 3, result.stderr
    assert f"{len(ARCHIVE)} added" in result.stderr and "no such file or folder" in result.stderr


def test_a_binary_file_named_jsonl_is_one_failure(invoke, tmp_path: Path) -> None:
    rng = random.Random(495)
    binary = tmp_path / "photo.jsonl"
    binary.write_bytes(bytes(rng.randrange(256) for _ in range(200_000)))
    result = invoke("index", str(binary), "--index", str(tmp_path / "index"))
    assert result.exit_code == 3, result.stderr
    failed = [line for line in result.stderr.splitlines() if "failed:" in line]
    assert failed == [f"  failed: {binary}: binary data, not text in any known encoding"]


def test_a_binary_file_named_csv_is_one_failure(invoke, tmp_path: Path) -> None:
    binary = tmp_path / "dump.csv"
    binary.write_bytes(bytes(range(256)) * 400)
    result = invoke("index", str(binary), "--index", str(tmp_path / "index"))
    assert result.exit_code == 3, result.stderr
    assert result.stderr.count("failed:") == 1 and "binary data" in result.stderr


# --- A missing optional extra ------------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>Ferry service resumes after storm</title>
<meta name="author" content="Ana Ruiz"></head><body><article>
<h1>Ferry service resumes after storm</h1>
<p>Ferries to the islands ran again on Monday after the storm closed the harbor for three days,
the port authority said. Crews cleared debris from the main pier overnight.</p>
<p>Officials said the schedule would be back to normal by the weekend.</p>
</article></body></html>"""


def _warc(path: Path) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://courier.example/ferry",
                "response",
                payload=io.BytesIO(PAGE.encode()),
                http_headers=headers,
            )
        )
    return path


def _byline_without(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``byline ARGS`` in a Python where ``module`` cannot be imported, as if not installed."""
    run = (
        f"import runpy, sys; sys.modules[{module!r}] = None; sys.argv = ['byline', *sys.argv[1:]]; "
        "runpy.run_module('search', run_name='__main__')"
    )
    return subprocess.run(
        [sys.executable, "-c", run, *args], capture_output=True, text=True, cwd=ROOT
    )


def test_without_the_warc_extra_the_crawls_fail_and_the_rest_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "scrape"
    folder.mkdir()
    crawl = _warc(folder / "crawl.warc")
    (folder / "ferry.html").write_text(PAGE, encoding="utf-8")
    write_jsonl(folder / "wire.jsonl", [{"id": "w1", "title": "Oil rises", "body": "Oil rose."}])
    index = tmp_path / "index"
    done = _byline_without("warcio", "index", str(folder), "--index", str(index))
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "2 added" in done.stderr
    assert f"failed: {crawl}: reading WARC files needs warcio: pip install 'byline[warc]'" in (
        done.stderr
    )
    found = _byline_without("warcio", "search", "ferry", "--index", str(index), "--json")
    assert json.loads(found.stdout)["total"] == 1


def test_html_pages_are_read_by_the_default_install() -> None:
    """trafilatura is a dependency of Byline itself, not of an extra."""
    from importlib.metadata import requires

    default = [r for r in requires("byline") or [] if "extra ==" not in r]
    assert any(r.startswith("trafilatura") for r in default), default
    assert not any(r.startswith("warcio") for r in default), default


# --- What users read back ----------------------------------------------------------------------

HEADLINES = [
    {"id": "h1", "title": "Verizon buys AOL for $4.4 billion", "source": "Wire"},
    {
        "id": "b1",
        "title": "Carriers report",
        "body": "Verizon and AT&T reported results on Tuesday.",
        "source": "Ledger",
        "published": "2015-05-12T14:30:00-04:00",
    },
    {"id": "d1", "title": "Verizon day", "body": "A dated one.", "published": "2015-05-11"},
]


@pytest.fixture
def headline_index(tmp_path: Path) -> Path:
    from search.engine import open_engine

    path = tmp_path / "index"
    assert open_engine(path).ingest([str(write_jsonl(tmp_path / "h.jsonl", HEADLINES))]).added == 3
    return path


def test_a_headline_only_article_shows_its_headline_highlighted(
    invoke, runner, headline_index: Path
) -> None:
    from search.cli.app import app

    result = invoke("search", "verizon buys", "--index", str(headline_index), "--json")
    [hit] = json.loads(result.stdout)["hits"]
    assert hit["snippet"] == "<mark>Verizon</mark> <mark>buys</mark> AOL for $4.4 billion"
    shown = runner.invoke(
        app, ["search", "aol", "--index", str(headline_index)], env={"FORCE_COLOR": "1"}
    )
    assert "\x1b[1;33mAOL\x1b[0m for $4.4 billion" in shown.stdout, shown.stdout


# An ISO 8601 time of day (after a T) not followed by a zone.
_ZONELESS = re.compile(r"T\d\d:\d\d(:\d\d(\.\d+)?)?(?![\d.:]|Z|[+-]\d\d:?\d\d)")


def _times(value) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _times(item)
    elif isinstance(value, list):
        for item in value:
            yield from _times(item)
    elif isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d", value):
        yield value


def test_every_time_in_json_output_carries_its_zone(invoke, headline_index: Path) -> None:
    index = ["--index", str(headline_index), "--json"]
    outputs = [
        json.loads(invoke(*args, *index).stdout)
        for args in (["stats"], ["search", "verizon"], ["show", "b1"], ["similar", "b1"])
    ]
    times = [time for output in outputs for time in _times(output)]
    assert "2015-05-12T18:30:00+00:00" in times and "2015-05-11" in times  # a date stays one
    assert [t for t in times if "T" in t and _ZONELESS.search(t)] == []
    stats = outputs[0]
    assert (stats["earliest"], stats["latest"]) == (
        "2015-05-11T00:00:00+00:00",
        "2015-05-12T18:30:00+00:00",
    )
