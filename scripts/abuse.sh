#!/usr/bin/env bash
# Replays the catalog of attacks the emulator must hold against (scripts/abuse/main.go) on
# loopback, against a fresh build of the emulator, and prints one line per case and a summary.
# Bounded: a fixed number of connections and requests, about a minute (SHORT=1: half of that).
#   scripts/abuse.sh                  # ADDR=127.0.0.1:18200
#   SHORT=1 scripts/abuse.sh          # what CI runs
#   APICEMU_BIN=/path/apicemu scripts/abuse.sh   # attack another build
set -euo pipefail
cd "$(dirname "$0")/.."
ADDR=${ADDR:-127.0.0.1:18200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=${APICEMU_BIN:-}
if [ -z "$bin" ]; then
  go build -o "$work/apicemu" ./server/cmd/apicemu
  bin=$work/apicemu
fi
go build -o "$work/abuse" ./scripts/abuse
args=(--bin "$bin" --addr "$ADDR")
[ "${SHORT:-0}" = 1 ] && args+=(--short)
"$work/abuse" "${args[@]}"
