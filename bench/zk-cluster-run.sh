#!/usr/bin/env bash
# 3-node Tributary vs 3-node Apache ZooKeeper 3.9 ensemble, on this one machine.
#
# For each round, for each target (alternating): start three server processes on wiped data (Apache
# ZooKeeper: QuorumPeerMain x3 from the jars fetch-zookeeper.sh assembles; Tributary: bin/cluster up 3),
# wait for a leader, run the ZkLoad scenarios of zk-run.sh with a connect string of all three nodes (each
# of the CLIENTS sessions lands on a random node), stop the ensemble. Then medians and ours/theirs ratios.
#
# Environment:
#   ROUNDS=2 COUNT=50000 WATCHES=5000 WATCH_WARMUP=1000 CLIENTS=4 INFLIGHT=250
#   TARGETS=zookeeper,tributary  SKIP_BUILD=0
#   ZKE_BASE=22281 (ZooKeeper client ports, +1 per node; quorum ports 22381.., election 22481..)
#   TRIB_BASE=12281 (Tributary ZooKeeper ports; Kafka 19292.., Ratis 12381.., Hazelcast 12481.., HTTP 12581..)
#   NODE_HEAP=512m   heap of every server JVM (both targets)
#   WARMUP_COUNT=50000  untimed setData and getData requests each ensemble serves first (JIT warm-up, both targets)
#   WAIT_QUIET=120   max seconds to wait before each target for the CPU to be idle
#
# Output: bench/out/zk-cluster-<timestamp>/ (raw output, server logs, results.tsv, summary.md).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"
source "$BENCH_DIR/zk-lib.sh"

ROUNDS="${ROUNDS:-2}"
COUNT="${COUNT:-50000}"
WATCHES="${WATCHES:-5000}"
WATCH_WARMUP="${WATCH_WARMUP:-1000}"
CLIENTS="${CLIENTS:-4}"
INFLIGHT="${INFLIGHT:-250}"
TARGETS="${TARGETS:-zookeeper,tributary}"
SKIP_BUILD="${SKIP_BUILD:-0}"
ZKE_BASE="${ZKE_BASE:-22281}"
TRIB_BASE="${TRIB_BASE:-12281}"
NODE_HEAP="${NODE_HEAP:-512m}"
WAIT_QUIET="${WAIT_QUIET:-120}"
WARMUP_COUNT="${WARMUP_COUNT:-50000}"

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="$BENCH_DIR/out/zk-cluster-$STAMP"
mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"
printf 'round\ttarget\tscenario\tops_per_sec\tp50_us\tp99_us\tbusy_cores_before\n' > "$RESULTS"
ZK_DIR="$CACHE_DIR/zk-ensemble"
TRIB_DIR="$CACHE_DIR/trib-cluster"

trib_env() {
  env CLUSTER_DIR="$TRIB_DIR" ZK_BASE="$TRIB_BASE" KAFKA_BASE=19292 RAFT_BASE=12381 HZ_BASE=12481 HTTP_BASE=12581 \
    CLUSTER_HEAP="$NODE_HEAP" CLUSTER_JAVA_OPTS="-Xms$NODE_HEAP" "$@"
}

connect_of() { # target -> connect string of the three nodes
  local base=$ZKE_BASE
  [[ $1 == tributary ]] && base=$TRIB_BASE
  echo "$BENCH_HOST:$base,$BENCH_HOST:$((base + 1)),$BENCH_HOST:$((base + 2))"
}

four() { timeout 3 bash -c "exec 3<>/dev/tcp/$BENCH_HOST/$1 && printf '%s' '$2' >&3 && cat <&3" 2>/dev/null || true; }

start_zookeeper() {
  rm -rf "$ZK_DIR"
  local i
  for i in 1 2 3; do
    mkdir -p "$ZK_DIR/n$i/data"
    echo "$i" > "$ZK_DIR/n$i/data/myid"
    {
      echo "tickTime=2000"; echo "initLimit=10"; echo "syncLimit=5"
      echo "dataDir=$ZK_DIR/n$i/data"; echo "clientPort=$((ZKE_BASE + i - 1))"; echo "clientPortAddress=$BENCH_HOST"
      echo "maxClientCnxns=0"; echo "admin.enableServer=false"; echo "4lw.commands.whitelist=ruok,srvr,mntr"
      local j
      for j in 1 2 3; do echo "server.$j=$BENCH_HOST:$((ZKE_BASE + 100 + j - 1)):$((ZKE_BASE + 200 + j - 1))"; done
    } > "$ZK_DIR/n$i/zoo.cfg"
    # shellcheck disable=SC2086
    nohup java -Xmx$NODE_HEAP -Xms$NODE_HEAP -Dlogback.configurationFile="$BENCH_DIR/zk-dist/logback.xml" \
      -cp "$CACHE_DIR/zk-libs/*" org.apache.zookeeper.server.quorum.QuorumPeerMain "$ZK_DIR/n$i/zoo.cfg" \
      >"$OUT/server-zookeeper-n$i-r$1.log" 2>&1 </dev/null &
    echo $! > "$ZK_DIR/n$i/pid"
  done
  local deadline=$((SECONDS + 120))
  while (( SECONDS < deadline )); do
    for i in 1 2 3; do
      if four $((ZKE_BASE + i - 1)) srvr | grep -q "Mode: leader"; then return 0; fi
    done
    sleep 0.5
  done
  return 1
}

