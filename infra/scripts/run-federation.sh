#!/usr/bin/env bash
# npm start: the whole federation, with demo data, on this machine's PostgreSQL and RabbitMQ.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash infra/scripts/ensure-local-services.sh
bash infra/scripts/ensure-node-modules.sh
npm run --silent build
exec node dist/infra/scripts/federation.js "$@"
