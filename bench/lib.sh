#!/usr/bin/env bash
# Shared helpers for the bench scripts. Source it; do not run it.
# (Callers already run with `set -euo pipefail`.)

BENCH_DIR="${BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
# shellcheck disable=SC2034  # used by the scripts that source this file
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
CACHE_DIR="$BENCH_DIR/.cache"
KAFKA_LIBS="$CACHE_DIR/kafka-libs"
LOG4J_CONF="$BENCH_DIR/kafka-dist/log4j2.properties"
BENCH_HOST="${BENCH_HOST:-127.0.0.1}"
# JVM flags given to BOTH servers, so they are compared on equal terms.
SERVER_JVM_OPTS="${SERVER_JVM_OPTS:--Xmx1g -Xms1g}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Run an Apache Kafka class (broker or tool) from the Maven-assembled jars.
kafka_java() {
  java -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" "$@"
}

# True if something accepts TCP connections on host:port.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# wait_for_port HOST PORT TIMEOUT_SECONDS PID: wait until the port accepts
# connections; fail early if process PID dies first.
wait_for_port() {
  local host=$1 port=$2 timeout=$3 pid=$4 i
  for (( i = 0; i < timeout * 5; i++ )); do
    if port_open "$host" "$port"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "process $pid exited before $host:$port opened"
      return 1
    fi
    sleep 0.2
  done
  log "timed out after ${timeout}s waiting for $host:$port"
  return 1
}

# stop_pidfile FILE NAME: SIGTERM the process whose pid is in FILE, wait up to
# 30 s for a clean shutdown, then SIGKILL. No-op if FILE is absent or stale.
stop_pidfile() {
  local file=$1 name=$2 pid i
  [[ -f "$file" ]] || return 0
  pid=$(<"$file")
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for (( i = 0; i < 150; i++ )); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop in 30s; killing pid $pid"
      kill -9 "$pid" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  rm -f "$file"
}
