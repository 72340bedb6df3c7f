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
    ["memory", var web, var clients, var counts, .. var save] =>
        await MemoryBenchmark.RunAsync(web, Int(clients), [.. counts.Split(',').Select(Int)], save is [var path] ? path : null),
    ["populate", var url, var from, var to, var clients] => await Populate(new Uri(url), Int(from), Int(to), Int(clients)),
    ["coldstart", var web, var database, var expected] => await ColdStartBenchmark.RunAsync(web, database, Int(expected)),
    ["soak", var web, var minutes, var sample, .. var settings] => await SoakBenchmark.RunAsync(web, Double(minutes), Double(sample), settings),
    _ => Usage(),
};

static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

static double Double(string value) => double.Parse(value, CultureInfo.InvariantCulture);

// Registers the memory benchmark's components FROM to TO on a running server, for profiling it by hand.
static async Task<int> Populate(Uri url, int from, int to, int clients)
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = url };
    return await MemoryBenchmark.RegisterUpToAsync(http, from, to, clients) == 0 ? 0 : 1;
}

static int Usage()
{
    Console.Error.WriteLine("usage: graph NODES EDGES RUNS | route MODELS ITERATIONS | seed BASE_URL COMPONENTS MODELS | openloop BASE_URL METHOD PATH RATE SECONDS [BODY] | fanout BASE_URL websocket|signalr|signalr-client SUBSCRIBERS RATE SECONDS | memory WEB_DLL CLIENTS COUNT,COUNT,... [SAVE_DB] | coldstart WEB_DLL DB|none EXPECTED | populate BASE_URL FROM TO CLIENTS | soak WEB_DLL MINUTES SAMPLE_SECONDS [--Tekton:...=VALUE ...]");
    return 2;
}
