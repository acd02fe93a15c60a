#!/usr/bin/env bash
# Wall time and peak memory of a 100,000-run batch of the bundled default scenario.
# Figures and targets: docs/performance.md.
#
#   benches/measure.sh            # 3 repetitions, 100,000 runs, seed 1, all cores
#   REPS=5 RUNS=1000000 benches/measure.sh
#
# Needs GNU time at /usr/bin/time (Debian/Ubuntu: apt-get install -y time).
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS="${RUNS:-100000}"
REPS="${REPS:-3}"
SEED="${SEED:-1}"

if [[ ! -x /usr/bin/time ]]; then
    echo "measure.sh: /usr/bin/time (GNU time) is missing; apt-get install -y time" >&2
    exit 1
fi

cargo build --release --quiet
# Measure a private copy: a concurrent build in the same target dir cannot swap it mid-run.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp target/release/ttx "$tmp/ttx"

echo "cores: $(nproc)   load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: ttx run --runs $RUNS --seed $SEED --quiet"
for rep in $(seq 1 "$REPS"); do
    /usr/bin/time -v "$tmp/ttx" run --runs "$RUNS" --seed "$SEED" --quiet 2>"$tmp/time.txt"
    elapsed="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time.txt")"
    rss_kb="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")"
    user="$(sed -n 's/.*User time (seconds): //p' "$tmp/time.txt")"
    sys="$(sed -n 's/.*System time (seconds): //p' "$tmp/time.txt")"
    cpu="$(sed -n 's/.*Percent of CPU this job got: //p' "$tmp/time.txt")"
    printf 'rep %d: elapsed %s  user %ss  sys %ss  cpu %s  max RSS %s kB (%.1f MB)\n' \
        "$rep" "$elapsed" "$user" "$sys" "$cpu" "$rss_kb" "$(awk -v k="$rss_kb" 'BEGIN { print k / 1024 }')"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
