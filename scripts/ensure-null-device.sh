#!/usr/bin/env bash
# Makes /dev/null the null device again when a machine has a regular file there.
#
# Why: cargo feeds `rustc -` its target probe from /dev/null, and build scripts send their
# probes' stderr to it. Where /dev/null is a regular file, what one cargo command's build scripts
# wrote there (e.g. cc-rs's `cc -?`) becomes the "source" that the next cargo command's rustc
# probe compiles, and that command fails with "failed to run `rustc` to learn about
# target-specific information". Tests that give a child an empty stdin read the same file.
# Seen on CI machines; .ci/run calls this first. Safe to run again; does nothing when /dev/null
# is a character device.
set -euo pipefail
if [ -c /dev/null ]; then
    exit 0
fi
echo "ensure-null-device: /dev/null is not a character device here; recreating it (c 1 3)" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
# Made beside it and renamed over it, so nothing writing to /dev/null meanwhile recreates a file.
$SUDO mknod -m 666 /dev/null.ttx-new c 1 3
$SUDO mv -f /dev/null.ttx-new /dev/null
if [ ! -c /dev/null ]; then
    echo "ensure-null-device: could not recreate /dev/null; as root: mknod -m 666 /dev/null c 1 3" >&2
    exit 1
fi
