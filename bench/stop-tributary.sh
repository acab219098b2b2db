#!/usr/bin/env bash
# Stop the benchmark's Tributary started by start-tributary.sh.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"
stop_pidfile "$CACHE_DIR/tributary.pid" "Tributary"
