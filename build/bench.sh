#!/usr/bin/env bash
# Builds in Release, runs every benchmark on this machine, and writes docs/performance.md (build/bench_report.py).
# Everything runs on 127.0.0.1. With two or more cores the server under test is pinned to core 1 and the load
# generator to core 0, except in the event fan-out benchmark (see there). Tekton is compared in the same run with
# a bare Kestrel endpoint (bench/Tekton.Bench.Bare, the ceiling of this stack) and with etcd 3.4, under the same
# load generator (wrk, bench/wrk/*.lua). Installs wrk and etcd from Debian when they are missing.
# Durable registrations are measured on SQLite and, when PostgreSQL's initdb is installed, on a PostgreSQL of
# their own. `build/bench.sh durable` runs only those (and prints them; docs/performance.md is left as it is);
# `build/bench.sh fanout` likewise runs only the event fan-out, and `build/bench.sh http` only the HTTP throughput
# (closed loop) with its seeding.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
out="$root/build/.artifacts/bench"
runs=${BENCH_RUNS:-3}
# The closed-loop HTTP rows and the durable writes carry the ratios against the bare endpoint and etcd, and this
# machine's speed drifts by up to a third within minutes (docs/performance-notes.md): they run in more rounds, so that
# one round in a slow phase does not decide a median.
rounds=${BENCH_ROUNDS:-5}
seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-64}
rate=${BENCH_RATE:-5000}
# Every closed-loop and open-loop measurement follows a warm-up of the same request for this long. The server's code
# reaches its final tier only after tiered PGO's instrumented tier has run for a while: on one pinned core a new
# endpoint took 20-30 s of load to get there (docs/performance-notes.md). Registrations warm up for 10 s (each one
# grows the store).
warmup=${BENCH_WARMUP:-20}
rm -rf "$out" && mkdir -p "$out/templates"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The .NET GC sizes its youngest generation from the L3 cache the CPU reports. This virtual machine reports 260 MiB
# of L3, and the budget it derives (about 75 MB a collection) makes each young collection pause for 70-90 ms, which
# is the whole tail of the latency figures; 16 MiB measured 11 ms (docs/operations.md, "Garbage collection").
# Every .NET process of the run gets the same setting (Tekton, the bare endpoint and the load generators);
# BENCH_GEN0SIZE= (empty) runs with the runtime's default.
gen0size=${BENCH_GEN0SIZE-0x1000000}
if [ -n "$gen0size" ]; then export DOTNET_GCgen0size=$gen0size; fi
# Tiered compilation moves hot methods to optimized code only after a pause in new-method compilation, 100 ms on
# several CPUs and ten times that in a process held to one CPU, as the servers here are; under a steady load the
# pause rarely comes, and registrations ran at 3,229/s, mostly in unoptimized code, against 6,257/s with no pause
# (docs/operations.md, "Tiered compilation on one CPU"). Every .NET process of the run gets the same setting;
# BENCH_CALL_COUNTING_DELAY= (empty) runs with the runtime's default.
call_counting_delay=${BENCH_CALL_COUNTING_DELAY-0}
if [ -n "$call_counting_delay" ]; then export DOTNET_TC_CallCountingDelayMs=$call_counting_delay; fi

echo "== tools"
. build/debian-packages.sh
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v etcd >/dev/null || missing+=(etcd-server)
has_postgres || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  install_packages "$out/install.log" "${missing[@]}" || exit 1
fi
wrk --version 2>&1 | head -1 || true
etcd --version | head -1

echo "== build (Release)"
dotnet build src/Tekton.Web -c Release -nologo -clp:ErrorsOnly
dotnet build bench/Tekton.Benchmarks -c Release -nologo -clp:ErrorsOnly
dotnet build bench/Tekton.Bench.Bare -c Release -nologo -clp:ErrorsOnly
web="$root/src/Tekton.Web/bin/Release/net10.0/Tekton.Web.dll"
bench="$root/bench/Tekton.Benchmarks/bin/Release/net10.0/Tekton.Benchmarks.dll"
bare="$root/bench/Tekton.Bench.Bare/bin/Release/net10.0/Tekton.Bench.Bare.dll"

