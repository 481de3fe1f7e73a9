"""SIGKILL a real ``byline index`` run at random moments: nothing committed is lost or torn.

After every kill the index opens, passes ``check``, holds exactly the articles of the batches
committed before the kill (a prefix of the input, whole batches, no duplicates, every article
intact), and running the same command again completes the job.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from index.embedded.store import open_index
from search.embedded.maintenance import check_index

ARTICLES, PER_FILE, BATCH, KILLS = 1_500, 100, 100, 20


def _corpus(folder: Path) -> list[dict]:
    folder.mkdir()
    rng = random.Random(7)
    words = "syria russia talks pentagon oil election court storm market vote".split()
    records = [
        {
            "id": f"a{n:05d}",
            "title": f"Story {n}",
            "body": " ".join(rng.choice(words) for _ in range(60)),
            "source": f"S{n % 5}",
        }
        for n in range(ARTICLES)
    ]
    for start in range(0, ARTICLES, PER_FILE):
        with (folder / f"part-{start:05d}.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r) + "\n" for r in records[start : start + PER_FILE])
    return records


def _command(corpus: Path, index: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "search",
        "index",
        str(corpus),
        "--index",
        str(index),
        "--batch-size",
        str(BATCH),
    ]


def _stored(index: Path) -> dict[str, dict]:
    with open_index(index).searcher() as searcher:
        return {fields["id"]: fields for fields in searcher.all_stored_fields()}


def test_sigkill_at_random_moments_loses_only_the_batch_in_flight(tmp_path: Path) -> None:
    records = _corpus(tmp_path / "corpus")
    by_id = {r["id"]: r for r in records}
    order = [r["id"] for r in records]

    started = time.monotonic()
    subprocess.run(
        _command(tmp_path / "corpus", tmp_path / "full"), check=True, capture_output=True
    )
    duration = time.monotonic() - started

    rng = random.Random(2026)
    outcomes = []
    for trial in range(KILLS):
        index = tmp_path / f"ix{trial}"
        process = subprocess.Popen(
            _command(tmp_path / "corpus", index),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if (index / "byline.json").exists() and any(index.glob("*.toc")):
            report = check_index(index)
            assert report.ok, report.problems
            stored = _stored(index)
            assert len(stored) % BATCH == 0
            assert sorted(stored) == order[: len(stored)]
            for article_id, fields in stored.items():
                assert fields["title"] == by_id[article_id]["title"]
                assert fields["body"] == by_id[article_id]["body"]
            outcomes.append(len(stored))
        else:
            outcomes.append(0)
        rerun = subprocess.run(
            _command(tmp_path / "corpus", index), capture_output=True, text=True, check=False
        )
        assert rerun.returncode == 0, rerun.stderr
        assert len(_stored(index)) == ARTICLES
        assert check_index(index).ok
    # The kills landed at different moments, including mid-run ones.
    assert len(set(outcomes)) > 2, outcomes
