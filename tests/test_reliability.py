"""check, optimize, unsafe index files, and hostile text kept away from the terminal."""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
from pathlib import Path

import pytest
from conftest import write_jsonl


def test_check_reports_a_healthy_index(invoke, index_path: Path) -> None:
    result = invoke("check", "--index", str(index_path), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert (data["articles"], data["sampled"], data["problems"]) == (5, 5, [])


def test_check_finds_damage_and_changes_nothing(invoke, index_path: Path) -> None:
    segment = next(p for p in index_path.iterdir() if p.suffix == ".seg")
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    before = sorted((p.name, p.stat().st_size) for p in index_path.iterdir())
    result = invoke("check", "--index", str(index_path))
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert sorted((p.name, p.stat().st_size) for p in index_path.iterdir()) == before


def test_optimize_merges_segments_and_keeps_results(invoke, tmp_path: Path) -> None:
    records = [
        {"id": str(n % 30), "title": f"title {n}", "body": "common words"} for n in range(90)
    ]
    path = write_jsonl(tmp_path / "a.jsonl", records)
    index = str(tmp_path / "ix")
    invoke("index", str(path), "--index", index, "--batch-size", "7")
    before = json.loads(
        invoke("search", "common", "--index", index, "--json", "--limit", "50").stdout
    )
    stats = json.loads(invoke("stats", "--index", index, "--json").stdout)
    assert stats["segments"] > 1
    merged = invoke("optimize", "--index", index)
    assert merged.exit_code == 0 and "into 1" in merged.stderr
    after = json.loads(
        invoke("search", "common", "--index", index, "--json", "--limit", "50").stdout
    )
    assert after["total"] == before["total"] == 30
    assert {h["id"] for h in after["hits"]} == {h["id"] for h in before["hits"]}
    assert json.loads(invoke("check", "--index", index, "--json").stdout)["segments"] == 1


def test_index_writable_by_others_is_refused(invoke, index_path: Path, monkeypatch) -> None:
    target = index_path / "byline.json"
    os.chmod(target, 0o666)
    refused = invoke("search", "syria", "--index", str(index_path))
    assert refused.exit_code == 1
    assert "writable by other users" in refused.stderr and "chmod -R o-w" in refused.stderr
    monkeypatch.setenv("BYLINE_TRUST_INDEX", "1")
    assert invoke("search", "syria", "--index", str(index_path)).exit_code == 0


def test_escape_sequences_never_reach_the_terminal(invoke, tmp_path: Path) -> None:
    hostile = "\x1b]0;pwned\x07\x1b[2J\x1b[31mRed\x1b[0m \u202eevil\u202c"
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {
                "id": "h",
                "title": f"Title {hostile}",
                "body": f"Body {hostile} syria",
                "source": f"Src {hostile}",
                "author": f"Ann {hostile}",
                "tags": [hostile],
            },
        ],
    )
    index = str(tmp_path / "ix")
    assert invoke("index", str(path), "--index", index).exit_code == 0
    for args in (
        ["search", "syria", "--facet", "author", "--facet", "tag"],
        ["show", "h"],
        ["stats"],
    ):
        out = invoke(*args, "--index", index).stdout
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, args
    data = json.loads(invoke("search", "syria", "--index", index, "--json").stdout)
    assert "\x1b" not in json.dumps(data, ensure_ascii=False)
    assert data["hits"][0]["title"].startswith("Title")


@pytest.fixture
def small_disk(tmp_path: Path):
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "--lazy", str(mount)], check=False)


def test_a_full_disk_gives_a_clear_error_and_keeps_the_last_commit(
    invoke, tmp_path: Path, small_disk: Path
) -> None:
    first = write_jsonl(
        tmp_path / "first.jsonl",
        [{"id": f"f{n}", "title": f"first {n}", "body": "small body"} for n in range(20)],
    )
    index = str(small_disk / "ix")
    assert invoke("index", str(first), "--index", index).exit_code == 0
    rng = random.Random(1)
    big = write_jsonl(
        tmp_path / "big.jsonl",
        [
            {
                "id": f"b{n}",
                "title": f"big {n}",
                "body": " ".join(
                    "".join(rng.choices(string.ascii_lowercase, k=8)) for _ in range(400)
                ),
            }
            for n in range(400)
        ],
    )
    full = invoke("index", str(big), "--index", index, "--batch-size", "1000")
    assert full.exit_code == 1
    assert full.stderr.startswith("Error: cannot write to the index at")
    assert "the last commit is intact" in full.stderr
    assert len(full.stderr.strip().splitlines()) == 1
    after = json.loads(invoke("search", "", "--index", index, "--json").stdout)
    assert after["total"] == 20
    assert json.loads(invoke("check", "--index", index, "--json").stdout)["ok"] is True
