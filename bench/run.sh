#!/usr/bin/env bash
# Tributary vs Apache Kafka throughput benchmark.
#
# For each round, for each target (alternating: kafka, tributary, kafka, ...):
# start the server on a wiped data dir, run the scenarios below with the SAME
# Apache Kafka 4.3.1 load-tool jars, stop the server. Then print medians.
#
#   P1  ProducerPerformance, N  x 100 B records, acks=1,   --throughput -1
#   C1  kcat reads the P1 topic from the beginning, no consumer group
#   C2  ConsumerPerformance (consumer group) on the P1 topic  [CONSUMER_PERF=1]
#   P2  ProducerPerformance, N2 x 1024 B records, acks=all, --throughput -1
#
# Environment:
#   ROUNDS=3  N=5000000  N2=1000000  TARGETS=kafka,tributary
#   SKIP_BUILD=0       1: never build target/tributary.jar (fail if missing)
#   CONSUMER_PERF=0    1: also run C2 (needs consumer groups on the server)
#   KAFKA_PORT=29092 KAFKA_CTRL_PORT=29093 TRIB_PORT=19092
#   SCENARIO_TIMEOUT=900   seconds before one scenario is killed and marked failed
#   WAIT_QUIET=120     max seconds to wait, before each target's run, for other
#                      processes to leave the CPU idle (0: don't wait)
#   SERVER_JVM_OPTS="-Xmx1g -Xms1g"   given to both servers
#
# Output: bench/out/<timestamp>/ (raw tool output, server logs, results.tsv,
# summary.md); the summary table is also printed on stdout.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"

ROUNDS="${ROUNDS:-3}"
N="${N:-5000000}"
N2="${N2:-1000000}"
TARGETS="${TARGETS:-kafka,tributary}"
SKIP_BUILD="${SKIP_BUILD:-0}"
CONSUMER_PERF="${CONSUMER_PERF:-0}"
KAFKA_PORT="${KAFKA_PORT:-29092}"
TRIB_PORT="${TRIB_PORT:-19092}"
SCENARIO_TIMEOUT="${SCENARIO_TIMEOUT:-900}"
WAIT_QUIET="${WAIT_QUIET:-120}"
export KAFKA_PORT TRIB_PORT SKIP_BUILD SERVER_JVM_OPTS

IFS=',' read -r -a TARGET_LIST <<< "$TARGETS"
for t in "${TARGET_LIST[@]}"; do
  case "$t" in kafka|tributary) ;; *) echo "run.sh: unknown target '$t' (use kafka,tributary)" >&2; exit 2 ;; esac
done

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="$BENCH_DIR/out/$STAMP"
mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"
printf 'round\ttarget\tscenario\trecords_per_sec\tmb_per_sec\tp99_ms\tother_cpu_cores\n' > "$RESULTS"

# ---------------------------------------------------------------- lifecycle --

stop_all() {
  "$BENCH_DIR/stop-apache-kafka.sh" || true
  "$BENCH_DIR/stop-tributary.sh" || true
}
# Never leave a server running, whatever happens.
trap 'stop_all' EXIT
trap 'exit 130' INT TERM

port_of() { if [[ $1 == kafka ]]; then echo "$KAFKA_PORT"; else echo "$TRIB_PORT"; fi; }
name_of() { if [[ $1 == kafka ]]; then echo "Apache Kafka"; else echo "Tributary"; fi; }

start_target() { # target round
  local log_file="$OUT/server-$1-r$2.log"
  local script="$BENCH_DIR/start-tributary.sh"
  SERVER_PID_FILE="$CACHE_DIR/tributary.pid"
  if [[ $1 == kafka ]]; then
    script="$BENCH_DIR/start-apache-kafka.sh"; SERVER_PID_FILE="$CACHE_DIR/kafka.pid"
  fi
  SERVER_LOG="$log_file" "$script" || return 1
  wait_ready "$1" || return 1
}

stop_target() {
  if [[ $1 == kafka ]]; then "$BENCH_DIR/stop-apache-kafka.sh"; else "$BENCH_DIR/stop-tributary.sh"; fi
}

