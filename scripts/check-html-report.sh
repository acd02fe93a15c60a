#!/usr/bin/env bash
# Checks every kind of HTML page ttx writes in headless Chromium.
#
#   scripts/check-html-report.sh [OUT_DIR]          (OUT_DIR default: target/html-check)
#
# To add a page kind, add ONE line to PAGES below: "KIND|COMMAND", where COMMAND runs in
# OUT_DIR/work with "$ttx" and the inputs make_inputs leaves there (results.json, q1-q3.json,
# drill.jsonl with drill.results.json, scenarios under "$root") and writes KIND.html.
#
# 1. Installs what it needs through scripts/setup-browser-tests.sh (Debian's chromium and the
#    pinned playwright-core), only when missing.
# 2. Uses $TTX, or builds ttx (release); makes the inputs and every page of PAGES.
# 3. Opens each page in headless Chromium (tests/browser/pages.mjs), at a 1280 px window and at
#    the printable width of an A4 page (print media, the page's own @page margins), and fails
#    when a page scrolls sideways, an element's right edge passes the viewport, an element
#    scrolls sideways inside the page, the console logs an error, a script throws, or the page
#    requests anything but its own file (pages are self-contained).
# 4. Keeps the artefacts: OUT_DIR/KIND-1280.png, OUT_DIR/KIND-a4.png (full-page screenshots),
#    OUT_DIR/KIND.pdf (printed on A4) and the pages themselves in OUT_DIR/work.
# Exits 0 when every page passes, 1 naming each failed check, 2 on a usage error.
#
# Environment:
#   TTX=path            the ttx binary to use (default: build it; tests pass their own)
#   HTML=path           check only this page (kind "given"), e.g. to see a check fail
#   CHROMIUM=path       the browser (default /usr/bin/chromium)
#   CARGO_TARGET_DIR    honoured when locating the built ttx binary

set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir=""
for arg in "$@"; do
    case "$arg" in
        -h | --help)
            sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        -*)
            echo "check-html-report: unknown option '$arg'" >&2
            exit 2
            ;;
        *) out_dir="$arg" ;;
    esac
done
fail() {
    echo "check-html-report: FAIL: $*" >&2
    exit 1
}
step() { echo "== $*"; }

# The page kinds: "KIND|COMMAND" (see the top of this file).
sweep_latency="detectors.zap-error-email.latency.mean"
sweep_ack="escalation.severities.SEV3.acknowledge_within"
PAGES=(
    'report|"$ttx" report results.json --format html --out report.html'
    'drill-report|"$ttx" report drill.jsonl --format html --out drill-report.html'
    'sitman|"$ttx" packet "$root/scenarios/shopify-netsuite-facilitated.toml" --out packet >/dev/null && cp packet/*-sitman-*.html sitman.html'
    'msel|"$ttx" packet "$root/scenarios/shopify-netsuite-facilitated.toml" --out packet-msel >/dev/null && cp packet-msel/*-msel-*.html msel.html'
    'sweep-1|"$ttx" sweep --set "$sweep_latency=5m,10m,20m,40m" --runs 500 --quiet --html sweep-1.html'
    'sweep-2|"$ttx" sweep --set "$sweep_latency=5m,10m,20m,40m" --set "$sweep_ack=5m,15m,30m" --runs 300 --quiet --html sweep-2.html'
    'trend|"$ttx" trend q1.json q2.json q3.json drill.results.json --html trend.html >/dev/null'
    'compare|"$ttx" compare q1.json q3.json --format html --out compare.html'
    'compare-drill|"$ttx" incident import "$root/docs/examples/lead-sync-incident.csv" --scenario "$root/scenarios/lead-sync-schema-drift.toml" --out incident-c >/dev/null && "$ttx" compare q1.json incident-c/lead-sync-incident.results.json --format html --out compare-drill.html'
    'whatif|"$ttx" whatif --change "faster-monitor: detectors.zap-error-email.latency.mean=2m" --change "read-the-inbox: detectors.zap-error-email.miss=0.1" --runs 300 --quiet --html whatif.html'
    'sensitivity|"$ttx" whatif --sensitivity 20% --runs 200 --quiet --html sensitivity.html'
    'postmortem|"$ttx" incident import "$root/docs/examples/lead-sync-incident.csv" --scenario "$root/scenarios/lead-sync-schema-drift.toml" --records-lost 0 --records-delayed 31 --out incident >/dev/null && cp incident/lead-sync-incident.postmortem.html postmortem.html'
    'plan|"$ttx" plan status "$root/docs/examples/improvement-plan.toml" q1.json q2.json q3.json --today 2026-05-01 --html plan.html >/dev/null'
)

out_dir="${out_dir:-$root/target/html-check}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
rm -f "$out_dir"/*.png "$out_dir"/*.pdf
work="$out_dir/work"
rm -rf "$work"
mkdir -p "$work"

step "browser set-up (scripts/setup-browser-tests.sh)"
bash "$root/scripts/setup-browser-tests.sh" || fail "scripts/setup-browser-tests.sh failed"

pairs=()
if [[ -n "${HTML:-}" ]]; then
    [[ -f "$HTML" ]] || fail "HTML=$HTML is not a file"
    cp "$HTML" "$work/given.html"
    pairs+=("given=$work/given.html")
else
    ttx="${TTX:-}"
    if [[ -z "$ttx" ]]; then
        step "building ttx (release)"
        (cd "$root" && cargo build --release --quiet) || fail "cargo build --release failed"
        ttx="${CARGO_TARGET_DIR:-$root/target}/release/ttx"
        [[ "$ttx" = /* ]] || ttx="$root/$ttx"
    fi
    [[ -x "$ttx" ]] || fail "no ttx binary at $ttx"
    # The inputs are made inside $work: a TTX given relative to the caller's folder must
    # still name the same binary there.
    [[ "$ttx" = /* ]] || ttx="$PWD/$ttx"

    step "inputs: 500 runs of the default scenario, three labelled quarters, a drill journal"
    (
        cd "$work"
        "$ttx" run --runs 500 --seed 1 --quiet --export-json results.json
        for q in 1 2 3; do
            "$ttx" run --runs 300 --seed "$q" --label "2026-Q$q" --quiet --export-json "q$q.json"
        done
        cp "$root/tests/fixtures/drill-journal-v1-ended.jsonl" drill.jsonl
        "$ttx" report drill.jsonl --format json --out drill.results.json >/dev/null
    ) >"$out_dir/inputs.log" 2>&1 || fail "making the inputs failed (see $out_dir/inputs.log)"

    for line in "${PAGES[@]}"; do
        kind="${line%%|*}"
        command="${line#*|}"
        step "page $kind"
        (cd "$work" && eval "$command") >"$out_dir/$kind.log" 2>&1 ||
            fail "writing the $kind page failed: $command (see $out_dir/$kind.log)"
        [[ -s "$work/$kind.html" ]] || fail "the $kind command wrote no $kind.html"
        pairs+=("$kind=$work/$kind.html")
    done
fi

step "checking ${#pairs[@]} page(s) at 1280 px and A4 in headless Chromium"
node "$root/tests/browser/pages.mjs" "$out_dir" "${pairs[@]}" ||
    fail "a page did not pass (above); screenshots in $out_dir"
echo "check-html-report: OK — ${#pairs[@]} page(s), each at 1280 px and A4: no sideways overflow, no console errors, no requests"
echo "  screenshots and PDFs: $out_dir"
