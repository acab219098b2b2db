#!/usr/bin/env bash
# Metrics benchmark (issue 12, must-show 5). Two parts:
#
#   scrape   Tributary with TOPICS x PARTITIONS partitions (default 100 x 100 = 10,000) and NGROUPS consumer
#            groups (default 1,000) committing PER_GROUP partitions each (default 10, one record behind, so
#            every group has lag in offsets and in seconds): time and size of GET /metrics, first scrape
#            (every lag timestamp looked up), SCRAPES more with nothing moving, one after every group
#            committed again. Load tool: io.tributary.bench.MetricsBench (test sources).
#   produce  bench/run.sh's produce scenarios (P1, P2; Tributary only) ROUNDS times without and ROUNDS times
#            with Debian's prometheus scraping the node's /metrics every 5 s, alternating, medians compared.
#
# Environment: PARTS=scrape,produce  TOPICS=100 PARTITIONS=100 NGROUPS=1000 PER_GROUP=10 SCRAPES=10
#              ROUNDS=3 N=2000000 N2=500000 (passed to run.sh)  TRIB_HTTP_PORT=18080 PROM_PORT=19090
# Run it alone on the machine (flock /work/cpu.lock bench/metrics-bench.sh). Output: bench/out/metrics-<stamp>/.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BENCH_DIR/lib.sh"

PARTS="${PARTS:-scrape,produce}"
TOPICS="${TOPICS:-100}"
PARTITIONS="${PARTITIONS:-100}"
GROUPS_N="${NGROUPS:-1000}"
PER_GROUP="${PER_GROUP:-10}"
SCRAPES="${SCRAPES:-10}"
ROUNDS="${ROUNDS:-3}"
N="${N:-2000000}"
N2="${N2:-500000}"
TRIB_PORT="${TRIB_PORT:-19092}"
TRIB_HTTP_PORT="${TRIB_HTTP_PORT:-18080}"
PROM_PORT="${PROM_PORT:-19090}"
export TRIB_PORT TRIB_HTTP_PORT

STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="$BENCH_DIR/out/metrics-$STAMP"
mkdir -p "$OUT"
PROM_PID=""
cleanup() {
  "$BENCH_DIR/stop-tributary.sh" >/dev/null 2>&1 || true
  if [[ -n "$PROM_PID" ]] && kill -0 "$PROM_PID" 2>/dev/null; then kill "$PROM_PID"; wait "$PROM_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ ",$PARTS," == *",scrape,"* ]]; then
  log "building the jar and the test classpath ..."
  (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never -DskipTests package dependency:build-classpath \
      -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=test >/dev/null)
  CP="$REPO_DIR/target/test-classes:$REPO_DIR/target/classes:$(<"$OUT/classpath.txt")"
  SERVER_LOG="$OUT/server-scrape.log" SERVER_JVM_OPTS="${SERVER_JVM_OPTS:--Xmx2g -Xms2g}" "$BENCH_DIR/start-tributary.sh"
  log "scrape: $((TOPICS * PARTITIONS)) partitions, $GROUPS_N groups x $PER_GROUP partitions"
  timeout 3600 java -Xmx1g -cp "$CP" io.tributary.bench.MetricsBench "$BENCH_HOST:$TRIB_PORT" \
      "http://$BENCH_HOST:$TRIB_HTTP_PORT" "$TOPICS" "$PARTITIONS" "$GROUPS_N" "$PER_GROUP" "$SCRAPES" \
      > "$OUT/scrape.tsv" 2> "$OUT/scrape.err"
  "$BENCH_DIR/stop-tributary.sh"
  {
    echo "## Scrape at $((TOPICS * PARTITIONS)) partitions and $GROUPS_N groups ($PER_GROUP partitions each)"
    echo
    echo "| scrape | ms | bytes | samples |"
    echo "|---|---|---|---|"
    awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$OUT/scrape.tsv"
    awk -F'\t' 'NR > 1 && $1 ~ /nothing moved/ { print $2 }' "$OUT/scrape.tsv" | sort -n \
      | awk '{ v[++n] = $1 } END { printf "\nnothing moved: median %s ms over %d scrapes\n", v[int((n + 1) / 2)], n }'
  } > "$OUT/scrape.md"
  cat "$OUT/scrape.md"
fi

if [[ ",$PARTS," == *",produce,"* ]]; then
  cat > "$OUT/prometheus.yml" <<EOC
global:
  scrape_interval: 5s
  scrape_timeout: 5s
scrape_configs:
  - job_name: tributary
    metrics_path: /metrics
    static_configs:
      - targets: ['$BENCH_HOST:$TRIB_HTTP_PORT']
EOC
  : > "$OUT/produce.tsv"
  for r in $(seq 1 "$ROUNDS"); do
    for mode in plain scraped; do
      if [[ $mode == scraped ]]; then
        rm -rf "$OUT/tsdb"
        prometheus --config.file="$OUT/prometheus.yml" --storage.tsdb.path="$OUT/tsdb" \
            --web.listen-address="$BENCH_HOST:$PROM_PORT" > "$OUT/prometheus-r$r.log" 2>&1 &
        PROM_PID=$!
      fi
      log "produce round $r, $mode"
      ROUNDS=1 N="$N" N2="$N2" TARGETS=tributary SKIP_BUILD=1 "$BENCH_DIR/run.sh" > "$OUT/run-$mode-r$r.md" 2> "$OUT/run-$mode-r$r.err" || true
      results=$(ls -td "$BENCH_DIR"/out/2*/ | head -1)/results.tsv
      awk -F'\t' -v m="$mode" -v r="$r" 'NR > 1 && $2 == "tributary" { print r "\t" m "\t" $3 "\t" $4 "\t" $6 "\t" $7 }' "$results" >> "$OUT/produce.tsv"
      if [[ $mode == scraped ]]; then
        # successful scrapes of the node (up == 1) during the round, and the slowest one
        ok=$(curl -s "http://$BENCH_HOST:$PROM_PORT/api/v1/query" --data-urlencode 'query=sum_over_time(up{job="tributary"}[30m])' \
             | sed -E 's/.*"value":\[[^,]*,"([0-9.]+)".*/\1/' || echo NA)
        slowest=$(curl -s "http://$BENCH_HOST:$PROM_PORT/api/v1/query" --data-urlencode 'query=max_over_time(scrape_duration_seconds{job="tributary"}[30m])' \
             | sed -E 's/.*"value":\[[^,]*,"([0-9.e-]+)".*/\1/' || echo NA)
        echo "round $r: Prometheus scraped the node $ok times (slowest scrape $slowest s)" >> "$OUT/prometheus-scrapes.txt"
        kill "$PROM_PID"; wait "$PROM_PID" 2>/dev/null || true; PROM_PID=""
      fi
    done
  done
  {
    echo "## Produce throughput with and without Prometheus scraping every 5 s (Tributary, $ROUNDS rounds, medians)"
    echo
    echo "| scenario | plain records/s | scraped records/s | scraped / plain | plain p99 ms | scraped p99 ms |"
    echo "|---|---|---|---|---|---|"
    for scen in P1 P2; do
      awk -F'\t' -v s="$scen" '
        function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        $3 == s && $4 != "NA" { if ($2 == "plain") { p[++np] = $4; pl[np] = $5 } else { q[++nq] = $4; ql[nq] = $5 } }
        END { if (np && nq) { a = med(p, np); b = med(q, nq); printf "| %s | %.0f | %.0f | %.3f | %s | %s |\n", s, a, b, b / a, med(pl, np), med(ql, nq) } }' "$OUT/produce.tsv"
    done
    echo
    cat "$OUT/prometheus-scrapes.txt" 2>/dev/null || true
  } > "$OUT/produce.md"
  cat "$OUT/produce.md"
fi
log "results in $OUT"
