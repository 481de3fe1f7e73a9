"""The seeds demo from the README works end to end."""

from pathlib import Path


def test_seed_demo_indexes_and_finds_the_hill(invoke, seeds_copy: Path, tmp_path: Path) -> None:
    index = str(tmp_path / "demo-index")
    indexed = invoke("index", str(seeds_copy), "--index", index)
    assert indexed.exit_code == 0, indexed.stderr
    assert "0 failed" in indexed.stderr

    found = invoke("search", "pentagon airspace", "--index", index)
    assert found.exit_code == 0, found.stderr
    assert "Pentagon to begin talks with Russia over Syrian airspace" in found.stdout
    assert "Source: The Hill (1)" in found.stdout
