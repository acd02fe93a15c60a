#!/usr/bin/env bash
# Wall time and peak memory of a summary-only batch of the bundled default scenario and, with
# SHARDS=N, of the same batch as N tally shards and their merge, checked equal byte for byte.
# Figures and targets: docs/performance.md and docs/scale-out.md.
#
#   benches/measure.sh                              # 3 repetitions, 100,000 runs, seed 1
#   REPS=5 RUNS=1000000 benches/measure.sh
#   RUNS=10000000 REPS=1 SHARDS=10 benches/measure.sh   # the 10M batch and 10 x 1M shards
#
# Needs GNU time at /usr/bin/time (Debian/Ubuntu: apt-get install -y time).
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS="${RUNS:-100000}"
REPS="${REPS:-3}"
SEED="${SEED:-1}"
SHARDS="${SHARDS:-0}"

if [[ ! -x /usr/bin/time ]]; then
    echo "measure.sh: /usr/bin/time (GNU time) is missing; apt-get install -y time" >&2
    exit 1
fi

cargo build --release --quiet
# Measure a private copy: a concurrent build in the same target dir cannot swap it mid-run.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp target/release/ttx "$tmp/ttx"

# measure LABEL ARGS...: runs ttx ARGS under GNU time and prints one line of figures.
measure() {
    local label="$1"
    shift
    /usr/bin/time -v "$tmp/ttx" "$@" 2>"$tmp/time.txt"
    elapsed="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time.txt")"
    rss_kb="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")"
    user="$(sed -n 's/.*User time (seconds): //p' "$tmp/time.txt")"
    sys="$(sed -n 's/.*System time (seconds): //p' "$tmp/time.txt")"
    cpu="$(sed -n 's/.*Percent of CPU this job got: //p' "$tmp/time.txt")"
    printf '%s: elapsed %s  user %ss  sys %ss  cpu %s  max RSS %s kB (%.1f MB)\n' \
        "$label" "$elapsed" "$user" "$sys" "$cpu" "$rss_kb" "$(awk -v k="$rss_kb" 'BEGIN { print k / 1024 }')"
}

echo "cores: $(nproc)   load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: ttx run --runs $RUNS --seed $SEED --quiet"
for rep in $(seq 1 "$REPS"); do
    measure "rep $rep" run --runs "$RUNS" --seed "$SEED" --quiet
done

if [[ "$SHARDS" -gt 0 ]]; then
    echo "command: ttx run --runs $RUNS --seed $SEED --quiet --export-summary whole.json"
    measure "whole batch" run --runs "$RUNS" --seed "$SEED" --quiet --export-summary "$tmp/whole.json"
    echo "command: ttx run --runs $RUNS --seed $SEED --quiet --shard K/$SHARDS --export-tally part-K.tally"
    for k in $(seq 1 "$SHARDS"); do
        measure "shard $k/$SHARDS" run --runs "$RUNS" --seed "$SEED" --quiet \
            --shard "$k/$SHARDS" --export-tally "$tmp/part-$k.tally"
        echo "  part-$k.tally: $(stat -c %s "$tmp/part-$k.tally") bytes"
    done
    echo "command: ttx merge part-*.tally --out merged.json --quiet"
    measure "merge" merge "$tmp"/part-*.tally --out "$tmp/merged.json" --quiet
    if cmp "$tmp/whole.json" "$tmp/merged.json"; then
        echo "cmp whole.json merged.json: identical ($(stat -c %s "$tmp/merged.json") bytes)"
    else
        echo "cmp whole.json merged.json: DIFFERENT" >&2
        exit 1
    fi
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
