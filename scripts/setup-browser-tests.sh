#!/usr/bin/env bash
# Installs what the browser tests need: Debian's Chromium (and Node.js with npm where
# missing) and the pinned playwright-core
# (tests/browser/package-lock.json). Safe to run again; tests/integration/browser.rs runs it
# when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages for what is missing: Chromium, and Node.js with npm for playwright-core.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi
