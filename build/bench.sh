#!/usr/bin/env bash
# Builds in Release, runs the benchmarks on this machine, and writes docs/performance.md.
# Server and load generator run on 127.0.0.1, pinned to different cores where the machine has two or more.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
out="$root/build/.artifacts/bench"
runs=${BENCH_RUNS:-3}
seconds=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-64}
rm -rf "$out" && mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== build (Release)"
dotnet build src/Tekton.Web -c Release -nologo -clp:ErrorsOnly
dotnet build bench/Tekton.Benchmarks -c Release -nologo -clp:ErrorsOnly
web="$root/src/Tekton.Web/bin/Release/net10.0/Tekton.Web.dll"
bench="$root/bench/Tekton.Benchmarks/bin/Release/net10.0/Tekton.Benchmarks.dll"

server_cpu=""; load_cpu=""
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then server_cpu="taskset -c 1"; load_cpu="taskset -c 0"; fi

echo "== graph analysis"
for n in $(seq "$runs"); do
  dotnet "$bench" graph 10000 50000 50 | tee -a "$out/graph.jsonl"
done

echo "== route decision, 100 models, in process"
for n in $(seq "$runs"); do
  $server_cpu dotnet "$bench" route 100 200000 | tee -a "$out/route.jsonl"
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# One server per run, on a fresh database, so every run measures the same amount of work.
# start_server PIN [SETTING...]: PIN is "$server_cpu" or "" (not pinned); sets dir, port and pid, and waits until ready.
start_server() {
  local pin=$1; shift
  dir=$(mktemp -d); port=$(free_port)
  $pin dotnet "$web" --urls "http://127.0.0.1:$port" --contentRoot "$dir" \
    --Tekton:Database:ConnectionString="Data Source=$dir/tekton.db" --Logging:LogLevel:Default=Warning "$@" >"$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
}
stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; }

registrations() {  # $1 = label, $2 = Tekton:Database:MaxBatchSize
  for n in $(seq "$runs"); do
    start_server "$server_cpu" --Tekton:Database:MaxBatchSize="$2"
    $load_cpu dotnet "$bench" registrations "http://127.0.0.1:$port" "$clients" "$seconds" \
      | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); d['mode']='$1'; print(json.dumps(d))" | tee -a "$out/registrations.jsonl"
    stop_server
  done
}

echo "== durable registrations, group commit"
registrations group 512
echo "== durable registrations, one commit per request (the baseline group commit is measured against)"
registrations single 1

# Event fan-out: SUBSCRIBERS connections follow one component while heartbeats arrive at RATE per second.
# Not pinned: sending 100,000 frames a second is more than one core's work, and with the server held to one
# core the queueing dominates the latency (measured: p99 130-460 ms pinned, 40-70 ms unpinned).
fanout_subscribers=${BENCH_FANOUT_SUBSCRIBERS:-1000}; fanout_rate=${BENCH_FANOUT_RATE:-100}
fanout() {  # $1 = websocket | signalr
  for n in $(seq "$runs"); do
    start_server ""
    dotnet "$bench" fanout "http://127.0.0.1:$port" "$1" "$fanout_subscribers" "$fanout_rate" "$seconds" | tee -a "$out/fanout.jsonl"
    stop_server
  done
}

echo "== event fan-out, WebSocket"
fanout websocket
echo "== event fan-out, SignalR"
fanout signalr

# Reads answered from memory: GET /api/tekton/resources with the sampler at its default interval and 20 times as
# often, beside GET /api/tekton/version (the cheapest endpoint) as the reference.
reads() {  # $1 = label, $2 = path, $3 = Tekton:Resources:SampleIntervalSeconds
  for n in $(seq "$runs"); do
    start_server "$server_cpu" --Tekton:Resources:SampleIntervalSeconds="$3"
    $load_cpu dotnet "$bench" reads "http://127.0.0.1:$port" "$2" 16 "$seconds" \
      | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); d['mode']='$1'; d['interval']=$3; print(json.dumps(d))" | tee -a "$out/reads.jsonl"
    stop_server
  done
}

echo "== reads: GET /api/tekton/version (reference)"
reads version /api/tekton/version 2
echo "== reads: GET /api/tekton/resources, sampler every 2 s"
reads resources /api/tekton/resources 2
echo "== reads: GET /api/tekton/resources, sampler every 0.1 s"
reads resources-fast /api/tekton/resources 0.1

