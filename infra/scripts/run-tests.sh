#!/usr/bin/env bash
# npm test: every test, against real PostgreSQL and RabbitMQ (each test file isolates itself in its own
# database and vhost), then the fault suite, which restarts this machine's PostgreSQL and RabbitMQ and so runs
# alone, after the others. Installs what the tests need: xmllint and the W3C schema for schemas (from
# libxml-compile-perl) for the contracts, Python zeep and xmlsec and a JDK with Apache Santuario
# (libxml-security-java) for interoperability with independent SOAP stacks (examples/), Debian's chromium for the web console's browser tests (driven by playwright-core), and iproute2 for test:siti's network namespaces. The
# boundaries between the project's parts (.dependency-cruiser.cjs) are checked first: a violation fails the run.
#   npm test                     everything
#   npm test -- <jest args>      the given tests only (no fault suite)
#   npm run test:faults          the fault suite only
#   npm run test:siti            the federation on five hosts (network namespaces; root and iproute2), alone
set -euo pipefail
cd "$(dirname "$0")/../.."
bash infra/scripts/ensure-local-services.sh libxml2-utils libxml-compile-perl python3-zeep python3-xmlsec default-jdk-headless libxml-security-java chromium openssl iproute2
bash infra/scripts/ensure-node-modules.sh
npm run --silent lint:confini
# Unused files and exports (knip.json: the entry points are the processes, the CLIs, the scripts and the tests).
npm run --silent lint:codice-morto
npm run --silent build
if [ "${1:-}" = "--faults" ]; then
  exec npx jest -c jest.faults.config.js
fi
if [ "${1:-}" = "--siti" ]; then
  exec npx jest -c jest.siti.config.js
fi
npx jest "$@"
if [ $# -eq 0 ]; then
  npx jest -c jest.faults.config.js
fi
