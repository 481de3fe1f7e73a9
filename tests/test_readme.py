"""Every ``byline`` command shown in the README runs and succeeds, on the bundled seeds."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _commands(block_after: str) -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    block = text[text.index(block_after) :].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        for part in re.split(r"\s*&&\s*", line):
            part = part.split(" | ")[0]
            words = shlex.split(part, comments=True)
            if words and words[0] == "byline":
                commands.append(words[1:])
    return commands


def test_first_command_indexes_seeds_and_shows_hit_and_facets(
    invoke, seeds_copy, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(seeds_copy.parent)
    index_cmd, search_cmd = _commands("**Try it on the bundled sample articles**")
    assert index_cmd[:2] == ["index", "seeds"]
    indexed = invoke(*index_cmd)
    assert indexed.exit_code == 0, indexed.stderr
    found = invoke(*search_cmd)
    assert found.exit_code == 0, found.stderr
    assert "Pentagon to begin talks with Russia over Syrian airspace" in found.stdout
    assert "Source: Harbor City Ledger (2)  The Hill (1)" in found.stdout


def test_tour_commands_all_work(invoke, seeds_copy, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(seeds_copy.parent)
    monkeypatch.setenv("BYLINE_INDEX", str(tmp_path / "tour-index"))
    commands = _commands("## A short tour")
    assert len(commands) == 10
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert result.stdout or result.stderr
