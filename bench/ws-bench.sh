#!/usr/bin/env bash
# WebSocket benchmark (issue 11): records/s delivered to 1 and to TAILS concurrent /ws topic tails against
# Apache Kafka's kafka-console-consumer (4.3.1, its own JVM, stdout to /dev/null; the issue's reference) and a
# bare KafkaConsumer (a stricter second reference) reading the same records on the same node, and watch-event latency p50/p99 over /ws against
# the ZooKeeper protocol on the same node. Load tool: io.tributary.bench.WsBench (test sources), run on the
# test classpath against target/tributary.jar started by start-tributary.sh.
#
#   N=1000000 (records of 100 B)  TAILS=50  WATCHES=20000  WATCH_WARMUP=2000  ROUNDS=3
#   TRIB_PORT=19292 TRIB_ZK_PORT=12381 TRIB_HTTP_PORT=18080  SKIP_BUILD=0  SERVER_JVM_OPTS="-Xmx1g -Xms1g"
#
# Output: bench/out/ws-<timestamp>/ (each round's TSV, the server log, summary.md with medians).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"

N="${N:-1000000}"
TAILS="${TAILS:-50}"
WATCHES="${WATCHES:-20000}"
WATCH_WARMUP="${WATCH_WARMUP:-2000}"
ROUNDS="${ROUNDS:-3}"
export TRIB_PORT="${TRIB_PORT:-19292}" TRIB_ZK_PORT="${TRIB_ZK_PORT:-12381}" TRIB_HTTP_PORT="${TRIB_HTTP_PORT:-18080}"
export SKIP_BUILD="${SKIP_BUILD:-0}" SERVER_JVM_OPTS="${SERVER_JVM_OPTS:--Xmx1g -Xms1g}"

OUT="$BENCH_DIR/out/ws-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
trap '"$BENCH_DIR/stop-tributary.sh" || true' EXIT

"$BENCH_DIR/fetch-kafka.sh" >&2
# package (not only test-compile): start-tributary.sh runs target/tributary.jar, which must be this tree's.
(cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=test >/dev/null)
CP="$REPO_DIR/target/test-classes:$REPO_DIR/target/classes:$(<"$OUT/classpath.txt")"

for r in $(seq 1 "$ROUNDS"); do
  SERVER_LOG="$OUT/server-r$r.log" "$BENCH_DIR/start-tributary.sh"
  TOPIC="ws-bench-r$r-$(date +%s)"
  bench_args=("$TRIB_PORT" "$TRIB_ZK_PORT" "$TRIB_HTTP_PORT" "$N" "$TAILS" "$WATCHES" "$WATCH_WARMUP")
  timeout 600 java -Xmx1g -cp "$CP" io.tributary.bench.WsBench "${bench_args[@]}" produce "$TOPIC" 2>"$OUT/produce-r$r.err"
  # kafka-console-consumer as a user runs it, timed from launch to exit: N records, then 1 record (JVM start,
  # group join, first fetch), so the per-record rate can be given without the fixed start-up cost too.
  console() {
    local t0 t1
    t0=$(date +%s%N)
    timeout 600 java -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$KAFKA_LIBS/*" \
        org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$BENCH_HOST:$TRIB_PORT" --topic "$TOPIC" \
        --from-beginning --max-messages "$1" >/dev/null 2>>"$OUT/console-r$r.err"
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 ))
  }
  us_all=$(console "$N")
  us_one=$(console 1)
  timeout 1800 java -Xmx1g -cp "$CP" io.tributary.bench.WsBench "${bench_args[@]}" measure "$TOPIC" \
      2>"$OUT/load-r$r.err" | tee "$OUT/r$r.tsv"
  python3 -c "import sys; n,a,o=map(int,sys.argv[1:]); print(f'console\t{n/(a/1e6):.0f}\t\t'); print(f'console-net\t{(n-1)/((a-o)/1e6):.0f}\t\t')" \
      "$N" "$us_all" "$us_one" | tee -a "$OUT/r$r.tsv"
  "$BENCH_DIR/stop-tributary.sh"
done

python3 - "$OUT" "$ROUNDS" "$TAILS" <<'PY' | tee "$OUT/summary.md"
import sys, statistics, os
out, rounds, tails = sys.argv[1], int(sys.argv[2]), sys.argv[3]
vals = {}
for r in range(1, rounds + 1):
    for line in open(os.path.join(out, f"r{r}.tsv")).read().splitlines()[1:]:
        s, rate, p50, p99 = (line.split("\t") + ["", "", ""])[:4]
        vals.setdefault(s, []).append((rate, p50, p99))
med = lambda xs: statistics.median([float(x) for x in xs if x]) if any(xs) else None
c = med([v[0] for v in vals["consumer"]])
cc = med([v[0] for v in vals["console"]])
ccn = med([v[0] for v in vals["console-net"]])
t1 = med([v[0] for v in vals["tail1"]])
tn = med([v[0] for v in vals["tail" + tails]])
t1b = med([v[0] for v in vals["tail1-batch"]])
tnb = med([v[0] for v in vals["tail" + tails + "-batch"]])
ws50, ws99 = med([v[1] for v in vals["watch-ws"]]), med([v[2] for v in vals["watch-ws"]])
zk50, zk99 = med([v[1] for v in vals["watch-zk"]]), med([v[2] for v in vals["watch-zk"]])
print(f"| scenario | median of {rounds} | vs reference |")
print("|---|---|---|")
print(f"| kafka-console-consumer, records/s (launch to exit) | {cc:,.0f} | the issue's reference |")
print(f"| kafka-console-consumer, records/s without start-up (N - 1 records in t(N) - t(1)) | {ccn:,.0f} | stricter |")
print(f"| KafkaConsumer in the load tool, records/s | {c:,.0f} | strictest |")
print(f"| 1 /ws tail, records/s | {t1:,.0f} | {t1 / cc:.2f}x / {t1 / ccn:.2f}x / {t1 / c:.2f}x (target >= 0.50 of the console consumer) |")
print(f"| 1 /ws tail, batch: true, records/s | {t1b:,.0f} | {t1b / cc:.2f}x / {t1b / ccn:.2f}x / {t1b / c:.2f}x |")
print(f"| {tails} /ws tails, aggregate records/s | {tn:,.0f} | {tn / int(tails):,.0f} per tail |")
print(f"| {tails} /ws tails, batch: true, aggregate records/s | {tnb:,.0f} | {tnb / int(tails):,.0f} per tail |")
print(f"| watch over /ws, p50 / p99 µs | {ws50:.0f} / {ws99:.0f} | p99 {ws99 / zk99:.2f}x the ZooKeeper protocol's (target <= 1.5) |")
print(f"| watch over the ZooKeeper protocol, p50 / p99 µs | {zk50:.0f} / {zk99:.0f} | reference |")
PY
