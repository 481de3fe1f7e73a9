#!/usr/bin/env bash
# Two-node proof: start node-1 and node-2 as one cluster on 127.0.0.1, run smoke.py with 1 replica,
# wait for green, SIGKILL node-2, check that searches still answer on node-1, then stop everything.
#   cluster/cluster-demo.sh [WORKDIR]      (default /tmp/byline-cluster-demo; HEAP as in node.sh)
# Ports: HTTP 19201/19202, transport 19301/19302.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work="${1:-/tmp/byline-cluster-demo}"
rm -rf "$work"; mkdir -p "$work"
out=$(mvn -B -q -f "$here/pom.xml" package 2>&1) || { echo "$out" >&2; exit 1; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

seeds=127.0.0.1:19301,127.0.0.1:19302
start() {  # start NAME HTTP TRANSPORT
  "$here/node.sh" --home "$work/$1" --cluster-name byline-demo --node-name "$1" --http-port "$2" --transport-port "$3" \
    --seed-hosts "$seeds" --initial-managers node-1,node-2 > "$work/$1.out" 2>&1 &
  pids+=($!); echo "$!" > "$work/$1.pid"
}
health() { curl -s "http://127.0.0.1:$1/_cluster/health?$2"; echo; }

t0=$(date +%s.%N)
start node-1 19201 19301
start node-2 19202 19302
until curl -sf "http://127.0.0.1:19201/_cluster/health?wait_for_nodes=2&wait_for_status=green&timeout=1s" >/dev/null 2>&1; do
  for n in node-1 node-2; do kill -0 "$(cat "$work/$n.pid")" 2>/dev/null || { echo "$n died:"; cat "$work/$n.out"; exit 1; }; done
  sleep 0.2
done
echo "2-node cluster green after $(echo "$(date +%s.%N) - $t0" | bc) s"
curl -s "http://127.0.0.1:19201/_cat/nodes?v&h=name,ip,http_address,node.role,cluster_manager,heap.max,heap.current"

python3 "$here/smoke.py" --url http://127.0.0.1:19201 --replicas 1 --keep
echo "health: $(health 19202 'wait_for_status=green&timeout=30s')"
curl -s "http://127.0.0.1:19201/_cat/shards/byline-smoke?v&h=index,shard,prirep,state,node"
for n in node-1 node-2; do echo "$n RSS: $(grep VmRSS /proc/$(cat "$work/$n.pid")/status)"; done

echo "--- SIGKILL node-2"
kill -KILL "$(cat "$work/node-2.pid")"
sleep 1
echo "health on node-1: $(health 19201 'wait_for_nodes=1&timeout=30s')"
python3 "$here/smoke.py" --url http://127.0.0.1:19201 --search-only
echo "cluster demo passed"
