#!/usr/bin/env bash
# How the shipped scenarios' results moved when their flows took their platform's profile:
# every scenario in scenarios/ that differs from its version at BASE is run in both versions
# with this checkout's binary (2000 runs, seed 1, as the catalogue), and one Markdown row per
# scenario prints the key metrics before -> after. Usage, from anywhere:
#   scripts/platform-moves.sh [BASE]      # BASE defaults to ee61bc3, before the profiles
# Needs jq. The table in docs/platforms.md ("How the shipped scenarios moved") is its output.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-ee61bc3}
cargo build --release --quiet
ttx=./target/release/ttx
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One cell: "before -> after" of the jq expression $2 over the two summaries, or one value
# when it did not move.
cell() {
    local before after
    before=$(jq -r "$2" "$work/before-$1.json")
    after=$(jq -r "$2" "$work/after-$1.json")
    if [[ $before == "$after" ]]; then printf '%s' "$after"; else printf '%s → %s' "$before" "$after"; fi
}

# Minutes as ttx writes them in tables (one decimal), "-" when not reached.
minutes='if . == null then "-" else (. * 10 | round / 10 | tostring) + "m" end'

echo "| scenario | time to detect, median | time to recover, median | recovery censored | records lost, mean | failed, mean | delayed, mean |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for file in scenarios/*.toml; do
    name=$(basename "$file" .toml)
    git cat-file -e "$base:$file" 2>/dev/null || continue
    git show "$base:$file" > "$work/$name.toml"
    cmp -s "$work/$name.toml" "$file" && continue
    "$ttx" run "$work/$name.toml" --runs 2000 --seed 1 --quiet --export-summary "$work/before-$name.json"
    "$ttx" run "$file" --runs 2000 --seed 1 --quiet --export-summary "$work/after-$name.json"
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" \
        "$(cell "$name" ".metrics.time_to_detect.median | $minutes")" \
        "$(cell "$name" ".metrics.time_to_recover.median | $minutes")" \
        "$(cell "$name" '.metrics.time_to_recover.censored')" \
        "$(cell "$name" '.records.lost.mean * 10 | round / 10')" \
        "$(cell "$name" '.records.failed.mean * 10 | round / 10')" \
        "$(cell "$name" '.records.delayed.mean * 10 | round / 10')"
done
