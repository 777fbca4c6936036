#!/usr/bin/env bash
# Compares this checkout's pipeline with an earlier commit's, side by side: builds the base commit's
# jar (once per commit, cached), then runs `rtcdp bench` with both jars AT THE SAME TIME, round after
# round (which one starts first alternates), so both see the same machine drift. With --alternate the
# two run one at a time instead (ABBA...): each gets every core, which is what a job that spreads one
# tenant over the cores needs to show, at the price of more exposure to drift between the two runs. Prints, per
# configuration, each round's events/s and JVM CPU per event of both, the ratios (current / base)
# and their medians, and the median CPU per event of the main stages.
#
# Configurations: plain (no rules, no models) and full (the demo rules, the example models,
# learning on), as README "Performance" describes them.
#
# usage: scripts/bench-compare.sh [--base REV] [--rounds N] [--events N] [--warmup N]
#                                 [--only plain|full] [--alternate] [--java-opts "OPTS"] [--out DIR]
# Run from the repository root. The base defaults to 573609a (before issue 17). --java-opts: JVM options
# of both jars' runs (default none: the JVM's defaults, G1; e.g. "-XX:+UseParallelGC", docs/operations.md,
# "JVM and garbage collector").
set -euo pipefail

base=573609a
rounds=3
events=1000000
warmup=300000
only=""
out=""
alternate=0
java_opts=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base) base="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --alternate) alternate=1; shift ;;
    --java-opts) java_opts="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "bench-compare: unknown argument $1" >&2; exit 2 ;;
  esac
done
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ && "$events" =~ ^[1-9][0-9]*$ && "$warmup" =~ ^[0-9]+$ ]]; then
  echo "bench-compare: --rounds and --events must be positive integers, --warmup an integer" >&2
  exit 2
fi
case "$only" in
  "") configs=(plain full) ;;
  plain|full) configs=("$only") ;;
  *) echo "bench-compare: --only takes plain or full, not $only" >&2; exit 2 ;;
esac
sha=$(git rev-parse --verify --quiet "$base^{commit}") || {
  echo "bench-compare: $base is not a commit of this repository" >&2; exit 2; }
out="${out:-$(mktemp -d -t rtcdp-bench-compare.XXXXXX)}"
mkdir -p "$out"

# the base jar, built once per commit in a worktree beside the temporary files
base_dir="${TMPDIR:-/tmp}/rtcdp-bench-base-$sha"
base_jar="$base_dir/jobs/target/rtcdp.jar"
if [[ ! -f "$base_jar" ]]; then
  echo "building the jar of $base ($sha) in $base_dir" >&2
  [[ -d "$base_dir" ]] || git worktree add --detach --force "$base_dir" "$sha" > /dev/null
  (cd "$base_dir" && mvn -B -q -DskipTests package -pl jobs -am) >&2
fi
./rtcdp --version > /dev/null # builds this checkout's jar now if sources changed
current_jar=jobs/target/rtcdp.jar

# The full configuration runs each jar with the demo rules and example models of its own commit: the rule
# language grew (e.g. `traits:`, issue 18), and an older jar refuses a newer rule set.
run() { # jar config log checkout
  local extra=()
  [[ "$2" == full ]] && extra=(--rules "$4/examples/rules/demo.yaml" --models "$4/examples/models")
  # shellcheck disable=SC2086 # the options are words
  java $java_opts -jar "$1" bench --events "$events" --warmup-events "$warmup" "${extra[@]}" > "$3" 2>&1 \
    || echo "bench-compare: $3 failed: $(tail -1 "$3")" >&2
}

for ((r = 1; r <= rounds; r++)); do
  for c in "${configs[@]}"; do
    if (( alternate )); then
      if (( r % 2 )); then
        run "$base_jar" "$c" "$out/$c-base-$r.log" "$base_dir"
        run "$current_jar" "$c" "$out/$c-current-$r.log" .
      else
        run "$current_jar" "$c" "$out/$c-current-$r.log" .
        run "$base_jar" "$c" "$out/$c-base-$r.log" "$base_dir"
      fi
    elif (( r % 2 )); then
      run "$base_jar" "$c" "$out/$c-base-$r.log" "$base_dir" & a=$!
      run "$current_jar" "$c" "$out/$c-current-$r.log" . & b=$!
      wait "$a" "$b"
    else
      run "$current_jar" "$c" "$out/$c-current-$r.log" . & b=$!
      run "$base_jar" "$c" "$out/$c-base-$r.log" "$base_dir" & a=$!
      wait "$a" "$b"
    fi
    echo "round $r $c: base $(grep -o '[0-9]* events/s' "$out/$c-base-$r.log" | head -1)," \
      "current $(grep -o '[0-9]* events/s' "$out/$c-current-$r.log" | head -1)" >&2
  done
done

# one line per run: config which round events/s jvm-µs redis-µs identity profile fragments decide
for f in "$out"/*-*-*.log; do
  b=$(basename "$f" .log)
  IFS=- read -r config which round <<< "$b"
  awk -v c="$config" -v w="$which" -v r="$round" '
    function stage(name,   s) {
      if (match($0, name " [0-9.]+ µs")) { s = substr($0, RSTART, RLENGTH); sub(/ µs/, "", s); sub(/.* /, "", s); return s }
      return "0"
    }
    /events\/s end to end/ { for (i = 1; i <= NF; i++) if ($i == "events/s") eps = $(i - 1) }
    /^CPU per event:/ {
      jvm = $5; redis = $8
      id = stage("identity"); pr = stage("profile"); fr = stage("fragments"); de = stage("decide -> redis: Writer")
      dd = stage("dedupe")
    }
    END { if (eps != "") print c, w, r, eps, jvm, redis, id, pr, fr, de, dd }' "$f"
done | sort -k1,1 -k3,3n -k2,2 > "$out/runs.txt"

awk '
  { k = $1 SUBSEP $3; if ($2 == "base") { be[k] = $4; bc[k] = $5 + $6 } else { ce[k] = $4; cc[k] = $5 + $6 }
    for (i = 7; i <= 11; i++) st[$1, $2, $3, i] = $i
    seen[$1] = 1; if ($3 > n) n = $3 }
  function median(v, k,   i, j, t) {
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
  }
  END {
    split("identity profile fragments decide dedupe", names, " ")
    for (c in seen) {
      printf "%s: round, base events/s, current events/s, ratio; CPU per event (JVM + redis-server) base, current\n", c
      m = 0
      for (r = 1; r <= n; r++) {
        k = c SUBSEP r
        if (!(k in be) || !(k in ce)) continue
        m++; ratio[m] = ce[k] / be[k]; cratio[m] = cc[k] / bc[k]
        printf "  %d  %7d  %7d  %5.2fx   %6.1f µs  %6.1f µs\n", r, be[k], ce[k], ratio[m], bc[k], cc[k]
      }
      if (m == 0) continue
      printf "  median throughput ratio %.2fx, CPU per event ratio %.2f, over %d rounds\n", median(ratio, m), median(cratio, m), m
      line = "  median stage CPU per event (base -> current):"
      for (s = 1; s <= 5; s++) {
        for (w = 1; w <= 2; w++) {
          which = w == 1 ? "base" : "current"; q = 0
          for (r = 1; r <= n; r++) if ((c, which, r, s + 6) in st) { q++; v[q] = st[c, which, r, s + 6] }
          med[w] = q ? median(v, q) : 0
        }
        line = line sprintf(" %s %.1f -> %.1f µs;", names[s], med[1], med[2])
      }
      print line
    }
  }' "$out/runs.txt" | tee "$out/summary.txt"
echo "logs: $out" >&2
