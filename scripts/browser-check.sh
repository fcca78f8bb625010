#!/usr/bin/env bash
# Checks, in headless Chromium, the pages people open in a browser, and takes a screenshot of
# each: the emulator's API reference page (/_emulator/docs/) and the conformance suite's HTML
# report. Installs Chromium from Debian's packages when it is missing (needs root).
#   scripts/browser-check.sh            # screenshots in a new temporary directory
#   OUT=shots scripts/browser-check.sh  # ... or in shots/
# Not part of `make test` (installing Chromium takes minutes): `make browser-check`.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if ! command -v chromium >/dev/null; then
	echo "browser-check: installing chromium" >&2
	apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null
fi

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

# browser URL SCREENSHOT: renders URL (scripts run for up to 15 s of virtual time), writes the
# screenshot and prints the rendered DOM.
browser() {
	local profile
	profile=$(mktemp -d -p "$work")
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --window-size=1280,1400 --hide-scrollbars \
		--virtual-time-budget=15000 --screenshot="$2" "$1" >/dev/null 2>"$work/chromium.log" ||
		{ cat "$work/chromium.log" >&2; return 1; }
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --virtual-time-budget=15000 --dump-dom "$1" 2>>"$work/chromium.log"
}

# expect FILE WHAT PATTERN...: every pattern is in the rendered DOM.
expect() {
	local dom=$1 what=$2; shift 2
	for p in "$@"; do
		grep -q -- "$p" "$dom" || { echo "browser-check: $what: the rendered page has no $p" >&2; exit 1; }
	done
}

# emulator NAME ARGS...: starts an emulator on a free port with a fresh in-memory store, and
# sets addr to its base URL.
emulator() {
	local out="$work/$1.out"
	shift
	: >"$out"
	"$work/apicemu" --addr 127.0.0.1:0 --store :memory: --log-level warn "$@" >"$out" &
	addr=""
	for _ in $(seq 100); do
		addr=$(sed -n 's|^apicemu: listening on ||p' "$out")
		[ -n "$addr" ] && return 0
		sleep 0.1
	done
	echo "browser-check: the emulator did not start" >&2
	exit 1
}

# 1. The API reference page of a running emulator.
go build -o "$work/apicemu" ./server/cmd/apicemu
emulator docs
browser "$addr/_emulator/docs/" "$OUT/docs.png" >"$work/docs.html"
# Swagger UI rendered the ROMA spec: its title, the spec selector, and the operations.
expect "$work/docs.html" "docs page" 'class="swagger-ui' 'download-url-wrapper' 'ROMA Connect APIC' \
	'opblock-tag' 'CreateApiV2' '/v2/{project_id}/apic/instances/{instance_id}/apis'
echo "browser-check: docs page rendered; screenshot $OUT/docs.png"

# 2. The conformance report of a whole run against the in-process emulator.
go build -o "$work/apicconf" ./conformance/cmd/apicconf
"$work/apicconf" --format html --out "$OUT/conformance.html" 2>/dev/null
browser "file://$OUT/conformance.html" "$OUT/conformance.png" >"$work/conformance.dom"
expect "$work/conformance.dom" "conformance report" 'id="summary"' 'id="matrix"' 'CreateApiV2' 'client-preflight'
echo "browser-check: conformance report rendered; screenshot $OUT/conformance.png"

# 3. A report with failures: the examples and flows against an emulator told to answer every
# ROMA create with 500 (fault injection), so that failures show their verdicts and reproducers.
emulator faulty --fault 'CreateApiV2:status=500'
"$work/apicconf" --target "$addr" --token emulator-token --project 73d69ae0cfcf460190522d06b60f05ad \
	--instance eddc4d25480b4cd6b512f270a1b8b341 --run '^(examples|flows)/' \
	--format html --out "$OUT/conformance-failures.html" 2>/dev/null && {
	echo "browser-check: the faulty emulator failed no case" >&2
	exit 1
}
browser "file://$OUT/conformance-failures.html" "$OUT/conformance-failures.png" >"$work/failures.dom"
expect "$work/failures.dom" "report with failures" 'class="summary fail"' 'class="repro"' 'curl -sS -i -X POST' 'class="disagree"'
echo "browser-check: report with failures rendered; screenshot $OUT/conformance-failures.png"
