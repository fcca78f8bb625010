#!/usr/bin/env bash
# Measures the emulator's create and query throughput and latency with wrk on loopback, next
# to a plain echo handler measured in the same run. Bounded: each run lasts DURATION.
#   scripts/load.sh                 # DURATION=10s CONNS=64 THREADS=2
#   PRISM=1 scripts/load.sh         # also Stoplight Prism mocking the same spec (npm install)
#   BASE_BIN=/path/apicemu scripts/load.sh   # also another emulator build, in the same run
#   SEED=1000000 scripts/load.sh    # stores that already hold SEED APIs (scripts/seedstore)
# CPU is the server process's user+system time over the run divided by its requests.
# Installs wrk from Debian's packages when it is missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
EMU=${EMU:-127.0.0.1:18090}
PLAIN=${PLAIN:-127.0.0.1:18091}
BASE=${BASE:-127.0.0.1:18093}
PROJECT=73d69ae0cfcf460190522d06b60f05ad
INSTANCE=eddc4d25480b4cd6b512f270a1b8b341
ROMA=/v2/$PROJECT/apic/instances/$INSTANCE/apis

if ! command -v wrk >/dev/null; then
  echo "load.sh: installing wrk" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
fi

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/apicemu" ./server/cmd/apicemu
go build -o "$work/plainecho" ./scripts/plainecho
if [ "${SEED:-0}" -gt 0 ]; then
  go build -o "$work/seedstore" ./scripts/seedstore
  mkdir -p "$work/data" "$work/base"
  "$work/seedstore" "$work/data/apicemu.db" "$SEED"
  if [ -n "${BASE_BIN:-}" ]; then cp "$work/data/apicemu.db" "$work/base/apicemu.db"; fi
fi
"$work/apicemu" --addr $EMU --store "$work/data/apicemu.db" --log-level error >/dev/null &
emu_pid=$!
"$work/plainecho" $PLAIN &
plain_pid=$!
if [ -n "${BASE_BIN:-}" ]; then
  "$BASE_BIN" --addr $BASE --store "$work/base/apicemu.db" --log-level error >/dev/null &
  base_pid=$!
fi
for _ in $(seq 50); do
  curl -sf "http://$EMU/health" >/dev/null && curl -sf "http://$PLAIN/echo" >/dev/null && break
  sleep 0.1
done
if [ -n "${BASE_BIN:-}" ]; then for _ in $(seq 50); do curl -sf "http://$BASE/health" >/dev/null && break; sleep 0.1; done; fi

body() { # a create body with a unique name and path: $1
  printf '{"name":"load_%s","type":1,"req_protocol":"HTTPS","req_method":"GET","req_uri":"/load/%s","auth_type":"NONE","backend_type":"MOCK","group_id":"c77f5e81d9cb4424bf704ef2b0ac7600","mock_info":{"result_content":"ok","status_code":200}}' "$1" "$1"
}

# A create that the query runs read back.
seed() {
  curl -sf -X POST -H 'X-Auth-Token: emulator-token' -H 'Content-Type: application/json' \
    -d "$(body seed)" "http://$1$ROMA" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))'
}
id=$(seed $EMU)
[ -n "$id" ] || { echo "load.sh: the seed create failed" >&2; exit 1; }
if [ -n "${BASE_BIN:-}" ]; then base_id=$(seed $BASE); fi

cat >"$work/create.lua" <<LUA
local n = 0
local prefix = ""
function setup(thread) thread:set("tid", tostring(math.random(1, 1e9))) end
function init(args) prefix = tid end
request = function()
  n = n + 1
  local k = prefix .. "_" .. n
  local body = string.format('$(body '%s' | sed 's/%s/%s/g')', k, k)
  return wrk.format("POST", "$ROMA", {["X-Auth-Token"]="emulator-token", ["Content-Type"]="application/json"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
LUA
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$(body plain)'
LUA

cpu() { # user+system clock ticks of process $1
  awk '{print $14 + $15}' "/proc/$1/stat"
}

measure() { # name, server pid, then wrk arguments
  local name=$1 pid=$2; shift 2
  local out before after
  before=$(cpu "$pid")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@")
  after=$(cpu "$pid")
  local rps p99 errs reqs us
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errs=$(echo "$out" | awk '/non-2xx:/ {print $2} /Non-2xx/ {print $NF}' | head -n1)
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  us=$(awk -v t="$((after - before))" -v n="$reqs" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  printf '%-30s %10s req/s   p99 %8s   CPU %7s us/req   non-2xx %s\n' "$name" "$rps" "$p99" "$us" "${errs:-0}"
}

if [ "${PRISM:-0}" = 1 ]; then
  (cd "$work" && npm install --no-audit --no-fund --silent @stoplight/prism-cli@5.16.0 >/dev/null 2>&1)
  "$work/node_modules/.bin/prism" mock -h 127.0.0.1 -p 18092 spec/roma-apic.yaml >/dev/null 2>&1 &
  prism_pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:18092/" && break; sleep 0.2; done
fi

echo "wrk -t$THREADS -c$CONNS -d$DURATION on $(nproc) cores, loopback, ${SEED:-0} APIs stored beforehand"
measure "plain echo GET" $plain_pid "http://$PLAIN/echo"
measure "emulator query (v1 GET)" $emu_pid -H 'X-Auth-Token: emulator-token' "http://$EMU/v1/$PROJECT/apic/instances/$INSTANCE/apis/$id"
if [ -n "${BASE_BIN:-}" ]; then measure "base emulator query (v1 GET)" $base_pid -H 'X-Auth-Token: emulator-token' "http://$BASE/v1/$PROJECT/apic/instances/$INSTANCE/apis/$base_id"; fi
measure "plain echo POST" $plain_pid -s "$work/post.lua" "http://$PLAIN/echo"
measure "emulator create (durable)" $emu_pid -s "$work/create.lua" "http://$EMU"
if [ -n "${BASE_BIN:-}" ]; then measure "base emulator create (durable)" $base_pid -s "$work/create.lua" "http://$BASE"; fi
if [ "${PRISM:-0}" = 1 ]; then
  measure "prism mock create" $prism_pid -s "$work/create.lua" "http://127.0.0.1:18092"
fi
