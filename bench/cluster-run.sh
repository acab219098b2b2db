#!/usr/bin/env bash
# 3-node Tributary vs 3-broker Apache Kafka 4.3.1 (KRaft), replicated: issue 10, must-show 5.
#
# For each round, for each target (alternating: kafka, tributary, kafka, ...), on wiped data:
#   Apache Kafka: three combined broker+controller processes (process.roles=broker,controller, the layout
#                 Kafka's KRaft docs give for small and development clusters), one dynamic KRaft quorum of
#                 the three (kafka-storage format --initial-controllers), from the jars fetch-kafka.sh
#                 assembles; each with its own ports, config and log dir under the run's output directory.
#   Tributary:    bin/cluster up 3 (CLUSTER_DIR under the run's output directory, ports away from the
#                 defaults and from the 20000-60999 ranges the tests draw from).
# warm them up (WARMUP_N), then, with the same Apache Kafka 4.3.1 tools against all three brokers:
#   P   ProducerPerformance, N x RECORD_SIZE B, acks=all, --throughput -1, producer defaults otherwise
#       (idempotent, batch.size 16384, linger.ms 5), into a fresh topic of PARTITIONS partitions,
#       replication factor 3, min.insync.replicas=2
#   C1  kcat reads P's topic, every partition, from the beginning to the end, no consumer group
#       (assign mode, as bench/run.sh's C1), timed end to end
#   C2  ConsumerPerformance reads P's topic through a fresh consumer group     [GROUP_CONSUMER=1]
#   PL  ProducerPerformance, LAT_N records at LAT_RATE records/s, acks=all, into a second fresh topic
#       (latency below saturation: a fixed rate both targets sustain)        [LAT_N > 0]
# measure the three servers' CPU for 5 s with no client (warm JVMs, the topics still there), stop the cluster.
# Then medians and Tributary/Kafka ratios.
#
# Environment:
#   ROUNDS=3  N=1000000  RECORD_SIZE=1024  PARTITIONS=3  LAT_N=15000  LAT_RATE=1000
#   WARMUP_N=200000          records produced (acks=all) and read back, untimed, into a topic of their own before
#                            the measured runs, the same on both targets: three cold JVMs compile their hot paths
#                            on two cores for the first tens of seconds (0: no warm-up)
#   TARGETS=kafka,tributary  GROUP_CONSUMER=1  NODE_HEAP=1g (-Xms and -Xmx of every server process, both targets)
#   KAFKA_BASE_PORT=16092    Apache Kafka client ports 16092..16094, controller ports +100 (16192..16194)
#   TRIB_BASE_PORT=17092     Tributary Kafka ports 17092..; ZooKeeper +100, HTTP +200, Ratis +300, Hazelcast +400
#   TRIB_JAR=target/tributary.jar (run through bin/cluster's CLUSTER_CLASSPATH when it is another file)
#   SKIP_BUILD=0             1: never run Maven; fail if the jar is missing
#   SCENARIO_TIMEOUT=900     seconds before one tool run is killed and counted as failed
#   WAIT_QUIET=120           max seconds to wait, before each target's run, for other processes to leave the CPU idle
#   KEEP_DATA=0              1: keep the servers' data directories (N x RECORD_SIZE x 3 replicas per round and target)
#
# Output: bench/out/cluster-<timestamp>/: raw tool output per scenario, target and round (P-kafka-r1.txt, ...),
# each server's config and log (kafka-r1/node-1/, tributary-r1/node-1/node.log), results.tsv, cpu.tsv (CPU
# seconds of each server process and of the load tool per scenario, from /proc/PID/stat and bash `times`),
# summary.md (also printed). Every process started is stopped on exit, also on failure or interrupt.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"

ROUNDS="${ROUNDS:-3}"
N="${N:-1000000}"
RECORD_SIZE="${RECORD_SIZE:-1024}"
PARTITIONS="${PARTITIONS:-3}"
LAT_N="${LAT_N:-15000}"
LAT_RATE="${LAT_RATE:-1000}"
WARMUP_N="${WARMUP_N:-200000}"
TARGETS="${TARGETS:-kafka,tributary}"
GROUP_CONSUMER="${GROUP_CONSUMER:-1}"
NODE_HEAP="${NODE_HEAP:-1g}"
KAFKA_BASE_PORT="${KAFKA_BASE_PORT:-16092}"
TRIB_BASE_PORT="${TRIB_BASE_PORT:-17092}"
TRIB_JAR="${TRIB_JAR:-$REPO_DIR/target/tributary.jar}"
SKIP_BUILD="${SKIP_BUILD:-0}"
SCENARIO_TIMEOUT="${SCENARIO_TIMEOUT:-900}"
WAIT_QUIET="${WAIT_QUIET:-120}"
KEEP_DATA="${KEEP_DATA:-0}"
NODES=3
# Every server process of both targets gets exactly these JVM flags (bin/cluster adds only module openings
# for Hazelcast); otherwise default JVM settings (G1), as bench/run.sh does.
HEAP_OPTS="-Xmx$NODE_HEAP -Xms$NODE_HEAP"

