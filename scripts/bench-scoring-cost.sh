#!/usr/bin/env bash
# What scoring (and online learning) costs the pipeline: runs `rtcdp bench` with the same rules
# without models, with models and no learning, and with models and learning, and prints each
# round's cost of each configuration against a run without models, and the median over the rounds.
#
# A shared machine's speed drifts by tens of percent within minutes, so runs made one after the
# other compare the drift as much as the configurations. Two ways round it:
# - default: in alternating order round after round, each compared with its round's run without
#   models;
# - --concurrent: each configuration runs at the same time as its own run without models, the two
#   sharing the machine (each gets about half of it), so both see the same drift. The cost is then
#   read from CPU per event (JVM + redis-server), which does not depend on how the two runs split
#   the cores; events/s is shown too.
#
# usage: scripts/bench-scoring-cost.sh [--rounds N] [--events N] [--rules FILE] [--models DIR]
#                                      [--no-learning-only] [--concurrent] [--out DIR]
# Run from the repository root; the models default to examples/models.
set -euo pipefail

rounds=5
events=500000
rules=examples/rules/demo.yaml
models=examples/models
configs=(none score learn)
out=""
concurrent=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --rules) rules="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --no-learning-only) configs=(none score); shift ;;
    --concurrent) concurrent=1; shift ;;
    --out) out="$2"; shift 2 ;;
    *) echo "bench-scoring-cost: unknown argument $1" >&2; exit 2 ;;
  esac
done
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ && "$events" =~ ^[1-9][0-9]*$ ]]; then
  echo "bench-scoring-cost: --rounds and --events must be positive integers" >&2
  exit 2
fi
for f in "$rules" "$models"; do
  [[ -e "$f" ]] || { echo "bench-scoring-cost: $f does not exist" >&2; exit 2; }
done
out="${out:-$(mktemp -d -t rtcdp-scoring-cost.XXXXXX)}"
mkdir -p "$out"
warmup=$(( events / 4 ))
./rtcdp --version > /dev/null # builds the jar now if sources changed, not in two runs at once

run() { # config round [log name]
  local extra=()
  case "$1" in
    score) extra=(--models "$models" --no-learning) ;;
    learn) extra=(--models "$models") ;;
  esac
  ./rtcdp bench --events "$events" --warmup-events "$warmup" --rules "$rules" "${extra[@]}" \
    > "$out/${3:-$1}-$2.log" 2>&1
}

for ((r = 1; r <= rounds && concurrent; r++)); do
  for c in "${configs[@]:1}"; do
    run none "$r" "none_for_$c" & base=$!
    run "$c" "$r" & other=$!
    wait "$base" "$other"
    echo "round $r, at the same time: none $(grep -o '[0-9]* events/s' "$out/none_for_$c-$r.log" | head -1)," \
      "$c $(grep -o '[0-9]* events/s' "$out/$c-$r.log" | head -1)" >&2
  done
done
for ((r = 1; r <= rounds && !concurrent; r++)); do
  order=("${configs[@]}")
  if (( r % 2 == 0 )); then # reversed every other round, so no configuration always runs first
    order=(); for ((k = ${#configs[@]} - 1; k >= 0; k--)); do order+=("${configs[k]}"); done
  fi
  for c in "${order[@]}"; do
    run "$c" "$r"
    echo "round $r $c: $(grep -o '[0-9]* events/s' "$out/$c-$r.log" | head -1)" >&2
  done
done

# one line per run: config round events/s jvm-µs redis-µs decide-thread-µs
for f in "$out"/*-*.log; do
  b=$(basename "$f" .log)
  awk -v c="${b%-*}" -v r="${b##*-}" '
    /events\/s end to end/ { for (i = 1; i <= NF; i++) if ($i == "events/s") eps = $(i - 1) }
    /^CPU per event:/ {
      jvm = $5; redis = $8
      if (match($0, /decide -> redis: Writer [0-9.]+/)) { split(substr($0, RSTART, RLENGTH), a, " "); dec = a[5] }
    }
    END { if (eps != "") print c, r, eps, jvm, redis, dec }' "$f"
done | sort -k2,2n -k1,1 > "$out/runs.txt"

awk -v concurrent="$concurrent" '
  { eps[$1, $2] = $3; cpu[$1, $2] = $4 + $5; dec[$1, $2] = $6; seen[$1] = 1; if ($2 > n) n = $2 }
  function median(v, k,   i, j, t) {
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
  }
  END {
    if (concurrent) print "each configuration at the same time as a run without models; cost = 1 - events/s ratio (CPU per event ratio - 1)"
    printf "%-6s %-22s %-22s %-22s\n", "round", "none: events/s, CPU", "scoring: cost (CPU)", "scoring+learning: cost (CPU)"
    for (r = 1; r <= n; r++) {
      b = concurrent ? "none_for_score" : "none"
      line = sprintf("%-6d %7d %6.1f µs     ", r, eps[b, r], cpu[b, r])
      for (c = 1; c <= 2; c++) {
        name = c == 1 ? "score" : "learn"
        b = concurrent ? "none_for_" name : "none"
        if (!((name, r) in eps)) { line = line sprintf("%-22s", "-"); continue }
        cost = 1 - eps[name, r] / eps[b, r]; ccost = cpu[name, r] / cpu[b, r] - 1
        costs[name, r] = cost; ccosts[name, r] = ccost
        line = line sprintf("%+6.1f %% (%+5.1f %%)      ", 100 * cost, 100 * ccost)
      }
      print line
    }
    for (c = 1; c <= 2; c++) {
      name = c == 1 ? "score" : "learn"
      if (!(name in seen)) continue
      k = 0; for (r = 1; r <= n; r++) { k++; a[k] = costs[name, r]; v[k] = ccosts[name, r] }
      printf "median cost of %-17s %5.1f %% of throughput, %.1f %% more CPU per event, over %d rounds\n", \
        (c == 1 ? "scoring:" : "scoring+learning:"), 100 * median(a, k), 100 * median(v, k), k
    }
  }' "$out/runs.txt" | tee "$out/summary.txt"
echo "logs: $out" >&2
