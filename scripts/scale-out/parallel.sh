#!/usr/bin/env bash
# GNU parallel on one machine: eight shards, four at a time, one thread each, then the merge.
# docs/scale-out.md shows this file as it is; scripts/test-parallel.sh runs it (with a smaller
# RUNS) and checks the merge equals the unsharded run byte for byte.
set -euo pipefail
RUNS=${RUNS:-1000000}

mkdir -p parts
parallel --jobs 4 \
  ttx run scenarios/holiday-thin-coverage.toml --runs "$RUNS" --seed 7 \
    --shard {}/8 --threads 1 --quiet --export-json parts/part-{}.json \
  ::: $(seq 1 8)
ttx merge parts/part-*.json --out holiday.json --export-csv holiday.csv