IFS=',' read -r -a TARGET_LIST <<< "$TARGETS"
for t in "${TARGET_LIST[@]}"; do
  case "$t" in kafka|tributary) ;; *) echo "cluster-run.sh: unknown target '$t' (use kafka,tributary)" >&2; exit 2 ;; esac
done

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="$BENCH_DIR/out/cluster-$STAMP"
mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"
CPU_TSV="$OUT/cpu.tsv"
printf 'round\ttarget\tscenario\trecords_per_sec\tmb_per_sec\tavg_ms\tp99_ms\tjoin_ms\tfetch_records_per_sec\tother_cpu_cores\n' > "$RESULTS"
printf 'round\ttarget\tscenario\twall_s\tnode1_cpu_s\tnode2_cpu_s\tnode3_cpu_s\tclient_cpu_s\n' > "$CPU_TSV"

# ------------------------------------------------------------------ targets --

kafka_port() { echo $((KAFKA_BASE_PORT + $1 - 1)); }
kafka_ctrl_port() { echo $((KAFKA_BASE_PORT + 100 + $1 - 1)); }

bootstrap_of() { # target -> the three brokers' client addresses
  local base=$KAFKA_BASE_PORT i out=""
  [[ $1 == tributary ]] && base=$TRIB_BASE_PORT
  for ((i = 0; i < NODES; i++)); do out+="${out:+,}$BENCH_HOST:$((base + i))"; done
  echo "$out"
}
name_of() { if [[ $1 == kafka ]]; then echo "Apache Kafka"; else echo "Tributary"; fi; }

# Pids of the running target's server processes, in node order (set by start_*, read by the meters).
SERVER_PIDS=()

ports_free() { # port...
  local p
  for p in "$@"; do
    if port_open "$BENCH_HOST" "$p"; then log "port $p is already in use"; return 1; fi
  done
}

# Wait until a Metadata request through the bootstrap list names all NODES brokers.
wait_brokers() { # target
  local bs deadline=$((SECONDS + 90))
  bs=$(bootstrap_of "$1")
  while (( SECONDS < deadline )); do
    if timeout 10 kcat -L -b "$bs" -m 5 2>/dev/null | grep -q "^ $NODES brokers:"; then return 0; fi
    sleep 1
  done
  log "$(name_of "$1") on $bs never reported $NODES brokers"
  return 1
}

kafka_dir() { echo "$OUT/kafka-r$1"; }

start_kafka() { # round
  local dir i cid voters="" ids=()
  dir=$(kafka_dir "$1")
  local ports=()
  for ((i = 1; i <= NODES; i++)); do ports+=("$(kafka_port "$i")" "$(kafka_ctrl_port "$i")"); done
  ports_free "${ports[@]}" || return 1
  cid=$(kafka_java kafka.tools.StorageTool random-uuid)
  local bootstrap_ctrl=""
  for ((i = 1; i <= NODES; i++)); do
    ids[i]=$(kafka_java kafka.tools.StorageTool random-uuid)
    voters+="${voters:+,}$i@$BENCH_HOST:$(kafka_ctrl_port "$i"):${ids[i]}"
    bootstrap_ctrl+="${bootstrap_ctrl:+,}$BENCH_HOST:$(kafka_ctrl_port "$i")"
  done
  for ((i = 1; i <= NODES; i++)); do
    mkdir -p "$dir/node-$i/data"
    # Everything not listed is a Kafka default: offsets.topic.replication.factor 3, default.replication.factor 1
    # (the topics here give 3 explicitly), min.insync.replicas 1 (the topics set 2), num.network.threads 3,
    # num.io.threads 8, num.replica.fetchers 1, replica.fetch.wait.max.ms 500, no per-message fsync.
    # group.initial.rebalance.delay.ms=0 as in bench/start-apache-kafka.sh; Tributary gets the same (C2 only).
    cat > "$dir/node-$i/server.properties" <<PROPS
process.roles=broker,controller
node.id=$i
listeners=PLAINTEXT://$BENCH_HOST:$(kafka_port "$i"),CONTROLLER://$BENCH_HOST:$(kafka_ctrl_port "$i")
advertised.listeners=PLAINTEXT://$BENCH_HOST:$(kafka_port "$i"),CONTROLLER://$BENCH_HOST:$(kafka_ctrl_port "$i")
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
controller.quorum.bootstrap.servers=$bootstrap_ctrl
log.dirs=$dir/node-$i/data
group.initial.rebalance.delay.ms=0
PROPS
    # The same --initial-controllers on every node: one dynamic quorum of the three (Kafka's KRaft docs).
    kafka_java kafka.tools.StorageTool format -t "$cid" -c "$dir/node-$i/server.properties" \
      --initial-controllers "$voters" >> "$dir/node-$i/format.log" 2>&1 || { log "format of Kafka node $i failed"; return 1; }
  done
  SERVER_PIDS=()
  for ((i = 1; i <= NODES; i++)); do
    # shellcheck disable=SC2086  # HEAP_OPTS is a list of flags
    nohup java $HEAP_OPTS -Djava.awt.headless=true -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" \
      kafka.Kafka "$dir/node-$i/server.properties" > "$dir/node-$i/server.log" 2>&1 </dev/null &
    echo $! > "$dir/node-$i/pid"
    SERVER_PIDS+=("$!")
  done
  for ((i = 1; i <= NODES; i++)); do
    wait_for_port "$BENCH_HOST" "$(kafka_port "$i")" 90 "${SERVER_PIDS[i - 1]}" || return 1
  done
  wait_brokers kafka
}

