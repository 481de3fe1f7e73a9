"""``byline cluster up`` and ``down``: real OpenSearch nodes started from the ``cluster/``
launcher and stopped again, and the one-line errors when they cannot start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.request import urlopen

import pytest
from cluster_fixture import free_port, require_tools
from conftest import one_line_error

from search.opensearch import local_cluster


def test_cluster_up_starts_a_node_in_the_background_and_down_stops_it(tmp_path: Path) -> None:
    require_tools()
    port = free_port(1)
    data = tmp_path / "cluster"

    def byline(*args: str) -> subprocess.CompletedProcess[str]:
        command = [str(Path(sys.executable).with_name("byline")), "cluster", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=300)

    up = byline("up", "--nodes", "1", "--port", str(port), "--data", str(data))
    assert up.returncode == 0, up.stderr
    assert up.stdout == f"http://127.0.0.1:{port}\n"
    assert f"--index opensearch://127.0.0.1:{port}/news" in up.stderr
    # (`byline cluster up` has exited: the node runs on without it)
    with urlopen(f"http://127.0.0.1:{port}/_cluster/health") as answer:
        assert json.load(answer)["number_of_nodes"] == 1
    [node] = local_cluster.running_nodes(data)

    down = byline("down", "--data", str(data))
    assert down.returncode == 0, down.stderr
    assert "Stopped 1 node(s)" in down.stderr
    assert not Path(f"/proc/{node.pid}").exists() and local_cluster.port_is_free(port)
    assert node.log.read_text().rstrip().endswith("closed")  # (a clean stop, not a kill)
    again = byline("down", "--data", str(data))
    assert again.returncode == 0 and "No local cluster is running" in again.stderr


def test_cluster_up_on_a_taken_port_says_which(invoke, cluster_url: str, tmp_path: Path) -> None:
    port = cluster_url.rsplit(":", 1)[1]
    done = invoke("cluster", "up", "--port", port, "--data", str(tmp_path))
    one_line_error(done, 1, f"port {port} on 127.0.0.1 is taken", "--port")
    assert not (tmp_path / local_cluster.STATE_FILE).exists()


def test_a_node_that_cannot_start_is_named_with_its_log(invoke, tmp_path: Path) -> None:
    require_tools()
    port = str(free_port(1))
    done = invoke("cluster", "up", "--nodes", "1", "--port", port, "--heap", "lots",
                  "--data", str(tmp_path))  # fmt: skip
    line = one_line_error(done, 1, "node-1 did not start", "heap size")
    assert str(tmp_path / "node-1" / "node.out") in line
    assert not (tmp_path / local_cluster.STATE_FILE).exists()


def test_without_java_cluster_up_says_what_to_install(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # (no java there, nor mvn)
    done = invoke("cluster", "up", "--data", str(tmp_path))
    one_line_error(done, 1, "apt-get install default-jdk-headless maven")


def test_cluster_up_needs_a_node(invoke, tmp_path: Path) -> None:
    done = invoke("cluster", "up", "--nodes", "0", "--data", str(tmp_path))
    assert done.exit_code == 2 and "Traceback" not in done.stderr
