#!/usr/bin/env bash
# Start Apache ZooKeeper 3.9 standalone (ZooKeeperServerMain) for the
# benchmark, from the jars fetched by fetch-zookeeper.sh. Its defaults
# otherwise, including forceSync=yes (an fsync per group commit), tickTime 2000,
# and its default globalOutstandingLimit. Data in bench/.cache/zk-data is wiped
# on every start.
#   ZK_PORT          client port (default 22181)
#   SERVER_LOG       where stdout/stderr go (default bench/.cache/zookeeper-server.log)
#   SERVER_JVM_OPTS  JVM flags (default "-Xmx1g -Xms1g")
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"

ZK_PORT="${ZK_PORT:-22181}"
LIBS="$CACHE_DIR/zk-libs"
DATA_DIR="$CACHE_DIR/zk-data"
CONF="$CACHE_DIR/zoo.cfg"
PID_FILE="$CACHE_DIR/zookeeper.pid"
SERVER_LOG="${SERVER_LOG:-$CACHE_DIR/zookeeper-server.log}"

"$BENCH_DIR/fetch-zookeeper.sh" >&2

if [[ -f "$PID_FILE" ]] && kill -0 "$(<"$PID_FILE")" 2>/dev/null; then
  echo "start-apache-zookeeper: already running (pid $(<"$PID_FILE"))" >&2
  exit 1
fi
if port_open "$BENCH_HOST" "$ZK_PORT"; then
  echo "start-apache-zookeeper: port $ZK_PORT is already in use" >&2
  exit 1
fi

rm -rf "$DATA_DIR"
mkdir -p "$DATA_DIR" "$(dirname "$SERVER_LOG")"
cat > "$CONF" <<CFG
tickTime=2000
dataDir=$DATA_DIR
clientPort=$ZK_PORT
clientPortAddress=$BENCH_HOST
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,mntr
CFG

# shellcheck disable=SC2086  # SERVER_JVM_OPTS is a list of flags
nohup java $SERVER_JVM_OPTS -Dlogback.configurationFile="$BENCH_DIR/zk-dist/logback.xml" \
  -cp "$LIBS/*" org.apache.zookeeper.server.ZooKeeperServerMain "$CONF" \
  >"$SERVER_LOG" 2>&1 </dev/null &
echo $! > "$PID_FILE"

if ! wait_for_port "$BENCH_HOST" "$ZK_PORT" 60 "$(<"$PID_FILE")"; then
  tail -n 30 "$SERVER_LOG" >&2 || true
  stop_pidfile "$PID_FILE" "Apache ZooKeeper"
  exit 1
fi
log "Apache ZooKeeper up on $BENCH_HOST:$ZK_PORT (pid $(<"$PID_FILE"), log $SERVER_LOG)"
