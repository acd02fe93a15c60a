#!/usr/bin/env bash
# Checks the HTML after-action report in a real browser (headless Chromium).
#
#   scripts/check-html-report.sh [--all-pages] [OUT_DIR]
#
# 1. Installs Debian's `chromium` if it is missing (apt-get; needs root).
# 2. Builds ttx (release), runs 500 runs of the default scenario with seed 1, exports the
#    results and writes the HTML report (`ttx report ... --format html`).
# 3. Opens the report in headless Chromium, each time with a fresh profile, with background
#    networking, sync and component updates off, logging to stderr and a network log:
#      - takes a screenshot (1280×4000)        -> OUT_DIR/screenshot.png
#      - dumps the DOM after loading            -> OUT_DIR/dom.html
#        and checks it holds the expected number of <svg> charts (EXPECTED_SVGS, default 8:
#        2 survival curves, 4 histograms, the phase bar, the Gantt chart);
#      - prints to PDF (A4, from the page's @media print rules) -> OUT_DIR/report.pdf
#        and, if `pdftoppm` exists (Debian poppler-utils), renders page 1 (every page with
#        --all-pages) to OUT_DIR/page-N.png.
#    Every Chromium run's stderr is searched for console errors ("Uncaught", "ERROR:CONSOLE",
#    "Failed to load resource"), and its network log (plus stderr) for any request the page
#    makes to a non-file URL (http, https, ws, wss, ftp): a self-contained report makes none.
#    Chromium's own background requests (initiator "not an origin") are not the page's and
#    are only counted; host resolution is mapped to nothing, so none leaves the machine.
# 4. Exits non-zero with a message naming the failed check; 0 when every check passes.
#
# OUT_DIR (default: a new temporary directory) keeps every artefact for inspection; the
# script prints where they are.
#
# Environment:
#   HTML=path           check this HTML file instead of building ttx and generating one
#                       (e.g. to see the checks fail on a page that loads a remote image)
#   EXPECTED_SVGS=n     charts the DOM must hold (default 8)
#   WINDOW=w,h          screenshot window size (default 1280,4000; the page is taller, so
#                       use e.g. 1280,7000 to see all of it)
#   CHROMIUM=path       the browser (default: chromium, else chromium-browser)
#   CARGO_TARGET_DIR    honoured when locating the built ttx binary

set -euo pipefail

all_pages=0
out_dir=""
for arg in "$@"; do
    case "$arg" in
        --all-pages) all_pages=1 ;;
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

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
expected_svgs="${EXPECTED_SVGS:-8}"
if [[ -z "$out_dir" ]]; then
    out_dir="$(mktemp -d "${TMPDIR:-/tmp}/ttx-html-check.XXXXXX")"
fi
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"

# --- 1. Chromium ---------------------------------------------------------------------------
browser="${CHROMIUM:-}"
if [[ -z "$browser" ]]; then
    browser="$(command -v chromium || command -v chromium-browser || true)"
fi
if [[ -z "$browser" ]]; then
    step "installing chromium (Debian package)"
    if [[ "$(id -u)" != 0 ]]; then
        fail "chromium is not installed and this is not root: run 'apt-get install -y chromium' as root"
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >"$out_dir/apt.log" 2>&1 || fail "apt-get update failed (see $out_dir/apt.log)"
    apt-get install -y chromium >>"$out_dir/apt.log" 2>&1 ||
        fail "apt-get install chromium failed (see $out_dir/apt.log)"
    browser="$(command -v chromium)" || fail "chromium still not found after installing it"
fi
step "browser: $("$browser" --version 2>/dev/null || echo "$browser")"

# --- 2. The report ---------------------------------------------------------------------------
if [[ -n "${HTML:-}" ]]; then
    [[ -f "$HTML" ]] || fail "HTML=$HTML is not a file"
    cp "$HTML" "$out_dir/report.html"
    step "checking the given page $HTML"