server_cpu=""; load_cpu=""
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then server_cpu="taskset -c 1"; load_cpu="taskset -c 0"; fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { for _ in $(seq 150); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done; echo "not ready: $1" >&2; return 1; }
# tag FIELDS...: adds "key":value pairs (values already JSON) to each JSON line on stdin.
tag() { python3 -c 'import json,sys; f=dict(a.split("=",1) for a in sys.argv[1:]); [print(json.dumps({**{k: json.loads(v) for k, v in f.items()}, **json.loads(l)})) for l in sys.stdin if l.startswith("{")]' "$@"; }

# start_tekton PIN TEMPLATE [SETTING...]: a Tekton server on a copy of TEMPLATE's database ("" = a fresh one).
# Sets dir, port, pid, url.
start_tekton() {
  local pin=$1 template=$2; shift 2
  dir=$(mktemp -d); port=$(free_port); url="http://127.0.0.1:$port"
  [ -z "$template" ] || cp "$template"/tekton.db* "$dir"/
  $pin dotnet "$web" --urls "$url" --contentRoot "$dir" \
    --Tekton:Database:ConnectionString="Data Source=$dir/tekton.db" --Logging:LogLevel:Default=Warning "$@" >"$dir/server.log" 2>&1 &
  pid=$!
  wait_for "$url/health/ready"
}
start_bare() {
  dir=$(mktemp -d); port=$(free_port); url="http://127.0.0.1:$port"
  $server_cpu dotnet "$bare" --urls "$url" --AnswerFile="$out/lookup-answer.json" >"$dir/server.log" 2>&1 &
  pid=$!
  wait_for "$url/ready"
}
start_etcd() {
  dir=$(mktemp -d); port=$(free_port); local peer; peer=$(free_port); url="http://127.0.0.1:$port"
  $server_cpu etcd --name bench --data-dir "$dir/etcd" --listen-client-urls "$url" --advertise-client-urls "$url" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "bench=http://127.0.0.1:$peer" >"$dir/server.log" 2>&1 &
  pid=$!
  wait_for "$url/health"
}
stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; pid=""; }

# start_postgres: a PostgreSQL of its own in a temporary folder on a free loopback port (as the postgres account
# when run as root, since PostgreSQL refuses root). Sets pg_dir, pg_connection; stop_postgres ends it.
pg_dir=""; pg_stop=""
pg_bin=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1 || echo /nonexistent/initdb)")
start_postgres() {
  pg_dir=$(mktemp -d); local pg_port; pg_port=$(free_port); local as=""
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_dir"; as="runuser -u postgres --"; fi
  echo tekton >"$pg_dir/pw"; [ -z "$as" ] || chown postgres "$pg_dir/pw"
  $as "$pg_bin/initdb" -D "$pg_dir/data" -U tekton --pwfile "$pg_dir/pw" -A scram-sha-256 >/dev/null
  # Set before the start, so that the trap stops a server that started but was not yet waited for.
  pg_stop="$as $pg_bin/pg_ctl -D $pg_dir/data -m fast -w stop"
  $as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_dir" start >/dev/null
  pg_connection="Host=127.0.0.1;Port=$pg_port;Database=postgres;Username=tekton;Password=tekton"
}
stop_postgres() { [ -z "$pg_stop" ] || $pg_stop >/dev/null || true; rm -rf "$pg_dir"; pg_dir=""; pg_stop=""; }

# A failure (set -e) or an interrupt leaves nothing running: the server under test, and pg_ctl's detached PostgreSQL.
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  if [ -n "$pg_dir" ]; then stop_postgres; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# load TARGET TEST SCRIPT PATH [WARMUP]: wrk, closed loop, $connections connections on one pinned thread: a warm-up
# of the same load ($warmup s unless given), then $seconds measured; one JSON line into http.jsonl. WRK_BODY
# (exported) is the body of post.lua.
load() {
  local target=$1 test=$2 script=$3 path=$4 warm=${5:-$warmup}
  $load_cpu wrk -t1 -c"$connections" -d"${warm}s" -s "bench/wrk/$script" "$url$path" >/dev/null
  $load_cpu wrk -t1 -c"$connections" -d"${seconds}s" -s "bench/wrk/$script" "$url$path" | tail -1 \
    | tag target="\"$target\"" test="\"$test\"" | tee -a "$out/http.jsonl"
}