stop_kafka_dir() { # dir: SIGTERM every node at once (one at a time, the last would wait for a lost quorum)
  local dir=$1 f pid pids=() i
  for f in "$dir"/node-*/pid; do
    [[ -f "$f" ]] || continue
    pid=$(<"$f")
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; pids+=("$pid"); fi
    rm -f "$f"
  done
  (( ${#pids[@]} )) || return 0
  log "stopping Apache Kafka in $dir (pids ${pids[*]})"
  for (( i = 0; i < 150; i++ )); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive )) || return 0
    sleep 0.2
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then log "Kafka pid $pid did not stop in 30 s; kill -9"; kill -9 "$pid" 2>/dev/null || true; fi
  done
}

stop_kafka() { # round
  local dir i
  dir=$(kafka_dir "$1")
  stop_kafka_dir "$dir"
  if [[ $KEEP_DATA != 1 ]]; then for ((i = 1; i <= NODES; i++)); do rm -rf "$dir/node-$i/data"; done; fi
}

trib_dir() { echo "$OUT/tributary-r$1"; }

trib() { # round bin/cluster-args...: bin/cluster with this benchmark's ports, heap and directory
  local dir; dir=$(trib_dir "$1"); shift
  local cp=()
  if [[ "$TRIB_JAR" != "$REPO_DIR/target/tributary.jar" ]]; then cp=(CLUSTER_CLASSPATH="$TRIB_JAR"); fi
  env CLUSTER_DIR="$dir" KAFKA_BASE="$TRIB_BASE_PORT" ZK_BASE=$((TRIB_BASE_PORT + 100)) \
    HTTP_BASE=$((TRIB_BASE_PORT + 200)) RAFT_BASE=$((TRIB_BASE_PORT + 300)) HZ_BASE=$((TRIB_BASE_PORT + 400)) \
    CLUSTER_HOST="$BENCH_HOST" CLUSTER_HEAP="$NODE_HEAP" CLUSTER_JAVA_OPTS="-Xms$NODE_HEAP" \
    CLUSTER_NODE_ARGS="-o group.initial.rebalance.delay.ms=0" "${cp[@]}" "$REPO_DIR/bin/cluster" "$@"
}

start_tributary() { # round
  local dir i ports=()
  dir=$(trib_dir "$1")
  for ((i = 0; i < NODES; i++)); do
    ports+=($((TRIB_BASE_PORT + i)) $((TRIB_BASE_PORT + 100 + i)) $((TRIB_BASE_PORT + 200 + i)) \
            $((TRIB_BASE_PORT + 300 + i)) $((TRIB_BASE_PORT + 400 + i)))
  done
  ports_free "${ports[@]}" || return 1
  mkdir -p "$dir"
  trib "$1" up "$NODES" > "$dir/up.log" 2>&1 || { log "bin/cluster up failed (see $dir/up.log)"; cat "$dir/up.log" >&2; return 1; }
  SERVER_PIDS=()
  for ((i = 1; i <= NODES; i++)); do SERVER_PIDS+=("$(cat "$dir/node-$i/pid")"); done
  wait_brokers tributary
}

stop_tributary_dir() { # dir
  local dir=$1 f
  [[ -f "$dir/size" ]] || return 0
  local any=0
  for f in "$dir"/node-*/pid; do [[ -f "$f" ]] && kill -0 "$(<"$f")" 2>/dev/null && any=1; done
  (( any )) || return 0
  log "stopping Tributary in $dir"
  # bin/cluster reads the ports back from the directory; SIGTERM to every node, then it waits for each.
  timeout 150 env CLUSTER_DIR="$dir" "$REPO_DIR/bin/cluster" down >/dev/null 2>&1 || true
  for f in "$dir"/node-*/pid; do
    [[ -f "$f" ]] || continue
    if kill -0 "$(<"$f")" 2>/dev/null; then log "Tributary pid $(<"$f") still running; kill -9"; kill -9 "$(<"$f")" 2>/dev/null || true; fi
    rm -f "$f"
  done
}

stop_tributary() { # round
  local dir i
  dir=$(trib_dir "$1")
  stop_tributary_dir "$dir"
  if [[ $KEEP_DATA != 1 ]]; then for ((i = 1; i <= NODES; i++)); do rm -rf "$dir/node-$i/data"; done; fi
}

# ---------------------------------------------------------------- lifecycle --

TOOL_PID=""
cleanup() {
  set +e
  if [[ -n "$TOOL_PID" ]] && kill -0 "$TOOL_PID" 2>/dev/null; then kill "$TOOL_PID" 2>/dev/null; wait "$TOOL_PID" 2>/dev/null; fi
  local d
  for d in "$OUT"/kafka-r*; do [[ -d "$d" ]] && stop_kafka_dir "$d"; done
  for d in "$OUT"/tributary-r*; do [[ -d "$d" ]] && stop_tributary_dir "$d"; done
  if [[ $KEEP_DATA != 1 ]]; then rm -rf "$OUT"/kafka-r*/node-*/data "$OUT"/tributary-r*/node-*/data; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_tool RAW CMD...: run a load tool in the background under SCENARIO_TIMEOUT, its output appended to RAW,
# and wait for it (an interrupt reaches the trap at once; the trap stops it). Sets TOOL_RC.
run_tool() {
  local raw=$1; shift
  timeout "$SCENARIO_TIMEOUT" "$@" >>"$raw" 2>&1 </dev/null &
  TOOL_PID=$!
  TOOL_RC=0
  wait "$TOOL_PID" || TOOL_RC=$?
  TOOL_PID=""
}

# ------------------------------------------------------------------ meters --

# Around every timed tool run: the CPU of each server process (utime + stime from /proc/PID/stat), of the load
# tool (bash `times` of this shell's waited-for children), and of everything else on the machine (all busy CPU
# from /proc/stat minus those two, per second of wall time: other_cpu_cores, as bench/run.sh measures it).
CLK_TCK=$(getconf CLK_TCK)
OTHER_CPU=NA

machine_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
pid_ticks() { # pid -> utime + stime, 0 if gone
  if [[ -r /proc/$1/stat ]]; then sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; else echo 0; fi
}
own_ticks() { # VAR: must run in this shell, not in $(...)
  times > "$OUT/.times"
  printf -v "$1" '%s' "$(awk -v hz="$CLK_TCK" '
    { for (i = 1; i <= NF; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } }
    END { printf "%d", t * hz }' "$OUT/.times")"
}
meter_start() {
  local p
  M_SRV0=()
  for p in "${SERVER_PIDS[@]}"; do M_SRV0+=("$(pid_ticks "$p")"); done
  M_T0=$(date +%s%N); M_BUSY0=$(machine_busy_ticks); own_ticks M_OWN0
}
meter_stop() { # round target scenario: sets OTHER_CPU and appends a row to cpu.tsv
  local t1 busy own i srv=0 row d wall
  t1=$(date +%s%N); busy=$(machine_busy_ticks); own_ticks own
  wall=$(awk -v ns=$((t1 - M_T0)) 'BEGIN { printf "%.2f", ns / 1e9 }')
  row="$1\t$2\t$3\t$wall"
  for ((i = 0; i < NODES; i++)); do
    d=$(( $(pid_ticks "${SERVER_PIDS[i]:-0}") - ${M_SRV0[i]:-0} ))
    (( d < 0 )) && d=0
    srv=$((srv + d))
    row+="\t$(awk -v t=$d -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz }')"
  done
  row+="\t$(awk -v t=$((own - M_OWN0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz }')"
  printf "$row\n" >> "$CPU_TSV"
  OTHER_CPU=$(awk -v b=$((busy - M_BUSY0)) -v s=$srv -v o=$((own - M_OWN0)) -v hz="$CLK_TCK" -v ns=$((t1 - M_T0)) \
    'BEGIN { x = (b - s - o) / hz / (ns / 1e9); if (x < 0) x = 0; printf "%.2f", x }')
}

# Before each target's run, wait (at most WAIT_QUIET s) until other processes use < 0.2 cores over 5 s.
wait_quiet() {
  local deadline=$((SECONDS + WAIT_QUIET)) a b x
  (( WAIT_QUIET > 0 )) || return 0
  while :; do
    a=$(machine_busy_ticks); sleep 5; b=$(machine_busy_ticks)
    x=$(awk -v d=$((b - a)) -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", d / hz / 5 }')
    if awk -v x="$x" 'BEGIN { exit !(x < 0.2) }'; then return 0; fi
    if (( SECONDS >= deadline )); then log "machine still busy ($x cores in use); measuring anyway"; return 0; fi
    log "machine busy ($x cores in use); waiting up to $((deadline - SECONDS)) s more"
  done
}

record() { # round target scenario rps mbps avg p99 join fetch_rps
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "$OTHER_CPU" >> "$RESULTS"
  OTHER_CPU=NA
}

# ---------------------------------------------------------------- scenarios --

# create_topic TARGET TOPIC RAW: PARTITIONS partitions, 3 replicas, min.insync.replicas=2; then wait until every
# partition has a leader and all three replicas in its ISR, so no run starts while followers are still joining.
create_topic() {
  local bs deadline=$((SECONDS + 60)) md
  bs=$(bootstrap_of "$1")
  timeout 120 java -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$bs" --create --topic "$2" --partitions "$PARTITIONS" --replication-factor 3 \
    --config min.insync.replicas=2 >>"$3" 2>&1 || return 1
  while (( SECONDS < deadline )); do
    md=$(timeout 10 kcat -L -b "$bs" -t "$2" 2>/dev/null || true)
    if [[ $(grep -cE 'partition [0-9]+, leader [0-9]+, replicas: [0-9]+,[0-9]+,[0-9]+, isrs: [0-9]+,[0-9]+,[0-9]+' <<< "$md") == "$PARTITIONS" ]]; then
      # For the record (and to see min.insync.replicas took): the tool's own describe, untimed.
      timeout 60 java -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "$bs" --describe --topic "$2" >>"$3" 2>&1 || true
      return 0
    fi
    sleep 0.5
  done
  echo "$md" >> "$3"
  log "topic $2: not every partition had a leader and 3 in-sync replicas after 60 s"
  return 1
}

# produce ROUND TARGET SCENARIO TOPIC COUNT THROUGHPUT
produce() {
  local round=$1 target=$2 scen=$3 topic=$4 count=$5 rate=$6 raw bs line
  raw="$OUT/$scen-$target-r$round.txt"
  bs=$(bootstrap_of "$target")
  log "$scen $(name_of "$target") round $round: $count x $RECORD_SIZE B, acks=all, throughput $rate -> $topic"
  if ! create_topic "$target" "$topic" "$raw"; then
    log "$scen: topic creation failed (see $raw)"; record "$round" "$target" "$scen" NA NA NA NA NA NA; return 1
  fi
  meter_start
  run_tool "$raw" java -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" \
    org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$bs" --topic "$topic" \
    --num-records "$count" --record-size "$RECORD_SIZE" --throughput "$rate" --command-property acks=all
  meter_stop "$round" "$target" "$scen"
  # 1000000 records sent, 41234.5 records/sec (40.27 MB/sec), 612.3 ms avg latency, 1500.00 ms max latency,
  #   600 ms 50th, 900 ms 95th, 1100 ms 99th, 1400 ms 99.9th.
  line=$(grep -E '^[0-9]+ records sent, .* 99\.9th' "$raw" | tail -n 1 || true)
  if [[ -z "$line" || ${line%% *} != "$count" ]]; then
    log "$scen: no complete summary line (exit $TOOL_RC, see $raw)"; record "$round" "$target" "$scen" NA NA NA NA NA NA; return 1
  fi
  record "$round" "$target" "$scen" \
    "$(sed -E 's/^.* records sent, ([0-9.]+) records\/sec.*$/\1/' <<< "$line")" \
    "$(sed -E 's/^.*records\/sec \(([0-9.]+) MB\/sec\).*$/\1/' <<< "$line")" \
    "$(sed -E 's/^.*MB\/sec\), ([0-9.]+) ms avg latency.*$/\1/' <<< "$line")" \
    "$(sed -E 's/^.*, ([0-9.]+) ms 99th,.*$/\1/' <<< "$line")" NA NA
}

# consume_kcat ROUND TARGET TOPIC EXPECTED: every partition from offset 0 to its end, no group; timed from
# process start to exit. -f '.' prints one byte per record, so the output's size counts them.
consume_kcat() {
  local round=$1 target=$2 topic=$3 expected=$4 scen=C1 raw bs t0 t1 count
  raw="$OUT/$scen-$target-r$round.txt"
  bs=$(bootstrap_of "$target")
  log "$scen $(name_of "$target") round $round: kcat reads $expected records of $topic"
  meter_start
  t0=$(date +%s%N)
  timeout "$SCENARIO_TIMEOUT" kcat -C -b "$bs" -t "$topic" -o beginning -e -q -f '.' >"$OUT/.kcat" 2>>"$raw" </dev/null &
  TOOL_PID=$!; TOOL_RC=0; wait "$TOOL_PID" || TOOL_RC=$?; TOOL_PID=""
  t1=$(date +%s%N)
  meter_stop "$round" "$target" "$scen"
  count=$(wc -c < "$OUT/.kcat"); rm -f "$OUT/.kcat"
  echo "kcat exit=$TOOL_RC messages=$count elapsed_ns=$((t1 - t0))" >> "$raw"
  if (( TOOL_RC != 0 || count != expected )); then
    log "$scen: kcat exit $TOOL_RC, read $count of $expected (see $raw)"; record "$round" "$target" "$scen" NA NA NA NA NA NA; return 1
  fi
  record "$round" "$target" "$scen" \
    "$(awk -v c="$count" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", c / (ns / 1e9) }')" \
    "$(awk -v c="$count" -v s="$RECORD_SIZE" -v ns=$((t1 - t0)) 'BEGIN { printf "%.2f", c * s / 1048576 / (ns / 1e9) }')" \
    NA NA NA NA
}

# consume_group ROUND TARGET TOPIC COUNT: ConsumerPerformance with a fresh group; its rates include the join.
consume_group() {
  local round=$1 target=$2 topic=$3 count=$4 scen=C2 raw bs line got
  raw="$OUT/$scen-$target-r$round.txt"
  bs=$(bootstrap_of "$target")
  log "$scen $(name_of "$target") round $round: ConsumerPerformance (group) reads $count records of $topic"
  meter_start
  run_tool "$raw" java -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" \
    org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$bs" --topic "$topic" \
    --num-records "$count" --group "bench-$STAMP-$target-r$round" --timeout 60000
  meter_stop "$round" "$target" "$scen"
  # start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
  # fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  line=$(grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} ' "$raw" | tail -n 1 || true)
  got=$(awk -F', *' '{ print $5 }' <<< "$line")
  if [[ -z "$line" || "$got" != "$count" ]]; then
    log "$scen: consumed '${got:-?}' of $count (exit $TOOL_RC, see $raw)"; record "$round" "$target" "$scen" NA NA NA NA NA NA; return 1
  fi
  record "$round" "$target" "$scen" "$(awk -F', *' '{ print $6 }' <<< "$line")" \
    "$(awk -F', *' '{ print $4 }' <<< "$line")" NA NA "$(awk -F', *' '{ print $7 }' <<< "$line")" \
    "$(awk -F', *' '{ print $10 }' <<< "$line")"
}

settle() { sync; sleep 2; }

# idle ROUND TARGET: the servers' CPU over 5 s with no client (heartbeats, elections, background threads).
idle() {
  meter_start; sleep 5; meter_stop "$1" "$2" idle; OTHER_CPU=NA
}

# warmup ROUND TARGET TOPIC: untimed produce and read-back of WARMUP_N records, nothing recorded.
warmup() {
  local round=$1 target=$2 topic=$3 raw bs
  raw="$OUT/warmup-$target-r$round.txt"
  bs=$(bootstrap_of "$target")
  log "warm-up $(name_of "$target") round $round: $WARMUP_N x $RECORD_SIZE B, acks=all, and read back (not measured)"
  create_topic "$target" "$topic" "$raw" || { log "warm-up: topic creation failed (see $raw)"; return 0; }
  run_tool "$raw" java -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" \
    org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$bs" --topic "$topic" \
    --num-records "$WARMUP_N" --record-size "$RECORD_SIZE" --throughput -1 --command-property acks=all
  run_tool "$raw" kcat -C -b "$bs" -t "$topic" -o beginning -e -q -f ''
}

run_target() { # target round
  local target=$1 round=$2 topic="bench-$STAMP-r$2" s
  wait_quiet
  log "starting a $NODES-node $(name_of "$target") cluster (round $round)"
  if ! "start_$target" "$round"; then
    log "$(name_of "$target") failed to start in round $round"
    "stop_$target" "$round" || true
    for s in P C1 C2 PL; do record "$round" "$target" "$s" NA NA NA NA NA NA; done
    return 0
  fi
  if (( WARMUP_N > 0 )); then warmup "$round" "$target" "$topic-warmup"; settle; fi
  if produce "$round" "$target" P "$topic" "$N" -1; then
    settle
    consume_kcat "$round" "$target" "$topic" "$N" || true
    if [[ $GROUP_CONSUMER == 1 ]]; then
      settle
      consume_group "$round" "$target" "$topic" "$N" || true
    fi
  else
    record "$round" "$target" C1 NA NA NA NA NA NA
    [[ $GROUP_CONSUMER == 1 ]] && record "$round" "$target" C2 NA NA NA NA NA NA
  fi
  if (( LAT_N > 0 )); then
    settle
    produce "$round" "$target" PL "$topic-lat" "$LAT_N" "$LAT_RATE" || true
  fi
  settle
  idle "$round" "$target"
  "stop_$target" "$round"
}

# ------------------------------------------------------------------ summary --

median_of() { # reads numbers on stdin -> median, or n/a
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
median() { # target scenario column -> "value" or "value (k/R ok)"
  local m ok
  ok=$(awk -F'\t' -v t="$1" -v s="$2" -v c="$3" 'NR > 1 && $2 == t && $3 == s && $c != "NA" && $c != "" { n++ } END { print n + 0 }' "$RESULTS")
  m=$(awk -F'\t' -v t="$1" -v s="$2" -v c="$3" 'NR > 1 && $2 == t && $3 == s && $c != "NA" && $c != "" { print $c }' "$RESULTS" | median_of)
  if [[ $m != n/a ]] && (( ok < ROUNDS )); then m="$m ($ok/$ROUNDS ok)"; fi
  echo "$m"
}
# cpu_median target scenario what: what = server (sum of the nodes' CPU seconds per second of wall time, cores),
# maxnode (busiest node, cores), client (cores), per1k (server CPU ms per 1,000 records)
cpu_median() {
  local count=$N
  [[ $2 == PL ]] && count=$LAT_N
  awk -F'\t' -v t="$1" -v s="$2" -v w="$3" -v n="$count" 'NR > 1 && $2 == t && $3 == s && $4 > 0 {
      srv = $5 + $6 + $7; mx = $5; if ($6 > mx) mx = $6; if ($7 > mx) mx = $7
      if (w == "server") print srv / $4; else if (w == "maxnode") print mx / $4
      else if (w == "client") print $8 / $4; else print srv * 1000 / (n / 1000) }' "$CPU_TSV" | median_of
}
fmt() { # value decimals (keeps a "(k/R ok)" note)
  local v=${1%% *} rest=""
  [[ "$1" == *" "* ]] && rest=" ${1#* }"
  if [[ "$v" == "n/a" ]]; then echo "n/a"; return; fi
  if [[ $2 == 0 ]]; then
    printf "%s%s\n" "$(printf '%.0f' "$v" | sed -E ':a;s/^([0-9]+)([0-9]{3})/\1,\2/;ta')" "$rest"
  else
    printf "%.${2}f%s\n" "$v" "$rest"
  fi
}
ratio() { # ours theirs
  local a=${1%% *} b=${2%% *}
  awk -v a="$a" -v b="$b" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2fx\n", a / b }'
}
has_target() { [[ ",$TARGETS," == *",$1,"* ]]; }
row() { # title metric scenario column decimals
  local k=n/a t=n/a kf="not run" tf="not run"
  if has_target kafka; then k=$(median kafka "$3" "$4"); kf=$(fmt "$k" "$5"); fi
  if has_target tributary; then t=$(median tributary "$3" "$4"); tf=$(fmt "$t" "$5"); fi
  echo "| $1 | $2 | $kf | $tf | $(ratio "$t" "$k") |"
}
cpu_row() { # title metric scenario what decimals
  local k=n/a t=n/a
  has_target kafka && k=$(cpu_median kafka "$3" "$4")
  has_target tributary && t=$(cpu_median tributary "$3" "$4")
  echo "| $1 | $2 | $(fmt "$k" "$5") | $(fmt "$t" "$5") | $(ratio "$t" "$k") |"
}

write_summary() {
  local other omed omax p c1 c2 pl
  p="P produce $(fmt "$N" 0) x $RECORD_SIZE B, acks=all"
  c1="C1 consume $(fmt "$N" 0), kcat, no group"
  c2="C2 consume $(fmt "$N" 0), ConsumerPerformance, group"
  pl="PL produce $(fmt "$LAT_N" 0) at $(fmt "$LAT_RATE" 0)/s, acks=all"
  {
    echo "## 3-node Tributary vs 3-broker Apache Kafka 4.3.1 — $STAMP"
    echo
    echo "Medians of $ROUNDS round(s), targets alternating each round, fresh clusters each round; one machine"
    echo "($(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(java -version 2>&1 | head -n 1))."
    echo "Apache Kafka: 3 combined broker+controller processes (KRaft, one dynamic quorum of the three). Tributary:"
    echo "\`bin/cluster up 3\`. Every server process \`$HEAP_OPTS\`. Topics: $PARTITIONS partitions, replication factor 3,"
    echo "min.insync.replicas=2. Load: Apache Kafka 4.3.1 tools over all three brokers; producer defaults apart from"
    echo "acks=all. Before the measured runs each cluster served $(fmt "$WARMUP_N" 0) records (produce and read back, not"
    echo "measured). MB = MiB. Latency = ProducerPerformance's send latency. Ratio = Tributary / Apache Kafka."
    echo "Tributary commit: $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)."
    other=$(awk -F'\t' 'NR > 1 && $10 != "NA" { print $10 }' "$RESULTS" | sort -g | awk '
      { v[NR] = $1 } END { if (NR) printf "%s %s", v[int((NR + 1) / 2)], v[NR] }')
    if [[ -n "$other" ]]; then
      read -r omed omax <<< "$other"
      echo "CPU used by processes outside the benchmark while measuring: median $omed, max $omax cores."
      if awk -v m="$omax" 'BEGIN { exit !(m > 0.2) }'; then
        echo
        echo "**Warning: other work used up to $omax cores during some measurements; those rows are noisy.**"
      fi
    fi
    echo
    echo "| Scenario | Metric | Apache Kafka (median) | Tributary (median) | Ratio |"
    echo "|---|---|---:|---:|---:|"
    row "$p" "records/s" P 4 0
    row "$p" "MB/s" P 5 2
    row "$p" "avg latency ms (lower is better)" P 6 1
    row "$p" "p99 latency ms (lower is better)" P 7 0
    row "$c1" "records/s" C1 4 0
    row "$c1" "MB/s" C1 5 2
    if [[ $GROUP_CONSUMER == 1 ]]; then
      row "$c2" "records/s (with the join)" C2 4 0
      row "$c2" "MB/s" C2 5 2
      row "$c2" "join (rebalance) ms" C2 8 0
      row "$c2" "records/s after the join" C2 9 0
    fi
    if (( LAT_N > 0 )); then
      row "$pl" "avg latency ms (lower is better)" PL 6 1
      row "$pl" "p99 latency ms (lower is better)" PL 7 0
    fi
    echo
    echo "Server CPU (from /proc/PID/stat of the three server processes; cores = CPU seconds per second of the run):"
    echo
    echo "| Scenario | Metric | Apache Kafka (median) | Tributary (median) | Ratio |"
    echo "|---|---|---:|---:|---:|"
    cpu_row "idle, 5 s with no client, after the runs" "3 servers, cores" idle server 2
    local s title
    for s in P C1 C2 PL; do
      case $s in P) title=$p ;; C1) title=$c1 ;; C2) title=$c2; [[ $GROUP_CONSUMER == 1 ]] || continue ;;
                 PL) title=$pl; (( LAT_N > 0 )) || continue ;; esac
      cpu_row "$title" "3 servers, cores" "$s" server 2
      cpu_row "$title" "busiest server, cores" "$s" maxnode 2
      cpu_row "$title" "server CPU ms per 1,000 records" "$s" per1k 1
      cpu_row "$title" "load tool, cores" "$s" client 2
    done
  } > "$OUT/summary.md"
}

# --------------------------------------------------------------------- main --

"$BENCH_DIR/install-tools.sh"
"$BENCH_DIR/fetch-kafka.sh" >&2
if has_target tributary && [[ ! -f "$TRIB_JAR" ]]; then
  [[ $SKIP_BUILD == 1 ]] && { echo "cluster-run.sh: $TRIB_JAR missing and SKIP_BUILD=1" >&2; exit 1; }
  log "building Tributary (mvn -q -DskipTests package) ..."
  (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never -DskipTests package)
fi

log "output in $OUT (ROUNDS=$ROUNDS N=$N RECORD_SIZE=$RECORD_SIZE PARTITIONS=$PARTITIONS LAT_N=$LAT_N LAT_RATE=$LAT_RATE TARGETS=$TARGETS NODE_HEAP=$NODE_HEAP)"
for (( round = 1; round <= ROUNDS; round++ )); do
  for target in "${TARGET_LIST[@]}"; do
    run_target "$target" "$round"
  done
done

write_summary
echo
cat "$OUT/summary.md"
echo
log "raw output, server logs, results.tsv and cpu.tsv in $OUT"
