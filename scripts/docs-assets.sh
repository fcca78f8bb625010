#!/usr/bin/env bash
# The emulator's docs page (/_emulator/docs/) embeds Swagger UI's files at build time, so that
# `go install` works without Node. They are copied from the swagger-ui-dist package that
# package-lock.json pins (its integrity hash fixes the bytes):
#   scripts/docs-assets.sh          copy them into server/docs/swagger-ui/
#   scripts/docs-assets.sh --check  fail if the committed copies differ from the package's
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/swagger-ui-dist/package.json ]; then
	npm ci --no-audit --no-fund >&2
fi
src=node_modules/swagger-ui-dist
dst=server/docs/swagger-ui
files="swagger-ui-bundle.js swagger-ui-standalone-preset.js swagger-ui.css LICENSE NOTICE"
want=$(node -p 'require("./package-lock.json").packages["node_modules/swagger-ui-dist"].version')
have=$(node -p "require('./$src/package.json').version")
if [ "$want" != "$have" ]; then
	echo "docs-assets: node_modules has swagger-ui-dist $have, package-lock.json pins $want: run npm ci" >&2
	exit 2
fi
if [ "${1:-}" = --check ]; then
	bad=0
	for f in $files; do
		cmp -s "$src/$f" "$dst/$f" || { echo "docs-assets: $dst/$f differs from swagger-ui-dist $want" >&2; bad=1; }
	done
	[ "$(cat "$dst/VERSION" 2>/dev/null)" = "$want" ] || { echo "docs-assets: $dst/VERSION is not $want" >&2; bad=1; }
	[ "$bad" = 0 ] || { echo "docs-assets: run scripts/docs-assets.sh" >&2; exit 1; }
	echo "docs-assets: $dst matches swagger-ui-dist $want"
	exit 0
fi
mkdir -p "$dst"
for f in $files; do cp "$src/$f" "$dst/$f"; done
echo "$want" >"$dst/VERSION"
echo "docs-assets: copied swagger-ui-dist $want into $dst"