# An open port is not a ready broker: wait until a Metadata request succeeds.
wait_ready() {
  local bs deadline=$((SECONDS + 60))
  bs="$BENCH_HOST:$(port_of "$1")"
  while (( SECONDS < deadline )); do
    if timeout 10 kcat -L -b "$bs" -m 5 >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$(name_of "$1") on $bs never answered Metadata"
  return 1
}

# Let the OS write back dirty pages between scenarios so one scenario's
# writeback does not land in the next one's measurement. Not timed.
settle() { sync; sleep 2; }

# ---------------------------------------------------------------- scenarios --

# ---- noise meter. This machine may be shared (other sessions' builds, tests,
# servers). Around each timed tool run we measure how much CPU was used by
# processes that are NOT part of the benchmark:
#   all busy CPU (from /proc/stat, steal included)
#   - the server's CPU (/proc/PID/stat)
#   - this script's and its waited-for children's CPU (bash `times`: the tool
#     JVMs, kcat, ...)
# divided by wall time = "other CPU" in cores. Near 0 means a quiet machine.
CLK_TCK=$(getconf CLK_TCK)
SERVER_PID_FILE=""
OTHER_CPU=NA

machine_busy_ticks() { # user nice system irq softirq steal
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}
server_ticks() { # utime + stime of the running server, 0 if none
  local pid
  pid=$(cat "$SERVER_PID_FILE" 2>/dev/null || true)
  if [[ -n "$pid" && -r /proc/$pid/stat ]]; then
    # Fields after the ")" that closes the command name; utime/stime are 14/15.
    sed -E 's/^.*\) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'
  else
    echo 0
  fi
}
# own_ticks VAR: CPU ticks of this shell + its waited-for descendants, from
# bash `times`. It must run in this shell (not in a $(...) subshell, which
# would report only itself), hence the file and the variable name.
own_ticks() {
  times > "$OUT/.times"
  printf -v "$1" '%s' "$(awk -v hz="$CLK_TCK" '
    { for (i = 1; i <= NF; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } }
    END { printf "%d", t * hz }' "$OUT/.times")"
}
meter_start() {
  M_T0=$(date +%s%N); M_BUSY0=$(machine_busy_ticks)
  M_SRV0=$(server_ticks); own_ticks M_OWN0
}
meter_stop() { # sets OTHER_CPU (cores, 2 decimals)
  local t1 busy srv own
  t1=$(date +%s%N); busy=$(machine_busy_ticks); srv=$(server_ticks); own_ticks own
  OTHER_CPU=$(awk -v b=$((busy - M_BUSY0)) -v s=$((srv - M_SRV0)) -v o=$((own - M_OWN0)) \
                  -v hz="$CLK_TCK" -v ns=$((t1 - M_T0)) \
    'BEGIN { x = (b - s - o) / hz / (ns / 1e9); if (x < 0) x = 0; printf "%.2f", x }')
}

# Before each target's run, wait (at most WAIT_QUIET seconds) until other
# processes use less than 0.2 cores over a 5 s window, so that neighbours'
# builds or tests are less likely to land in a measurement.
wait_quiet() {
  local deadline=$((SECONDS + WAIT_QUIET))
  (( WAIT_QUIET > 0 )) || return 0
  while :; do
    meter_start; sleep 5; meter_stop
    if awk -v x="$OTHER_CPU" 'BEGIN { exit !(x < 0.2) }'; then break; fi
    if (( SECONDS >= deadline )); then
      log "machine still busy (other processes use $OTHER_CPU cores); measuring anyway"
      break
    fi
    log "machine busy (other processes use $OTHER_CPU cores); waiting up to $((deadline - SECONDS)) s more"
  done
  OTHER_CPU=NA
}

record() { # round target scenario rps mbps p99
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "$OTHER_CPU" >> "$RESULTS"
  OTHER_CPU=NA
}

create_topic() { # bootstrap topic rawfile
  timeout 120 java -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$1" \
    --create --topic "$2" --partitions 1 --replication-factor 1 >>"$3" 2>&1
}

