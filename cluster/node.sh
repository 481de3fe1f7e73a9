#!/usr/bin/env bash
# Start one OpenSearch 2.19 node from Maven Central jars (builds on first use).
#   cluster/node.sh --home DIR [--node-name N] [--http-port P] [--transport-port P]
#                   [--seed-hosts h:p,...] [--initial-managers n1,n2] [-E key=value]...
# Environment: HEAP (default 256m), JAVA (default java; needs Java 17+), JAVA_OPTS (extra JVM flags).
# Runs in the foreground; prints "READY http://127.0.0.1:PORT ..." once the node has started; SIGTERM stops it cleanly.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/target/byline-cluster-0.1.0-SNAPSHOT.jar"
if [ ! -f "$jar" ] || [ ! -f "$here/target/classpath.txt" ] || [ -n "$(find "$here/pom.xml" "$here/src" -newer "$jar" -print -quit)" ]; then
  out=$(mvn -B -q -f "$here/pom.xml" package 2>&1) || { echo "$out" >&2; exit 1; }
fi
heap="${HEAP:-256m}"
# JVM flags follow the distribution's jvm.options where they matter for a small local node.
exec "${JAVA:-java}" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
  -Dfile.encoding=UTF-8 -Djava.awt.headless=true \
  -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true -Dio.netty.recycler.maxCapacityPerThread=0 \
  ${JAVA_OPTS:-} \
  -cp "$jar:$(cat "$here/target/classpath.txt")" org.byline.cluster.LocalNode "$@"
