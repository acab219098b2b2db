#!/usr/bin/env bash
# Start a single-node Apache Kafka (KRaft, combined broker+controller) for the
# benchmark. Data in bench/.cache/kafka-data is wiped on every start.
#   KAFKA_PORT       client listener port   (default 29092)
#   KAFKA_CTRL_PORT  controller port        (default 29093)
#   SERVER_LOG       where the broker's stdout/stderr go
#                    (default bench/.cache/kafka-server.log)
#   SERVER_JVM_OPTS  JVM flags              (default "-Xmx1g -Xms1g")
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"

KAFKA_PORT="${KAFKA_PORT:-29092}"
KAFKA_CTRL_PORT="${KAFKA_CTRL_PORT:-29093}"
DATA_DIR="$CACHE_DIR/kafka-data"
CONF="$CACHE_DIR/kafka-server.properties"
PID_FILE="$CACHE_DIR/kafka.pid"
SERVER_LOG="${SERVER_LOG:-$CACHE_DIR/kafka-server.log}"

"$BENCH_DIR/fetch-kafka.sh" >&2

if [[ -f "$PID_FILE" ]] && kill -0 "$(<"$PID_FILE")" 2>/dev/null; then
  echo "start-apache-kafka: already running (pid $(<"$PID_FILE")); run stop-apache-kafka.sh first" >&2
  exit 1
fi
for p in "$KAFKA_PORT" "$KAFKA_CTRL_PORT"; do
  if port_open "$BENCH_HOST" "$p"; then
    echo "start-apache-kafka: port $p is already in use" >&2
    exit 1
  fi
done

rm -rf "$DATA_DIR"
mkdir -p "$DATA_DIR" "$(dirname "$SERVER_LOG")"

# Everything not listed here is a Kafka default (num.partitions=1, no
# per-message fsync: log.flush.* unset, num.io.threads=8, ...). The internal
# topics' replication factors must be 1 on a single node.
# group.initial.rebalance.delay.ms=0 is what Kafka's own sample
# server.properties ships for single-node use; it only matters to the optional
# ConsumerPerformance run.
cat > "$CONF" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://$BENCH_HOST:$KAFKA_PORT,CONTROLLER://$BENCH_HOST:$KAFKA_CTRL_PORT
advertised.listeners=PLAINTEXT://$BENCH_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
controller.quorum.bootstrap.servers=$BENCH_HOST:$KAFKA_CTRL_PORT
log.dirs=$DATA_DIR
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS

# Format the storage directory as a fresh single-voter (standalone) KRaft quorum.
cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid)
kafka_java kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$CONF" >/dev/null

# shellcheck disable=SC2086  # SERVER_JVM_OPTS is a list of flags
nohup java $SERVER_JVM_OPTS -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" \
  kafka.Kafka "$CONF" >"$SERVER_LOG" 2>&1 </dev/null &
echo $! > "$PID_FILE"

if ! wait_for_port "$BENCH_HOST" "$KAFKA_PORT" 60 "$(<"$PID_FILE")"; then
  tail -n 30 "$SERVER_LOG" >&2 || true
  stop_pidfile "$PID_FILE" "Apache Kafka"
  exit 1
fi
log "Apache Kafka up on $BENCH_HOST:$KAFKA_PORT (pid $(<"$PID_FILE"), log $SERVER_LOG)"