echo "== route over HTTP, 100 models added through the API"
for n in $(seq "$runs"); do
  start_server "$server_cpu" --Tekton:Ollama:Enabled=false
  $load_cpu dotnet "$bench" route-http "http://127.0.0.1:$port" 100 16 "$seconds" | tee -a "$out/route_http.jsonl"
  stop_server
done

python3 - "$out" "$root/docs/performance.md" "$runs" "$seconds" "$clients" <<'PY'
import json, os, platform, statistics, subprocess, sys
out, target, runs, seconds, clients = sys.argv[1:]
def lines(name): return [json.loads(l) for l in open(os.path.join(out, name)) if l.strip()]
def sh(cmd):
    try: return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception: return "?"
def spread(values, fmt):
    return f"{fmt.format(statistics.median(values))} (min {fmt.format(min(values))}, max {fmt.format(max(values))})"
graph = lines("graph.jsonl")
regs = lines("registrations.jsonl")
fan = lines("fanout.jsonl")
reads = lines("reads.jsonl")
route = lines("route.jsonl")
route_http = lines("route_http.jsonl")
group = [r for r in regs if r["mode"] == "group"]
single = [r for r in regs if r["mode"] == "single"]
cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
disk = sh("df -h . | tail -1 | awk '{print $1\" (\"$2\")\"}'")
ratio = statistics.median(r["per_second"] for r in group) / statistics.median(r["per_second"] for r in single)
report = f"""# Performance

Generated by `build/bench.sh` on {sh('date -u +%Y-%m-%d')}; run it again to reproduce. Every figure is the median over
{runs} runs, with the smallest and largest run in brackets.

## Machine

| | |
|---|---|
| CPU | {cpu}, {os.cpu_count()} cores |
| memory | {mem} |
| disk (data folder) | {disk} |
| OS | {platform.platform()} |
| .NET | {sh('dotnet --version')} |

Server and load generator run on 127.0.0.1; with two or more cores the server is pinned to core 1 and the load
generator to core 0 (`taskset`), except in the event fan-out benchmark, where they share both cores.

## Dependency graph

`DependencyGraph.Analyze` (startup order, cycles, missing dependencies) on {graph[0]['nodes']:,} components and
{graph[0]['edges']:,} edges, {graph[0]['runs']} timed analyses per run after warm-up
(`dotnet bench/Tekton.Benchmarks/bin/Release/net10.0/Tekton.Benchmarks.dll graph 10000 50000 50`).

| | median | p95 |
|---|---|---|
| one analysis | {spread([g['median_ms'] for g in graph], '{:.2f} ms')} | {spread([g['p95_ms'] for g in graph], '{:.2f} ms')} |

Target: well under 50 ms.

## Durable registrations

Each acknowledged `POST /api/tekton/components` is committed to SQLite (WAL, `synchronous=FULL`) before the answer.
{clients} concurrent clients in a closed loop for {seconds} s on a fresh database per run
(`Tekton.Benchmarks registrations URL {clients} {seconds}`). The baseline is the same server with
`Tekton:Database:MaxBatchSize=1`, which commits every request on its own.

| mode | registrations/s | p50 latency | p99 latency |
|---|---|---|---|
| group commit (`MaxBatchSize=512`) | {spread([r['per_second'] for r in group], '{:,.0f}')} | {spread([r['p50_ms'] for r in group], '{:.1f} ms')} | {spread([r['p99_ms'] for r in group], '{:.1f} ms')} |
| one commit per request (`MaxBatchSize=1`) | {spread([r['per_second'] for r in single], '{:,.0f}')} | {spread([r['p50_ms'] for r in single], '{:.1f} ms')} | {spread([r['p99_ms'] for r in single], '{:.1f} ms')} |

Group commit answers **{ratio:.1f}×** as many durable registrations per second as committing each request alone.
Errors during the measured runs: {sum(r['errors'] for r in regs)}.

## Event fan-out

{fan[0]['subscribers']:,} subscribers follow one component on one transport while heartbeats are posted at
{fan[0]['rate']} per second for {seconds} s, open loop (`Tekton.Benchmarks fanout URL TRANSPORT {fan[0]['subscribers']} {fan[0]['rate']} {seconds}`):
{fan[0]['rate'] * fan[0]['subscribers']:,} deliveries per second. Latency is from sending the heartbeat to receiving its event, measured
by the load generator, which is also the process that receives every event. Server and load generator are not
pinned here: they share both cores. Goal on this machine: p99 ≤ 60 ms, no loss.

| transport | p50 | p99 | max | loss |
|---|---|---|---|---|
""" + "".join(
    f"| {t} | {spread([r['p50_ms'] for r in rs], '{:.1f} ms')} | {spread([r['p99_ms'] for r in rs], '{:.1f} ms')} | "
    f"{spread([r['max_ms'] for r in rs], '{:.0f} ms')} | {spread([r['loss_percent'] for r in rs], '{:.3f} %')} |\n"
    for t in ("websocket", "signalr") for rs in [[r for r in fan if r["transport"] == t]] if rs)
