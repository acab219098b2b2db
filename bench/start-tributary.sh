#!/usr/bin/env bash
# Start Tributary for the benchmark, building target/tributary.jar first if it
# is missing (unless SKIP_BUILD=1). Data in bench/.cache/trib-data is wiped on
# every start.
#   TRIB_PORT        Kafka-protocol port  (default 19092)
#   TRIB_ZK_PORT     ZooKeeper-protocol port (default 12181)
#   TRIB_HTTP_PORT   HTTP port (default 18080, so a node on 8080 is left alone)
#   SERVER_LOG       where stdout/stderr go (default bench/.cache/tributary-server.log)
#   SERVER_JVM_OPTS  JVM flags            (default "-Xmx1g -Xms1g")
#   SKIP_BUILD=1     never run Maven; fail if the jar is missing
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"

TRIB_PORT="${TRIB_PORT:-19092}"
TRIB_ZK_PORT="${TRIB_ZK_PORT:-12181}"
TRIB_HTTP_PORT="${TRIB_HTTP_PORT:-18080}"
TRIB_JAR="${TRIB_JAR:-$REPO_DIR/target/tributary.jar}"
DATA_DIR="$CACHE_DIR/trib-data"
PID_FILE="$CACHE_DIR/tributary.pid"
SERVER_LOG="${SERVER_LOG:-$CACHE_DIR/tributary-server.log}"

if [[ ! -f "$TRIB_JAR" ]]; then
  if [[ "${SKIP_BUILD:-0}" == 1 ]]; then
    echo "start-tributary: $TRIB_JAR missing and SKIP_BUILD=1" >&2
    exit 1
  fi
  log "building $TRIB_JAR (mvn -q -DskipTests package) ..."
  (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never -DskipTests package)
fi

if [[ -f "$PID_FILE" ]] && kill -0 "$(<"$PID_FILE")" 2>/dev/null; then
  echo "start-tributary: already running (pid $(<"$PID_FILE")); run stop-tributary.sh first" >&2
  exit 1
fi
if port_open "$BENCH_HOST" "$TRIB_PORT"; then
  echo "start-tributary: port $TRIB_PORT is already in use" >&2
  exit 1
fi

rm -rf "$DATA_DIR"
mkdir -p "$DATA_DIR" "$(dirname "$SERVER_LOG")"

# Tributary defaults otherwise: no flags beyond data dir and ports, and
# group.initial.rebalance.delay.ms=0, the same override Apache Kafka gets in
# start-apache-kafka.sh (Kafka's sample server.properties value), so the
# ConsumerPerformance run (C2) waits the same before its first generation.
# shellcheck disable=SC2086  # SERVER_JVM_OPTS is a list of flags
nohup java $SERVER_JVM_OPTS -jar "$TRIB_JAR" \
  --data-dir "$DATA_DIR" --kafka-port "$TRIB_PORT" --zk-port "$TRIB_ZK_PORT" --http-port "$TRIB_HTTP_PORT" -o group.initial.rebalance.delay.ms=0 \
  >"$SERVER_LOG" 2>&1 </dev/null &
echo $! > "$PID_FILE"

if ! wait_for_port "$BENCH_HOST" "$TRIB_PORT" 60 "$(<"$PID_FILE")" \
    || ! wait_for_port "$BENCH_HOST" "$TRIB_ZK_PORT" 60 "$(<"$PID_FILE")"; then
  tail -n 30 "$SERVER_LOG" >&2 || true
  stop_pidfile "$PID_FILE" "Tributary"
  exit 1
fi
log "Tributary up on $BENCH_HOST:$TRIB_PORT (Kafka) and :$TRIB_ZK_PORT (ZooKeeper) (pid $(<"$PID_FILE"), log $SERVER_LOG)"
