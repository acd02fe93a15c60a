#!/usr/bin/env bash
# The resource acceptance checks of issue 16, with their figures: peak memory of `ttx check` on
# valid generated scenarios of 1, 4 and 16 MB (target: under 1 GB below 16 MB); the slowest
# check of any input under 1 MB (bundled scenarios, malformed files, fuzz regressions, a 1 MB
# generated scenario and hostile 1 MB files; target: 20 s); 5 runs of a 2,000-fault scenario
# on one thread (target: 20 s); and, under a 4 GB address-space limit (`ulimit -v 4000000`),
# no panic (exit 101) or abort (a signal) on large inputs and huge options. Prints PASS or FAIL
# per check and exits 1 on any FAIL. Figures: docs/performance.md.
#
#   benches/acceptance.sh
#   TTX=/path/to/other/ttx benches/acceptance.sh   # check another build (no cargo build)
#
# Needs GNU time at /usr/bin/time and python3.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=benches/private-ttx.sh
source benches/private-ttx.sh
failed=0
verdict() { # verdict OK MESSAGE
    if [[ "$1" == 1 ]]; then echo "PASS  $2"; else echo "FAIL  $2"; failed=1; fi
}
# measure ARGS...: runs ttx ARGS; sets $secs (wall), $cpu (user + system), $mb (peak RSS)
# and $code. On a loaded machine the wall time is several times the CPU time: both are shown.
measure() {
    set +e
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$tmp/ttx" "$@" >/dev/null 2>"$tmp/err"
    code=$?
    set -e
    # GNU time writes "Command exited with non-zero status N" first when ttx fails.
    read -r secs user sys kb < <(tail -1 "$tmp/t")
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    mb=$(awk -v k="$kb" 'BEGIN { printf "%.0f", k / 1024 }')
}

echo "cores: $(nproc)   load before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== peak memory of ttx check on valid generated scenarios (target: under 1024 MB)"
for size in 1000000 4000000 16000000; do
    benches/gen_scenario.py --bytes "$size" >"$tmp/valid-$size.toml"
    measure check "$tmp/valid-$size.toml"
    bytes=$(stat -c %s "$tmp/valid-$size.toml")
    verdict $(( code == 0 && mb < 1024 )) "check of a valid $bytes-byte scenario: exit $code, ${secs} s (cpu ${cpu} s), peak ${mb} MB"
done

echo "== every input under 1 MB checked within 20 s"
python3 - "$tmp" <<'PY'
import sys
tmp = sys.argv[1]
head = '[scenario]\nname = "x"\nhorizon = "8h"\n'
# One line of 1 MB (a one-line array of numbers in a string field's place).
open(f"{tmp}/hostile-one-line.toml", "w").write(head + 'tags = [' + ", ".join(['"t"'] * 200000) + ']\n')
# 100,000 duplicate entries in one `required` list (once grew to 24 GB).
open(f"{tmp}/hostile-duplicates.toml", "w").write(
    head + '[[comms.templates]]\nid = "t"\nby = "r"\naudience = "a"\nfields = ["x"]\nrequired = ['
    + ", ".join(['"x"'] * 100000) + ']\n')
# 20,000 unknown role names in one `page` list (once peaked at 2.95 GB).
open(f"{tmp}/hostile-page.toml", "w").write(
    head + '[escalation]\nseverities = [{ level = "SEV1", acknowledge_within = "5m", restore_within = "1h", page = ['
    + ", ".join(f'"nobody-{i}"' for i in range(20000)) + '] }]\n')
# 1 MB of one error repeated on many lines.
open(f"{tmp}/hostile-lines.toml", "w").write(head + "".join(f"[[roles]]\nid = \"r{i}\"\nacknowledge = \"soon\"\n" for i in range(25000)))
PY
slowest=0
slowest_cpu=0
slowest_file=""
biggest=0
count=0
for file in scenarios/*.toml tests/malformed/* tests/fuzz-regressions/*/* "$tmp"/hostile-*.toml "$tmp/valid-1000000.toml"; do
    [[ -f "$file" ]] || continue
    [[ $(stat -c %s "$file") -lt 1048576 ]] || continue
    measure check "$file"
    count=$((count + 1))
    if awk -v a="$secs" -v b="$slowest" 'BEGIN { exit !(a > b) }'; then
        slowest=$secs
        slowest_cpu=$cpu
        slowest_file=$file
    fi
    if (( mb > biggest )); then biggest=$mb; fi
    if (( code > 2 )); then verdict 0 "check of $file: exit $code"; fi
done
verdict "$(awk -v s="$slowest" 'BEGIN { print (s < 20) ? 1 : 0 }')" \
    "$count inputs under 1 MB: slowest ${slowest} s, cpu ${slowest_cpu} s ($(basename "$slowest_file")), largest peak ${biggest} MB"

echo "== 5 runs of a 2,000-fault scenario on one thread within 20 s"
benches/gen_scenario.py --faults 2000 >"$tmp/faults-2000.toml"
measure run "$tmp/faults-2000.toml" --runs 5 --threads 1 --seed 1 --quiet
verdict $(( code == 0 )) "ttx run (2,000 faults) --runs 5 --threads 1: exit $code, ${secs} s (cpu ${cpu} s), peak ${mb} MB"
[[ "$(awk -v s="$secs" 'BEGIN { print (s < 20) ? 1 : 0 }')" == 1 ]] || verdict 0 "over 20 s"

echo "== under ulimit -v 4000000 (4 GB address space): no panic, no abort"
huge=18446744073709551615
cases=(
    "check $tmp/valid-16000000.toml"
    "run $tmp/valid-4000000.toml --runs 2 --quiet"
    "run $tmp/faults-2000.toml --runs 20 --quiet --export-json $tmp/out1.json"
    "run --runs $huge --export-json $tmp/out2.json"
    "run --runs 100000000 --export-json $tmp/out3.json"
    "run --runs 100000000 --export-csv $tmp/out4.csv"
    "run --runs 200000 --quiet"
    "sweep --set detectors.zap-error-email.latency.mean=5m,10m --runs $huge"
    "power --metric time_to_recover --change -20% --runs $huge"
    "compare $tmp/out1.json $tmp/out1.json --resamples $huge"
    "check /dev/zero"
    "check $tmp/hostile-duplicates.toml"
    "check $tmp/hostile-page.toml"
)
for args in "${cases[@]}"; do
    set +e
    # shellcheck disable=SC2086 # the cases are word lists
    ( ulimit -v 4000000; exec "$tmp/ttx" $args ) >/dev/null 2>"$tmp/err"
    code=$?
    set -e
    panicked=$(grep -c "panicked" "$tmp/err" || true)
    verdict $(( code < 100 && panicked == 0 )) "exit $code: ttx ${args//$tmp\//}"
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$failed"
