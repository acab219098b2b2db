#!/usr/bin/env bash
# Helpers shared by the coordination benchmarks (zk-run.sh, zk-cluster-run.sh). Source it after lib.sh;
# the caller sets RESULTS (the results.tsv) and WAIT_QUIET.

# busy_cores SECONDS: CPU cores in use by anything on the machine over a window
# (no server of ours runs while this is measured).
busy_cores() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat)
  sleep "$1"
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat)
  awk -v d=$((b - a)) -v hz="$(getconf CLK_TCK)" -v s="$1" 'BEGIN { printf "%.2f", d / hz / s }'
}

BUSY=NA
wait_quiet() {
  local deadline=$((SECONDS + WAIT_QUIET))
  while :; do
    BUSY=$(busy_cores 5)
    if awk -v x="$BUSY" 'BEGIN { exit !(x < 0.2) }' || (( SECONDS >= deadline )); then break; fi
    log "machine busy ($BUSY cores in use); waiting up to $((deadline - SECONDS)) s more"
  done
}

field() { sed -nE "s/.* $1=([0-9.]+).*/\1/p" <<< "$2"; }

median() { # target scenario column
  awk -F'\t' -v t="$1" -v s="$2" -v c="$3" 'NR > 1 && $2 == t && $3 == s && $c != "NA" && $c != "" { print $c }' "$RESULTS" \
    | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { # ours theirs
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2fx\n", a / b }'
}

num() { [[ $1 == n/a ]] && { echo n/a; return; }; printf '%.0f' "$1" | sed -E ':a;s/^([0-9]+)([0-9]{3})/\1,\2/;ta'; }

