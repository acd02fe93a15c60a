#!/usr/bin/env bash
# Regenerates the sample after-action reports from scratch (run from anywhere):
#   reports/examples/regenerate.sh
# A test (tests/integration/reports.rs) checks the committed samples equal a fresh regeneration.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
ttx=./target/release/ttx
out=reports/examples
name=lead-sync-schema-drift
"$ttx" run "scenarios/$name.toml" --runs 500 --seed 1 --quiet --force --export-json "$out/$name.results.json"
for format in md html json csv; do
    "$ttx" report "$out/$name.results.json" --format "$format" --out "$out/$name.report.$format" --force
done