# durable_writes: registrations on SQLite (group commit, and one commit per request) and on PostgreSQL.
# Every request registers a new component: past the default limit of 100,000 (reached within a run at about
# 5,000/s) the rest would be quick 413s, counted as requests, so the limit is raised for these runs.
durable_writes() {
  local room=--Tekton:Limits:MaxComponents=10000000
  start_tekton "$server_cpu" "" $room
  load tekton register register.lua / 10
  stop_server
  # The reference's writes right after Tekton's, when given: the two rows of each ratio are measured side by side.
  if [ -n "${1:-}" ]; then "$1"; fi
  start_tekton "$server_cpu" "" $room --Tekton:Database:MaxBatchSize=1
  load tekton register-single register.lua / 10
  stop_server
  if [ -x "$pg_bin/initdb" ]; then
    start_postgres
    start_tekton "$server_cpu" "" $room --Tekton:Database:Provider=Postgres "--Tekton:Database:ConnectionString=$pg_connection"
    load tekton register-postgres register.lua / 10
    stop_server
    stop_postgres
  else
    echo "PostgreSQL's initdb is not installed: no PostgreSQL row (apt-get install postgresql)" >&2
  fi
}

# Event fan-out: SUBSCRIBERS connections follow one component while heartbeats arrive at RATE per second.
# Not pinned: sending 100,000 frames a second is more than one core's work, and with the server held to one
# core the queueing dominates the latency (measured: p99 130-460 ms pinned, 40-70 ms unpinned).
fanout_runs() {
  local fanout_subscribers=${BENCH_FANOUT_SUBSCRIBERS:-1000} fanout_rate=${BENCH_FANOUT_RATE:-100}
  for transport in websocket signalr; do
    echo "== event fan-out, $transport"
    for _ in $(seq "$runs"); do
      start_tekton "" ""
      dotnet "$bench" fanout "$url" "$transport" "$fanout_subscribers" "$fanout_rate" "$seconds" | tee -a "$out/fanout.jsonl"
      stop_server
    done
  done
}

if [ "${1:-}" = durable ]; then
  echo "== durable registrations, SQLite and PostgreSQL"
  for _ in $(seq "$runs"); do durable_writes; done
  exit 0
fi
if [ "${1:-}" = fanout ]; then
  fanout_runs
  exit 0
fi

if [ "${1:-}" != http ]; then
echo "== graph analysis"
for _ in $(seq "$runs"); do dotnet "$bench" graph 10000 50000 50 | tee -a "$out/graph.jsonl"; done
echo "== route decision, 100 models, in process"
for _ in $(seq "$runs"); do $server_cpu dotnet "$bench" route 100 200000 | tee -a "$out/route.jsonl"; done
fi

heartbeat='{"status":"ready","metrics":{"cpu_percent":12.5,"memory_percent":40.1,"active_connections":3}}'
# Databases the HTTP runs start from, registered through the API once: 100 and 10,000 components, 100 models.
echo "== seeding"
for count in 100 10000; do
  start_tekton "" "" --Tekton:Ollama:Enabled=false
  dotnet "$bench" seed "$url" "$count" 100 | tee -a "$out/seed.jsonl"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  mkdir -p "$out/templates/$count" && cp "$dir"/tekton.db* "$out/templates/$count/" && rm -rf "$dir"
done
# The lookup's answer as the benchmark reads it (the component made ready by a heartbeat), for the bare endpoint to
# answer at /sized: what an answer of that size costs this stack, apart from what Tekton does to make it.
start_tekton "" "$out/templates/100" --Tekton:Ollama:Enabled=false
curl -sf -o /dev/null -X POST -H "Content-Type: application/json" -d "$heartbeat" "$url/api/tekton/components/seed-000001/heartbeat"
curl -sf -o "$out/lookup-answer.json" "$url/api/tekton/components/seed-000001"
stop_server
echo "the lookup's answer: $(wc -c <"$out/lookup-answer.json") bytes"

