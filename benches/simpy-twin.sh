#!/usr/bin/env bash
# The SimPy benchmark twin (issue 19): makes a Python virtual environment under target/ with
# simpy and scipy from PyPI (once), then runs benches/simpy_twin.py, which runs the fixture
# benches/fixtures/twin-single-incident.toml in ttx and in SimPy side by side and prints a KS
# test per milestone and the runs per CPU-second of each. Arguments go to simpy_twin.py
# (--runs N, default 20000; --seed S; --ttx-timing-runs M).
#   cargo build --release && benches/simpy-twin.sh --runs 20000
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/simpy-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import simpy, scipy' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'simpy==4.1.2' 'scipy==1.17.1'
fi
TTX="${TTX:-target/release/ttx}"
[ -x "$TTX" ] || { echo "no $TTX: run cargo build --release first (or set TTX)" >&2; exit 1; }
exec "$venv/bin/python" benches/simpy_twin.py --ttx "$TTX" "$@"
