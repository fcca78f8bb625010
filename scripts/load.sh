#!/usr/bin/env bash
# Measures the emulator's throughput, latency and CPU per request with wrk on loopback, next
# to a plain echo handler measured in the same run: create, the v1 and v2 shows, a page of 20
# of the list over SEED stored APIs, update and delete. Bounded: each run lasts DURATION.
#   scripts/load.sh                 # DURATION=10s CONNS=64 THREADS=2 SEED=10000 PORT_BASE=18090
#   PRISM=1 scripts/load.sh         # also Stoplight Prism mocking the same spec (npm install)
#   LOG_LEVEL=info scripts/load.sh  # with the request log on (written to /dev/null)
#   BASE_BIN=/path/apicemu scripts/load.sh   # also another emulator build: its show v1 and create, in the same run
#   PREFILL=1000000 scripts/load.sh # stores that already hold PREFILL APIs (written directly by scripts/seedstore)
# Installs wrk from Debian's packages when it is missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
SEED=${SEED:-10000}
# seconds DURATION: the length of a run in seconds (wrk's 10s, 2m, 1h forms).
seconds() {
  case $1 in
    *h) echo $(( ${1%h} * 3600 )) ;; *m) echo $(( ${1%m} * 60 )) ;; *s) echo "${1%s}" ;; *) echo "$1" ;;
  esac
}
# The deletes need APIs of their own, each deleted once: DELETES are stored for them before
# they run (enough for 15,000 deletes a second; a delete answered 404 counts as non-2xx).
DELETES=${DELETES:-$(( $(seconds "$DURATION") * 15000 ))}
PORT_BASE=${PORT_BASE:-18090}
EMU=127.0.0.1:$PORT_BASE
PLAIN=127.0.0.1:$((PORT_BASE + 1))
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
go build -o "$work/loadseed" ./scripts/loadseed
if [ "${PREFILL:-0}" -gt 0 ]; then
  go build -o "$work/seedstore" ./scripts/seedstore
  mkdir -p "$work/data" "$work/base"
  "$work/seedstore" "$work/data/apicemu.db" "$PREFILL"
  if [ -n "${BASE_BIN:-}" ]; then cp "$work/data/apicemu.db" "$work/base/apicemu.db"; fi
fi
"$work/apicemu" --addr $EMU --store "$work/data/apicemu.db" --log-level "${LOG_LEVEL:-error}" >/dev/null 2>&1 &
EMU_PID=$!
BASE=127.0.0.1:$((PORT_BASE + 3))
if [ -n "${BASE_BIN:-}" ]; then
  "$BASE_BIN" --addr $BASE --store "$work/base/apicemu.db" --log-level error >/dev/null 2>&1 &
  BASE_PID=$!
  for _ in $(seq 50); do curl -sf "http://$BASE/health" >/dev/null && break; sleep 0.1; done
fi
"$work/plainecho" $PLAIN &
PLAIN_PID=$!
for _ in $(seq 50); do
  curl -sf "http://$EMU/health" >/dev/null && curl -sf "http://$PLAIN/echo" >/dev/null && break
  sleep 0.1
done

body() { # a create body with a unique name and path: $1
  printf '{"name":"load_%s","type":1,"req_protocol":"HTTPS","req_method":"GET","req_uri":"/load/%s","auth_type":"NONE","backend_type":"MOCK","group_id":"c77f5e81d9cb4424bf704ef2b0ac7600","mock_info":{"result_content":"ok","status_code":200}}' "$1" "$1"
}

# A create that the query runs read back: seed ADDR prints its id.
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

# cpu_ticks PID: the user + system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))

measure() { # name, pid of the server measured, then wrk arguments
  local name=$1 pid=$2; shift 2
  local out before after
  before=$(cpu_ticks "$pid")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@")
  after=$(cpu_ticks "$pid")
  local rps p99 errs n cpu
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errs=$(echo "$out" | awk '/non-2xx:/ {print $2} /Non-2xx/ {print $NF}' | head -n1)
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  cpu=$(( n > 0 ? (after - before) * TICK_US / n : 0 ))
  printf '%-34s %10s req/s   p99 %8s   server CPU %6s us/req   non-2xx %s\n' "$name" "$rps" "$p99" "$cpu" "${errs:-0}"
}

