"""The JSON the README documents stays byte for byte what it was, on the bundled seeds.

Each command's stdout is compared with a file recorded from main's code without this branch's
engine interface (``tests/json_contracts/``). Only what legitimately varies from run to run is
normalised: the index folder's path and its size on disk, and where the seeds are. To record
them again after a deliberate change to a contract, run this file with
``BYLINE_RECORD_CONTRACTS=1`` and read the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli.app import app

EXPECTED = Path(__file__).resolve().parent / "json_contracts"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
STORY = "harbor-ledger-2015-10-02-talks"
COMMANDS = {
    "search-syria": ["search", "syria", "--json"],
    "search-syria-talks": ["search", "syria talks", "--json"],
    "search-any": ["search", "syria talks", "--any", "--json"],
    "search-syntax-filters": [
        "search",
        '"airspace" AND NOT oil',
        "--source",
        "The Hill",
        "--since",
        "2015-09",
        "--json",
    ],
    "search-facets-newest-page-2": [
        "search",
        "syria",
        "--facet",
        "author",
        "--facet",
        "year",
        "--sort",
        "newest",
        "--limit",
        "2",
        "--page",
        "2",
        "--json",
    ],
    "search-no-collapse": ["search", "russia", "--no-collapse", "--json"],
    "show": ["show", STORY, "--json"],
    "similar": ["similar", STORY, "--json"],
    "stats": ["stats", "--json"],
    "check": ["check", "--json"],
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("contracts") / "index"
    result = CliRunner().invoke(app, ["index", str(SEEDS), "--index", str(index)])
    assert result.exit_code == 0, result.stderr
    return index


def _normalised(stdout: str, index: Path) -> str:
    text = stdout.replace(json.dumps(str(index))[1:-1], "<INDEX>")
    text = text.replace(json.dumps(str(SEEDS))[1:-1], "<SEEDS>")  # (articles' origins)
    return re.sub(r'"size_bytes": \d+', '"size_bytes": "<SIZE>"', text)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_output_is_as_recorded(invoke, seeded: Path, name: str) -> None:
    result = invoke(*COMMANDS[name], "--index", str(seeded))
    assert result.exit_code == 0, result.stderr
    produced = _normalised(result.stdout, seeded)
    expected = EXPECTED / f"{name}.json"
    if os.environ.get("BYLINE_RECORD_CONTRACTS") == "1":
        expected.write_text(produced, encoding="utf-8")
    assert produced == expected.read_text(encoding="utf-8")
