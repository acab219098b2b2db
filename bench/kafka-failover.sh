#!/usr/bin/env bash
# Kafka failover time on a local 3-node Tributary cluster (issue 10, must-show 3): an idempotent acks=all producer
# sends one record at a time to a partition with 3 replicas (min.insync.replicas=2); kill -9 of its leader; the
# longest stall of produce after the kill is printed. Settings that set it: broker.session.timeout.ms (default
# 9000: how long a dead broker stays registered), the producer's request.timeout.ms (5000 here) and metadata
# refresh. Variables: ROUNDS (3), SESSION_MS (broker.session.timeout.ms, 9000), DURATION (seconds of produce, 40).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-3}"; SESSION_MS="${SESSION_MS:-9000}"; DURATION="${DURATION:-40}"
export CLUSTER_DIR="${CLUSTER_DIR:-/tmp/tributary-failover}" ZK_BASE=22181 KAFKA_BASE=29092 HTTP_BASE=28080 RAFT_BASE=29872 HZ_BASE=25701
[[ -f target/tributary.jar ]] || mvn -q -DskipTests package
CP_FILE=target/failover.cp
[[ -f "$CP_FILE" ]] || mvn -q dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >/dev/null
CP="$(cat "$CP_FILE")"
for ((r = 1; r <= ROUNDS; r++)); do
  bin/cluster wipe >/dev/null 2>&1 || true
  TRIBUTARY_BROKER_SESSION_TIMEOUT_MS="$SESSION_MS" bin/cluster up 3 >/dev/null
  rm -f "$CLUSTER_DIR/leader" "$CLUSTER_DIR/mark"
  java -Dlogback.configurationFile=bench/zk-dist/logback-client.xml -cp "$CP" bench/failover/Failover.java \
    127.0.0.1:29092,127.0.0.1:29093,127.0.0.1:29094 "$CLUSTER_DIR/leader" "$CLUSTER_DIR/mark" "$DURATION" \
    > "$CLUSTER_DIR/out.txt" 2>&1 &
  probe=$!
  until [[ -s "$CLUSTER_DIR/leader" ]]; do sleep 0.2; done
  sleep 5
  leader=$(cat "$CLUSTER_DIR/leader")
  # The kill's time on CLOCK_MONOTONIC, the clock of the probe's System.nanoTime.
  python3 -c 'import time; print(time.monotonic_ns())' > "$CLUSTER_DIR/mark"
  bin/cluster kill "$leader" >/dev/null
  wait "$probe" || true
  echo "round $r: killed leader $leader, broker.session.timeout.ms=$SESSION_MS: $(grep RESULT "$CLUSTER_DIR/out.txt" || tail -3 "$CLUSTER_DIR/out.txt")"
  bin/cluster wipe >/dev/null 2>&1 || true
done
