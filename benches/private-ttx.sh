# Sourced by the bench scripts (not run): checks for GNU time, makes a temporary directory
# $tmp (removed on exit) and puts in it a private copy of the binary, $tmp/ttx, so a concurrent
# build cannot swap it mid-measurement: the build of this tree, or the file $TTX if set.
if [[ ! -x /usr/bin/time ]]; then
    echo "$(basename "$0"): /usr/bin/time (GNU time) is missing; apt-get install -y time" >&2
    exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [[ -n "${TTX:-}" ]]; then
    cp "$TTX" "$tmp/ttx"
else
    cargo build --release --quiet
    cp target/release/ttx "$tmp/ttx"
fi