http_runs() {
echo "== HTTP throughput: wrk, $connections connections, ${seconds} s"
for _ in $(seq "$rounds"); do
  # Each ratio's two rows close together in time, as the machine's speed drifts: the bare POST last, Tekton's
  # heartbeats after one endpoint of Tekton's own; the bare GET just before that pair, Tekton's lookup just after.
  start_bare
  load bare sized get.lua /sized
  load bare get get.lua /
  WRK_BODY=$heartbeat load bare post post.lua /
  stop_server

  start_tekton "$server_cpu" "$out/templates/100" --Tekton:Ollama:Enabled=false
  load tekton version get.lua /api/tekton/version
  WRK_BODY=$heartbeat load tekton heartbeat post.lua /api/tekton/components/seed-000001/heartbeat
  load tekton component get.lua /api/tekton/components/seed-000001
  load tekton list-100 get.lua /api/tekton/components
  load tekton route route.lua /api/tekton/route
  load tekton resources get.lua /api/tekton/resources
  stop_server

  start_tekton "$server_cpu" "$out/templates/10000" --Tekton:Ollama:Enabled=false
  load tekton list-10000 get.lua /api/tekton/components
  stop_server
done
}
http_runs
if [ "${1:-}" = http ]; then
  exit 0
fi

echo "== latency at a fixed rate: $rate requests/s, open loop"
openloop() {  # target test method path rate seconds [body]
  local target=$1 test=$2; shift 2
  # Warmed up by wrk first, as the closed-loop runs are.
  if [ "$1" = POST ]; then
    WRK_BODY=${5:-} $load_cpu wrk -t1 -c"$connections" -d"${warmup}s" -s bench/wrk/post.lua "$url$2" >/dev/null
  else
    $load_cpu wrk -t1 -c"$connections" -d"${warmup}s" -s bench/wrk/get.lua "$url$2" >/dev/null
  fi
  $load_cpu dotnet "$bench" openloop "$url" "$@" | tag target="\"$target\"" test="\"$test\"" | tee -a "$out/openloop.jsonl"
}
for _ in $(seq "$runs"); do
  start_bare
  openloop bare get GET / "$rate" "$seconds"
  openloop bare post POST / "$rate" "$seconds" "$heartbeat"
  stop_server
  start_tekton "$server_cpu" "$out/templates/100" --Tekton:Ollama:Enabled=false
  openloop tekton heartbeat POST /api/tekton/components/seed-000001/heartbeat "$rate" "$seconds" "$heartbeat"
  openloop tekton component GET /api/tekton/components/seed-000001 "$rate" "$seconds"
  stop_server
done

echo "== durable writes: Tekton registrations and etcd puts; heartbeats and etcd lease keep-alives"
etcd_writes() {
  start_etcd
  load etcd put etcd_put.lua / 10
  lease=$(curl -sf -X POST "$url/v3/lease/grant" -d '{"TTL":3600}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["ID"])')
  WRK_BODY="{\"ID\":\"$lease\"}" load etcd keepalive post.lua /v3/lease/keepalive
  stop_server
}
for _ in $(seq "$rounds"); do durable_writes etcd_writes; done

fanout_runs

# Memory per component: components registered through the API up to each count, the heap after a full GC (induced
# from outside) and the RSS at each; the database it leaves is the cold start's. Not pinned: each benchmark starts
# the server as its own child, which would inherit the pinning.
memory_counts=${BENCH_MEMORY_COUNTS:-0,1000,10000,50000,100000}
largest=${memory_counts##*,}
echo "== memory per component ($memory_counts)"
for _ in $(seq "$runs"); do
  dotnet "$bench" memory "$web" 64 "$memory_counts" "$out/registry.db" | tee -a "$out/memory.jsonl"
done
echo "== cold start with $largest components, and with none"
for _ in $(seq "$runs"); do
  dotnet "$bench" coldstart "$web" "$out/registry.db" "$largest" | tee -a "$out/coldstart.jsonl"
  dotnet "$bench" coldstart "$web" none 0 | tee -a "$out/coldstart_empty.jsonl"
done

python3 build/bench_report.py "$out" "$root/docs/performance.md" "$runs" "$seconds" "$connections" "$rate" "$warmup" "$rounds"
