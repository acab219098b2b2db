#!/usr/bin/env bash
# Tributary vs Apache ZooKeeper 3.9 coordination benchmark.
#
# For each round, for each target (alternating: zookeeper, tributary, ...):
# start the server on a wiped data dir, run the scenarios below with the SAME
# load tool (bench/zk-load/ZkLoad.java on the ZooKeeper 3.9.5 Java client),
# stop the server. Then print medians and ours/theirs ratios.
#
#   create  COUNT async creates of 100 B znodes      (CLIENTS sessions x INFLIGHT outstanding)
#   set     COUNT async setData over 1,000 znodes    (same)
#   get     COUNT*2 async getData over 1,000 znodes  (same)
#   watch   WATCHES sequential watch round trips: A arms a data watch, B sets
#           the data; latency from B's send to A's event (p50, p99), after
#           WATCH_WARMUP untimed round trips (both JVMs' JIT work done first)
#
# Environment:
#   ROUNDS=3 COUNT=200000 WATCHES=20000 WATCH_WARMUP=2000 CLIENTS=4 INFLIGHT=250
#   TARGETS=zookeeper,tributary  SKIP_BUILD=0  ZK_PORT=22181 TRIB_ZK_PORT=12181
#   TRIB_PORT=19192    Tributary's Kafka port during this benchmark (not the Kafka
#                      benchmark's 19092, so the two harnesses never collide)
#   WAIT_QUIET=120   max seconds to wait before each target for the CPU to be idle
#   SERVER_JVM_OPTS="-Xmx1g -Xms1g"   given to both servers
#
# Output: bench/out/zk-<timestamp>/ (raw tool output, server logs, results.tsv,
# summary.md); the summary table is also printed on stdout.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"
source "$BENCH_DIR/zk-lib.sh"

ROUNDS="${ROUNDS:-3}"
COUNT="${COUNT:-200000}"
WATCHES="${WATCHES:-20000}"
WATCH_WARMUP="${WATCH_WARMUP:-2000}"
CLIENTS="${CLIENTS:-4}"
INFLIGHT="${INFLIGHT:-250}"
TARGETS="${TARGETS:-zookeeper,tributary}"
SKIP_BUILD="${SKIP_BUILD:-0}"
ZK_PORT="${ZK_PORT:-22181}"
TRIB_ZK_PORT="${TRIB_ZK_PORT:-12181}"
TRIB_PORT="${TRIB_PORT:-19192}"
WAIT_QUIET="${WAIT_QUIET:-120}"
export ZK_PORT TRIB_ZK_PORT TRIB_PORT SKIP_BUILD SERVER_JVM_OPTS

IFS=',' read -r -a TARGET_LIST <<< "$TARGETS"
for t in "${TARGET_LIST[@]}"; do
  case "$t" in zookeeper|tributary) ;; *) echo "zk-run.sh: unknown target '$t'" >&2; exit 2 ;; esac
done

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="$BENCH_DIR/out/zk-$STAMP"
mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"
printf 'round\ttarget\tscenario\tops_per_sec\tp50_us\tp99_us\tbusy_cores_before\n' > "$RESULTS"

stop_all() {
  "$BENCH_DIR/stop-apache-zookeeper.sh" || true
  "$BENCH_DIR/stop-tributary.sh" || true
}
trap 'stop_all' EXIT
trap 'exit 130' INT TERM

port_of() { if [[ $1 == zookeeper ]]; then echo "$ZK_PORT"; else echo "$TRIB_ZK_PORT"; fi; }
name_of() { if [[ $1 == zookeeper ]]; then echo "Apache ZooKeeper"; else echo "Tributary"; fi; }

load() { # target round scenario count -> appends to raw file, prints the RESULT line
  local raw="$OUT/$3-$1-r$2.txt"
  timeout 900 java -Xmx1g -Dlogback.configurationFile="$BENCH_DIR/zk-dist/logback-client.xml" -Dzkload.warmup="$WATCH_WARMUP" \
    -cp "$CACHE_DIR/zk-libs/*:$CACHE_DIR/zk-load" ZkLoad "$BENCH_HOST:$(port_of "$1")" "$3" "$4" \
    "$CLIENTS" "$INFLIGHT" 100 >>"$raw" 2>&1 || true
  grep '^RESULT' "$raw" | tail -n 1 || true
}

