using System.Globalization;
using Tekton.Benchmarks;

// Benchmarks that build/bench.sh runs; each prints one line of JSON for the report. Throughput over HTTP is
// measured with wrk (bench/wrk/*.lua) instead, the same load generator for Tekton, the bare endpoint and etcd.
return args switch
{
    ["graph", var nodes, var edges, var runs] => GraphBenchmark.Run(Int(nodes), Int(edges), Int(runs)),
    ["route", var models, var iterations] => RouteBenchmark.RunInProcess(Int(models), Int(iterations)),
    ["seed", var url, var components, var models] => await SeedBenchmark.RunAsync(new Uri(url), Int(components), Int(models)),
    ["openloop", var url, var method, var path, var rate, var seconds, .. var body] =>
        await OpenLoopBenchmark.RunAsync(new Uri(url), method, path, Int(rate), Double(seconds), body is [var text] ? text : null),
    ["fanout", var url, var transport, var subscribers, var rate, var seconds] =>
        await FanoutBenchmark.RunAsync(new Uri(url), transport, Int(subscribers), Int(rate), Double(seconds)),
    _ => Usage(),
};

static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

static double Double(string value) => double.Parse(value, CultureInfo.InvariantCulture);

static int Usage()
{
    Console.Error.WriteLine("usage: graph NODES EDGES RUNS | route MODELS ITERATIONS | seed BASE_URL COMPONENTS MODELS | openloop BASE_URL METHOD PATH RATE SECONDS [BODY] | fanout BASE_URL websocket|signalr SUBSCRIBERS RATE SECONDS");
    return 2;
}
