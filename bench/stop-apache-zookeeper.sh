#!/usr/bin/env bash
# Stop the benchmark's Apache ZooKeeper started by start-apache-zookeeper.sh.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"
stop_pidfile "$CACHE_DIR/zookeeper.pid" "Apache ZooKeeper"
