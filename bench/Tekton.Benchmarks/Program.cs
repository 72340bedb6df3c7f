using System.Globalization;
using Tekton.Benchmarks;

// Benchmarks that build/bench.sh runs; each prints one line of JSON for the report.
return args switch
{
    ["graph", var nodes, var edges, var runs] => GraphBenchmark.Run(Int(nodes), Int(edges), Int(runs)),
    ["registrations", var url, var clients, var seconds] => await RegistrationBenchmark.RunAsync(new Uri(url), Int(clients), double.Parse(seconds, CultureInfo.InvariantCulture)),
    ["fanout", var url, var transport, var subscribers, var rate, var seconds] =>
        await FanoutBenchmark.RunAsync(new Uri(url), transport, Int(subscribers), Int(rate), double.Parse(seconds, CultureInfo.InvariantCulture)),
    ["reads", var url, var path, var clients, var seconds] =>
        await ReadBenchmark.RunAsync(new Uri(url), path, Int(clients), double.Parse(seconds, CultureInfo.InvariantCulture)),
    ["route", var models, var iterations] => RouteBenchmark.RunInProcess(Int(models), Int(iterations)),
    ["route-http", var url, var models, var clients, var seconds] =>
        await RouteBenchmark.RunHttpAsync(new Uri(url), Int(models), Int(clients), double.Parse(seconds, CultureInfo.InvariantCulture)),
    ["memory", var web, var clients, var counts, .. var save] =>
        await MemoryBenchmark.RunAsync(web, Int(clients), [.. counts.Split(',').Select(Int)], save is [var path] ? path : null),
    ["populate", var url, var from, var to, var clients] => await Populate(new Uri(url), Int(from), Int(to), Int(clients)),
    ["coldstart", var web, var database, var expected] => await ColdStartBenchmark.RunAsync(web, database, Int(expected)),
    _ => Usage(),
};

static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

// Registers the memory benchmark's components FROM to TO on a running server, for profiling it by hand.
static async Task<int> Populate(Uri url, int from, int to, int clients)
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = url };
    return await MemoryBenchmark.RegisterUpToAsync(http, from, to, clients) == 0 ? 0 : 1;
}

static int Usage()
{
    Console.Error.WriteLine("usage: graph NODES EDGES RUNS | registrations BASE_URL CLIENTS SECONDS | fanout BASE_URL websocket|signalr SUBSCRIBERS RATE SECONDS | reads BASE_URL PATH CLIENTS SECONDS | route MODELS ITERATIONS | route-http BASE_URL MODELS CLIENTS SECONDS | memory WEB_DLL CLIENTS COUNT,COUNT,... [SAVE_DB] | coldstart WEB_DLL DB|none EXPECTED | populate BASE_URL FROM TO CLIENTS");
    return 2;
}
