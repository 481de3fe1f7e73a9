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


def test_evaluation_commands_work_on_a_small_smart_collection(invoke, tmp_path, monkeypatch):
    """The README's eval example, on a three-document collection under Cranfield's file names."""
    from test_evaluate import SMART_DOCS

    monkeypatch.chdir(tmp_path)
    (tmp_path / "cran.all.1400").write_text(SMART_DOCS, encoding="utf-8")
    (tmp_path / "cran.qry").write_text(".I 001\n.W\nheat conduction in slabs ?\n", encoding="utf-8")
    (tmp_path / "cranqrel").write_text("1 1 1\n1 3 3\n", encoding="utf-8")
    commands = _commands("## Evaluation and ranking")
    assert [args[0] for args in commands] == ["index", "eval"]
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.stderr)
    assert "1 judged queries" in result.stdout
    assert (tmp_path / "cran.run").read_text(encoding="utf-8").startswith("1 Q0 1 1 ")


def test_upkeep_commands_work_on_the_seeds(invoke, seeds_copy, tmp_path, monkeypatch) -> None:
    """The README's check, optimize and delete examples, on an index of the bundled seeds."""
    monkeypatch.chdir(seeds_copy.parent)
    monkeypatch.setenv("BYLINE_INDEX", str(tmp_path / "upkeep-index"))
    assert invoke("index", "seeds").exit_code == 0
    commands = _commands("## Looking after an index")
    assert [args[0] for args in commands] == ["check", "optimize", "delete", "delete"]
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert "Nothing to delete" not in result.stderr, args
    assert invoke("show", "harbor-ledger-2015-10-05-markets").exit_code == 1
    assert invoke("check").exit_code == 0


def test_cluster_commands_work_on_a_real_cluster(
    invoke, seeds_copy, cluster_url, monkeypatch
) -> None:
    """The Clusters section's commands, on the tests' cluster (which the fixture starts as
    ``byline cluster up`` does) rather than one of their own."""
    from cluster_fixture import index_url

    monkeypatch.chdir(seeds_copy.parent)
    index = index_url(cluster_url, "readme")
    monkeypatch.setenv("BYLINE_INDEX", index)
    commands = [words for words in _commands("## Clusters") if words[0] != "cluster"]
    assert commands[0][:2] == ["index", "seeds"]
    for words in commands:
        words = [index if word.startswith("opensearch://") else word for word in words]
        done = invoke(*words)
        assert done.exit_code == 0, (words, done.stderr)
    found = invoke("search", "russia syria", "--json")
    assert "Pentagon to begin talks with Russia over Syrian airspace" in found.stdout