run_target() { # target round
  local target=$1 round=$2 line s n
  wait_quiet
  local started=0
  if [[ $target == zookeeper ]]; then
    SERVER_LOG="$OUT/server-zookeeper-r$round.log" "$BENCH_DIR/start-apache-zookeeper.sh" && started=1
  else
    SERVER_LOG="$OUT/server-tributary-r$round.log" "$BENCH_DIR/start-tributary.sh" && started=1
  fi
  if (( ! started )); then
    # A server that does not come up fails this round (NA), not the whole benchmark.
    log "$(name_of "$target") failed to start in round $round"
    for s in create set get; do printf '%s\t%s\t%s\tNA\tNA\tNA\t%s\n' "$round" "$target" "$s" "$BUSY" >> "$RESULTS"; done
    printf '%s\t%s\twatch\tNA\tNA\tNA\t%s\n' "$round" "$target" "$BUSY" >> "$RESULTS"
    return 0
  fi
  for s in create set get; do
    n=$COUNT
    [[ $s == get ]] && n=$((COUNT * 2))
    log "$s $(name_of "$target") round $round: $n requests, $CLIENTS clients x $INFLIGHT in flight"
    line=$(load "$target" "$round" "$s" "$n")
    printf '%s\t%s\t%s\t%s\tNA\tNA\t%s\n' "$round" "$target" "$s" "$(field ops_per_sec "$line" || true)" "$BUSY" >> "$RESULTS"
    sync
  done
  log "watch $(name_of "$target") round $round: $WATCHES round trips"
  line=$(load "$target" "$round" watch "$WATCHES")
  printf '%s\t%s\twatch\tNA\t%s\t%s\t%s\n' "$round" "$target" "$(field p50_us "$line" || true)" \
    "$(field p99_us "$line" || true)" "$BUSY" >> "$RESULTS"
  if [[ $target == zookeeper ]]; then "$BENCH_DIR/stop-apache-zookeeper.sh"; else "$BENCH_DIR/stop-tributary.sh"; fi
}

write_summary() {
  local s z t
  {
    echo "## Tributary vs Apache ZooKeeper 3.9.5 — $STAMP"
    echo
    echo "Medians of $ROUNDS round(s), targets alternating; $(nproc) cores, $(java -version 2>&1 | head -n 1);"
    echo "load tool ZkLoad (ZooKeeper 3.9.5 client), $CLIENTS sessions x $INFLIGHT requests in flight, 100 B values;"
    echo "server JVM flags \`$SERVER_JVM_OPTS\`. Tributary commit $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)."
    echo "CPU in use by other processes just before each target's run: max $(awk -F'\t' 'NR > 1 && $7 != "NA" { print $7 }' "$RESULTS" | sort -g | tail -n 1) cores."
    echo
    echo "| Scenario | Metric | Apache ZooKeeper (median) | Tributary (median) | Ratio ours/theirs |"
    echo "|---|---|---:|---:|---:|"
    for s in create set get; do
      z=$(median zookeeper "$s" 4); t=$(median tributary "$s" 4)
      echo "| $s ($([[ $s == get ]] && echo $((COUNT * 2)) || echo "$COUNT") async) | requests/s | $(num "$z") | $(num "$t") | $(ratio "$t" "$z") |"
    done
    z=$(median zookeeper watch 5); t=$(median tributary watch 5)
    echo "| watch round trip ($WATCHES) | p50 µs (lower is better) | $(num "$z") | $(num "$t") | $(ratio "$t" "$z") |"
    z=$(median zookeeper watch 6); t=$(median tributary watch 6)
    echo "| watch round trip ($WATCHES) | p99 µs (lower is better) | $(num "$z") | $(num "$t") | $(ratio "$t" "$z") |"
  } > "$OUT/summary.md"
}

"$BENCH_DIR/fetch-zookeeper.sh" >&2
stop_all 2>/dev/null
if [[ ",$TARGETS," == *",tributary,"* && ! -f "$REPO_DIR/target/tributary.jar" ]]; then
  [[ $SKIP_BUILD == 1 ]] && { echo "zk-run.sh: target/tributary.jar missing and SKIP_BUILD=1" >&2; exit 1; }
  log "building Tributary (mvn -q -DskipTests package) ..."
  (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never -DskipTests package)
fi

for (( r = 1; r <= ROUNDS; r++ )); do
  for t in "${TARGET_LIST[@]}"; do
    run_target "$t" "$r"
  done
done
write_summary
cat "$OUT/summary.md"
