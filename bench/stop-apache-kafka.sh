#!/usr/bin/env bash
# Stop the benchmark's Apache Kafka node started by start-apache-kafka.sh.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"
stop_pidfile "$CACHE_DIR/kafka.pid" "Apache Kafka"
