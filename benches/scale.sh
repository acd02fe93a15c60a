#!/usr/bin/env bash
# Run time against scenario size: generated scenarios (benches/gen_scenario.py) of 10, 100,
# 1,000 and 10,000 faults (each on its own flow), flows (10 faults) and roles (10 faults), each
# compiled alone (`ttx check`) and run on one thread; prints a table and the growth exponent
# (least-squares slope of log time against log size). Times are CPU seconds (user + system),
# which a loaded machine disturbs far less than wall time; the time per run is the run's CPU
# time less the compile's, over the runs. Figures: docs/performance.md.
#
#   benches/scale.sh                    # every dimension, sizes 10 100 1000 10000
#   SIZES="10 100 1000" DIMS=faults benches/scale.sh
#   TTX=/path/to/other/ttx benches/scale.sh   # measure another build (no cargo build)
#
# Needs GNU time at /usr/bin/time and python3.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZES="${SIZES:-10 100 1000 10000}"
DIMS="${DIMS:-faults flows roles}"

# shellcheck source=benches/private-ttx.sh
source benches/private-ttx.sh

# seconds ARGS...: CPU seconds (user + system) of one `ttx ARGS` (its output discarded).
seconds() {
    /usr/bin/time -f '%U %S' -o "$tmp/t" "$tmp/ttx" "$@" >/dev/null 2>&1 || true
    tail -1 "$tmp/t" | awk '{ printf "%.2f", $1 + $2 }'
}

echo "cores: $(nproc)   load before: $(cut -d' ' -f1-3 /proc/loadavg)   binary: ${TTX:-target/release/ttx at $(git rev-parse --short HEAD)}"
printf '%-7s %7s %10s %6s %10s %12s %10s\n' dim size bytes runs "check cpu" "run cpu" "per run ms"
: >"$tmp/points"
for dim in $DIMS; do
    for n in $SIZES; do
        case "$dim" in
            faults) args=(--faults "$n") ;;
            flows) args=(--faults 10 --flows "$n") ;;
            roles) args=(--faults 10 --roles "$n") ;;
            *) echo "unknown dimension $dim" >&2; exit 1 ;;
        esac
        file="$tmp/$dim-$n.toml"
        benches/gen_scenario.py "${args[@]}" >"$file"
        # Enough runs that the simulation, not the compile, is most of what a run costs.
        runs=$(( n >= 10000 ? 40 : 400000 / n ))
        check="$(seconds check "$file")"
        run="$(seconds run "$file" --runs "$runs" --threads 1 --seed 1 --quiet)"
        per_run="$(awk -v r="$run" -v c="$check" -v n="$runs" 'BEGIN { v = (r - c) / n * 1000; if (v < 0.001) v = 0.001; printf "%.3f", v }')"
        printf '%-7s %7s %10s %6s %10s %12s %10s\n' "$dim" "$n" "$(stat -c %s "$file")" "$runs" "$check" "$run" "$per_run"
        echo "$dim $n $check $per_run" >>"$tmp/points"
    done
done
python3 - "$tmp/points" <<'PY'
import math, sys
points = {}
for line in open(sys.argv[1]):
    dim, n, check, per_run = line.split()
    points.setdefault(dim, []).append((int(n), float(check), float(per_run)))

def slope(xy):
    if len(xy) < 2:
        return float("nan")
    xy = [(math.log(x), math.log(max(y, 1e-3))) for x, y in xy]
    mx = sum(x for x, _ in xy) / len(xy)
    my = sum(y for _, y in xy) / len(xy)
    sxx = sum((x - mx) ** 2 for x, _ in xy)
    return sum((x - mx) * (y - my) for x, y in xy) / sxx if sxx else float("nan")

print("growth exponent (log-log least squares; 1 = linear), over sizes >= 100 and over all:")
for dim, rows in points.items():
    big = [r for r in rows if r[0] >= 100]
    print(f"  {dim:6}  per run: {slope([(n, p) for n, _, p in big]):.2f} ({slope([(n, p) for n, _, p in rows]):.2f} all)"
          f"   check: {slope([(n, c) for n, c, _ in big]):.2f} ({slope([(n, c) for n, c, _ in rows]):.2f} all)")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
