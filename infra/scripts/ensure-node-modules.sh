#!/usr/bin/env bash
# Installs the npm dependencies when they are absent or older than package-lock.json.
# `npm install` rather than `npm ci`: npm 11 writes lock files that leave out other platforms' optional
# binaries (jest's resolver), which its own `npm ci` then refuses as out of sync; install honours the lock.
set -euo pipefail
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies"
  npm install --no-audit --no-fund
fi
