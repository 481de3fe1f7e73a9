"""A local OpenSearch cluster on this machine, for trying Byline at scale and for the tests.

The nodes are the ``cluster/`` launcher of Byline's source checkout (OpenSearch from Maven Central
jars; ``cluster/README.md``), started in the background on 127.0.0.1, each with its own home
under a data folder. ``start`` builds the launcher with Maven when its jar is missing or older
than its sources, starts the nodes, waits until every node has joined and the cluster is green
or yellow, and leaves ``cluster.json`` in the data folder: what ``stop`` needs to end them.
Production users point Byline at their own cluster instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from index.opensearch.connection import ClusterError

CHECKOUT_CLUSTER = Path(__file__).resolve().parents[2] / "cluster"
STATE_FILE = "cluster.json"
MAIN_CLASS = "org.byline.cluster.LocalNode"
DEFAULT_PORT = 9200
DEFAULT_HEAP = "256m"
# A node's transport port is its HTTP port plus this (9200 -> 9300, as OpenSearch's defaults).
TRANSPORT_OFFSET = 100
JAVA_MAJOR = 17
INSTALL_HINT = "apt-get install default-jdk-headless maven"
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0


class ToolMissing(ClusterError):
    """What a local cluster is made with is missing: Java 17+, Maven, or the ``cluster/`` folder."""


@dataclass(frozen=True, slots=True)
class LocalNode:
    """One node of a local cluster: its process, ports and home folder."""

    name: str
    pid: int
    http_port: int
    transport_port: int
    home: str

    @property
    def output(self) -> Path:
        """What the node printed (its start-up failure, if any)."""
        return Path(self.home) / "node.out"

    @property
    def log(self) -> Path:
        return Path(self.home) / "logs" / f"{self.name}.log"


def default_data() -> Path:
    """The per-user folder local clusters live in unless ``--data`` says otherwise."""
    import platformdirs

    return Path(platformdirs.user_data_dir("byline")) / "cluster"


def start(
    nodes: int = 2,
    port: int = DEFAULT_PORT,
    data: Path | None = None,
    heap: str = DEFAULT_HEAP,
    transport_port: int | None = None,
) -> str:
    """Start ``nodes`` nodes answering HTTP on ``port``, ``port + 1``, …; the first one's URL.

    Transport ports start at ``transport_port`` (default ``port + 100``). Returns once every
    node has joined and the cluster is at least yellow; a node that fails stops them all."""
    if nodes < 1:
        raise ClusterError(f"a cluster needs at least one node, not {nodes}")
    data = (data or default_data()).expanduser().resolve()
    running = running_nodes(data)
    if running:
        raise ClusterError(
            f"a local cluster is already running from {data} (http://127.0.0.1:"
            f"{running[0].http_port}); byline cluster down --data {data} stops it"
        )
    launcher = build_launcher()
    java = require_java()
    first_transport = transport_port or port + TRANSPORT_OFFSET
    http_ports = [port + n for n in range(nodes)]
    transport_ports = [first_transport + n for n in range(nodes)]
    taken = next((p for p in http_ports + transport_ports if not port_is_free(p)), None)
    if taken is not None:
        raise ClusterError(
            f"port {taken} on 127.0.0.1 is taken; stop what holds it or choose another --port"
        )
    names = [f"node-{n + 1}" for n in range(nodes)]
    # (one node alone runs as a single-node cluster: no discovery)
    seeds = ",".join(f"127.0.0.1:{p}" for p in transport_ports) if nodes > 1 else None
    managers = ",".join(names) if nodes > 1 else None
    started: list[LocalNode] = []
    try:
        for name, http_port, node_transport in zip(names, http_ports, transport_ports, strict=True):
            node = LocalNode(name, 0, http_port, node_transport, str(data / name))
            started.append(_launch(launcher, java, heap, node, seeds, managers))
        _write_state(data, started)
        _wait_until_joined(started)
    except BaseException:
        _end(started)
        (data / STATE_FILE).unlink(missing_ok=True)
        raise
    return f"http://127.0.0.1:{port}"


def stop(data: Path | None = None) -> list[LocalNode]:
    """Stop the cluster started from ``data`` (SIGTERM, then wait); the nodes that were running."""
    data = (data or default_data()).expanduser().resolve()
    running = running_nodes(data)
    _end(running)
    (data / STATE_FILE).unlink(missing_ok=True)
    return running


def running_nodes(data: Path) -> list[LocalNode]:
    """The nodes ``data``'s state file names whose processes are still our nodes."""
    try:
        state = json.loads((data / STATE_FILE).read_text(encoding="utf-8"))
        nodes = [LocalNode(**node) for node in state["nodes"]]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return []
    return [node for node in nodes if _is_our_node(node)]


def build_launcher() -> Path:
    """The launcher's folder, built with Maven first when its jar is missing or stale."""
    folder = CHECKOUT_CLUSTER
    if not (folder / "pom.xml").is_file():
        raise ToolMissing(
            f"no cluster launcher at {folder}: byline cluster up runs from Byline's source "
            "checkout (pip install -e .)"
        )
    if _launcher_is_current(folder):
        return folder
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ToolMissing(f"building the local cluster needs Maven: {INSTALL_HINT}")
    require_java()
    built = subprocess.run(
        [mvn, "-B", "-q", "-f", str(folder / "pom.xml"), "package"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if built.returncode != 0 or not _launcher_is_current(folder):
        lines = [line for line in (built.stdout + built.stderr).splitlines() if line.strip()]
        reason = next((line for line in lines if "ERROR" in line), lines[-1] if lines else "")
        raise ClusterError(
            f"building the cluster launcher failed (mvn -B -q -f {folder}/pom.xml package): "
            f"{reason.strip()}"
        )
    return folder


def require_java() -> str:
    """The ``java`` to run nodes with (``$JAVA`` or the one on the PATH), if it is 17 or newer."""
    java = shutil.which(os.environ.get("JAVA", "java"))
    if java is None:
        raise ToolMissing(f"a local cluster needs Java {JAVA_MAJOR}+: {INSTALL_HINT}")
    shown = subprocess.run(
        [java, "-version"], capture_output=True, text=True, stdin=subprocess.DEVNULL
    ).stderr
    found = re.search(r'version "(\d+)(?:\.(\d+))?', shown)
    major = int(found[1]) if found else 0
    if major == 1 and found and found[2]:  # ("1.8.0" is Java 8)
        major = int(found[2])
    if major < JAVA_MAJOR:
        raise ToolMissing(
            f"a local cluster needs Java {JAVA_MAJOR}+, and {java} is "
            f"{found[0].split()[-1] if found else 'of an unknown version'}: {INSTALL_HINT}"
        )
    return java


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _launcher_is_current(folder: Path) -> bool:
    jar = next(iter((folder / "target").glob("byline-cluster-*.jar")), None)
    if jar is None or not (folder / "target" / "classpath.txt").is_file():
        return False
    built = jar.stat().st_mtime
    sources = [folder / "pom.xml", *(p for p in (folder / "src").rglob("*") if p.is_file())]
    return all(source.stat().st_mtime <= built for source in sources)


def _launch(
    launcher: Path, java: str, heap: str, node: LocalNode, seeds: str | None, managers: str | None
) -> LocalNode:
    """Start ``node`` (its pid is not known yet); the node with its pid."""
    home = Path(node.home)
    home.mkdir(parents=True, exist_ok=True)
    args = [
        "--home", node.home, "--cluster-name", "byline-local", "--node-name", node.name,
        "--http-port", str(node.http_port), "--transport-port", str(node.transport_port),
        # (a laptop's nearly full disk must not stop shards from being placed)
        "-E", "cluster.routing.allocation.disk.threshold_enabled=false",
    ]  # fmt: skip
    if seeds:
        args += ["--seed-hosts", seeds]
    if managers and not (home / "data" / "nodes").exists():  # (only when the cluster first forms)
        args += ["--initial-managers", managers]
    environment = {**os.environ, "HEAP": heap, "JAVA": java}
    with open(node.output, "wb") as output:
        # node.sh execs java: the process is the node. Its own session keeps it out of reach of
        # the terminal's Ctrl-C, and it outlives `byline cluster up`.
        process = subprocess.Popen(
            [str(launcher / "node.sh"), *args],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    return replace(node, pid=process.pid)


def _write_state(data: Path, nodes: list[LocalNode]) -> None:
    state = {"url": f"http://127.0.0.1:{nodes[0].http_port}", "nodes": [asdict(n) for n in nodes]}
    path = data / STATE_FILE
    path.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def _wait_until_joined(nodes: list[LocalNode]) -> None:
    from urllib.error import URLError
    from urllib.request import urlopen

    health = (
        f"http://127.0.0.1:{nodes[0].http_port}/_cluster/health"
        f"?wait_for_nodes={len(nodes)}&wait_for_status=yellow&timeout=1s"
    )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        for node in nodes:
            if not _is_alive(node.pid):
                raise ClusterError(f"{node.name} did not start: {_failure(node)}")
        try:
            with urlopen(health, timeout=5) as answer:
                if not json.load(answer).get("timed_out"):
                    return
        except (URLError, OSError, ValueError):
            time.sleep(0.2)
        if time.monotonic() > deadline:
            raise ClusterError(
                f"the local cluster did not form within {START_TIMEOUT:.0f} s; see "
                f"{', '.join(str(node.log) for node in nodes)}"
            )


def _failure(node: LocalNode) -> str:
    """The reason a node stopped, in one line, and where to read more."""
    try:
        lines = node.output.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    lines = [line.strip() for line in lines if line.strip()]
    reason = next((line for line in lines if "Exception" in line), lines[0] if lines else "")
    return f"{reason or 'it exited'} (see {node.output} and {node.log})"


def _is_our_node(node: LocalNode) -> bool:
    """Whether the pid is still this node's JVM (not a process that reused the number)."""
    try:
        command = Path(f"/proc/{node.pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return MAIN_CLASS.encode() in command and node.home.encode() in command


def _is_alive(pid: int) -> bool:
    try:  # (a node this process started is a zombie until it is reaped)
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _end(nodes: list[LocalNode]) -> None:
    """SIGTERM every node (they close cleanly), wait for them, SIGKILL any that hang."""
    _signal(nodes, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(_is_alive(node.pid) for node in nodes):
        if time.monotonic() > deadline:
            _signal(nodes, signal.SIGKILL)
        time.sleep(0.1)


def _signal(nodes: list[LocalNode], number: signal.Signals) -> None:
    for node in nodes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(node.pid, number)
