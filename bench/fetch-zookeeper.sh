#!/usr/bin/env bash
# Assemble Apache ZooKeeper 3.9 (server + client + its logging) from Maven
# Central jars into bench/.cache/zk-libs, and compile the load tool
# (bench/zk-load/ZkLoad.java) against them into bench/.cache/zk-load.
# Idempotent: does nothing if both are already there.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIBS="$BENCH_DIR/.cache/zk-libs"
LOAD="$BENCH_DIR/.cache/zk-load"
ZK_VERSION=3.9.5
STAMP="$LIBS/.complete-$ZK_VERSION"

if [[ ! -f "$STAMP" ]]; then
  command -v mvn >/dev/null || { echo "fetch-zookeeper: mvn not found" >&2; exit 1; }
  echo "fetch-zookeeper: downloading Apache ZooKeeper $ZK_VERSION jars from Maven Central into $LIBS ..."
  rm -rf "$LIBS"
  mkdir -p "$LIBS"
  mvn -B -q -f "$BENCH_DIR/zk-dist/pom.xml" -Dzookeeper.version="$ZK_VERSION" -Dstyle.color=never \
    dependency:copy-dependencies -DoutputDirectory="$LIBS" -DincludeScope=runtime
  unzip -l "$LIBS/zookeeper-$ZK_VERSION.jar" org/apache/zookeeper/server/ZooKeeperServerMain.class >/dev/null \
    || { echo "fetch-zookeeper: ZooKeeperServerMain not found" >&2; exit 1; }
  touch "$STAMP"
  echo "fetch-zookeeper: $(find "$LIBS" -name "*.jar" | wc -l) jars in $LIBS"
fi

SRC="$BENCH_DIR/zk-load/ZkLoad.java"
if [[ ! -f "$LOAD/ZkLoad.class" || "$SRC" -nt "$LOAD/ZkLoad.class" ]]; then
  mkdir -p "$LOAD"
  javac -d "$LOAD" -cp "$LIBS/*" "$SRC"
  echo "fetch-zookeeper: compiled the load tool into $LOAD"
fi