# produce ROUND TARGET SCENARIO TOPIC COUNT SIZE ACKS
produce() {
  local round=$1 target=$2 scen=$3 topic=$4 count=$5 size=$6 acks=$7
  local bs
  bs="$BENCH_HOST:$(port_of "$target")"
  local raw="$OUT/$scen-$target-r$round.txt"
  log "$scen $(name_of "$target") round $round: $count x ${size} B, acks=$acks -> $topic"
  if ! create_topic "$bs" "$topic" "$raw"; then
    log "$scen: topic creation failed (see $raw)"; record "$round" "$target" "$scen" NA NA NA; return 1
  fi
  # Default producer settings apart from acks (batch.size, linger.ms, ...).
  meter_start
  timeout "$SCENARIO_TIMEOUT" java -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" \
    org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$bs" --topic "$topic" \
    --num-records "$count" --record-size "$size" --throughput -1 \
    --command-property "acks=$acks" >>"$raw" 2>&1 || true
  meter_stop
  # Final summary line, e.g.:
  # 5000000 records sent, 812345.6 records/sec (77.47 MB/sec), 30.1 ms avg latency,
  #   400.00 ms max latency, 25 ms 50th, 70 ms 95th, 90 ms 99th, 120 ms 99.9th.
  # (The periodic progress lines lack the percentiles.)
  local line
  line=$(grep -E '^[0-9]+ records sent, .* 99\.9th' "$raw" | tail -n 1 || true)
  if [[ -z "$line" ]] || [[ ${line%% *} != "$count" ]]; then
    log "$scen: no complete summary line (see $raw)"; record "$round" "$target" "$scen" NA NA NA; return 1
  fi
  local rps mbps p99
  rps=$(sed -E 's/^.* records sent, ([0-9.]+) records\/sec.*$/\1/' <<< "$line")
  mbps=$(sed -E 's/^.*records\/sec \(([0-9.]+) MB\/sec\).*$/\1/' <<< "$line")
  p99=$(sed -E 's/^.*, ([0-9.]+) ms 99th,.*$/\1/' <<< "$line")
  record "$round" "$target" "$scen" "$rps" "$mbps" "$p99"
}

# consume_kcat ROUND TARGET TOPIC EXPECTED_COUNT RECORD_SIZE
# Group-less fetch of partition 0 from offset 0 until end of partition; timed
# end to end (process start to exit, including connect and metadata).
consume_kcat() {
  local round=$1 target=$2 topic=$3 expected=$4 size=$5 scen=C1
  local bs
  bs="$BENCH_HOST:$(port_of "$target")"
  local raw="$OUT/$scen-$target-r$round.txt"
  log "$scen $(name_of "$target") round $round: kcat reads $expected records of $topic"
  # -f '.' prints one byte per message, so `wc -c` counts messages cheaply.
  # (An empty -f '' prints nothing and could not be counted.)
  local t0 t1 count rc=0
  meter_start
  t0=$(date +%s%N)
  count=$(timeout "$SCENARIO_TIMEOUT" kcat -C -b "$bs" -t "$topic" -p 0 -o beginning -e -q -f '.' \
            2>>"$raw" | wc -c) || rc=$?
  t1=$(date +%s%N)
  meter_stop
  echo "kcat exit=$rc messages=$count elapsed_ns=$((t1 - t0))" >> "$raw"
  if (( rc != 0 || count != expected )); then
    log "$scen: kcat exit $rc, read $count of $expected (see $raw)"; record "$round" "$target" "$scen" NA NA NA; return 1
  fi
  local rps mbps
  rps=$(awk -v c="$count" -v ns="$((t1 - t0))" 'BEGIN { printf "%.1f", c / (ns / 1e9) }')
  mbps=$(awk -v c="$count" -v s="$size" -v ns="$((t1 - t0))" 'BEGIN { printf "%.2f", c * s / 1048576 / (ns / 1e9) }')
  record "$round" "$target" "$scen" "$rps" "$mbps" NA
}

