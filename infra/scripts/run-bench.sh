#!/usr/bin/env bash
# npm run bench / bench:soak: the whole federation under load on this machine's PostgreSQL and RabbitMQ, in a
# database and vhost of its own, then the raw floor (docs/BENCHMARK.md). npm run bench:spiega (--spiega): the plans
# of INPS's hot statements on a database of national volume. Installs and starts what it needs.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash infra/scripts/ensure-local-services.sh
bash infra/scripts/ensure-node-modules.sh
npm run --silent build
script=dist/infra/bench/main.js
if [[ "${1:-}" == "--spiega" ]]; then
  shift
  script=dist/infra/bench/spiega.js
fi
exec node --disable-warning=XML_CRYPTO_GET_ORIGINAL_XML_WITH_IDS "$script" "$@"