# A script that sends METHOD to the path of each stored id in turn ($1 ids file, $2 method,
# $3 body format with %s for a unique suffix, or empty, $4 the path the ids are below, ROMA's
# v2 by default). Each thread takes its own ids.
ids_script() {
  local base=${4:-$ROMA}
  cat <<LUA
local ids = {}
for line in io.lines("$1") do ids[#ids + 1] = line end
local threads, counter = {}, 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter - 1)
  thread:set("stride", $THREADS)
end
local n = 0
request = function()
  local i = (offset + n * stride) % #ids + 1
  n = n + 1
  local body = nil
  local fmt = [[$3]]
  if fmt ~= "" then
    local k = offset .. "_" .. n
    body = string.format(fmt, k, k)
  end
  return wrk.format("$2", "$base/" .. ids[i], {["X-Auth-Token"]="emulator-token", ["Content-Type"]="application/json"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
LUA
}
if [ "${PRISM:-0}" = 1 ]; then
  (cd "$work" && npm install --no-audit --no-fund --silent @stoplight/prism-cli@5.16.0 >/dev/null 2>&1)
  "$work/node_modules/.bin/prism" mock -h 127.0.0.1 -p $((PORT_BASE + 2)) spec/roma-apic.yaml >/dev/null 2>&1 &
  PRISM_PID=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$((PORT_BASE + 2))/" && break; sleep 0.2; done
fi

echo "load.sh: storing $SEED APIs" >&2
"$work/loadseed" "http://$EMU" "$SEED" seed >"$work/ids"
cat >"$work/list.lua" <<LUA
request = function()
  local offset = math.random(0, $SEED - 20)
  return wrk.format("GET", "$ROMA?limit=20&offset=" .. offset, {["X-Auth-Token"]="emulator-token"})
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
LUA
ids_script "$work/ids" GET "" >"$work/show.lua"
ids_script "$work/ids" GET "" "/v1/$PROJECT/apic/instances/$INSTANCE/apis" >"$work/show-v1.lua"
ids_script "$work/ids" PUT "$(body '%s' | sed 's/load_%s/upd_%s/; s#/load/%s#/upd/%s#')" >"$work/update.lua"

echo "wrk -t$THREADS -c$CONNS -d$DURATION on $(nproc) cores, loopback; $SEED stored APIs"
measure "plain echo GET" "$PLAIN_PID" "http://$PLAIN/echo"
measure "emulator show v1 (GET, one API)" "$EMU_PID" -H 'X-Auth-Token: emulator-token' "http://$EMU/v1/$PROJECT/apic/instances/$INSTANCE/apis/$id"
measure "emulator show v1 (GET)" "$EMU_PID" -s "$work/show-v1.lua" "http://$EMU"
measure "emulator show v2 (GET)" "$EMU_PID" -s "$work/show.lua" "http://$EMU"
measure "emulator list (page of 20)" "$EMU_PID" -s "$work/list.lua" "http://$EMU"
measure "plain echo POST" "$PLAIN_PID" -s "$work/post.lua" "http://$PLAIN/echo"
measure "emulator update (PUT, durable)" "$EMU_PID" -s "$work/update.lua" "http://$EMU"
measure "emulator create (durable)" "$EMU_PID" -s "$work/create.lua" "http://$EMU"
if [ -n "${BASE_BIN:-}" ]; then
  measure "base emulator show v1 (GET, one API)" "$BASE_PID" -H 'X-Auth-Token: emulator-token' "http://$BASE/v1/$PROJECT/apic/instances/$INSTANCE/apis/$base_id"
  measure "base emulator create (durable)" "$BASE_PID" -s "$work/create.lua" "http://$BASE"
fi
echo "load.sh: storing $DELETES APIs to delete" >&2
"$work/loadseed" "http://$EMU" "$DELETES" del >"$work/del-ids"
ids_script "$work/del-ids" DELETE "" >"$work/delete.lua"
measure "emulator delete (durable)" "$EMU_PID" -s "$work/delete.lua" "http://$EMU"
if [ "${PRISM:-0}" = 1 ]; then
  measure "prism mock create" "$PRISM_PID" -s "$work/create.lua" "http://127.0.0.1:$((PORT_BASE + 2))"
fi