def read_row(mode, label):
    rs = [r for r in reads if r["mode"] == mode]
    return (f"| {label} | {spread([r['per_second'] for r in rs], '{:,.0f}')} | {spread([r['p50_ms'] for r in rs], '{:.2f} ms')} | "
            f"{spread([r['p99_ms'] for r in rs], '{:.2f} ms')} |\n")
def median_of(mode, key): return statistics.median(r[key] for r in reads if r["mode"] == mode)
def median_of_list(values): return statistics.median(values)
report += f"""
## System resources endpoint

`GET /api/tekton/resources` is answered from the sampler's latest sample, never by probing. 16 clients in a
closed loop for {seconds} s (`Tekton.Benchmarks reads URL PATH 16 {seconds}`), server pinned as above, beside the
cheapest endpoint, `GET /api/tekton/version`. The sampler runs at its default interval (2 s) and at 0.1 s, twenty
times as often: if reads waited on samples, the second row would be slower than the first.

| endpoint | requests/s | p50 | p99 |
|---|---|---|---|
""" + read_row("version", "`GET /api/tekton/version` (reference)") + read_row("resources", "`GET /api/tekton/resources`, sampler every 2 s") \
    + read_row("resources-fast", "`GET /api/tekton/resources`, sampler every 0.1 s") + f"""
The resources endpoint serves {median_of('resources', 'per_second') / median_of('version', 'per_second'):.2f}× the reference's
requests per second; sampling twenty times as often changes its p50 by a factor of
{median_of('resources-fast', 'p50_ms') / median_of('resources', 'p50_ms'):.2f} (the sampler shares the server's core).
"""
report += f"""
## Routing

`Router.Route` over 100 models (every tier, five providers, some priorities and costs, one in five unavailable),
three request shapes in turn, {route[0]['iterations']:,} timed decisions per run after warm-up, in process
(`Tekton.Benchmarks route 100 {route[0]['iterations']}`); and `POST /api/tekton/route` over HTTP with the same
100 models added through the API, 16 clients in a closed loop for {seconds} s (`Tekton.Benchmarks route-http URL 100 16 {seconds}`).

| | p50 | p99 | requests/s |
|---|---|---|---|
| decision, in process | {spread([r['p50_us'] for r in route], '{:.2f} µs')} | {spread([r['p99_us'] for r in route], '{:.2f} µs')} | |
| `POST /api/tekton/route` | {spread([r['p50_ms'] for r in route_http], '{:.2f} ms')} | {spread([r['p99_ms'] for r in route_http], '{:.2f} ms')} | {spread([r['per_second'] for r in route_http], '{:,.0f}')} |
| `GET /api/tekton/version` (reference, from the section above) | {spread([r['p50_ms'] for r in reads if r['mode'] == 'version'], '{:.2f} ms')} | {spread([r['p99_ms'] for r in reads if r['mode'] == 'version'], '{:.2f} ms')} | {spread([r['per_second'] for r in reads if r['mode'] == 'version'], '{:,.0f}')} |

Goal: the decision's p99 under 50 µs. Over HTTP, routing serves {median_of_list([r['per_second'] for r in route_http]) / median_of('version', 'per_second'):.2f}× the
reference's requests per second.
"""
extra = os.path.join(os.path.dirname(target), "performance-notes.md")
if os.path.exists(extra):
    report += "\n" + open(extra).read()
open(target, "w").write(report)
print(f"wrote {target}")
PY