else
    step "building ttx (release)"
    (cd "$root" && cargo build --release --quiet) || fail "cargo build --release failed"
    ttx="${CARGO_TARGET_DIR:-$root/target}/release/ttx"
    [[ "$ttx" = /* ]] || ttx="$root/$ttx"
    [[ -x "$ttx" ]] || fail "no ttx binary at $ttx"
    step "running 500 runs of the default scenario (seed 1)"
    (cd "$out_dir" && "$ttx" run --runs 500 --seed 1 --export-json "$out_dir/results.json" \
        --force --quiet) || fail "ttx run failed"
    step "writing the HTML report"
    "$ttx" report "$out_dir/results.json" --format html --out "$out_dir/report.html" --force \
        2>"$out_dir/report.log" || fail "ttx report --format html failed: $(cat "$out_dir/report.log")"
fi
page="$out_dir/report.html"
[[ -s "$page" ]] || fail "the report $page is empty"
source_svgs="$(grep -o '<svg' "$page" | wc -l)"

# --- 3. Headless Chromium -----------------------------------------------------------------------
url="file://$page"
# One headless run: NAME, then the mode flags. A fresh profile each time; stdout to NAME.out,
# stderr (Chromium's log) to NAME.log, network events to NAME.netlog.json.
chrome() {
    local name="$1"
    shift
    local profile
    profile="$(mktemp -d "$out_dir/profile-$name.XXXXXX")"
    local status=0
    timeout 180 "$browser" \
        --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --hide-scrollbars --mute-audio \
        --user-data-dir="$profile" \
        --enable-logging=stderr --v=0 --host-resolver-rules="MAP * ~NOTFOUND" \
        --log-net-log="$out_dir/$name.netlog.json" --net-log-capture-mode=Default \
        "$@" "$url" >"$out_dir/$name.out" 2>"$out_dir/$name.log" || status=$?
    rm -rf "$profile"
    if [[ $status -ne 0 ]]; then
        tail -n 20 "$out_dir/$name.log" >&2 || true
        fail "chromium ($name) exited with status $status (log: $out_dir/$name.log)"
    fi
    check_log "$name"
}

# Console errors and network requests of one run.
check_log() {
    local name="$1" log="$out_dir/$1.log" net="$out_dir/$1.netlog.json"
    local errors
    errors="$(grep -E 'Uncaught|ERROR:CONSOLE|Failed to load resource' "$log" || true)"
    if [[ -n "$errors" ]]; then
        echo "$errors" | head -n 20 >&2
        fail "console errors while loading the report ($name; log: $log)"
    fi
    # Requests to network URLs, from the network log (one event per line). A request the
    # page makes carries its origin as initiator ("null" for a file:// page); Chromium's own
    # background requests (component updater, account check: Debian's /etc/chromium.d turns
    # some on) carry "not an origin". Those are counted, not blamed on the report.
    local requests="" internal=0
    if [[ -f "$net" ]]; then
        local network
        network="$(grep -E '"url":"(https?|wss?|ftp)://' "$net" | grep '"initiator"' || true)"
        requests="$(echo "$network" | grep -v '"initiator":"not an origin"' |
            grep -oE '"url":"[^"]*"' | sed -E 's/^"url":"//; s/"$//' | sort -u || true)"
        internal="$(echo "$network" | grep -c '"initiator":"not an origin"' || true)"
    fi
    # Loads the page tried that Chromium logged as failed or refused.
    local logged
    logged="$(grep -E 'net::ERR_|Not allowed to load|Failed to load' "$log" |
        grep -oE '(https?|wss?|ftp)://[^ "'\'')]*' | sort -u || true)"
    requests="$(printf '%s\n%s\n' "$requests" "$logged" | sed '/^$/d' | sort -u)"
    if [[ -n "$requests" ]]; then
        echo "$requests" | head -n 20 >&2
        fail "the report requested non-file URLs ($name; network log: $net): it must be self-contained"
    fi
    echo "   $name: no console errors; no request from the page (ignored $internal of Chromium's own)"
}

window="${WINDOW:-1280,4000}"
step "screenshot ($window)"
chrome screenshot --screenshot="$out_dir/screenshot.png" --window-size="$window"
[[ -s "$out_dir/screenshot.png" ]] || fail "no screenshot was written"

step "DOM dump"
chrome dom --dump-dom
cp "$out_dir/dom.out" "$out_dir/dom.html"
grep -q '</html>' "$out_dir/dom.html" || fail "the dumped DOM is incomplete (no </html>)"
dom_svgs="$(grep -o '<svg' "$out_dir/dom.html" | wc -l)"
if [[ "$dom_svgs" -ne "$expected_svgs" ]]; then
    fail "the DOM holds $dom_svgs <svg> elements, expected $expected_svgs (the file has $source_svgs)"
fi
if grep -qiE '<script|(https?|wss?|ftp)://|src=' "$out_dir/dom.html"; then
    grep -oiE '.{0,40}(<script|(https?|wss?|ftp)://|src=).{0,40}' "$out_dir/dom.html" | head -n 5 >&2
    fail "the DOM holds a script, a remote URL or a src= attribute"
fi

step "print to PDF (A4)"
chrome pdf --print-to-pdf="$out_dir/report.pdf" --no-pdf-header-footer --print-to-pdf-no-header
[[ -s "$out_dir/report.pdf" ]] || fail "no PDF was written"
[[ "$(head -c 5 "$out_dir/report.pdf")" == "%PDF-" ]] || fail "report.pdf is not a PDF"
pages=""
if command -v pdfinfo >/dev/null; then
    pages="$(pdfinfo "$out_dir/report.pdf" | awk '/^Pages:/ {print $2}')"
    size="$(pdfinfo "$out_dir/report.pdf" | awk -F': *' '/^Page size:/ {print $2}')"
    step "PDF: $pages pages, $size"
    case "$size" in
        *"(A4)"* | 59[4-6].*) ;;
        *) fail "the PDF page size is not A4 ($size)" ;;
    esac
fi
if command -v pdftoppm >/dev/null; then
    if [[ $all_pages -eq 1 ]]; then
        pdftoppm -png -r 90 "$out_dir/report.pdf" "$out_dir/page"
    else
        pdftoppm -png -r 90 -f 1 -l 1 "$out_dir/report.pdf" "$out_dir/page"
    fi
    ls "$out_dir"/page-*.png >/dev/null 2>&1 || fail "pdftoppm rendered no page"
else
    step "pdftoppm not found (Debian poppler-utils): PDF pages not rendered"
fi

echo
echo "check-html-report: OK — $dom_svgs charts, no console errors, no network requests${pages:+, $pages PDF pages}"
echo "  report:     $page"
echo "  screenshot: $out_dir/screenshot.png"
echo "  DOM:        $out_dir/dom.html"
echo "  PDF:        $out_dir/report.pdf"
for png in "$out_dir"/page-*.png; do
    [[ -e "$png" ]] && echo "  PDF page:   $png"
done
exit 0
