"""Foreseeable mistakes give one line on stderr and a non-zero exit code, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import one_line_error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.embedded.schema import SCHEMA_VERSION
from index.embedded.store import META_FILE
from index.errors import BylineError
from search.embedded.searching import search
from search.results import SearchRequest


def test_missing_index_says_how_to_build_one(invoke, tmp_path: Path) -> None:
    result = invoke("search", "x", "--index", str(tmp_path / "none"))
    one_line_error(result, 1, "no index at", "byline index PATH")


def test_empty_index_says_how_to_fill_it(invoke, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    index = str(tmp_path / "ix")
    assert invoke("index", str(empty), "--index", index).exit_code == 0
    one_line_error(invoke("search", "x", "--index", index), 1, "has no articles")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["nosuchfield:x"], "unknown field 'nosuchfield'"),
        (["published:2015-02-30"], "impossible date"),
        (["published:someday"], "is not YYYY"),
        (["x", "--since", "7x"], "is not YYYY"),
        (["published:>30d@latest"], "only --since/--until"),
        (["x", "--since", "2015-13"], "impossible date"),
        (["x", "--since", "last week"], "is not YYYY"),
        (["x", "--since", "2016", "--until", "2015"], "is after"),
        (["x", "--sort", "popular"], "unknown sort"),
        (["x", "--facet", "colour"], "unknown facet"),
        (["x", "--limit", "0"], "--limit"),
        (["x", "--page", "0"], "--page"),
    ],
)
def test_bad_queries_and_options(invoke, index_path: Path, args: list[str], needle: str) -> None:
    one_line_error(invoke("search", *args, "--index", str(index_path)), 2, needle)


def test_unknown_article_id(invoke, index_path: Path) -> None:
    one_line_error(invoke("show", "nope", "--index", str(index_path)), 1, "no article with id")


def test_index_of_another_schema_version(invoke, index_path: Path) -> None:
    (index_path / META_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    one_line_error(
        invoke("search", "x", "--index", str(index_path)),
        1,
        f"schema version {SCHEMA_VERSION + 1}",
        "rebuild",
    )


def test_bad_field_mapping_is_a_usage_error(invoke, archive_file: Path, tmp_path: Path) -> None:
    result = invoke("index", str(archive_file), "--field", "colour=x", "--index", str(tmp_path))
    one_line_error(result, 2, "unknown article field 'colour'")


def test_unknown_format_is_a_usage_error(invoke, archive_file: Path, tmp_path: Path) -> None:
    result = invoke("index", str(archive_file), "--format", "docx", "--index", str(tmp_path))
    one_line_error(result, 2, "unknown format 'docx'")


def test_partial_failure_exit_code_and_summary(invoke, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"title": "ok", "body": "b"}\n{oops\n', encoding="utf-8")
    result = invoke("index", str(path), "--index", str(tmp_path / "ix"))
    assert result.exit_code == 3
    assert "1 added, 0 replaced, 0 skipped, 1 failed" in result.stderr
    assert f"failed: {path}:2: invalid JSON" in result.stderr
    assert result.stdout == ""


def test_the_installed_command_reports_errors_without_traceback(tmp_path: Path) -> None:
    """The real console script, as a user runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "search", "search", "x", "--index", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: no index at")
    assert "Traceback" not in done.stderr


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
    | st.lists(
        st.sampled_from(
            [
                '"',
                "(",
                ")",
                "AND",
                "OR",
                "NOT",
                "title:",
                "published:",
                "[",
                "]",
                "TO",
                "*",
                "?",
                "~",
                "^2",
                "-",
                "+",
                "syria",
                "russia",
                "2015",
                ">",
                "<",
                "{",
                "}",
                ":",
                "'",
                "\\",
                "author:",
                "source:",
                "tag:",
                "x~3",
                "/",
                "2015-02",
                " ",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_any_query_string_gives_results_or_our_own_error(index_path: Path, text: str) -> None:
    try:
        result = search(index_path, SearchRequest(text, facets=("source", "year")))
    except BylineError:
        return
    assert result.total >= len(result.hits)


def test_queries_that_would_expand_to_too_many_words_are_refused(invoke, tmp_path: Path) -> None:
    words = " ".join(f"a{n:04d}" for n in range(1_200))
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "w", "title": "Words", "body": words}) + "\n")
    index = str(tmp_path / "ix")
    invoke("index", str(path), "--index", index)
    one_line_error(invoke("search", "a*", "--index", index), 2, "more than 1,000 different words")
    assert invoke("search", "a0*", "--index", index).exit_code == 0  # exactly 1,000 words
    assert invoke("search", "a00*", "--index", index).exit_code == 0  # 100 words: fine
    assert invoke("search", "*", "--index", index).exit_code == 0
    one_line_error(invoke("search", "a0001~3", "--index", index), 2, "at most 2")


def test_a_query_past_its_time_limit_stops_with_a_message(invoke, tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(5_000):
            out.write(json.dumps({"id": str(n), "title": f"t{n}", "body": "common word"}) + "\n")
    index = str(tmp_path / "ix")
    invoke("index", str(path), "--index", index)
    one_line_error(
        invoke("search", "common", "--index", index, "--timeout", "0.000001"),
        1,
        "ran longer than",
        "--timeout",
    )
    assert invoke("search", "common", "--index", index, "--timeout", "30").exit_code == 0
    one_line_error(
        invoke("search", "common", "--index", index, "--timeout", "0"), 2, "--timeout must be"
    )
