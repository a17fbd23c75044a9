#!/usr/bin/env bash
# Installs the npm dependencies when they are absent or older than package-lock.json.
set -euo pipefail
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
