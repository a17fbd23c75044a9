#!/usr/bin/env bash
# npm test: every test, against real PostgreSQL and RabbitMQ (each test file isolates itself in its own
# database and vhost). Installs what the tests need: xmllint and the W3C schema for schemas (from
# libxml-compile-perl) for the contracts, Python zeep and xmlsec for
# interoperability with an independent SOAP stack.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash infra/scripts/ensure-local-services.sh libxml2-utils libxml-compile-perl python3-zeep python3-xmlsec
bash infra/scripts/ensure-node-modules.sh
npm run --silent build
exec npx jest "$@"