# consume_perf ROUND TARGET TOPIC COUNT: ConsumerPerformance with a fresh group.
consume_perf() {
  local round=$1 target=$2 topic=$3 count=$4 scen=C2
  local bs
  bs="$BENCH_HOST:$(port_of "$target")"
  local raw="$OUT/$scen-$target-r$round.txt"
  log "$scen $(name_of "$target") round $round: ConsumerPerformance reads $count records of $topic"
  meter_start
  timeout "$SCENARIO_TIMEOUT" java -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" \
    org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$bs" --topic "$topic" \
    --num-records "$count" --group "bench-$STAMP-$target-r$round" >>"$raw" 2>&1 || true
  meter_stop
  # Header: start.time, end.time, data.consumed.in.MB, MB.sec,
  #         data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, ...
  local line
  line=$(grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} ' "$raw" | tail -n 1 || true)
  local got
  got=$(awk -F', *' '{ print $5 }' <<< "$line")
  if [[ -z "$line" || "$got" != "$count" ]]; then
    log "$scen: consumed '${got:-?}' of $count (see $raw)"; record "$round" "$target" "$scen" NA NA NA; return 1
  fi
  record "$round" "$target" "$scen" "$(awk -F', *' '{ print $6 }' <<< "$line")" \
         "$(awk -F', *' '{ print $4 }' <<< "$line")" NA
}

run_target() { # target round
  local target=$1 round=$2 p1_topic="p1-$STAMP-r$2" p2_topic="p2-$STAMP-r$2"
  wait_quiet
  if ! start_target "$target" "$round"; then
    # A server that does not come up fails this round, not the whole benchmark.
    log "$(name_of "$target") failed to start in round $round (see $OUT/server-$target-r$round.log)"
    stop_target "$target" || true
    local s
    for s in P1 C1 P2; do record "$round" "$target" "$s" NA NA NA; done
    [[ $CONSUMER_PERF == 1 ]] && record "$round" "$target" C2 NA NA NA
    return 0
  fi
  if produce "$round" "$target" P1 "$p1_topic" "$N" 100 1; then
    settle
    consume_kcat "$round" "$target" "$p1_topic" "$N" 100 || true
    if [[ $CONSUMER_PERF == 1 ]]; then
      settle
      consume_perf "$round" "$target" "$p1_topic" "$N" || true
    fi
  else
    record "$round" "$target" C1 NA NA NA
    [[ $CONSUMER_PERF == 1 ]] && record "$round" "$target" C2 NA NA NA
  fi
  settle
  produce "$round" "$target" P2 "$p2_topic" "$N2" 1024 all || true
  stop_target "$target"
}

# ------------------------------------------------------------------ summary --

# median TARGET SCENARIO COLUMN -> "value" or "value (k/R)" if some rounds
# failed, or "n/a" if all did.
median() {
  local vals ok
  vals=$(awk -F'\t' -v t="$1" -v s="$2" -v c="$3" \
           'NR > 1 && $2 == t && $3 == s && $c != "NA" { print $c }' "$RESULTS" | sort -g)
  ok=$(grep -c . <<< "$vals" || true)
  if (( ok == 0 )); then echo "n/a"; return; fi
  awk -v ok="$ok" -v rounds="$ROUNDS" '
    { v[NR] = $1 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%s", m
      if (ok < rounds) printf " (%d/%d ok)", ok, rounds
      print ""
    }' <<< "$vals"
}

fmt() { # value decimals: pretty-print, keep annotations / n/a
  local v=${1%% *} rest="" 
  [[ "$1" == *" "* ]] && rest=" ${1#* }"
  if [[ "$v" == "n/a" ]]; then echo "n/a"; return; fi
  if [[ $2 == 0 ]]; then
    # thousands separators for readability
    printf "%s%s\n" "$(printf '%.0f' "$v" | sed -E ':a;s/^([0-9]+)([0-9]{3})/\1,\2/;ta')" "$rest"
  else
    printf "%.${2}f%s\n" "$v" "$rest"
  fi
}

ratio() { # ours theirs
  local a=${1%% *} b=${2%% *}
  if [[ "$a" == "pending" ]]; then echo "pending"; return; fi
  if [[ "$a" == "n/a" || "$b" == "n/a" || "$b" == "not" ]]; then echo "n/a"; return; fi
  awk -v a="$a" -v b="$b" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2fx\n", a / b }'
}

