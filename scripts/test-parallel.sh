#!/usr/bin/env bash
# Runs docs/scale-out.md's GNU parallel recipe (scripts/scale-out/parallel.sh, the file the doc
# shows) in a scratch folder and checks the merged results equal one unsharded run byte for byte.
# Installs Debian's `parallel` when it is missing. Usage: scripts/test-parallel.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-20000}"
if ! command -v parallel >/dev/null; then
    # A fresh machine may have no package lists yet.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends parallel >/dev/null
fi
(cd "$root" && cargo build --release --quiet)
export PATH="$root/target/release:$PATH"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ln -s "$root/scenarios" "$work/scenarios"
cd "$work"
start=$(date +%s)
RUNS="$runs" bash "$root/scripts/scale-out/parallel.sh"
ttx run scenarios/holiday-thin-coverage.toml --runs "$runs" --seed 7 --quiet \
    --export-json whole.json --export-csv whole.csv
cmp holiday.json whole.json
cmp holiday.csv whole.csv
echo "gnu parallel: 8 shards of $runs runs merged byte-identical to the unsharded run in $(( $(date +%s) - start ))s"
