#!/usr/bin/env bash
# Lint the specs with Spectral (version pinned in package.json, rules in .spectral.yaml).
# Installs the pinned packages with `npm ci` when node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/@stoplight/spectral-cli ]; then
	npm ci --no-audit --no-fund >&2
fi
exec npx --no-install spectral lint --fail-severity=warn spec/roma-apic.yaml spec/apig.yaml "$@"
