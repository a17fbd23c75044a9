#!/usr/bin/env bash
# npm start: the whole federation, with demo data, on this machine's PostgreSQL and RabbitMQ.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash infra/scripts/ensure-local-services.sh
bash infra/scripts/ensure-node-modules.sh
npm run --silent build
# node-soap's WSSecurityCert calls an xml-crypto method deprecated in favour of one it does not use yet.
exec node --disable-warning=XML_CRYPTO_GET_ORIGINAL_XML_WITH_IDS dist/infra/scripts/federation.js "$@"