stop_zookeeper() {
  local i
  for i in 1 2 3; do [[ -f "$ZK_DIR/n$i/pid" ]] && kill "$(cat "$ZK_DIR/n$i/pid")" 2>/dev/null || true; done
  for i in 1 2 3; do
    [[ -f "$ZK_DIR/n$i/pid" ]] || continue
    local pid; pid=$(cat "$ZK_DIR/n$i/pid")
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    rm -f "$ZK_DIR/n$i/pid"
  done
}

start_tributary() {
  trib_env "$REPO_DIR/bin/cluster" wipe >/dev/null 2>&1 || true
  trib_env "$REPO_DIR/bin/cluster" up 3 > "$OUT/server-tributary-r$1.log" 2>&1
}

stop_tributary() {
  local i
  for i in 1 2 3; do cp "$TRIB_DIR/node-$i/node.log" "$OUT/server-tributary-n$i-r$1.log" 2>/dev/null || true; done
  trib_env "$REPO_DIR/bin/cluster" wipe >/dev/null 2>&1 || true
}

load() { # target round scenario count
  local raw="$OUT/$3-$1-r$2.txt"
  timeout 900 java -Xmx1g -Dlogback.configurationFile="$BENCH_DIR/zk-dist/logback-client.xml" -Dzkload.warmup="$WATCH_WARMUP" \
    -cp "$CACHE_DIR/zk-libs/*:$CACHE_DIR/zk-load" ZkLoad "$(connect_of "$1")" "$3" "$4" \
    "$CLIENTS" "$INFLIGHT" 100 >>"$raw" 2>&1 || true
  grep '^RESULT' "$raw" | tail -n 1 || true
}

run_target() { # target round
  local target=$1 round=$2 line s n
  wait_quiet
  log "starting a 3-node $target ensemble (round $round)"
  if ! "start_$target" "$round"; then
    log "$target ensemble failed to start in round $round"
    "stop_$target" "$round"
    return 0
  fi
  if (( WARMUP_COUNT > 0 )); then
    # Untimed, the same for both targets: three JVMs each compile their hot paths on two cores for the first
    # tens of thousands of requests (Tributary's Ratis, gRPC and Hazelcast more than ZooKeeper's code).
    log "warm-up $target round $round: $WARMUP_COUNT setData and getData, not measured"
    load "$target" "$round" set "$WARMUP_COUNT" > /dev/null
    load "$target" "$round" get "$WARMUP_COUNT" > /dev/null
    mv "$OUT/set-$target-r$round.txt" "$OUT/warmup-set-$target-r$round.txt"
    mv "$OUT/get-$target-r$round.txt" "$OUT/warmup-get-$target-r$round.txt"
  fi
  for s in create set get; do
    n=$COUNT
    [[ $s == get ]] && n=$((COUNT * 2))
    log "$s $target round $round: $n requests"
    line=$(load "$target" "$round" "$s" "$n")
    printf '%s\t%s\t%s\t%s\tNA\tNA\t%s\n' "$round" "$target" "$s" "$(field ops_per_sec "$line" || true)" "$BUSY" >> "$RESULTS"
  done
  log "watch $target round $round: $WATCHES round trips"
  line=$(load "$target" "$round" watch "$WATCHES")
  printf '%s\t%s\twatch\tNA\t%s\t%s\t%s\n' "$round" "$target" "$(field p50_us "$line" || true)" \
    "$(field p99_us "$line" || true)" "$BUSY" >> "$RESULTS"
  "stop_$target" "$round"
}

write_summary() {
  local s z t
  {
    echo "## 3-node Tributary vs 3-node Apache ZooKeeper 3.9.5 — $STAMP"
    echo
    echo "Medians of $ROUNDS round(s), targets alternating; all six servers and the load tool on one machine ($(nproc) cores);"
    echo "ZkLoad, $CLIENTS sessions x $INFLIGHT in flight over a 3-node connect string, 100 B values; every server -Xmx$NODE_HEAP."
    echo "Tributary commit $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown); CPU busy before a run: max $(awk -F'\t' 'NR > 1 && $7 != "NA" { print $7 }' "$RESULTS" | sort -g | tail -n 1) cores."
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

trap 'stop_zookeeper 1 || true; stop_tributary 1 || true' EXIT
"$BENCH_DIR/fetch-zookeeper.sh" >&2
if [[ ",$TARGETS," == *",tributary,"* && ! -f "$REPO_DIR/target/tributary.jar" ]]; then
  [[ $SKIP_BUILD == 1 ]] && { echo "zk-cluster-run.sh: target/tributary.jar missing and SKIP_BUILD=1" >&2; exit 1; }
  log "building Tributary (mvn -q -DskipTests package) ..."
  (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never -DskipTests package)
fi
IFS=',' read -r -a TARGET_LIST <<< "$TARGETS"
for (( r = 1; r <= ROUNDS; r++ )); do
  for t in "${TARGET_LIST[@]}"; do run_target "$t" "$r"; done
done
write_summary
cat "$OUT/summary.md"