scenario_title() {
  case $1 in
    P1) echo "P1 produce ${N} x 100 B, acks=1" ;;
    P2) echo "P2 produce ${N2} x 1 KiB, acks=all" ;;
    C1) echo "C1 consume ${N} x 100 B, kcat, no group" ;;
    C2) echo "C2 consume ${N} x 100 B, ConsumerPerformance (group)" ;;
  esac
}

has_target() { [[ ",$TARGETS," == *",$1,"* ]]; }

write_summary() {
  local scenarios=(P1 C1)
  [[ $CONSUMER_PERF == 1 ]] && scenarios+=(C2)
  scenarios+=(P2)
  {
    echo "## Tributary vs Apache Kafka 4.3.1 — $STAMP"
    echo
    echo "Medians of $ROUNDS round(s), targets alternating each round; same machine"
    echo "($(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
         "$(java -version 2>&1 | head -n 1)), same Apache Kafka 4.3.1 load-tool jars," \
         "server JVM flags \`$SERVER_JVM_OPTS\`. MB = MiB. p99 = producer send latency."
    echo "Tributary commit: $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)."
    # Warn when something else was using the CPU during the measurements:
    # the numbers then measure the neighbours as much as the servers.
    local other omed omax
    other=$(awk -F'\t' 'NR > 1 && $7 != "NA" { print $7 }' "$RESULTS" | sort -g | awk '
      { v[NR] = $1 } END { if (NR) printf "%s %s", v[int((NR + 1) / 2)], v[NR] }')
    if [[ -n "$other" ]]; then
      read -r omed omax <<< "$other"
      echo "CPU used by processes outside the benchmark while measuring: median $omed," \
           "max $omax cores (of $(nproc)); per run in results.tsv, column other_cpu_cores."
      if awk -v m="$omax" 'BEGIN { exit !(m > 0.2) }'; then
        echo
        echo "**Warning: other work used up to $omax cores during some measurements;"
        echo "those rows are noisy. Compare rows with a low other_cpu_cores, or rerun on a quiet machine.**"
      fi
    fi
    echo
    echo "| Scenario | Metric | Apache Kafka (median) | Tributary (median) | Ratio ours/theirs |"
    echo "|---|---|---:|---:|---:|"
    local s col metric dec k t note
    for s in "${scenarios[@]}"; do
      for col in 4 5 6; do
        case $col in
          4) metric="records/s"; dec=0 ;;
          5) metric="MB/s"; dec=2 ;;
          6) metric="p99 latency (ms, lower is better)"; dec=0 ;;
        esac
        [[ $col == 6 && $s == C* ]] && continue   # consumers report no latency
        if has_target kafka; then k=$(median kafka "$s" "$col"); else k="not run"; fi
        if has_target tributary; then t=$(median tributary "$s" "$col"); else t="pending"; fi
        note=$(ratio "$t" "$k")
        [[ "$k" != "not run" ]] && k=$(fmt "$k" "$dec")
        [[ "$t" != "pending" ]] && t=$(fmt "$t" "$dec")
        echo "| $(scenario_title "$s") | $metric | $k | $t | $note |"
      done
    done
  } > "$OUT/summary.md"
}

# --------------------------------------------------------------------- main --

"$BENCH_DIR/install-tools.sh"
"$BENCH_DIR/fetch-kafka.sh" >&2
stop_all 2>/dev/null   # leftovers from an interrupted earlier run, if any
# Build Tributary up front so a broken build fails before any measurement.
if has_target tributary && [[ ! -f "$REPO_DIR/target/tributary.jar" ]]; then
  if [[ $SKIP_BUILD == 1 ]]; then
    echo "run.sh: target/tributary.jar missing and SKIP_BUILD=1" >&2; exit 1
  fi
  log "building Tributary (mvn -q -DskipTests package) ..."
  (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never -DskipTests package)
fi

log "output in $OUT (ROUNDS=$ROUNDS N=$N N2=$N2 TARGETS=$TARGETS CONSUMER_PERF=$CONSUMER_PERF WAIT_QUIET=$WAIT_QUIET)"
for (( round = 1; round <= ROUNDS; round++ )); do
  for target in "${TARGET_LIST[@]}"; do
    run_target "$target" "$round"
  done
done

write_summary
echo
cat "$OUT/summary.md"
echo
log "raw output, server logs and results.tsv in $OUT"
